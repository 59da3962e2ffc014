"""`drcheck simulate`: chosen, single (N-1) and paired (N-2) failure scenarios, ranked."""
from __future__ import annotations

import io
from itertools import combinations

from rich.console import Console
from rich.text import Text

from .audit import scenario
from .domains import Domain, DomainIndex, Failure, kind_order
from .model import Inventory
from .report import Scenario
from .reporters.safe import terminal
from .simulate import Simulation


def scenarios_for(inventory: Inventory, fails: list[str], depth: int, top: int) -> list[Scenario]:
    index = DomainIndex(inventory)
    if fails:
        failure = index.failure(index.parse(fails))
        simulation = Simulation(inventory, [failure])
        return [scenario(simulation, 0, list(failure.domains), [], simulation.impacts()[0])]
    groups = index.groups
    if depth == 1:
        combos = [(g.name,) for g in groups]
        same_as = [list(g.domains[1:]) for g in groups]
        failures = [g.failure for g in groups]
    else:
        combos, failures = _pairs(index)
        same_as = [[] for _ in combos]
    simulation = Simulation(inventory, failures)
    impacts = simulation.impacts()
    ranked = simulation.ranked(impacts)
    if top:
        ranked = ranked[:top]
    return [scenario(simulation, k, list(combos[k]), same_as[k], impacts[k]) for k in ranked]


def _pairs(index: DomainIndex) -> tuple[list[tuple[Domain, Domain]], list[Failure]]:
    """Every pair of single failures that takes more sites or services than either does alone.  A domain group stands for its
    domains, except the feeds and carriers that are one of several of some site: paired with another feed
    they can lose that site, so each is tried on its own."""
    feeds = set(index.redundant_feeds())
    candidates = []
    for group in index.groups:
        candidates += [d for d in group.domains if d not in feeds][:1] + [d for d in group.domains if d in feeds]
    candidates += sorted(feeds - set(candidates))  # backed up on every site they feed: nothing alone
    alone = {d: index.failure([d]) for d in candidates}
    combos, failures = [], []
    for pair in combinations(candidates, 2):
        pair = tuple(sorted(pair, key=kind_order))
        failure = index.failure(pair)
        if any((failure.sites, failure.services) == (alone[d].sites, alone[d].services) for d in pair):
            continue  # one of the two already takes all of it
        combos.append(pair)
        failures.append(failure)
    return combos, failures


def render_table(scenarios: list[Scenario], detailed: bool, color: bool = False, width: int | None = None) -> str:
    """`width`: wrap at that many columns (a terminal); None: never wrap (a file or a pipe)."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width or 1000,
                      soft_wrap=width is None, highlight=False,
                      markup=False, emoji=False)
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
    return buffer.getvalue()
