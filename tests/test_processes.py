"""The second process: the large formats encode half their items in a forked child, with the same text."""
from __future__ import annotations

import os
import sys

import pytest

from conftest import AS_OF, ROOT
from drcheck import processes
from drcheck.audit import AuditOptions, audit, load_inventory
from drcheck.policy import load_policy
from drcheck.processes import CAN_FORK, encoded
from drcheck.reporters import render

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import synthetic_inventory  # noqa: E402

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="this platform does not fork")


@pytest.fixture
def forks(monkeypatch):
    """The children forked, as a list of pids."""
    made = []

    def fork(work):
        made.append(real(work))
        return made[-1]

    real = processes.fork
    monkeypatch.setattr(processes, "fork", fork)
    return made


def no_child_left():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    return True


def test_the_pieces_are_the_same_and_in_order_when_a_child_encodes_half(forks):
    items = list(range(5000))
    assert list(encoded(items, lambda n: f"<{n}é>")) == [f"<{n}é>" for n in items]
    assert len(forks) == 1 and no_child_left()


def test_few_items_are_encoded_here(forks):
    assert list(encoded(list(range(10)), str)) == [str(n) for n in range(10)]
    assert forks == []


def test_a_child_that_cannot_encode_its_half_leaves_it_to_the_parent(forks):
    # a piece holding the file's separator: the child gives up, and the parent encodes that half itself
    items = list(range(4000))
    assert list(encoded(items, lambda n: f"{n}\0" if n == 3999 else str(n))) == [str(n) for n in items[:-1]] + ["3999\0"]
    assert len(forks) == 1 and no_child_left()


def test_a_reader_that_stops_early_ends_the_child(forks):
    pieces = encoded(list(range(100_000)), lambda n: str(n) * 50)
    assert [next(pieces) for _ in range(3)] == ["0" * 50, "1" * 50, "2" * 50]
    pieces.close()
    assert len(forks) == 1 and no_child_left()


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_large_report_is_the_same_text_encoded_in_two_processes(tmp_path, monkeypatch, forks, fmt):
    path = tmp_path / "estate.yaml"
    path.write_text(synthetic_inventory(400), encoding="utf-8")
    report = audit(load_inventory([str(path)]), AuditOptions(policy=load_policy(None), as_of=AS_OF))
    monkeypatch.setattr(processes, "MIN_ITEMS_TO_SPLIT", 200)
    assert len(report.findings) > 2 * processes.MIN_ITEMS_TO_SPLIT
    split = "".join(render("audit", fmt, report))
    assert len(forks) == (2 if fmt == "json" else 1)  # JSON: the findings and the services
    monkeypatch.setattr(processes, "CAN_FORK", False)
    assert split == "".join(render("audit", fmt, report))
    assert no_child_left()
