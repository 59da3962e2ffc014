"""`drcheck plan` in three formats: a table to take to a meeting, JSON, and Markdown for a pull request."""
from __future__ import annotations

import textwrap
from typing import Iterator

from ..report import PlanReport
from . import View
from .json import chunks
from .safe import markdown as md, terminal


def money(amount: float, currency: str) -> str:
    return f"{amount:,.2f}".rstrip("0").rstrip(".") + f" {currency}"


def cost_phrase(plan: PlanReport) -> str:
    """"12,000 USD a month + 30,000 USD once", or "unpriced" when the plan's costs are not known."""
    if plan.objective == "changes":
        return "unpriced"
    parts = [f"{money(plan.monthly_cost, plan.currency)} a month"]
    if plan.one_off_cost:
        parts.append(f"{money(plan.one_off_cost, plan.currency)} once")
    return " + ".join(parts)


def headline(plan: PlanReport) -> str:
    n = len(plan.steps)
    if not n:
        return "the gate already passes: nothing to change" if plan.passed_after else \
            "no change drcheck knows would bring the estate closer to passing the gate"
    verdict = "pass the gate" if plan.passed_after else "not pass the gate; it is the closest reachable"
    return (f"{n} change{'s' if n != 1 else ''} ({cost_phrase(plan)}) would {verdict}: score {plan.score_before:g} → "
            f"{plan.score_after:g}")


def _objective(plan: PlanReport) -> str:
    if plan.objective == "changes":
        return "fewest changes (nothing in the inventory or the policy is priced)"
    return f"least monthly cost, one-off costs spread over {plan.amortise_months} months"


def table(plan: PlanReport, view: View = View()) -> str:
    width = view.width or 10_000
    out = [terminal(f"drcheck plan: {headline(plan)}"), terminal(f"objective: {_objective(plan)}"), ""]
    if plan.steps:
        rows = [("#", "CHANGE", "MONTHLY", "ONCE", "CLEARS", "SCORE", "GATE")]
        for n, step in enumerate(plan.steps, 1):
            rows.append((str(n), terminal(step.change), f"{step.monthly_cost:,g}", f"{step.one_off_cost:,g}",
                         str(len(step.removes)), f"{step.score_after:g}", "pass" if step.passed_after else "fail"))
        rows.append(("", "total", f"{plan.monthly_cost:,g}", f"{plan.one_off_cost:,g}",
                     str(sum(len(s.removes) for s in plan.steps)), f"{plan.score_after:g}",
                     "pass" if plan.passed_after else "fail"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        change_width = max(20, min(widths[1], width - sum(widths) + widths[1] - 14))
        widths[1] = min(widths[1], change_width)
        right = {2, 3, 4, 5}
        for n, row in enumerate(rows):
            cells = list(row)
            lines = textwrap.wrap(cells[1], widths[1]) or [""]
            first = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
            first[1] = lines[0].ljust(widths[1])
            out.append("  ".join(first).rstrip())
            out += ["  ".join(["".ljust(widths[0]), line]).rstrip() for line in lines[1:]]
            if 0 < n < len(rows) - 1:
                out.append(f"{'':{widths[0]}}  " + terminal(f"cost: {plan.steps[n - 1].basis}"))
        out.append(f"(amounts in {plan.currency}; MONTHLY a month, ONCE one-off; CLEARS: findings the step removes)")
        out.append("")
    if plan.remaining:
        out.append(f"still failing the gate after the plan ({len(plan.remaining)}):")
        out += [terminal(f"  {r.severity:<8} {r.rule}  {r.subject}") for r in plan.remaining]
    elif plan.gate_after:
        out.append(terminal("still failing the gate: " + "; ".join(plan.gate_after)))
    return "\n".join(out).rstrip() + "\n"


def json(plan: PlanReport, view: View = View()) -> Iterator[str]:
    return chunks(plan.as_json())


def markdown(plan: PlanReport, view: View = View()) -> str:
    icon = "✅" if plan.passed_after else "❌"
    out = [f"## drcheck plan: {icon} {md(headline(plan))}", "", f"Objective: {md(_objective(plan))}.", ""]
    if plan.steps:
        out += [f"| # | Change | Monthly ({plan.currency}) | Once ({plan.currency}) | Clears | Score after | Gate after |",
                "|---:|---|---:|---:|---:|---:|---|"]
        for n, step in enumerate(plan.steps, 1):
            out.append(f"| {n} | {md(step.change)}<br><sub>{md(step.basis)}</sub> | {step.monthly_cost:,g} | "
                       f"{step.one_off_cost:,g} | {len(step.removes)} | {step.score_after:g} | "
                       f"{'pass' if step.passed_after else 'fail'} |")
        out.append(f"| | **total** | **{plan.monthly_cost:,g}** | **{plan.one_off_cost:,g}** | "
                   f"{sum(len(s.removes) for s in plan.steps)} | **{plan.score_after:g}** | "
                   f"**{'pass' if plan.passed_after else 'fail'}** |")
        out.append("")
    if plan.remaining:
        out += [f"<details><summary>Still failing the gate after the plan ({len(plan.remaining)})</summary>", ""]
        out += [f"- {r.severity} `{md(r.rule)}` {md(r.subject)}: {md(r.message)}" for r in plan.remaining]
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip() + "\n"
