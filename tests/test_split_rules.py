"""A large audit runs every other rule in a forked second process: the outcomes must be exactly those of one
process, and a second process that dies must cost nothing but time."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from datetime import date

import pytest

from conftest import ROOT, drcheck
from drcheck.rule_api.context import Context
from drcheck.audit.engine import SPLIT_FROM_SERVICES, configure, discover, run
from drcheck.inventory.loader import parse
from drcheck.audit.policy import default_policy
from drcheck.processes import CAN_FORK
from drcheck.inventory.schema import build_inventory

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import synthetic_inventory  # noqa: E402

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="rules are split only where processes can fork")


def outcomes(text: str, split: bool, meanwhile=None) -> list[tuple]:
    ctx = Context(build_inventory([parse("estate.yaml", text)]), date(2026, 11, 1))
    sources = discover([])
    rules = configure(default_policy(), sources, None, [])
    return [(o.rule.id, o.evaluated, o.unknown, [asdict(f) for f in o.findings])
            for o in run(rules, ctx, trusted=set(sources), split=split, meanwhile=meanwhile)]


def test_split_rules_give_the_outcomes_of_one_process():
    text = synthetic_inventory(SPLIT_FROM_SERVICES)
    alone = outcomes(text, split=False)
    assert sum(len(found) for *_, found in alone) > 1000  # rules on both sides found plenty
    assert outcomes(text, split=True) == alone


@pytest.mark.parametrize("split", [False, True])
def test_the_caller_s_own_work_is_done_once_in_the_first_process(split):
    text = synthetic_inventory(SPLIT_FROM_SERVICES)
    done = []
    found = outcomes(text, split=split, meanwhile=lambda: done.append(os.getpid()))
    assert done == [os.getpid()]
    assert found == outcomes(text, split=False)


DIES_IN_A_CHILD = '''
import os

from drcheck.api import Rule

PARENT = os.getpid()  # rules are imported before the audit forks


class DiesInAChild(Rule):
    """Kills the process it runs in unless that is the one that imported it."""

    id = "{rule_id}"
    title = "dies in a forked child"
    severity = "low"
    remediation = "none"

    def check(self, ctx, service):
        if os.getpid() != PARENT:
            os._exit(3)
        return self.fail(service, f"{{service.name}} checked")
'''


def test_rules_of_a_second_process_that_dies_are_run_in_the_first(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for rule_id in ("org-a", "org-b"):  # whichever of the two the second process takes
        (rules / f"{rule_id.replace('-', '_')}.py").write_text(DIES_IN_A_CHILD.format(rule_id=rule_id),
                                                                 encoding="utf-8")
    (tmp_path / "estate.yaml").write_text(synthetic_inventory(SPLIT_FROM_SERVICES), encoding="utf-8")
    result = drcheck("audit", "estate.yaml", "--rules-dir", rules, "--select", "org-a,org-b,no-dr",
                     "--format", "json", "--as-of", "2026-11-01", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert found.count("org-a") == found.count("org-b") == SPLIT_FROM_SERVICES


TELLS_ITS_PROCESS = '''
import os

from drcheck.api import Rule

PARENT = os.getpid()  # rules are imported before the audit forks


class TellsItsProcess(Rule):
    """Says whether it ran in the process that imported it."""

    id = "{rule_id}"
    title = "tells its process"
    severity = "low"
    remediation = "none"
    slow = {slow}

    def check(self, ctx, service):
        return self.fail(service, "checked", {{"first process": os.getpid() == PARENT}})
'''


def test_a_slow_rule_runs_first_in_the_first_process(tmp_path):
    """The last rule in order would be the second process's first: marked slow, the first process takes it
    first, and the second the others (its findings are not sent across)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for rule_id, slow in (("org-a", False), ("org-b", False), ("org-z", True)):
        (rules / f"{rule_id.replace('-', '_')}.py").write_text(TELLS_ITS_PROCESS.format(rule_id=rule_id, slow=slow),
                                                                 encoding="utf-8")
    (tmp_path / "estate.yaml").write_text(synthetic_inventory(SPLIT_FROM_SERVICES), encoding="utf-8")
    result = drcheck("audit", "estate.yaml", "--rules-dir", rules, "--select", "org-a,org-b,org-z",
                     "--format", "json", "--as-of", "2026-11-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # low findings pass the gate
    where = {(f["rule"], f["evidence"]["first process"]) for f in json.loads(result.stdout)["findings"]}
    assert ("org-z", True) in where and ("org-z", False) not in where
    assert ("org-b", False) in where  # the second process takes the others from the last back
