"""Typed values written as text: numbers, durations and dates, for the inventory, the policy and options.

One grammar each, and only what its standard accepts: numbers as the YAML 1.2
core schema writes them (no `1_0`, no digits of other scripts, no padding),
durations as drcheck's short form (`30s`, `4h`) or ISO 8601 (`PT4H`), dates
as ISO 8601 calendar dates.  Every value is finite: a number that overflows
to infinity is refused here, so no report can ever hold one.  Each parser
raises ValueError with a message saying what was expected.
"""
from __future__ import annotations

import math
import re
from datetime import date

# YAML 1.2 core schema (section 10.3.2), without .inf and .nan: drcheck has no use for them
_DECIMAL = r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
_NUMBER = re.compile(rf"{_DECIMAL}|0o(?P<octal>[0-7]+)|0x(?P<hex>[0-9a-fA-F]+)")
NUMBER_PATTERN = rf"(?:{_DECIMAL}|0o[0-7]+|0x[0-9a-fA-F]+)"  # the same, for the JSON Schema (ECMA-262)
_INTEGER = re.compile(r"[-+]?[0-9]+|0o(?P<octal>[0-7]+)|0x(?P<hex>[0-9a-fA-F]+)")
_NOT_FINITE = frozenset((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                         ".nan", ".NaN", ".NAN"))


def parse_number(text: str) -> float:
    """A finite number as YAML 1.2 writes it: 12, -3.5, 1e3, .5, 0x1F, 0o17."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        if text in _NOT_FINITE:
            raise ValueError("expected a finite number")
        raise ValueError("expected a number")
    if match["octal"] is not None:
        return float(int(match["octal"], 8))
    if match["hex"] is not None:
        return float(int(match["hex"], 16))
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("expected a number small enough to compute with")
    return number


def parse_integer(text: str) -> int:
    """An integer as YAML 1.2 writes it: 12, -3, 0x1F, 0o17."""
    match = _INTEGER.fullmatch(text)
    if match is None:
        raise ValueError("expected a whole number")
    if match["octal"] is not None:
        return int(match["octal"], 8)
    if match["hex"] is not None:
        return int(match["hex"], 16)
    return int(text)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_AMOUNT = r"([0-9]+(?:\.[0-9]+)?)"
_ISO_AMOUNT = r"([0-9]+(?:[.,][0-9]+)?)"  # ISO 8601 writes a decimal comma or point
SIMPLE_DURATION = re.compile(rf"{_AMOUNT} ?([smhdw])")
# ISO 8601 (designators in either case); the lookaheads demand a number somewhere and no bare trailing
# T ("P", "PT", "P1DT").  Years and months have no fixed length, so they are not durations here.
ISO_DURATION = re.compile(
    rf"[Pp](?=.*[0-9])(?!.*[Tt]$)(?:{_ISO_AMOUNT}[Ww])?(?:{_ISO_AMOUNT}[Dd])?"
    rf"(?:[Tt](?:{_ISO_AMOUNT}[Hh])?(?:{_ISO_AMOUNT}[Mm])?(?:{_ISO_AMOUNT}[Ss])?)?"
)
# The same grammar for the JSON Schema (these patterns are also valid ECMA-262)
DURATION_PATTERN = rf"^(?:{SIMPLE_DURATION.pattern}|0|{ISO_DURATION.pattern})$"
MAX_DURATION = 100 * 365 * 86400  # a century: no objective or backup interval is longer
_durations: dict[str, float] = {}


def parse_duration(text: str) -> float:
    """Seconds in '30s', '15m', '4h', '2d', '1w', '0' or ISO-8601 'PT4H'; ValueError otherwise."""
    cached = _durations.get(text)
    if cached is not None:
        return cached
    simple = SIMPLE_DURATION.fullmatch(text)
    if simple:
        seconds = float(simple.group(1)) * _UNITS[simple.group(2)]
    elif text == "0":
        seconds = 0.0
    else:
        iso = ISO_DURATION.fullmatch(text)
        if not iso:
            raise ValueError("expected a duration such as 30s, 15m, 4h, 2d or PT4H")
        w, d, h, m, s = (float(g.replace(",", ".")) if g else 0.0 for g in iso.groups())
        seconds = w * 604800 + d * 86400 + h * 3600 + m * 60 + s
    if not seconds <= MAX_DURATION:  # also infinity, from a number with hundreds of digits
        raise ValueError(f"expected a duration of at most {MAX_DURATION // 86400}d (a century)")
    _durations[text] = seconds
    return seconds


_DISPLAY_UNITS = (("d", 86400), ("h", 3600), ("m", 60))
_formatted: dict[float, str] = {}


def format_duration(seconds: float) -> str:
    """Seconds as people write them, largest units first: 300 -> '5m', 14400 -> '4h', 93600 -> '1d 2h', 0 -> '0s'."""
    cached = _formatted.get(seconds)
    if cached is None:  # an estate uses a handful of objectives, each printed for thousands of services
        cached = _formatted[seconds] = _format_duration(seconds)
    return cached


def _format_duration(seconds: float) -> str:
    rest = round(seconds, 3)  # 0.1h is 360.00000000000006 s
    parts = []
    for unit, size in _DISPLAY_UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{int(count)}{unit}")
    rest = round(rest, 3)
    if rest or not parts:
        parts.append(f"{rest:g}s")
    return " ".join(parts)


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_dates: dict[str, date] = {}


def parse_date(text: str) -> date:
    """An ISO 8601 calendar date YYYY-MM-DD (not 20270331, not 2027-W13, not a time)."""
    cached = _dates.get(text)
    if cached is not None:
        return cached
    if _DATE.fullmatch(text):
        try:
            _dates[text] = parsed = date.fromisoformat(text)
            return parsed
        except ValueError:
            pass
    raise ValueError("expected a date YYYY-MM-DD")


def format_amount(amount: float) -> str:
    """An amount of money as people read it: 1,200 or 4,730,000,000 or 99.5, never 4.73e+09."""
    return f"{amount:,.2f}".rstrip("0").rstrip(".")
