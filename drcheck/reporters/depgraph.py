"""The HTML report's dependency graph: one SVG, a layered (Sugiyama) drawing read from left to right.

A service stands left of what it needs.  grandalf (pure Python) does the layered layout: ranks, crossing
reduction, coordinates, and a dummy slot in every layer a long edge crosses, so that edges pass between
boxes, never through them.  Here the drawing is turned on its side (layers are columns: boxes are wider than
tall), each edge leaves and enters its boxes at ports spread along their sides in the order of where the
edge goes, and crosses every column it spans in its own slot.

Up to MAX_SERVICES services are drawn one box each, unless the drawing would be larger than MAX_WIDTH x
MAX_HEIGHT; beyond, a table summarises the estate by failure domain (each site, how much of it the worst
failure takes down, which sites its services need and which need it), readable where a drawing of hundreds of
boxes would be a hairball.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from grandalf.graphs import Edge, Vertex, graph_core
from grandalf.layouts import SugiyamaLayout

from ..audit.report import Report
from .safe import html_attribute as esc
from ..rule_api.wording import listing

MAX_SERVICES = 60  # one box per service up to this many (readable on a screen); beyond, a summary
MAX_WIDTH, MAX_HEIGHT = 2400, 3000  # pixels: a drawing larger than this (chains tens of services deep) is summarised
BOX_W, BOX_H = 176, 38
PORT_GAP = 7  # the least distance between two arrows on one side of a box
COLUMN_GAP, ROW_GAP, SLOT = 96, 14, 8  # between layers, between boxes of one layer, an edge's slot
COMPONENT_GAP, MARGIN, TOP = 28, 16, 16
EDGE_STYLES = {  # kind -> (stroke, dash, what it means)
    "hard": ("#546e7a", "", "hard dependency"),
    "soft": ("#78909c", ' stroke-dasharray="6 4"', "soft dependency"),
    "recovery": ("#8e24aa", ' stroke-dasharray="2 3"', "what a failover needs (recovery_needs)"),
}


@dataclass
class Node:
    key: str
    title: str
    lines: tuple[str, str]  # name, details
    down: bool = False
    rounded: bool = False
    x: float = 0.0  # top-left corner, once placed
    y: float = 0.0
    h: float = BOX_H  # taller where many arrows meet, so that their ports stay apart


@dataclass
class Link:
    source: str
    target: str
    kind: str
    title: str
    points: list[tuple[float, float]] = field(default_factory=list)  # the centres of the slots it crosses


def render_graph(report: Report) -> str:
    inventory = report.inventory
    if not inventory or not inventory.services:
        return ""
    worst = report.scenarios[0] if report.scenarios else None
    if len(inventory.services) > MAX_SERVICES:
        return _summary(report, worst, f"{len(inventory.services)} services are too many to draw one box each,")
    graph = report.graph
    down = set(worst.down) if worst else set()
    causes = worst.why if worst else {}
    nodes, links = {}, []
    for name, service in inventory.services.items():
        edges = graph.succ[f"service:{name}"]
        sites = sum("placement" in e for e in edges.values())
        backups = sum(e.get("backups", 0) for e in edges.values())
        kept = f" · {backups} backup(s)" if backups else " · no backup" if service.kind == "data" else ""
        why = causes[name].describe() if name in down and name in causes else ""
        nodes[name] = Node(name, name + (f": DOWN, {why}" if why else ""),
                           (name, f"{service.kind} · tier {service.tier} · {sites} site(s){kept}"),
                           down=name in down, rounded=service.kind == "data")
        for to, e in edges.items():
            if e.get("depends"):
                alternatives = ", ".join(n for n in e.get("any_of", ()) if n != to[8:])
                links.append(Link(name, to[8:], e["depends"],
                                  f"{name} needs {to[8:]}" + ("" if e["depends"] == "hard" else " (soft)")
                                  + (f" or any of {alternatives}" if alternatives else "")))
            if e.get("recovery") and sites > 1:  # a service on one site has nothing to fail over to
                links.append(Link(name, to[8:], "recovery", f"failing {name} over needs {to[8:]}"))
    caption = (f"red: what losing <b>{esc(' + '.join(str(d) for d in worst.lost))}</b> takes down "
               f"({len(worst.down)} services, {worst.impact:.1%} of the tier weight); hover a box for why"
               if worst else "no single failure takes anything down")
    width, height = _layout(list(nodes.values()), links)
    if width > MAX_WIDTH or height > MAX_HEIGHT:
        return _summary(report, worst, f"Drawn one box each, these {len(nodes)} services' dependencies would "
                                       f"take {width:.0f} x {height:.0f} pixels,")
    return ("<h2>Dependencies</h2><p class=\"muted\">Each service stands left of what it needs. Solid arrow: hard "
            "dependency; dashed: soft; purple dotted: what a failover needs (recovery_needs); rounded boxes hold "
            f"data. {caption}.</p>" + _svg("graph", list(nodes.values()), links, width, height))


def _summary(report: Report, worst, why: str) -> str:
    """A table by failure domain: for each site (where a service's first placement is), its services, how
    many of them the worst single failure takes down, and the sites its services hard-depend on and that
    depend on it, with counts.  Readable at any size, where thousands of boxes and arrows would not be."""
    inventory = report.inventory
    domain_of = {name: (s.placements[0].site if s.placements else "(not placed)")
                 for name, s in inventory.services.items()}
    down = set(worst.down) if worst else set()
    members: dict[str, list[str]] = {}
    for name, domain in domain_of.items():
        members.setdefault(domain, []).append(name)
    needs: dict[str, Counter] = {d: Counter() for d in members}
    needed_by: dict[str, Counter] = {d: Counter() for d in members}
    # read from the model, not the dependency graph: building that graph for thousands of services costs
    # seconds and hundreds of MB, for a table that needs only who hard-depends on whom.  Counted by pair of
    # sites first (a Counter counts in C; far fewer pairs than dependencies), in the order each pair is first met,
    # so that sites needed as often are listed in the same order as counting one dependency at a time lists them
    pairs = Counter(pair for pair in ((domain_of[name], domain_of[to]) for name, service in inventory.services.items()
                                      for to, d in service.dependency_on().items() if d.hard) if pair[0] != pair[1])
    for (a, b), count in pairs.items():
        needs[a][b] = count
        needed_by[b][a] = count

    def listed(counts: Counter) -> str:
        return listing([f"{d} ({n})" for d, n in counts.most_common()]) or "—"

    rows = "".join(
        f"<tr><td class=\"name\">{esc(domain)}</td><td class=\"num\">{len(names)}</td><td class=\"num\">"
        f"{sum(n in down for n in names)}</td><td class=\"num\" data-key=\"{sum(needed_by[domain].values())}\">"
        f"{sum(needed_by[domain].values())}</td><td>{esc(listed(needed_by[domain]))}</td>"
        f"<td>{esc(listed(needs[domain]))}</td></tr>"
        for domain, names in sorted(members.items(), key=lambda m: (-sum(needed_by[m[0]].values()), m[0])))
    lost = esc(" + ".join(str(d) for d in worst.lost)) if worst else ""
    return (f"<h2>Dependencies</h2><p class=\"muted\">{esc(why)} so they are summarised by failure domain: "
            "each row is a site and the services placed there first; how many of them losing "
            + (f"<b>{lost}</b>" if worst else "anything") + " takes down; and the hard dependencies between "
            "services of different sites, counted. <code>drcheck graph --format dot</code> draws every service "
            "for Graphviz.</p><table class=\"sortable\" id=\"domains\"><thead><tr><th class=\"sort\">Site</th>"
            '<th class="sort num">Services</th><th class="sort num">Down</th><th class="sort num">Needed by</th>'
            "<th>Sites that need it (dependencies)</th><th>Sites it needs (dependencies)</th></tr></thead><tbody>"
            + rows + "</tbody></table>")


# ---- layout --------------------------------------------------------------------------------------------

def _layout(nodes: list[Node], links: list[Link]) -> tuple[float, float]:
    """Place the nodes and route the links; the drawing's width and height."""
    by_key = {n.key: n for n in nodes}
    ends = Counter(key for link in links for key in ((link.source, "out"), (link.target, "in")))
    for node in nodes:
        node.h = max(BOX_H, PORT_GAP * (max(ends[(node.key, "out")], ends[(node.key, "in")]) + 1))
    vertices = {n.key: Vertex(n.key) for n in nodes}
    for key, v in vertices.items():
        v.view = _Box(by_key[key].h, BOX_W)  # grandalf lays out top to bottom: turned on its side, a box is tall
    edges, pairs = {}, {}  # (source, target) -> its edge, and the links it stands for (a dependency and a need)
    for link in links:
        if link.source != link.target and link.target in vertices:
            edges.setdefault((link.source, link.target), Edge(vertices[link.source], vertices[link.target]))
            pairs.setdefault((link.source, link.target), []).append(link)
    top = TOP
    width = 0.0
    singles = []
    for component in _components(list(vertices.values()), list(edges.values())):
        if len(component.sV) == 1:
            singles.append(component.sV[0].data)
            continue
        for e in component.sE:
            e.view = _Path()
        layout = SugiyamaLayout(component)
        layout.xspace, layout.yspace = ROW_GAP, COLUMN_GAP
        layout.dw, layout.dh = SLOT, BOX_W  # a long edge's slot in each layer it crosses
        layout.init_all(roots=[v for v in component.sV if not v.e_in()] or None, optimize=True)
        layout.draw()
        # grandalf's x runs down a column, its y along the rows
        y0 = min([v.view.xy[0] - v.view.w / 2 for v in component.sV] +
                 [p[0] - SLOT for e in component.sE for p in e.view.points])
        for v in component.sV:
            node = by_key[v.data]
            node.x, node.y = MARGIN + v.view.xy[1] - BOX_W / 2, top + v.view.xy[0] - node.h / 2 - y0
        for e in component.sE:
            for link in pairs[(e.v[0].data, e.v[1].data)]:
                link.points = [(MARGIN + py, top + px - y0) for px, py in e.view.points]
        placed = [by_key[v.data] for v in component.sV]
        bottom = max([n.y + n.h for n in placed] + [top + p[0] + SLOT - y0 for e in component.sE
                                                     for p in e.view.points])
        width = max(width, max(n.x for n in placed) + BOX_W + MARGIN)
        top = bottom + COMPONENT_GAP
    per_row = max(1, int((max(width, 4 * (BOX_W + COLUMN_GAP / 2)) - MARGIN) // (BOX_W + COLUMN_GAP / 2)))
    for i, key in enumerate(singles):  # what depends on nothing and nothing on it: in rows below
        by_key[key].x = MARGIN + (i % per_row) * (BOX_W + COLUMN_GAP / 2)
        by_key[key].y = top + (i // per_row) * (BOX_H + ROW_GAP)
        width = max(width, by_key[key].x + BOX_W + MARGIN)
    height = (top + ((len(singles) - 1) // per_row + 1) * (BOX_H + ROW_GAP) if singles else top - COMPONENT_GAP)
    return width, height + MARGIN


def _components(vertices: list[Vertex], edges: list[Edge]) -> list[graph_core]:
    """The connected parts of the graph, each with its vertices and edges in the order given.  grandalf's own
    `Graph` collects a part's edges in a set, whose order (by object identity) changes from run to run, and
    with it the drawing: the same report must come out the same every time."""
    part = {id(v): i for i, v in enumerate(vertices)}

    def find(i: int) -> int:
        while part_of[i] != i:
            part_of[i] = part_of[part_of[i]]
            i = part_of[i]
        return i

    part_of = list(range(len(vertices)))
    for e in edges:
        a, b = find(part[id(e.v[0])]), find(part[id(e.v[1])])
        part_of[max(a, b)] = min(a, b)
    members: dict[int, tuple[list[Vertex], list[Edge]]] = {}
    for i, v in enumerate(vertices):
        members.setdefault(find(i), ([], []))[0].append(v)
    for e in edges:
        members[find(part[id(e.v[0])])][1].append(e)
    return [graph_core(vs, es) for vs, es in members.values()]


class _Box:
    def __init__(self, w: float, h: float):
        self.w, self.h = w, h
        self.xy = (0.0, 0.0)


class _Path:
    def __init__(self):
        self.points: list[tuple[float, float]] = []

    def setpath(self, points):
        self.points = list(points)


def _ports(nodes: dict[str, Node], links: list[Link]) -> dict[tuple[int, str], tuple[float, float]]:
    """Where each link leaves its source and enters its target: on the side it heads to, the ports of one
    side spread evenly in the order of where their links go, so that no two arrows meet at one point."""
    sides: dict[tuple[str, str], list[tuple[float, int, str]]] = {}
    for i, link in enumerate(links):
        if not link.points:
            continue
        for end, node, toward in (("source", nodes[link.source], link.points[1]),
                                  ("target", nodes[link.target], link.points[-2])):
            side = "right" if toward[0] > node.x + BOX_W / 2 else "left"
            sides.setdefault((node.key, side), []).append((toward[1], i, end))
    ports = {}
    for (key, side), attached in sides.items():
        node = nodes[key]
        attached.sort()
        for slot, (_, i, end) in enumerate(attached):
            ports[(i, end)] = (node.x + (BOX_W if side == "right" else 0),
                               node.y + node.h * (slot + 1) / (len(attached) + 1))
    return ports


def _route(start, points, end) -> str:
    """A path from port to port through the slots between: across each column it spans, straight in its
    slot; between columns, a curve leaving and arriving level."""
    way = [start]
    for x, y in points:
        way += [(x - BOX_W / 2, y), (x + BOX_W / 2, y)] if start[0] < end[0] else [(x + BOX_W / 2, y),
                                                                                   (x - BOX_W / 2, y)]
    way.append(end)
    d = [f"M{start[0]:.1f},{start[1]:.1f}"]
    for (x1, y1), (x2, y2) in zip(way, way[1:]):
        if y1 == y2:
            d.append(f"L{x2:.1f},{y2:.1f}")
        else:
            mid = (x1 + x2) / 2
            d.append(f"C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
    return " ".join(d)


def _svg(svg_id: str, nodes: list[Node], links: list[Link], width: float, height: float) -> str:
    """The drawing of nodes and links placed by `_layout`."""
    by_key = {n.key: n for n in nodes}
    drawn = [link for link in links if link.points]
    ports = _ports(by_key, drawn)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="dependency graph"><defs>']
    for kind, (stroke, _, _) in EDGE_STYLES.items():
        svg.append(f'<marker id="{svg_id}-arrow-{kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{stroke}"/></marker>')
    svg.append("</defs>")
    for i, link in enumerate(drawn):
        stroke, dash, _ = EDGE_STYLES[link.kind]
        path = _route(ports[(i, "source")], link.points[1:-1], ports[(i, "target")])
        svg.append(f'<path class="edge {link.kind}" d="{path}" fill="none" stroke="{stroke}" '
                   f'stroke-width="1.2"{dash} marker-end="url(#{svg_id}-arrow-{link.kind})">'
                   f"<title>{esc(link.title)}</title></path>")
    for node in nodes:
        svg.append(f'<g class="service{" down" if node.down else ""}"><rect x="{node.x:.1f}" y="{node.y:.1f}" '
                   f'width="{BOX_W}" height="{node.h:.0f}" rx="{12 if node.rounded else 4}" '
                   f'fill="{"#ffcdd2" if node.down else "#ffffff"}" stroke="{"#c62828" if node.down else "#78909c"}" '
                   f'stroke-width="{2 if node.down else 1}"/><text x="{node.x + 6:.1f}" y="{node.y + 15:.1f}" '
                   f'font-size="12">{esc(_short(node.lines[0]))}</text><text x="{node.x + 6:.1f}" '
                   f'y="{node.y + 30:.1f}" font-size="10" fill="#607d8b">{esc(_short(node.lines[1], 34))}</text>'
                   f"<title>{esc(node.title)}</title></g>")
    svg.append("</svg>")
    return '<div class="wide">' + "".join(svg) + "</div>"  # at its size, scrolled sideways if wider than the page


def _short(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"
