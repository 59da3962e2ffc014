"""Work done by a forked second process meanwhile (`processes.Forked`): its result must be the work's own, and a
child that fails must cost nothing but time."""
from __future__ import annotations

import os
import time

import pytest

from drcheck import processes
from drcheck.processes import CAN_FORK, Forked

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
