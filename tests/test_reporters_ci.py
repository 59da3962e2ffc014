"""The CI formats (SARIF, JUnit, GitHub workflow commands, GitLab Code Quality), each checked against
its schema or its consumer's rules, all rendered from the same findings through the real CLI."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import xmlschema

from conftest import ROOT, drcheck, sarif_schema

SCHEMAS = ROOT / "tests" / "schemas"
HOSTILE = "talk [x](1) <script>alert(1)</script> | \x1b[31m%0A,::error::\u202e\nline2"

INVENTORY = r"""version: 1
name: "ci <b>estate</b>"
sites:
  pangyo: {location: [37.4005, 127.1070], building: pg-b1}
  anyang: {location: [37.3943, 126.9568]}
  nowhere: {kind: vault}
services:
  "talk [x](1) <script>alert(1)</script> | \e[31m%0A,::error::\u202e\nline2":
    tier: 0
    placements: [{site: pangyo}]
  mail:
    tier: 1
    placements: [{site: pangyo}, {site: anyang, role: standby}]
  legacy:
    tier: 2
    placements: [{site: pangyo}, {site: anyang, role: standby}]
  maps:
    tier: 1
    placements: [{site: pangyo}, {site: nowhere, role: standby}]
"""

POLICY = """\
waivers:
  - rule: dr-site-too-close
    subject: service:legacy
    reason: "Move <b>scheduled</b> | CHG-1234, see [x](1)"
    expires: 2027-03-31
  - rule: no-dr
    subject: service:mail
    reason: "superseded"
    expires: 2026-01-01
"""

RULES = "no-dr,dr-site-too-close"


@pytest.fixture
def estate(tmp_path):
    """The inventory (with a hostile service name), a policy with an active and an expired waiver."""
    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return tmp_path


def run(estate, fmt, *extra):
    result = drcheck("audit", "inv.yaml", "--policy", "policy.yaml", "--select", RULES, "--as-of", "2026-11-01",
                     "--format", fmt, *extra, cwd=estate)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return result.stdout


def json_report(estate, *extra) -> dict:
    return json.loads(run(estate, "json", *extra))


def by_subject(findings: list[dict]) -> dict[str, dict]:
    return {f["subject"]: f for f in findings}


# --- SARIF -----------------------------------------------------------------------------------------------

def sarif_validator():
    schema = sarif_schema()
    validator = jsonschema.validators.validator_for(schema)
    assert validator is jsonschema.Draft4Validator  # the schema declares draft-04; make sure that is what checks
    return validator(schema)


def test_sarif_is_valid_sarif_2_1_0_and_locates_every_finding(estate):
    text = run(estate, "sarif")
    log = json.loads(text)
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "drcheck" and "informationUri" not in driver  # no web address to point at
    # every rule that ran is described, in the order results refer to by index
    assert [r["id"] for r in driver["rules"]] == ["dr-site-too-close", "no-dr"]
    no_dr = driver["rules"][1]
    assert no_dr["shortDescription"]["text"] == "Critical service without disaster recovery"
    assert "Kakao" in no_dr["fullDescription"]["text"]
    assert "How to fix it" in no_dr["help"]["text"] and "**How to fix it:**" in no_dr["help"]["markdown"]
    assert no_dr["defaultConfiguration"]["level"] == "error"
    assert no_dr["properties"]["security-severity"] == "9.5"

    expected = by_subject(json_report(estate)["findings"])
    results = log["runs"][0]["results"]
    assert len(results) == len(expected) == 4
    for result in results:
        subject = result["properties"]["subject"]
        finding = expected[subject]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == finding["rule"]
        assert result["partialFingerprints"] == {"drcheck/v1": finding["fingerprint"]}
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "inv.yaml"}
        assert physical["region"] == {"startLine": finding["location"]["line"],
                                      "startColumn": finding["location"]["column"]}
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == subject


def test_sarif_levels_suppressions_and_unknowns(estate):
    results = by_subject([dict(r, subject=r["properties"]["subject"])
                          for r in json.loads(run(estate, "sarif"))["runs"][0]["results"]])
    assert results["service:mail"]["level"] == "error" and results["service:mail"]["kind"] == "fail"
    assert "suppressions" not in results["service:mail"]
    waived = results["service:legacy"]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": "Move <b>scheduled</b> | CHG-1234, see [x](1)"}]
    unknown = results["service:maps"]
    assert (unknown["kind"], unknown["level"], unknown["properties"]["status"]) == ("review", "none", "unknown")
    assert "nowhere" in unknown["message"]["text"]


def test_sarif_names_stay_verbatim_but_brackets_are_not_links(estate):
    text = run(estate, "sarif")
    assert "\x1b" not in text and "\u202e" not in text  # escaped by JSON, not raw in the file
    result = next(r for r in json.loads(text)["runs"][0]["results"] if r["ruleId"] == "no-dr")
    assert result["properties"]["subject"] == f"service:{HOSTILE}"
    # "[x](1)" would be an embedded link to relatedLocations[1]: SARIF wants literal brackets escaped
    assert result["message"]["text"].startswith(HOSTILE.replace("[", "\\[").replace("]", "\\]"))


def test_sarif_medium_rule_is_a_warning_and_baseline_state_is_set(estate, tmp_path):
    (estate / "medium.yaml").write_text("rules:\n  dr-site-too-close: {severity: medium}\n", encoding="utf-8")
    old = json_report(estate)
    # the baseline knows the no-dr finding only
    old["findings"] = [f for f in old["findings"] if f["rule"] == "no-dr"]
    (estate / "old.json").write_text(json.dumps(old), encoding="utf-8")
    result = drcheck("audit", "inv.yaml", "--policy", "medium.yaml", "--select", RULES, "--as-of", "2026-11-01",
                     "--format", "sarif", "--baseline", "old.json", cwd=estate)
    log = json.loads(result.stdout)
    assert not list(sarif_validator().iter_errors(log))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["dr-site-too-close"]["defaultConfiguration"]["level"] == "warning"
    states = {(r["ruleId"], r["level"]): r["baselineState"] for r in log["runs"][0]["results"] if r["kind"] == "fail"}
    assert states == {("no-dr", "error"): "unchanged", ("dr-site-too-close", "warning"): "new"}


def test_sarif_uri_of_a_path_with_spaces_and_an_absolute_path(tmp_path):
    folder = tmp_path / "my inventories"
    folder.mkdir()
    (folder / "prod #1.yaml").write_text(INVENTORY, encoding="utf-8")
    relative = drcheck("audit", "my inventories/prod #1.yaml", "--select", "no-dr", "--format", "sarif", cwd=tmp_path)
    absolute = drcheck("audit", folder / "prod #1.yaml", "--select", "no-dr", "--format", "sarif")
    uris = [json.loads(r.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in (relative, absolute)]
    assert uris[0] == "my%20inventories/prod%20%231.yaml"
    assert uris[1] == (folder / "prod #1.yaml").as_uri() and uris[1].startswith("file:///")


# --- JUnit -----------------------------------------------------------------------------------------------

def test_junit_validates_against_the_junit_schema(estate):
    text = run(estate, "junit")
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(text)


def test_junit_one_suite_per_rule_with_failures_skips_and_passes(estate):
    root = ET.fromstring(run(estate, "junit"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["dr-site-too-close", "no-dr"]
    close = suites["dr-site-too-close"]
    cases = {c.get("name"): c for c in close.findall("testcase")}
    failure = cases["service:mail"].find("failure")
    assert failure.get("message") == "DR site anyang is 13.3 km from primary pangyo; policy requires 40 km"
    assert failure.get("type") == "high"
    assert "inv.yaml:11:3" in failure.text
    # the evidence: one line of compact JSON, its keys sorted, as the JSON report has it
    evidence = next(line for line in failure.text.splitlines() if line.startswith("evidence: "))[len("evidence: "):]
    assert json.loads(evidence)["distance_km"] == 13.3 and '"distance_km":13.3' in evidence
    assert list(json.loads(evidence)) == sorted(json.loads(evidence))
    assert cases["service:mail"].get("file") == "inv.yaml" and cases["service:mail"].get("line") == "11"
    assert cases["service:legacy"].find("skipped").get("message") == "waived: Move <b>scheduled</b> | CHG-1234, see [x](1)"
    assert cases["service:maps"].find("skipped").get("message").startswith("unknown: cannot measure distances")
    assert (close.get("tests"), close.get("failures"), close.get("skipped")) == ("3", "1", "2")
    # no-dr evaluated talk, mail and maps (tier <= 1); talk failed, the other two pass in one case
    no_dr = suites["no-dr"]
    passing = [c for c in no_dr.findall("testcase") if not list(c)]
    assert [c.get("name") for c in passing] == ["2 evaluated subject(s) without a finding"]
    assert (no_dr.get("tests"), no_dr.get("failures")) == ("2", "1")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "2", "0")


def test_junit_escapes_names_and_drops_characters_xml_cannot_hold(estate):
    text = run(estate, "junit")
    assert "\x1b" not in text and "<script>" not in text
    case = next(c for c in ET.fromstring(text).iter("testcase") if c.get("classname") == "drcheck.no-dr"
                and c.find("failure") is not None)
    name = case.get("name")
    assert name.startswith("service:talk [x](1) <script>alert(1)</script> | \\x1b[31m%0A,::error::\\u202e\\x0aline2")


def test_junit_suite_never_empty_when_a_rule_has_nothing_to_evaluate(tmp_path):
    (tmp_path / "inv.yaml").write_text("version: 1\nsites:\n  a: {location: [1, 2]}\nservices:\n"
                                      "  s: {tier: 3, placements: [{site: a}]}\n", encoding="utf-8")
    result = drcheck("audit", "inv.yaml", "--select", RULES, "--format", "junit", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(result.stdout)
    for suite in ET.fromstring(result.stdout).findall("testsuite"):
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == ["nothing to evaluate"]
        assert cases[0].find("skipped") is not None


# --- GitHub workflow commands ----------------------------------------------------------------------------

def test_github_annotations_one_line_per_finding_with_levels(estate):
    lines = run(estate, "github").splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 5  # 4 findings and the expired waiver
    mail = next(c for c in commands if "%0Aservice:mail" in c)
    assert mail.startswith("::error file=inv.yaml,line=11,col=3,title=drcheck dr-site-too-close (high)::DR site anyang")
    assert "How to fix it: Place a standby" in mail
    legacy = next(c for c in commands if "service:legacy" in c)
    assert legacy.startswith("::notice ") and "waived (Move <b>scheduled</b> | CHG-1234, see [x](1))" in legacy
    maps = next(c for c in commands if "service:maps" in c)
    assert maps.startswith("::notice ") and "unknown (not enough data)" in maps
    expired = next(c for c in commands if "expired" in c)
    assert expired.startswith("::warning file=policy.yaml,line=6,col=5,title=drcheck%3A expired waiver::")
    assert lines[-1].startswith("drcheck: score ") and "gate FAILED: 2 finding(s) at or above high" in lines[-1]


def test_github_escapes_data_and_properties(estate):
    text = run(estate, "github")
    talk = next(line for line in text.splitlines() if "no-dr" in line)
    data = talk.split("::", 2)[2]
    # % first (so the name's own "%0A" stays literal), then the real line break; controls made visible
    assert data.startswith("talk [x](1) <script>alert(1)</script> | \\x1b[31m%250A,::error::\\u202e%0Aline2 (tier 0)")
    assert "\x1b" not in text and "\u202e" not in text
    assert len(text.splitlines()) == 6  # no name can start a line of its own


def test_github_property_escaping_in_file_names(tmp_path):
    (tmp_path / "a,b:c%.yaml").write_text(INVENTORY, encoding="utf-8")
    result = drcheck("audit", "a,b:c%.yaml", "--select", "no-dr", "--format", "github", cwd=tmp_path)
    assert result.stdout.startswith("::error file=a%2Cb%3Ac%25.yaml,line=8,col=3,title=drcheck no-dr (critical)::")


def test_github_medium_is_a_warning_and_low_a_notice(estate):
    (estate / "levels.yaml").write_text("rules:\n  dr-site-too-close: {severity: medium}\n  no-dr: {severity: low}\n",
                                        encoding="utf-8")
    result = drcheck("audit", "inv.yaml", "--policy", "levels.yaml", "--select", RULES, "--format", "github",
                     "--as-of", "2026-11-01", cwd=estate)
    levels = {line.split("title=")[1].split("::")[0]: line.split(" ", 1)[0] for line in result.stdout.splitlines()
              if line.startswith("::") and "unknown" not in line}
    assert levels == {"drcheck dr-site-too-close (medium)": "::warning", "drcheck no-dr (low)": "::notice"}
    assert result.returncode == 0  # nothing at or above high


def _in_github_actions(args, cwd):
    return drcheck(*args, cwd=cwd, env={"GITHUB_ACTIONS": "true"})


def test_github_is_the_default_inside_github_actions_unless_a_format_is_given(estate):
    args = ["audit", "inv.yaml", "--policy", "policy.yaml", "--select", RULES, "--as-of", "2026-11-01"]
    assert _in_github_actions(args, estate).stdout == run(estate, "github")
    assert json.loads(_in_github_actions([*args, "--format", "json"], estate).stdout)["findings"]
    outside = drcheck(*args, cwd=estate)
    assert not outside.stdout.startswith("::") and "drcheck ci" in outside.stdout


# --- GitLab Code Quality ---------------------------------------------------------------------------------

def test_gitlab_code_quality_issues(estate):
    issues = json.loads(run(estate, "gitlab"))
    expected = by_subject(json_report(estate)["findings"])
    # waived findings are accepted risks: GitLab has no way to show them as such, so they are left out
    assert sorted(i["fingerprint"] for i in issues) == sorted(
        f["fingerprint"] for f in expected.values() if not f["waived"])
    by_rule = {(i["check_name"], i["severity"]): i for i in issues}
    assert set(by_rule) == {("no-dr", "blocker"), ("dr-site-too-close", "critical"), ("dr-site-too-close", "info")}
    mail = by_rule[("dr-site-too-close", "critical")]
    assert mail["location"] == {"path": "inv.yaml", "lines": {"begin": 11}}
    assert mail["description"] == "DR site anyang is 13.3 km from primary pangyo; policy requires 40 km [service:mail]"
    assert by_rule[("dr-site-too-close", "info")]["description"].startswith("unknown (not enough data): ")
    for issue in issues:  # the fields GitLab requires
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
    assert f"{HOSTILE} (tier 0)" in by_rule[("no-dr", "blocker")]["description"]


# --- one set of findings, every format -------------------------------------------------------------------

def test_every_format_reports_the_same_findings(estate):
    fingerprints = {f["fingerprint"] for f in json_report(estate)["findings"]}
    sarif = {r["partialFingerprints"]["drcheck/v1"] for r in json.loads(run(estate, "sarif"))["runs"][0]["results"]}
    junit = {line.split(": ")[1] for case in ET.fromstring(run(estate, "junit")).iter("testcase")
             for outcome in case for line in (outcome.text or "").splitlines() if line.startswith("fingerprint: ")}
    github = [line for line in run(estate, "github").splitlines() if line.startswith("::") and "drcheck%3A" not in line]
    assert sarif == junit == fingerprints and len(github) == len(fingerprints) == 4
