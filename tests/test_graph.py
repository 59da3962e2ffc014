"""ctx.graph, the networkx view of an inventory that rule authors get, and the dependency cycles drawn from it."""
from __future__ import annotations

from conftest import AS_OF
from drcheck.audit.run import load_inventory
from drcheck.rule_api.context import Context
from drcheck.failures.graph import hard_dependency_graph, inventory_graph
from drcheck.inventory.loader import parse
from drcheck.inventory.schema import build_inventory
from hypothesis import given
from strategies import as_yaml, inventories

INVENTORY = """\
version: 1
sites:
  pangyo: {}
  anyang: {}
  vault: {}
services:
  talk:
    placements: [{site: pangyo}, {site: anyang, role: standby}]
    depends_on: [auth, {service: search, hard: false}]
    recovery_needs: [deploy]
    backups: [{site: vault}, {site: vault, media: tape}]
  auth:
    placements: [{site: pangyo}]
    depends_on: [talk]
  search:
    placements: [{site: anyang}]
  deploy:
    kind: ops
    placements: [{site: pangyo}]
  stripe: {kind: external}
"""


def context(write) -> Context:
    return Context(load_inventory([str(write(INVENTORY))]), AS_OF)


def test_the_graph_holds_every_service_and_site_with_what_links_them(write):
    graph = context(write).graph
    assert sorted(graph.nodes) == ["service:auth", "service:deploy", "service:search", "service:stripe", "service:talk",
                                   "site:anyang", "site:pangyo", "site:vault"]
    assert graph.nodes["service:talk"]["kind"] == "service" and graph.nodes["service:talk"]["service"].name == "talk"
    assert graph.nodes["site:vault"]["kind"] == "site" and graph.nodes["site:vault"]["site"].name == "vault"
    assert dict(graph["service:talk"]) == {
        "site:pangyo": {"placement": "primary"},
        "site:anyang": {"placement": "standby"},
        "service:auth": {"depends": "hard"},
        "service:search": {"depends": "soft"},
        "site:vault": {"backups": 2},
        "service:deploy": {"recovery": "declared"},
    }
    # no recovery_needs declared: by default every ops service as critical or more, never itself
    assert dict(graph["service:auth"]) == {"site:pangyo": {"placement": "primary"}, "service:talk": {"depends": "hard"},
                                           "service:deploy": {"recovery": "default"}}
    assert dict(graph["service:deploy"]) == {"site:pangyo": {"placement": "primary"}}
    assert list(graph.predecessors("service:talk")) == ["service:auth"]
    assert graph.graph["name"] is None


def test_recovery_needs_absent_mean_the_ops_services_as_critical_or_more(write):
    graph = inventory_graph(load_inventory([str(write("""\
version: 1
sites: {a: {}}
services:
  deploy: {kind: ops, tier: 1, placements: [{site: a}]}
  console: {kind: ops, tier: 1, placements: [{site: a}]}
  wiki: {kind: ops, tier: 3, placements: [{site: a}]}
  app: {placements: [{site: a}]}
  db: {tier: 0, placements: [{site: a}]}
  pinned: {placements: [{site: a}], recovery_needs: [wiki]}
  none: {placements: [{site: a}], recovery_needs: []}
  auto: {tier: 3, placements: [{site: a}], dr: {automatic: true}}
"""))]))
    needs = {node[8:]: [(to[8:], e["recovery"]) for to, e in graph.succ[node].items() if "recovery" in e]
             for node, kind in graph.nodes(data="kind") if kind == "service"}
    assert needs == {"deploy": [("console", "default")], "console": [("deploy", "default")],
                     "wiki": [("deploy", "default"), ("console", "default")],
                     "app": [("deploy", "default"), ("console", "default")], "db": [],
                     "pinned": [("wiki", "declared")], "none": [], "auto": []}


def test_the_graph_is_built_once_per_audit(write):
    ctx = context(write)
    assert ctx.graph is ctx.graph


def test_dependency_cycles_name_the_members_and_a_shortest_path(write):
    (cycle,) = context(write).dependency_cycles()
    assert cycle.members == ["auth", "talk"]
    assert cycle.path == ["auth", "talk", "auth"]


def test_the_graph_command_draws_the_graph_it_is_given(write):
    """One graph model: an edge taken out of the networkx graph is gone from the DOT and Mermaid drawings."""
    from drcheck.audit.report import Drawing
    from drcheck.reporters import render

    graph = inventory_graph(load_inventory([str(write(INVENTORY))]))
    whole = {fmt: render("graph", fmt, Drawing(graph)) for fmt in ("dot", "mermaid")}
    graph.remove_edge("service:talk", "service:search")
    graph.remove_edge("service:talk", "site:anyang")
    cut = {fmt: render("graph", fmt, Drawing(graph)) for fmt in ("dot", "mermaid")}
    # services s1..s5 (talk, auth, search, deploy, stripe) and sites p1..p3 (pangyo, anyang, vault), in order
    assert '"s1" -> "s3" [style=dashed];' in whole["dot"] and "s1 -.-> s3" in whole["mermaid"]
    assert '"s1" -> "p2" [arrowhead=none, color=gray50, style=dotted, label="standby"];' in whole["dot"]
    assert "s1 -.-|standby| p2" in whole["mermaid"]
    assert set(whole["dot"].splitlines()) - set(cut["dot"].splitlines()) == {
        '  "s1" -> "s3" [style=dashed];', '  "s1" -> "p2" [arrowhead=none, color=gray50, style=dotted, label="standby"];'}
    assert set(whole["mermaid"].splitlines()) - set(cut["mermaid"].splitlines()) == {
        "  s1 -.-> s3", "  s1 -.-|standby| p2"}


def test_the_html_report_draws_the_report_s_graph(write):
    from conftest import run_audit
    from drcheck.reporters import render

    report = run_audit(write(INVENTORY))
    page = render("audit", "html", report)
    assert "<title>talk needs search (soft)</title>" in page
    assert "<title>failing talk over needs deploy</title>" in page
    report.graph.remove_edge("service:talk", "service:search")
    report.graph.edges["service:talk", "service:deploy"].pop("recovery")
    page = render("audit", "html", report)
    assert "talk needs search" not in page and "failing talk over" not in page
    assert "<title>talk needs auth</title>" in page


def _held(needs: dict[str, list[tuple[str, ...]]]) -> set[str]:
    """What no peeling can free, by its definition, slowly: the largest set of services each of which has a hard
    dependency wholly inside it and is named by such a dependency of one of them."""
    held = set(needs)
    while True:
        whole = {(name, group) for name in held for group in needs[name] if set(group) <= held}
        kept = {name for name in held if any(n == name for n, _ in whole)} & {m for _, group in whole for m in group}
        if kept == held:
            return held
        held = kept



@given(inventories())
def test_the_services_left_for_the_cycle_search_are_those_no_peeling_frees(data):
    """Peeling (services on no cycle taken off, one after the other) leaves exactly the greatest set in which
    every service has a hard dependency, plain or `any_of`, wholly inside the set, and is named by one."""
    inventory = build_inventory([parse("estate.yaml", as_yaml(data))])
    needs = {s.name: [tuple(d.services) for d in s.depends_on if d.hard] for s in inventory.services.values()}
    graph = hard_dependency_graph(inventory)
    assert (set(graph.nodes) if graph is not None else set()) == _held(needs)
