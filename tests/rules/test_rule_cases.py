"""Every built-in rule is tested by its case file, tests/rules/cases/<rule-id>.yaml.

A case file holds small inventories and the exact findings the rule must give
on each (an empty list: it must not fire).  Expected evidence is matched as a
subset, numbers to within 0.15.

    rule: dr-site-too-close
    cases:
      - name: anyang is 13 km from pangyo
        params: {min_distance_km: 40}      # optional policy settings for the rule
        as_of: 2026-11-01                   # optional; default 2026-11-01
        inventory: |
          version: 1
          ...
        expect:
          - subject: service:talk
            status: fail                    # default fail; or unknown
            severity: high                  # optional
            message_contains: "13.1 km"     # optional
            evidence: {distance_km: 13.1, primary: pangyo}
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import run_audit
from drcheck.engine import discover

CASES = Path(__file__).parent / "cases"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _all_cases():
    for path in sorted(CASES.glob("*.yaml")):
        data = _load(path)
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{data['rule']}: {case['name']}")


def _matches(expected, actual) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(_matches, expected, actual))
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(actual, (int, float)):
        return abs(expected - actual) <= 0.15
    return expected == actual


@pytest.mark.parametrize("rule, case", list(_all_cases()))
def test_case(rule, case, tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(case["inventory"], encoding="utf-8")
    policy = None
    if case.get("params"):
        policy = tmp_path / "policy.yaml"
        policy.write_text(yaml.safe_dump({"rules": {rule: case["params"]}}), encoding="utf-8")
    as_of = case.get("as_of") or date(2026, 11, 1)
    report = run_audit(inventory, select=[rule], policy=str(policy) if policy else None, as_of=as_of)
    actual = [f for f in report.findings if f.rule == rule]
    expected = case["expect"] or []
    described = [(f.subject, f.status, f.severity, f.message, f.evidence) for f in actual]
    assert len(actual) == len(expected), f"expected {len(expected)} finding(s), got: {described}"
    unmatched = list(actual)
    for want in expected:
        hit = next((f for f in unmatched if _fits(want, f)), None)
        assert hit is not None, f"no finding matches {want}; got: {described}"
        unmatched.remove(hit)


def _fits(want: dict, finding) -> bool:
    return (
        finding.subject == want["subject"]
        and finding.status == want.get("status", "fail")
        and finding.severity == want.get("severity", finding.severity)
        and want.get("message_contains", "") in finding.message
        and _matches(want.get("evidence", {}), finding.evidence)
    )


def test_every_builtin_rule_has_firing_and_passing_cases():
    builtin = {rule_id for rule_id, source in discover().items() if source.origin == "builtin"}
    covered = {}
    for path in CASES.glob("*.yaml"):
        data = _load(path)
        assert path.stem == data["rule"], f"{path.name} must be named after its rule"
        covered[data["rule"]] = data["cases"]
    missing = sorted(builtin - set(covered))
    assert not missing, f"rules without a case file: {missing}"
    for rule_id, cases in covered.items():
        assert any(any(e.get("status", "fail") == "fail" for e in c["expect"] or []) for c in cases), f"{rule_id}: no firing case"
        assert any(not c["expect"] for c in cases), f"{rule_id}: no case where it must not fire"
