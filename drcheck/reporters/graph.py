"""`drcheck graph --format dot|mermaid`: services, their dependencies and the sites they run on, as Graphviz DOT or Mermaid.

Sites are grouped the way they fail together: campus, then building, then
site.  Hard dependencies are solid arrows, soft ones dashed, and an arrow to
one of an `any_of` group's services is labelled "any of"; a service's
placements are plain lines to its sites, dotted for a standby.  Given a loss
(the sites of some failure domains), the lost sites and the services down
are drawn in red.  Every name is escaped for its medium (`reporters.safe`),
and nodes get generated ids, so no name can break or restyle the drawing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..inventory.model import Service, Site
from ..audit.report import Drawing, Scenario
from . import View
from .safe import dot as dot_text, mermaid as mermaid_text

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Loss:
    """What to highlight: a scenario's caption, its lost sites and the services down."""

    caption: str
    sites: frozenset[str]
    down: frozenset[str]

    @classmethod
    def of(cls, scenario: Scenario | None) -> "Loss | None":
        if scenario is None:
            return None
        return cls("losing " + " + ".join(map(str, scenario.lost)), frozenset(scenario.sites), frozenset(scenario.down))


def dot(drawing: Drawing, view: View = View()) -> str:
    return draw_dot(drawing.graph, Loss.of(drawing.loss))


def mermaid(drawing: Drawing, view: View = View()) -> str:
    return draw_mermaid(drawing.graph, Loss.of(drawing.loss))


class _Layout:
    """The graph's services and sites with generated ids, the campus -> building -> sites tree, and the lines
    to draw from each service: its placements, then its dependencies."""

    def __init__(self, graph: "nx.DiGraph"):
        self.name = graph.graph.get("name")
        self.services: list[Service] = [s for _, s in graph.nodes(data="service") if s is not None]
        self.sites: list[Site] = [s for _, s in graph.nodes(data="site") if s is not None]
        self.service_id = {service.name: f"s{n}" for n, service in enumerate(self.services, 1)}
        self.site_id = {site.name: f"p{n}" for n, site in enumerate(self.sites, 1)}
        # None: no campus (the building is its own campus) / no building (the site is its own building)
        self.tree: dict[str | None, dict[str | None, list[Site]]] = {}
        for site in self.sites:
            self.tree.setdefault(site.campus, {}).setdefault(site.building, []).append(site)
        self.placements: dict[str, list[tuple[str, str]]] = {}  # service -> [(site, role)]
        self.dependencies: dict[str, list[tuple[str, bool, bool]]] = {}  # service -> [(service, hard, any_of)]
        for service in self.services:
            edges = graph.succ[f"service:{service.name}"]
            self.placements[service.name] = [(to[5:], e["placement"]) for to, e in edges.items() if "placement" in e]
            self.dependencies[service.name] = [(to[8:], e["depends"] == "hard", "any_of" in e)
                                               for to, e in edges.items() if "depends" in e]

    def events(self):
        """The tree in drawing order: ("open", group id, label), ("sites", [Site, ...]) and ("close",)."""
        count = 0
        for campus, buildings in self.tree.items():
            if campus is not None:
                count += 1
                yield "open", f"g{count}", f"campus {campus}"
            for building, sites in buildings.items():
                if building is not None:
                    count += 1
                    yield "open", f"g{count}", f"building {building}"
                yield "sites", sites
                if building is not None:
                    yield ("close",)
            if campus is not None:
                yield ("close",)


def _service_lines(service: Service, loss: Loss | None) -> list[str]:
    lines = [service.name, f"tier {service.tier} · {service.kind}"]
    if loss and service.name in loss.down:
        lines.append("DOWN")
    return lines


def _site_lines(site: Site, loss: Loss | None) -> list[str]:
    lines = [site.name, site.kind]
    if loss and site.name in loss.sites:
        lines.append("LOST")
    return lines


# ---- Graphviz DOT ----------------------------------------------------------------------------------

_DOT_SHAPES = {"app": "box", "data": "cylinder", "ops": "component", "external": "box"}


def draw_dot(graph: "nx.DiGraph", loss: Loss | None = None) -> str:
    layout = _Layout(graph)
    title = layout.name or "inventory"
    if loss:
        title += f": {loss.caption} takes {len(loss.down)} service(s) down"
    out = [
        "digraph drcheck {",
        f"  graph [rankdir=LR, fontname=Helvetica, labelloc=t, label={dot_text(title)}];",
        "  node [fontname=Helvetica, fontsize=10];",
        "  edge [fontname=Helvetica, fontsize=9];",
    ]
    indent = "  "
    for event in layout.events():
        if event[0] == "open":
            out.append(f'{indent}subgraph "cluster_{event[1]}" {{')
            indent += "  "
            out.append(f"{indent}label={dot_text(event[2])}; style=rounded; color=gray60;")
        elif event[0] == "close":
            indent = indent[:-2]
            out.append(f"{indent}}}")
        else:
            for site in event[1]:
                attributes = ["shape=box3d", f"label={dot_text(*_site_lines(site, loss))}"]
                if loss and site.name in loss.sites:
                    attributes += ["style=filled", 'fillcolor="#f5b7b1"', "color=red3"]
                out.append(f'{indent}"{layout.site_id[site.name]}" [{", ".join(attributes)}];')
    for service in layout.services:
        attributes = [f"shape={_DOT_SHAPES[service.kind]}", f"label={dot_text(*_service_lines(service, loss))}"]
        styles = {"app": ["rounded"], "external": ["dashed"]}.get(service.kind, [])
        if loss and service.name in loss.down:
            styles.append("filled")
            attributes += ['fillcolor="#fde0dd"', "color=red3", "fontcolor=red4", "penwidth=2"]
        if styles:
            attributes.append(f'style="{",".join(styles)}"')
        out.append(f'  "{layout.service_id[service.name]}" [{", ".join(attributes)}];')
    for service in layout.services:
        me = layout.service_id[service.name]
        for site, role in layout.placements[service.name]:
            how = 'color=gray50' if role == "primary" else 'color=gray50, style=dotted, label="standby"'
            out.append(f'  "{me}" -> "{layout.site_id[site]}" [arrowhead=none, {how}];')
        for needed, hard, any_of in layout.dependencies[service.name]:
            how = ", ".join(([] if hard else ["style=dashed"]) + (['label="any of"'] if any_of else []))
            out.append(f'  "{me}" -> "{layout.service_id[needed]}"{f" [{how}]" if how else ""};')
    out.append("}")
    return "\n".join(out) + "\n"


# ---- Mermaid -----------------------------------------------------------------------------------------

_MERMAID_SHAPES = {"app": ('["', '"]'), "data": ('[("', '")]'), "ops": ('[["', '"]]'), "external": ('(["', '"])')}


def draw_mermaid(graph: "nx.DiGraph", loss: Loss | None = None) -> str:
    """A `flowchart` that GitHub renders in a ```mermaid block."""
    layout = _Layout(graph)
    out = ["flowchart LR"]
    if loss:
        out.append(f"  %% {mermaid_text(loss.caption)} takes {len(loss.down)} service(s) down")
    indent = "  "
    for event in layout.events():
        if event[0] == "open":
            out.append(f'{indent}subgraph {event[1]}["{mermaid_text(event[2])}"]')
            indent += "  "
        elif event[0] == "close":
            indent = indent[:-2]
            out.append(f"{indent}end")
        else:
            for site in event[1]:
                out.append(f'{indent}{layout.site_id[site.name]}{{{{"{_mermaid_label(_site_lines(site, loss))}"}}}}')
    for service in layout.services:
        opening, closing = _MERMAID_SHAPES[service.kind]
        out.append(f"  {layout.service_id[service.name]}{opening}{_mermaid_label(_service_lines(service, loss))}{closing}")
    for service in layout.services:
        me = layout.service_id[service.name]
        for site, role in layout.placements[service.name]:
            out.append(f"  {me} {'---' if role == 'primary' else '-.-|standby|'} {layout.site_id[site]}")
        for needed, hard, any_of in layout.dependencies[service.name]:
            out.append(f"  {me} {'-->' if hard else '-.->'}{'|any of|' if any_of else ''} {layout.service_id[needed]}")
    if loss:
        out.append("  classDef down fill:#fde0dd,stroke:#c0392b,stroke-width:2px,color:#7b241c")
        out.append("  classDef lost fill:#f5b7b1,stroke:#c0392b,stroke-dasharray:4 2,color:#7b241c")
        down = [layout.service_id[s.name] for s in layout.services if s.name in loss.down]
        lost = [layout.site_id[s.name] for s in layout.sites if s.name in loss.sites]
        if down:
            out.append(f"  class {','.join(down)} down")
        if lost:
            out.append(f"  class {','.join(lost)} lost")
    return "\n".join(out) + "\n"


def _mermaid_label(lines: list[str]) -> str:
    return "<br/>".join(mermaid_text(line) for line in lines)
