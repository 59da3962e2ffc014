"""`--format table`: the terminal report, grouped by severity."""
from __future__ import annotations


from rich.text import Text

from ..findings import SEVERITIES, Finding
from ..report import Report
from . import View
from .safe import terminal, text_console

STYLES = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim",
          "unknown": "magenta", "error": "bold white on magenta"}
SHOWN_PER_GROUP = 50
GRADE_STYLES = {"A": "bold green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}


def render(report: Report, view: View = View()) -> str:
    color, width = view.color, view.width
    console = text_console(color, width)
    line = console.print
    title = Text("drcheck ", style="bold")
    title.append(terminal(report.inventory_name or "inventory"), style="bold")
    unplaced = f" ({report.unplaced_count} not yet placed)" if report.unplaced_count else ""
    title.append(f" · {report.service_count} services{unplaced} · {report.site_count} sites · as of {report.as_of} · "
                 f"profile {report.profile}", style="dim")
    line(title)
    score = Text("Score ")
    score.append(f"{report.score.value:g}/100 ({report.score.grade})", style=GRADE_STYLES[report.score.grade])
    score.append("  ·  gate ")
    score.append("passed" if report.passed else "FAILED: " + "; ".join(report.gate),
                 style="bold green" if report.passed else "bold red")
    line(score)
    counts = report.counts()
    line(Text("  ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings", style="dim"))
    if report.errors:
        line()
        line(Text(f" ERROR ({len(report.errors)}) — checks that could not be made; the audit is incomplete ",
                  style=STYLES["error"]))
        _findings(line, report, report.errors)

    for severity in SEVERITIES:
        group = [f for f in report.failures if f.severity == severity]
        if group:
            line()
            waived = sum(f.waived for f in group)
            counted = f"{len(group) - waived} + {waived} waived" if waived else f"{len(group)}"
            line(Text(f" {severity.upper()} ({counted}) ", style=STYLES[severity]))
            _findings(line, report, group)
    if report.unknowns:
        line()
        line(Text(f" UNKNOWN ({len(report.unknowns)}) — not enough data to judge; not counted as passes ",
                  style=STYLES["unknown"]))
        _findings(line, report, report.unknowns)
    if report.scenarios:
        line()
        line(Text("Worst single failures (tier-weighted share of services down)", style="bold"))
        for s in report.scenarios:
            row = Text(f"  {s.impact:6.1%}  ")
            row.append(terminal(", ".join(str(d) for d in s.lost)), style="bold")
            if s.same_as:
                row.append(terminal(f" (= {', '.join(str(d) for d in s.same_as[:3])}{' …' if len(s.same_as) > 3 else ''})"),
                           style="dim")
            row.append(f"  down {len(s.down)}: " + terminal(_names(s.down)))
            if s.data_lost:
                row.append("  data lost: " + terminal(_names(s.data_lost)), style="red")
            line(row)
    for waiver in report.expired_waivers:
        line(Text(terminal(f"expired waiver ({waiver.expires}) no longer applies: {waiver.rule} {waiver.subject}"),
                  style="yellow"))
    for waiver in report.unused_waivers:
        line(Text(terminal(f"unused waiver (matches no finding; remove it): {waiver.rule} {waiver.subject}"),
                  style="dim"))
    if report.baseline:
        b = report.baseline
        line(Text(f"baseline {terminal(b['file'])}: {b['matched']} finding(s) already known, {b['fixed']} fixed since",
                  style="dim"))
    line()
    line(Text("score = tier-weighted health of the services (50 or less with a critical finding); "
              "`drcheck audit --format json` shows the breakdown, "
              "`drcheck explain RULE` explains a rule", style="dim"))
    return console.file.getvalue()


def _findings(line, report: Report, findings: list[Finding]) -> None:
    """A terminal is read, not searched: past a screenful per group, say how many more there are."""
    for finding in findings[:SHOWN_PER_GROUP]:
        _finding(line, finding, *report.owner_and_tier(finding))
    if len(findings) > SHOWN_PER_GROUP:
        line(Text(f"  … {len(findings) - SHOWN_PER_GROUP} more not shown here; --format json, markdown or sarif "
                  "lists every finding", style="dim"))


def _finding(line, finding: Finding, owner: str | None, tier: int | None) -> None:
    head = Text("  ")
    head.append(finding.rule, style="bold")
    head.append("  " + terminal(finding.subject))
    if tier is not None:
        head.append(f"  tier {tier}" + (f" · {terminal(owner)}" if owner else ""), style="dim")
    if finding.location:
        head.append(f"  {terminal(str(finding.location))}", style="dim")
    if finding.waived:
        head.append("  waived: " + terminal(finding.waiver_reason or ""), style="green")
    if finding.baseline:
        head.append("  (in baseline)", style="dim")
    line(head)
    line(Text("    " + terminal(finding.message)))


def _names(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")
