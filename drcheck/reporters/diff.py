"""`drcheck diff --format table|markdown|json`: a `Comparison` as text."""
from __future__ import annotations

import functools
from typing import Iterator

from ..rule_api.findings import Finding
from ..failures.domains import Domain
from ..audit.report import Comparison, Report, ScenarioChange
from ..rule_api.wording import PLUS_MORE, listing
from . import View
from .json import chunks
from .safe import markdown as md
from .safe import terminal

SCENARIO_ROWS = 10
MARKDOWN_FINDING_ROWS = 100  # per section: a pull-request comment holds at most 65,536 characters


def json(comparison: Comparison, view: View = View()) -> Iterator[str]:
    return chunks(comparison.as_json())


def table(comparison: Comparison, view: View = View()) -> str:
    c = comparison
    out = [f"drcheck diff: {_files(c.base)} -> {_files(c.head)}",
           f"score {c.base.score.value:g} ({c.base.score.grade}) -> {c.head.score.value:g} ({c.head.score.grade}), "
           f"{_delta(c)}",
           f"{len(c.added)} finding(s) added, {len(c.removed)} removed, {len(c.raised)} more severe, "
           f"{len(c.lowered)} less severe"]
    if view.quiet:
        return "\n".join([*out, "", *_verdict(c, terminal)]) + "\n"
    for title, findings, sign in (("Added", c.added, "+"), ("Removed", c.removed, "-")):
        if findings:
            out += ["", f"{title}:"]
            for f in findings:
                where = f"  {f.location}" if f.location else ""
                out.append(terminal(f"  {sign} {_label(f)} {f.rule}  {f.subject}{where}"))
                out.append(terminal(f"      {f.message}"))
    if c.raised or c.lowered:
        out += ["", "Severity changed:"]
        out += [terminal(f"  {ch.before.severity} -> {ch.after.severity}  {ch.after.rule}  {ch.after.subject}")
                for ch in [*c.raised, *c.lowered]]
    if c.scenarios:
        out += ["", "Failures that now take down more:"]
        for s in c.scenarios[:SCENARIO_ROWS]:
            line = f"  {_domains(s.lost)}: impact {s.impact_before:.1%} -> {s.impact_after:.1%}"
            if s.newly_down:
                line += f"; newly down: {_names(s.newly_down)}"
            if s.newly_data_lost:
                line += f"; data newly lost: {_names(s.newly_data_lost)}"
            out.append(terminal(line))
        if len(c.scenarios) > SCENARIO_ROWS:
            out.append(f"  ... and {len(c.scenarios) - SCENARIO_ROWS} more")
    out += ["", *_verdict(c, terminal)]
    return "\n".join(out) + "\n"


def markdown(comparison: Comparison, view: View = View()) -> str:
    c = comparison
    icon = "✅" if c.passed else "❌"
    out = [f"## drcheck diff: score {c.base.score.value:g} ({c.base.score.grade}) → {c.head.score.value:g} "
           f"({c.head.score.grade}) {icon}", "",
           f"{md(_files(c.base))} → {md(_files(c.head))}: {len(c.added)} finding(s) added, {len(c.removed)} removed, "
           f"{len(c.raised)} more severe, {len(c.lowered)} less severe; score {_delta(c)}.", ""]
    for title, findings in (("Added", c.added), ("Removed", c.removed)):
        if findings:
            out += [f"### {title}", "", "| Severity | Rule | Subject | Where | Message |", "|---|---|---|---|---|"]
            for f in findings[:MARKDOWN_FINDING_ROWS]:
                where = md(str(f.location)) if f.location else ""
                out.append(f"| {md(_label(f))} | `{f.rule}` | {md(f.subject)} | {where} | {md(f.message)} |")
            if len(findings) > MARKDOWN_FINDING_ROWS:
                out.append(f"\n… and {len(findings) - MARKDOWN_FINDING_ROWS} more (`--format json` lists them all).")
            out.append("")
    if c.raised or c.lowered:
        out += ["### Severity changed", "", "| Rule | Subject | Before | After |", "|---|---|---|---|"]
        out += [f"| `{ch.after.rule}` | {md(ch.after.subject)} | {ch.before.severity} | {ch.after.severity} |"
                for ch in [*c.raised, *c.lowered]]
        out.append("")
    if c.scenarios:
        out += ["### Failures that now take down more", "", "| Lost | Impact before | After | Newly down | Data newly lost |",
                "|---|---:|---:|---|---|"]
        for s in c.scenarios[:SCENARIO_ROWS]:
            out.append(f"| {md(_domains(s.lost))} | {s.impact_before:.1%} | {s.impact_after:.1%} | "
                       f"{md(_names(s.newly_down)) or '—'} | {md(_names(s.newly_data_lost)) or '—'} |")
        if len(c.scenarios) > SCENARIO_ROWS:
            out.append(f"\n… and {len(c.scenarios) - SCENARIO_ROWS} more.")
        out.append("")
    gate, net = _verdict(c, md)
    out += [gate, "", net]
    return "\n".join(out) + "\n"


def _files(report: Report) -> str:
    return ", ".join(report.files)


def _delta(c: Comparison) -> str:
    change = round(c.head.score.value - c.base.score.value, 1)
    return "unchanged" if change == 0 else f"{change:+g}"


def _label(finding: Finding) -> str:
    label = "unknown" if finding.status == "unknown" else finding.severity
    return label + (" (waived)" if finding.waived else "")


def _domains(domains: list[Domain]) -> str:
    return _names([str(d) for d in domains])


_names = functools.partial(listing, shown=10, more=PLUS_MORE)


def _verdict(c: Comparison, escape) -> list[str]:
    """The gate's verdict, then the net change: the last two lines."""
    if c.passed:
        gate = f"gate passed: no subject got worse at or above {c.fail_on}, and no single failure takes down more"
    else:
        reasons = ["no service of the head is placed anywhere, so nothing in it can be judged"] if c.nothing_placed else []
        if c.blocking:
            subjects = list(dict.fromkeys(f.subject for f in c.blocking))
            reasons.append(f"{len(subjects)} subject(s) now worse at or above {c.fail_on}: "
                           + _names([f"{f.rule} {f.subject}" for f in c.blocking]))
        reasons += [f"losing {_domains(s.lost)} now {_regressed(s)}" for s in c.regressions[:SCENARIO_ROWS]]
        if len(c.regressions) > SCENARIO_ROWS:
            reasons.append(f"and {len(c.regressions) - SCENARIO_ROWS} more single failure(s) like these")
        gate = escape("gate FAILED: " + "; ".join(reasons))
    return [gate, f"net: {c.net}"]


def _regressed(s: ScenarioChange) -> str:
    """"takes down talk, which came through it before", "loses the data of ledger, ..."."""
    down = [n for n in s.regressed if n in s.newly_down]
    lost = [n for n in s.regressed if n in s.newly_data_lost]
    what = " and ".join(([f"takes down {_names(down)}"] if down else []) +
                        ([f"loses the data of {_names(lost)}"] if lost else []))
    return f"{what}, which came through it before"
