"""Paths and options a user names: every read bounded, every operating-system error a message and
exit 2, empty option values refused."""
from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from conftest import EMPTY_FOLDER, drcheck
from drcheck.inventory import loader
from drcheck.commands.cli import app

INVENTORY = """\
version: 1
sites: {a: {}, b: {}}
services:
  web: {placements: [{site: a}, {site: b, role: standby}]}
"""
TOO_LONG = "x" * 300  # longer than any file system allows a name to be


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(loader, "MAX_INPUT_BYTES", 1000)


@pytest.mark.parametrize("args, expected", [
    (["validate", "/dev/zero"], "/dev/zero:1:1: file is larger than the limit of 1000 bytes; expected a YAML inventory"),
    (["audit", "INV", "--policy", "/dev/zero"], "/dev/zero:1:1: file is larger than the limit of 1000 bytes; "
                                                "expected a YAML policy"),
    (["audit", "INV", "--baseline", "/dev/zero"], "/dev/zero:1:1: file is larger than the limit of 1000 bytes; "
                                                  "expected a drcheck JSON report"),
])
def test_a_device_is_read_no_further_than_the_limit(write, small_limit, args, expected):
    inventory = str(write(INVENTORY))
    result = CliRunner().invoke(app, [inventory if a == "INV" else a for a in args])
    assert result.exit_code == 2
    assert f"error: {expected}" in result.output


@pytest.mark.parametrize("args, expected", [
    (["init", TOO_LONG], f"error: {TOO_LONG}: File name too long"),
    (["audit", "INV", "--rules-dir", TOO_LONG], f"error: {TOO_LONG}: File name too long"),
    (["rules", "--rules-dir", TOO_LONG], f"error: {TOO_LONG}: File name too long"),
    (["validate", TOO_LONG], f"error: {TOO_LONG}: File name too long"),
    (["audit", "INV", "--policy", TOO_LONG], f"error: {TOO_LONG}: cannot read policy: File name too long"),
    (["audit", "INV", "--baseline", TOO_LONG], f"error: {TOO_LONG}: cannot read baseline: File name too long"),
    (["audit", "INV", "-o", TOO_LONG], f"error: {TOO_LONG}: cannot write report: File name too long"),
    (["validate", "LOOP"], "error: LOOP: Too many levels of symbolic links"),
    (["audit", "INV", "-o", "LOOP"], "error: LOOP: cannot write report: Too many levels of symbolic links"),
    (["audit", "INV", "--policy", "LOOP"], "error: LOOP: cannot read policy: Too many levels of symbolic links"),
    (["audit", "INV", "--format", ""], "error: --format: found ''; expected one of: table, json"),
    (["audit", "INV", "--profile", ""], "error: unknown profile ''; expected one of: default"),
    (["diff", "INV", "INV", "--profile", ""], "error: unknown profile ''; expected one of: default"),
    (["audit", "INV", "--policy", ""], "error: '': cannot read policy: no such file or directory"),
])
def test_bad_paths_and_empty_options_are_exit_2_with_a_message(write, tmp_path, args, expected):
    inventory = str(write(INVENTORY))
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    args = [inventory if a == "INV" else str(loop) if a == "LOOP" else a for a in args]
    result = drcheck(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(expected.replace("LOOP", str(loop)))
    assert loop.is_symlink()  # -o never replaces the link it could not follow


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_inventory_is_exit_2(write):
    path = write(INVENTORY)
    path.chmod(0)
    result = drcheck("validate", path)
    assert result.returncode == 2
    assert result.stderr == f"error: {path}: cannot read inventory: Permission denied\n"


def test_a_baseline_nested_too_deeply_names_the_file_and_the_option(write, tmp_path):
    baseline = tmp_path / "deep.json"
    baseline.write_text("[" * 100_000, encoding="utf-8")
    result = drcheck("audit", write(INVENTORY), "--baseline", baseline, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"error: --baseline {baseline}: JSON nested too deeply; expected a drcheck JSON report\n"


def test_the_default_format_still_applies_when_none_is_given(write):
    result = drcheck("audit", write(INVENTORY))
    assert result.stdout.startswith("drcheck inventory")
    assert json.loads(drcheck("audit", write(INVENTORY), "--format", "json").stdout)["inventory"]["services"] == 1


def test_a_bug_of_drcheck_itself_is_exit_2_without_a_traceback(write):
    import subprocess
    import sys

    program = ("import sys, drcheck.audit.run\n"
               "def broken(*args, **options):\n    raise ValueError('a bug')\n"
               "drcheck.audit.run.audit = broken\n"
               "from drcheck.commands.cli import main\n"
               f"sys.argv = ['drcheck', 'audit', {str(write(INVENTORY))!r}]\n"
               "main()\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                            cwd=EMPTY_FOLDER)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: internal error at <string>:3: ValueError: a bug; please report it")
