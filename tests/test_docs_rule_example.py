"""The documentation's "Writing your own rule" example (docs/writing-rules.md) is a working rule: run exactly as
the page shows it."""
from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import drcheck
from drcheck.testing import check_case, load_examples

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = """\
version: 1
sites:
  a: {}
  b: {}
services:
  auth:
    tier: 0
    placements: [{site: a}, {site: b, role: standby}]
  billing:
    tier: 0
    owner: team-pay
    placements: [{site: a}, {site: b, role: standby}]
  wiki:
    tier: 3
    placements: [{site: a}]
"""


def documented_rule() -> str:
    page = ROOT.joinpath("docs", "writing-rules.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(.*?)```", page, re.S).group(1)


def test_the_documented_example_rule_fires_where_it_should_and_passes_elsewhere(tmp_path):
    (tmp_path / "org_rules").mkdir()
    (tmp_path / "org_rules" / "owner_missing.py").write_text(documented_rule(), encoding="utf-8")
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", "--select", "owner-missing",
                     "--format", "json", "--as-of", "2026-11-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # the example's findings are medium: under the default gate
    findings = json.loads(result.stdout)["findings"]
    assert [(f["subject"], f["status"], f["message"]) for f in findings] == [
        ("service:auth", "fail", "auth (tier 0) names no owner")]


def test_the_documented_example_rule_s_own_examples_hold_and_explain_shows_them(tmp_path):
    rules_dir = tmp_path / "org_rules"
    rules_dir.mkdir()
    (rules_dir / "owner_missing.py").write_text(documented_rule(), encoding="utf-8")
    examples = load_examples([str(rules_dir)])
    assert [(rule, case["expect"]) for rule, case in examples] == [
        ("owner-missing", [{"subject": "service:auth", "status": "fail"}]), ("owner-missing", [])]
    for rule, case in examples:
        check_case(rule, case, tmp_path, rules_dirs=[str(rules_dir)])
    explained = drcheck("explain", "owner-missing", "--rules-dir", "org_rules", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert "\nWhat it does\n  Finds critical services that name no owner.\n" in explained.stdout
    assert "\nExample that fires (on service:auth)\n" in explained.stdout
