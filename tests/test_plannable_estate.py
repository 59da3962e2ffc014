"""The estate the benchmark's plan step plans (benchmarks/synthetic.py `plannable_inventory`): it must give the
planner real work, its defects and nothing else, or the step would time an empty plan."""
from __future__ import annotations

import json
import sys

from conftest import ROOT, drcheck

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import plannable_inventory  # noqa: E402

SERVICES = 120


def test_without_its_defects_the_estate_passes_the_gate(tmp_path):
    path = tmp_path / "healthy.yaml"
    path.write_text(plannable_inventory(SERVICES, defects=False), encoding="utf-8")
    report = json.loads(drcheck("audit", path, "--as-of", "2026-11-01", "--format", "json").stdout)
    assert report["passed"] and report["gate"]["failed_because"] == []


def test_the_plan_mends_exactly_the_defects_and_passes(tmp_path):
    path = tmp_path / "plannable.yaml"
    path.write_text(plannable_inventory(SERVICES), encoding="utf-8")
    result = drcheck("plan", path, "--as-of", "2026-11-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)["plan"]
    assert not plan["passed_before"] and plan["passed_after"]
    changed: dict[str, set[str]] = {}
    for step in plan["steps"]:
        for change in step["changes"]:
            changed.setdefault(change["kind"], set()).add(change["subject"])
    # one service in 20 without a standby (all of tier 1), one in 15 untested (dr-untested judges tiers 0 and 1),
    # one data service in 5 backed up on its own site
    assert changed.pop("standby") == {f"svc-{i}" for i in range(SERVICES) if i % 20 == 1}
    assert changed.pop("drill") == {f"svc-{i}" for i in range(SERVICES) if i % 15 == 2 and i % 4 <= 1}
    assert changed.pop("backup") == {f"svc-{i}" for i in range(SERVICES) if i % 25 == 0}
    assert changed == {}
