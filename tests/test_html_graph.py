"""The HTML report's dependency graph: a layered drawing, left to right, whose arrows meet each box at their
own ports and pass between boxes, never through one; an estate too large to draw is summarised by site."""
from __future__ import annotations

import random
import re
import sys

import pytest

from conftest import SAMPLES, run_audit


def page_of(path) -> tuple[object, str]:
    from drcheck.reporters import render

    report = run_audit(path)
    return report, render("audit", "html", report)


def boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    found = re.findall(r'<g class="service[^"]*"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"'
                       r".*?<title>([^<:]+)", svg)
    return {name: (float(x), float(y), float(x) + float(w), float(y) + float(h)) for x, y, w, h, name in found}


def edges(svg: str) -> list[tuple[str, str, str]]:
    """(kind, path, title) of every arrow."""
    return re.findall(r'<path class="edge (\w+)" d="([^"]+)"[^>]*><title>([^<]*)</title>', svg)


def sampled(path: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands."""
    tokens = re.findall(r"([MLC])([^MLC]*)", path)
    points, here = [], None
    for command, args in tokens:
        xy = [tuple(map(float, pair.split(","))) for pair in args.split()]
        if command == "M":
            here = xy[0]
            points.append(here)
        elif command == "L":
            points += [(here[0] + (xy[0][0] - here[0]) * t / 20, here[1] + (xy[0][1] - here[1]) * t / 20)
                       for t in range(1, 21)]
            here = xy[0]
        else:
            (c1, c2, end) = xy
            for step in range(1, 21):
                t = step / 20
                points.append(tuple((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2
                                    + t ** 3 * p3 for p0, p1, p2, p3 in zip(here, c1, c2, end)))
            here = end
    return points


def graph_svg(page: str) -> str:
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" id="graph"'):]
    return svg[:svg.index("</svg>")]


def layered_estate(services: int, seed: int = 7) -> str:
    """An estate in four layers (front ends, APIs, platform, data stores), each service needing one to three
    of the next layers, as an organisation's usually does."""
    rng = random.Random(seed)
    sizes = [services * 3 // 10, services * 3 // 10, services // 4]
    sizes.append(services - sum(sizes))
    names = [[f"{prefix}-{i}" for i in range(n)] for prefix, n in zip(("web", "api", "platform", "store"), sizes)]
    out = ["version: 1", "sites:", "  a: {location: [37.40, 127.10]}", "  b: {location: [35.18, 129.07]}",
           "services:"]
    for layer, group in enumerate(names):
        for name in group:
            out.append(f"  {name}:\n    kind: {'data' if layer == 3 else 'app'}\n    tier: {rng.randrange(3)}")
            out.append("    placements: [{site: a}, {site: b, role: standby}]")
            if layer < 3:
                needs = rng.sample(names[layer + 1], min(len(names[layer + 1]), rng.randrange(1, 3)))
                if layer < 2 and rng.random() < 0.3:
                    needs.append(rng.choice(names[layer + 2]))
                out.append("    depends_on: [" + ", ".join(needs) + "]")
            else:
                out.append("    backups: [{site: b}]")
    return "\n".join(out) + "\n"


@pytest.fixture(params=["kakao-2022", "multi-region-cloud", "layered-15", "layered-60"])
def drawn(request, tmp_path):
    if request.param.startswith("layered-"):
        path = tmp_path / f"{request.param}.yaml"
        path.write_text(layered_estate(int(request.param.split("-")[1])), encoding="utf-8")
    else:
        path = SAMPLES / f"{request.param}.yaml"
    report, page = page_of(path)
    return report, graph_svg(page), page


def test_one_svg_draws_every_service_once_and_every_dependency(drawn):
    report, svg, page = drawn
    assert page.count('id="graph"') == 1
    assert sorted(boxes(svg)) == sorted(report.inventory.services)
    needs = {(name, d.service) for name, s in report.inventory.services.items() for d in s.depends_on}
    drawn_needs = {tuple(title.split(" needs ")) for kind, _, title in edges(svg) if kind in ("hard", "soft")}
    assert {(a, b.removesuffix(" (soft)")) for a, b in drawn_needs} == needs


def test_a_service_stands_left_of_what_it_needs_in_layers(drawn):
    report, svg, _ = drawn
    at = boxes(svg)
    columns = sorted({round(box[0]) for box in at.values()})
    assert len(columns) >= 2  # layers, not one column per tier
    backwards = 0
    for kind, _, title in edges(svg):
        if kind == "hard":
            source, target = title.split(" needs ")
            backwards += at[source][0] >= at[target][0]
    assert backwards == 0  # none of these estates has a cycle: every arrow goes right


def test_arrows_meet_their_boxes_at_ports_of_their_own(drawn):
    _, svg, _ = drawn
    ends = []
    for _, path, _ in edges(svg):
        points = sampled(path)
        ends += [("start", round(points[0][0], 1), round(points[0][1], 1)),
                 ("end", round(points[-1][0], 1), round(points[-1][1], 1))]
    assert len(ends) == len(set(ends))  # no two arrows leave, or arrive at, one point


def test_arrows_pass_between_boxes_never_through_one(drawn):
    _, svg, _ = drawn
    at = boxes(svg)
    for _, path, title in edges(svg):
        names = re.split(r" needs | over needs |failing ", title.removesuffix(" (soft)"))
        ends = {n for n in names if n in at}
        for x, y in sampled(path):
            crossed = [n for n, (x0, y0, x1, y1) in at.items()
                       if n not in ends and x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1]
            assert not crossed, (title, crossed)


def test_beyond_sixty_services_a_summary_by_failure_domain_not_a_drawing(tmp_path):
    sys.path.insert(0, str(SAMPLES.parent / "benchmarks"))
    from synthetic import synthetic_inventory

    path = tmp_path / "synthetic-300.yaml"
    path.write_text(synthetic_inventory(300, sites=40), encoding="utf-8")
    report, page = page_of(path)
    assert 'id="graph"' not in page
    table = page[page.index('<table class="sortable" id="domains">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><td class="name">([^<]*)</td><td class="num">(\d+)</td>', table)
    placed_first = {s.placements[0].site for s in report.inventory.services.values() if s.placements}
    assert {site for site, _ in rows} == placed_first
    assert sum(int(n) for _, n in rows) == len(report.inventory.services)
    assert "300 services are too many to draw one box each, so they are summarised by failure domain" in page


def test_a_drawing_too_large_to_read_is_summarised_too(tmp_path):
    """Sixty services in a chain twenty deep would be a drawing several screens wide."""
    sys.path.insert(0, str(SAMPLES.parent / "benchmarks"))
    from synthetic import synthetic_inventory

    path = tmp_path / "synthetic-60.yaml"
    path.write_text(synthetic_inventory(60, sites=12), encoding="utf-8")
    _, page = page_of(path)
    assert 'id="graph"' not in page and 'id="domains"' in page
    assert re.search(r"these 60 services&#39; dependencies would take \d+ x \d+ pixels, so they are summarised", page)


def test_the_same_estate_is_drawn_the_same_every_time(tmp_path):
    # a recovery need that runs against the dependencies makes a cycle: grandalf breaks it by the order it is
    # given the edges, which must not be the order of a set of objects (it changes from run to run)
    path = tmp_path / "cycle.yaml"
    path.write_text(layered_estate(15) + "  ops:\n    kind: ops\n    tier: 0\n    placements: [{site: a}]\n"
                    "    depends_on: [web-0, api-1, store-0]\n", encoding="utf-8")
    drawings = {graph_svg(page_of(path)[1]) for _ in range(6)}
    assert len(drawings) == 1
