"""-o FILE replaces a report atomically and never replaces a device, FIFO or symlink."""
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import EMPTY_FOLDER, drcheck

# one service on one site: single-site-concentration and blast-radius fail the gate (exit 1)
INVENTORY = "version: 1\nsites:\n  a: {location: [1, 1]}\nservices:\n  s:\n    placements: [{site: a}]\n"


def test_report_replaces_existing_file_keeping_its_mode(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(INVENTORY)
    report = tmp_path / "report.json"
    report.write_text("old")
    report.chmod(0o644)
    result = drcheck("audit", inventory, "-f", "json", "-o", report)
    assert result.returncode == 1, result.stderr
    assert json.loads(report.read_text())["inventory"]["services"] == 1
    assert stat.S_IMODE(report.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_report_through_a_symlink_updates_the_target(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(INVENTORY)
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert drcheck("audit", inventory, "-f", "json", "-o", link).returncode == 1
    assert link.is_symlink()
    assert json.loads(real.read_text())["schema_version"] == 1


def test_report_into_a_fifo_writes_through_it(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(INVENTORY)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo).read()))
    reader.start()
    result = drcheck("audit", inventory, "-f", "json", "-o", fifo)
    reader.join(timeout=30)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["inventory"]["sites"] == 1


def test_unwritable_destination_is_exit_2(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(INVENTORY)
    result = drcheck("audit", inventory, "-o", tmp_path / "missing-dir" / "r.txt")
    assert result.returncode == 2
    assert "cannot write report" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_full_disk_behind_stdout_is_exit_2(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(INVENTORY)
    exe = Path(sys.executable).with_name("drcheck")
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(exe), "audit", str(inventory)], stdout=full, stderr=subprocess.PIPE, text=True,
                                cwd=EMPTY_FOLDER)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot write report to standard output: No space left on device")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("sample, gate", [("naver-2022", 0), ("kakao-2022", 1)])
def test_a_reader_that_leaves_early_does_not_change_the_exit_code(sample, gate):
    """`drcheck audit ... | head`: the pipe breaks, the exit code still says whether the gate passed."""
    exe = Path(sys.executable).with_name("drcheck")
    inventory = Path(__file__).parent.parent / "sample_topologies" / f"{sample}.yaml"
    process = subprocess.Popen([str(exe), "audit", str(inventory), "--format", "json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=EMPTY_FOLDER)
    process.stdout.close()  # long before the report is written: start-up alone takes a tenth of a second
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == gate
    assert stderr == b""
