"""A second process for work that splits in two: a large file is read in two halves at once (`loader.parse`),
a large audit runs half its rules in one (`engine.run`), and `diff` audits its base in one while it audits the
head."""
from __future__ import annotations

import os
import signal
import sys
from typing import Callable

# fork without exec: on macOS system libraries may not survive it (Python's multiprocessing avoids it there
# too); on Windows there is no fork.  Where it is missing, the work is done in this process, one part after
# the other.
CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin"


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
