"""CI outputs within their hosts' limits: GitHub's annotations per step, its 1 MiB job summary, code
scanning's SARIF limits; the fingerprint baseline; the GitHub Action's own shell steps."""
from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import AS_OF, ROOT, SAMPLES, drcheck, run_audit
from test_reporters_ci import sarif_validator

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import synthetic_inventory  # noqa: E402

KAKAO = SAMPLES / "kakao-2022.yaml"


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """An estate whose findings do not fit GitHub's limits (about 7,800 of them)."""
    path = tmp_path_factory.mktemp("large") / "large.yaml"
    path.write_text(synthetic_inventory(3000), encoding="utf-8")
    return path


def annotations(text: str) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for line in text.splitlines():
        if line.startswith("::"):
            kinds[line[2:].split(" ", 1)[0].split("::", 1)[0]].append(line)
    return kinds


def test_github_annotates_the_ten_most_important_of_each_kind_and_says_how_many_more():
    result = drcheck("audit", KAKAO, "--format", "github", "--as-of", "2026-11-01")
    assert result.returncode == 1
    shown = annotations(result.stdout)
    assert len(shown["error"]) == 10 and len(shown["warning"]) <= 10 and len(shown["notice"]) <= 10
    # kakao has 15 critical and 19 high findings: the ten annotated are critical ones
    assert all("(critical)" in line for line in shown["error"])
    report = json.loads(drcheck("audit", KAKAO, "--format", "json", "--as-of", "2026-11-01").stdout)
    errors = sum(f["severity"] in ("critical", "high") for f in report["findings"] if f["status"] == "fail")
    note = next(line for line in shown["notice"] if "more findings than GitHub annotates" in line)
    assert f"{errors - 10} errors more not annotated here" in note
    assert "job summary" in note


def test_github_points_to_the_json_report_written_in_the_same_run(tmp_path):
    result = drcheck("audit", KAKAO, "--format", "github", "-o", f"json={tmp_path / 'full.json'}")
    note = next(line for line in result.stdout.splitlines() if "more findings than GitHub annotates" in line)
    assert f"the full report is in {tmp_path / 'full.json'}" in note


def test_github_annotates_everything_when_it_fits(tmp_path):
    (tmp_path / "inv.yaml").write_text("version: 1\nsites:\n  a: {}\nservices:\n"
                                       "  auth: {tier: 0, placements: [{site: a}]}\n")
    shown = annotations(drcheck("audit", "inv.yaml", "--format", "github", "--select", "no-dr", cwd=tmp_path).stdout)
    assert len(shown["error"]) == 1 and shown["notice"] == []


def test_markdown_stays_under_a_mebibyte_most_important_first(large, tmp_path):
    result = drcheck("audit", large, "--as-of", "2026-11-01", "-o", f"markdown={tmp_path / 'r.md'}",
                     "-o", f"json={tmp_path / 'r.json'}")
    assert result.returncode == 1, result.stderr
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert len(text.encode()) < 1024 * 1024
    total = len(json.loads((tmp_path / "r.json").read_text())["findings"])
    rows = text.split("|---|---|---|---|---|---|\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert 100 < len(rows) < total
    assert (f"The {len(rows)} most important of {total} findings; {total - len(rows)} more are left out to keep "
            f"this report under 1 MiB") in text
    assert f"{tmp_path / 'r.json'} has every finding" in text.replace("\\", "")
    # severity first: no high row before the last critical one
    severities = ["critical" if "🟥" in r else "high" if "🟧" in r else "medium" for r in rows]
    assert severities == sorted(severities, key=["critical", "high", "medium"].index)
    # the sections after the findings are still there
    assert "How the score is computed" in text and "### Worst single failures" in text


def test_sarif_keeps_the_most_severe_within_the_result_limit(monkeypatch):
    from drcheck.reporters import render, sarif

    report = run_audit(KAKAO)
    monkeypatch.setattr(sarif, "MAX_RESULTS", 12)
    log = json.loads("".join(render("audit", "sarif", report)))  # written in pieces
    assert not list(sarif_validator().iter_errors(log))
    run = log["runs"][0]
    assert len(run["results"]) == 12
    assert {r["properties"]["severity"] for r in run["results"]} == {"critical"}  # 15 critical to choose from
    omitted = run["properties"]["resultsOmitted"]
    assert omitted["kept"] == 12 and omitted["count"] == len(report.failures) + len(report.unknowns) - 12
    assert "at most 12 results" in omitted["why"]


def test_sarif_stays_under_the_gzipped_size_limit(monkeypatch):
    from drcheck.reporters import render, sarif

    report = run_audit(KAKAO)
    monkeypatch.setattr(sarif, "MAX_GZIPPED_BYTES", 2500)
    text = "".join(render("audit", "sarif", report))
    log = json.loads(text)
    assert not list(sarif_validator().iter_errors(log))
    kept = len(log["runs"][0]["results"])
    assert 0 < kept < len(report.failures)
    results_only = "\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in log["runs"][0]["results"])
    assert len(gzip.compress(results_only.encode())) <= 2500
    assert log["runs"][0]["properties"]["resultsOmitted"]["kept"] == kept


def test_sarif_of_an_estate_within_limits_omits_nothing():
    log = json.loads(drcheck("audit", KAKAO, "--format", "sarif").stdout)
    assert "resultsOmitted" not in log["runs"][0]["properties"]


# --- the fingerprint baseline ---------------------------------------------------------------------------

def test_a_fingerprint_file_is_a_baseline(tmp_path):
    written = drcheck("audit", KAKAO, "--as-of", "2026-11-01", "-o", f"fingerprints={tmp_path / 'base.txt'}")
    assert written.returncode == 1
    lines = (tmp_path / "base.txt").read_text().splitlines()
    assert lines[0].startswith("# drcheck fingerprints 1")
    report = json.loads(drcheck("audit", KAKAO, "--as-of", "2026-11-01", "--format", "json").stdout)
    failing = sorted(f["fingerprint"] for f in report["findings"] if f["status"] == "fail")
    assert [line.split()[0] for line in lines[1:]] == failing
    assert "no-dr service:kakao-auth" in "\n".join(lines)
    # far smaller than the report, and it gates the same way
    assert (tmp_path / "base.txt").stat().st_size * 3 < len(json.dumps(report))
    again = drcheck("audit", KAKAO, "--as-of", "2026-11-01", "--baseline", tmp_path / "base.txt", "--format", "json")
    assert again.returncode == 0
    baselined = json.loads(again.stdout)
    assert baselined["baseline"]["matched"] == len(failing) and baselined["baseline"]["fixed"] == 0


def test_a_fingerprint_file_with_a_bad_line_is_exit_2_naming_the_line(tmp_path):
    (tmp_path / "base.txt").write_text("# drcheck fingerprints 1\n0123456789abcdef  no-dr service:x\n\nnot-a-print\n")
    result = drcheck("audit", KAKAO, "--baseline", tmp_path / "base.txt")
    assert result.returncode == 2
    assert "base.txt:4: found 'not-a-print'; expected a fingerprint of 16 hexadecimal digits" in result.stderr


# --- the GitHub Action's shell steps, run with bash as the runner runs them ----------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {step.get("name"): step for step in ACTION["runs"]["steps"]}

HIGH_ONLY = """\
version: 1
sites:
  a: {location: [37.4, 127.1]}
  b: {location: [35.2, 129.1]}
services:
  mail:
    tier: 1
    placements: [{site: a}]
"""


def run_step(name: str, runner: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    step = STEPS[name]
    assert step["shell"] == "bash"
    files = {"GITHUB_OUTPUT": runner / "output", "GITHUB_STEP_SUMMARY": runner / "summary",
             "GITHUB_PATH": runner / "path", "GITHUB_ENV": runner / "env"}
    for path in files.values():
        path.touch()
    full_env = dict(os.environ, RUNNER_TEMP=str(runner), NO_COLOR="1", **{k: str(v) for k, v in files.items()}, **env)
    full_env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(["bash", "-e", "-c", step["run"]], env=full_env, capture_output=True, text=True,
                          cwd=runner, timeout=120)


def outputs(runner: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())


@pytest.fixture
def runner(tmp_path):
    """RUNNER_TEMP with drcheck installed where the install step puts it, and an inventory whose only
    finding is high, under a policy that fails only on critical."""
    venv = tmp_path / "drcheck-venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "drcheck").symlink_to(Path(sys.executable).parent / "drcheck")
    (tmp_path / "inventory.yaml").write_text(HIGH_ONLY)
    (tmp_path / "drcheck.yaml").write_text("fail_on: critical\n")
    return tmp_path


def audit_env(**inputs) -> dict[str, str]:
    return {"INPUT_PATHS": "inventory.yaml", "INPUT_FAIL_ON": "", "INPUT_POLICY": "",
            "INPUT_ARGS": "--select no-dr --as-of 2026-11-01"} | inputs


def test_action_keeps_the_policys_fail_on_unless_the_input_is_given(runner):
    assert ACTION["inputs"]["fail-on"]["default"] == ""
    done = run_step("Audit", runner, audit_env())
    assert done.returncode == 0, done.stderr
    assert outputs(runner)["exit-code"] == "0"  # fail_on: critical in the policy; the finding is high
    assert "::error " in done.stdout and "gate passed" in done.stdout
    done = run_step("Audit", runner, audit_env(INPUT_FAIL_ON="high"))
    assert (runner / "output").read_text().splitlines()[-1] == "exit-code=1"


def test_action_audits_once_and_writes_sarif_and_the_job_summary(runner):
    done = run_step("Audit", runner, audit_env(INPUT_FAIL_ON="high"))
    assert done.returncode == 0, done.stderr  # the step records the code; the Gate step fails the job
    out = outputs(runner)
    assert out["exit-code"] == "1"
    sarif = json.loads(Path(out["sarif"]).read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["no-dr"]
    summary = (runner / "summary").read_text()
    assert summary.startswith("## drcheck:") and "no\\-dr" not in summary.split("\n")[0]
    assert "`no-dr`" in summary
    gate = subprocess.run(["bash", "-c", STEPS["Gate"]["run"]], env=dict(os.environ, CODE=out["exit-code"]))
    assert gate.returncode == 1


def test_action_passes_inputs_without_splicing_them_into_the_script(runner):
    done = run_step("Audit", runner, audit_env(INPUT_POLICY="drcheck.yaml; touch hacked", INPUT_FAIL_ON="high"))
    assert not (runner / "hacked").exists()
    assert outputs(runner)["exit-code"] == "2"  # no such policy file: drcheck could not run
    assert "drcheck.yaml; touch hacked" in done.stderr


STUB_PYTHON = """#!/usr/bin/env bash
echo "$0 $*" >> "$STUB_LOG"
if [ "$1" = "-c" ]; then exit "${STUB_TOO_OLD:-0}"; fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
"""


@pytest.mark.parametrize("too_old", [False, True])
def test_action_installs_into_its_own_environment_and_leaves_the_jobs_python_alone(tmp_path, too_old):
    assert not any("setup-python" in str(step.get("uses", "")) for step in ACTION["runs"]["steps"])
    stub = tmp_path / "python-stub"
    stub.write_text(STUB_PYTHON)
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {"PYTHON": str(stub), "ACTION_PATH": "/action", "STUB_LOG": str(tmp_path / "log")}
    if too_old:
        env["STUB_TOO_OLD"] = "1"
    done = run_step("Install drcheck", runner, env)
    log = (tmp_path / "log").read_text().splitlines()
    if too_old:
        assert done.returncode == 2
        assert "drcheck needs Python 3.10 or newer" in done.stdout
        assert len(log) == 1
    else:
        assert done.returncode == 0, done.stderr
        assert log[1] == f"{stub} -m venv {runner}/drcheck-venv"
        assert log[2] == f"{runner}/drcheck-venv/bin/python -m pip install --quiet /action"
    # nothing changes the PATH or the environment of the job's later steps
    assert (runner / "path").read_text() == "" and (runner / "env").read_text() == ""
