"""`--format json`: the report of docs/score.md's "The JSON report"."""
from __future__ import annotations

from typing import Iterator

from ..audit.report import EVERY, JsonItems, Report
from . import View, declare_needs
from .safe import json_line


@declare_needs(why=EVERY)  # each scenario's "why"
def render(report: Report, view: View = View()) -> Iterator[str]:
    return chunks(report.json_document())


def chunks(data: object) -> Iterator[str]:
    """The document in pieces, so a large report is written without ever being one string.

    Indented at the top, one line per list item: one finding per line is
    readable and diffable, and each line is written in one call of the
    encoder, which indenting everything would slow down."""
    yield from _layout(data, 0)
    yield "\n"


def _layout(value: object, depth: int) -> Iterator[str]:
    pad, end = "  " * (depth + 1), "\n" + "  " * depth
    if isinstance(value, dict) and value and depth < 2:
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield f"{',' if n else ''}\n{pad}{json_line(key)}: "
            yield from _layout(item, depth + 1)
        yield end + "}"
    elif isinstance(value, (list, JsonItems)) and value and depth < 3:
        yield "["
        for n, item in enumerate(value):
            yield f"{',' if n else ''}\n{pad}{json_line(item)}"
        yield end + "]"
    else:
        yield json_line(list(value) if isinstance(value, JsonItems) else value)
