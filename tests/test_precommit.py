"""The integration files, run the way their hosts run them: the pre-commit hooks through pre-commit
itself against a temporary git repository, and the GitHub Action's audit script under bash."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import xmlschema
import pytest
import yaml

from conftest import ROOT, sarif_schema

pytestmark = pytest.mark.slow  # installs hook environments and runs pre-commit

BIN = Path(sys.executable).parent
GOOD = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070]}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 2
    placements: [{site: pangyo}, {site: busan, role: standby}]
"""
INVALID = GOOD.replace("tier: 2", "tier: 2\n    colour: blue")
FAILING = GOOD.replace("tier: 2", "tier: 0").replace(", {site: busan, role: standby}", "")
# pip messages that mean the package index cannot be reached, not that drcheck cannot be installed
OFFLINE = re.compile(r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
                     r"No matching distribution found|Could not find a version that satisfies")


def git(folder, *args):
    subprocess.run(["git", "-c", "user.name=drcheck tests", "-c", "user.email=tests@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=folder, check=True, capture_output=True)


def hook_definitions() -> list[dict]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_hook_definitions():
    hooks = {h["id"]: h for h in hook_definitions()}
    assert set(hooks) == {"drcheck-validate", "drcheck-audit"}
    assert hooks["drcheck-validate"]["entry"] == "drcheck validate"
    assert hooks["drcheck-audit"]["entry"] == "drcheck audit"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False  # files given together are merged into one inventory
        assert re.search(hook["files"], "dr/inventory.yaml") and re.search(hook["files"], "drcheck.yml")
        assert not re.search(hook["files"], "README.md")


def user_repository(folder: Path, config: dict, inventory: str) -> Path:
    folder.mkdir()
    (folder / "inventory.yaml").write_text(inventory, encoding="utf-8")
    (folder / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    git(folder, "init", "-q")
    git(folder, "add", ".")
    return folder


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), NO_COLOR="1", PRE_COMMIT_COLOR="never")
    return subprocess.run([str(BIN / "pre-commit"), "run", "--all-files"], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=900)


def test_pre_commit_is_installed():
    assert (BIN / "pre-commit").exists(), "pre-commit is in the test extras: pip install -e '.[test]'"


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory):
    """This working tree as a hook repository at a git revision, as users reference it."""
    folder = tmp_path_factory.mktemp("drcheck-hooks")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("drcheck", "rules"):
        shutil.copytree(ROOT / name, folder / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, folder / name)
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "drcheck")
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
                              check=True).stdout.strip()
    return {"repo": str(folder), "rev": revision, "home": tmp_path_factory.mktemp("pre-commit-home")}


def test_pre_commit_installs_and_runs_our_hooks(hook_repository, tmp_path):
    config = {"repos": [{"repo": hook_repository["repo"], "rev": hook_repository["rev"], "hooks": [
        {"id": "drcheck-validate"},
        {"id": "drcheck-audit", "args": ["inventory.yaml", "--fail-on", "critical"]},
    ]}]}
    home = hook_repository["home"]
    good = pre_commit(user_repository(tmp_path / "good", config, GOOD), home)
    log = home / "pre-commit.log"
    if good.returncode == 3 and log.exists() and OFFLINE.search(log.read_text(encoding="utf-8", errors="replace")):
        pytest.skip("pre-commit could not install the hook environment: the package index is unreachable here")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"drcheck validate\.+Passed", good.stdout) and re.search(r"drcheck audit\.+Passed", good.stdout)

    invalid = pre_commit(user_repository(tmp_path / "invalid", config, INVALID), home)
    assert invalid.returncode == 1
    assert re.search(r"drcheck validate\.+Failed", invalid.stdout)
    assert "inventory.yaml:8:5: " in invalid.stdout and "colour" in invalid.stdout

    failing = pre_commit(user_repository(tmp_path / "failing", config, FAILING), home)
    assert failing.returncode == 1
    assert re.search(r"drcheck validate\.+Passed", failing.stdout)
    assert re.search(r"drcheck audit\.+Failed", failing.stdout)
    assert "no-dr" in failing.stdout and "talk (tier 0) runs only in site pangyo" in failing.stdout


def test_local_hooks_with_our_definitions(tmp_path):
    """The same hook definitions as `repo: local` hooks running this environment's drcheck (no installation)."""
    hooks = []
    for hook in hook_definitions():
        command, subcommand = hook["entry"].split()
        hooks.append(dict(hook, language="system", entry=f"{BIN / command} {subcommand}"))
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    home = tmp_path / "home"
    assert pre_commit(user_repository(tmp_path / "good", config, GOOD), home).returncode == 0
    failing = pre_commit(user_repository(tmp_path / "failing", config, FAILING), home)
    assert failing.returncode == 1 and "no-dr" in failing.stdout
    invalid = pre_commit(user_repository(tmp_path / "invalid", config, INVALID), home)
    assert invalid.returncode == 1 and "inventory.yaml:8:5: " in invalid.stdout


# --- the GitHub Action -------------------------------------------------------------------------------------

def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_definition():
    definition = action()
    assert definition["runs"]["using"] == "composite"
    assert set(definition["inputs"]) >= {"paths", "fail-on", "policy", "args"}
    steps = definition["runs"]["steps"]
    assert not any("setup-python" in str(s.get("uses", "")) for s in steps)  # the job keeps its own Python
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ steps.audit.outputs.sarif }}"
    install = next(s for s in steps if s.get("name") == "Install drcheck")
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    for step in steps:  # inputs go through the environment; splicing them into a script invites injection
        assert "inputs." not in step.get("run", "")


def run_audit_step(tmp_path, inventory: str, **inputs):
    """The action's audit script under bash, with drcheck from this environment as its virtualenv."""
    script = next(s for s in action()["runs"]["steps"] if s.get("id") == "audit")
    runner = tmp_path / "runner"
    runner.mkdir()
    (runner / "drcheck-venv").symlink_to(BIN.parent)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "inventory.yaml").write_text(inventory, encoding="utf-8")
    defaults = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}
    values = defaults | {name.replace("_", "-"): value for name, value in inputs.items()}
    env = dict(os.environ, RUNNER_TEMP=str(runner), GITHUB_OUTPUT=str(runner / "output"),
               GITHUB_STEP_SUMMARY=str(runner / "summary.md"),
               INPUT_PATHS=values["paths"], INPUT_FAIL_ON=values["fail-on"], INPUT_POLICY=values["policy"],
               INPUT_ARGS=values["args"])
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(["bash", "-e", "-c", script["run"]], cwd=workspace, env=env, capture_output=True, text=True,
                          timeout=300)
    outputs = dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())
    summary = runner / "summary.md"
    return done, outputs, summary.read_text(encoding="utf-8") if summary.exists() else ""


def test_action_audit_step_annotates_writes_sarif_and_summary(tmp_path):
    done, outputs, summary = run_audit_step(tmp_path, FAILING)
    assert done.returncode == 0, done.stderr  # the gate step fails the job later, after the upload
    assert outputs["exit-code"] == "1"
    assert done.stdout.startswith("::error file=inventory.yaml,line=6,col=3,title=drcheck no-dr (critical)::")
    schema = sarif_schema()
    sarif = json.loads(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "no-dr"] == ["no-dr"]
    assert summary.startswith("## drcheck: inventory") and "`no-dr`" in summary


def test_action_audit_step_inputs(tmp_path):
    done, outputs, _ = run_audit_step(tmp_path, FAILING, args="--ignore no-dr", fail_on="critical")
    assert outputs["exit-code"] == "0", done.stdout + done.stderr
    assert "no-dr" not in Path(outputs["sarif"]).read_text(encoding="utf-8")


def test_action_audit_step_on_a_broken_inventory(tmp_path):
    done, outputs, summary = run_audit_step(tmp_path, INVALID)
    assert outputs["exit-code"] == "2"
    assert "inventory.yaml:8:5: " in done.stderr
    assert summary == "" and not Path(outputs["sarif"]).exists()  # nothing to upload


# --- the copy-paste examples in docs/ci.md -----------------------------------------------------------------

def doc_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "ci.md").read_text(encoding="utf-8"), re.S)


def test_every_yaml_example_in_the_docs_parses():
    blocks = doc_blocks()
    assert len(blocks) >= 6
    for block in blocks:
        yaml.safe_load(block)


@pytest.mark.parametrize("inventory, exit_code", [(GOOD, 0), (FAILING, 1)])
def test_the_gitlab_example_runs(tmp_path, inventory, exit_code):
    job = next(yaml.safe_load(b)["drcheck"] for b in doc_blocks() if "codequality" in b)
    script = "\n".join(line for line in job["script"] if not line.startswith("pip install"))
    (tmp_path / "inventory.yaml").write_text(inventory, encoding="utf-8")
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == exit_code, done.stderr
    issues = json.loads((tmp_path / job["artifacts"]["reports"]["codequality"]).read_text(encoding="utf-8"))
    assert [i["check_name"] for i in issues if i["severity"] == "blocker"] == (["no-dr"] if exit_code else [])
    junit = tmp_path / job["artifacts"]["reports"]["junit"]
    xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit.xsd")).validate(str(junit))
    assert (tmp_path / "drcheck.md").read_text(encoding="utf-8").startswith("## drcheck: inventory")
