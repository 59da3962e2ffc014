"""Work done by a forked second process meanwhile (`processes.Forked`): its result must be the work's own, and a
child that fails must cost nothing but time.  The reports that use it (a large report's JSON and SARIF, from
`reporters.SHARED_FROM` findings) must be the same, byte for byte, whichever process wrote each part."""
from __future__ import annotations

import gzip
import json
import os
import time

import pytest

from conftest import SAMPLES, run_audit
from test_reporters_ci import sarif_validator
from drcheck import processes
from drcheck.processes import CAN_FORK, Forked
from drcheck.reporters import json as json_format, render, sarif

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="work is forked only where processes can fork")


def test_the_result_and_the_text_come_from_a_second_process():
    here = os.getpid()

    def work(out) -> int:
        out.write("made in ")
        out.write(str(os.getpid()))
        return os.getpid()

    with Forked(work) as forked:
        pid, text = forked.result()
        assert pid != here and text.read() == f"made in {pid}"


def test_a_child_that_fails_has_the_work_done_here(monkeypatch):
    here = os.getpid()

    def work(out) -> int:
        if os.getpid() != here:
            raise RuntimeError("fails in the child only")
        out.write("made here")
        return 7

    with Forked(work) as forked:
        value, text = forked.result()
        assert value == 7 and text.read() == "made here"
    real_fork = processes.fork
    monkeypatch.setattr(processes, "fork", lambda work: real_fork(lambda: os._exit(3)))  # dies before it works
    with Forked(work) as forked:
        assert forked.result()[0] == 7


def test_an_error_of_the_work_itself_is_raised_here():
    def work(out):
        raise ValueError("always")

    with Forked(work) as forked, pytest.raises(ValueError, match="always"):
        forked.result()


def test_a_child_no_longer_wanted_is_ended_at_once():
    started = time.monotonic()
    with Forked(lambda out: time.sleep(60)) as forked:
        forked.cancel()
    assert time.monotonic() - started < 10


KAKAO = SAMPLES / "kakao-2022.yaml"


@pytest.mark.parametrize("fmt, module", [("json", json_format), ("sarif", sarif)])
@pytest.mark.parametrize("child", ["works", "dies"])
def test_a_report_written_by_two_processes_is_the_one_written_by_one(fmt, module, child, monkeypatch):
    report = run_audit(KAKAO)
    alone = "".join(render("audit", fmt, report))
    monkeypatch.setattr(module, "SHARED_FROM", 2)
    if child == "dies":
        real_fork = processes.fork
        monkeypatch.setattr(processes, "fork", lambda work: real_fork(lambda: os._exit(1)))
    assert len(report.findings) > 20
    assert "".join(render("audit", fmt, report)) == alone


def test_sarif_written_by_two_processes_still_stops_at_the_gzipped_size_limit(monkeypatch):
    report = run_audit(KAKAO)
    monkeypatch.setattr(sarif, "SHARED_FROM", 2)
    cuts = set()
    for limit in range(1000, 12_000, 250):  # the cut in the first half, in the second, or none
        monkeypatch.setattr(sarif, "MAX_GZIPPED_BYTES", limit)
        log = json.loads("".join(render("audit", "sarif", report)))
        results = log["runs"][0]["results"]
        assert results and not list(sarif_validator().iter_errors(log))
        kept = "\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in results)
        assert len(gzip.compress(kept.encode())) <= limit
        omitted = log["runs"][0]["properties"].get("resultsOmitted")
        assert (omitted["kept"] if omitted else len(report.failures)) == len(results)
        cuts.add(len(results) * 2 // len(report.failures))
    assert cuts == {0, 1, 2}  # in the first half, in the second, none
