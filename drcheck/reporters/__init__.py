"""Reporters: each turns finished, plain data into text in one format, and decides nothing.

One interface for every output drcheck writes: `renderer(what, fmt)` gives a
function `render(data, view) -> text`, where `what` names the data (an audit
`Report`, a diff `Comparison`, a list of simulated `Scenario`s, a `Drawing` of
the inventory, a `PlanReport`) and `view` says how the reader will see it (colour, width,
where the full report is).  A renderer returns its text whole, or as an
iterable of pieces when the text can be large (JSON), so that it is written
without being held at once.

The data is plain: a renderer that shows more than the findings, the scores
and the scenarios (why services are down, how much each subject takes down,
the inventory's map or graph) declares it with `declare_needs`, and the
command asks the audit for what its formats `need`.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from importlib import import_module
from itertools import accumulate
from typing import Any, Callable, Iterable

from ..audit.report import Needs
from ..rule_api.findings import Finding


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


# From this many results, a format that spends most of its time on each finding has a forked process write the
# second half meanwhile (`processes.Forked`).
SHARED_FROM = 5_000


def halfway(weights: list[int]) -> int:
    """Where to cut a list whose items take these times to write, so that each part takes about as long."""
    total = list(accumulate(weights))
    return bisect_left(total, total[-1] / 2)


def finding_weight(finding: Finding) -> int:
    """About how long a finding takes to write, in the unit of `halfway`'s weights: its text grows with its
    message (a chain, a list of dependencies), and its evidence with it, about twice as long."""
    return 2 * len(finding.message) + 500


def formats(what: str) -> tuple[str, ...]:
    return tuple(REGISTRY[what])


def renderer(what: str, fmt: str) -> Renderer:
    module, function = REGISTRY[what][fmt].split(":")
    return getattr(import_module(f"{__name__}.{module}"), function)


def declare_needs(**needs: Any) -> Callable[[Renderer], Renderer]:
    """Declares what a renderer reads beyond the plain data (the fields of `Needs`)."""
    def declare(render: Renderer) -> Renderer:
        render.needs = Needs(**needs)  # type: ignore[attr-defined]
        return render
    return declare


def need(what: str, fmts: Iterable[str]) -> Needs:
    """What the renderers of these formats read beyond the plain data, together: what to ask the audit for."""
    found = Needs()
    for fmt in fmts:
        found |= getattr(renderer(what, fmt), "needs", Needs())
    return found


def render(what: str, fmt: str, data: Any, view: View = View()) -> Text:
    function = renderer(what, fmt)
    needs, computed = getattr(function, "needs", None), getattr(data, "computed", None)
    if needs is not None and computed is not None and not computed.covers(needs):
        # a caller's mistake, never the user's: without it the format would quietly show less
        raise ValueError(f"the {fmt} format needs {needs}, and the report was made with {computed}: ask the audit "
                         f"for reporters.need({what!r}, [{fmt!r}])")
    return function(data, view)
