"""The report is plain data: values any renderer can take, with what a format shows beyond the findings worked out
by the audit only when that format declares it needs it."""
from __future__ import annotations

import pickle

import pytest

from conftest import AS_OF, SAMPLES, run_audit
from drcheck.audit.policy import default_policy
from drcheck.audit.report import EVERY, Needs
from drcheck.audit.run import AuditOptions, load_inventory
from drcheck.commands.diff import compare
from drcheck.commands.plan import make_plan
from drcheck.inventory.loader import load_documents
from drcheck.reporters import formats, need, render

KAKAO = SAMPLES / "kakao-2022.yaml"


def text(rendered) -> str:
    return rendered if isinstance(rendered, str) else "".join(rendered)


def test_an_audit_report_renders_alike_after_a_round_trip_through_pickle_in_every_format():
    report = run_audit(KAKAO)
    copy = pickle.loads(pickle.dumps(report))
    for fmt in formats("audit"):
        assert text(render("audit", fmt, copy)) == text(render("audit", fmt, report)), fmt


def test_a_comparison_and_a_plan_are_values_too():
    options = AuditOptions(policy=default_policy(), as_of=AS_OF)
    head = SAMPLES / "startup-single-dc.yaml"
    comparison = compare(lambda: load_inventory([str(KAKAO)]), lambda: load_inventory([str(head)]), options,
                         parallel=False)
    copy = pickle.loads(pickle.dumps(comparison))
    for fmt in formats("diff"):
        assert text(render("diff", fmt, copy)) == text(render("diff", fmt, comparison)), fmt
    plan = make_plan(load_documents([str(SAMPLES / "multi-region-cloud.yaml")]), options)
    assert plan.steps  # a plan with something in it
    copy = pickle.loads(pickle.dumps(plan))
    for fmt in formats("plan"):
        assert text(render("plan", fmt, copy)) == text(render("plan", fmt, plan)), fmt


def test_the_audit_works_out_only_what_the_formats_to_write_need():
    plain = run_audit(KAKAO, needs=need("audit", ["junit", "gitlab", "fingerprints"]))
    assert plain.computed == Needs()
    assert plain.impacts == {} and plain.inventory is None and plain.graph is None
    assert all(s.why == {} for s in plain.scenarios)

    table = run_audit(KAKAO, needs=need("audit", ["table"]))
    assert table.impacts["site:skcc-pangyo"] == 1.0  # its loss takes every service down
    assert table.inventory is None and table.graph is None and all(s.why == {} for s in table.scenarios)

    json = run_audit(KAKAO, needs=need("audit", ["json"]))
    assert all(list(s.why) == s.down for s in json.scenarios)  # every service down, in the order of `down`
    assert json.scenarios[0].why["kakaotalk"].chain == ("kakaotalk", "kakao-auth")

    html = run_audit(KAKAO, needs=need("audit", ["html"]))
    assert html.inventory is not None and sorted(html.graph.nodes) == sorted(
        [f"service:{n}" for n in html.inventory.services] + [f"site:{n}" for n in html.inventory.sites])
    assert list(html.scenarios[0].why) == html.scenarios[0].down  # 15 services: each box says why it is down


def test_the_html_of_a_large_estate_is_audited_without_the_graph_it_would_not_draw(write):
    services = "".join(f"  s{i}: {{placements: [{{site: a}}], depends_on: [s{i + 1}]}}\n" for i in range(70))
    path = write("version: 1\nsites: {a: {}}\nservices:\n" + services + "  s70: {placements: [{site: a}]}\n")
    report = run_audit(path, needs=need("audit", ["html"]))
    assert report.graph is None and report.inventory is not None
    worst = report.scenarios[0]
    assert len(worst.down) == 71 and list(worst.why) == worst.down[:60]  # the first 60: the most the page shows
    assert "71 services are too many to draw one box each" in render("audit", "html", report)


def test_a_format_refuses_a_report_audited_without_what_it_needs():
    report = run_audit(KAKAO, needs=need("audit", ["table"]))
    with pytest.raises(ValueError, match="the json format needs"):
        render("audit", "json", report)
    assert need("audit", ["json", "markdown"]) == Needs(impacts=True, why=EVERY, graph_up_to=60)
