"""`--format html`: one self-contained page, every name escaped, a map and a dependency graph drawn from the
inventory; rendered by a real browser (Debian's chromium) when one is installed."""
from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SAMPLES, drcheck, run_audit
from drcheck.reporters.sitemap import MAP_HEIGHT, MAP_WIDTH

KAKAO = SAMPLES / "kakao-2022.yaml"
HOSTILE = "talk\"'><script>alert(1)</script><img src=x onerror=alert(2)>"

INVENTORY = f"""\
version: 1
name: "estate <b>bold</b>"
sites:
  pangyo: {{location: [37.4005, 127.1070], campus: pangyo-valley}}
  pangyo-2: {{location: [37.4020, 127.1100], campus: pangyo-valley}}
  anyang: {{location: [37.3943, 126.9568]}}
  busan: {{location: [35.1796, 129.0756]}}
  vault: {{kind: vault}}
services:
  '{HOSTILE.replace("'", "''")}':
    tier: 0
    owner: "<i>team</i>"
    placements: [{{site: pangyo}}, {{site: anyang, role: standby}}]
    depends_on: [auth]
  auth:
    tier: 0
    placements: [{{site: pangyo}}, {{site: busan, role: standby}}]
  store:
    kind: data
    tier: 1
    placements: [{{site: pangyo-2}}]
    backups: [{{site: vault}}]
"""


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(text: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(text)
    return parser.tags


@pytest.fixture
def page(tmp_path):
    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    result = drcheck("audit", "inv.yaml", "--format", "html", "--as-of", "2026-11-01", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    return result.stdout


def test_the_page_is_self_contained(page):
    found = tags(page)
    assert [t for t, _ in found].count("script") == 1  # ours, inline
    assert not [(t, a) for t, a in found if t in ("link", "img", "iframe", "object", "embed")]
    assert not [a for _, a in found if "src" in a]
    # links are not requests: only to a rule's page, and only from an <a> the reader clicks
    assert not [(t, a) for t, a in found if "href" in a and (t != "a" or not a["href"].startswith("https://"))]
    assert "default-src 'none'" in page  # and the page forbids any request should one slip in
    assert not re.search(r"url\((?!#)", page)


def test_every_name_is_escaped(page):
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "talk&quot;&#39;&gt;" in page  # cannot close an attribute either
    assert "&lt;i&gt;team&lt;/i&gt;" in page
    # the hostile name breaks no element: every attribute the parser sees is one we wrote
    names = {name for _, attributes in tags(page) for name in attributes}
    assert "onerror" not in names


def test_the_map_draws_sites_pairs_by_distance_and_campuses(page):
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" id="map"'):]
    svg = svg[:svg.index("</svg>")]
    pairs = re.findall(r'<line class="pair"[^>]*stroke="(#[0-9a-f]+)"[^>]*><title>([^<]*)</title>', svg)
    by_sites = {title.split(":")[0]: (colour, title) for colour, title in pairs}
    close, far = by_sites["anyang – pangyo"], by_sites["busan – pangyo"]
    assert close[0] == "#c62828" and "13.3 km" in close[1]  # nearer than the 40 km minimum: red
    assert far[0] == "#2e7d32" and re.search(r"3\d\d\.\d km", far[1])
    assert "campus pangyo-valley" in svg  # two sites on one campus are outlined together
    assert re.findall(r"40 km around primary ([\w-]+)", svg) == ["pangyo", "pangyo-2"]  # primaries only
    assert "Not on the map (no location): vault" in page


def test_the_policys_minimum_distance_colours_the_pairs(tmp_path):
    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "policy.yaml").write_text("rules:\n  dr-site-too-close: {min_distance_km: 10}\n")
    page = drcheck("audit", "inv.yaml", "--policy", "policy.yaml", "--format", "html", cwd=tmp_path).stdout
    assert re.search(r'stroke="#2e7d32"[^>]*><title>anyang – pangyo: 13\.3 km', page)
    assert "10 km around primary pangyo" in page


def test_the_graph_shows_what_the_worst_single_failure_takes_down():
    from drcheck.reporters import render

    report = run_audit(KAKAO)
    page = render("audit", "html", report)
    worst = report.scenarios[0]
    assert f"what losing <b>{worst.lost[0]}</b> takes down ({len(worst.down)} services" in page
    down = re.findall(r'<g class="service down">.*?<title>([^<:]*)', page)
    assert sorted(down) == sorted(worst.down)
    assert "kakaotalk: DOWN, hard dependency chain kakaotalk → kakao-auth" in page


def test_findings_are_sortable_and_cut_on_a_large_estate(monkeypatch):
    from drcheck.reporters import html, render

    report = run_audit(KAKAO)
    monkeypatch.setattr(html, "MAX_FINDINGS", 5)
    page = render("audit", "html", report)
    table = page[page.index('<table class="sortable" id="findings">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 1 + 5
    assert f"The 5 most important of {len(report.findings)} findings are listed" in page
    assert table.count('<th class="sort') == 6  # severity, rule, subject, owner, tier, impact
    assert ">critical</span>" in table and ">medium</span>" not in table


def test_findings_name_files_below_the_inventory_s_directory_and_round_the_impact():
    from drcheck.reporters import render

    page = render("audit", "html", run_audit(KAKAO))  # audited by its absolute path
    assert f"3 sites in {KAKAO} ·" in page  # the header names the file in full
    assert '<td class="mono">kakao-2022.yaml:120</td>' in page and f"{KAKAO}:" not in page
    assert '<td class="num" data-key="4.293">4.29</td>' in page  # single-site-concentration: 8 × 0.5366


# ---- the map's labels ------------------------------------------------------------------------------------

def map_svg(page: str) -> str:
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" id="map"'):]
    return svg[:svg.index("</svg>")]


def label_boxes(page: str) -> list[tuple[tuple[float, float, float, float], list[str]]]:
    """Each map label's box, from its text's position and an estimated width, with its lines."""
    from drcheck.reporters.sitemap import CHAR_WIDTH, LABEL_LINE, LABEL_SIZE

    out = []
    for x, y, inner in re.findall(r'<g class="label[^"]*">(?:<line [^>]*/>)?<text x="([-\d.]+)" y="([-\d.]+)"[^>]*>'
                                  r"(.*?)</text></g>", map_svg(page)):
        lines = [unescape(t) for t in re.findall(r"<tspan[^>]*>(.*?)</tspan>", inner)]
        width = max(len(t) for t in lines) * LABEL_SIZE * CHAR_WIDTH
        out.append(((float(x), float(y), float(x) + width, float(y) + len(lines) * LABEL_LINE + 3), lines))
    return out


def mark_boxes(page: str) -> list[tuple[float, float, float, float]]:
    marks = re.findall(r'<g class="site"><circle cx="([-\d.]+)" cy="([-\d.]+)" r="([\d.]+)"', map_svg(page))
    return [(float(x) - float(r), float(y) - float(r), float(x) + float(r), float(y) + float(r)) for x, y, r in marks]


def overlaps(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def synthetic_300(tmp_path):
    sys.path.insert(0, str(SAMPLES.parent / "benchmarks"))
    from synthetic import synthetic_inventory

    path = tmp_path / "synthetic-300.yaml"
    path.write_text(synthetic_inventory(300, sites=40), encoding="utf-8")
    return path


@pytest.mark.parametrize("sample", ["kakao-2022", "ovh-sbg-2021", "naver-2022", "multi-region-cloud", "synthetic-300"])
def test_no_map_label_covers_another_or_a_site(sample, tmp_path):
    from drcheck.reporters import render

    path = synthetic_300(tmp_path) if sample == "synthetic-300" else SAMPLES / f"{sample}.yaml"
    report = run_audit(path)
    page = render("audit", "html", report)
    labels, marks = label_boxes(page), mark_boxes(page)
    assert len(marks) == sum(s.coordinates is not None for s in report.inventory.sites.values())
    for (a, lines_a), (b, lines_b) in itertools.combinations(labels, 2):
        assert not overlaps(a, b), (lines_a, lines_b)
    for box, lines in labels:
        assert not [m for m in marks if overlaps(box, m)], lines
        assert 0 <= box[0] and box[2] <= MAP_WIDTH and 0 <= box[1] and box[3] <= MAP_HEIGHT, lines
    named = [name for _, lines in labels for line in lines for name in re.split(r", |: ", line)]
    assert sorted(n for n in named if n in report.inventory.sites) == sorted(
        n for n, s in report.inventory.sites.items() if s.coordinates)  # every site named once


def test_sites_at_one_spot_share_one_label_under_their_campus():
    from drcheck.reporters import render

    page = render("audit", "html", run_audit(SAMPLES / "ovh-sbg-2021.yaml"))
    lines = [lines for _, lines in label_boxes(page) if "campus ovh-strasbourg" in lines]
    assert lines == [["campus ovh-strasbourg", "ovh-sbg1", "ovh-sbg2", "ovh-sbg3", "ovh-sbg4"]]  # one building each
    assert '<tspan x="' in map_svg(page) and 'fill="#546e7a">campus ovh-strasbourg</tspan>' in map_svg(page)
    page = render("audit", "html", run_audit(SAMPLES / "multi-region-cloud.yaml"))
    assert ["euw1-az-a, euw1-az-b, euw1-az-c"] in [lines for _, lines in label_boxes(page)]


def test_a_campus_spread_across_the_map_is_outlined_and_labelled_clear_of_its_sites(tmp_path):
    from drcheck.reporters import render

    (tmp_path / "inv.yaml").write_text("""\
version: 1
sites:
  north-a: {location: [37.50, 127.00], campus: river}
  north-b: {location: [37.56, 127.06], campus: river}
  south: {location: [37.30, 127.00]}
  far: {location: [36.40, 127.40], campus: scattered}
  far-2: {location: [37.40, 127.30], campus: scattered}
services:
  app:
    placements: [{site: north-a}, {site: south, role: standby}]
  db:
    kind: data
    placements: [{site: north-b}, {site: far, role: standby}, {site: far-2, role: standby}]
""", encoding="utf-8")
    page = render("audit", "html", run_audit(tmp_path / "inv.yaml"))
    svg = map_svg(page)
    assert re.search(r'<rect class="group"[^>]*><title>campus river: north-a, north-b</title>', svg)
    assert re.search(r'<line class="group"[^>]*><title>campus scattered: far, far-2</title>', svg)  # too wide
    labels = label_boxes(page)
    assert sorted(lines[0] for _, lines in labels if not lines[0].endswith(" km")) == ["campus river", "far", "far-2", "north-a", "north-b", "south"]
    for (a, _), (b, _) in itertools.combinations(labels, 2):
        assert not overlaps(a, b)


def test_graticule_labels_are_whole_numbers_never_cut_by_the_edge():
    from drcheck.reporters import render

    svg = map_svg(render("audit", "html", run_audit(SAMPLES / "multi-region-cloud.yaml")))
    degrees = re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)" font-size="10" fill="#78909c">([^<]*)</text>', svg)
    assert degrees and all(re.fullmatch(r"-?\d+(\.\d+)?°", text) for _, _, text in degrees)
    assert "0°" in [text for _, _, text in degrees] and "0.00°" not in svg
    assert all(0 <= float(x) and float(x) + len(t) * 10 * 0.66 <= MAP_WIDTH for x, _, t in degrees)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install chromium)")
def test_a_real_browser_renders_the_page(tmp_path):
    report_file = tmp_path / "kakao.html"
    assert drcheck("audit", KAKAO, "--format", "html", "-o", report_file, "--as-of", "2026-11-01").returncode == 1
    common = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1800"]
    dom = subprocess.run([*common, "--dump-dom", report_file.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr
    assert 'data-sortable="ready"' in dom.stdout  # the inline script ran without an error
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="map"' in dom.stdout and 'id="graph"' in dom.stdout
    assert dom.stdout.count('<g class="site">') == 3
    png = tmp_path / "kakao.png"
    shot = subprocess.run([*common, f"--screenshot={png}", report_file.as_uri()], capture_output=True, text=True,
                          timeout=120)
    assert shot.returncode == 0, shot.stderr
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 1280 and int.from_bytes(header[20:24], "big") == 1800


MEASURE = """<script>
var box = function(e){ var b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
var all = function(selector){ return JSON.stringify(Array.prototype.map.call(document.querySelectorAll(selector), box)); };
document.body.dataset.labels = all('#map g.label text');
document.body.dataset.marks = all('#map g.site circle');
</script></body>"""


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("sample", ["kakao-2022", "ovh-sbg-2021", "naver-2022", "multi-region-cloud", "synthetic-300"])
def test_in_a_real_browser_no_map_label_covers_another_or_a_site(sample, tmp_path):
    """The boxes the browser draws the labels in (getBBox), not estimates."""
    path = synthetic_300(tmp_path) if sample == "synthetic-300" else SAMPLES / f"{sample}.yaml"
    page = tmp_path / "page.html"
    assert drcheck("audit", path, "--format", "html", "-o", page).returncode == (0 if sample == "naver-2022" else 1)
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE), encoding="utf-8")
    dom = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    labels = json.loads(unescape(re.search(r'data-labels="([^"]*)"', dom.stdout).group(1)))
    marks = json.loads(unescape(re.search(r'data-marks="([^"]*)"', dom.stdout).group(1)))
    assert labels and marks
    assert not [(a, b) for a, b in itertools.combinations(labels, 2) if overlaps(a, b)]
    assert not [(a, m) for a in labels for m in marks if overlaps(a, m)]



def test_each_builtin_rule_links_to_its_documentation_page_and_a_plugin_s_does_not(tmp_path):
    from drcheck.reporters.html import RULE_DOCS

    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "org_rules").mkdir()
    (tmp_path / "org_rules" / "owner.py").write_text('''\
from drcheck.api import Rule


class OwnerMissing(Rule):
    """Finds services that name no owner."""

    id = "owner-missing"
    title = "Service without an owner"
    severity = "high"
    remediation = "Name the team that owns it."

    def check(self, ctx, service):
        if not service.owner:
            return self.fail(service, f"{service.name} names no owner")
''', encoding="utf-8")
    page = drcheck("audit", "inv.yaml", "--format", "html", "--rules-dir", "org_rules", cwd=tmp_path).stdout
    links = {a["href"] for t, a in tags(page) if t == "a"}
    ran = set(re.findall(r'<td class="mono">(?:<a [^>]*>)?([a-z0-9-]+)(?:</a>)?</td><td>(?:critical|high|medium|low|info)',
                         page))
    assert "owner-missing" in ran and "no-dr" in ran
    assert links == {RULE_DOCS.format(rule) for rule in ran - {"owner-missing"}}
    assert RULE_DOCS.format("no-dr") == "https://drcheck-audit.readthedocs.io/en/latest/rules/no-dr/"


def test_evidence_is_shown_as_indented_json(page):
    blocks = re.findall(r'<pre class="mono">(.*?)</pre>', page, re.S)
    assert blocks and all("<" not in block and "\\x0a" not in block for block in blocks)
    for block in blocks:  # on real lines, and the escaping undoes to the JSON itself
        assert json.loads(unescape(block)) and unescape(block).startswith('{\n "')


# ---- what the map says: distances, the inset, backups, land -----------------------------------------------

FINTECH = SAMPLES.parent / "tests" / "fixtures" / "maps" / "seoul-fintech.yaml"


def svg_of(page: str, svg_id: str) -> str:
    svg = page[page.index(f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}"'):]
    return svg[:svg.index("</svg>")]


@pytest.fixture(scope="module")
def fintech():
    from drcheck.reporters import render

    report = run_audit(FINTECH)
    return report, render("audit", "html", report)


def test_no_line_is_drawn_for_a_pair_whose_distance_is_unknown(fintech):
    report, page = fintech
    zones = {n for n, s in report.inventory.sites.items() if s.cloud_location == "aws:ap-northeast-2"}
    assert len(zones) == 4
    for svg_id in ("map", "map-inset"):
        pairs = re.findall(r'<line class="pair"[^>]*><title>([^<]*?) – ([^<:]*):', svg_of(page, svg_id))
        assert pairs and not [(a, b) for a, b in pairs if a in zones and b in zones]
        assert "0.0 km" not in svg_of(page, svg_id)
    assert "their distance is unknown, as the audit says: aws-apne2-az1 – aws-apne2-az2;" in page
    unknown = {f.subject for f in report.unknowns if f.rule == "dr-site-too-close"}
    assert unknown == {"service:auth-service", "service:mobile-bff"}  # what the audit says of the same pairs


def test_sites_clustered_under_5_percent_of_the_extent_get_an_inset_at_the_dr_ring_s_scale(fintech):
    from drcheck.reporters.sitemap import INSET_HEIGHT, INSET_WIDTH

    report, page = fintech
    main, inset = svg_of(page, "map"), svg_of(page, "map-inset")
    assert re.search(r'<rect class="inset-area"[^>]*><title>enlarged in the second map</title>', main)
    # the 40 km ring around a primary: a dot on the whole map, most of the inset's height in it
    ring = lambda svg: max(float(r) for r in re.findall(r'<circle class="ring"[^>]*r="([\d.]+)"', svg))
    assert ring(inset) > INSET_HEIGHT / 4 and ring(inset) > 4 * ring(main)
    assert re.search(r'<svg[^>]*id="map-inset" viewBox="0 0 %d %d"' % (INSET_WIDTH, INSET_HEIGHT), page)
    inset_sites = set(re.findall(r'<g class="site"><circle[^>]*/><title>([\w-]+) \(', inset))
    assert inset_sites == {"dc-gasan", "dc-guro", "vault-seocho", "aws-apne2", "aws-apne2-az1", "aws-apne2-az2",
                           "aws-apne2-az3"}  # Sejong and Osaka are far off
    # the 5.5 km pair, the headline risk, is written on the inset, not on the whole map where it is a dot
    assert '<g class="label distance">' in inset and ">5.5 km</tspan>" in inset
    assert ">5.5 km</tspan>" not in main


@pytest.mark.parametrize("sample", ["kakao-2022", "naver-2022"])
def test_no_inset_when_the_sites_spread_over_the_map(sample):
    from drcheck.reporters import render

    page = render("audit", "html", run_audit(SAMPLES / f"{sample}.yaml"))
    assert 'id="map"' in page and 'id="map-inset"' not in page and "inset-area" not in page


@pytest.mark.parametrize("apart_km, far_km, inset", [(2, 800, True), (30, 800, True), (33, 300, False)])
def test_an_inset_exactly_when_two_sites_lie_within_5_percent_of_the_extent(apart_km, far_km, inset, tmp_path):
    from drcheck.reporters import render
    from drcheck.reporters.sitemap import MAP_MARGIN, MAP_WIDTH

    degree_km = 111.2  # along a meridian
    (tmp_path / "inv.yaml").write_text(f"""\
version: 1
sites:
  a: {{location: [37.0, 127.0]}}
  b: {{location: [{37.0 + apart_km / degree_km:.5f}, 127.0]}}
  far: {{location: [{37.0 - far_km / degree_km:.5f}, 127.0]}}
services:
  app: {{placements: [{{site: a}}, {{site: b, role: standby}}], backups: [{{site: far}}]}}
""", encoding="utf-8")
    page = render("audit", "html", run_audit(tmp_path / "inv.yaml"))
    extent = (far_km + apart_km) * MAP_WIDTH / (MAP_HEIGHT - 2 * MAP_MARGIN)  # km across the whole map
    assert (apart_km < 0.05 * extent) == inset  # the cases are what they say
    assert ('id="map-inset"' in page) == inset


def test_a_backup_line_per_backup_site_distinct_from_dr_pairs_and_explained_in_the_legend(fintech):
    report, page = fintech
    main = svg_of(page, "map")
    backups = re.findall(r'<path class="backup"[^>]*stroke-dasharray="[^"]+"[^>]*><title>([^<]*)</title>', main)
    held = {(b.site, s.name) for s in report.inventory.services.values() for b in s.backups}
    assert {(title.split(" keeps")[0], name) for title in backups
            for name in title.split("keeps backups of ")[1].split(" (")[0].split(", ")} == held
    assert [t for t in backups if re.fullmatch(r"backup-sejong keeps backups of ledger-db \(primary dc-gasan, 11\d\.\d km\)", t)]
    legend = page[page.index('<p class="legend">'):]
    legend = legend[:legend.index("</p>")]
    assert "DR pair: a primary and another placement of one service" in legend
    assert "backup: from a service's primary to the site that keeps its backups" in legend
    assert "no line: distance unknown" in legend


def test_land_and_borders_are_drawn_clipped_to_each_map(fintech):
    from drcheck.reporters.sitemap import INSET_HEIGHT, INSET_WIDTH

    _, page = fintech
    for svg_id, width, height in (("map", MAP_WIDTH, MAP_HEIGHT), ("map-inset", INSET_WIDTH, INSET_HEIGHT)):
        svg = svg_of(page, svg_id)
        land = re.findall(r'<path class="land coastline" d="([^"]*)"', svg)
        assert land, svg_id
        points = [(float(x), float(y)) for d in land + re.findall(r'<path class="border" d="([^"]*)"', svg)
                  for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]
        assert points and all(0 <= x <= width and 0 <= y <= height for x, y in points), svg_id
    # Korea and Japan, not the world: the whole map holds a few thousand points, not Natural Earth's eight
    assert len(svg_of(page, "map")) < 60_000


def test_hover_titles_name_each_service_once(tmp_path):
    from drcheck.reporters import render

    (tmp_path / "inv.yaml").write_text("""\
version: 1
sites:
  seoul: {location: [37.57, 126.98]}
  busan: {location: [35.18, 129.08]}
services:
  mobile-bff: {placements: [{site: seoul}, {site: busan}], dr: {strategy: active-active}}
  auth-service: {placements: [{site: seoul}, {site: busan}], dr: {strategy: active-active}}
""", encoding="utf-8")
    svg = svg_of(render("audit", "html", run_audit(tmp_path / "inv.yaml")), "map")
    titles = re.findall(r'<line class="pair"[^>]*><title>([^<]*)</title>', svg)
    assert len(titles) == 1 and re.fullmatch(r"busan – seoul: 32\d\.\d km; DR pair of mobile-bff, auth-service", titles[0])


# ---- the labels' placement finds what lies near each label on a grid ------------------------------------------

boxes = st.tuples(st.floats(-200, 1200), st.floats(-200, 900), st.floats(0, 300), st.floats(0, 200)).map(
    lambda b: (b[0], b[1], b[0] + b[2], b[1] + b[3]))


@given(st.lists(boxes, max_size=60), boxes)
def test_the_boxes_near_an_area_are_every_box_that_overlaps_it_in_the_order_placed(placed, area):
    from drcheck.reporters.sitemap import _Boxes

    def overlaps(box) -> bool:
        return box[0] < area[2] and area[0] < box[2] and box[1] < area[3] and area[1] < box[3]

    grid = _Boxes(placed[:30])
    for box in placed[30:]:
        grid.add(box)
    near = grid.near(area)
    assert [box for box in near if overlaps(box)] == [box for box in placed if overlaps(box)]
    assert len(near) <= len(placed)
