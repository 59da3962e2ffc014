"""`--format json`: the report of SPEC section 5."""
from __future__ import annotations

import json

from ..report import Report
from .safe import json_text


def render(report: Report) -> str:
    return as_text(report.as_json())


def as_text(data: object) -> str:
    """Indented at the top, one line per list item (one finding per line: readable, diffable,
    and written by json's C encoder, which indenting everything would bypass)."""
    return json_text(_layout(data, 0)) + "\n"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _layout(value: object, depth: int) -> str:
    pad = "  " * (depth + 1)
    if isinstance(value, dict) and value and depth < 2:
        items = (f"{pad}{_compact(k)}: {_layout(v, depth + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value and depth < 3:
        return "[\n" + ",\n".join(pad + _compact(v) for v in value) + "\n" + "  " * depth + "]"
    return _compact(value)
