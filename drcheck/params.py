"""Rule parameters: a default, what it means, and how a policy's value for it is checked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .scalars import parse_duration, parse_integer, parse_number


@dataclass(frozen=True)
class Param:
    """A rule parameter: its default, what it means, and how a policy value is checked.

    Policy values arrive as YAML text (or mappings/lists of text) and are
    converted to the type of `default`; `check` may validate further and
    raise ValueError with a message saying what was expected.
    """

    default: Any
    help: str
    check: Callable[[Any], Any] | None = None

    def convert(self, raw: Any) -> Any:
        value = _typed(raw, self.default)
        return self.check(value) if self.check is not None else value


def _typed(raw: Any, default: Any) -> Any:
    expected = type(default)
    try:
        if expected is bool:
            if isinstance(raw, str) and raw.lower() in ("true", "false"):
                return raw.lower() == "true"
        elif expected is int:
            return parse_integer(raw)
        elif expected is float:  # finite, as YAML writes numbers: 1e999 or .inf would put Infinity in a report
            return parse_number(raw)
        elif expected is dict and isinstance(raw, dict):
            return {str(k): v for k, v in raw.items()}
        elif expected is list and isinstance(raw, list):
            return list(raw)
        elif expected is str and isinstance(raw, str):
            return raw
    except (TypeError, ValueError):
        pass
    shown = "nothing" if raw is None else (f"{raw!r}" if isinstance(raw, str) else f"a {type(raw).__name__}")
    raise ValueError(f"found {shown}; expected {expected.__name__} like {default!r}")


def at_least(lower: float) -> Callable[[Any], Any]:
    """A `Param` check: the value must be `lower` or more."""

    def check(value):
        if value < lower:
            raise ValueError(f"found {value!r}; expected {lower!r} or more")
        return value

    return check


def within(lower: float, upper: float) -> Callable[[Any], Any]:
    """A `Param` check: the value must lie from `lower` to `upper` (a share: `within(0.0, 1.0)`)."""

    def check(value):
        if not lower <= value <= upper:
            raise ValueError(f"found {value!r}; expected a value from {lower:g} to {upper:g}")
        return value

    return check


def duration_table(defaults: dict[str, str]) -> Callable[[dict], dict[str, str]]:
    """A `Param` check for a mapping of names to durations (such as strategy -> achievable RTO).

    Only the default's keys are allowed, every value must be a duration, and
    keys the policy leaves out keep their default."""

    def check(table: dict) -> dict[str, str]:
        for key, value in table.items():
            if key not in defaults:
                raise ValueError(f"found key {key!r}; expected some of: {', '.join(defaults)}")
            if not _is_duration(value):
                shown = repr(value) if isinstance(value, str) else {None: "nothing", dict: "a mapping", list: "a list"}.get(
                    None if value is None else type(value), "a value")
                raise ValueError(f"{key}: found {shown}; expected a duration such as 30s, 15m, 4h or PT4H")
        return defaults | table

    return check


def _is_duration(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True
