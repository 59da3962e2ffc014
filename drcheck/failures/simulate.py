"""The failure simulation's engine (docs/failure-simulation.md): what is down in many scenarios at once.

Every per-service quantity is an integer used as a bitset over scenarios: bit k
is set when the service is down (or its primaries lost, ...) in scenario k.
Step 1 (what keeps running) is a least fixpoint of "down" along hard
dependencies; step 2 (recovery) a greatest fixpoint that can only clear bits.
Both are solved once along the strongly connected components of the
dependency graph in dependency order, iterating only inside a component, so
evaluating every single-domain loss costs about O((S + E) * D / 64) word
operations instead of one graph traversal per domain.

The engine answers in bitsets and service numbers; `drcheck.failures.questions` asks it what rules and
reports want to know, in the domain's words, and `drcheck.failures.causes` tells why a service is down.
"""
from __future__ import annotations

from collections import Counter
from functools import cached_property
from itertools import islice
from typing import Iterator

from .components import strongly_connected
from .domains import Failure
from ..inventory.model import AnyOf, Dependency, Inventory, Service

_OPS = -1  # the virtual node standing for the ops services in default recovery needs


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
        self._default_needs: dict[tuple[int, int], list[int]] = {}  # (tier, ops service or -1) -> default needs
        self._needs_down: dict[tuple[int | tuple[int, int], int], list[int]] = {}  # (needs key, scenario) -> those down

    # -- step 1: down = least fixpoint of primary_lost | OR(down of hard deps) | OR(AND(down of an any_of group))
    def _step_one(self, primary: list[int], floating: list[bool]) -> list[int]:
        n = len(self.services)
        down = [0] * n
        # a floating service stays up whatever it calls, so nothing reaches its callers through it
        deps = [[] if floating[i] else d for i, d in enumerate(self.deps)]
        groups = [[] if floating[i] else g for i, g in enumerate(self.groups)]
        # kept: the order in which a failure of one service travels along plain hard dependencies
        # (`FailureQuestions.subject_impacts` reuses it); a group's service alone takes nothing down
        self.hard_components = strongly_connected(range(n), lambda i: deps[i])
        components = self.hard_components
        if any(groups):
            components = strongly_connected(range(n), lambda i: deps[i] + [m for g in groups[i] for m in g])
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
                            value = primary[i] | groups_down(down, groups[i])
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
                    value |= groups_down(down, groups[i])
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

        for component in strongly_connected([*range(len(self.services)), _OPS], edges):
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
                    dep_down = groups_down(down, groups[i]) if groups[i] else 0
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
        return list(zip(self._down_columns, _transposed(list(set(self.data_lost)), len(self.scenarios))))

    @cached_property
    def _down_rows(self) -> list[int]:
        """The different sets of scenarios (bitsets) that services are down in."""
        return list(set(self.down))

    @cached_property
    def _down_columns(self) -> list[int]:
        """For each scenario, which of `_down_rows` are down in it (bit r: `_down_rows[r]`): the one transposition
        that the effects, the impacts and the counts of the scenarios read."""
        return _transposed(self._down_rows, len(self.scenarios))

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
        weights = dict.fromkeys(self._down_rows, 0)  # a set of scenarios -> the weight of the services down in those
        for service, down in zip(self.services, self.down):
            weights[down] += service.weight
        return [w / total for w in _column_sums(self._down_columns, list(weights.values()))]

    @cached_property
    def down_counts(self) -> list[int]:
        """How many services are down in each scenario."""
        counts = Counter(self.down)
        return _column_sums(self._down_columns, [counts[row] for row in self._down_rows])

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
        key = self.needs_key(i)
        found = self._default_needs.get(key)
        if found is None:  # shared by every service of a tier: `needs_down_in` answers each list once
            tier = self.tiers[i]
            found = self._default_needs[key] = sorted(o for o in self.ops if o != i and self.tiers[o] <= tier)
        return found

    def needs_key(self, i: int) -> int | tuple[int, int]:
        """What names service i's recovery needs: i for a list of its own; for the default list, its tier
        (and the ops service itself, which is left out of it)."""
        if self.needs[i] is not None:
            return i
        return self.tiers[i], i if self.services[i].kind == "ops" else -1

    def needs_down_in(self, i: int, k: int) -> list[int]:
        """The services in the recovery needs of service i that are down in scenario k."""
        key = (self.needs_key(i), k)  # most services share the default list: answer it once per scenario
        found = self._needs_down.get(key)
        if found is None:
            bit = 1 << k
            found = self._needs_down[key] = [d for d in self.needs_of(i) if self.down[d] & bit]
        return found


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


def groups_down(down: list[int], groups: list[tuple[int, ...]]) -> int:
    """The scenarios in which every service of some `any_of` group is down."""
    value = 0
    for group in groups:
        every = -1
        for m in group:
            every &= down[m]
        value |= every
    return value


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


def _column_sums(columns: list[int], values: list[int]) -> list[int]:
    """For each column (a bitset over rows), the sum of `values[r]` over the rows r it holds: by the values'
    binary digits, one AND and one count per digit and column, where a large estate has thousands of rows."""
    sums = [0] * len(columns)
    for digit in range(max(values, default=0).bit_length()):
        rows = int("".join("1" if value >> digit & 1 else "0" for value in reversed(values)) or "0", 2)
        if rows:
            for k, column in enumerate(columns):
                sums[k] += (column & rows).bit_count() << digit
    return sums
