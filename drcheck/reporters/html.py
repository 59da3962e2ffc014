"""`--format html`: one self-contained page for people who do not read YAML (a risk officer, an e-mail).

Styles, the sorting script and the pictures (the map of the sites, `sitemap`, and the dependency graph)
are inline: opening the file makes no request to any server.  Every name is escaped
(`safe.html_attribute`).
"""
from __future__ import annotations

import functools
import json
import math
import os

from ..rule_api.findings import SEVERITIES
from ..audit.report import Report, percent
from ..inventory.scalars import format_amount
from ..audit.scoring import FORMULA
from ..rule_api.wording import listing
from . import View, declare_needs
from .plan import audit_line, priced
from .safe import html_attribute as esc, html_lines
from .depgraph import MAX_SERVICES, render_graph
from .sitemap import render_map

MAX_FINDINGS = 5000  # rows beyond this make a page no browser scrolls comfortably
WHY_LISTED = 50  # services told why the worst loss takes them down
# drcheck's own rules link to their page on the documentation site (built from docs/ by mkdocs.yml)
RULE_DOCS = "https://drcheck-audit.readthedocs.io/en/latest/rules/{}/"
COLORS = {"critical": "#b71c1c", "high": "#e65100", "medium": "#f9a825", "low": "#1565c0", "info": "#757575",
          "unknown": "#6a1b9a", "error": "#4a148c"}

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 40px;color:#1b1b1b}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.muted{color:#666}.pass{color:#1b5e20;font-weight:600}.fail{color:#b71c1c;font-weight:600}
.score{font-size:32px;font-weight:700;margin-right:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e4e4e4;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0;white-space:nowrap}th.sort{cursor:pointer;user-select:none}th.sort:after{content:" \\2195";color:#aaa}
td.num,th.num{text-align:right}td.name{white-space:nowrap}.sev{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
details summary{cursor:pointer;color:#444}pre.mono{white-space:pre-wrap;overflow-wrap:anywhere}code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
svg{background:#fbfbf8;border:1px solid #ddd;max-width:100%;height:auto}
.wide{overflow-x:auto;max-width:100%}.wide svg{max-width:none}
@media (max-width:700px){table{display:block;overflow-x:auto}th{position:static}}
.legend span{display:inline-block;margin-right:14px}.legend svg.sample{border:0;background:none;vertical-align:middle;margin-right:4px}
.maps{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
"""

SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th.sort').forEach(function(th, column){
    th.addEventListener('click', function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var down = th.dataset.dir !== 'asc'; th.dataset.dir = down ? 'asc' : 'desc';
      rows.sort(function(a, b){
        var x = a.cells[column].dataset.key || a.cells[column].textContent;
        var y = b.cells[column].dataset.key || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return down ? c : -c;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
document.documentElement.dataset.sortable = 'ready';
"""


# the findings most important first; why the worst loss takes each service down (in the list, and on each box of
# the drawing); the sites' map; the dependencies drawn one box per service
@declare_needs(impacts=True, why=max(MAX_SERVICES, WHY_LISTED), inventory=True, graph_up_to=MAX_SERVICES)
def render(report: Report, view: View = View()) -> str:
    name = report.inventory_name or "inventory"
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may be fetched: no scripts, styles, images or fonts from anywhere but this file
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        f"<title>drcheck: {esc(name)}</title><style>{STYLE}</style></head><body>",
        _header(report, name),
        _plan(report),
        render_map(report),
        render_graph(report),
        _scenarios(report),
        _findings(report),
        _waivers(report),
        _score(report),
        f"<script>{SORT_SCRIPT}</script></body></html>\n",
    ]
    return "\n".join(p for p in parts if p)


def _header(report: Report, name: str) -> str:
    counts = report.counts()
    found = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings"
    verdict = ('<span class="pass">gate passed</span>' if report.passed else
               '<span class="fail">gate failed: ' + esc("; ".join(report.gate)) + "</span>")
    files = listing(report.files, 3)
    unplaced = f" ({report.unplaced_count} not yet placed, coverage {percent(report.coverage)})" if report.coverage < 1 else ""
    return (f"<h1>drcheck: {esc(name)}</h1>"
            f'<p class="muted">{report.service_count} services{unplaced}, {report.site_count} sites in {esc(files)} · profile '
            f"{esc(report.profile)} · fail on {esc(report.fail_on)} · as of {report.as_of} · drcheck "
            f"{esc(report.version)}</p>"
            f'<p><span class="score">{report.score.value:g}/100</span> grade {esc(report.score.grade)} · '
            f"{verdict}</p><p>{esc(found)}; {len(report.unknowns)} unknown; "
            f"{sum(f.waived for f in report.findings)} waived</p>")


def _plan(report: Report) -> str:
    """What passing the gate takes (`drcheck plan`), where the audit worked it out."""
    line, plan = audit_line(report), report.plan
    if line is None:
        return ""
    if plan is None or not plan.steps:
        return f"<h2>What passing the gate takes</h2><p>{esc(line)}</p>"
    def amounts(step) -> str:
        return (f"<td class=\"num\">{format_amount(step.monthly_cost)}</td>"
                f"<td class=\"num\">{format_amount(step.one_off_cost)}</td>") if priced(plan) else ""
    rows = "".join(f"<tr><td class=\"num\">{n}</td><td>{esc(step.change)}<br><span class=\"muted\">{esc(step.basis)}"
                   f"</span></td>{amounts(step)}<td class=\"num\">{len(step.removes)}</td><td class=\"num\">"
                   f"{step.score_after:g}</td><td>{'pass' if step.passed_after else 'fail'}</td></tr>"
                   for n, step in enumerate(plan.steps, 1))
    costs_head = (f"<th class=\"num\">Monthly ({esc(plan.currency)})</th><th class=\"num\">Once ({esc(plan.currency)})"
                  "</th>") if priced(plan) else ""
    return (f"<h2>What passing the gate takes</h2><p>{esc(line)}</p><table><thead><tr><th class=\"num\">#</th>"
            f"<th>Change (and how its cost is worked out)</th>{costs_head}<th class=\"num\">Clears</th>"
            f"<th class=\"num\">Score after</th><th>Gate after</th></tr></thead><tbody>{rows}</tbody></table>")


def _badge(label: str) -> str:
    return f'<span class="sev" style="background:{COLORS.get(label, "#555")}">{esc(label)}</span>'


def _findings(report: Report) -> str:
    ordered = report.by_importance()
    shown = ordered[:MAX_FINDINGS]
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    base = _common_directory(report.files)
    rule_cell = _rule_links(report)
    rows = []
    for f in shown:
        owner, tier = report.owner_and_tier(f)
        label = f.severity if f.status == "fail" else f.status
        state = " waived: " + f.waiver_reason if f.waived and f.waiver_reason else " waived" if f.waived else ""
        state += " (in the baseline)" if f.baseline else ""
        where = f"{f.location.file[len(base):] if f.location.file.startswith(base) else f.location.file}:" \
                f"{f.location.line}" if f.location else ""
        evidence = _evidence_json(f.evidence)
        impact = f.weight * f.penalty if f.status == "fail" else 0
        rows.append(
            f'<tr><td data-key="{rank[f.severity] + (5 if f.status != "fail" else 0)}">{_badge(label)}'
            f'{esc(state)}</td><td class="mono">{rule_cell(f.rule)}</td><td>{esc(f.subject)}</td>'
            f"<td>{esc(owner or '')}</td><td class=\"num\">{'' if tier is None else tier}</td>"
            f'<td class="num" data-key="{impact:.3f}">{round(impact, 2):g}</td><td class="mono">{esc(where)}</td>'
            f"<td>{esc(f.message)}<details><summary>evidence</summary><pre class=\"mono\">{html_lines(evidence)}</pre>"
            f"</details></td></tr>")
    cut = (f"<p>The {len(shown)} most important of {len(ordered)} findings are listed; "
           "<code>--format json</code> has every one.</p>") if len(shown) < len(ordered) else ""
    unknown = (f"<p>{len(report.unknowns)} result(s) are <b>unknown</b>: a rule lacked the data it needs (a site "
               "without a location, a service without placements). They are listed with the findings, never "
               "counted as passes.</p>") if report.unknowns else ""
    return ("<h2>Findings</h2>" + unknown + cut +
            '<p class="muted">Click a column to sort. Impact: the tier weight of the subject times the share of '
            "it the finding costs the score.</p>"
            '<table class="sortable" id="findings"><thead><tr><th class="sort">Severity</th><th class="sort">Rule</th>'
            '<th class="sort">Subject</th><th class="sort">Owner</th><th class="sort num">Tier</th>'
            '<th class="sort num">Impact</th><th>Where</th><th>Message</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>") if ordered else "<h2>Findings</h2><p>None.</p>"


_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(", ", ": ")).encode


def _evidence_json(evidence: dict) -> str:
    """JSON with one field per line, each value on its line: json's C encoder writes each value, where
    `indent` would take its Python one (a second for 5,000 findings' evidence)."""
    if not evidence:
        return "{}"
    return "{\n" + ",\n".join(f" {_COMPACT(str(key))}: {_COMPACT(value)}"
                               for key, value in sorted(evidence.items())) + "\n}"


def _common_directory(files: list[str]) -> str:
    """The directory every inventory file is in, with its separator: the Where column shows paths below it
    (the header names the files)."""
    directories = [os.path.dirname(f) for f in files]
    try:
        common = os.path.commonpath(directories) if directories and all(directories) else ""
    except ValueError:  # absolute and relative paths mixed
        return ""
    return common + os.sep if common else ""


# ---- scenarios, waivers, score ---------------------------------------------------------------------------

def _scenarios(report: Report) -> str:
    if not report.scenarios:
        return ""
    rows = []
    for s in report.scenarios:
        rows.append(f"<tr><td>{esc(' + '.join(str(d) for d in s.lost))}</td><td class=\"num\">{s.impact:.1%}</td>"
                    f"<td>{len(s.down)}: {esc(_names(s.down))}</td><td>{esc(_names(s.data_lost)) or '—'}</td></tr>")
    worst = report.scenarios[0]
    why = "".join(f"<li>{esc(name)}: {esc(worst.why[name].describe())}</li>" for name in worst.down[:WHY_LISTED])
    return ("<h2>Worst single failures</h2><table><thead><tr><th>Lost</th><th class=\"num\">Impact</th>"
            "<th>Down</th><th>Data lost</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f"<details open><summary>Why losing {esc(' + '.join(str(d) for d in worst.lost))} takes "
            f"{len(worst.down)} services down</summary><ul>{why}</ul></details>")


def _waivers(report: Report) -> str:
    waived = [f for f in report.findings if f.waived]
    if not (waived or report.expired_waivers or report.unused_waivers):
        return ""
    rows = [f"<tr><td>applied</td><td>{esc(f.rule)}</td><td>{esc(f.subject)}</td><td>{esc(f.waiver_reason or '')}"
            "</td><td></td></tr>" for f in waived]
    rows += [f"<tr><td class=\"fail\">expired: no longer applies</td><td>{esc(w.rule)}</td><td>{esc(w.subject)}</td>"
             f"<td>{esc(w.reason)}</td><td>{w.expires}</td></tr>" for w in report.expired_waivers]
    rows += [f"<tr><td>unused: matches no finding</td><td>{esc(w.rule)}</td><td>{esc(w.subject)}</td>"
             f"<td>{esc(w.reason)}</td><td>{w.expires}</td></tr>" for w in report.unused_waivers]
    return ("<h2>Waivers</h2><table><thead><tr><th>State</th><th>Rule</th><th>Subject</th><th>Reason</th>"
            "<th>Expires</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _score(report: Report) -> str:
    rule_cell = _rule_links(report)
    rows = "".join(f"<tr><td class=\"mono\">{rule_cell(r.rule)}</td><td>{esc(r.severity)}</td><td class=\"num\">"
                   f"{r.evaluated}</td><td class=\"num\">{r.failed}</td><td class=\"num\">{r.unknown}</td>"
                   f"<td class=\"num\">{r.gain:+g}</td></tr>" for r in report.score.rules)
    return (f"<h2>How the score is computed</h2><p>{esc(FORMULA)}</p><table class=\"sortable\"><thead><tr>"
            '<th class="sort">Rule</th><th class="sort">Severity</th><th class="sort num">Evaluated</th>'
            '<th class="sort num">Failing</th><th class="sort num">Unknown</th><th class="sort num">Gain if fixed'
            f"</th></tr></thead><tbody>{rows}</tbody></table>")


def _rule_links(report: Report):
    """A rule id as shown in a table: a link to its page for drcheck's own rules (a plugin's has none)."""
    documented = {r.id for r in report.rules if r.builtin}

    def cell(rule_id: str) -> str:
        if rule_id in documented:
            return f'<a href="{esc(RULE_DOCS.format(rule_id))}" title="what {esc(rule_id)} checks">{esc(rule_id)}</a>'
        return esc(rule_id)

    return cell


_names = functools.partial(listing, shown=12)
