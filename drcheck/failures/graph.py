"""The inventory as networkx graphs: the whole estate for rule authors, and the hard dependencies for cycles."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..inventory.model import AnyOf, Inventory
from .components import strongly_connected

if TYPE_CHECKING:  # imported where a graph is built: most audits find no cycle and build none
    import networkx as nx


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
    towards services, and `any_of` (the group's services, in the order
    written) on a dependency that any one of a group satisfies;
    `placement` (its role there) and `backups` (how many) towards sites.
    The graph's `name` is the inventory's."""
    import networkx as nx

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
        for name, dependency in service.dependency_on().items():
            graph.add_edge(me, f"service:{name}", depends="hard" if dependency.hard else "soft",
                           **({"any_of": dependency.services} if isinstance(dependency, AnyOf) else {}))
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
    """Every cycle of hard dependencies that cannot be broken (strongly connected components, and services that
    need themselves), ordered by their members.  A redundant dependency (`any_of`) holds a service in a cycle
    only when every one of its services is held too: one outside lets recovery start there."""
    graph = hard_dependency_graph(inventory)
    if graph is None:
        return []
    import networkx as nx

    found = []
    for component in strongly_connected(graph, graph.successors):
        first = min(component)
        if len(component) > 1 or graph.has_edge(first, first):
            found.append(DependencyCycle(sorted(component), _cycle_through(graph.subgraph(component), first)))
    return sorted(found)


def _cycle_through(component: "nx.DiGraph", start: str) -> list[str]:
    """A shortest cycle through `start`, as a path that ends where it starts."""
    import networkx as nx

    paths = nx.single_source_shortest_path(component, start)
    back = min((p for p in component.predecessors(start) if p in paths), key=lambda p: (len(paths[p]), p))
    return paths[back] + [start]


def hard_dependency_graph(inventory: Inventory) -> "nx.DiGraph | None":
    """Services with an edge to each service of each hard dependency, less those that cannot lie on a cycle;
    None when that leaves none.

    A service none of whose hard dependencies lies wholly among the services
    left (a plain one, or an `any_of` group with every member), or that no
    such dependency of a service left names, is on no cycle; peeling them off
    repeatedly keeps every cycle and usually leaves a small graph, or none
    (then networkx, a tenth of a second to import, is not needed), which is
    cheaper to build than the whole estate."""
    names = list(inventory.services)
    index = {name: i for i, name in enumerate(names)}
    # every hard dependency, numbered: the service that has it, and the services it names
    owner: list[int] = []
    members: list[frozenset[int]] = []
    for i, service in enumerate(inventory.services.values()):
        for d in service.depends_on:
            if d.hard:
                owner.append(i)
                members.append(frozenset(index[m] for m in d.services))
    n = len(names)
    own: list[list[int]] = [[] for _ in range(n)]  # per service: its dependencies
    named_in: list[list[int]] = [[] for _ in range(n)]  # per service: the dependencies that name it
    live_needs = [0] * n  # per service: its dependencies still whole
    users = [0] * n  # per service: the live dependencies of live services that name it
    for e, (i, group) in enumerate(zip(owner, members)):
        own[i].append(e)
        live_needs[i] += 1
        for target in group:
            named_in[target].append(e)
            users[target] += 1
    dead = bytearray(len(owner))
    living = bytearray(b"\x01") * n
    peel = [i for i in range(n) if not live_needs[i] or not users[i]]
    while peel:
        i = peel.pop()
        if not living[i]:
            continue
        living[i] = 0
        for e in (*own[i], *named_in[i]):
            if dead[e]:
                continue
            dead[e] = 1
            needer = owner[e]
            live_needs[needer] -= 1
            if not live_needs[needer]:
                peel.append(needer)
            for target in members[e]:
                users[target] -= 1
                if not users[target]:
                    peel.append(target)
    alive = {names[i] for i in range(n) if living[i]}
    if not alive:
        return None
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(alive))
    graph.add_edges_from((name, target) for name in sorted(alive) for e in own[index[name]] if not dead[e]
                         for target in sorted(names[m] for m in members[e]))
    return graph
