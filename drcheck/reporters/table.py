"""`--format table`: the terminal report, grouped by severity, most important first in each group.

On a terminal every line fits its width: a line that must wrap goes on
indented under its finding, so the grouping holds at 80 columns.  In a file
or a pipe nothing is wrapped (grep and CI logs want whole lines)."""
from __future__ import annotations

import functools
from collections import Counter

from rich.table import Table
from rich.text import Text

from ..rule_api.findings import SEVERITIES, Finding
from ..audit.report import Report
from . import View, declare_needs
from .plan import audit_line
from .safe import terminal
from .screen import Screen
from ..rule_api.wording import PLUS_MORE, listing

STYLES = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim",
          "unknown": "magenta", "error": "bold white on magenta"}
SHOWN_PER_GROUP = 50
NAMES_SHOWN = 10
GRADE_STYLES = {"A": "bold green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}


@declare_needs(impacts=True)  # findings most important first
def render(report: Report, view: View = View()) -> str:
    out = Screen(view.color, view.width)
    title = Text("drcheck ", style="bold")
    title.append(terminal(report.inventory_name or "inventory"), style="bold")
    unplaced = f" ({report.unplaced_count} not yet placed)" if report.unplaced_count else ""
    title.append(f" · {report.service_count} services{unplaced} · {report.site_count} sites · as of {report.as_of} · "
                 f"profile {report.profile}", style="dim")
    out(title, hang=2)
    score = Text("Score ")
    score.append(f"{report.score.value:g}/100 ({report.score.grade})", style=GRADE_STYLES[report.score.grade])
    score.append("  ·  gate ")
    score.append("passed" if report.passed else "FAILED: " + "; ".join(report.gate),
                 style="bold green" if report.passed else "bold red")
    out(score, hang=2)
    counts = report.counts()
    found = [f"{counts[s]} {s}" for s in SEVERITIES if counts[s]] + ([f"{len(report.unknowns)} unknown"]
                                                                    if report.unknowns else [])
    out(Text("  ".join(found) or "no findings", style="dim"))
    if report.coverage_note:
        out(Text(report.coverage_note, style=STYLES["unknown"]), hang=2)
    if report.untiered_note():
        out(Text(report.untiered_note(), style="dim"), hang=2)
    if view.quiet:
        return out.text()
    by_status: dict[str, list[Finding]] = {"fail": [], "unknown": [], "error": []}
    failures: dict[str, list[Finding]] = {severity: [] for severity in SEVERITIES}
    for f in report.findings:
        by_status[f.status].append(f)
        if f.status == "fail":
            failures[f.severity].append(f)
    errors, unknowns = by_status["error"], by_status["unknown"]
    if errors:
        out()
        out(Text(f" ERROR ({len(errors)}) — checks that could not be made; the audit is incomplete ",
                 style=STYLES["error"]))
        _findings(out, report, errors, "errors")

    for severity in SEVERITIES:
        group = failures[severity]
        if group:
            out()
            waived = sum(f.waived for f in group)
            counted = f"{len(group) - waived} + {waived} waived" if waived else f"{len(group)}"
            out(Text(f" {severity.upper()} ({counted}) ", style=STYLES[severity]))
            _findings(out, report, group, severity)
    if unknowns:
        _unknowns(out, report, unknowns)
    if report.scenarios:
        out()
        out(Text("Worst single failures (tier-weighted share of services down)", style="bold"))
        for s in report.scenarios:
            row = Text(f"{s.impact:6.1%}  ")
            row.append(terminal(", ".join(str(d) for d in s.lost)), style="bold")
            if s.same_as:
                row.append(terminal(f" (= {', '.join(str(d) for d in s.same_as[:3])}{' …' if len(s.same_as) > 3 else ''})"),
                           style="dim")
            row.append(f"  down {len(s.down)}: " + terminal(_names(s.down)))
            if s.data_lost:
                row.append("  data lost: " + terminal(_names(s.data_lost)), style="red")
            out(row, 2, 10)
    _per_rule(out, report)
    for waiver in report.expired_waivers:
        out(Text(terminal(f"expired waiver ({waiver.expires}) no longer applies: {waiver.rule} {waiver.subject}"),
                 style="yellow"), hang=2)
    for waiver in report.unused_waivers:
        out(Text(terminal(f"unused waiver (matches no finding; remove it): {waiver.rule} {waiver.subject}"),
                 style="dim"), hang=2)
    if report.baseline:
        b = report.baseline
        out(Text(f"baseline {terminal(b['file'])}: {b['matched']} finding(s) already known, {b['fixed']} fixed since",
                 style="dim"), hang=2)
    out()
    out(Text("score = tier-weighted health of the services (50 or less with a critical finding); "
             "`drcheck audit --format json` shows the breakdown, "
             "`drcheck explain RULE` explains a rule", style="dim"), hang=2)
    line = audit_line(report)
    if line is not None:
        out(Text(terminal(line), style="bold"), hang=2)
    return out.text()


def _findings(out: Screen, report: Report, findings: list[Finding], group: str) -> None:
    """A terminal is read, not searched: the most important first, a screenful per group, the rest counted."""
    ordered = report.by_importance(findings)
    for finding in ordered[:SHOWN_PER_GROUP]:
        _finding(out, finding, *report.owner_and_tier(finding))
    if len(ordered) > SHOWN_PER_GROUP:
        out(Text(f"… {len(ordered) - SHOWN_PER_GROUP} more {group} not shown here (less important: lower impact "
                 "or tier); --format json, markdown or sarif lists every finding, --select RULE shows one rule's",
                 style="dim"), 2, 4)


def _finding(out: Screen, finding: Finding, owner: str | None, tier: int | None) -> None:
    head = [Text(finding.rule, style="bold"), Text(terminal(finding.subject))]
    if tier is not None:
        head.append(Text(f"tier {tier}" + (f" · {terminal(owner)}" if owner else ""), style="dim"))
    if finding.location:
        head.append(Text(terminal(str(finding.location)), style="dim"))
    if finding.waived:
        head.append(Text("waived: " + terminal(finding.waiver_reason or ""), style="green"))
    if finding.baseline:
        head.append(Text("(in baseline)", style="dim"))
    out.items(head, 2, 4)
    out(Text(terminal(finding.message)), 4)


def _unknowns(out: Screen, report: Report, unknowns: list[Finding]) -> None:
    """Unknowns about services with no placements (not yet placed, or external ones whose sites nobody
    knows) all have one cause: they are summed up per kind, so they do not bury the other unknowns."""
    services = {s.name: s for s in report.services}
    unplaced: dict[str, list[Finding]] = {}
    judged = []
    for f in unknowns:
        service = services.get(f.subject[8:]) if f.subject.startswith("service:") else None
        if service is not None and not service.sites:
            unplaced.setdefault("external" if service.kind == "external" else "unplaced", []).append(f)
        else:
            judged.append(f)
    out()
    out(Text(f" UNKNOWN ({len(unknowns)}) — not enough data to judge; not counted as passes ",
             style=STYLES["unknown"]))
    if judged:
        _findings(out, report, judged, "unknowns")
    for kind, why, wait in (("unplaced", "not yet placed", "their placements"),
                            ("external", "external, on sites not recorded", "their sites")):
        if kind in unplaced:
            _unplaced(out, report, unplaced[kind], why, wait)


def _unplaced(out: Screen, report: Report, findings: list[Finding], why: str, wait: str) -> None:
    subjects = list(dict.fromkeys(f.subject for f in report.by_importance(findings)))
    rules: dict[str, int] = {}
    for f in findings:
        rules[f.rule] = rules.get(f.rule, 0) + 1
    out.items([Text(f"{len(subjects)} service(s) {why}", style="bold"),
               Text(f"{len(findings)} checks wait for {wait}", style="dim")], 2, 4)
    out(Text(terminal(_names([s[8:] for s in subjects], shown=NAMES_SHOWN))), 4)
    out(Text("rules: " + ", ".join(f"{rule} ({n})" for rule, n in sorted(rules.items(), key=lambda r: -r[1])),
             style="dim"), 4)


def _per_rule(out: Screen, report: Report) -> None:
    """How many findings of each rule (and severity, for a rule that grades them): where to start, and what
    --select RULE would show."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for (rule, severity, status), n in Counter((f.rule, f.severity, "waived" if f.waived else f.status)
                                               for f in report.findings).items():
        counts.setdefault((rule, severity), dict.fromkeys(("fail", "waived", "unknown", "error"), 0))[status] = n
    if not counts:
        return
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    columns = [c for c in ("fail", "waived", "unknown", "error") if any(n[c] for n in counts.values())]
    table = Table(box=None, padding=(0, 0, 0, 2), show_edge=False, header_style="bold")
    table.add_column("rule")
    table.add_column("severity")
    for column in columns:
        table.add_column(column, justify="right")
    for (rule, severity), n in sorted(counts.items(), key=lambda r: (rank[r[0][1]], -r[1]["fail"], r[0][0])):
        table.add_row(Text(terminal(rule)), Text(severity, style=STYLES[severity]), *(str(n[c] or "") for c in columns))
    out()
    out(Text("Findings per rule", style="bold"))
    out.table(table)
    silent = len(report.rules) - len({rule for rule, _ in counts})
    if silent > 0:
        out(Text(f"{silent} more rule(s) ran and found nothing", style="dim"), 2)


_names = functools.partial(listing, shown=6, more=PLUS_MORE)
