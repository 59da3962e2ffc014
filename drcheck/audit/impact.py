"""How much of the estate each subject of a finding takes down with it: what orders findings by importance."""
from __future__ import annotations

from ..rule_api.context import Context
from ..failures.domains import Failure
from ..failures.simulate import Simulation

SAMPLE = 4096  # services; up to this many, every share is exact


def subject_impacts(ctx: Context) -> dict[str, float]:
    """Subject id -> tier-weighted share of the services (0..1) that go down with it: for a service, itself
    and everything that needs it through hard dependencies; for a site or a failure domain, what its loss
    takes down in the simulation."""
    impacts = ctx.impacts
    out: dict[str, float] = {}
    for k, group in enumerate(ctx.domains.groups):
        for domain in group.domains:
            out[f"domain:{domain}"] = impacts[k]
            if domain.kind == "site":
                out[f"site:{domain.value}"] = impacts[k]
    out.update(_service_reach(ctx.simulation))
    return out


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
