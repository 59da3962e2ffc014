"""`drcheck diff`: what a change to an inventory makes better or worse.

Both inventories are audited with the same options; findings are matched by
fingerprint, so moving lines changes nothing.  The comparison is data
(`Comparison`); rendering it as a table, Markdown or JSON comes after.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .context import Context
from .findings import SEVERITIES, Finding
from .audit import AuditOptions, audit
from .domains import Domain
from .errors import InputError
from .loader import Document, parse
from .model import Inventory
from .report import Report, finding_json, location_json
from .reporters.safe import markdown as md
from .reporters.safe import terminal

GIT_TIMEOUT_SECONDS = 60
SCENARIO_ROWS = 10
MARKDOWN_FINDING_ROWS = 100  # per section: a pull-request comment holds at most 65,536 characters


@dataclass
class SeverityChange:
    before: Finding
    after: Finding


@dataclass
class ScenarioChange:
    """Losing any of `lost` now takes down (or loses the data of) services it did not before."""

    lost: list[Domain]
    impact_before: float
    impact_after: float
    newly_down: list[str]
    newly_data_lost: list[str]

    def as_json(self) -> dict:
        return {"lost": [d.as_json() for d in self.lost], "impact_before": round(self.impact_before, 4),
                "impact_after": round(self.impact_after, 4), "newly_down": self.newly_down,
                "newly_data_lost": self.newly_data_lost}


@dataclass
class Comparison:
    base: Report
    head: Report
    added: list[Finding]  # in head, not in base (same fingerprint and status)
    removed: list[Finding]  # in base, not in head
    raised: list[SeverityChange]  # the same failure, now more severe
    lowered: list[SeverityChange]
    scenarios: list[ScenarioChange]  # worst first
    fail_on: str
    blocking: list[Finding]  # what fails the gate: added or more severe, not waived, at or above fail_on

    @property
    def passed(self) -> bool:
        return not self.blocking and not self.errors

    @property
    def errors(self) -> list[Finding]:
        """Checks that could not be made on either side: the comparison is incomplete (exit 2)."""
        return self.base.errors + self.head.errors

    def as_json(self) -> dict:
        return {
            "base": {"files": self.base.files, "score": self.base.score.value, "grade": self.base.score.grade},
            "head": {"files": self.head.files, "score": self.head.score.value, "grade": self.head.score.grade},
            "added": [finding_json(f) for f in self.added],
            "removed": [finding_json(f) for f in self.removed],
            "severity_raised": [_change_json(c) for c in self.raised],
            "severity_lowered": [_change_json(c) for c in self.lowered],
            "scenarios_worse": [s.as_json() for s in self.scenarios],
            "gate": {"fail_on": self.fail_on, "blocking": [finding_json(f) for f in self.blocking]},
            "passed": self.passed,
        }


def _change_json(change: SeverityChange) -> dict:
    return {"rule": change.after.rule, "subject": change.after.subject, "fingerprint": change.after.fingerprint,
            "before": change.before.severity, "after": change.after.severity,
            "location": location_json(change.after.location)}


def compare(base: Inventory, head: Inventory, options: AuditOptions) -> Comparison:
    before, after = audit(base, options), audit(head, options)
    old = {(f.fingerprint, f.status): f for f in before.findings}
    new = {(f.fingerprint, f.status): f for f in after.findings}
    added = [f for key, f in new.items() if key not in old]
    removed = [f for key, f in old.items() if key not in new]
    rank = SEVERITIES.index
    changed = [SeverityChange(old[key], f) for key, f in new.items() if key in old and old[key].severity != f.severity]
    raised = [c for c in changed if rank(c.after.severity) < rank(c.before.severity) and c.after.status == "fail"]
    lowered = [c for c in changed if c not in raised]
    policy = options.policy
    threshold = rank(policy.fail_on)
    blocking = [f for f in [*added, *(c.after for c in raised)]
                if not f.waived and (f.status == "fail" and rank(f.severity) <= threshold
                                     or f.status == "unknown" and policy.fail_on_unknown)]
    return Comparison(before, after, added, removed, raised, lowered, _worse_scenarios(base, head, options),
                      policy.fail_on, blocking)


def _worse_scenarios(base: Inventory, head: Inventory, options: AuditOptions) -> list[ScenarioChange]:
    """Single-domain losses that take down, or lose the data of, services they did not before."""
    before = _outcomes(base, options)
    ctx = Context(head, options.as_of)
    changes = []
    for k, group in enumerate(ctx.domains.groups):
        down, lost = ctx.simulation.down_in(k), ctx.simulation.data_lost_in(k)
        if not down and not lost:
            continue
        # a group's domains may have held different sites before the change: compare each with its own past
        by_past: dict[tuple, list[Domain]] = {}
        for domain in group.domains:
            by_past.setdefault(before.get(domain, (0.0, frozenset(), frozenset())), []).append(domain)
        for (impact, was_down, was_lost), domains in by_past.items():
            newly_down = [name for name in down if name not in was_down]
            newly_lost = [name for name in lost if name not in was_lost]
            if newly_down or newly_lost:
                changes.append(ScenarioChange(domains, impact, ctx.impacts[k], newly_down, newly_lost))
    return sorted(changes, key=lambda c: (-(c.impact_after - c.impact_before), -c.impact_after, c.lost))


def _outcomes(inventory: Inventory, options: AuditOptions) -> dict[Domain, tuple[float, frozenset, frozenset]]:
    ctx = Context(inventory, options.as_of)
    outcomes = {}
    for k, group in enumerate(ctx.domains.groups):
        outcome = (ctx.impacts[k], frozenset(ctx.simulation.down_in(k)), frozenset(ctx.simulation.data_lost_in(k)))
        for domain in group.domains:
            outcomes[domain] = outcome
    return outcomes


# --- the base inventory from git ----------------------------------------------------------------------------

def git_documents(path: str, revision: str) -> list[Document]:
    """The inventory at PATH (a file or a directory) as it was in git revision REV."""
    target = Path(path)
    if not target.exists():
        raise InputError(f"{path}: no such file or directory")
    directory = target if target.is_dir() else target.parent
    _git(directory, "rev-parse", "--is-inside-work-tree", failure=f"{path}: not inside a git repository")
    _git(directory, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}",
         failure=f"--base: {revision!r} is not a commit in the repository of {path}")
    if target.is_dir():
        listed = _git(directory, "ls-tree", "-r", "--name-only", "-z", revision, "--", ".",
                      failure=f"{path}: cannot list {revision}").decode("utf-8", "surrogateescape")
        names = sorted(n for n in listed.split("\0") if n.endswith((".yaml", ".yml")))
        if not names:
            raise InputError(f"{path}: holds no *.yaml or *.yml inventory files in {revision}")
        shown = [(name, str(target / name)) for name in names]
    else:
        shown = [(target.name, path)]
    documents = []
    for name, display in shown:
        data = _git(directory, "show", f"{revision}:./{name}", failure=f"{display}: not in {revision}")
        label = f"{revision}:{display}"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{label}: found byte 0x{data[exc.start]:02x} that is not UTF-8; expected UTF-8 text") from None
        documents.append(parse(label, text))
    return documents


def _git(directory: Path, *args: str, failure: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=directory, capture_output=True, timeout=GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise InputError("--base needs git, and no git command was found") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{failure}: git did not answer within {GIT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(failure + (f" (git: {said[-1]})" if said else ""))
    return done.stdout


# --- rendering ------------------------------------------------------------------------------------------------

def render_table(comparison: Comparison) -> str:
    c = comparison
    out = [f"drcheck diff: {_files(c.base)} -> {_files(c.head)}",
           f"score {c.base.score.value:g} ({c.base.score.grade}) -> {c.head.score.value:g} ({c.head.score.grade}), "
           f"{_delta(c)}",
           f"{len(c.added)} finding(s) added, {len(c.removed)} removed, {len(c.raised)} more severe, "
           f"{len(c.lowered)} less severe"]
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
    out += ["", _verdict(c, terminal)]
    return "\n".join(out) + "\n"


def render_markdown(comparison: Comparison) -> str:
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
    out.append(_verdict(c, md))
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


def _names(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


def _verdict(c: Comparison, escape) -> str:
    if c.passed:
        return f"gate passed: the change adds no finding at or above {c.fail_on}"
    return escape(f"gate FAILED: the change adds {len(c.blocking)} finding(s) at or above {c.fail_on}: "
                  + _names([f"{f.rule} {f.subject}" for f in c.blocking]))
