"""`--format json`: the report of docs/score.md's "The JSON report"."""
from __future__ import annotations

from typing import IO, Iterator, NamedTuple

from ..audit.report import EVERY, JsonItems, Report
from ..processes import CAN_FORK, Forked
from ..rule_api.findings import Finding
from . import SHARED_FROM, View, declare_needs, finding_weight, halfway
from .safe import json_line

_READ = 1 << 20  # characters read back at a time from what the second process wrote


@declare_needs(why=EVERY)  # each scenario's "why"
def render(report: Report, view: View = View()) -> Iterator[str]:
    """The report; a large one's findings written by two processes at once (`_in_two`)."""
    document = report.json_document()
    if not (CAN_FORK and len(report.findings) >= SHARED_FROM):
        return chunks(document)
    return _in_two(list(_layout(document, 0)))


def chunks(data: object) -> Iterator[str]:
    """The document in pieces, so a large report is written without ever being one string.

    Indented at the top, one line per list item: one finding per line is
    readable and diffable, and each line is written in one call of the
    encoder, which indenting everything would slow down."""
    return map(_text, _layout(data, 0))


class _Item(NamedTuple):
    """An item of one of the document's long lists, encoded only when it is written (`_text`)."""

    before: str  # the comma and the indentation
    make: object  # the item -> its JSON data
    item: object


def _layout(value: object, depth: int) -> Iterator[str | _Item]:
    pad, end = "  " * (depth + 1), "\n" + "  " * depth
    if isinstance(value, dict) and value and depth < 2:
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield f"{',' if n else ''}\n{pad}{json_line(key)}: "
            yield from _layout(item, depth + 1)
        yield end + "}"
    elif isinstance(value, JsonItems) and value and depth < 3:
        yield "["
        for n, item in enumerate(value.items):
            yield _Item(f"{',' if n else ''}\n{pad}", value.make, item)
        yield end + "]"
    elif isinstance(value, list) and value and depth < 3:
        yield "["
        for n, item in enumerate(value):
            yield f"{',' if n else ''}\n{pad}{json_line(item)}"
        yield end + "]"
    else:
        yield json_line(list(value) if isinstance(value, JsonItems) else value)
    if depth == 0:
        yield "\n"


def _text(piece: str | _Item) -> str:
    return piece if type(piece) is str else piece.before + json_line(piece.make(piece.item))


def _in_two(pieces: list[str | _Item]) -> Iterator[str]:
    """The pieces written, the second half of the findings by a second process meanwhile (only they: the
    scenarios' chains and the services would have it copy much of this process's memory)."""
    start = next(n for n, piece in enumerate(pieces) if type(piece) is _Item and type(piece.item) is Finding)
    end = next(n for n in range(start, len(pieces)) if type(pieces[n]) is str)
    cut = start + halfway([finding_weight(piece.item) for piece in pieces[start:end]])
    with Forked(lambda out: out.writelines(map(_text, pieces[cut:end]))) as second:
        yield from map(_text, pieces[:cut])
        text = second.result()[1]
        yield from iter(lambda: text.read(_READ), "")
        yield from map(_text, pieces[end:])
