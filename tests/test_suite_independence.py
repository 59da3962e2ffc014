"""The suite's verdicts depend neither on where it runs nor on chance.

A drcheck.yaml in the working directory (as one in the checkout is, for a run from its root) changes no
helper's answer, and property tests replay one fixed sequence of examples."""
from __future__ import annotations

from hypothesis import settings

from conftest import drcheck, drcheck_installed, run_audit
from drcheck.audit.policy import load_policy
from drcheck.testing import check_case

INVENTORY = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070]}
services:
  talk: {tier: 0, placements: [{site: pangyo}]}
"""
# every setting that would change the answers below: another profile, a laxer gate, no-dr off
POLICY = "profile: dora\nfail_on: critical\nrules:\n  no-dr: {enabled: false}\n"
NO_DR = {"name": "talk has no DR", "inventory": INVENTORY,
         "expect": [{"subject": "service:talk", "severity": "critical", "evidence": {"sites": ["pangyo"]}}]}


def answers(inventory):
    report = run_audit(inventory)
    arguments = ("audit", inventory, "--format", "json", "--as-of", "2026-11-01")
    in_process, installed = drcheck(*arguments), drcheck_installed(*arguments)
    return ([(f.rule, f.subject, f.severity) for f in report.findings], report.score.value,
            (in_process.returncode, in_process.stdout), (installed.returncode, installed.stdout))


def test_a_policy_in_the_working_directory_changes_no_helper_s_answer(write, tmp_path, monkeypatch):
    inventory = write(INVENTORY)
    before = answers(inventory)
    assert ("no-dr", "service:talk", "critical") in before[0]
    assert before[2][0] == 1 and before[2] == before[3]  # the gate fails, in this process as in its own
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "drcheck.yaml").write_text(POLICY, encoding="utf-8")
    monkeypatch.chdir(checkout)
    assert load_policy(None).rules["no-dr"].enabled is False  # drcheck itself does read it from here
    assert answers(inventory) == before
    check_case("no-dr", NO_DR, tmp_path)


def test_property_tests_replay_the_same_examples_and_keep_none():
    assert settings.default.derandomize is True
    assert settings.default.database is None
