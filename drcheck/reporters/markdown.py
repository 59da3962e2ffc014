"""`--format markdown`: a report that reads well as a pull-request comment or an auditor's file.

GitHub drops a job summary over 1 MiB, so the report stays under it whatever
the estate: findings are listed most important first (`Report.by_importance`)
until the rest of the report would no longer fit, and it says how many are
left out and where to find them all."""
from __future__ import annotations

import functools
import json

from ..rule_api.findings import SEVERITIES
from ..audit.report import Report, percent
from . import View, declare_needs
from .plan import audit_line
from ..audit.scoring import FORMULA
from ..rule_api.wording import PLUS_MORE, listing
from .graph import Loss, draw_mermaid
from .safe import html, markdown as md

# a dependency map beyond this many nodes is unreadable in a pull-request comment
MAP_MAX_SERVICES = 60
MAP_MAX_SITES = 30
WHY_LISTED = 50  # services told why they are down, in each of the first scenarios
LIMIT_BYTES = 1024 * 1024  # GitHub's limit for a step summary
ICONS = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


@declare_needs(impacts=True, why=WHY_LISTED, graph_up_to=MAP_MAX_SERVICES)
def render(report: Report, view: View = View()) -> str:
    head: list[str] = []
    out: list[str] = []  # what follows the findings
    add = head.append
    verdict = "✅ passed" if report.passed else "❌ failed: " + md("; ".join(report.gate))
    add(f"## drcheck: {md(report.inventory_name or 'inventory')} — score {report.score.value:g}/100 ({report.score.grade}), gate {verdict}")
    add("")
    unplaced = f" ({report.unplaced_count} not yet placed, coverage {percent(report.coverage)})" if report.coverage < 1 else ""
    add(f"{report.service_count} services{unplaced}, {report.site_count} sites; profile {md(report.profile)}, fail on "
        f"{report.fail_on}; as of {report.as_of}.")
    add("")
    if report.untiered_note():
        add(md(report.untiered_note()) + ".")
        add("")
    counts = report.counts()
    add("| Severity | Findings |")
    add("|---|---:|")
    for severity in SEVERITIES:
        add(f"| {ICONS[severity]} {severity} | {counts[severity]} |")
    add(f"| unknown (not enough data) | {len(report.unknowns)} |")
    if report.errors:
        add(f"| error (could not be checked) | {len(report.errors)} |")
    add(f"| waived | {sum(f.waived for f in report.findings)} |")
    add("")
    add = out.append
    if report.scenarios:
        add("### Worst single failures")
        add("")
        add("| Lost | Impact | Down | Data lost |")
        add("|---|---:|---|---|")
        for s in report.scenarios:
            lost = md(", ".join(str(d) for d in s.lost))
            add(f"| {lost} | {s.impact:.1%} | {len(s.down)}: {md(_names(s.down))} | {md(_names(s.data_lost)) or '—'} |")
        add("")
        for s in report.scenarios[:3]:
            add(f"<details><summary>Why losing {html(', '.join(str(d) for d in s.lost))} takes {len(s.down)} services down</summary>")
            add("")
            for name in s.down[:WHY_LISTED]:
                add(f"- {md(name)}: {md(s.why[name].describe())}")
            if len(s.down) > WHY_LISTED:
                add(f"- … and {len(s.down) - WHY_LISTED} more")
            add("")
            add("</details>")
            add("")
    if report.graph is not None and report.service_count <= MAP_MAX_SERVICES and report.site_count <= MAP_MAX_SITES:
        worst = report.scenarios[0] if report.scenarios else None
        caption = f": losing {html(', '.join(str(d) for d in worst.lost))} in red" if worst else ""
        add(f"<details><summary>Dependency map{caption}</summary>")
        add("")
        add("```mermaid")
        add(draw_mermaid(report.graph, Loss.of(worst)).rstrip("\n"))
        add("```")
        add("")
        add("</details>")
        add("")
    add("<details><summary>How the score is computed</summary>")
    add("")
    add(md(FORMULA))
    add("")
    add("| Rule | Severity | Evaluated | Failing | Unknown | Gain if fixed |")
    add("|---|---|---:|---:|---:|---:|")
    for r in report.score.rules:
        add(f"| `{r.rule}` | {r.severity} | {r.evaluated} | {r.failed} | {r.unknown} | {r.gain:+g} |")
    add("")
    add("</details>")
    for waiver in report.expired_waivers:
        add("")
        add(f"> ⚠️ Expired waiver ({waiver.expires}) no longer applies: `{md(waiver.rule)}` {md(waiver.subject)}")
    if report.baseline:
        add("")
        add(f"Baseline: {report.baseline['matched']} finding(s) already known, {report.baseline['fixed']} fixed since.")
    line = audit_line(report)
    if line is not None:
        add("")
        add(f"**{md(line)}**")
    tail = "\n".join(out) + "\n"
    budget = LIMIT_BYTES - len("\n".join(head).encode()) - len(tail.encode()) - 2048  # 2 KiB: headings, the note
    findings, evidence = _findings(report, view, budget)
    return "\n".join([*head, *findings, *evidence, ""]) + tail


def _findings(report: Report, view: View, budget: int) -> tuple[list[str], list[str]]:
    """The findings table and their evidence, most important first, within `budget` bytes."""
    if not report.findings:
        return [], []
    rows, evidence = [], []
    ordered = report.by_importance()
    for f in ordered:
        owner, tier = report.owner_and_tier(f)
        mark = f.status if f.status != "fail" else f"{ICONS[f.severity]} {f.severity}"
        if f.waived:
            mark += " (waived)"
        if f.baseline:
            mark += " (baseline)"
        where = md(f"{f.location.file}:{f.location.line}") if f.location else ""
        row = f"| {mark} | `{f.rule}` | {md(f.subject)}{_tier(tier)} | {md(owner or '')} | {where} | {md(f.message)} |"
        proof = (f"- `{f.rule}` {md(f.subject)} (fingerprint `{f.fingerprint}`): "
                 f"{md(json.dumps(f.evidence, ensure_ascii=False, sort_keys=True))}")
        budget -= len(row.encode()) + len(proof.encode()) + 2
        if budget < 0:
            break
        rows.append(row)
        evidence.append(proof)
    table = ["### Findings", ""]
    if len(rows) < len(ordered):
        where = f"{md(view.full_report)} has" if view.full_report else "`--format json` or `sarif` lists"
        table += [f"> The {len(rows)} most important of {len(ordered)} findings; {len(ordered) - len(rows)} more are "
                  f"left out to keep this report under 1 MiB, the most a GitHub job summary holds. {where} every "
                  "finding.", ""]
    table += ["| | Rule | Subject | Owner | Where | Message |", "|---|---|---|---|---|---|", *rows, ""]
    return table, ["<details><summary>Evidence</summary>", "", *evidence, "", "</details>", ""]


def _tier(tier: int | None) -> str:
    return "" if tier is None else f" (tier {tier})"


_names = functools.partial(listing, shown=8, more=PLUS_MORE)
