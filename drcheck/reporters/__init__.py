"""Reporters: each turns finished, plain data into text in one format, and decides nothing.

One interface for every output drcheck writes: `renderer(what, fmt)` gives a
function `render(data, view) -> text`, where `what` names the data (an audit
`Report`, a diff `Comparison`, a list of simulated `Scenario`s, a `Drawing` of
the inventory, a `PlanReport`) and `view` says how the reader will see it (colour, width,
where the full report is).  A renderer returns its text whole, or as an
iterable of pieces when the text can be large (JSON), so that it is written
without being held at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Callable, Iterable


@dataclass(frozen=True)
class View:
    """How the reader sees the output: only the terminal formats and the summaries use it."""

    color: bool = False
    width: int | None = None  # wrap at this many columns; None: never wrap (a file or a pipe)
    quiet: bool = False  # the summary and the gate only
    full_report: str | None = None  # where the complete report is written, for outputs that must be cut short


Text = str | Iterable[str]
Renderer = Callable[[Any, View], Text]

# what -> format -> "module:function" under drcheck.reporters, imported only when used
REGISTRY: dict[str, dict[str, str]] = {
    "audit": {"table": "table:render", "json": "json:render", "markdown": "markdown:render", "sarif": "sarif:render",
              "junit": "junit:render", "github": "github:render", "gitlab": "gitlab:render",
              "html": "html:render", "fingerprints": "fingerprints:render"},
    "diff": {"table": "diff:table", "markdown": "diff:markdown", "json": "diff:json"},
    "simulate": {"table": "simulation:table", "json": "simulation:json"},
    "graph": {"dot": "graph:dot", "mermaid": "graph:mermaid"},
    "plan": {"table": "plan:table", "json": "plan:json", "markdown": "plan:markdown"},
}
FORMATS = tuple(REGISTRY["audit"])


def formats(what: str) -> tuple[str, ...]:
    return tuple(REGISTRY[what])


def renderer(what: str, fmt: str) -> Renderer:
    module, function = REGISTRY[what][fmt].split(":")
    return getattr(import_module(f"{__name__}.{module}"), function)


def render(what: str, fmt: str, data: Any, view: View = View()) -> Text:
    return renderer(what, fmt)(data, view)
