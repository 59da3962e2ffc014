"""A second process for work that splits in two: a large file is read in two halves at once (`loader.parse`),
a large audit runs half its rules in one (`engine.run`) and writes half of a large JSON or SARIF report's findings
in one (`Forked`), and `diff` audits its base in one while it audits the head."""
from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
from typing import IO, Callable

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


class Forked:
    """work(out) done by a forked child while this process goes on: `result()` waits for it and returns what it
    returned (pickled) and what it wrote to `out` (text, to be read as needed, never held whole), each sent
    back through an unnamed temporary file.  Where there is no fork, or should the child fail (it died, or
    work raised there), work is done here when the result is asked for: the result, or the error, is then
    this process's own.  `cancel()` ends a child whose result is no longer wanted."""

    def __init__(self, work: Callable[[IO[str]], object]):
        self._work = work
        self._pid = 0
        self._text = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        if CAN_FORK:
            self._value = tempfile.TemporaryFile()
            self._pid = fork(self._send)

    def _send(self) -> int:
        value = self._work(self._text)
        self._text.flush()
        pickle.dump(value, self._value, protocol=pickle.HIGHEST_PROTOCOL)
        self._value.flush()
        return 0

    def result(self) -> tuple[object, IO[str]]:
        """What work returned, and what it wrote, to be read from its start (closed with this object)."""
        if self._pid and reap(self._pid) == 0:
            self._pid = 0
            with self._value:
                self._value.seek(0)
                value = pickle.load(self._value)
        else:
            self.cancel()
            self._text.seek(0)
            self._text.truncate()
            value = self._work(self._text)
        self._text.seek(0)
        return value, self._text

    def cancel(self) -> None:
        """End the child, if it runs still, and let go of what it wrote."""
        if self._pid:
            reap(self._pid, end=True)
            self._pid = 0
            self._value.close()

    def close(self) -> None:
        self.cancel()
        self._text.close()

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
