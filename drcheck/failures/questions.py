"""What happens if something fails: the questions rules, the audit and the reports ask of the failure
simulation, answered in the domain's words (services, sites, failure domains, chains), never in bitsets.

`FailureQuestions` is the one place to ask them.  It simulates the loss of every single failure domain
(`drcheck.failures.simulate`, the engine), explains why a service is down (`drcheck.failures.causes`), and
keeps networkx for the estate's public dependency graph and its cycles (`drcheck.failures.graph`), all
worked out on first use."""
from __future__ import annotations

from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

from .causes import MAX_CHAIN, Cause, Explanations, shortened
from .domains import AREA_RADIUS_KM, DomainGroup, DomainIndex, Failure, kind_order, naming_order
from ..inventory.model import Inventory, Placement
from .simulate import Simulation, groups_down, scenarios_in

if TYPE_CHECKING:  # networkx is imported only by audits that use the graph
    import networkx as nx

    from .graph import DependencyCycle

SCENARIOS_LISTED = 10  # scenarios named in a `Scenarios`
SAMPLE = 4096  # services; up to this many, every share in `subject_impacts` is exact
_new_tuple = tuple.__new__  # a named tuple without its Python-level __new__: a large estate has 70,000 defeats


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


class SingleFailure(NamedTuple):
    """What the loss of one failure domain (with the domains that have the same effect) takes down."""

    impact: float  # the tier-weighted share of the services down (0..1)
    down: list[str]  # the services down, heaviest tier first (then in inventory order), up to the number asked
    down_count: int  # how many services are down
    data_lost: list[str]  # the data services whose data is lost for good (every one), in inventory order


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


class FailureQuestions:
    """What happens if something fails, for one inventory: every question about the loss of its failure
    domains, asked in the domain's words."""

    def __init__(self, inventory: Inventory, area_radius_km: float = AREA_RADIUS_KM):
        self.inventory = inventory
        self.area_radius_km = area_radius_km  # the reach of an area disaster (`domains.DomainIndex`)
        self._described: dict[int, Scenarios] = {}  # a set of scenarios (bits) -> as findings tell it
        self._needs_down_named: dict[tuple[int | tuple[int, int], int], tuple[str, ...]] = {}  # tooling down, named
        self._tails: dict[tuple[int, int], tuple[str, Cause, Cause, list[str], tuple[str, ...]]] = {}  # see `_defeat_tail`

    @cached_property
    def domains(self) -> DomainIndex:
        """The failure domains and which sites and services losing each one takes."""
        return DomainIndex(self.inventory, self.area_radius_km)

    @cached_property
    def simulation(self) -> Simulation:
        """The engine: the loss of every single failure domain (one scenario per domain group)."""
        return Simulation(self.inventory, [g.failure for g in self.domains.groups])

    @cached_property
    def explanations(self) -> Explanations:
        """Why services are down in each scenario of `simulation`."""
        return Explanations(self.simulation)

    @cached_property
    def impacts(self) -> list[float]:
        """For each scenario of `simulation`, the tier-weighted share of the services down in it (0..1)."""
        return self.simulation.impacts()

    @cached_property
    def _merged(self) -> list[tuple[DomainGroup, int]]:
        return merged_by_effect(self.domains.groups, self.simulation)

    @cached_property
    def single_failures(self) -> list[DomainGroup]:
        """The single failures as reports tell them: the domain groups with the same effect (the same services
        down, the same data lost) merged into one, named after the first of their domains in naming order."""
        return [group for group, _ in self._merged]

    @cached_property
    def scenario_of(self) -> dict[DomainGroup, int]:
        """The scenario of `simulation` (and entry of `impacts`) that is the loss of each domain group, and of
        each of `single_failures`."""
        return {group: k for k, group in enumerate(self.domains.groups)} | dict(self._merged)

    @cached_property
    def ranked_single_failures(self) -> list[tuple[DomainGroup, int]]:
        """`single_failures`, worst first (highest impact, then fewest sites lost), each with its scenario of
        `simulation`."""
        told = {k: group for group, k in self._merged}
        return [(told[k], k) for k in self._ranked if k in told]

    def impact_of(self, group: DomainGroup) -> float:
        """The tier-weighted share of the services (0..1) that losing `group` (one of `single_failures`, or of
        `domains.groups`) takes down."""
        return self.impacts[self.scenario_of[group]]

    def single_failure(self, group: DomainGroup, listed: int) -> SingleFailure:
        """What losing `group` takes down and which data it loses, naming up to `listed` services down."""
        k = self.scenario_of[group]
        simulation = self.simulation
        return SingleFailure(self.impacts[k], simulation.heaviest_down(k, listed), simulation.down_counts[k],
                             simulation.data_lost_in(k))

    def defeated_dr(self, service: str) -> DefeatedDr | None:
        """Whether hard dependencies of `service` take it down, in some scenario that loses sites (not a
        service outage), although one of its placements survives: every such dependency, each with its
        chain in the worst scenario where it does so, worst first.  None when none does."""
        simulation = self.simulation
        down = simulation.down
        i = simulation.index[service]
        defeated = down[i] & ~simulation.all_lost[i] & self._site_scenarios
        if not defeated:
            return None
        defeats = []
        for d in dict.fromkeys(simulation.deps[i]):
            scenarios = defeated & down[d]
            if scenarios and d != i:  # a service needing itself is a cycle's story
                defeats.append(self._defeat(service, i, d, self._scenarios(scenarios), ()))
        for group in dict.fromkeys(simulation.groups[i]):
            scenarios = defeated & groups_down(down, [group]) if i not in group else 0
            if scenarios:
                told = self._scenarios(scenarios)
                # the chain goes through the member whose own story is worst there
                d = next(m for m in group if down[m] >> told.index & 1)
                defeats.append(self._defeat(service, i, d, told, tuple(simulation.service_names[m] for m in group)))
        if not defeats:
            return None
        if len(defeats) > 1:
            defeats.sort(key=lambda found: self._rank[found.scenarios.index])
        return DefeatedDr(defeats, self._scenarios(defeated & self._any_dependency_down(i)),
                          self._surviving(i, defeats[0].scenarios.worst))

    def _defeat(self, service: str, i: int, d: int, told: Scenarios, any_of: tuple[str, ...]) -> DependencyDefeat:
        """Service i (named `service`) defeated by its dependency d, which is down in `told`'s worst scenario."""
        dependency, below, root, root_sites, tail = self._defeat_tail(d, told.index)
        if below.kind == "cycle" and service in below.chain:  # the cycle runs through the service itself
            members = below.chain[:-1]
            at = members.index(service)
            chain = members[at:] + members[:at] + (service,)
            root_sites = self.simulation.services[i].sites
        else:
            chain = (service,) + tail
            if len(chain) > MAX_CHAIN:
                chain = shortened(chain)
        return _new_tuple(DependencyDefeat, (dependency, chain, root, root_sites, told, any_of))

    def _defeat_tail(self, d: int, k: int) -> tuple[str, Cause, Cause, list[str], tuple[str, ...]]:
        """Service d's name, why it is down in scenario k, why the end of its chain is, where that end runs, and
        the chain from d on: what every service whose DR d defeats there shares (thousands of them in a large
        estate, a few (d, k) pairs)."""
        found = self._tails.get((d, k))
        if found is None:
            simulation, explanations = self.simulation, self.explanations
            dependency = simulation.service_names[d]
            below = explanations.cause(dependency, k)
            end = below.chain[-1] if below.chain else dependency
            root = below if below.kind == "cycle" else explanations.cause(end, k)
            found = self._tails[d, k] = (dependency, below, root, simulation.services[simulation.index[end]].sites,
                                         below.chain or (dependency,))
        return found

    def _any_dependency_down(self, i: int) -> int:
        simulation = self.simulation
        value = groups_down(simulation.down, [g for g in simulation.groups[i] if i not in g])
        for d in simulation.deps[i]:
            if d != i:
                value |= simulation.down[d]
        return value

    def blocked_failover(self, service: str) -> BlockedFailover | None:
        """Whether, in some scenario that loses sites, the primaries of `service` are lost and a standby
        survives but cannot be brought into service because some of its recovery needs are down: the
        tooling down in the worst such scenario, and every scenario in which it happens."""
        simulation = self.simulation
        i = simulation.index[service]
        scenarios = (simulation.down[i] & simulation.primary_lost[i] & ~simulation.standby_lost[i]
                     & simulation.needs_down(i) & self._site_scenarios)
        if not scenarios:
            return None
        told = self._scenarios(scenarios)
        tooling = self._needs_down_names(i, told.index)
        standbys = [p.site for p in self._surviving(i, told.worst) if p.role == "standby"]
        return BlockedFailover(tooling, told, list(dict.fromkeys(standbys)))

    def _surviving(self, i: int, failure: Failure) -> list[Placement]:
        return [p for p in self.simulation.services[i].placements if p.site not in failure.sites]

    def _needs_down_names(self, i: int, k: int) -> tuple[str, ...]:
        """The names of the engine's `needs_down_in(i, k)`: made once for all the services that share the list."""
        simulation = self.simulation
        key = (simulation.needs_key(i), k)
        named = self._needs_down_named.get(key)
        if named is None:
            named = self._needs_down_named[key] = tuple(simulation.service_names[d]
                                                        for d in simulation.needs_down_in(i, k))
        return named

    @cached_property
    def _site_scenarios(self) -> int:
        """The scenarios that lose sites and no service by its own outage: the physical and infrastructure
        failures that the rules about placements judge."""
        return sum(1 << k for k, failure in enumerate(self.simulation.scenarios) if not failure.services)

    def _scenarios(self, bits: int) -> Scenarios:
        found = self._described.get(bits)
        if found is None:  # many services fail in the same scenarios: describe each set once
            scenarios = self.simulation.scenarios
            worst = self._worst(bits)
            names = tuple(map(self._scenario_names.__getitem__, islice(scenarios_in(bits), SCENARIOS_LISTED)))
            found = self._described[bits] = Scenarios(scenarios[worst], round(self.impacts[worst], 4), names,
                                                      bits.bit_count(), worst)
        return found

    def _worst(self, bits: int) -> int:
        """The worst scenario (in `_ranked` order) among those whose bits are set (not 0)."""
        if bits.bit_count() <= 32:
            return min(scenarios_in(bits), key=self._rank.__getitem__)
        # among many, one of the first few in rank order is set: scan from the worst
        return next(k for k in self._ranked if bits >> k & 1)

    @cached_property
    def _scenario_names(self) -> list[str]:
        """Each scenario of `simulation` named by its first lost domain, as findings name it."""
        return [str(failure.domains[0]) for failure in self.simulation.scenarios]

    @cached_property
    def _ranked(self) -> list[int]:
        """Every scenario of `simulation`, worst first (`simulate.rank`)."""
        return self.simulation.ranked(self.impacts)

    @cached_property
    def _rank(self) -> list[int]:
        rank = [0] * len(self.simulation.scenarios)
        for position, k in enumerate(self._ranked):
            rank[k] = position
        return rank

    # -- how much each subject of a finding takes down with it: what orders findings by importance ----------
    def subject_impacts(self) -> dict[str, float]:
        """Subject id -> tier-weighted share of the services (0..1) that go down with it: for a service, itself
        and everything that needs it through hard dependencies; for a site or a failure domain, what its loss
        takes down in the simulation."""
        impacts = self.impacts
        out: dict[str, float] = {}
        for k, group in enumerate(self.domains.groups):
            for domain in group.domains:
                out[f"domain:{domain}"] = impacts[k]
                if domain.kind == "site":
                    out[f"site:{domain.value}"] = impacts[k]
        out.update(_service_reach(self.simulation))
        return out

    # -- the estate as networkx graphs -------------------------------------------------------------------
    @cached_property
    def graph(self) -> "nx.DiGraph":
        """Services and sites with their dependencies, placements, backups and declared recovery needs, as one
        networkx.DiGraph (see `drcheck.failures.graph.inventory_graph`); built on first use."""
        from .graph import inventory_graph

        return inventory_graph(self.inventory)

    def dependency_cycles(self) -> list["DependencyCycle"]:
        """Every cycle of hard dependencies: its members (sorted) and a shortest path round it from the first."""
        from .graph import dependency_cycles

        return dependency_cycles(self.inventory)


def _service_reach(simulation: Simulation) -> dict[str, float]:
    """For each service, the share of the estate that stops when it stops.  One pass over the components of
    the hard-dependency graph, dependents first: each pushes the set of services that stop with it (a bitset)
    into what it depends on.  Exact sets cost up to n² bits of work; past SAMPLE services the sets hold an even
    sample of them (every k-th in inventory order), which estimates the large shares that ordering needs
    and leaves a few-service share near 0 (ties then go to the tier).

    An `any_of` group goes down only when all of its services do, which no
    push along single edges can tell: up to SAMPLE services, an estate with
    groups is simulated, one outage per service; past it, groups are left out
    of the estimate (a service needed only through groups reaches less)."""
    services, deps, floating = simulation.services, simulation.deps, simulation.floating
    n = len(services)
    if n <= SAMPLE and any(simulation.groups):
        names = simulation.service_names
        outages = Simulation(simulation.inventory, [Failure((), frozenset(), frozenset(), frozenset([name]))
                                                    for name in names])
        return {"service:" + name: share for name, share in zip(names, outages.impacts())}
    step = -(-n // SAMPLE)
    masks: dict[int, int] = {}  # tier weight -> the sample's services of that weight
    for i in range(0, n, step):
        masks[services[i].weight] = masks.get(services[i].weight, 0) | 1 << i // step
    total = sum(weight * mask.bit_count() for weight, mask in masks.items()) or 1
    weighted = list(masks.items())
    pushed = [0] * n  # the sampled services, so far, that stop when this one stops
    reach: dict[str, float] = {}
    for component in reversed(simulation.hard_components):
        value = 0
        for i in component:
            if i % step == 0:
                value |= 1 << i // step
            value |= pushed[i]
        share = 0.0
        if value:
            for weight, mask in weighted:
                share += weight * (value & mask).bit_count()
            share /= total
        for i in component:
            reach["service:" + services[i].name] = share
            if not floating[i]:  # a service outside every site keeps running whatever it calls
                for d in deps[i]:
                    pushed[d] |= value
        for i in component:
            pushed[i] = 0  # a dependency inside the component was pushed to after it was counted
    return reach
