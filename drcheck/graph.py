"""The inventory as networkx graphs: the whole estate for rule authors, and the hard dependencies for cycles."""
from __future__ import annotations

from typing import NamedTuple

import networkx as nx

from .model import Inventory


def inventory_graph(inventory: Inventory) -> nx.DiGraph:
    """Every service and site, and how they relate, as one directed graph: what rule authors query and what
    `drcheck graph` and the HTML report draw.

    Nodes are named like finding subjects, "service:NAME" and "site:NAME", in
    inventory order, with `kind` ("service" or "site") and the model object
    (`service` or `site`: its tier, kind, campus, building...).  An edge from
    a service carries what links it to the other end: `depends` ("hard" or
    "soft") and `recovery` (needed to fail it over: "declared" in its
    recovery_needs, or "default": absent, every ops service as critical as
    the service or more, tier <=, and none when its failover is automatic)
    towards services; `placement` (its role there) and `backups` (how many)
    towards sites.  The graph's `name` is the inventory's."""
    graph = nx.DiGraph(name=inventory.name)
    graph.add_nodes_from((f"site:{site.name}", {"kind": "site", "site": site}) for site in inventory.sites.values())
    graph.add_nodes_from((f"service:{s.name}", {"kind": "service", "service": s}) for s in inventory.services.values())
    # the default recovery needs, per tier (the service itself aside): a tier-3 wiki does not stand between a
    # tier-1 database and its standby
    ops = [s for s in inventory.services.values() if s.kind == "ops"]
    default_needs = {tier: [s.name for s in ops if s.tier <= tier] for tier in {s.tier for s in inventory.services.values()}}
    for service in inventory.services.values():
        me = f"service:{service.name}"
        for placement in service.placements:
            graph.add_edge(me, f"site:{placement.site}", placement=placement.role)
        for dependency in service.depends_on:
            graph.add_edge(me, f"service:{dependency.service}", depends="hard" if dependency.hard else "soft")
        for backup in service.backups:
            there = f"site:{backup.site}"
            graph.add_edge(me, there, backups=graph.get_edge_data(me, there, {}).get("backups", 0) + 1)
        if service.recovery_needs is not None:
            graph.add_edges_from(((me, f"service:{n}") for n in service.recovery_needs), recovery="declared")
        elif not service.automatic:
            graph.add_edges_from(((me, f"service:{n}") for n in default_needs[service.tier] if n != service.name),
                                 recovery="default")
    return graph


class DependencyCycle(NamedTuple):
    """Services that all reach each other through hard dependencies, and one shortest cycle through the first."""

    members: list[str]  # sorted
    path: list[str]  # members[0] -> ... -> members[0]


def dependency_cycles(inventory: Inventory) -> list[DependencyCycle]:
    """Every cycle of hard dependencies (strongly connected components, and services that need themselves),
    ordered by their members."""
    graph = hard_dependency_graph(inventory)
    found = []
    for component in nx.strongly_connected_components(graph):
        first = min(component)
        if len(component) > 1 or graph.has_edge(first, first):
            found.append(DependencyCycle(sorted(component), _cycle_through(graph.subgraph(component), first)))
    return sorted(found)


def _cycle_through(component: nx.DiGraph, start: str) -> list[str]:
    """A shortest cycle through `start`, as a path that ends where it starts."""
    paths = nx.single_source_shortest_path(component, start)
    back = min((p for p in component.predecessors(start) if p in paths), key=lambda p: (len(paths[p]), p))
    return paths[back] + [start]


def hard_dependency_graph(inventory: Inventory) -> nx.DiGraph:
    """Services with an edge to each hard dependency, less those that cannot lie on a cycle.

    A service with no hard dependency left, or that nothing left depends on,
    is on no cycle; peeling them off repeatedly keeps every cycle and usually
    leaves a small graph, which is cheaper to build than the whole estate."""
    needs = {s.name: {d.service for d in s.depends_on if d.hard} for s in inventory.services.values()}
    needed_by: dict[str, set[str]] = {name: set() for name in needs}
    for name, targets in needs.items():
        for target in targets:
            needed_by[target].add(name)
    peel = [name for name in needs if not needs[name] or not needed_by[name]]
    alive = set(needs)
    while peel:
        name = peel.pop()
        if name not in alive:
            continue
        alive.discard(name)
        for target in needs[name]:
            needed_by[target].discard(name)
            if target in alive and not needed_by[target]:
                peel.append(target)
        for source in needed_by[name]:
            needs[source].discard(name)
            if source in alive and not needs[source]:
                peel.append(source)
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(alive))
    graph.add_edges_from((name, target) for name in sorted(alive) for target in sorted(needs[name]) if target in alive)
    return graph
