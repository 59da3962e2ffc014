"""`drcheck simulate`: chosen, single (N-1) and paired (N-2) failure scenarios, ranked.

Pairs are ranked by what the combination adds (`excess`: the pair's impact
less the larger of its two members' alone), so that the worst single
failure paired with anything does not fill the list; `--rank impact` ranks
them by impact instead."""
from __future__ import annotations

from itertools import combinations
from typing import Iterable

from ..audit.run import scenario
from ..errors import InputError
from ..failures.domains import AREA_RADIUS_KM, REDUNDANT, Domain, DomainIndex, Failure, kind_order
from ..inventory.model import Inventory
from ..audit.report import Scenario
from ..failures.causes import Explanations
from ..failures.questions import FailureQuestions
from ..failures.simulate import Simulation, rank


MAX_PAIRS = 200_000
# pairs simulated at once: 8,192 of them over 20,000 services hold about 75 MB of bitsets
SCENARIOS_PER_SIMULATION = 8192


RANKINGS = ("excess", "impact")


def scenarios_for(inventory: Inventory, fails: list[str], depth: int, top: int,
                  area_radius_km: float = AREA_RADIUS_KM, rank_by: str = "excess", why: int = 0) -> list[Scenario]:
    """The scenarios asked for, each with why the first `why` services down in it are down."""
    failures = FailureQuestions(inventory, area_radius_km)
    index = failures.domains
    if fails:
        failure = index.failure(index.parse(fails))
        simulation = Simulation(inventory, [failure])
        return [scenario(Explanations(simulation), 0, list(failure.domains), [], simulation.impacts()[0], why=why)]
    if depth == 1:
        ranked = failures.ranked_single_failures
        return [scenario(failures.explanations, k, [group.domain], list(group.domains[1:]), failures.impacts[k],
                         why=why)
                for group, k in (ranked[:top] if top else ranked)]
    alone, combos, pairs = _pairs(index)
    # The members alone first, then the pairs, in batches: each service's bitsets are as wide as the scenarios
    # simulated together, and tens of thousands of pairs held at once took 1.6 times the memory of PyYAML
    # loading the inventory.  Every scenario is simulated on a bit of its own, so a batch's impacts are what
    # they would be among all of them.
    failures = list(alone.values()) + pairs
    impacts: list[float] = []
    for start in range(0, max(len(failures), 1), SCENARIOS_PER_SIMULATION):
        simulation = Simulation(inventory, failures[start:start + SCENARIOS_PER_SIMULATION])
        impacts += simulation.impacts()
    single = dict(zip(alone, impacts))
    impacts = impacts[len(alone):]
    excess = [impacts[k] - max(single[a], single[b]) for k, (a, b) in enumerate(combos)]
    ranked = rank(pairs, impacts)
    if rank_by == "excess":  # stable: ties keep the order of impact
        ranked.sort(key=lambda k: -round(excess[k], 12))
    if top:
        ranked = ranked[:top]
    at: Iterable[int] = [len(alone) + k for k in ranked]
    if len(failures) > SCENARIOS_PER_SIMULATION:  # the last batch holds only some: the chosen ones again
        simulation = Simulation(inventory, [pairs[k] for k in ranked])
        at = range(len(ranked))
    explanations = Explanations(simulation)
    return [scenario(explanations, n, list(combos[k]), [], impacts[k], excess[k], why) for n, k in zip(at, ranked)]


def _pairs(index: DomainIndex) -> tuple[dict[Domain, Failure], list[tuple[Domain, Domain]], list[Failure]]:
    """The failures paired, each alone, and every pair of them that takes more sites or services than either
    does alone.  A domain group stands for its
    domains, except the feeds and carriers that are one of several of some site: paired with another feed
    they can lose that site, so each is tried on its own."""
    feeds = set(index.redundant_feeds())
    # an outage of the sites that a fire or flood also takes (power=ups-b3 beside building=b3) pairs no worse
    destroyed = {group.sites for group in index.groups if group.domain.destroys}
    candidates = []
    for group in index.groups:
        dominated = not group.domain.destroys and group.domain.kind != "service" and group.sites in destroyed
        candidates += [d for d in group.domains if d not in feeds and not dominated][:1]
        candidates += [d for d in group.domains if d in feeds]
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
    return alone, combos, failures
