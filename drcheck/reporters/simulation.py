"""`drcheck simulate --format table|json`: ranked failure scenarios as text."""
from __future__ import annotations

from typing import Iterator

from rich.text import Text

from ..report import Simulated
from . import View
from .json import chunks
from .safe import terminal, text_console


def json(simulated: Simulated, view: View = View()) -> Iterator[str]:
    return chunks(simulated.as_json())


def table(simulated: Simulated, view: View = View()) -> str:
    """A chosen loss (`--fail`) in detail, with why each service is down; ranked ones as one row each."""
    color, width = view.color, view.width
    scenarios, detailed = simulated.scenarios, simulated.chosen
    console = text_console(color, width)
    line = console.print
    if not detailed:
        line(Text(f"{'rank':>4}  {'impact':>7}  {'down':>5}  {'loss':<11}  lost", style="bold"))
    for rank, s in enumerate(scenarios, 1):
        lost = terminal(" + ".join(str(d) for d in s.lost))
        if not detailed:
            row = Text(f"{rank:>4}  {s.impact:>7.1%}  {len(s.down):>5}  {s.loss:<11}  ")
            row.append(lost, style="bold")
            if s.same_as:
                row.append(terminal(f"  (= {', '.join(str(d) for d in s.same_as[:3])}{' …' if len(s.same_as) > 3 else ''})"), style="dim")
            if s.data_lost:
                row.append(terminal(f"  data lost: {', '.join(s.data_lost[:5])}{' …' if len(s.data_lost) > 5 else ''}"), style="red")
            line(row)
            continue
        line(Text(f"Losing {lost} ({s.loss}; sites: {terminal(', '.join(s.sites))})", style="bold"))
        line(Text(f"impact {s.impact:.1%} of tier-weighted services; {len(s.down)} down"))
        for name in s.down:
            line(Text(f"  ✗ {terminal(name)}: {terminal(s.causes[name].describe())}"))
        line(Text("data lost for good: " + (terminal(", ".join(s.data_lost)) if s.data_lost else "none"),
                  style="red" if s.data_lost else "green"))
    if not scenarios:
        line("no scenario takes anything down")
    return console.file.getvalue()
