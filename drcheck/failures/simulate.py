"""Failure simulation (docs/failure-simulation.md), for many scenarios at once.

Every per-service quantity is an integer used as a bitset over scenarios: bit k
is set when the service is down (or its primaries lost, ...) in scenario k.
Step 1 (what keeps running) is a least fixpoint of "down" along hard
dependencies; step 2 (recovery) a greatest fixpoint that can only clear bits.
Both are solved once along the strongly connected components of the
dependency graph in dependency order, iterating only inside a component, so
evaluating every single-domain loss costs about O((S + E) * D / 64) word
operations instead of one graph traversal per domain.
"""
from __future__ import annotations

import struct
from collections import Counter
from functools import cached_property
from itertools import islice
from typing import Iterable, Iterator, NamedTuple

from .domains import DomainGroup, Failure, kind_order, naming_order
from ..inventory.model import AnyOf, Dependency, Inventory, Placement, Service

MAX_CHAIN = 8
SCENARIOS_LISTED = 10  # scenarios named in a `Scenarios`
_OPS = -1  # the virtual node standing for the ops services in default recovery needs


class Cause(NamedTuple):
    """Why a service is down in one scenario.  (A tuple: a report explains every service down in each of
    its worst scenarios, tens of thousands of them in a large estate.)"""

    kind: str  # "placements" | "outage" | "dependency" | "cycle" | "recovery"
    chain: tuple[str, ...] = ()  # "dependency": service -> ... -> the service that went down first;
    #                              "cycle": service -> ... -> service, each needing the next
    missing: tuple[str, ...] = ()  # for "recovery": recovery needs that are down
    any_of: tuple[tuple[str, ...], ...] = ()  # for "dependency": the `any_of` groups the chain passes through,
    #                                           every service of each down (the chain follows the first)

    def describe(self) -> str:
        if self.kind == "placements":
            return "every placement is lost"
        if self.kind == "outage":
            return "the service itself is out (its own outage)"
        if self.kind == "dependency":
            groups = "".join(f"; every one of {', '.join(group)} is down" for group in self.any_of)
            return "hard dependency chain " + " → ".join(self.chain) + groups
        if self.kind == "cycle":
            return "hard dependency cycle " + " → ".join(self.chain) + ": none can be recovered before the others"
        return "standby survives but recovery needs are down: " + ", ".join(self.missing)


class Scenarios(NamedTuple):
    """Some of the simulated scenarios, as a finding tells them: the worst one and how many there are."""

    worst: Failure  # the worst of them: highest impact, then fewest sites lost
    impact: float  # the worst one's impact, rounded to 4 places
    names: tuple[str, ...]  # the first SCENARIOS_LISTED of them, each named by its first lost domain
    count: int
    index: int  # the worst one's position in the simulation's scenarios


class DependencyDefeat(NamedTuple):
    """A hard dependency that takes a service down although one of its placements survives."""

    dependency: str  # the direct hard dependency (of an `any_of` group: the one its chain follows)
    chain: tuple[str, ...]  # in the worst scenario: service -> dependency -> ... -> the service down first
    root: Cause  # why the end of the chain is down there (its placements, a cycle, a blocked failover)
    root_sites: list[str]  # where the end of the chain runs
    scenarios: Scenarios  # every scenario in which it happens
    any_of: tuple[str, ...] = ()  # the group, when the dependency is `any_of` (every one of them down)


class DefeatedDr(NamedTuple):
    """A service on several sites that its hard dependencies take down anyway."""

    defeats: list[DependencyDefeat]  # one per direct hard dependency, worst first
    scenarios: Scenarios  # every scenario in which one of them does it
    surviving: list[Placement]  # the service's placements that survive the worst of them


class BlockedFailover(NamedTuple):
    """A standby that survives its primaries but cannot be brought into service: its recovery tooling is down."""

    tooling: tuple[str, ...]  # the recovery needs down in the worst scenario
    scenarios: Scenarios  # every scenario in which it happens
    standbys: list[str]  # the sites of the standbys that survive the worst one


def rank(failures: list[Failure], impacts: list[float]) -> list[int]:
    """The index of every scenario, worst first: highest impact, then fewer sites lost (the smaller domain
    tells the sharper story), then the order they were given in."""
    return sorted(range(len(failures)), key=lambda k: (-impacts[k], len(failures[k].sites), k))


class Simulation:
    """The outcome of a list of scenarios (each a `Failure`: the sites lost, those destroyed, the services out)."""

    def __init__(self, inventory: Inventory, scenarios: list[Failure]):
        self.inventory = inventory
        self.services: list[Service] = list(inventory.services.values())
        self.service_names = list(inventory.services)
        self.scenarios = scenarios
        index = {s.name: i for i, s in enumerate(self.services)}
        self.index = index
        everything = (1 << len(scenarios)) - 1
        site_mask: dict[str, int] = dict.fromkeys(inventory.sites, 0)
        destroyed_mask: dict[str, int] = dict.fromkeys(inventory.sites, 0)
        n = len(self.services)
        out = [0] * n  # scenarios in which the service itself is out (service=NAME)
        for k, failure in enumerate(scenarios):
            bit = 1 << k
            for site in failure.sites:
                site_mask[site] |= bit
            for site in failure.destroyed:
                destroyed_mask[site] |= bit
            for name in failure.services:
                out[index[name]] |= bit

        self.deps: list[list[int]] = [[index[d.service] for d in s.depends_on if d.hard and type(d) is Dependency]
                                      for s in self.services]
        # hard `any_of` dependencies: down only where every one of their services is down
        self.groups: list[list[tuple[int, ...]]] = [
            [tuple(index[m] for m in d.services) for d in s.depends_on if d.hard and type(d) is AnyOf]
            for s in self.services]
        # None: the default recovery needs (ops services as critical or more), read through a summary
        self.needs: list[list[int] | None] = [
            [index[x] for x in s.recovery_needs] if s.recovery_needs is not None else [] if s.automatic else None
            for s in self.services]
        self.ops = sorted((i for i, s in enumerate(self.services) if s.kind == "ops"),
                          key=lambda i: self.services[i].tier)
        self.tiers = [s.tier for s in self.services]
        primary = [everything] * n
        standby = [everything] * n
        all_lost = [everything] * n
        floating = [False] * n  # external services with no placements: outside every domain
        for i, service in enumerate(self.services):
            if not service.placements:
                floating[i] = True
                primary[i] = standby[i] = all_lost[i] = 0
            for p in service.placements:
                mask = site_mask[p.site]
                if p.role == "primary":
                    primary[i] &= mask
                else:
                    standby[i] &= mask
                all_lost[i] &= mask
            # a service out by its own outage has neither a primary nor a standby to run on
            primary[i] |= out[i]
            standby[i] |= out[i]
        self.primary_lost, self.standby_lost, self.all_lost, self.out = primary, standby, all_lost, out
        self.floating = floating
        self.running_down = self._step_one(primary, floating)
        self.down = self._step_two()
        self.data_lost = self._data_lost(destroyed_mask)
        self._memos: dict[int, dict[int, Cause]] = {}  # per scenario: causes found so far (chains share tails)
        self._default_needs: dict[tuple[int, int], list[int]] = {}  # (tier, ops service or -1) -> default needs
        self._needs_down: dict[tuple[int | tuple[int, int], int], list[int]] = {}  # (needs key, scenario) -> those down
        self._needs_down_named: dict[tuple[int | tuple[int, int], int], tuple[str, ...]] = {}  # the same, named
        self._described: dict[int, Scenarios] = {}  # a set of scenarios (bits) -> as findings tell it
        self._tails: dict[tuple[int, int], tuple[Cause, Cause, list[str]]] = {}  # see `_defeat_tail`

    # -- step 1: down = least fixpoint of primary_lost | OR(down of hard deps) | OR(AND(down of an any_of group))
    def _step_one(self, primary: list[int], floating: list[bool]) -> list[int]:
        n = len(self.services)
        down = [0] * n
        # a floating service stays up whatever it calls, so nothing reaches its callers through it
        deps = [[] if floating[i] else d for i, d in enumerate(self.deps)]
        groups = [[] if floating[i] else g for i, g in enumerate(self.groups)]
        # kept: the order in which a failure of one service travels along plain hard dependencies
        # (`drcheck.audit.impact` reuses it); a group's service alone takes nothing down
        self.hard_components = _components(n, lambda i: deps[i])
        components = self.hard_components
        if any(groups):
            components = _components(n, lambda i: deps[i] + [m for g in groups[i] for m in g])
        for component in components:
            inside = set(component) if len(component) > 1 or any(i in g for i in component for g in groups[i]) else ()
            if inside and any(m in inside for i in component for g in groups[i] for m in g):
                # a group that reaches back into its component: members may differ, iterate up from nothing
                changed = True
                while changed:
                    changed = False
                    for i in component:
                        value = self.out[i]
                        if not floating[i]:
                            value = primary[i] | _groups_down(down, groups[i])
                            for d in deps[i]:
                                value |= down[d]
                        if value != down[i]:
                            down[i], changed = value, True
                continue
            # otherwise everyone in a cycle of plain dependencies goes down with any one of them
            value = 0
            for i in component:
                if not floating[i]:
                    value |= primary[i]
                for d in deps[i]:
                    value |= down[d]  # inside the component these are still 0 and so harmless
                if groups[i]:
                    value |= _groups_down(down, groups[i])
            for i in component:
                down[i] = self.out[i] if floating[i] else value
        return down

    # -- step 2: down = greatest fixpoint below step 1 of
    #    running_down & (deps down | (primary lost & (standby lost | needs down)))
    def _step_two(self) -> list[int]:
        deps, groups, needs, ops, tiers = self.deps, self.groups, self.needs, self.ops, self.tiers
        primary, standby, running = self.primary_lost, self.standby_lost, self.running_down
        down = list(running)
        # Default recovery needs read a summary of the ops services: per tier, bits where one of that tier or
        # more critical is down, and for each ops service bits where another one is.  Taken first from the
        # running state (the top), it keeps every value decreasing, so the iteration ends at the greatest fixpoint.
        ops_any, ops_others = _ops_summary(ops, tiers, down)

        def edges(i: int) -> list[int]:
            if i == _OPS:
                return ops
            listed = needs[i]
            return deps[i] + [m for g in groups[i] for m in g] + (listed if listed is not None else [_OPS])

        for component in _components(len(self.services), edges, extra=[_OPS]):
            cyclic = len(component) > 1 or any(i in edges(i) for i in component)
            changed = True
            while changed:
                changed = False
                for i in component:
                    if i == _OPS:
                        summary = _ops_summary(ops, tiers, down)
                        if summary != (ops_any, ops_others):
                            (ops_any, ops_others), changed = summary, True
                        continue
                    value = running[i]
                    if not value:
                        continue
                    dep_down = _groups_down(down, groups[i]) if groups[i] else 0
                    for d in deps[i]:
                        dep_down |= down[d]
                    listed = needs[i]
                    if listed is None:  # default: the ops services as critical or more, but itself
                        need_down = ops_others[i] if i in ops_others else ops_any[tiers[i]]
                    else:
                        need_down = 0
                        for d in listed:
                            need_down |= down[d]
                    value &= dep_down | (primary[i] & (standby[i] | need_down))
                    if value != down[i]:
                        down[i] = value
                        changed = True
                if not cyclic:
                    break
        return down

    def _data_lost(self, destroyed_mask: dict[str, int]) -> list[int]:
        """A data service's data is lost where every placement and every backup site is destroyed: an outage
        (operator, region, power, carrier) loses none."""
        lost = [0] * len(self.services)
        for i, service in enumerate(self.services):
            if service.kind != "data" or not service.placements:
                continue
            value = -1
            for where in (*service.placements, *service.backups):
                value &= destroyed_mask[where.site]
            lost[i] = value
        return lost

    # -- questions rules ask, in the domain's words ------------------------------------------
    def defeated_dr(self, service: str) -> "DefeatedDr | None":
        """Whether hard dependencies of `service` take it down, in some scenario that loses sites (not a
        service outage), although one of its placements survives: every such dependency, each with its
        chain in the worst scenario where it does so, worst first.  None when none does."""
        i = self.index[service]
        defeated = self.down[i] & ~self.all_lost[i] & self._site_scenarios
        defeats = []
        plain = [(d, ()) for d in dict.fromkeys(self.deps[i])]
        for d, group in plain + [(g[0], g) for g in dict.fromkeys(self.groups[i])] if defeated else ():
            if i in group or d == i:  # a service needing itself is a cycle's story
                continue
            scenarios = defeated & (_groups_down(self.down, [group]) if group else self.down[d])
            if not scenarios:
                continue
            told = self._scenarios(scenarios)
            if group:  # the chain goes through the member whose own story is worst there
                d = next(m for m in group if self.down[m] >> told.index & 1)
            dependency = self.service_names[d]
            below, root, root_sites = self._defeat_tail(d, told.index)
            if below.kind == "cycle" and service in below.chain:  # the cycle runs through the service itself
                members = below.chain[:-1]
                at = members.index(service)
                chain = members[at:] + members[:at] + (service,)
                root_sites = self.services[i].sites
            else:
                chain = _shortened((service,) + (below.chain or (dependency,)))
            defeats.append(DependencyDefeat(dependency, chain, root, root_sites, told,
                                            tuple(self.service_names[m] for m in group)))
        if not defeats:
            return None
        if len(defeats) > 1:
            defeats.sort(key=lambda found: self._rank[found.scenarios.index])
        return DefeatedDr(defeats, self._scenarios(defeated & self._any_dependency_down(i)),
                          self._surviving(i, defeats[0].scenarios.worst))

    def _defeat_tail(self, d: int, k: int) -> tuple[Cause, Cause, list[str]]:
        """Why service d is down in scenario k, why the end of its chain is, and where that end runs: what every
        service whose DR d defeats there shares (thousands of them in a large estate, a few (d, k) pairs)."""
        found = self._tails.get((d, k))
        if found is None:
            below = self._cause(d, 1 << k, self._memos.setdefault(k, {}))
            end = below.chain[-1] if below.chain else self.service_names[d]
            root = below if below.kind == "cycle" else self.cause(end, k)
            found = self._tails[d, k] = (below, root, self.services[self.index[end]].sites)
        return found

    def _any_dependency_down(self, i: int) -> int:
        value = _groups_down(self.down, [g for g in self.groups[i] if i not in g])
        for d in self.deps[i]:
            if d != i:
                value |= self.down[d]
        return value

    def blocked_failover(self, service: str) -> "BlockedFailover | None":
        """Whether, in some scenario that loses sites, the primaries of `service` are lost and a standby
        survives but cannot be brought into service because some of its recovery needs are down: the
        tooling down in the worst such scenario, and every scenario in which it happens."""
        i = self.index[service]
        scenarios = (self.down[i] & self.primary_lost[i] & ~self.standby_lost[i] & self.needs_down(i)
                     & self._site_scenarios)
        if not scenarios:
            return None
        told = self._scenarios(scenarios)
        tooling = self._needs_down_names(i, told.index)
        standbys = [p.site for p in self._surviving(i, told.worst) if p.role == "standby"]
        return BlockedFailover(tooling, told, list(dict.fromkeys(standbys)))

    def _surviving(self, i: int, failure: Failure) -> list[Placement]:
        return [p for p in self.services[i].placements if p.site not in failure.sites]

    def _needs_down_names(self, i: int, k: int) -> tuple[str, ...]:
        """The names of `needs_down_in(i, k)`: made once for all the services that share the list."""
        key = (self._needs_key(i), k)
        named = self._needs_down_named.get(key)
        if named is None:
            named = self._needs_down_named[key] = tuple(self.service_names[d] for d in self.needs_down_in(i, k))
        return named

    @cached_property
    def _site_scenarios(self) -> int:
        """The scenarios that lose sites and no service by its own outage: the physical and infrastructure
        failures that the rules about placements judge."""
        return sum(1 << k for k, failure in enumerate(self.scenarios) if not failure.services)

    def _scenarios(self, bits: int) -> "Scenarios":
        found = self._described.get(bits)
        if found is None:  # many services fail in the same scenarios: describe each set once
            worst = self._worst(bits)
            names = tuple(map(self._scenario_names.__getitem__, islice(scenarios_in(bits), SCENARIOS_LISTED)))
            found = self._described[bits] = Scenarios(self.scenarios[worst], round(self._impacts[worst], 4), names,
                                                      bits.bit_count(), worst)
        return found

    def _worst(self, bits: int) -> int:
        """The worst scenario (in `ranked` order) among those whose bits are set (not 0)."""
        if bits.bit_count() <= 32:
            return min(scenarios_in(bits), key=self._rank.__getitem__)
        # among many, one of the first few in rank order is set: scan from the worst
        return next(k for k in self._ranked if bits >> k & 1)

    @cached_property
    def _scenario_names(self) -> list[str]:
        """Each scenario named by its first lost domain, as findings name it."""
        return [str(failure.domains[0]) for failure in self.scenarios]

    @cached_property
    def _ranked(self) -> list[int]:
        return self.ranked(self._impacts)

    @cached_property
    def _rank(self) -> list[int]:
        rank = [0] * len(self.scenarios)
        for position, k in enumerate(self._ranked):
            rank[k] = position
        return rank

    # -- queries ---------------------------------------------------------------------------
    def down_in(self, k: int) -> list[str]:
        bit = 1 << k
        return [self.service_names[i] for i in sorted(i for value, members in self._sharing_down.items()
                                                     if value & bit for i in members)]

    def data_lost_in(self, k: int) -> list[str]:
        bit = 1 << k
        return [self.service_names[i] for i in self._losable if self.data_lost[i] & bit]

    @cached_property
    def _sharing_down(self) -> dict[int, list[int]]:
        """Services grouped by the scenarios they are down in: far fewer groups than services to test."""
        groups: dict[int, list[int]] = {}
        for i, value in enumerate(self.down):
            if value:
                groups.setdefault(value, []).append(i)
        return groups

    def down_by_scenario(self, numbering: dict[str, int] | None = None) -> list[int]:
        """For each scenario, the services down in it as one bitset: bit i for `services[i]`, or with
        `numbering`, bit numbering[name] for the service `name` (services it lacks are left out)."""
        return self._by_scenario(self.down, numbering)

    def data_lost_by_scenario(self, numbering: dict[str, int] | None = None) -> list[int]:
        """For each scenario, the services whose data is lost in it, as `down_by_scenario` gives them."""
        return self._by_scenario(self.data_lost, numbering)

    def _by_scenario(self, values: list[int], numbering: dict[str, int] | None) -> list[int]:
        rows = [0] * (len(self.services) if numbering is None else len(numbering))
        for i, value in enumerate(values):
            at = i if numbering is None else numbering.get(self.service_names[i])
            if value and at is not None:
                rows[at] = value
        return _transposed(rows, len(self.scenarios))

    def effects(self) -> list[tuple[int, int]]:
        """For each scenario, a key that two scenarios of this simulation share exactly when the same services
        are down in them and the same data is lost.  (Services that share their down and lost scenarios share
        a row: a few hundred rows to transpose where a large estate has tens of thousands of services.)"""
        width = len(self.scenarios)
        return list(zip(_transposed(list(set(self.down)), width), _transposed(list(set(self.data_lost)), width)))

    def names(self, services: int) -> list[str]:
        """The names of the services in a bitset of `down_by_scenario`, in inventory order."""
        digits = bin(services)[:1:-1]  # digit i: services[i]
        found = []
        i = digits.find("1")
        while i >= 0:
            found.append(self.service_names[i])
            i = digits.find("1", i + 1)
        return found

    @cached_property
    def _losable(self) -> list[int]:
        return [i for i, value in enumerate(self.data_lost) if value]

    def ranked(self, impacts: list[float]) -> list[int]:
        """Every scenario, worst first (see `rank`)."""
        return rank(self.scenarios, impacts)

    def impacts(self) -> list[float]:
        """Tier-weighted share of services down in each scenario (0..1)."""
        return list(self._impacts)

    @cached_property
    def _impacts(self) -> list[float]:
        total = sum(s.weight for s in self.services) or 1
        weights: dict[int, int] = {}  # a set of scenarios -> the weight of the services down in exactly those
        for service, down in zip(self.services, self.down):
            if down:
                weights[down] = weights.get(down, 0) + service.weight
        return [w / total for w in _bit_counts(weights, len(self.scenarios))]

    @cached_property
    def down_counts(self) -> list[int]:
        """How many services are down in each scenario."""
        return _bit_counts(Counter(d for d in self.down if d), len(self.scenarios))

    def heaviest_down(self, k: int, limit: int) -> list[str]:
        """Up to `limit` of the services down in scenario k: heaviest tier weight first, then inventory order."""
        bit = 1 << k
        return [self.service_names[i] for i in islice((i for i in self._by_weight if self.down[i] & bit), limit)]

    @cached_property
    def _by_weight(self) -> list[int]:
        return sorted(range(len(self.services)), key=lambda i: -self.services[i].weight)

    def needs_down(self, i: int) -> int:
        """Scenarios in which some service in the recovery needs of service i is down."""
        listed = self.needs[i]
        if listed is None:
            ops_any, ops_others = self._ops_down
            return ops_others[i] if i in ops_others else ops_any[self.tiers[i]]
        value = 0
        for d in listed:
            value |= self.down[d]
        return value

    @cached_property
    def _ops_down(self) -> tuple[int, dict[int, int]]:
        return _ops_summary(self.ops, self.tiers, self.down)

    def needs_of(self, i: int) -> list[int]:
        listed = self.needs[i]
        if listed is not None:
            return listed
        key = self._needs_key(i)
        found = self._default_needs.get(key)
        if found is None:  # shared by every service of a tier: `needs_down_in` answers each list once
            tier = self.tiers[i]
            found = self._default_needs[key] = sorted(o for o in self.ops if o != i and self.tiers[o] <= tier)
        return found

    def _needs_key(self, i: int) -> int | tuple[int, int]:
        """What names service i's recovery needs: i for a list of its own; for the default list, its tier
        (and the ops service itself, which is left out of it)."""
        if self.needs[i] is not None:
            return i
        return self.tiers[i], i if self.services[i].kind == "ops" else -1

    def needs_down_in(self, i: int, k: int) -> list[int]:
        """The services in the recovery needs of service i that are down in scenario k."""
        key = (self._needs_key(i), k)  # most services share the default list: answer it once per scenario
        found = self._needs_down.get(key)
        if found is None:
            bit = 1 << k
            found = self._needs_down[key] = [d for d in self.needs_of(i) if self.down[d] & bit]
        return found

    def cause(self, service: str, k: int) -> Cause | None:
        """Why `service` is down in scenario k (None when it is up)."""
        i = self.index[service]
        return self._cause(i, 1 << k, self._memos.setdefault(k, {})) if self.down[i] >> k & 1 else None

    def causes_in(self, k: int, names: Iterable[str] | None = None) -> dict[str, Cause]:
        """Why each service that is down in scenario k is down; or only each of `names` (services down in k)."""
        bit, memo = 1 << k, self._memos.setdefault(k, {})
        if names is not None:
            return {name: self._cause(self.index[name], bit, memo) for name in names}
        return {s.name: self._cause(i, bit, memo) for i, s in enumerate(self.services) if self.down[i] & bit}

    def _cause(self, i: int, bit: int, memo: dict[int, Cause]) -> Cause:
        found = memo.get(i)
        if found is not None:
            return found
        if not (self.out[i] | self.all_lost[i]) & bit:
            # Most often the first down dependency is already explained: one more link on its chain.
            down = self.down
            for d in self.deps[i]:
                if down[d] & bit and d != i:
                    if d in memo:
                        found = memo[i] = self._linked(i, d, memo)
                        return found
                    break
        # Iterative: follow the first down hard dependency until a service whose own placements are
        # lost, one already explained, or one whose down dependencies are all on the chain already:
        # a cycle whose members cannot come back before each other.  Then unwind.
        path = []
        on_path = set()
        via: dict[int, tuple[int, ...]] = {}  # a service on the path -> the any_of group its next hop is one of
        current = i
        cycle: list[int] = []
        while current not in memo:
            if self.out[current] & bit:
                memo[current] = Cause("outage")
                break
            if self.all_lost[current] & bit:
                memo[current] = Cause("placements")
                break
            on_path.add(current)
            nxt = back = None
            for d in self.deps[current]:
                if self.down[d] & bit:
                    if d not in on_path:
                        nxt = d
                        break
                    if back is None:
                        back = d
            if nxt is None:
                for group in self.groups[current]:
                    if all(self.down[m] & bit for m in group):
                        nxt = next((m for m in group if m not in on_path), None)
                        if nxt is not None:
                            via[current] = group
                            break
                        if back is None:
                            back = group[0]
            if nxt is None and back is not None:
                cycle = (path[path.index(back):] if back != current else []) + [current]
                break
            if nxt is None:
                missing = tuple(self.service_names[d] for d in self.needs_down_in(current, bit.bit_length() - 1))
                memo[current] = Cause("recovery", missing=missing)
                break
            path.append(current)
            current = nxt
        if cycle:
            names = [self.service_names[c] for c in cycle]
            for j, member in enumerate(cycle):  # each member's story starts from itself
                memo[member] = Cause("cycle", chain=_shortened(tuple(names[j:] + names[:j] + names[j:j + 1])))
            path = path[: len(path) - len(cycle) + 1]
            current = cycle[0]
        for node in reversed(path):
            memo[node] = self._linked(node, current, memo, via.get(node, ()))
            current = node
        return memo[i]

    def _linked(self, node: int, below: int, memo: dict[int, Cause], group: tuple[int, ...] = ()) -> Cause:
        """Why `node` is down when its chain goes on through `below` (one of `group`, an any_of dependency whose
        every service is down), already explained in `memo`."""
        cause = memo[below]
        tail = cause.chain if cause.chain else (self.service_names[below],)
        groups = cause.any_of if cause.kind == "dependency" else ()
        if group:
            groups = (tuple(self.service_names[m] for m in group),) + groups
        return _new_tuple(Cause, ("dependency", _shortened((self.service_names[node],) + tail), (), groups))


def _transposed(rows: list[int], width: int) -> list[int]:
    """The bit matrix `rows` x `width` columns, by column: bit r of column k is bit k of rows[r]."""
    # as one string of binary digits, row after row: column k is a slice with a step, and every step is linear
    # and in C
    if not width:
        return []
    if not rows:
        return [0] * width
    zero = "0" * width
    matrix = "".join(format(value, f"0{width}b")[::-1] if value else zero for value in rows)  # digit k: column k
    return [int(matrix[k::width][::-1], 2) for k in range(width)]


def merged_by_effect(groups: list[DomainGroup], simulation: Simulation) -> list[tuple[DomainGroup, int]]:
    """The single failures as one scenario per effect: the groups (each simulated as scenario k of
    `simulation`) that take the same services down and lose the same data, as one group of all their domains,
    named after the first in naming order (building, site, campus, hazard, area, ...), with that one's
    scenario; in the order of the domains they are named after."""
    by_effect: dict[tuple[int, int], list[int]] = {}
    for k, effect in enumerate(simulation.effects()):
        by_effect.setdefault(effect, []).append(k)
    merged = []
    for same in by_effect.values():
        first = min(same, key=lambda k: naming_order(groups[k].domain))
        if len(same) == 1:
            merged.append((groups[first], first))
        else:
            domains = tuple(sorted((d for k in same for d in groups[k].domains), key=naming_order))
            merged.append((DomainGroup(domains, groups[first].failure), first))
    return sorted(merged, key=lambda found: kind_order(found[0].domain))


def _groups_down(down: list[int], groups: list[tuple[int, ...]]) -> int:
    """The scenarios in which every service of some `any_of` group is down."""
    value = 0
    for group in groups:
        every = -1
        for m in group:
            every &= down[m]
        value |= every
    return value


_new_tuple = tuple.__new__  # a Cause without the named tuple's Python-level __new__: a report explains 100,000


def _shortened(chain: tuple[str, ...]) -> tuple[str, ...]:
    """Keep the first hops and the root cause of a long chain readable."""
    return chain[: MAX_CHAIN - 2] + ("…", chain[-1]) if len(chain) > MAX_CHAIN else chain


def scenarios_in(bits: int) -> Iterator[int]:
    """The scenarios whose bit is set, in increasing order."""
    digits = bin(bits)[:1:-1]  # digit k: scenario k (one string, searched in C, not an int op per bit)
    k = digits.find("1")
    while k >= 0:
        yield k
        k = digits.find("1", k + 1)


def _ops_summary(ops: list[int], tiers: list[int], down: list[int]) -> tuple[list[int], dict[int, int]]:
    """For each tier t, bits where some ops service of tier <= t is down; and for each ops service, bits where
    another ops service of its tier or a more critical one is down.  `ops` is sorted by tier, so each of these
    is a prefix of it, minus the service itself (prefix ORs, and suffix ORs within a tier)."""
    any_by_tier = [0] * 4
    before = [0] * len(ops)
    seen = 0
    for j, o in enumerate(ops):
        before[j] = seen
        seen |= down[o]
        any_by_tier[tiers[o]] = seen
    for t in range(1, 4):  # a tier without ops services sees those of the tiers above it
        any_by_tier[t] |= any_by_tier[t - 1]
    others: dict[int, int] = {}
    after = 0
    for j in range(len(ops) - 1, -1, -1):
        if j + 1 < len(ops) and tiers[ops[j + 1]] != tiers[ops[j]]:
            after = 0  # the rest of the list is less critical than this one
        others[ops[j]] = before[j] | after
        after |= down[ops[j]]
    return any_by_tier, others


_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")


def _bit_counts(weights: dict[int, int], width: int) -> list[int]:
    """For each bit position below `width`, the total weight of the sets (bitsets, keys of `weights`) that have
    it.  Each set's bits are spread one per lane of a big integer (its binary digits, as bytes 0 and 1, written
    into the low byte of 4- or 8-byte lanes), so that one multiplication and one addition count every position:
    linear in the width, where the services of a large estate share a few hundred distinct sets."""
    lane = 4 if sum(weights.values()) < 1 << 32 else 8  # no sum overflows its lane
    spread = bytearray(lane * width)
    total = 0
    for bits, weight in weights.items():
        spread[lane - 1::lane] = format(bits, f"0{width}b").encode().translate(_ZERO_ONE)
        total += weight * int.from_bytes(spread, "big")
    return list(struct.unpack(f"<{width}{'I' if lane == 4 else 'Q'}", total.to_bytes(lane * width, "little")))


def _components(n: int, edges, extra: Iterable[int] = ()) -> list[list[int]]:
    """Strongly connected components, each after every component it has edges to (iterative Tarjan)."""
    nodes = list(range(n)) + list(extra)
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in order:
            continue
        work = [(root, iter(edges(root)))]
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in order:
                    order[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(edges(succ))))
                    advanced = True
                    break
                if succ in on_stack and order[succ] < low[node]:
                    low[node] = order[succ]
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result
