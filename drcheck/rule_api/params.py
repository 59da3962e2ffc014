"""Rule parameters: a default, what it means, and how a policy's value for it is checked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..inventory.scalars import parse_duration, parse_integer, parse_number


_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", dict: "object", list: "array"}


@dataclass(frozen=True)
class Param:
    """A rule parameter: its default, what it means, and the values a policy may give it.

    Policy values arrive as YAML text (or mappings/lists of text) and are
    converted to the type of `default`, then checked against `minimum` and
    `maximum` (inclusive) and, for what bounds cannot say, `check`, which
    raises ValueError saying what was expected.  A value out of range is an
    error, never a setting that quietly switches the rule off: a distance or
    an age takes `minimum=0`, a share `minimum=0, maximum=1`, a tier
    `minimum=0, maximum=3`.  The default itself must pass the same checks.
    """

    default: Any
    help: str
    check: Callable[[Any], Any] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def convert(self, raw: Any) -> Any:
        """The value a policy wrote (plain YAML data), typed and checked; ValueError saying what was expected."""
        return self.validate(_typed(raw, self.default))

    def validate(self, value: Any) -> Any:
        """`value`, of the default's type, if it lies in range and passes `check`; ValueError if not."""
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                expected = f"{low:g} or more"
            elif low is None:
                expected = f"{high:g} or less"
            else:
                expected = f"a value from {low:g} to {high:g}"
            raise ValueError(f"found {value!r}; expected {expected}")
        return self.check(value) if self.check is not None else value

    def json_schema(self) -> dict:
        """The values a policy may give it, as JSON Schema (`drcheck schema --policy`, for editors)."""
        schema = {"type": _JSON_TYPES[type(self.default)]}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema | {"default": self.default, "description": self.help}


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
