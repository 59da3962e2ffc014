"""Golden files: the audit of one sample in every output format, compared byte for byte.

A change to what a report shows fails here until its golden file is refreshed on purpose:

    DRCHECK_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

rewrites tests/golden/ from the current output; read `git diff tests/golden/` before committing
it.  Nothing is normalised: the files hold exactly what a user sees when the audit date is pinned
with --as-of, the sample is named by its path relative to the project, colour is off and the
terminal is 200 columns wide.
"""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import ROOT, drcheck_installed
from drcheck.reporters import FORMATS

SAMPLE = "sample_topologies/kakao-2022.yaml"
GOLDEN = ROOT / "tests" / "golden"
EXTENSIONS = {"table": "table.txt", "json": "json", "markdown": "md", "sarif": "sarif.json", "junit": "junit.xml",
              "github": "github.txt", "gitlab": "gitlab.json", "fingerprints": "fingerprints.txt", "html": "html"}
UPDATE = "DRCHECK_UPDATE_GOLDEN"
REFRESH = f"{UPDATE}=1 .venv/bin/python -m pytest tests/test_golden.py"


def test_every_format_has_a_golden_file():
    missing = set(FORMATS) - set(EXTENSIONS)
    assert not missing, f"a new format needs a golden file: add {sorted(missing)} to EXTENSIONS, then run {REFRESH}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_report_is_its_golden_file(fmt, tmp_path):
    # the sample at the same relative path, in a folder that holds no drcheck.yaml
    (tmp_path / SAMPLE).parent.mkdir()
    shutil.copy(ROOT / SAMPLE, tmp_path / SAMPLE)
    result = drcheck_installed("audit", SAMPLE, "--format", fmt, "--as-of", "2026-11-01", cwd=tmp_path, text=False)
    assert result.returncode == 1, result.stderr  # Kakao's estate fails the gate
    golden = GOLDEN / f"kakao-2022.{EXTENSIONS[fmt]}"
    if os.environ.get(UPDATE):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(result.stdout)
    assert golden.is_file(), f"{golden.name} is missing; write it with: {REFRESH}"
    expected = golden.read_bytes()
    if result.stdout != expected:
        pytest.fail(f"--format {fmt} differs from tests/golden/{golden.name} {_first_difference(expected, result.stdout)}; "
                    f"if the change is intended, refresh the golden files with: {REFRESH}", pytrace=False)


def _first_difference(expected: bytes, actual: bytes) -> str:
    old, new = expected.decode("utf-8", "replace").splitlines(), actual.decode("utf-8", "replace").splitlines()
    for number, (want, got) in enumerate(zip(old, new), 1):
        if want != got:
            return f"at line {number}:\n  golden: {want[:300]}\n  now:    {got[:300]}\n"
    return f"in length: {len(old)} lines in the golden file, {len(new)} now"
