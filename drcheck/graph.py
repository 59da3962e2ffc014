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
    """Services only, with an edge to each hard dependency."""
    graph = nx.DiGraph()
    graph.add_nodes_from(inventory.services)
    graph.add_edges_from((s.name, d.service) for s in inventory.services.values() for d in s.depends_on if d.hard)
    return graph
