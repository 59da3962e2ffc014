"""A plugin rule that raises is a rule error (a built-in one, an internal error of drcheck): exit 2, rule,
subject and the line of the rule's own file named, the other findings still reported, the failed check
listed with status `error` in every format (SPEC section 3)."""
from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import AS_OF, drcheck, drcheck_installed
from drcheck.rule_api.context import Context
from drcheck.audit.engine import configure, discover, run
from drcheck.inventory.loader import parse
from drcheck.audit.policy import default_policy
from drcheck.inventory.schema import build_inventory

INVENTORY = """\
version: 1
sites:
  a: {}
  b: {}
services:
  talk: {tier: 0, placements: [{site: a}]}
  crashy: {tier: 2, placements: [{site: a}, {site: b, role: standby}]}
"""

CRASHING_RULE = '''
from drcheck.api import Rule


class Crashes(Rule):
    """Raises on one service, to show what a broken plug-in does to an audit."""

    id = "org-crashes"
    title = "crashes on one service"
    severity = "medium"
    remediation = "fix the rule"

    def check(self, ctx, service):
        if service.name == "crashy":
            return {"not": "a finding"}["missing"]
        return self.fail(service, f"{service.name} looked at")
'''


def rules_dir(tmp_path, file: str, source: str):
    """A --rules-dir holding one rule file."""
    rules = tmp_path / "org_rules"
    rules.mkdir()
    (rules / file).write_text(source, encoding="utf-8")
    return rules


@pytest.fixture
def crashing(write, tmp_path):
    rules = rules_dir(tmp_path, "crashes.py", CRASHING_RULE)
    return write(INVENTORY), rules


def test_a_rule_that_raises_is_exit_2_naming_rule_and_subject_and_the_rest_is_reported(crashing):
    inventory, rules = crashing
    result = drcheck_installed("audit", inventory, "--rules-dir", rules, "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == (f"error: rule error: org-crashes failed on service:crashy at {rules / 'crashes.py'}:15: "
                             "KeyError: 'missing'\n")
    report = json.loads(result.stdout)
    assert report["passed"] is False
    assert report["summary"]["error"] == 1
    [error] = [f for f in report["findings"] if f["status"] == "error"]
    assert (error["rule"], error["subject"]) == ("org-crashes", "service:crashy")
    assert error["evidence"]["error"] == "KeyError: 'missing'"
    assert error["location"]["line"] == 7
    # the same rule's other subject, and every other rule, still report
    assert {(f["rule"], f["subject"]) for f in report["findings"] if f["status"] == "fail"} >= {
        ("org-crashes", "service:talk"), ("no-dr", "service:talk")}


@pytest.mark.parametrize("fmt, shown", [
    ("table", "ERROR (1) — checks that could not be made"),
    ("markdown", "| error | `org-crashes` | service:crashy (tier 2) |"),
    ("github", "::error file="),
])
def test_the_failed_check_is_shown_in_text_formats(crashing, fmt, shown):
    inventory, rules = crashing
    result = drcheck("audit", inventory, "--rules-dir", rules, "--format", fmt)
    assert result.returncode == 2
    assert shown in result.stdout
    assert "failed on service:crashy at " in result.stdout


def test_sarif_reports_the_failed_check_as_a_tool_notification(crashing):
    inventory, rules = crashing
    result = drcheck("audit", inventory, "--rules-dir", rules, "--format", "sarif")
    assert result.returncode == 2
    run = json.loads(result.stdout)["runs"][0]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["associatedRule"]["id"] == "org-crashes" and note["properties"]["subject"] == "service:crashy"
    assert all(r["properties"]["status"] != "error" for r in run["results"])


def test_junit_counts_the_failed_check_as_an_error(crashing):
    inventory, rules = crashing
    result = drcheck("audit", inventory, "--rules-dir", rules, "--format", "junit")
    assert result.returncode == 2
    root = ET.fromstring(result.stdout)
    assert root.get("errors") == "1"
    [case] = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert case.get("name") == "service:crashy"


def test_a_rule_that_returns_something_else_than_findings_fails_its_check(write, tmp_path):
    rules = tmp_path / "org_rules"
    rules.mkdir()
    (rules / "odd.py").write_text(CRASHING_RULE.replace('return {"not": "a finding"}["missing"]', 'return ["text"]'),
                                  encoding="utf-8")
    result = drcheck("audit", write(INVENTORY), "--rules-dir", rules, "--format", "json")
    assert result.returncode == 2
    # refused by the runner, so blamed on the rule's check, not on the runner's line that refused it
    assert result.stderr.startswith(f"error: rule error: org-crashes failed on service:crashy at {rules / 'odd.py'}:13: "
                                    "TypeError: check returned str 'text'; expected a Finding")


def test_a_plugin_that_breaks_inside_the_rule_api_is_blamed_on_its_own_line(write, tmp_path):
    rules = rules_dir(tmp_path, "lookup.py", CRASHING_RULE.replace('return {"not": "a finding"}["missing"]',
                                                                    'return ctx.site("nowhere")'))
    result = drcheck("audit", write(INVENTORY), "--rules-dir", rules, "--select", "org-crashes")
    assert result.returncode == 2
    assert result.stderr == (f"error: rule error: org-crashes failed on service:crashy at {rules / 'lookup.py'}:15: "
                             "KeyError: 'nowhere'\n")


def test_a_rule_that_raises_in_applies_fails_its_check_too(write, tmp_path):
    rules = tmp_path / "org_rules"
    rules.mkdir()
    (rules / "applies.py").write_text(CRASHING_RULE + "\n    def applies(self, ctx, service):\n        return 1 / 0\n",
                                      encoding="utf-8")
    result = drcheck("audit", write(INVENTORY), "--rules-dir", rules, "--format", "json")
    assert result.returncode == 2
    errors = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "error"]
    assert [f["subject"] for f in errors] == ["service:crashy", "service:talk"]
    assert all(f["evidence"]["error"] == "ZeroDivisionError: division by zero" for f in errors)


def test_diff_with_a_rule_that_raises_is_exit_2(crashing, write):
    inventory, rules = crashing
    head = write(INVENTORY.replace("tier: 0", "tier: 1"), "head.yaml")
    result = drcheck("diff", inventory, head, "--rules-dir", rules)
    assert result.returncode == 2
    assert "error: rule error: org-crashes failed on service:crashy at " in result.stderr


EVIDENCE_RULE = '''
from drcheck.api import Rule


class OddEvidence(Rule):
    """Gives crashy a finding the reports cannot carry (each test says which), and talk a plain one."""

    id = "org-odd-evidence"
    title = "odd evidence"
    severity = "medium"
    remediation = "fix the rule"

    def check(self, ctx, service):
        if service.name == "crashy":
            return CRASHY_RESULT
        return self.fail(service, "talk looked at", {"sites": ["a"], "share": 0.5, "ok": True, "none": None})
'''


@pytest.mark.parametrize("evidence, problem", [
    ("{'a', 'b'}", "evidence['checked'][0]['sites'] is a set"),
    ("float('nan')", "evidence['checked'][0]['sites'] is nan"),
    ("{1: 'a'}", "evidence['checked'][0]['sites'] has the key 1, which is not text"),
    ("object()", "evidence['checked'][0]['sites'] is a object"),  # (the type's name, as Python gives it)
    ("(lambda items: (items.append(items), items)[1])([])",  # a list that holds itself
     "the finding's evidence holds itself, or nests a thousand levels deep; expected JSON data"),
])
def test_evidence_that_json_cannot_hold_is_an_error_of_the_rule_not_of_the_report(write, tmp_path, evidence, problem):
    rules = rules_dir(tmp_path, "odd.py", EVIDENCE_RULE.replace(
        "CRASHY_RESULT", f'self.fail(service, "crashy looked at", {{"checked": [{{"sites": {evidence}}}]}})'))
    result = drcheck("audit", write(INVENTORY), "--rules-dir", rules, "--select", "org-odd-evidence", "--format", "json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    also = "" if "holds itself" in problem else ("; a finding's evidence must be JSON data: text, numbers, true, false, "
                                                 "null, lists, and mappings with text keys")
    assert result.stderr == (f"error: rule error: org-odd-evidence failed on service:crashy at {rules / 'odd.py'}:13: "
                             f"TypeError: {problem}{also}\n")
    report = json.loads(result.stdout)  # the report itself is whole
    assert sorted((f["subject"], f["status"]) for f in report["findings"]) == [("service:crashy", "error"),
                                                                                ("service:talk", "fail")]


@pytest.mark.parametrize("call, problem", [
    ('self.fail(service, 42)', "the finding's message is 42; expected text"),
    ('self.fail(service, "x", cause=None)', "the finding's cause is None; expected text"),
    ('self.fail(service, "x", severity="urgent")',
     "the finding's severity is 'urgent'; expected one of critical, high, medium, low, info"),
    ('self.fail(service, "x", location=("inventory.yaml", 1, 1))',
     "the finding's location is ('inventory.yaml', 1, 1); expected a Location or None"),
])
def test_a_finding_the_reports_cannot_carry_is_an_error_of_the_rule(write, tmp_path, call, problem):
    rules = rules_dir(tmp_path, "odd.py", EVIDENCE_RULE.replace("CRASHY_RESULT", call))
    for fmt in ("table", "sarif"):  # each broke with "internal error at drcheck/reporters/..."
        result = drcheck("audit", write(INVENTORY), "--rules-dir", rules, "--select", "org-odd-evidence", "--format", fmt)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr == (f"error: rule error: org-odd-evidence failed on service:crashy at {rules / 'odd.py'}:13: "
                                 f"TypeError: {problem}\n")


def test_evidence_json_holds_but_a_fast_encoder_refuses_is_written_whole(write, tmp_path):
    """An integer beyond 64 bits and nesting 300 deep are JSON data: each report holds them as given."""
    rules = rules_dir(tmp_path, "odd.py", EVIDENCE_RULE.replace(
        "CRASHY_RESULT", 'self.fail(service, "crashy looked at", {"bytes": 2 ** 70, "deep": DEEP})') + (
        "\n\nDEEP = 0\nfor _ in range(300):\n    DEEP = [DEEP]\n"))
    inventory = write(INVENTORY)
    result = drcheck("audit", inventory, "--rules-dir", rules, "--select", "org-odd-evidence", "--format", "json")
    assert result.returncode == 0, result.stderr  # (medium findings: the gate passes)
    evidence = {f["subject"]: f["evidence"] for f in json.loads(result.stdout)["findings"]}["service:crashy"]
    assert evidence["bytes"] == 2 ** 70
    depth, deep = 0, evidence["deep"]
    while isinstance(deep, list):
        depth, deep = depth + 1, deep[0]
    assert (depth, deep) == (300, 0)
    sarif = drcheck("audit", inventory, "--rules-dir", rules, "--select", "org-odd-evidence", "--format", "sarif")
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert [r["properties"]["evidence"]["bytes"] for r in results if r["properties"]["subject"] == "service:crashy"] \
        == [2 ** 70]


def test_plan_with_a_rule_that_raises_is_exit_2_naming_rule_and_subject(crashing):
    inventory, rules = crashing
    result = drcheck("plan", inventory, "--rules-dir", rules)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error: rule error: org-crashes failed on service:crashy at " in result.stderr


@settings(max_examples=30, deadline=None)
@given(depth=st.integers(0, 4), in_helper=st.booleans(), message=st.text(max_size=20),
       exception=st.sampled_from(["KeyError", "ValueError", "ZeroDivisionError", "TypeError", "RuntimeError"]))
def test_whatever_a_plugin_raises_and_wherever_the_error_names_the_line_of_its_own_file(depth, in_helper, message,
                                                                                        exception):
    """A chain of `depth` calls inside the rule's file, or into a helper module beside it, then a raise: the
    error names the rule, the subject, and the last line of the rule's file on the way (the raise, or the call
    into the helper)."""
    chain = "".join(f"def step{n}():\n    return step{n + 1}()\n\n\n" for n in range(depth))
    chain += f"def step{depth}():\n    raise {exception}({message!r})\n"
    helper, rule = (chain, "") if in_helper else ("", chain)
    rule_source = ("from drcheck.api import Rule\n" + ("from ._steps import step0\n" if in_helper else "")
                   + "\n\n" + rule + "\n\n" + CRASHING_RULE.split("\n\n\n", 1)[1].replace(
                       'return {"not": "a finding"}["missing"]', "return step0()"))
    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder)
        (rules / "_steps.py").write_text(helper, encoding="utf-8")
        (rules / "crashes.py").write_text(rule_source, encoding="utf-8")
        where = rule_source.splitlines().index(
            "            return step0()" if in_helper else f"    raise {exception}({message!r})") + 1
        sources = discover([str(rules)])
        ctx = Context(build_inventory([parse("inventory.yaml", INVENTORY)]), AS_OF)
        [outcome] = run(configure(default_policy(), sources, ["org-crashes"], []), ctx)
    [error] = [f for f in outcome.findings if f.status == "error"]
    assert error.subject == "service:crashy"
    assert error.message.startswith(f"rule error: org-crashes failed on service:crashy at {rules / 'crashes.py'}:{where}: "
                                    f"{exception}")
