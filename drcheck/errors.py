"""Errors a user can fix: each one knows where in which file it was found."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, NamedTuple


class Location(NamedTuple):
    """A place in an input file; line and column count from 1.  (A tuple: every
    site, service, placement, dependency and backup has one, so it must be cheap.)"""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def location_json(location: Location | None) -> dict | None:
    """A location as the reports write it: {"file", "line", "column"}, or null."""
    return None if location is None else {"file": location.file, "line": location.line, "column": location.column}


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def did_you_mean(found: str, known: Iterable[str], prefix: str = "") -> str:
    """" (did you mean 'no-dr'?)" when `found` looks like a mistyped one of `known`; else "".  With `prefix`
    (say "service:"), `found` is compared without it and the names are shown with it."""
    if not isinstance(found, str) or not found:
        return ""
    found = found[len(prefix):] if prefix and found.startswith(prefix) else found
    known = list(known)
    close = difflib.get_close_matches(found, known, n=2, cutoff=0.6) or [k for k in known if k.startswith(found)][:2]
    return f" (did you mean {' or '.join(repr(prefix + name) for name in close)}?)" if close else ""


def unknown_rule(rule_id: str, known: Iterable[str]) -> str:
    return f"unknown rule {rule_id!r}{did_you_mean(rule_id, known)}; `drcheck rules` lists the known ones"


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

    def __reduce__(self):  # whole, with its locations, when `diff` brings it back from the base's process
        return type(self), (self.problems,)

    @classmethod
    def at(cls, location: Location | None, message: str) -> "InputError":
        return cls(Problem(location, message))
