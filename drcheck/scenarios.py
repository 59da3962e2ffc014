"""`drcheck simulate`: chosen, single (N-1) and paired (N-2) failure scenarios, ranked."""
from __future__ import annotations

import io
from itertools import combinations

from rich.console import Console
from rich.text import Text

from .audit import scenario
from .domains import DomainIndex
from .model import Inventory
from .report import Scenario
from .reporters.safe import terminal
from .simulate import Simulation


def scenarios_for(inventory: Inventory, fails: list[str], depth: int, top: int) -> list[Scenario]:
    index = DomainIndex(inventory)
    if fails:
        lost = index.parse(fails)
        sites = frozenset().union(*(index.sites_of[d] for d in lost))
        simulation = Simulation(inventory, [sites])
        return [scenario(simulation, 0, lost, [], sites, simulation.impacts()[0])]
    groups = index.groups
    if depth == 1:
        combos = [(g,) for g in groups]
    else:
        # pairs whose union adds nothing to one of them are that single loss again
        combos = [(a, b) for a, b in combinations(groups, 2) if not (a.sites <= b.sites or b.sites <= a.sites)]
    site_sets = [frozenset().union(*(g.sites for g in combo)) for combo in combos]
    simulation = Simulation(inventory, site_sets)
    impacts = simulation.impacts()
    ranked = simulation.ranked(impacts)
    if top:
        ranked = ranked[:top]
    return [
        scenario(simulation, k, [g.name for g in combos[k]],
                 [d for g in combos[k] for d in g.domains[1:]], site_sets[k], impacts[k])
        for k in ranked
    ]


def render_table(scenarios: list[Scenario], detailed: bool, color: bool = False, width: int | None = None) -> str:
    """`width`: wrap at that many columns (a terminal); None: never wrap (a file or a pipe)."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width or 1000,
                      soft_wrap=width is None, highlight=False,
                      markup=False, emoji=False)
    line = console.print
    if not detailed:
        line(Text(f"{'rank':>4}  {'impact':>7}  {'down':>5}  lost", style="bold"))
    for rank, s in enumerate(scenarios, 1):
        lost = terminal(" + ".join(str(d) for d in s.lost))
        if not detailed:
            row = Text(f"{rank:>4}  {s.impact:>7.1%}  {len(s.down):>5}  ")
            row.append(lost, style="bold")
            if s.same_as:
                row.append(terminal(f"  (= {', '.join(str(d) for d in s.same_as[:3])}{' …' if len(s.same_as) > 3 else ''})"), style="dim")
            if s.data_lost:
                row.append(terminal(f"  data lost: {', '.join(s.data_lost[:5])}{' …' if len(s.data_lost) > 5 else ''}"), style="red")
            line(row)
            continue
        line(Text(f"Losing {lost} (sites: {terminal(', '.join(s.sites))})", style="bold"))
        line(Text(f"impact {s.impact:.1%} of tier-weighted services; {len(s.down)} down"))
        for name in s.down:
            line(Text(f"  ✗ {terminal(name)}: {terminal(s.causes[name].describe())}"))
        line(Text("data lost for good: " + (terminal(", ".join(s.data_lost)) if s.data_lost else "none"),
                  style="red" if s.data_lost else "green"))
    if not scenarios:
        line("no scenario takes anything down")
    return buffer.getvalue()
