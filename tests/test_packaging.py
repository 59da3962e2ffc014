"""The built wheel carries the built-in rules as drcheck.rules and works outside the checkout."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow  # builds and installs wheels


def test_wheel_contains_rules_as_a_subpackage_and_runs_from_another_folder(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("drcheck_audit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped_rules = {Path(n).name for n in names if n.startswith("drcheck/rules/") and n.endswith(".py")}
    assert shipped_rules == {p.name for p in (ROOT / "rules").glob("*.py")}
    assert not [n for n in names if n.startswith("rules/")]
    assert "drcheck/profiles/default.yaml" in names
    assert {"drcheck/data/cloud_regions.csv", "drcheck/importers/terraform.py", "drcheck/importers/backstage.py",
            "drcheck/data/naturalearth.json", "drcheck/data/README.md"} <= set(names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "builtin = drcheck.rules" in zipfile.ZipFile(wheel).read(entry_points).decode()

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target), NO_COLOR="1")
    listed = subprocess.run([sys.executable, "-m", "drcheck", "rules"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    # one rule a file, but for __init__.py and the helpers the rules share (rules/_objectives.py)
    assert len(listed.stdout.splitlines()) == len([name for name in shipped_rules if not name.startswith("_")])
    probe = subprocess.run([sys.executable, "-c", "import drcheck; print(drcheck.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True)
    assert probe.stdout.strip().startswith(str(target))
    audited = subprocess.run([sys.executable, "-m", "drcheck", "audit", str(SAMPLES / "startup-single-dc.yaml"), "--format", "json",
                              "--as-of", "2026-11-01"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert audited.returncode == 1, audited.stderr
    assert any(f["rule"] == "no-dr" for f in json.loads(audited.stdout)["findings"])
    located = subprocess.run([sys.executable, "-m", "drcheck", "locations", "gcp"], cwd=elsewhere, env=env,
                             capture_output=True, text=True)
    assert located.returncode == 0 and "gcp:asia-northeast3" in located.stdout, located.stderr
    fixture = ROOT / "tests" / "fixtures" / "import" / "backstage" / "catalog-info.yaml"
    catalogue = subprocess.run([sys.executable, "-m", "drcheck", "import", "backstage", str(fixture)], cwd=elsewhere,
                               env=env, capture_output=True, text=True)
    assert catalogue.returncode == 0 and "player-api:" in catalogue.stdout, catalogue.stderr
    page = subprocess.run([sys.executable, "-m", "drcheck", "audit", str(SAMPLES / "kakao-2022.yaml"), "--format", "html"],
                          cwd=elsewhere, env=env, capture_output=True, text=True)
    assert page.returncode == 1 and '<path class="land coastline"' in page.stdout, page.stderr  # the map's data ships


def test_distribution_name_is_not_the_unrelated_drcheck_on_pypi_and_version_comes_from_it():
    from importlib.metadata import distribution

    import drcheck

    dist = distribution("drcheck-audit")
    assert dist.metadata["Name"] == "drcheck-audit"
    assert drcheck.__version__ == dist.version != "0.0.0"
    assert "drcheck = drcheck.commands.cli:main" in dist.read_text("entry_points.txt")
