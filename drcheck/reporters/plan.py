"""`drcheck plan` in three formats: a table to take to a meeting, JSON, and Markdown for a pull request."""
from __future__ import annotations

import textwrap
from typing import Iterator

from ..audit.report import PlanReport, Report
from . import View
from .json import chunks
from ..inventory.scalars import format_amount
from .safe import markdown as md, terminal


def money(amount: float, currency: str) -> str:
    return f"{format_amount(amount)} {currency}"


def priced(plan: PlanReport) -> bool:
    """Whether the plan's costs are known: an unpriced plan's tables show no cost columns, not columns of zeros."""
    return plan.objective != "changes"


def cost_phrase(plan: PlanReport) -> str:
    """"12,000 USD a month + 30,000 USD once", or "unpriced" when the plan's costs are not known."""
    if not priced(plan):
        return "unpriced"
    return _costs(plan.monthly_cost, plan.one_off_cost, plan.currency)


def changes(plan: PlanReport) -> str:
    """"3 changes", or "108 changes in 2 steps" where a step is every change of one kind (large estates)."""
    n = sum(len(step.changes) for step in plan.steps)
    counted = f"{n:,} change{'s' if n != 1 else ''}"
    return counted if n == len(plan.steps) else f"{counted} in {len(plan.steps)} step{'s' if len(plan.steps) != 1 else ''}"


def headline(plan: PlanReport) -> str:
    if not plan.steps:
        return "the gate already passes: nothing to change" if plan.passed_after else \
            "no change drcheck knows would bring the estate closer to passing the gate"
    verdict = "pass the gate" if plan.passed_after else "not pass the gate; it is the closest reachable"
    return f"{changes(plan)} ({cost_phrase(plan)}) would {verdict}: score {plan.score_before:g} → {plan.score_after:g}"


def audit_line(report: Report) -> str | None:
    """How an audit whose gate fails ends: what the plan needs, or where to find it."""
    if report.passed or report.errors:
        return None
    plan = report.plan
    if plan is None:  # a plan too long to work out during an audit: say why the count is not here
        return ("drcheck plan works out which changes would pass the gate and what they cost (not run here: it "
                "audits the estate once for every set of changes it tries, more often than an audit waits for)")
    if plan.passed_after:
        return f"{changes(plan)} ({cost_phrase(plan)}) would pass the gate: drcheck plan"
    if not plan.steps:
        return "no change drcheck knows would bring the estate closer to passing the gate: drcheck plan says what stays"
    return (f"no set of changes drcheck knows passes the gate; the closest takes {changes(plan)} "
            f"({cost_phrase(plan)}): drcheck plan")


def _objective(plan: PlanReport) -> str:
    if plan.objective == "changes":
        cost = "fewest changes (nothing in the inventory or the policy is priced)"
    else:
        cost = f"least monthly cost, one-off costs spread over {plan.amortise_months} months"
    if plan.passed_after or not plan.steps:
        return cost
    return f"no plan passes: the highest score, then the fewest findings failing the gate, then the {cost}"


def table(plan: PlanReport, view: View = View()) -> str:
    """A block per step, wrapped to the terminal: what to do, what it costs and why, what it clears, where the
    score and the gate stand after it; then the totals and what still fails."""
    def wrap(text: str, first: str = "", rest: str | None = None) -> list[str]:
        text = terminal(text)
        if view.width is None:
            return [first + text]
        return textwrap.wrap(text, view.width, initial_indent=first, subsequent_indent=first if rest is None else rest,
                             break_on_hyphens=False, break_long_words=False) or [first]

    out = [*wrap(f"drcheck plan: {headline(plan)}"), *wrap(f"objective: {_objective(plan)}"), ""]
    pad = " " * (len(str(len(plan.steps))) + 2)
    for n, step in enumerate(plan.steps, 1):
        out += wrap(step.change, f"{n:>{len(pad) - 2}}  ", pad)
        money_line = ("unpriced" if not priced(plan) else _costs(step.monthly_cost, step.one_off_cost,
                                                                            plan.currency)) + f" · clears {len(step.removes):,}"
        if step.adds:
            money_line += f", brings {len(step.adds):,}"
        money_line += f" · score {step.score_after:g} · gate {'passes' if step.passed_after else 'fails'}"
        out += wrap(money_line, pad)
        out += wrap(f"cost: {step.basis}", pad, pad + "  ")
    if plan.steps:
        out += ["", *wrap(f"total: {cost_phrase(plan)} · score "
                          f"{plan.score_before:g} → {plan.score_after:g} · gate "
                          f"{'passes' if plan.passed_after else 'still fails'}")]
    if plan.remaining:
        out += ["", f"still failing the gate after the plan ({len(plan.remaining)}):"]
        out += [line for r in plan.remaining for line in wrap(f"{r.severity:<8} {r.rule}  {r.subject}", "  ", "    ")]
    elif plan.gate_after:
        out += ["", *wrap("still failing the gate: " + "; ".join(plan.gate_after))]
    return "\n".join(out).rstrip() + "\n"


def _costs(monthly: float, one_off: float, currency: str) -> str:
    return f"{money(monthly, currency)} a month" + (f" + {money(one_off, currency)} once" if one_off else "")


def json(plan: PlanReport, view: View = View()) -> Iterator[str]:
    return chunks(plan.as_json())


def markdown(plan: PlanReport, view: View = View()) -> str:
    icon = "✅" if plan.passed_after else "❌"
    out = [f"## drcheck plan: {icon} {md(headline(plan))}", "", f"Objective: {md(_objective(plan))}.", ""]
    if plan.steps:
        def amounts(monthly: float, one_off: float, bold: str = "") -> str:
            return f" {bold}{format_amount(monthly)}{bold} | {bold}{format_amount(one_off)}{bold} |" if priced(plan) else ""
        costs_head = f" Monthly ({plan.currency}) | Once ({plan.currency}) |" if priced(plan) else ""
        out += [f"| # | Change |{costs_head} Clears | Score after | Gate after |",
                "|---:|---|" + ("---:|---:|" if priced(plan) else "") + "---:|---:|---|"]
        for n, step in enumerate(plan.steps, 1):
            out.append(f"| {n} | {md(step.change)}<br><sub>{md(step.basis)}</sub> |"
                       f"{amounts(step.monthly_cost, step.one_off_cost)} {len(step.removes)} | {step.score_after:g} | "
                       f"{'pass' if step.passed_after else 'fail'} |")
        out.append(f"| | **total** |{amounts(plan.monthly_cost, plan.one_off_cost, '**')} "
                   f"{sum(len(s.removes) for s in plan.steps)} | **{plan.score_after:g}** | "
                   f"**{'pass' if plan.passed_after else 'fail'}** |")
        out.append("")
    if plan.remaining:
        out += [f"<details><summary>Still failing the gate after the plan ({len(plan.remaining)})</summary>", ""]
        out += [f"- {r.severity} `{md(r.rule)}` {md(r.subject)}: {md(r.message)}" for r in plan.remaining]
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip() + "\n"
