"""`drcheck simulate` and `drcheck graph` end to end, through the installed entry point."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import SAMPLES, drcheck
from drcheck.commands import scenarios as search
from drcheck.audit.run import load_inventory

# Weights: auth 8, talk 8, store 4, switchover 4, search 1, wiki 1 = 26.
# Losing building bldg-a (= site pangyo) takes auth and switchover with their only site, talk through
# its hard dependency on auth, and store because its standby needs switchover (an ops service as
# critical as store, so among its default recovery needs) to take over: 24/26.
MINI = """\
version: 1
name: mini
sites:
  pangyo: {building: bldg-a, campus: pg-campus, power: [ups-b3]}
  pangyo-2: {building: bldg-b, campus: pg-campus}
  anyang: {}
  vault: {kind: vault}
services:
  auth: {tier: 0, placements: [{site: pangyo}]}
  talk:
    tier: 0
    placements: [{site: pangyo}, {site: anyang, role: standby}]
    depends_on: [auth, {service: search, hard: false}]
  search: {tier: 3, placements: [{site: pangyo-2}]}
  store:
    kind: data
    tier: 1
    placements: [{site: pangyo}, {site: anyang, role: standby}]
    backups: [{site: vault}]
  switchover: {kind: ops, tier: 1, placements: [{site: pangyo}]}
  wiki: {tier: 3, placements: [{site: anyang}]}
"""


@pytest.fixture
def mini(write):
    return write(MINI)


def _json(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["scenarios"]


# ---- drcheck simulate ------------------------------------------------------------------------------

def test_fail_one_building_explains_every_service_down(mini):
    result = drcheck("simulate", mini, "--fail", "building=bldg-a")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Losing building=bldg-a (destroyed; sites: pangyo)"
    assert lines[1] == "impact 92.3% of tier-weighted services; 4 down"
    assert "  ✗ auth: every placement is lost" in lines
    assert "  ✗ talk: hard dependency chain talk → auth" in lines
    assert "  ✗ store: standby survives but recovery needs are down: switchover" in lines
    assert "  ✗ switchover: every placement is lost" in lines
    assert not any("search" in line or "wiki" in line for line in lines)
    assert lines[-1] == "data lost for good: none"


def test_fail_one_building_as_json(mini):
    [scenario] = _json(drcheck("simulate", mini, "--fail", "building=bldg-a", "--format", "json"))
    assert scenario["lost"] == [{"domain": "building", "value": "bldg-a"}]
    assert scenario["sites_lost"] == ["pangyo"]
    assert scenario["down"] == ["auth", "talk", "store", "switchover"]
    assert scenario["data_lost"] == []
    assert scenario["impact"] == pytest.approx(24 / 26, abs=1e-4)
    assert scenario["loss"] == "destroyed" and scenario["sites_destroyed"] == ["pangyo"]
    assert scenario["why"]["talk"] == {"cause": "dependency", "chain": ["talk", "auth"]}
    assert scenario["why"]["store"] == {"cause": "recovery", "recovery_needs_down": ["switchover"]}


def test_several_fails_combine_into_one_scenario(mini):
    [both] = _json(drcheck("simulate", mini, "--fail", "building=bldg-a", "--fail", "site=anyang", "--format", "json"))
    assert both["lost"] == [{"domain": "building", "value": "bldg-a"}, {"domain": "site", "value": "anyang"}]
    assert both["sites_lost"] == ["anyang", "pangyo"]
    assert both["down"] == ["auth", "talk", "store", "switchover", "wiki"]
    assert both["data_lost"] == []  # the backup in the vault survives
    [all_copies] = _json(drcheck("simulate", mini, "--fail", "building=bldg-a", "--fail", "site=anyang",
                                 "--fail", "site=vault", "--format", "json"))
    assert all_copies["data_lost"] == ["store"]


@pytest.mark.parametrize("option, expected", [
    ("building=nope", "unknown building 'nope'; known building values: bldg-a, bldg-b"),
    ("floor=3", "unknown failure-domain kind 'floor'; expected one of: site, building, campus"),
    ("pangyo", "found 'pangyo'; expected DOMAIN=VALUE"),
])
def test_unknown_domain_is_exit_2_naming_what_is_known(mini, option, expected):
    for command in ("simulate", "graph"):
        result = drcheck(command, mini, "--fail", option)
        assert result.returncode == 2, (command, result.stdout)
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_without_fail_every_single_domain_is_ranked_by_impact(mini):
    scenarios = _json(drcheck("simulate", mini, "--format", "json"))
    ranked = [(s["lost"][0]["value"], s["impact"]) for s in scenarios]
    assert [name for name, _ in ranked] == ["pg-campus", "bldg-a", "anyang", "bldg-b", "vault"]
    assert [impact for _, impact in ranked] == pytest.approx([25 / 26, 24 / 26, 1 / 26, 1 / 26, 0], abs=1e-4)
    building = scenarios[1]
    assert building["same_as"] == [{"domain": "site", "value": "pangyo"}, {"domain": "power", "value": "ups-b3"}]
    table = drcheck("simulate", mini)
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[0].split() == ["rank", "impact", "down", "loss", "lost"]
    assert rows[1].split() == ["1", "96.2%", "5", "destroyed", "campus=pg-campus"]
    assert rows[2].split()[:5] == ["2", "92.3%", "4", "destroyed", "building=bldg-a"]
    assert "(= site=pangyo, power=ups-b3)" in rows[2]


def test_depth_2_ranks_pairs_that_add_something(mini):
    scenarios = _json(drcheck("simulate", mini, "--depth", "2", "--top", "0", "--format", "json"))
    worst = scenarios[0]
    assert worst["lost"] == [{"domain": "site", "value": "anyang"}, {"domain": "campus", "value": "pg-campus"}]
    assert worst["impact"] == 1.0
    assert worst["sites_lost"] == ["anyang", "pangyo", "pangyo-2"]
    pairs = [{d["value"] for d in s["lost"]} for s in scenarios]
    assert all(len(pair) == 2 for pair in pairs)
    # the campus already holds both buildings: pairing them with it adds nothing
    assert {"pg-campus", "bldg-a"} not in pairs and {"pg-campus", "bldg-b"} not in pairs
    # 5 groups give 10 pairs, less those 2
    assert len(scenarios) == 8
    # ranked by what the pair adds to the worse of its two alone (anyang alone: 1/26, the campus: 25/26)
    assert worst["excess"] == pytest.approx(1 / 26, abs=1e-4)
    excesses = [s["excess"] for s in scenarios]
    assert excesses == sorted(excesses, reverse=True)
    # the vault holds only a backup: pairing it with the campus adds nothing, however high its impact
    vault = next(s for s in scenarios if {d["value"] for d in s["lost"]} == {"vault", "pg-campus"})
    assert (vault["impact"], vault["excess"]) == (pytest.approx(25 / 26, abs=1e-4), 0)
    assert scenarios.index(vault) >= 4  # after the 4 pairs that add something, although they take less down
    assert scenarios[3]["impact"] < vault["impact"]


def test_depth_2_ranks_by_impact_when_asked(mini):
    scenarios = _json(drcheck("simulate", mini, "--depth", "2", "--top", "3", "--rank", "impact", "--format", "json"))
    assert [s["impact"] for s in scenarios] == pytest.approx([1, 25 / 26, 25 / 26], abs=1e-4)
    rows = drcheck("simulate", mini, "--depth", "2", "--top", "2").stdout.splitlines()
    assert rows[0].split() == ["rank", "impact", "adds", "down", "loss", "lost"]
    assert rows[1].split() == ["1", "100.0%", "+3.8%", "6", "destroyed", "site=anyang", "+", "campus=pg-campus"]
    wrong = drcheck("simulate", mini, "--depth", "2", "--rank", "size")
    assert wrong.returncode == 2 and "--rank: found 'size'; expected one of: excess, impact" in wrong.stderr


# Two feeds and two carriers on the main site: redundant, so no single one of them is a failure; the
# office has one feed of its own.  Okta is a third party every login needs.
FEEDS = """\
version: 1
sites:
  main: {operator: dc-co, power: [grid-north, grid-south], network: [carrier-x, carrier-y]}
  office: {operator: dc-co, power: [grid-south]}
services:
  okta: {kind: external, tier: 0}
  web: {tier: 0, placements: [{site: main}], depends_on: [okta]}
  db: {kind: data, tier: 0, placements: [{site: main}], backups: [{site: office}]}
  wiki: {tier: 3, placements: [{site: office}]}
"""


def test_one_of_two_feeds_or_carriers_loses_nothing_and_both_lose_the_site(write):
    path = write(FEEDS)
    names = [[str_domain(d) for d in s["lost"]] for s in _json(drcheck("simulate", path, "--top", "0", "--format", "json"))]
    assert ["power=grid-north"] not in names and ["network=carrier-x"] not in names
    assert ["site=office"] in names  # grid-south alone takes only the office (its one feed): the same loss
    [both] = _json(drcheck("simulate", path, "--fail", "network=carrier-x", "--fail", "network=carrier-y",
                           "--format", "json"))
    assert both["sites_lost"] == ["main"] and both["down"] == ["web", "db"]
    assert both["loss"] == "unavailable" and both["data_lost"] == []  # a carrier outage destroys nothing
    [one_feed] = _json(drcheck("simulate", path, "--fail", "power=grid-north", "--format", "json"))
    assert one_feed["sites_lost"] == [] and one_feed["down"] == []


def test_depth_2_finds_the_pair_of_feeds_of_a_site(write):
    scenarios = _json(drcheck("simulate", write(FEEDS), "--depth", "2", "--top", "0", "--format", "json"))
    pairs = {tuple(str_domain(d) for d in s["lost"]): s for s in scenarios}
    feeds = pairs[("power=grid-north", "power=grid-south")]
    assert feeds["sites_lost"] == ["main", "office"] and feeds["impact"] == 17 / 25  # okta stays up
    assert ("site=main", "operator=dc-co") not in pairs  # the operator alone already takes main
    assert ("network=carrier-x", "network=carrier-y") in pairs
    assert ("power=grid-north", "network=carrier-x") not in pairs  # one feed and one carrier: main stays up


def test_an_external_service_is_a_failure_domain_of_its_own(write):
    path = write(FEEDS)
    scenarios = _json(drcheck("simulate", path, "--format", "json"))
    okta = next(s for s in scenarios if s["lost"] == [{"domain": "service", "value": "okta"}])
    assert okta["down"] == ["okta", "web"] and okta["sites_lost"] == [] and okta["loss"] == "unavailable"
    assert okta["why"] == {"okta": {"cause": "outage"}, "web": {"cause": "dependency", "chain": ["web", "okta"]}}
    # any service can be failed on its own, not only third parties
    [wiki] = _json(drcheck("simulate", path, "--fail", "service=wiki", "--format", "json"))
    assert wiki["down"] == ["wiki"]
    table = drcheck("simulate", path, "--fail", "service=okta")
    assert table.stdout.splitlines()[0] == "Losing service=okta (unavailable; no site)"
    assert "  ✗ okta: the service itself is out (its own outage)" in table.stdout
    unknown = drcheck("simulate", path, "--fail", "service=stripe")
    assert unknown.returncode == 2
    assert "unknown service 'stripe'; known service values: db, okta, web, wiki" in unknown.stderr


def test_an_operator_outage_loses_no_data(write):
    [outage] = _json(drcheck("simulate", write(FEEDS), "--fail", "operator=dc-co", "--format", "json"))
    assert outage["down"] == ["web", "db", "wiki"] and outage["loss"] == "unavailable"
    assert outage["data_lost"] == [] and outage["sites_destroyed"] == []
    [fire] = _json(drcheck("simulate", write(FEEDS), "--fail", "site=main", "--fail", "site=office",
                           "--format", "json"))
    assert fire["data_lost"] == ["db"] and fire["loss"] == "destroyed"


def str_domain(d: dict) -> str:
    return f"{d['domain']}={d['value']}"


def test_bad_depth_is_exit_2(mini):
    result = drcheck("simulate", mini, "--depth", "3")
    assert result.returncode == 2
    assert "--depth: found 3; expected 1 or 2" in result.stderr


# ---- drcheck graph: structure ------------------------------------------------------------------------

_DOT_STRING = r'"(?:[^"\\]|\\.)*"'


def _dot_nodes(text: str) -> dict[str, dict[str, str]]:
    """node id -> attributes (raw DOT strings unquoted and unescaped)."""
    nodes = {}
    for match in re.finditer(rf'^\s*"(\w+)" \[(.*)\];$', text, re.M):
        attributes = {}
        for key, value in re.findall(rf'(\w+)=({_DOT_STRING}|[^,\s]+)', match.group(2)):
            if value.startswith('"'):
                value = re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), value[1:-1])
            attributes[key] = value
        nodes[match.group(1)] = attributes
    return nodes


def _dot_ids(text: str) -> dict[str, str]:
    """name (first label line) -> node id."""
    return {attributes["label"].split("\n")[0]: node for node, attributes in _dot_nodes(text).items()}


def test_dot_draws_services_dependencies_and_sites_grouped_by_domain(mini):
    result = drcheck("graph", mini, "--format", "dot")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("digraph drcheck {") and text.rstrip().endswith("}")
    ids = _dot_ids(text)
    nodes = _dot_nodes(text)
    assert nodes[ids["talk"]]["label"] == "talk\ntier 0 · app"
    assert nodes[ids["store"]]["shape"] == "cylinder"
    assert nodes[ids["pangyo"]]["label"] == "pangyo\ndatacenter"
    edges = re.findall(r'^\s*"(\w+)" -> "(\w+)"(?: \[(.*)\])?;$', text, re.M)
    edge = {(a, b): attributes for a, b, attributes in edges}
    assert edge[ids["talk"], ids["auth"]] == ""  # hard: solid
    assert "style=dashed" in edge[ids["talk"], ids["search"]]  # soft
    assert "style=dotted" not in edge[ids["talk"], ids["pangyo"]]  # primary placement
    assert 'style=dotted, label="standby"' in edge[ids["talk"], ids["anyang"]]
    # campus pg-campus holds building bldg-a holding site pangyo, and building bldg-b with pangyo-2
    campus = text.index('label="campus pg-campus"')
    building_a = text.index('label="building bldg-a"')
    building_b = text.index('label="building bldg-b"')
    assert campus < building_a < text.index(f'"{ids["pangyo"]}" [') < building_b < text.index(f'"{ids["pangyo-2"]}" [')
    assert text.count("subgraph") == 3
    assert "fillcolor" not in text  # nothing highlighted without --fail


def test_dot_with_fail_marks_lost_sites_and_services_down(mini):
    result = drcheck("graph", mini, "--fail", "building=bldg-a")
    assert result.returncode == 0, result.stderr
    ids, nodes = _dot_ids(result.stdout), _dot_nodes(result.stdout)
    for name in ("auth", "talk", "store", "switchover"):
        assert nodes[ids[name]]["color"] == "red3", name
        assert nodes[ids[name]]["label"].endswith("\nDOWN")
    for name in ("search", "wiki"):
        assert "color" not in nodes[ids[name]], name
    assert nodes[ids["pangyo"]]["label"].endswith("\nLOST") and nodes[ids["pangyo"]]["color"] == "red3"
    assert "color" not in nodes[ids["anyang"]]
    assert 'label="mini: losing building=bldg-a takes 4 service(s) down"' in result.stdout


def _mermaid_nodes(text: str) -> dict[str, str]:
    """node id -> label text (entity codes decoded, lines joined with newlines)."""
    nodes = {}
    for node, label in re.findall(r'^\s*(\w+)(?:\["|\[\("|\[\["|\(\["|\{\{")([^"]*)(?:"\]|"\)\]|"\]\]|"\]\)|"\}\})$', text, re.M):
        nodes[node] = re.sub(r"#(\d+|quot|lt|gt|amp);", _entity, label.replace("<br/>", "\n"))
    return nodes


def _entity(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code)) if code.isdigit() else {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}[code]


def test_mermaid_draws_the_same_and_highlights_a_loss(mini):
    result = drcheck("graph", mini, "--format", "mermaid", "--fail", "building=bldg-a")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("flowchart LR\n")
    nodes = _mermaid_nodes(text)
    ids = {label.split("\n")[0]: node for node, label in nodes.items()}
    assert nodes[ids["talk"]] == "talk\ntier 0 · app\nDOWN"
    assert nodes[ids["search"]] == "search\ntier 3 · app"
    assert nodes[ids["pangyo"]] == "pangyo\ndatacenter\nLOST"
    assert f"  {ids['talk']} --> {ids['auth']}\n" in text
    assert f"  {ids['talk']} -.-> {ids['search']}\n" in text
    assert f"  {ids['talk']} --- {ids['pangyo']}\n" in text
    assert f"  {ids['talk']} -.-|standby| {ids['anyang']}\n" in text
    down = re.search(r"^  class (\S+) down$", text, re.M).group(1).split(",")
    assert sorted(down) == sorted(ids[n] for n in ("auth", "talk", "store", "switchover"))
    assert re.search(r"^  class (\S+) lost$", text, re.M).group(1) == ids["pangyo"]
    assert text.count("subgraph ") == 3 and len(re.findall(r"^\s*end$", text, re.M)) == 3
    plain = drcheck("graph", mini, "--format", "mermaid")
    assert "classDef" not in plain.stdout and "DOWN" not in plain.stdout


def test_graph_rejects_an_unknown_format(mini):
    result = drcheck("graph", mini, "--format", "png")
    assert result.returncode == 2
    assert "expected one of: dot, mermaid" in result.stderr


# ---- hostile names ---------------------------------------------------------------------------------

HOSTILE = r'''
version: 1
name: "evil\"name\\"
sites:
  "dc\"1\\": {building: "b{1}[x]<i>", campus: "c\"; end"}
  "site\nline": {}
services:
  "a\"b]c{d}<script>":
    tier: 0
    placements: [{site: "dc\"1\\"}, {site: "site\nline", role: standby}]
    depends_on: ["\e[31mred", {service: "end", hard: false}]
  "\e[31mred":
    placements: [{site: "dc\"1\\"}]
  "end":
    kind: ops
    placements: [{site: "site\nline"}]
  "`code` #quot; %% x; y|z --> w":
    kind: external
    depends_on: ["end"]
'''
HOSTILE_NAMES = ['a"b]c{d}<script>', "\\x1b[31mred", "end", "`code` #quot; %% x; y|z --> w", 'dc"1\\', "site\\x0aline"]


@pytest.fixture
def hostile(write):
    return write(HOSTILE)


@pytest.mark.parametrize("extra", [[], ["--fail", "building=b{1}[x]<i>"]])
def test_hostile_names_stay_inside_dot_strings(hostile, extra):
    result = drcheck("graph", hostile, "--format", "dot", *extra)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "\x1b" not in text
    # outside the quoted strings only DOT syntax remains: no stray quote, balanced braces and brackets
    bare = re.sub(_DOT_STRING, "S", text)
    assert '"' not in bare and "\\" not in bare
    assert bare.count("{") == bare.count("}") and bare.count("[") == bare.count("]")
    for line in bare.splitlines()[1:-1]:
        assert re.fullmatch(r'\s*(S \[.*\];|S -> S( \[.*\])?;|subgraph S \{|\}|label=S; style=rounded; color=gray60;|'
                            r'(graph|node|edge) \[.*\];)', line), line
    labels = {attributes["label"].split("\n")[0] for attributes in _dot_nodes(text).values()}
    assert labels == set(HOSTILE_NAMES)
    if extra:
        assert _dot_nodes(text)[_dot_ids(text)['a"b]c{d}<script>']]["color"] == "red3"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_hostile_drawing(hostile):
    text = drcheck("graph", hostile, "--format", "dot").stdout
    rendered = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    assert "a&quot;b]c{d}&lt;script&gt;" in rendered.stdout


@pytest.mark.parametrize("extra", [[], ["--fail", "building=b{1}[x]<i>"]])
def test_hostile_names_are_entity_codes_in_mermaid(hostile, extra):
    result = drcheck("graph", hostile, "--format", "mermaid", *extra)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "\x1b" not in text
    for label in re.findall(r'"([^"\n]*)"', text):
        # line breaks (<br/>) are the only markup; entity codes (#quot;, #91;) stand for everything else
        assert not set(label.replace("<br/>", "")) & set('"[]{}()<>`|\\%'), label
    nodes = _mermaid_nodes(text)
    assert {label.split("\n")[0] for label in nodes.values()} == set(HOSTILE_NAMES)
    # every line is Mermaid syntax around generated ids
    for line in text.splitlines()[1:]:
        assert re.fullmatch(r'\s*(%%.*|subgraph g\d+\["[^"]*"\]|end|[sp]\d+\S*"[^"]*"\S*|'
                            r'[sp]\d+ (-->|-\.->|---|-\.-\|standby\|) [sp]\d+|classDef .*|class [sp\d,]+ (down|lost))',
                            line), line


# ---- the Markdown report's dependency map ----------------------------------------------------------------

def test_markdown_report_carries_a_mermaid_map_of_the_worst_failure(mini):
    result = drcheck("audit", mini, "--format", "markdown", "--as-of", "2026-11-01")
    assert result.returncode == 1, result.stderr  # the gate fails: what the map shows going down is a finding
    text = result.stdout
    block = re.search(r"<details><summary>Dependency map: losing (.*?) in red</summary>\n\n```mermaid\n(.*?)```\n\n</details>",
                      text, re.S)
    assert block is not None
    assert block.group(1) == "campus=pg-campus"  # HTML, where a Markdown escape would show
    nodes = _mermaid_nodes(block.group(2))
    assert sorted(label.split("\n")[0] for label in nodes.values() if label.endswith("DOWN")) == \
        ["auth", "search", "store", "switchover", "talk"]


def test_markdown_report_leaves_the_map_out_of_a_large_inventory(write):
    services = "\n".join(f"  svc{i}: {{placements: [{{site: a}}]}}" for i in range(61))
    path = write(f"version: 1\nsites:\n  a: {{}}\nservices:\n{services}\n")
    result = drcheck("audit", path, "--format", "markdown", "--as-of", "2026-11-01")
    assert result.returncode == 1, result.stderr  # all on one site: concentration fails the gate
    assert "Dependency map" not in result.stdout and "```mermaid" not in result.stdout


CYCLE = """\
version: 1
sites:
  a: {location: [37.0, 127.0]}
  b: {location: [35.0, 129.0]}
services:
  config-service:
    tier: 1
    placements: [{site: a, role: primary}, {site: b, role: standby}]
    dr: {strategy: warm-standby}
    depends_on: [secrets]
  secrets:
    tier: 1
    placements: [{site: a, role: primary}, {site: b, role: standby}]
    dr: {strategy: warm-standby}
    depends_on: [config-service]
"""


def test_a_cycle_with_standbys_is_audited_and_stays_down_when_its_primary_site_is_lost(write):
    path = write(CYCLE)
    audit = drcheck("audit", path, "--format", "json")
    assert audit.returncode == 1, audit.stderr
    report = json.loads(audit.stdout)
    cycle = [f for f in report["findings"] if f["rule"] == "dependency-cycle"]
    assert [f["evidence"]["cycle"] for f in cycle] == [["config-service", "secrets", "config-service"]]
    simulated = drcheck("simulate", path, "--fail", "site=a", "--format", "json")
    assert simulated.returncode == 0, simulated.stderr
    [scenario] = json.loads(simulated.stdout)["scenarios"]
    assert scenario["down"] == ["config-service", "secrets"]
    assert scenario["why"]["secrets"] == {"cause": "cycle", "chain": ["secrets", "config-service", "secrets"]}


@pytest.mark.parametrize("top", [3, 0])
def test_depth_2_in_batches_finds_what_one_simulation_of_every_pair_finds(monkeypatch, top):
    inventory = load_inventory([str(SAMPLES / "multi-region-cloud.yaml")])  # 23 pairs that add something
    at_once = [s.as_json() for s in search.scenarios_for(inventory, [], 2, top)]
    monkeypatch.setattr(search, "SCENARIOS_PER_SIMULATION", 4)  # the sample's pairs in many batches
    in_batches = [s.as_json() for s in search.scenarios_for(inventory, [], 2, top)]
    assert len(at_once) == (top or 23)
    assert in_batches == at_once
