"""Coverage: the tier-weighted share of services placed somewhere, the gate on it, and every format saying how
many services are not placed."""
from __future__ import annotations

import json

import pytest

from conftest import drcheck

# shop (tier 0, weight 8) is placed; catalog (tier 2, weight 2) is not yet; stripe is a third party
PARTLY_PLACED = """\
version: 1
sites:
  seoul: {}
  busan: {}
services:
  shop:
    tier: 0
    placements: [{site: seoul}, {site: busan, role: standby}]
    dr: {strategy: warm-standby, last_tested: 2026-09-01, automatic: true}
  catalog: {tier: 2}
  stripe: {kind: external}
"""
NOTHING_PLACED = """\
version: 1
services:
  catalog: {tier: 2}
  search: {tier: 3}
"""


@pytest.fixture
def partly(write):
    return write(PARTLY_PLACED)


def audit_json(*args) -> tuple[int, dict]:
    result = drcheck("audit", *args, "--as-of", "2026-11-01", "--format", "json")
    return result.returncode, json.loads(result.stdout)


def test_coverage_is_the_tier_weighted_share_placed_and_below_the_minimum_the_gate_fails(partly):
    code, report = audit_json(partly)
    assert report["coverage"] == 0.8  # 8 of 10: the unplaced external is left out
    assert report["inventory"]["unplaced"] == 1
    assert code == 1 and not report["passed"]
    assert report["gate"]["failed_because"] == ["coverage 80% is below the minimum 100%: 1 service(s) not placed on any "
                                                "site"]


def test_a_lower_min_coverage_lets_it_pass(partly, write):
    policy = write("min_coverage: 0.8\n", "policy.yaml")
    code, report = audit_json(partly, "--policy", policy)
    assert code == 0 and report["passed"] and report["gate"]["failed_because"] == []


def test_nothing_placed_never_passes_whatever_the_minimum(write):
    inventory = write(NOTHING_PLACED)
    policy = write("min_coverage: 0\nfail_on: critical\n", "policy.yaml")
    code, report = audit_json(inventory, "--policy", policy)
    assert code == 1 and report["coverage"] == 0 and report["grade"] != "A"
    assert report["gate"]["failed_because"] == ["nothing is placed: none of the 2 service(s) is placed on any site, so no "
                                                "placement could be judged"]
    only_saas = write("version: 1\nservices:\n  okta: {kind: external}\n", "saas.yaml")
    code, report = audit_json(only_saas, "--policy", policy)
    assert code == 1 and report["coverage"] == 0


NOTE = "coverage 80% of the tier weight: 1 of 3 service(s) not placed on any site"


def test_every_format_says_how_many_services_are_not_placed(partly):
    quiet = drcheck("audit", partly, "--as-of", "2026-11-01", "-q").stdout
    assert NOTE in quiet  # -q keeps it, and the unknown results it causes
    assert "unknown" in quiet.splitlines()[2]
    markdown = drcheck("audit", partly, "--as-of", "2026-11-01", "-f", "markdown").stdout
    assert "3 services (1 not yet placed, coverage 80%)" in markdown
    html = drcheck("audit", partly, "--as-of", "2026-11-01", "-f", "html").stdout
    assert "3 services (1 not yet placed, coverage 80%)" in html
    sarif = json.loads(drcheck("audit", partly, "--as-of", "2026-11-01", "-f", "sarif").stdout)
    assert sarif["runs"][0]["properties"] | {"coverage": 0.8, "unplaced": 1} == sarif["runs"][0]["properties"]
    junit = drcheck("audit", partly, "--as-of", "2026-11-01", "-f", "junit").stdout
    assert '<testsuite name="coverage" tests="1" failures="0" errors="0" skipped="1">' in junit
    assert f'<skipped message="{NOTE}; the rules that need placements report unknown for them" />' in junit
