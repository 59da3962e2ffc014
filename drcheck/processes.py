"""A second process for work that splits in two: `diff` audits its base in one while it audits the head, and
the large report formats encode half their items in one.  Both use the same fork and the same end."""
from __future__ import annotations

import os
import signal
import sys
import tempfile
from itertools import islice
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")

# fork without exec: on macOS system libraries may not survive it (Python's multiprocessing avoids it there
# too); on Windows there is no fork.  Where it is missing, the work is done in this process, one half after
# the other.
CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin"
MIN_ITEMS_TO_SPLIT = 2000  # fewer: the fork and the file cost about what encoding half of them saves
_SEPARATOR = "\0"  # between pieces in the file: in no piece, since every format escapes control characters


def fork(work: Callable[[], int]) -> int:
    """Run work() in a forked child process and return its pid.  The child leaves with work()'s result as its
    exit code (1 if it raised), without running this process's exit handlers or flushing its buffers, and
    ignores Ctrl-C: the parent handles it, and ends the child with `reap(pid, end=True)`."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage follows it through os._exit)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        code = 1
        try:
            code = work()
        finally:
            os._exit(code)
    return pid


def reap(pid: int, end: bool = False) -> int:
    """Wait for the child (ending it first if `end`) and return its exit code; 0 if it was waited for already."""
    if end:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return 0


def encoded(items: Sequence[T], encode: Callable[[T], str]) -> Iterator[str]:
    """encode(item) for each item, in order.  Where the platform can fork and the items are many, a child
    encodes the second half into a temporary file while this process encodes the first, and the child's
    pieces are read back after; should the child fail, this process encodes that half itself.  The text is
    the same either way."""
    if not CAN_FORK or len(items) < MIN_ITEMS_TO_SPLIT:
        yield from map(encode, items)
        return
    half = len(items) // 2
    try:
        spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
    except OSError:  # no writable temporary directory
        yield from map(encode, items)
        return
    with spill:
        pid = fork(lambda: _write(spill, islice(items, half, None), encode))
        reaped = False
        try:
            yield from map(encode, islice(items, half))
            reaped, done = True, reap(pid) == 0
            if done:
                spill.seek(0)
                yield from _read(spill)
            else:
                yield from map(encode, islice(items, half, None))
        finally:
            if not reaped:  # the reader stopped early (a size limit, a closed pipe) or failed
                reap(pid, end=True)


def _write(spill, items, encode: Callable[[T], str]) -> int:
    for item in items:
        text = encode(item)
        if _SEPARATOR in text:
            return 1
        spill.write(text)
        spill.write(_SEPARATOR)
    spill.flush()
    return 0


def _read(spill) -> Iterator[str]:
    rest = ""
    while block := spill.read(1 << 20):
        *pieces, rest = (rest + block).split(_SEPARATOR)
        yield from pieces
