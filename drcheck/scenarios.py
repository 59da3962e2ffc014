"""`drcheck simulate`: chosen, single (N-1) and paired (N-2) failure scenarios, ranked."""
from __future__ import annotations

from itertools import combinations
from typing import Iterable

from .audit import scenario
from .errors import InputError
from .domains import REDUNDANT, Domain, DomainIndex, Failure, kind_order
from .model import Inventory
from .report import Scenario
from .simulate import Simulation, rank


MAX_PAIRS = 200_000
# pairs simulated at once: 8,192 of them over 20,000 services hold about 75 MB of bitsets
SCENARIOS_PER_SIMULATION = 8192


def scenarios_for(inventory: Inventory, fails: list[str], depth: int, top: int) -> list[Scenario]:
    index = DomainIndex(inventory)
    if fails:
        failure = index.failure(index.parse(fails))
        simulation = Simulation(inventory, [failure])
        return [scenario(simulation, 0, list(failure.domains), [], simulation.impacts()[0])]
    groups = index.groups
    if depth == 1:
        combos = [(g.domain,) for g in groups]
        same_as = [list(g.domains[1:]) for g in groups]
        failures = [g.failure for g in groups]
    else:
        combos, failures = _pairs(index)
        same_as = [[] for _ in combos]
    # In batches: each service's bitsets are as wide as the scenarios simulated together, and tens of thousands
    # of pairs held at once took 1.6 times the memory of PyYAML loading the inventory.  Every scenario is
    # simulated on a bit of its own, so a batch's impacts are what they would be among all of them.
    impacts: list[float] = []
    for start in range(0, max(len(failures), 1), SCENARIOS_PER_SIMULATION):
        simulation = Simulation(inventory, failures[start:start + SCENARIOS_PER_SIMULATION])
        impacts += simulation.impacts()
    ranked = rank(failures, impacts)
    if top:
        ranked = ranked[:top]
    at: Iterable[int] = ranked
    if len(failures) > SCENARIOS_PER_SIMULATION:  # the last batch holds only some: the chosen ones again
        simulation = Simulation(inventory, [failures[k] for k in ranked])
        at = range(len(ranked))
    return [scenario(simulation, n, list(combos[k]), same_as[k], impacts[k]) for n, k in zip(at, ranked)]


def _pairs(index: DomainIndex) -> tuple[list[tuple[Domain, Domain]], list[Failure]]:
    """Every pair of single failures that takes more sites or services than either does alone.  A domain group stands for its
    domains, except the feeds and carriers that are one of several of some site: paired with another feed
    they can lose that site, so each is tried on its own."""
    feeds = set(index.redundant_feeds())
    candidates = []
    for group in index.groups:
        candidates += [d for d in group.domains if d not in feeds][:1] + [d for d in group.domains if d in feeds]
    candidates += sorted(feeds - set(candidates))  # backed up on every site they feed: nothing alone
    pairs = len(candidates) * (len(candidates) - 1) // 2
    if pairs > MAX_PAIRS:
        raise InputError(f"--depth 2: the {len(candidates)} failure domains that hold a placement or a backup make "
                         f"{pairs:,} pairs, more than the {MAX_PAIRS:,} this search tries (a few seconds, a few hundred "
                         "MB); ask about chosen losses with --fail DOMAIN=VALUE (repeat it to combine them), or "
                         "simulate a part of the estate")
    alone = {d: index.failure([d]) for d in candidates}
    order = {d: kind_order(d) for d in candidates}
    combos, failures = [], []
    for first, second in combinations(candidates, 2):
        pair = (first, second) if order[first] <= order[second] else (second, first)
        a, b = alone[first], alone[second]
        if first.kind in REDUNDANT and second.kind == first.kind:  # two feeds may take a site neither takes alone
            failure = index.failure(pair)
            if any((failure.sites, failure.services) == (alone[d].sites, alone[d].services) for d in pair):
                continue  # one of the two already takes all of it
        elif b.sites <= a.sites and b.services <= a.services or a.sites <= b.sites and a.services <= b.services:
            continue  # the same, for any other two: together they take what each takes alone
        else:
            failure = Failure(pair, a.sites | b.sites, a.destroyed | b.destroyed, a.services | b.services)
        combos.append(pair)
        failures.append(failure)
    return combos, failures
