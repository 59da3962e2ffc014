"""Every built-in rule is tested by its case file, tests/rules/cases/<rule-id>.yaml
(the format is in drcheck/testing.py, which rule authors use for their own rules), and by the two
examples its documentation shows (`drcheck explain`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from drcheck.audit.engine import discover
from drcheck.testing import case_id, check_case, load_cases, load_examples

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize("rule, case", load_cases(CASES), ids=case_id)
def test_case(rule, case, tmp_path):
    check_case(rule, case, tmp_path)


@pytest.mark.parametrize("rule, case", load_examples(), ids=case_id)
def test_example(rule, case, tmp_path):
    check_case(rule, case, tmp_path)


def test_every_builtin_rule_is_documented_under_every_heading_with_both_examples():
    for rule_id, source in discover().items():
        if source.origin != "builtin":
            continue
        rule, doc = source.rule, source.rule.doc()
        assert doc.why and doc.when, f"{rule_id}: the docstring lacks '## Why it matters' or '## When it fires'"
        assert rule.example_fires and rule.example_passes, f"{rule_id}: an example is missing"
        assert rule.references, f"{rule_id}: no references"


def test_every_builtin_rule_has_firing_and_passing_cases():
    builtin = {rule_id for rule_id, source in discover().items() if source.origin == "builtin"}
    by_rule: dict[str, list[dict]] = {}
    for rule, case in load_cases(CASES):
        by_rule.setdefault(rule, []).append(case)
    missing = sorted(builtin - set(by_rule))
    assert not missing, f"rules without a case file: {missing}"
    for rule_id, cases in by_rule.items():
        assert any(any(e.get("status", "fail") == "fail" for e in c["expect"] or []) for c in cases), f"{rule_id}: no firing case"
        assert any(not c["expect"] for c in cases), f"{rule_id}: no case where it must not fire"


def test_a_case_that_does_not_hold_fails(tmp_path):
    wrong = {"name": "claims a distance that is not there", "expect": [{"subject": "service:talk", "evidence": {"distance_km": 20}}],
             "inventory": "version: 1\nsites:\n  a: {location: [37.401, 127.106]}\n  b: {location: [37.39, 126.96]}\n"
                          "services:\n  talk:\n    placements: [{site: a}, {site: b, role: standby}]\n"}
    with pytest.raises(AssertionError, match="no finding matches"):
        check_case("dr-site-too-close", wrong, tmp_path)


@pytest.mark.parametrize("distance", [13.1, 12.9, 13.0001])
def test_a_number_in_the_evidence_is_the_rule_s_own_not_one_near_it(tmp_path, distance):
    """Anyang is 13.0 km from Pangyo: no other figure passes for it."""
    near = {"name": f"claims {distance} km", "expect": [{"subject": "service:talk", "evidence": {"distance_km": distance}}],
            "inventory": "version: 1\nsites:\n  a: {location: [37.401, 127.106]}\n  b: {location: [37.39, 126.96]}\n"
                         "services:\n  talk:\n    placements: [{site: a}, {site: b, role: standby}]\n"}
    with pytest.raises(AssertionError, match="no finding matches"):
        check_case("dr-site-too-close", near, tmp_path)
    check_case("dr-site-too-close", dict(near, expect=[{"subject": "service:talk", "evidence": {"distance_km": 13.0}}]),
               tmp_path)


def test_a_case_ignores_the_policy_in_the_working_directory(tmp_path, monkeypatch):
    """The 13 km case fires at the default 40 km, whatever ./drcheck.yaml says."""
    here = tmp_path / "project"
    here.mkdir()
    (here / "drcheck.yaml").write_text("rules:\n  dr-site-too-close: {min_distance_km: 5}\n", encoding="utf-8")
    monkeypatch.chdir(here)
    case = {"name": "anyang is 13 km from pangyo",
            "expect": [{"subject": "service:talk", "evidence": {"distance_km": 13.0, "min_distance_km": 40.0}}],
            "inventory": "version: 1\nsites:\n  a: {location: [37.401, 127.106]}\n  b: {location: [37.39, 126.96]}\n"
                         "services:\n  talk:\n    placements: [{site: a}, {site: b, role: standby}]\n"}
    work = tmp_path / "work"
    work.mkdir()
    check_case("dr-site-too-close", case, work)
    with_params = dict(case, params={"min_distance_km": 5}, expect=[])
    check_case("dr-site-too-close", with_params, work)
