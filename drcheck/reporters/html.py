"""`--format html`: one self-contained page for people who do not read YAML (a risk officer, an e-mail).

Styles, the sorting script and both pictures are inline: opening the file
makes no request to any server.  The map projects the sites' coordinates
onto a local equirectangular plane (kilometres east and north of the
estate's centre, east scaled by the cosine of the centre's latitude), which
keeps local distances honest over the few hundred kilometres a DR estate
spans; there is no coastline (no map data ships with drcheck), only a
graticule.  Every name is escaped (`safe.html_attribute`).
"""
from __future__ import annotations

import json
import math
import os

from ..findings import SEVERITIES
from ..model import Inventory, Service
from ..report import Report, percent
from ..scoring import FORMULA
from . import View
from .safe import html_attribute as esc, html_lines

MAX_FINDINGS = 5000  # rows beyond this make a page no browser scrolls comfortably
MAX_GRAPH_SERVICES = 150  # a dependency drawing beyond this is unreadable
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 860, 520, 60
MARK_RADIUS = 5
SPOT_PX = 12  # sites whose marks are nearer than this share one label
LABEL_SIZE, LABEL_LINE = 12, 14  # font size and line height of the site labels, in pixels
CHAR_WIDTH = 0.66  # a generous average advance of a character, in font sizes: estimated boxes hold the text
LABEL_RINGS = 8  # how far out a label may move from what it names, in steps of 14 pixels
MAX_LABEL_LINES = 8
GROUP_OUTLINE_PX = 80  # the widest campus or building outlined; the map shows 4 pixels per km at most
SCALE_BAR_BOX = (16, MAP_HEIGHT - 42, 160, MAP_HEIGHT - 18)  # kept free of labels
EARTH_RADIUS_KM = 6371.0088
DEFAULT_MIN_DISTANCE_KM = 40.0
COLORS = {"critical": "#b71c1c", "high": "#e65100", "medium": "#f9a825", "low": "#1565c0", "info": "#757575",
          "unknown": "#6a1b9a", "error": "#4a148c"}

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 40px;color:#1b1b1b}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.muted{color:#666}.pass{color:#1b5e20;font-weight:600}.fail{color:#b71c1c;font-weight:600}
.score{font-size:32px;font-weight:700;margin-right:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e4e4e4;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0;white-space:nowrap}th.sort{cursor:pointer;user-select:none}th.sort:after{content:" \\2195";color:#aaa}
td.num,th.num{text-align:right}.sev{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
details summary{cursor:pointer;color:#444}pre.mono{white-space:pre-wrap;overflow-wrap:anywhere}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
svg{background:#fbfbf8;border:1px solid #ddd;max-width:100%;height:auto}
@media (max-width:700px){table{display:block;overflow-x:auto}th{position:static}}
.legend span{display:inline-block;margin-right:14px}.chip{display:inline-block;width:18px;height:4px;vertical-align:middle;margin-right:4px}
"""

SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th.sort').forEach(function(th, column){
    th.addEventListener('click', function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var down = th.dataset.dir !== 'asc'; th.dataset.dir = down ? 'asc' : 'desc';
      rows.sort(function(a, b){
        var x = a.cells[column].dataset.key || a.cells[column].textContent;
        var y = b.cells[column].dataset.key || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return down ? c : -c;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
document.documentElement.dataset.sortable = 'ready';
"""


def render(report: Report, view: View = View()) -> str:
    name = report.inventory_name or "inventory"
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may be fetched: no scripts, styles, images or fonts from anywhere but this file
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        f"<title>drcheck: {esc(name)}</title><style>{STYLE}</style></head><body>",
        _header(report, name),
        _map(report),
        _dependency_graph(report),
        _scenarios(report),
        _findings(report),
        _waivers(report),
        _score(report),
        f"<script>{SORT_SCRIPT}</script></body></html>\n",
    ]
    return "\n".join(p for p in parts if p)


def _header(report: Report, name: str) -> str:
    counts = report.counts()
    found = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings"
    verdict = ('<span class="pass">gate passed</span>' if report.passed else
               '<span class="fail">gate failed: ' + esc("; ".join(report.gate)) + "</span>")
    files = ", ".join(report.files[:3]) + (f" and {len(report.files) - 3} more" if len(report.files) > 3 else "")
    unplaced = f" ({report.unplaced_count} not yet placed, coverage {percent(report.coverage)})" if report.coverage < 1 else ""
    return (f"<h1>drcheck: {esc(name)}</h1>"
            f'<p class="muted">{report.service_count} services{unplaced}, {report.site_count} sites in {esc(files)} · profile '
            f"{esc(report.profile)} · fail on {esc(report.fail_on)} · as of {report.as_of} · drcheck "
            f"{esc(report.version)}</p>"
            f'<p><span class="score">{report.score.value:g}/100</span> grade {esc(report.score.grade)} · '
            f"{verdict}</p><p>{esc(found)}; {len(report.unknowns)} unknown; "
            f"{sum(f.waived for f in report.findings)} waived</p>")


def _badge(label: str) -> str:
    return f'<span class="sev" style="background:{COLORS.get(label, "#555")}">{esc(label)}</span>'


def _findings(report: Report) -> str:
    ordered = report.by_importance()
    shown = ordered[:MAX_FINDINGS]
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    base = _common_directory(report.files)
    rows = []
    for f in shown:
        owner, tier = report.owner_and_tier(f)
        label = f.severity if f.status == "fail" else f.status
        state = " waived: " + f.waiver_reason if f.waived and f.waiver_reason else " waived" if f.waived else ""
        state += " (in the baseline)" if f.baseline else ""
        where = f"{f.location.file[len(base):] if f.location.file.startswith(base) else f.location.file}:" \
                f"{f.location.line}" if f.location else ""
        evidence = _evidence_json(f.evidence)
        impact = f.weight * f.penalty if f.status == "fail" else 0
        rows.append(
            f'<tr><td data-key="{rank[f.severity] + (5 if f.status != "fail" else 0)}">{_badge(label)}'
            f'{esc(state)}</td><td class="mono">{esc(f.rule)}</td><td>{esc(f.subject)}</td>'
            f"<td>{esc(owner or '')}</td><td class=\"num\">{'' if tier is None else tier}</td>"
            f'<td class="num" data-key="{impact:.3f}">{round(impact, 2):g}</td><td class="mono">{esc(where)}</td>'
            f"<td>{esc(f.message)}<details><summary>evidence</summary><pre class=\"mono\">{html_lines(evidence)}</pre>"
            f"</details></td></tr>")
    cut = (f"<p>The {len(shown)} most important of {len(ordered)} findings are listed; "
           "<code>--format json</code> has every one.</p>") if len(shown) < len(ordered) else ""
    unknown = (f"<p>{len(report.unknowns)} result(s) are <b>unknown</b>: a rule lacked the data it needs (a site "
               "without a location, a service without placements). They are listed with the findings, never "
               "counted as passes.</p>") if report.unknowns else ""
    return ("<h2>Findings</h2>" + unknown + cut +
            '<p class="muted">Click a column to sort. Impact: the tier weight of the subject times the share of '
            "it the finding costs the score.</p>"
            '<table class="sortable" id="findings"><thead><tr><th class="sort">Severity</th><th class="sort">Rule</th>'
            '<th class="sort">Subject</th><th class="sort">Owner</th><th class="sort num">Tier</th>'
            '<th class="sort num">Impact</th><th>Where</th><th>Message</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>") if ordered else "<h2>Findings</h2><p>None.</p>"


_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(", ", ": ")).encode


def _evidence_json(evidence: dict) -> str:
    """JSON with one field per line, each value on its line: json's C encoder writes each value, where
    `indent` would take its Python one (a second for 5,000 findings' evidence)."""
    if not evidence:
        return "{}"
    return "{\n" + ",\n".join(f" {_COMPACT(str(key))}: {_COMPACT(value)}"
                               for key, value in sorted(evidence.items())) + "\n}"


def _common_directory(files: list[str]) -> str:
    """The directory every inventory file is in, with its separator: the Where column shows paths below it
    (the header names the files)."""
    directories = [os.path.dirname(f) for f in files]
    try:
        common = os.path.commonpath(directories) if directories and all(directories) else ""
    except ValueError:  # absolute and relative paths mixed
        return ""
    return common + os.sep if common else ""


# ---- the map -----------------------------------------------------------------------------------------

def _min_distance(report: Report) -> float:
    for rule in report.rules:
        if rule.id == "dr-site-too-close":
            return float(rule.params.get("min_distance_km", DEFAULT_MIN_DISTANCE_KM))
    return DEFAULT_MIN_DISTANCE_KM


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance, for colouring lines (the rules measure geodesics; the two differ by < 0.5 %)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _map(report: Report) -> str:
    inventory = report.inventory
    placed = {n: s.coordinates for n, s in inventory.sites.items() if s.coordinates} if inventory else {}
    if not placed:
        return ""
    lat0 = sum(c[0] for c in placed.values()) / len(placed)
    lon0 = sum(c[1] for c in placed.values()) / len(placed)
    east = math.cos(math.radians(lat0)) * math.pi / 180 * EARTH_RADIUS_KM  # km per degree of longitude here
    north = math.pi / 180 * EARTH_RADIUS_KM

    def plane(c):  # km east and north of the centre
        return ((c[1] - lon0) * east, (c[0] - lat0) * north)

    points = {n: plane(c) for n, c in placed.items()}
    min_km = _min_distance(report)
    xs = [p[0] for p in points.values()]
    ys = [p[1] for p in points.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), min_km * 2.5, 1.0)  # km shown across; never zero
    scale = min((MAP_WIDTH - 2 * MAP_MARGIN), (MAP_HEIGHT - 2 * MAP_MARGIN)) / span  # pixels per km
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def px(p):
        return MAP_WIDTH / 2 + (p[0] - cx) * scale, MAP_HEIGHT / 2 - (p[1] - cy) * scale

    at = {n: px(p) for n, p in points.items()}  # each site's mark, in pixels
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" id="map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
           f'width="{MAP_WIDTH}" height="{MAP_HEIGHT}" role="img" aria-label="map of the sites">']
    svg += _graticule(lat0, lon0, east, north, scale, cx, cy)
    primaries = {p.site for s in inventory.services.values() for p in s.primaries}
    for site in sorted(primaries & set(points)):
        x, y = at[site]
        svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{min_km * scale:.1f}" fill="none" stroke="#90a4ae" '
                   f'stroke-dasharray="4 3"><title>{min_km:g} km around primary {esc(site)}</title></circle>')
    spots = _spots(inventory, at)
    outlines, areas = _groups(inventory, at, spots)
    svg += outlines
    pairs: dict[tuple[str, str], list[str]] = {}
    for service in inventory.services.values():
        for primary in service.primaries:
            for other in service.sites:
                if other != primary.site and primary.site in points and other in points:
                    pairs.setdefault(tuple(sorted((primary.site, other))), []).append(service.name)
    for (a, b), services in sorted(pairs.items()):
        km = _km(placed[a], placed[b])
        color = "#c62828" if km < min_km else "#2e7d32"
        (x1, y1), (x2, y2) = at[a], at[b]
        names = ", ".join(services[:8]) + (f" and {len(services) - 8} more" if len(services) > 8 else "")
        svg.append(f'<line class="pair" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
                   f'stroke-width="{min(6, 1.5 + len(services) ** 0.5):.1f}" stroke-opacity="0.75">'
                   f"<title>{esc(a)} – {esc(b)}: {km:.1f} km; DR pair of {esc(names)}</title></line>")
    for spot in spots:
        if len(spot) > 1:  # several sites at one spot: a ring around them, one label naming them all
            x0, y0, x1, y1 = _marks_box(spot, at)
            svg.append(f'<rect class="spot" x="{x0 - 3:.1f}" y="{y0 - 3:.1f}" width="{x1 - x0 + 6:.1f}" '
                       f'height="{y1 - y0 + 6:.1f}" rx="8" fill="#eceff1" stroke="#90a4ae"/>')
    for site in sorted(points):
        x, y = at[site]
        where = ", ".join(f"{what} {value}" for what, value in (("campus", inventory.sites[site].campus),
                                                                 ("building", inventory.sites[site].building)) if value)
        svg.append(f'<g class="site"><circle cx="{x:.1f}" cy="{y:.1f}" r="{MARK_RADIUS}" '
                   f'fill="{"#263238" if site in primaries else "#78909c"}" stroke="#fbfbf8"/>'
                   f"<title>{esc(site)} ({esc(inventory.sites[site].kind)}{'; ' + esc(where) if where else ''})"
                   "</title></g>")
    labels = [(_marks_box(spot, at), _spot_lines(spot, inventory), set(spot)) for spot in spots]
    labels += [(box, [(name, True)], members) for box, name, members in areas]
    obstacles = [_marks_box([site], at) for site in points] + [SCALE_BAR_BOX]
    svg += _labels(labels, obstacles, areas)
    svg.append(_scale_bar(scale))
    svg.append("</svg>")
    unplaced = sorted(set(inventory.sites) - set(points))
    missing = (f"<p class=\"muted\">Not on the map (no location): {esc(', '.join(unplaced))}</p>" if unplaced else "")
    legend = (f'<p class="legend"><span><i class="chip" style="background:#2e7d32"></i>DR pair {min_km:g} km '
              f'or more apart</span><span><i class="chip" style="background:#c62828"></i>DR pair closer than '
              f"{min_km:g} km (the policy's minimum)</span><span>dashed ring: {min_km:g} km around a primary site"
              "</span><span>grey outline: sites in one campus or building, or too close to tell apart on this "
              "map (one label names them all); grey dotted line: sites of one campus or building far apart</span></p>")
    return ("<h2>Sites</h2><p class=\"muted\">Sites placed by their coordinates on a local flat projection "
            "(distances true near the centre); no coastlines are drawn, only lines of latitude and longitude.</p>"
            + legend + "".join(svg) + missing)


def _graticule(lat0, lon0, east, north, scale, cx, cy) -> list[str]:
    span_deg = max(MAP_WIDTH / scale / east, MAP_HEIGHT / scale / north)
    step = next((s for s in (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 45) if span_deg / s <= 12), 90)
    out = []
    half_w, half_h = MAP_WIDTH / 2 / scale, MAP_HEIGHT / 2 / scale  # km from the view's centre
    lon_lo, lon_hi = lon0 + (cx - half_w) / east, lon0 + (cx + half_w) / east
    lat_lo, lat_hi = lat0 + (cy - half_h) / north, lat0 + (cy + half_h) / north
    lon = math.ceil(lon_lo / step) * step
    while lon <= lon_hi:
        x = MAP_WIDTH / 2 + ((lon - lon0) * east - cx) * scale
        label = f"{round(lon, 2):g}°"
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{MAP_HEIGHT}" stroke="#e0e0e0"/>')
        if x + 2 + _text_width(label, 10) <= MAP_WIDTH:  # a label cut by the edge reads as another number
            out.append(f'<text x="{x + 2:.1f}" y="{MAP_HEIGHT - 4}" font-size="10" fill="#9e9e9e">{label}</text>')
        lon += step
    lat = math.ceil(lat_lo / step) * step
    while lat <= lat_hi:
        y = MAP_HEIGHT / 2 - ((lat - lat0) * north - cy) * scale
        out.append(f'<line x1="0" y1="{y:.1f}" x2="{MAP_WIDTH}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        if 12 <= y <= MAP_HEIGHT - 16:
            out.append(f'<text x="2" y="{y - 2:.1f}" font-size="10" fill="#9e9e9e">{round(lat, 2):g}°</text>')
        lat += step
    return out


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


def _labels(labels, obstacles, areas) -> list[str]:
    """Labels, each (box it names, lines, the sites it names), placed so that none covers another, a site's
    mark or the outline of a group it does not belong to: each in turn at the first free position around what
    it names (right, left, below, above, then the corners), further out ring by ring with a line back to it;
    where none is free, at the position that overlaps least."""
    placed = list(obstacles)
    out = []
    for anchor, lines, sites in labels:
        width = max(_text_width(text, LABEL_SIZE) for text, _ in lines) + 4
        height = len(lines) * LABEL_LINE + 3
        # only what lies within reach of the farthest position tried can be overlapped: hundreds of sites
        # make tens of thousands of tries
        reach = 3 + (LABEL_RINGS - 1) * 14  # the widest gap `_candidates` leaves
        around = (anchor[0] - reach - width, anchor[1] - reach - height,
                  anchor[2] + reach + width, anchor[3] + reach + height)
        ax0, ay0, ax1, ay1 = around
        avoid = [box for box in (*placed, *(box for box, _, members in areas if not members & sites))
                 if box[0] < ax1 and ax0 < box[2] and box[1] < ay1 and ay0 < box[3]]  # `_overlap`, unrolled
        best = None
        for ring, (x, y) in _candidates(anchor, width, height):
            box = (x, y, x + width, y + height)
            cost = sum(_overlap(box, other) for other in avoid  # comparing first is cheaper: most are apart
                       if other[0] < box[2] and box[0] < other[2] and other[1] < box[3] and box[1] < other[3])
            cost += _outside(box)
            if best is None or cost < best[0]:
                best = (cost, ring, box)
            if cost == 0:
                break
        _, ring, box = best
        placed.append(box)
        parts = ['<g class="label">']
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


def _outside(box) -> float:
    """How much of a box falls off the map, or on the strip of longitude labels at its foot (weighted: a label
    cut by the edge is worse than one that covers another)."""
    x0, y0, x1, y1 = box
    inside = _overlap(box, (2, 2, MAP_WIDTH - 2, MAP_HEIGHT - 16))
    return 10 * ((x1 - x0) * (y1 - y0) - inside)


def _scale_bar(scale: float) -> str:
    km = next((k for k in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if k * scale >= 60), 10000)
    x, y = 20, MAP_HEIGHT - 24
    return (f'<g class="scale"><line x1="{x}" y1="{y}" x2="{x + km * scale:.1f}" y2="{y}" stroke="#37474f" '
            f'stroke-width="3"/><text x="{x}" y="{y - 6}" font-size="11">{km} km</text></g>')


# ---- the dependency graph ------------------------------------------------------------------------------

def _dependency_graph(report: Report) -> str:
    inventory = report.inventory
    if not inventory or not inventory.services:
        return ""
    if len(inventory.services) > MAX_GRAPH_SERVICES:
        return (f"<h2>Dependencies</h2><p>{len(inventory.services)} services are too many to draw readably; "
                "<code>drcheck graph --format dot</code> draws them for Graphviz.</p>")
    graph = report.graph
    worst = report.scenarios[0] if report.scenarios else None
    down = set(worst.down) if worst else set()
    causes = worst.causes if worst else {}
    services = [s for _, s in graph.nodes(data="service") if s is not None]
    columns: dict[int, list[Service]] = {}
    for service in services:
        columns.setdefault(service.tier, []).append(service)
    box_w, box_h, gap_x, gap_y, top = 190, 38, 90, 14, 40
    position = {}
    for column, tier in enumerate(sorted(columns)):
        for row, service in enumerate(columns[tier]):
            position[service.name] = (20 + column * (box_w + gap_x), top + row * (box_h + gap_y))
    width = 40 + len(columns) * (box_w + gap_x) - gap_x
    height = top + max(len(c) for c in columns.values()) * (box_h + gap_y) + 10
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" id="graph" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="dependency graph">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#546e7a"/></marker></defs>']
    for column, tier in enumerate(sorted(columns)):
        svg.append(f'<text x="{20 + column * (box_w + gap_x)}" y="24" font-size="13" font-weight="bold">tier {tier}'
                   "</text>")
    sites: dict[str, int] = {}  # service -> how many sites it runs on
    backups: dict[str, int] = {}  # service -> how many backups it keeps
    for service in services:
        x, y = position[service.name]
        edges = graph.succ[f"service:{service.name}"]
        sites[service.name] = sum("placement" in e for e in edges.values())
        backups[service.name] = sum(e.get("backups", 0) for e in edges.values())
        for to, e in edges.items():
            if e.get("depends"):
                svg.append(_edge((x, y), position[to[8:]], box_w, box_h,
                                 "" if e["depends"] == "hard" else ' stroke-dasharray="6 4"',
                                 f"{service.name} needs {to[8:]}" + ("" if e["depends"] == "hard" else " (soft)")
                                 + (f" or any of {', '.join(n for n in e['any_of'] if n != to[8:])}" if "any_of" in e else "")))
        if sites[service.name] > 1:  # a service on one site has nothing to fail over to
            for to, e in edges.items():
                if e.get("recovery"):
                    svg.append(_edge((x, y), position[to[8:]], box_w, box_h,
                                     ' stroke="#8e24aa" stroke-dasharray="2 3"', f"failing {service.name} over needs {to[8:]}"))
    for service in services:
        x, y = position[service.name]
        is_down = service.name in down
        why = causes[service.name].describe() if is_down and service.name in causes else ""
        kept = f" · {backups[service.name]} backup(s)" if backups[service.name] else (
            " · no backup" if service.kind == "data" else "")
        svg.append(f'<g class="service{" down" if is_down else ""}"><rect x="{x}" y="{y}" width="{box_w}" '
                   f'height="{box_h}" rx="{12 if service.kind == "data" else 4}" '
                   f'fill="{"#ffcdd2" if is_down else "#ffffff"}" stroke="{"#c62828" if is_down else "#78909c"}" '
                   f'stroke-width="{2 if is_down else 1}"/><text x="{x + 6}" y="{y + 15}" font-size="12">'
                   f"{esc(_short(service.name))}</text><text x=\"{x + 6}\" y=\"{y + 30}\" font-size=\"10\" "
                   f'fill="#607d8b">{esc(service.kind)} · {sites[service.name]} site(s){esc(kept)}</text>'
                   f"<title>{esc(service.name)}{': DOWN, ' + esc(why) if why else ''}</title></g>")
    svg.append("</svg>")
    caption = (f"red: what losing <b>{esc(' + '.join(str(d) for d in worst.lost))}</b> takes down "
               f"({len(worst.down)} services, {worst.impact:.1%} of the tier weight); hover a box for why"
               if worst else "no single failure takes anything down")
    return ("<h2>Dependencies</h2><p class=\"muted\">Services by tier. Solid arrow: hard dependency; dashed: soft; "
            f"purple dotted: what a failover needs (recovery_needs); rounded boxes hold data. {caption}.</p>"
            + "".join(svg))


def _edge(a, b, box_w, box_h, style: str, title: str) -> str:
    (x1, y1), (x2, y2) = a, b
    start = (x1 + box_w, y1 + box_h / 2) if x2 > x1 else (x1, y1 + box_h / 2)
    end = (x2, y2 + box_h / 2) if x2 > x1 else (x2 + box_w, y2 + box_h / 2)
    if x1 == x2:  # same tier: leave and enter on the right
        start, end = (x1 + box_w, y1 + box_h / 2), (x2 + box_w, y2 + box_h / 2)
        bend = x1 + box_w + 30 + abs(y2 - y1) / 12
        path = f"M{start[0]},{start[1]} C{bend},{start[1]} {bend},{end[1]} {end[0]},{end[1]}"
    else:
        middle = (start[0] + end[0]) / 2
        path = f"M{start[0]},{start[1]} C{middle},{start[1]} {middle},{end[1]} {end[0]},{end[1]}"
    stroke = "" if "stroke=" in style else ' stroke="#546e7a"'
    return (f'<path d="{path}" fill="none"{stroke}{style} marker-end="url(#arrow)"><title>{esc(title)}</title>'
            "</path>")


def _short(name: str, limit: int = 26) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


# ---- scenarios, waivers, score ---------------------------------------------------------------------------

def _scenarios(report: Report) -> str:
    if not report.scenarios:
        return ""
    rows = []
    for s in report.scenarios:
        rows.append(f"<tr><td>{esc(' + '.join(str(d) for d in s.lost))}</td><td class=\"num\">{s.impact:.1%}</td>"
                    f"<td>{len(s.down)}: {esc(_names(s.down))}</td><td>{esc(_names(s.data_lost)) or '—'}</td></tr>")
    worst = report.scenarios[0]
    why = "".join(f"<li>{esc(name)}: {esc(cause.describe())}</li>" for name, cause in worst.causes_of(worst.down[:50]).items())
    return ("<h2>Worst single failures</h2><table><thead><tr><th>Lost</th><th class=\"num\">Impact</th>"
            "<th>Down</th><th>Data lost</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f"<details open><summary>Why losing {esc(' + '.join(str(d) for d in worst.lost))} takes "
            f"{len(worst.down)} services down</summary><ul>{why}</ul></details>")


def _waivers(report: Report) -> str:
    waived = [f for f in report.findings if f.waived]
    if not (waived or report.expired_waivers or report.unused_waivers):
        return ""
    rows = [f"<tr><td>applied</td><td>{esc(f.rule)}</td><td>{esc(f.subject)}</td><td>{esc(f.waiver_reason or '')}"
            "</td><td></td></tr>" for f in waived]
    rows += [f"<tr><td class=\"fail\">expired: no longer applies</td><td>{esc(w.rule)}</td><td>{esc(w.subject)}</td>"
             f"<td>{esc(w.reason)}</td><td>{w.expires}</td></tr>" for w in report.expired_waivers]
    rows += [f"<tr><td>unused: matches no finding</td><td>{esc(w.rule)}</td><td>{esc(w.subject)}</td>"
             f"<td>{esc(w.reason)}</td><td>{w.expires}</td></tr>" for w in report.unused_waivers]
    return ("<h2>Waivers</h2><table><thead><tr><th>State</th><th>Rule</th><th>Subject</th><th>Reason</th>"
            "<th>Expires</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _score(report: Report) -> str:
    rows = "".join(f"<tr><td class=\"mono\">{esc(r.rule)}</td><td>{esc(r.severity)}</td><td class=\"num\">"
                   f"{r.evaluated}</td><td class=\"num\">{r.failed}</td><td class=\"num\">{r.unknown}</td>"
                   f"<td class=\"num\">{r.gain:+g}</td></tr>" for r in report.score.rules)
    return (f"<h2>How the score is computed</h2><p>{esc(FORMULA)}</p><table class=\"sortable\"><thead><tr>"
            '<th class="sort">Rule</th><th class="sort">Severity</th><th class="sort num">Evaluated</th>'
            '<th class="sort num">Failing</th><th class="sort num">Unknown</th><th class="sort num">Gain if fixed'
            f"</th></tr></thead><tbody>{rows}</tbody></table>")


def _names(names: list[str], limit: int = 12) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
