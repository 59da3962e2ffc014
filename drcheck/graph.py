"""The inventory as a networkx graph: services, sites and the edges between them."""
from __future__ import annotations

import networkx as nx

from .model import Inventory


def service_node(name: str) -> tuple[str, str]:
    return ("service", name)


def site_node(name: str) -> tuple[str, str]:
    return ("site", name)


def build_graph(inventory: Inventory) -> nx.MultiDiGraph:
    """Nodes are ("service", name) and ("site", name); edges say how a service relates:
    `depends` (with `hard`), `runs` (with `role`), `backup` and `recovery`."""
    graph = nx.MultiDiGraph(name=inventory.name)
    for site in inventory.sites.values():
        graph.add_node(site_node(site.name), kind="site", site=site)
    for service in inventory.services.values():
        graph.add_node(service_node(service.name), kind="service", service=service)
    for service in inventory.services.values():
        me = service_node(service.name)
        for placement in service.placements:
            graph.add_edge(me, site_node(placement.site), key="runs", role=placement.role)
        for dependency in service.depends_on:
            graph.add_edge(me, service_node(dependency.service), key="depends", hard=dependency.hard)
        for backup in service.backups:
            graph.add_edge(me, site_node(backup.site), key="backup")
        for needed in inventory.recovery_needs(service) if service.recovery_needs is not None else ():
            graph.add_edge(me, service_node(needed), key="recovery")
    return graph


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
