"""`--format html`: one self-contained page, every name escaped, a map and a dependency graph drawn from the
inventory; rendered by a real browser (Debian's chromium) when one is installed."""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from conftest import SAMPLES, drcheck, run_audit

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
    assert not [a for _, a in found if any(k in a for k in ("src", "href"))]
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
