"""`drcheck simulate --format table|json`: ranked failure scenarios as text."""
from __future__ import annotations

from typing import Iterator

from rich.text import Text

from ..audit.report import EVERY, Simulated
from . import View, declare_needs
from .json import chunks
from .safe import terminal
from .screen import Screen

COLUMNS = f"{'rank':>4}  {'impact':>7}  {'down':>5}  {'loss':<11}  "  # of a ranked row; then what is lost
PAIR_COLUMNS = f"{'rank':>4}  {'impact':>7}  {'adds':>7}  {'down':>5}  {'loss':<11}  "  # adds: the pair's excess


@declare_needs(why=EVERY)
def json(simulated: Simulated, view: View = View()) -> Iterator[str]:
    return chunks(simulated.as_json())


def table(simulated: Simulated, view: View = View()) -> str:
    """A chosen loss (`--fail`) in detail, with why each service is down; ranked ones as one row each.
    On a terminal a row that wraps goes on under its own column (the lost domains, the reason)."""
    scenarios, detailed = simulated.scenarios, simulated.chosen
    pairs = any(s.excess is not None for s in scenarios)
    columns = PAIR_COLUMNS if pairs else COLUMNS
    out = Screen(view.color, view.width)
    if not detailed:
        out(Text(columns + "lost", style="bold"))
    for rank, s in enumerate(scenarios, 1):
        lost = terminal(" + ".join(str(d) for d in s.lost))
        if not detailed:
            adds = f"{f'+{s.excess:.1%}':>7}  " if pairs else ""
            row = Text(f"{rank:>4}  {s.impact:>7.1%}  {adds}{len(s.down):>5}  {s.loss:<11}  ")
            row.append(lost, style="bold")
            if s.same_as:
                row.append(terminal(f"  (= {', '.join(str(d) for d in s.same_as[:3])}{' …' if len(s.same_as) > 3 else ''})"), style="dim")
            if s.data_lost:
                row.append(terminal(f"  data lost: {', '.join(s.data_lost[:5])}{' …' if len(s.data_lost) > 5 else ''}"), style="red")
            out(row, 0, len(columns))
            continue
        sites = f"sites: {terminal(', '.join(s.sites))}" if s.sites else "no site"
        out(Text(f"Losing {lost} ({s.loss}; {sites})", style="bold"), hang=2)
        out(Text(f"impact {s.impact:.1%} of tier-weighted services; {len(s.down)} down"), hang=2)
        for name in s.down:
            out(Text(f"✗ {terminal(name)}: {terminal(s.why[name].describe())}"), 2, 4)
        out(Text("data lost for good: " + (terminal(", ".join(s.data_lost)) if s.data_lost else "none"),
                 style="red" if s.data_lost else "green"), hang=2)
    if not scenarios:
        out("no scenario takes anything down")
    return out.text()
