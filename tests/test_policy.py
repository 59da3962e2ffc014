"""The policy file, waivers and baselines, through the real command line."""
from __future__ import annotations

import json
import textwrap

import pytest

from conftest import drcheck

# talk: DR site anyang 13.3 km from pangyo (dr-site-too-close, high)
# crm: tier 1 on one site (no-dr, high); billing: fine
INVENTORY = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070]}
  anyang: {location: [37.3943, 126.9568]}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 0
    placements: [{site: pangyo}, {site: anyang, role: standby}]
  crm:
    tier: 1
    placements: [{site: pangyo}]
  billing:
    tier: 0
    placements: [{site: pangyo}, {site: busan, role: standby}]
"""
RULES = "no-dr,dr-site-too-close"

USER_RULE = '''\
from drcheck.api import Rule


class OwnerRequired(Rule):
    """A service nobody owns is a service nobody fails over: every service names an owner."""

    id = "org-owner-required"
    title = "Service without an owner"
    severity = "medium"
    remediation = "Set owner: to the team that answers for the service."

    def check(self, ctx, service):
        if service.owner is None:
            return self.fail(service, f"{service.name} has no owner", {"service": service.name})
'''


@pytest.fixture
def estate(tmp_path):
    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    return tmp_path


def write_policy(folder, text, name="policy.yaml"):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def audit(folder, *args, select=RULES, as_of="2026-11-01"):
    """(exit code, JSON report or None, stderr)."""
    chosen = ["--select", select] if select else []
    result = drcheck("audit", "inv.yaml", "--format", "json", "--as-of", as_of, *chosen, *args, cwd=folder)
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout) if result.returncode in (0, 1) else None
    return result.returncode, report, result.stderr


def findings(report, rule=None):
    return {f["subject"]: f for f in report["findings"] if rule is None or f["rule"] == rule}


# --- thresholds -------------------------------------------------------------------------------------------

def test_fail_on_from_the_policy_and_the_command_line_overrides_it(estate):
    write_policy(estate, "fail_on: critical\n")
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    assert code == 0 and report["passed"] and report["gate"]["fail_on"] == "critical"
    assert findings(report, "no-dr")["service:crm"]["severity"] == "high"  # still reported
    code, report, _ = audit(estate, "--policy", "policy.yaml", "--fail-on", "high")
    assert code == 1 and report["gate"]["failed_because"] == ["2 finding(s) at or above high"]


def test_min_score_from_the_policy(estate):
    _, plain, _ = audit(estate, "--fail-on", "critical")
    assert plain["passed"] and plain["score"] < 90
    write_policy(estate, "fail_on: critical\nmin_score: 90\n")
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    assert code == 1
    assert report["gate"]["failed_because"] == [f"score {plain['score']} is below the minimum 90"]
    code, _, _ = audit(estate, "--policy", "policy.yaml", "--min-score", "10")
    assert code == 0


def test_fail_on_unknown_from_the_policy(estate):
    # maps fails over to a site with no location: dr-site-too-close cannot tell
    unknown = INVENTORY.replace("sites:\n", "sites:\n  nowhere: {kind: vault}\n")
    unknown += "  maps:\n    tier: 3\n    placements: [{site: pangyo}, {site: nowhere, role: standby}]\n"
    (estate / "inv.yaml").write_text(unknown, encoding="utf-8")
    write_policy(estate, "fail_on: critical\n")
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    assert code == 0 and findings(report, "dr-site-too-close")["service:maps"]["status"] == "unknown"
    write_policy(estate, "fail_on: critical\nfail_on_unknown: true\n")
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    assert code == 1 and report["gate"]["failed_because"] == ["1 unknown result(s) and fail_on_unknown is set"]


# --- rules: parameters, severities, enabling ----------------------------------------------------------------

def test_rule_parameter_changes_what_fires(estate):
    write_policy(estate, "rules:\n  dr-site-too-close: {min_distance_km: 10}\n")
    _, report, _ = audit(estate, "--policy", "policy.yaml")
    assert "service:talk" not in findings(report, "dr-site-too-close")
    write_policy(estate, "rules:\n  dr-site-too-close: {min_distance_km: 400}\n")
    _, report, _ = audit(estate, "--policy", "policy.yaml")
    far = findings(report, "dr-site-too-close")
    assert set(far) == {"service:talk", "service:billing"}
    assert far["service:billing"]["evidence"]["distance_km"] == pytest.approx(303.3, abs=0.15)


def test_rule_severity_from_the_policy(estate):
    write_policy(estate, "rules:\n  no-dr: {severity: low}\n  dr-site-too-close: {severity: medium}\n")
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    assert findings(report, "no-dr")["service:crm"]["severity"] == "low"
    assert findings(report, "dr-site-too-close")["service:talk"]["severity"] == "medium"
    assert code == 0
    weights = {r["rule"]: r["weight"] for r in report["scoring"]["rules"]}
    assert weights == {"no-dr": 0.1, "dr-site-too-close": 0.25}


def test_enabled_false_turns_a_rule_off(estate):
    write_policy(estate, "rules:\n  no-dr: {enabled: false}\n")
    _, report, _ = audit(estate, "--policy", "policy.yaml", select=None)
    ran = {r["rule"] for r in report["scoring"]["rules"]}
    assert "no-dr" not in ran and "dr-site-too-close" in ran
    assert not findings(report, "no-dr")
    _, everything, _ = audit(estate, select=None)
    assert "service:crm" in findings(everything, "no-dr")


def test_rules_dirs_load_a_user_rule_relative_to_the_policy_file(estate, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("org")
    (elsewhere / "org_rules").mkdir()
    (elsewhere / "org_rules" / "owner_required.py").write_text(USER_RULE, encoding="utf-8")
    policy = write_policy(elsewhere, "rules_dirs: [org_rules]\nrules:\n  org-owner-required: {severity: high}\n")
    code, report, stderr = audit(estate, "--policy", policy, select=f"{RULES},org-owner-required")
    assert code == 1, stderr
    owned = findings(report, "org-owner-required")
    assert set(owned) == {"service:talk", "service:crm", "service:billing"}
    assert owned["service:crm"]["message"] == "crm has no owner" and owned["service:crm"]["severity"] == "high"


# --- waivers ---------------------------------------------------------------------------------------------

WAIVERS = """\
waivers:
  - rule: no-dr
    subject: service:crm
    reason: "CRM moves to the Busan site in Q1 (CHG-1234)"
    expires: 2027-03-31
  - rule: dr-site-too-close
    subject: service:talk
    reason: "accepted until the new campus opens"
    expires: 2026-06-30
  - rule: no-dr
    subject: service:retired
    reason: "gone"
    expires: 2027-01-01
"""


def test_active_waiver_applies_and_expired_waiver_does_not(estate):
    write_policy(estate, WAIVERS)
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    crm = findings(report, "no-dr")["service:crm"]
    assert crm["waived"] is True and crm["waiver_reason"] == "CRM moves to the Busan site in Q1 (CHG-1234)"
    talk = findings(report, "dr-site-too-close")["service:talk"]
    assert talk["waived"] is False  # expired on 2026-06-30, audited as of 2026-11-01
    assert [(w["rule"], w["subject"], w["expires"]) for w in report["waivers"]["expired"]] == [
        ("dr-site-too-close", "service:talk", "2026-06-30")]
    assert report["waivers"]["expired"][0]["location"] == {"file": "policy.yaml", "line": 6, "column": 5}
    assert [w["subject"] for w in report["waivers"]["unused"]] == ["service:retired"]
    assert code == 1 and report["gate"]["failed_because"] == ["1 finding(s) at or above high"]
    assert report["summary"]["waived"] == 1


def test_waiver_expiry_is_judged_as_of_the_given_date_inclusive(estate):
    write_policy(estate, WAIVERS)
    _, on_the_day, _ = audit(estate, "--policy", "policy.yaml", as_of="2026-06-30")
    assert findings(on_the_day, "dr-site-too-close")["service:talk"]["waived"] is True
    _, day_after, _ = audit(estate, "--policy", "policy.yaml", as_of="2026-07-01")
    assert findings(day_after, "dr-site-too-close")["service:talk"]["waived"] is False
    code, later, _ = audit(estate, "--policy", "policy.yaml", as_of="2027-04-01")
    assert findings(later, "no-dr")["service:crm"]["waived"] is False
    assert {w["subject"] for w in later["waivers"]["expired"]} == {"service:crm", "service:talk", "service:retired"}


def test_waived_findings_neither_fail_the_gate_nor_lower_the_score(estate):
    write_policy(estate, WAIVERS)
    code, waived, _ = audit(estate, "--policy", "policy.yaml", as_of="2026-06-01")
    assert code == 0 and waived["passed"]
    _, unwaived, _ = audit(estate, as_of="2026-06-01")
    assert waived["score"] == 100.0 and unwaived["score"] < 100.0


def test_no_waivers_shows_everything(estate):
    write_policy(estate, WAIVERS)
    code, report, _ = audit(estate, "--policy", "policy.yaml", "--no-waivers", as_of="2026-06-01")
    assert code == 1
    assert not any(f["waived"] for f in report["findings"])
    assert report["waivers"] == {"expired": [], "unused": []}
    assert report["gate"]["failed_because"] == ["2 finding(s) at or above high"]


def test_waivers_show_in_the_table_and_markdown(estate):
    write_policy(estate, WAIVERS)
    table = drcheck("audit", "inv.yaml", "--policy", "policy.yaml", "--select", RULES, "--as-of", "2026-11-01",
                    cwd=estate).stdout
    assert "waived: CRM moves to the Busan site in Q1 (CHG-1234)" in table
    assert "expired waiver (2026-06-30) no longer applies: dr-site-too-close service:talk" in table
    markdown = drcheck("audit", "inv.yaml", "--policy", "policy.yaml", "--select", RULES, "--as-of", "2026-11-01",
                       "--format", "markdown", cwd=estate).stdout
    assert "Expired waiver (2026-06-30) no longer applies: `dr\\-site\\-too\\-close` service:talk" in markdown


# --- invalid policies: exit 2 with file:line:column ---------------------------------------------------------

@pytest.mark.parametrize("text, where, message", [
    ("fail_onn: high\n", "1:1", "unknown policy key 'fail_onn'"),
    ("fail_on: severe\n", "1:10", "fail_on: found 'severe'; expected one of: critical, high"),
    ("profile: iso-99\n", "1:10", "profile: found 'iso-99'; expected one of: default"),
    ("profile: ''\n", "1:10", "profile: found ''; expected one of: default"),
    ("min_score: lots\n", "1:12", "min_score: found 'lots'"),
    ("rules:\n  no-such-rule: {severity: high}\n", "2:3", "rules: unknown rule 'no-such-rule'"),
    ("rules:\n  no-dr: {severity: urgent}\n", "2:21", "rules.no-dr.severity: found 'urgent'"),
    ("rules:\n  dr-site-too-close: {min_distance_km: far}\n", "2:40", "rules.dr-site-too-close.min_distance_km: found 'far'"),
    ("rules:\n  no-dr: {max_tierr: 2}\n", "2:22", "rules.no-dr: unknown parameter 'max_tierr'"),
    # out of range: an error, never a value that quietly switches the rule off
    ("rules:\n  dr-site-too-close: {min_distance_km: -5}\n", "2:40",
     "rules.dr-site-too-close.min_distance_km: found -5.0; expected 0 or more"),
    ("rules:\n  backup-colocated: {min_distance_km: -1}\n", "2:39", "rules.backup-colocated.min_distance_km: found -1.0"),
    ("rules:\n  no-dr: {max_tier: -7}\n", "2:21", "rules.no-dr.max_tier: found -7; expected a value from 0 to 3"),
    ("rules:\n  provider-concentration: {max_tier: 4}\n", "2:38", "expected a value from 0 to 3"),
    ("rules:\n  blast-radius: {max_share: 1.5}\n", "2:29", "rules.blast-radius.max_share: found 1.5; expected a value from 0 to 1"),
    ("rules:\n  dr-untested: {max_age_days: -30}\n", "2:31", "rules.dr-untested.max_age_days: found -30; expected 1 or more"),
    ("rules:\n  no-dr: {enabled: maybe}\n", "2:20", "rules.no-dr.enabled: found 'maybe'; expected true or false"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: soon}\n", "2:5", "waiver: missing expires"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, expires: 2027-01-01}\n", "2:5", "waiver: missing reason"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: x, expires: 31/03/2027}\n", "2:61",
     "waiver.expires: found '31/03/2027'; expected a date YYYY-MM-DD"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: x, expires: 20270331}\n", "2:61", "expected a date YYYY-MM-DD"),
    ("waivers:\n  - {rule: no-drr, subject: service:crm, reason: x, expires: 2027-03-31}\n", "2:5", "waiver: unknown rule 'no-drr'"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: x, expires: 2027-03-31, by: me}\n", "2:73", "waiver: unknown field 'by'"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: a, expires: 2027-03-31}\n"
     "  - {rule: no-dr, subject: service:crm, reason: b, expires: 2028-03-31}\n", "3:5", "a second waiver for no-dr on service:crm (first at policy.yaml:2:5)"),
    ("rules_dirs: [missing_rules]\n", "1:14", "rules_dirs: 'missing_rules' is not a directory"),
    ("rules:\n  dr-site-too-close: {min_distance_km: 1e999}\n", "2:40", "expected float like 40.0"),
    ("rules:\n  dr-site-too-close: {min_distance_km: .inf}\n", "2:40", "expected float like 40.0"),
    ("rules:\n  dr-site-too-close: {min_distance_km: 1_0}\n", "2:40", "expected float like 40.0"),
    ("rules:\n  rto-infeasible: {achievable_rto: {warm-standby: P99999999999D}}\n", "2:36", "expected a duration"),
    ("min_score: ５０\n", "1:12", "min_score: found '５０'; expected a number from 0 to 100"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: x, expires: ２０２７-03-31}\n", "2:61", "expected a date"),
    ("fail_on: high\nfail_on: low\n", "2:1", "duplicate key 'fail_on'"),
    ("", "1:1", "the policy file is empty"),
    ("- fail_on\n", "1:1", "found no mapping at the top of the policy"),
])
def test_invalid_policy_exits_2_with_its_location(estate, text, where, message):
    write_policy(estate, text)
    code, _, stderr = audit(estate, "--policy", "policy.yaml")
    assert code == 2
    assert stderr.startswith(f"error: policy.yaml:{where}: "), stderr
    assert message in stderr


def test_every_problem_in_a_policy_is_reported_at_once(estate):
    write_policy(estate, "fail_on: severe\nmin_score: 200\nrules:\n  no-dr: {severity: urgent}\n")
    code, _, stderr = audit(estate, "--policy", "policy.yaml")
    assert code == 2
    assert [line.split(": ")[1] for line in stderr.splitlines()] == ["policy.yaml:1:10", "policy.yaml:2:12", "policy.yaml:4:21"]


def test_empty_sections_are_no_settings(estate):
    write_policy(estate, "fail_on: critical\nrules:\n  # no-dr: {severity: low}\nwaivers:\n  # - rule: no-dr\n")
    code, report, stderr = audit(estate, "--policy", "policy.yaml")
    assert code == 0, stderr
    assert findings(report, "no-dr")["service:crm"]["severity"] == "high"


def test_missing_policy_file_exits_2(estate):
    code, _, stderr = audit(estate, "--policy", "nope.yaml")
    assert code == 2 and "nope.yaml: cannot read" in stderr


# --- drcheck.yaml in the working directory -----------------------------------------------------------------

def test_drcheck_yaml_in_the_working_directory_is_used(estate):
    write_policy(estate, "fail_on: critical\nrules:\n  no-dr: {severity: info}\n", name="drcheck.yaml")
    code, report, _ = audit(estate)
    assert code == 0 and findings(report, "no-dr")["service:crm"]["severity"] == "info"
    # an explicit --policy wins over it
    write_policy(estate, "fail_on: high\n")
    code, report, _ = audit(estate, "--policy", "policy.yaml")
    assert code == 1 and findings(report, "no-dr")["service:crm"]["severity"] == "high"


def test_a_broken_drcheck_yaml_in_the_working_directory_is_an_error(estate):
    write_policy(estate, "fail_on: whenever\n", name="drcheck.yaml")
    code, _, stderr = audit(estate)
    assert code == 2 and stderr.startswith("error: drcheck.yaml:1:10: fail_on: found 'whenever'")


# --- baseline ------------------------------------------------------------------------------------------------

def test_baseline_findings_do_not_fail_the_gate_and_counts_are_shown(estate):
    code, old, _ = audit(estate)
    assert code == 1
    (estate / "old.json").write_text(json.dumps(old), encoding="utf-8")
    code, report, _ = audit(estate, "--baseline", "old.json")
    assert code == 0 and report["passed"]
    assert all(f.get("baseline") for f in report["findings"])
    assert report["baseline"] == {"file": "old.json", "matched": 2, "fixed": 0}


def test_baseline_new_finding_fails_and_fixed_ones_are_counted(estate):
    _, old, _ = audit(estate)
    (estate / "old.json").write_text(json.dumps(old), encoding="utf-8")
    # crm gains a DR site far away (its no-dr finding is fixed); search is new and has none
    changed = INVENTORY.replace("    placements: [{site: pangyo}]\n",
                                "    placements: [{site: pangyo}, {site: busan, role: standby}]\n")
    changed += "  search:\n    tier: 0\n    placements: [{site: anyang}]\n"
    (estate / "inv.yaml").write_text(changed, encoding="utf-8")
    code, report, _ = audit(estate, "--baseline", "old.json")
    assert code == 1
    assert report["gate"]["failed_because"] == ["1 finding(s) at or above high"]
    new = [f for f in report["findings"] if not f.get("baseline")]
    assert [(f["rule"], f["subject"]) for f in new] == [("no-dr", "service:search")]
    assert report["baseline"] == {"file": "old.json", "matched": 1, "fixed": 1}


def test_baseline_matches_by_fingerprint_not_line(estate):
    _, old, _ = audit(estate)
    (estate / "old.json").write_text(json.dumps(old), encoding="utf-8")
    (estate / "inv.yaml").write_text("# moved down\n\n\n" + INVENTORY, encoding="utf-8")
    code, report, _ = audit(estate, "--baseline", "old.json")
    assert code == 0 and report["baseline"]["matched"] == 2
    line_before = findings(old, "no-dr")["service:crm"]["location"]["line"]
    assert findings(report, "no-dr")["service:crm"]["location"]["line"] == line_before + 3


def test_baseline_counts_in_table_and_markdown(estate):
    _, old, _ = audit(estate)
    (estate / "old.json").write_text(json.dumps(old), encoding="utf-8")
    table = drcheck("audit", "inv.yaml", "--select", RULES, "--baseline", "old.json", cwd=estate)
    assert table.returncode == 0
    assert "baseline old.json: 2 finding(s) already known, 0 fixed since" in table.stdout
    markdown = drcheck("audit", "inv.yaml", "--select", RULES, "--baseline", "old.json", "--format", "markdown", cwd=estate)
    assert "Baseline: 2 finding(s) already known, 0 fixed since." in markdown.stdout


@pytest.mark.parametrize("content, message", [
    ("not json", "not a drcheck JSON report"),
    ("[]", "not a drcheck JSON report"),
    ('{"findings": ["x"]}', "not a drcheck JSON report"),
    ('{"findings": [{"rule": "no-dr"}]}', "not a drcheck JSON report"),
])
def test_bad_baseline_exits_2(estate, content, message):
    (estate / "old.json").write_text(content, encoding="utf-8")
    code, _, stderr = audit(estate, "--baseline", "old.json")
    assert code == 2 and stderr.startswith(f"error: --baseline old.json: {message}")


def test_missing_baseline_exits_2(estate):
    code, _, stderr = audit(estate, "--baseline", "missing.json")
    assert code == 2 and "missing.json: cannot read baseline" in stderr
