"""Redundant dependencies, `depends_on: [{any_of: [a, b], hard: ..}]`: read, checked, drawn and simulated."""
from __future__ import annotations

import json
from textwrap import dedent

import pytest
from jsonschema import Draft202012Validator

from conftest import drcheck
from drcheck.failures.domains import Domain, DomainIndex
from drcheck.errors import InputError, Location
from drcheck.failures.graph import inventory_graph
from drcheck.inventory.loader import parse
from drcheck.inventory.model import AnyOf, Dependency
from drcheck.inventory.schema import build_inventory, json_schema
from drcheck.failures.causes import Explanations
from drcheck.failures.simulate import Simulation

FILE = "inv.yaml"
SHOP = """\
version: 1
sites:
  seoul: {}
  busan: {}
services:
  checkout:
    tier: 0
    placements: [{site: seoul}, {site: busan, role: standby}]
    dr: {strategy: warm-standby, automatic: true}
    depends_on:
      - ledger
      - {any_of: [pg-toss, pg-inicis]}
      - {any_of: [cdn-a, cdn-b], hard: false}
  ledger: {placements: [{site: seoul}, {site: busan, role: standby}], dr: {automatic: true}}
  pg-toss: {placements: [{site: seoul}]}
  pg-inicis: {placements: [{site: busan}]}
  cdn-a: {kind: external}
  cdn-b: {kind: external}
"""


def load(text: str):
    return build_inventory([parse(FILE, dedent(text))])


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as refused:
        load(text)
    return [str(p) for p in refused.value.problems]


def with_dependency(entry: str) -> str:
    """SHOP with checkout's depends_on replaced by one entry, written on line 11 from column 9."""
    return SHOP.replace("      - ledger\n      - {any_of: [pg-toss, pg-inicis]}\n      - {any_of: [cdn-a, cdn-b], hard: false}\n",
                        f"      - {entry}\n")


def test_an_any_of_entry_is_read_with_its_services_in_order_and_where_each_is_named():
    checkout = load(SHOP).services["checkout"]
    assert checkout.depends_on == [
        Dependency("ledger", True, Location(FILE, 11, 9)),
        AnyOf(("pg-toss", "pg-inicis"), True, Location(FILE, 12, 9)),
        AnyOf(("cdn-a", "cdn-b"), False, Location(FILE, 13, 9)),
    ]
    assert checkout.depends_on[1].written_at == (Location(FILE, 12, 19), Location(FILE, 12, 28))
    assert [d.services for d in checkout.depends_on] == [("ledger",), ("pg-toss", "pg-inicis"), ("cdn-a", "cdn-b")]


@pytest.mark.parametrize("entry, problem", [
    ("{any_of: []}", "11:18: service 'checkout' dependency.any_of: found 0 service(s); expected two or more"),
    ("{any_of: [pg-toss]}", "11:18: service 'checkout' dependency.any_of: found 1 service(s); expected two or more, "
                            "any one of which will do (a single service is written as a plain dependency: - NAME)"),
    ("{any_of: [pg-toss, pg-toss]}", "11:18: service 'checkout' dependency.any_of: found 'pg-toss' twice; expected "
                                     "each service once"),
    ("{any_of: pg-toss}", "11:18: service 'checkout' dependency.any_of: found 'pg-toss'; expected a list of names"),
    ("{any_of: [pg-toss, pg-kcp]}", "11:28: service 'checkout' depends_on: unknown service 'pg-kcp'; expected one of "
                                    "the defined services"),
    ("{any_of: [pg-toss, pg-inicis], service: ledger}", "11:40: service 'checkout' dependency: unknown field 'service'; "
                                                        "expected one of: any_of, hard"),
    ("{any_of: [pg-toss, pg-inicis], hard: maybe}", "11:46: service 'checkout' dependency.hard: found 'maybe'; "
                                                    "expected true or false"),
])
def test_a_wrong_any_of_is_a_located_error_saying_what_was_expected(entry, problem):
    [found] = problems(with_dependency(entry))
    assert found.startswith(f"{FILE}:{problem}")


def test_the_json_schema_takes_what_drcheck_takes_and_refuses_what_it_refuses():
    validator = Draft202012Validator(json_schema())
    document = {"version": 1, "sites": {"a": {}}, "services": {
        "s": {"placements": [{"site": "a"}], "depends_on": ["t", {"any_of": ["t", "u"], "hard": False}]},
        "t": {}, "u": {}}}
    assert validator.is_valid(document)
    for wrong in ({"any_of": ["t"]}, {"any_of": ["t", "t"]}, {"any_of": ["t", "u"], "service": "t"}, {"any_of": "t"}):
        document["services"]["s"]["depends_on"] = [wrong]
        assert not validator.is_valid(document), wrong


def test_the_graph_marks_each_arrow_to_a_group_and_draws_it_labelled_any_of(tmp_path):
    graph = inventory_graph(load(SHOP))
    edges = graph["service:checkout"]
    assert edges["service:ledger"] == {"depends": "hard"}
    assert edges["service:pg-toss"] == edges["service:pg-inicis"] == {"depends": "hard", "any_of": ("pg-toss", "pg-inicis")}
    assert edges["service:cdn-b"] == {"depends": "soft", "any_of": ("cdn-a", "cdn-b")}
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP, encoding="utf-8")
    mermaid = drcheck("graph", path, "--format", "mermaid").stdout
    assert "  s1 -->|any of| s3\n  s1 -->|any of| s4\n  s1 -.->|any of| s5\n" in mermaid
    dot = drcheck("graph", path, "--format", "dot").stdout
    assert '"s1" -> "s3" [label="any of"];' in dot and '"s1" -> "s5" [style=dashed, label="any of"];' in dot


def test_a_service_named_alone_and_in_a_group_is_drawn_as_needed_alone():
    inventory = load(with_dependency("pg-toss\n      - {any_of: [pg-toss, pg-inicis]}"))
    assert inventory_graph(inventory)["service:checkout"]["service:pg-toss"] == {"depends": "hard"}


def simulate(text: str, *losses: list[str]) -> Simulation:
    inventory = load(text)
    index = DomainIndex(inventory)
    return Simulation(inventory, [index.failure([Domain("site", s) for s in lost]) for lost in losses])


def test_a_group_is_up_while_one_of_its_services_is_and_down_when_all_are():
    sim = simulate(SHOP, ["seoul"], ["busan"], ["seoul", "busan"])
    assert "checkout" not in sim.down_in(0) and "pg-toss" in sim.down_in(0)  # fails over; pg-inicis still answers
    assert "checkout" not in sim.down_in(1)
    assert "checkout" in sim.down_in(2)


GATEWAYS_IN_SEOUL = with_dependency("{any_of: [pg-toss, pg-inicis]}").replace(
    "pg-inicis: {placements: [{site: busan}]}", "pg-inicis: {placements: [{site: seoul}]}")


def test_why_names_the_group_whose_every_service_is_down():
    sim = simulate(GATEWAYS_IN_SEOUL, ["seoul"])
    cause = Explanations(sim).cause("checkout", 0)
    assert cause.chain == ("checkout", "pg-toss") and cause.any_of == (("pg-toss", "pg-inicis"),)
    assert cause.describe() == "hard dependency chain checkout → pg-toss; every one of pg-toss, pg-inicis is down"


def test_the_json_report_explains_a_group_down(tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text(GATEWAYS_IN_SEOUL, encoding="utf-8")
    result = drcheck("simulate", path, "--fail", "site=seoul", "--format", "json")
    [scenario] = json.loads(result.stdout)["scenarios"]
    assert scenario["why"]["checkout"] == {"cause": "dependency", "chain": ["checkout", "pg-toss"],
                                           "any_of_down": [["pg-toss", "pg-inicis"]]}
