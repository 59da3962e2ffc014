"""Errors a user can fix: each one knows where in which file it was found."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Location(NamedTuple):
    """A place in an input file; line and column count from 1.  (A tuple: every
    site, service, placement, dependency and backup has one, so it must be cheap.)"""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def path_error(path: str, error: OSError, doing: str = "") -> "InputError":
    """An operating-system error on a path the user named, as a message: 'inv.yaml: cannot read: Permission denied'."""
    reason = error.strerror or str(error)
    if isinstance(error, FileNotFoundError):
        reason = "no such file or directory"
    return InputError(f"{path or repr(path)}: {doing + ': ' if doing else ''}{reason}")


class InputError(Exception):
    """The inventory, policy or an option is unusable; the CLI prints it and exits 2."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))

    @classmethod
    def at(cls, location: Location | None, message: str) -> "InputError":
        return cls(Problem(location, message))
