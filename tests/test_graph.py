"""ctx.graph, the networkx view of an inventory that rule authors get, and the dependency cycles drawn from it."""
from __future__ import annotations

from conftest import AS_OF
from drcheck.audit import load_inventory
from drcheck.context import Context

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
        "service:deploy": {"recovery": True},
    }
    assert dict(graph["service:stripe"]) == {}
    assert list(graph.predecessors("service:talk")) == ["service:auth"]


def test_the_graph_is_built_once_per_audit(write):
    ctx = context(write)
    assert ctx.graph is ctx.graph


def test_dependency_cycles_name_the_members_and_a_shortest_path(write):
    (cycle,) = context(write).dependency_cycles()
    assert cycle.members == ["auth", "talk"]
    assert cycle.path == ["auth", "talk", "auth"]
