"""The HTML report's map of the sites: one SVG of the whole estate and, when its sites cluster at a scale
much smaller than the map (a metro estate with one far backup), a second at the scale of the DR ring.

Each map projects coordinates onto a local equirectangular plane (kilometres east and north of its centre,
east scaled by the cosine of the centre's latitude), which keeps local distances honest over the few
hundred kilometres a DR estate spans.  Land, coastlines and land borders are Natural Earth's 1:110m data
(drcheck/data/README.md), clipped to what each map shows.  Lines say what the audit says: a DR pair is
drawn with its distance only when that distance is known (two sites at one named cloud region have
none); each backup site is joined to the primaries whose data it holds.  Every name is escaped.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib.resources import files

from ..inventory.geo import EARTH_RADIUS_KM, great_circle_km
from ..inventory.model import Inventory
from ..audit.report import Report
from .safe import html_attribute as esc
from ..rule_api.wording import listing

MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 740, 520, 60
INSET_WIDTH, INSET_HEIGHT, INSET_MARGIN = 400, 520, 24
CLUSTER_SHARE = 0.05  # sites within this share of the map's extent get an inset
EXACT_CLUSTER_SITES = 400  # up to this many sites, every square is tried for the inset's cluster
MARK_RADIUS = 5
SPOT_PX = 12  # sites whose marks are nearer than this share one label
LABEL_SIZE, LABEL_LINE = 12, 14  # font size and line height of the site labels, in pixels
CHAR_WIDTH = 0.66  # a generous average advance of a character, in font sizes: estimated boxes hold the text
LABEL_RINGS = 8  # how far out a label may move from what it names, in steps of 14 pixels
MAX_LABEL_LINES = 8
MAX_DISTANCE_LABELS = 12  # beyond this many DR pairs too close in one map, their distances are in the hover titles only
GROUP_OUTLINE_PX = 80  # the widest campus or building outlined
DEFAULT_MIN_DISTANCE_KM = 40.0
NEAR, FAR, BACKUP = "#c62828", "#2e7d32", "#1565c0"  # DR pair closer than the minimum, DR pair, backup
SEA, LAND, COAST, BORDER = "#eaf1f6", "#f7f5ee", "#9fb3c2", "#b9a98f"


@dataclass(frozen=True)
class _View:
    """A local flat projection and the window of it an SVG of `width` x `height` pixels shows."""

    lat0: float
    lon0: float
    cx: float  # km east of (lat0, lon0) at the centre of the window
    cy: float  # km north
    scale: float  # pixels per km
    width: int
    height: int

    @property
    def east(self) -> float:  # km per degree of longitude here
        return math.cos(math.radians(self.lat0)) * math.pi / 180 * EARTH_RADIUS_KM

    @property
    def north(self) -> float:
        return math.pi / 180 * EARTH_RADIUS_KM

    def km(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.east, (lat - self.lat0) * self.north

    def px(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.km(lat, lon)
        return self.width / 2 + (x - self.cx) * self.scale, self.height / 2 - (y - self.cy) * self.scale

    def bounds(self) -> tuple[float, float, float, float]:
        """(lon_lo, lat_lo, lon_hi, lat_hi) of the window."""
        half_w, half_h = self.width / 2 / self.scale, self.height / 2 / self.scale
        return (self.lon0 + (self.cx - half_w) / self.east, self.lat0 + (self.cy - half_h) / self.north,
                self.lon0 + (self.cx + half_w) / self.east, self.lat0 + (self.cy + half_h) / self.north)


@dataclass(frozen=True)
class _Line:
    """A line between two sites: a DR pair (`km` None when the distance is unknown) or a backup."""

    a: str
    b: str
    kind: str  # "pair" | "backup"
    services: tuple[str, ...]
    km: float | None


def min_distance(report: Report) -> float:
    for rule in report.rules:
        if rule.id == "dr-site-too-close":
            return float(rule.params.get("min_distance_km", DEFAULT_MIN_DISTANCE_KM))
    return DEFAULT_MIN_DISTANCE_KM


def render_map(report: Report) -> str:
    inventory = report.inventory
    placed = {n: s.coordinates for n, s in inventory.sites.items() if s.coordinates} if inventory else {}
    if not placed:
        return ""
    min_km = min_distance(report)
    lines = _lines(inventory, placed)
    lat0 = sum(c[0] for c in placed.values()) / len(placed)
    lon0 = sum(c[1] for c in placed.values()) / len(placed)
    main = _fit(lat0, lon0, list(placed.values()), MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN, 2.5 * min_km)
    cluster = _cluster(main, placed)
    inset = None
    if cluster:
        points = [placed[n] for n in cluster]
        lat_c = sum(c[0] for c in points) / len(points)
        lon_c = sum(c[1] for c in points) / len(points)
        inset = _fit(lat_c, lon_c, points, INSET_WIDTH, INSET_HEIGHT, INSET_MARGIN, 0.0, pad_km=min_km)
        if inset.scale < 2 * main.scale:  # the DR ring's scale would hardly enlarge it
            inset, cluster = None, []
    svg = _draw("map", inventory, placed, lines, main, min_km, inset)
    if inset:
        svg += _draw("map-inset", inventory, placed, lines, inset, min_km, None)
    unplaced = sorted(set(inventory.sites) - set(placed))
    missing = f"<p class=\"muted\">Not on the map (no location): {esc(', '.join(unplaced))}</p>" if unplaced else ""
    unknown = [line for line in lines if line.kind == "pair" and line.km is None]
    unknown_note = ("<p class=\"muted\">No line joins sites at one named cloud region (its zones): where they lie "
                    "is not published, so their distance is unknown, as the audit says: "
                    + esc("; ".join(f"{u.a} – {u.b}" for u in unknown[:12])) +
                    (f" and {len(unknown) - 12} more" if len(unknown) > 12 else "") + ".</p>") if unknown else ""
    inset_note = (f" The second map enlarges the {len(cluster)} sites drawn too close together on the first "
                  f"(outlined there) to the scale of the {min_km:g} km ring.") if inset else ""
    return ("<h2>Sites</h2><p class=\"muted\">Sites placed by their coordinates on a local flat projection "
            "(distances true near the centre), over Natural Earth's 1:110m land and borders (a coastline may be "
            f"kilometres off at city scale).{inset_note}</p>" + _legend(min_km)
            + '<div class="maps">' + svg + "</div>" + unknown_note + missing)


def _legend(min_km: float) -> str:
    def sample(stroke: str, dash: str = "", width: float = 3) -> str:
        return (f'<svg class="sample" width="30" height="10" aria-hidden="true"><line x1="1" y1="5" x2="29" y2="5" '
                f'stroke="{stroke}" stroke-width="{width}"{dash}/></svg>')

    entries = [
        (sample(FAR), f"DR pair: a primary and another placement of one service, {min_km:g} km or more apart"),
        (sample(NEAR), f"DR pair closer than {min_km:g} km (the policy's minimum)"),
        (sample(BACKUP, ' stroke-dasharray="6 4"', 2), "backup: from a service's primary to the site that keeps "
                                                      "its backups"),
        (sample("#90a4ae", ' stroke-dasharray="4 3"', 1), f"{min_km:g} km around a primary site"),
        ("", "grey outline: sites of one campus or building, or too close to tell apart at that scale (one label "
             "names them all)"),
        ("", "no line: distance unknown (sites at one named cloud region)"),
    ]
    return '<p class="legend">' + "".join(f"<span>{chip}{text}</span>" for chip, text in entries) + "</p>"


def _lines(inventory: Inventory, placed) -> list[_Line]:
    """The DR pairs (a primary and each other placement of a service) and backups (a primary and each
    backup site of a service) between placed sites, each with the services it stands for, each named once."""
    found: dict[tuple[str, str, str], dict[str, None]] = {}
    for service in inventory.services.values():
        for primary in service.primaries:
            if primary.site not in placed:
                continue
            for other in service.sites:
                if other != primary.site and other in placed:
                    found.setdefault((*sorted((primary.site, other)), "pair"), {})[service.name] = None
            for backup in service.backups:
                if backup.site != primary.site and backup.site in placed:
                    found.setdefault((primary.site, backup.site, "backup"), {})[service.name] = None
    out = []
    for (a, b, kind), services in sorted(found.items()):
        known = not inventory.sites[a].shares_named_region(inventory.sites[b])
        out.append(_Line(a, b, kind, tuple(services), great_circle_km(placed[a], placed[b]) if known else None))
    return out


def _fit(lat0, lon0, points, width, height, margin, min_span, pad_km=0.0) -> _View:
    """The view centred on these points that shows them all, `pad_km` around each, at least `min_span` km
    across."""
    probe = _View(lat0, lon0, 0, 0, 1, width, height)
    xy = [probe.km(*p) for p in points]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    span_x = max(max(xs) - min(xs) + 2 * pad_km, min_span, 1.0)
    span_y = max(max(ys) - min(ys) + 2 * pad_km, min_span, 1.0)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    return _View(lat0, lon0, (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, scale, width, height)


def _cluster(view: _View, placed) -> list[str]:
    """The most populous group of sites that fit in a square CLUSTER_SHARE of the map's extent across (not all
    at one point, and not every site): its site names, else [].  Each square tried has a site on its left
    edge and one on its bottom edge; beyond EXACT_CLUSTER_SITES sites, the squares are the cells of a grid
    and of the same grid shifted by half a cell, which find every group less than half as wide."""
    limit = CLUSTER_SHARE * max(view.width, view.height) / view.scale  # km
    at = {n: view.km(*c) for n, c in placed.items()}
    best: list[str] = []

    def consider(group: list[str]) -> None:
        nonlocal best
        if len(group) > len(best) and len({placed[n] for n in group}) > 1:
            best = group

    if len(at) <= EXACT_CLUSTER_SITES:
        by_x = sorted(at, key=lambda n: at[n][0])
        for i, left in enumerate(by_x):
            strip = sorted((n for n in by_x[i:] if at[n][0] - at[left][0] <= limit), key=lambda n: at[n][1])
            top = 0
            for bottom in range(len(strip)):  # the sites from this one up to `limit` above it: a slice
                while top < len(strip) and at[strip[top]][1] - at[strip[bottom]][1] <= limit:
                    top += 1
                if top - bottom > len(best):
                    consider(strip[bottom:top])
    else:
        for shift_x, shift_y in ((0, 0), (0.5, 0), (0, 0.5), (0.5, 0.5)):
            cells: dict[tuple[int, int], list[str]] = {}
            for name, (x, y) in at.items():
                cells.setdefault((math.floor(x / limit + shift_x), math.floor(y / limit + shift_y)), []).append(name)
            for group in cells.values():
                consider(group)
    return best if len(best) < len(placed) else []


# ---- drawing one map ---------------------------------------------------------------------------------------

def _draw(name: str, inventory: Inventory, placed, lines: list[_Line], view: _View, min_km: float,
          inset: _View | None) -> str:
    w, h = view.width, view.height
    at = {n: view.px(*c) for n, c in placed.items()}
    shown = {n for n, (x, y) in at.items() if -MARK_RADIUS <= x <= w + MARK_RADIUS and -MARK_RADIUS <= y <= h + MARK_RADIUS}
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{name}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
           f'role="img" aria-label="{"map of the sites" if name == "map" else "enlarged map of clustered sites"}">',
           f'<defs><clipPath id="{name}-view"><rect width="{w}" height="{h}"/></clipPath>'
           f'<marker id="{name}-backup-end" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
           f'orient="auto"><path d="M0,0L10,5L0,10z" fill="{BACKUP}"/></marker></defs>',
           f'<rect class="sea" width="{w}" height="{h}" fill="{SEA}"/>',
           f'<g clip-path="url(#{name}-view)">']
    svg += _world(view)
    svg += _graticule(view)
    primaries = {p.site for s in inventory.services.values() for p in s.primaries}
    for site in sorted(primaries & shown):
        x, y = at[site]
        svg.append(f'<circle class="ring" cx="{x:.1f}" cy="{y:.1f}" r="{min_km * view.scale:.1f}" fill="none" '
                   f'stroke="#90a4ae" stroke-dasharray="4 3"><title>{min_km:g} km around primary {esc(site)}</title>'
                   "</circle>")
    shown_at = {n: at[n] for n in shown}
    spots = _spots(inventory, shown_at)
    outlines, areas = _groups(inventory, shown_at, spots)
    svg += outlines
    if inset:
        x0, y0 = view.px(*_corner(inset, "nw"))
        x1, y1 = view.px(*_corner(inset, "se"))
        svg.append(f'<rect class="inset-area" x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
                   'fill="none" stroke="#37474f" stroke-width="1.2"><title>enlarged in the second map</title></rect>')
    distances = []
    for line in lines:
        if (line.a not in shown and line.b not in shown) or (line.kind == "pair" and line.km is None):
            continue
        svg.append(_line_svg(name, line, at, min_km))
        if line.kind == "pair":
            distances.append(line)
    for spot in spots:
        if len(spot) > 1:  # several sites at one spot: a ring around them, one label naming them all
            x0, y0, x1, y1 = _marks_box(spot, at)
            svg.append(f'<rect class="spot" x="{x0 - 3:.1f}" y="{y0 - 3:.1f}" width="{x1 - x0 + 6:.1f}" '
                       f'height="{y1 - y0 + 6:.1f}" rx="8" fill="#eceff1" stroke="#90a4ae"/>')
    for site in sorted(shown):
        x, y = at[site]
        s = inventory.sites[site]
        where = ", ".join(f"{what} {value}" for what, value in (("campus", s.campus), ("building", s.building))
                          if value)
        svg.append(f'<g class="site"><circle cx="{x:.1f}" cy="{y:.1f}" r="{MARK_RADIUS}" '
                   f'fill="{"#263238" if site in primaries else "#78909c"}" stroke="#fbfbf8"/>'
                   f"<title>{esc(site)} ({esc(s.kind)}{'; ' + esc(where) if where else ''})</title></g>")
    scale_box = (16, h - 42, 160, h - 18)
    labels = [(_marks_box(spot, at), _spot_lines(spot, inventory), set(spot), "label") for spot in spots]
    labels += [(box, [(label, True)], members, "label") for box, label, members in areas]
    near = [line for line in distances if line.km < min_km and math.dist(at[line.a], at[line.b]) >= SPOT_PX]
    if len(near) <= MAX_DISTANCE_LABELS:  # the pairs too close are the risk: their distance is written
        labels += [(_midpoint_box(line, at), [(f"{line.km:.1f} km", False)], {line.a, line.b}, "label distance")
                   for line in near]
    obstacles = [_marks_box([site], at) for site in shown] + [scale_box]
    svg += _labels(labels, obstacles, areas, w, h)
    svg.append(_scale_bar(view.scale, h))
    svg.append(f'</g><rect width="{w}" height="{h}" fill="none" stroke="#90a4ae"/></svg>')
    return "".join(svg)


def _corner(view: _View, which: str) -> tuple[float, float]:
    lon_lo, lat_lo, lon_hi, lat_hi = view.bounds()
    return (lat_hi, lon_lo) if which == "nw" else (lat_lo, lon_hi)


def _line_svg(name: str, line: _Line, at, min_km: float) -> str:
    (x1, y1), (x2, y2) = at[line.a], at[line.b]
    names = listing(line.services, 8)
    if line.kind == "pair":
        color = NEAR if line.km < min_km else FAR
        return (f'<line class="pair" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
                f'stroke-width="{min(6, 1.5 + len(line.services) ** 0.5):.1f}" stroke-opacity="0.75">'
                f"<title>{esc(line.a)} – {esc(line.b)}: {line.km:.1f} km; DR pair of {esc(names)}</title></line>")
    # a gentle arc, so that a backup between the two sites of a DR pair is not hidden under it
    bend = 0.12
    cx, cy = (x1 + x2) / 2 - (y2 - y1) * bend, (y1 + y2) / 2 + (x2 - x1) * bend
    distance = f"{line.km:.1f} km" if line.km is not None else "distance unknown"
    return (f'<path class="backup" d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" '
            f'stroke="{BACKUP}" stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#{name}-backup-end)">'
            f"<title>{esc(line.b)} keeps backups of {esc(names)} (primary {esc(line.a)}, {distance})</title></path>")


def _midpoint_box(line: _Line, at) -> tuple[float, float, float, float]:
    (x1, y1), (x2, y2) = at[line.a], at[line.b]
    x, y = (x1 + x2) / 2, (y1 + y2) / 2
    return x - 1, y - 1, x + 1, y + 1


# ---- land, borders, graticule ------------------------------------------------------------------------------

@functools.cache
def _natural_earth() -> dict[str, list]:
    """Natural Earth's land polygons and borders in degrees, each part with its bounding box."""
    data = json.loads(files("drcheck").joinpath("data/naturalearth.json").read_text(encoding="ascii"))
    out: dict[str, list] = {}
    for layer, parts in data.items():
        out[layer] = []
        for part in parts:
            rings = [[(ring[i] / 100, ring[i + 1] / 100) for i in range(0, len(ring), 2)] for ring in part]
            lons = [p[0] for p in rings[0]]
            lats = [p[1] for p in rings[0]]
            out[layer].append(((min(lons), min(lats), max(lons), max(lats)), rings))
    return out


def _world(view: _View) -> list[str]:
    """The land (filled, its coastline stroked) and the land borders inside the view, clipped to it."""
    lon_lo, lat_lo, lon_hi, lat_hi = view.bounds()
    world = _natural_earth()
    rect = (0.0, 0.0, float(view.width), float(view.height))
    land, borders = [], []
    for layer, out in (("land", land), ("borders", borders)):
        for (b_lon_lo, b_lat_lo, b_lon_hi, b_lat_hi), rings in world[layer]:
            shift = 360 * round((view.lon0 - (b_lon_lo + b_lon_hi) / 2) / 360)  # the copy nearest the view
            if b_lat_hi < lat_lo or b_lat_lo > lat_hi or b_lon_hi + shift < lon_lo or b_lon_lo + shift > lon_hi:
                continue
            projected = [[view.px(lat, lon + shift) for lon, lat in ring] for ring in rings]
            if layer == "land":
                clipped = [_clip_polygon(ring, rect) for ring in projected]
                out.append("".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z"
                                   for ring in clipped if len(ring) >= 3))
            else:
                out += ["M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in piece)
                        for ring in projected for piece in _clip_polyline(ring, rect)]
    return ([f'<path class="land coastline" d="{d}" fill="{LAND}" fill-rule="evenodd" stroke="{COAST}" stroke-width="0.8"/>'
             for d in land if d] +
            [f'<path class="border" d="{" ".join(borders)}" fill="none" stroke="{BORDER}" stroke-width="0.8" '
             'stroke-dasharray="3 2"/>' if borders else ""])


def _clip_polygon(ring, rect):
    """Sutherland-Hodgman: the part of a closed ring inside the rectangle (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = rect
    edges = ((lambda p: p[0] >= x0, lambda p, q: _at_x(p, q, x0)), (lambda p: p[0] <= x1, lambda p, q: _at_x(p, q, x1)),
             (lambda p: p[1] >= y0, lambda p, q: _at_y(p, q, y0)), (lambda p: p[1] <= y1, lambda p, q: _at_y(p, q, y1)))
    out = list(ring)
    for inside, cross in edges:
        if not out:
            break
        points, out = out, []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    out.append(cross(previous, point))
                out.append(point)
            elif inside(previous):
                out.append(cross(previous, point))
            previous = point
    return out


def _at_x(p, q, x):
    t = (x - p[0]) / (q[0] - p[0])
    return x, p[1] + t * (q[1] - p[1])


def _at_y(p, q, y):
    t = (y - p[1]) / (q[1] - p[1])
    return p[0] + t * (q[0] - p[0]), y


def _clip_polyline(line, rect):
    """The pieces of an open line inside the rectangle (Liang-Barsky on each segment)."""
    pieces, current = [], []
    for p, q in zip(line, line[1:]):
        segment = _clip_segment(p, q, rect)
        if segment is None:
            if len(current) > 1:
                pieces.append(current)
            current = []
            continue
        a, b = segment
        if not current or current[-1] != a:
            if len(current) > 1:
                pieces.append(current)
            current = [a]
        current.append(b)
    if len(current) > 1:
        pieces.append(current)
    return pieces


def _clip_segment(p, q, rect):
    x0, y0, x1, y1 = rect
    dx, dy = q[0] - p[0], q[1] - p[1]
    lo, hi = 0.0, 1.0
    for step, room in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if step == 0:
            if room < 0:
                return None
            continue
        t = room / step
        if step < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return None
    return (p[0] + lo * dx, p[1] + lo * dy), (p[0] + hi * dx, p[1] + hi * dy)


def _graticule(view: _View) -> list[str]:
    w, h = view.width, view.height
    span_deg = max(w / view.scale / view.east, h / view.scale / view.north)
    step = next((s for s in (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 45) if span_deg / s <= 12), 90)
    lon_lo, lat_lo, lon_hi, lat_hi = view.bounds()
    out = []
    lon = math.ceil(lon_lo / step) * step
    while lon <= lon_hi:
        x = w / 2 + ((lon - view.lon0) * view.east - view.cx) * view.scale
        label = f"{round(lon, 2):g}°"
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{h}" stroke="#cfd8dc" stroke-width="0.5"/>')
        if x + 2 + _text_width(label, 10) <= w:  # a label cut by the edge reads as another number
            out.append(f'<text x="{x + 2:.1f}" y="{h - 4}" font-size="10" fill="#78909c">{label}</text>')
        lon += step
    lat = math.ceil(lat_lo / step) * step
    while lat <= lat_hi:
        y = h / 2 - ((lat - view.lat0) * view.north - view.cy) * view.scale
        out.append(f'<line x1="0" y1="{y:.1f}" x2="{w}" y2="{y:.1f}" stroke="#cfd8dc" stroke-width="0.5"/>')
        if 12 <= y <= h - 16:
            out.append(f'<text x="2" y="{y - 2:.1f}" font-size="10" fill="#78909c">{round(lat, 2):g}°</text>')
        lat += step
    return out


# ---- sites and labels -------------------------------------------------------------------------------------

def _spots(inventory: Inventory, at: dict[str, tuple[float, float]]) -> list[list[str]]:
    """The sites grouped by where their marks fall: sites within SPOT_PX of each other (one building, one
    campus, a cloud region's zones) cannot be told apart on the map and get one label.  In inventory order."""
    cell: dict[tuple[int, int], list[str]] = {}
    for name, (x, y) in at.items():
        cell.setdefault((int(x // SPOT_PX), int(y // SPOT_PX)), []).append(name)
    parent = {name: name for name in at}

    def root(name):
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for (i, j), names in cell.items():
        near = [m for di in (-1, 0, 1) for dj in (-1, 0, 1) for m in cell.get((i + di, j + dj), [])]
        for a in names:
            for b in near:
                if math.dist(at[a], at[b]) <= SPOT_PX:
                    parent[root(a)] = root(b)
    spots: dict[str, list[str]] = {}
    for name in inventory.sites:
        if name in at:
            spots.setdefault(root(name), []).append(name)
    return list(spots.values())


def _spot_lines(spot: list[str], inventory: Inventory) -> list[tuple[str, bool]]:
    """The label of sites at one spot: (text, is a heading) lines, the sites under their campus and building."""
    if len(spot) == 1:
        return [(spot[0], False)]
    lines: list[tuple[str, bool]] = []
    campuses: dict[str | None, dict[str | None, list[str]]] = {}
    for name in spot:
        site = inventory.sites[name]
        campuses.setdefault(site.campus, {}).setdefault(site.building, []).append(name)
    for campus, buildings in campuses.items():
        if campus is not None:
            lines.append((f"campus {campus}", True))
        for building, names in buildings.items():
            lead = f"building {building}: " if building is not None and len(names) > 1 else ""
            lines += [(text, False) for text in _wrap(lead + ", ".join(names))]
    if len(lines) > MAX_LABEL_LINES:
        lines = lines[:MAX_LABEL_LINES - 1] + [(f"… {len(spot)} sites here", True)]
    return lines


def _wrap(text: str, width: int = 34) -> list[str]:
    lines = [""]
    for word in text.split(" "):
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}" if lines[-1] else word
    return lines


def _groups(inventory: Inventory, at, spots) -> tuple[list[str], list]:
    """An outline around the sites of one campus (or of one building without a campus) that lie apart on the
    map (sites at one spot are named together under their campus already), and the outlined areas: (box,
    label, sites in it).
    A group spread wider than GROUP_OUTLINE_PX (a campus tens of kilometres across: a mistake, or a name
    reused) gets no outline, which would cover other sites, but dotted lines between its sites."""
    spot_of = {name: n for n, spot in enumerate(spots) for name in spot}
    groups: dict[str, list[str]] = {}
    for site in inventory.sites.values():
        key = f"campus {site.campus}" if site.campus else f"building {site.building}" if site.building else None
        if key and site.name in at:
            groups.setdefault(key, []).append(site.name)
    outlines, areas = [], []
    for label, names in sorted(groups.items()):
        if len({spot_of[n] for n in names}) < 2:
            continue
        x0, y0, x1, y1 = _marks_box(names, at)
        if max(x1 - x0, y1 - y0) > GROUP_OUTLINE_PX:
            first = at[names[0]]
            outlines += [f'<line class="group" x1="{first[0]:.1f}" y1="{first[1]:.1f}" x2="{at[n][0]:.1f}" '
                         f'y2="{at[n][1]:.1f}" stroke="#90a4ae" stroke-dasharray="1 4"><title>{esc(label)}: '
                         f"{esc(', '.join(names))}</title></line>" for n in names[1:]]
            continue
        box = (x0 - 8, y0 - 8, x1 + 8, y1 + 8)
        outlines.append(f'<rect class="group" x="{box[0]:.1f}" y="{box[1]:.1f}" width="{box[2] - box[0]:.1f}" '
                        f'height="{box[3] - box[1]:.1f}" rx="10" fill="#eceff1" fill-opacity="0.6" stroke="#90a4ae">'
                        f"<title>{esc(label)}: {esc(', '.join(names))}</title></rect>")
        areas.append((box, label, set(names)))
    return outlines, areas


def _marks_box(names, at) -> tuple[float, float, float, float]:
    """The box around the marks of these sites."""
    xs = [at[n][0] for n in names]
    ys = [at[n][1] for n in names]
    return min(xs) - MARK_RADIUS, min(ys) - MARK_RADIUS, max(xs) + MARK_RADIUS, max(ys) + MARK_RADIUS


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _labels(labels, obstacles, areas, map_width: int, map_height: int) -> list[str]:
    """Labels, each (box it names, lines, the sites it names, its class), placed so that none covers another, a site's
    mark or the outline of a group it does not belong to: each in turn at the first free position around what
    it names (right, left, below, above, then the corners), further out ring by ring with a line back to it;
    where none is free, at the position that overlaps least."""
    placed = _Boxes(obstacles)
    out = []
    for anchor, lines, sites, css_class in labels:
        width = max(_text_width(text, LABEL_SIZE) for text, _ in lines) + 4
        height = len(lines) * LABEL_LINE + 3
        # only what lies within reach of the farthest position tried can be overlapped: hundreds of sites
        # make tens of thousands of tries
        reach = 3 + (LABEL_RINGS - 1) * 14  # the widest gap `_candidates` leaves
        around = (anchor[0] - reach - width, anchor[1] - reach - height,
                  anchor[2] + reach + width, anchor[3] + reach + height)
        ax0, ay0, ax1, ay1 = around
        avoid = [box for box in (*placed.near(around), *(box for box, _, members in areas if not members & sites))
                 if box[0] < ax1 and ax0 < box[2] and box[1] < ay1 and ay0 < box[3]]  # `_overlap`, unrolled
        best = None
        for ring, (x, y) in _candidates(anchor, width, height):
            box = x, y, right, bottom = (x, y, x + width, y + height)
            # the overlaps summed in order (`_overlap`, unrolled: comparing first is cheaper, most are apart),
            # stopping once they reach the best cost so far: a dense map tries hundreds of positions a label
            cost, limit = 0, math.inf if best is None else best[0]
            for left, top, other_right, other_bottom in avoid:
                if left < right and x < other_right and top < bottom and y < other_bottom:
                    cost += ((other_right if other_right < right else right) - (left if left > x else x)) * \
                        ((other_bottom if other_bottom < bottom else bottom) - (top if top > y else y))
                    if cost >= limit:
                        break
            if cost >= limit:
                continue
            cost += _outside(box, map_width, map_height)
            if best is None or cost < best[0]:
                best = (cost, ring, box)
            if cost == 0:
                break
        _, ring, box = best
        placed.add(box)
        parts = [f'<g class="{css_class}">']
        if ring:  # away from what it names: a line back to it
            ax, ay = (anchor[0] + anchor[2]) / 2, (anchor[1] + anchor[3]) / 2
            tx, ty = min(max(ax, box[0]), box[2]), min(max(ay, box[1]), box[3])
            parts.append(f'<line class="leader" x1="{ax:.1f}" y1="{ay:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" '
                         'stroke="#78909c" stroke-width="0.8"/>')
        parts.append(f'<text x="{box[0] + 2:.1f}" y="{box[1]:.1f}" font-size="{LABEL_SIZE}" paint-order="stroke" '
                     'stroke="#fbfbf8" stroke-width="3" stroke-linejoin="round">')
        for text, heading in lines:
            fill = ' fill="#546e7a"' if heading else ""
            parts.append(f'<tspan x="{box[0] + 2:.1f}" dy="{LABEL_LINE}"{fill}>{esc(text)}</tspan>')
        parts.append("</text></g>")
        out.append("".join(parts))
    return out


class _Boxes:
    """Boxes on the map, each filed under the cells of a grid it covers: a label asks which lie near it, and on a
    map of 2,000 sites comparing each label with every box placed before it took half a second."""

    CELL = 64  # pixels: a label and the positions tried around it span a few cells

    def __init__(self, boxes):
        self._boxes: list = []
        self._cells: dict[tuple[int, int], list[int]] = {}
        for box in boxes:
            self.add(box)

    def add(self, box) -> None:
        for cell in self._cells_of(box):
            self._cells.setdefault(cell, []).append(len(self._boxes))
        self._boxes.append(box)

    def near(self, area) -> list:
        """Every box in a cell that `area` covers (some of them beyond it), in the order they were added."""
        found = {n for cell in self._cells_of(area) for n in self._cells.get(cell, ())}
        return [self._boxes[n] for n in sorted(found)]

    def _cells_of(self, box):
        x0, y0, x1, y1 = (math.floor(value / self.CELL) for value in box)
        return ((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))


def _candidates(anchor, width, height):
    """(ring, top-left corner) of the positions to try around a box, nearest first."""
    x0, y0, x1, y1 = anchor
    mid_y, mid_x = (y0 + y1) / 2, (x0 + x1) / 2
    for ring in range(LABEL_RINGS):
        gap = 3 + ring * 14
        yield ring, (x1 + gap, mid_y - height / 2)  # right
        yield ring, (x0 - gap - width, mid_y - height / 2)  # left
        yield ring, (x0, y1 + gap)  # below, left-aligned
        yield ring, (x0, y0 - gap - height)  # above, left-aligned
        yield ring, (mid_x - width / 2, y0 - gap - height)  # above
        yield ring, (mid_x - width / 2, y1 + gap)  # below
        yield ring, (x1 + gap, y0 - gap - height)  # above right
        yield ring, (x0 - gap - width, y0 - gap - height)  # above left
        yield ring, (x1 + gap, y1 + gap)  # below right
        yield ring, (x0 - gap - width, y1 + gap)  # below left


def _overlap(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _outside(box, map_width: int, map_height: int) -> float:
    """How much of a box falls off the map, or on the strip of longitude labels at its foot (weighted: a label
    cut by the edge is worse than one that covers another)."""
    x0, y0, x1, y1 = box
    inside = _overlap(box, (2, 2, map_width - 2, map_height - 16))
    return 10 * ((x1 - x0) * (y1 - y0) - inside)


def _scale_bar(scale: float, height: int) -> str:
    km = next((k for k in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if k * scale >= 60), 10000)
    x, y = 20, height - 24
    return (f'<g class="scale"><line x1="{x}" y1="{y}" x2="{x + km * scale:.1f}" y2="{y}" stroke="#37474f" '
            f'stroke-width="3"/><text x="{x}" y="{y - 6}" font-size="11">{km} km</text></g>')
