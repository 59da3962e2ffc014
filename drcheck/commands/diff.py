"""`drcheck diff`: what a change to an inventory makes better or worse.

Both inventories are audited with the same options; findings are matched by
fingerprint, so moving lines changes nothing.  The gate fails only when HEAD
is worse: some subject's worst unwaived severity at or above `fail_on` is
higher than in BASE (a subject new in HEAD counts from nothing), or a single
failure now takes down, or loses the data of, a service that was there
before and came through it.  A finding replaced by a lesser one on the same
subject is an improvement, not a new finding.  The two audits are
independent: where the platform can fork, the base is loaded and audited in
a second process while this one does the head, so on two cores a diff takes
about as long as one audit.  The base's process sends back only what the
comparison asks of it (the key of each finding; then the findings that went
away or changed severity, and how each of its scenarios went).  The
comparison is data (`Comparison`); `reporters.diff` renders it as a table,
Markdown or JSON.
"""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Callable, Iterator

from ..rule_api.context import Context
from ..rule_api.findings import SEVERITIES, Finding
from ..audit.run import AuditOptions, audit, policy_document, require_services
from ..failures.domains import Domain
from ..failures.questions import FailureQuestions
from ..errors import InputError
from ..inventory.loader import Document, parse
from ..inventory.model import Inventory
from ..audit.policy import DEFAULT_POLICY_FILE
from ..processes import CAN_FORK, fork, reap
from ..audit.report import AuditSummary, Comparison, ScenarioChange, SeverityChange
from ..audit.scoring import Score

GIT_TIMEOUT_SECONDS = 60

Loader = Callable[[], Inventory]
FindingKey = tuple[str, str, str]  # (fingerprint, status, severity)


def compare(load_base: Loader, load_head: Loader, options: AuditOptions, parallel: bool = CAN_FORK) -> Comparison:
    """Load and audit both sides (the base in a second process when `parallel`) and compare them."""
    with _base_audit(load_base, options, parallel) as base:
        try:
            head = require_services(load_head())
            head_ctx = Context(head, options.as_of, options.policy.area_radius_km)
            after = audit(head, options, head_ctx)
        except Exception:  # (Ctrl-C goes straight on: the base's process is ended on the way out)
            base.summary()  # the base's own error first, if it has one: as when the two ran one after the other
            raise
        summary = base.summary()
        old: dict[tuple[str, str], tuple[int, str]] = {(fp, status): (i, severity)
                                                       for i, (fp, status, severity) in enumerate(summary.keys)}
        new = {(f.fingerprint, f.status): f for f in after.findings}
        added = [f for key, f in new.items() if key not in old]
        gone = [i for key, (i, _) in old.items() if key not in new]
        changed = [(old[key][0], f) for key, f in new.items() if key in old and old[key][1] != f.severity]
        wanted = [*gone, *(i for i, _ in changed)]
        past = base.outcome(wanted, head_ctx.failures.simulation.index)
    was = dict(zip(wanted, past.findings))
    removed = [was[i] for i in gone]
    rank = SEVERITIES.index
    changes = [SeverityChange(was[i], f) for i, f in changed]
    raised = [c for c in changes if rank(c.after.severity) < rank(c.before.severity) and c.after.status == "fail"]
    lowered = [c for c in changes if c not in raised]
    policy = options.policy
    threshold = rank(policy.fail_on)
    now_worst = worst_by_subject(after.findings, policy.fail_on_unknown)
    worse = {subject: r for subject, r in now_worst.items() if r < summary.worst.get(subject, NOTHING)}
    better = any(r < now_worst.get(subject, NOTHING) for subject, r in summary.worst.items())
    # what fails the gate: on each subject that got worse, its worst findings, if at or above fail_on
    blocking = [f for f in after.findings if rank(f.severity) <= threshold and _counts(f, policy.fail_on_unknown)
                and any(worse.get(subject, NOTHING) == rank(f.severity) for subject in _subjects(f))]
    scenarios = _worse_scenarios(past, head_ctx.failures)
    score_change = after.score.value - summary.score.value
    net = ("worse" if worse or any(s.regressed for s in scenarios) or score_change < 0 else
           "better" if better or score_change > 0 else "unchanged")
    # an inventory in which nothing is placed has nothing to lose: it would pass every gate
    nothing_placed = not any(s.placements for s in head.services.values())
    return Comparison(AuditSummary(summary.files, summary.score, summary.errors, past.owners), after, added, removed,
                      raised, lowered, scenarios, policy.fail_on, blocking, "worse" if nothing_placed else net,
                      nothing_placed)


NOTHING = len(SEVERITIES)  # the rank of a subject without findings: below every severity


def worst_by_subject(findings: list[Finding], with_unknown: bool) -> dict[str, int]:
    """Each subject's worst severity (its index in SEVERITIES) among its unwaived failures, and its unknown
    results too when `with_unknown` (fail_on_unknown)."""
    worst: dict[str, int] = {}
    for f in findings:
        if _counts(f, with_unknown):
            r = SEVERITIES.index(f.severity)
            for subject in _subjects(f):
                if r < worst.get(subject, NOTHING):
                    worst[subject] = r
    return worst


def _subjects(finding: Finding) -> list[str]:
    """What a finding is about, for the comparison.  A finding on a failure domain speaks for every domain with
    the same effect (blast-radius's `equivalent_domains`): which of them names the group can change when a
    change splits or joins groups, and that alone is neither better nor worse."""
    same = finding.evidence.get("equivalent_domains") if finding.subject.startswith("domain:") else None
    if not isinstance(same, list):
        return [finding.subject]
    return [finding.subject, *(f"domain:{d}" for d in same if isinstance(d, str))]


def _counts(finding: Finding, with_unknown: bool) -> bool:
    return not finding.waived and (finding.status == "fail" or finding.status == "unknown" and with_unknown)


@dataclass
class _BaseSummary:
    """The base's first answer: its files, score and errors, the key of each finding and each subject's worst
    severity (`worst_by_subject`)."""

    files: list[str]
    score: Score
    errors: list[Finding]
    keys: list[FindingKey]
    worst: dict[str, int]


@dataclass
class _BaseOutcome:
    """The base's second answer: the findings asked for (with the owner and tier of their services), and how
    each of its scenarios went, as bitsets of services in the head's numbering."""

    findings: list[Finding]
    owners: dict[str, tuple[str | None, int | None]]
    services: int  # the base's services that the head still has
    was_down: list[int]
    was_lost: list[int]
    impacts: list[float]
    scenario_of: dict[Domain, int]  # each domain of the base: its scenario


class _BaseAudit:
    """The base's audit, and the two questions the comparison asks of it."""

    def __init__(self, load: Loader, options: AuditOptions):
        inventory = load()
        self.ctx = Context(inventory, options.as_of, options.policy.area_radius_km)
        self.report = audit(inventory, options, self.ctx)
        self.with_unknown = options.policy.fail_on_unknown

    def summary(self) -> _BaseSummary:
        report = self.report
        return _BaseSummary(report.files, report.score, report.errors,
                            [(f.fingerprint, f.status, f.severity) for f in report.findings],
                            worst_by_subject(report.findings, self.with_unknown))

    def outcome(self, wanted: list[int], numbering: dict[str, int]) -> _BaseOutcome:
        findings = [self.report.findings[i] for i in wanted]
        failures = self.ctx.failures
        simulation = failures.simulation
        kept = sum(1 << numbering[name] for name in self.ctx.inventory.services if name in numbering)
        return _BaseOutcome(findings, {f.subject: self.report.owner_and_tier(f) for f in findings}, kept,
                            simulation.down_by_scenario(numbering), simulation.data_lost_by_scenario(numbering),
                            failures.impacts,
                            {domain: k for k, group in enumerate(failures.domains.groups) for domain in group.domains})


class _ForkedBaseAudit:
    """A `_BaseAudit` made in a forked child process, asked the same questions over a pipe."""

    def __init__(self, load: Loader, options: AuditOptions):
        self._pipe, theirs = Pipe()

        def serve() -> int:
            self._pipe.close()  # the child keeps only its end: when the parent goes, it reads the end of the pipe
            return _serve(theirs, load, options)

        self._pid = fork(serve)
        theirs.close()

    def summary(self) -> _BaseSummary:
        return self._answer()

    def outcome(self, wanted: list[int], numbering: dict[str, int]) -> _BaseOutcome:
        self._pipe.send((wanted, numbering))
        return self._answer()

    def _answer(self):
        try:
            raised, value = self._pipe.recv()
        except EOFError:
            raise RuntimeError(f"the audit of the base inventory ended without an answer "
                               f"(its process exited with {reap(self._pid)})") from None
        if raised:
            raise value
        return value

    def close(self) -> None:
        self._pipe.close()
        reap(self._pid, end=True)


def _serve(pipe: Connection, load: Loader, options: AuditOptions) -> int:
    """The child's side: the summary, then the outcome the parent asks for; 0 if it could answer."""
    try:
        base = _BaseAudit(load, options)
        pipe.send((False, base.summary()))
        pipe.send((False, base.outcome(*pipe.recv())))
        return 0
    except (EOFError, OSError):
        return 1  # the parent is gone, or no longer asks
    except Exception as exc:  # the parent raises it, as if the base had been audited there
        try:
            pipe.send((True, exc))
        except Exception:  # an exception that cannot be pickled: its type and message
            pipe.send((True, RuntimeError(f"{type(exc).__name__}: {exc}")))
        return 1


@contextmanager
def _base_audit(load: Loader, options: AuditOptions, parallel: bool) -> Iterator[_BaseAudit | _ForkedBaseAudit]:
    if not parallel:
        yield _BaseAudit(load, options)
        return
    forked = _ForkedBaseAudit(load, options)
    try:
        yield forked
    finally:
        forked.close()


def _worse_scenarios(base: _BaseOutcome, head: FailureQuestions) -> list[ScenarioChange]:
    """Single-domain losses that take down, or lose the data of, services they did not before; a regression
    when one of those services was in the base and came through the loss there (a service new in the head is
    judged by its findings)."""
    # Each scenario's services as one bitset in the head's numbering of services: a change is a difference of
    # two integers, not of two sets of 20,000 names per domain.
    after = head.simulation
    now_down, now_lost = after.down_by_scenario(), after.data_lost_by_scenario()
    changes = []
    for group in head.single_failures:  # domains with the same effect now are told together
        k = head.scenario_of[group]
        down, lost = now_down[k], now_lost[k]
        if not down and not lost:
            continue
        # a group's domains may have held different sites before the change: compare each with its own past
        by_past: dict[tuple[float, int, int], list[Domain]] = {}
        for domain in group.domains:
            j = base.scenario_of.get(domain)
            outcome = (0.0, 0, 0) if j is None else (base.impacts[j], base.was_down[j], base.was_lost[j])
            by_past.setdefault(outcome, []).append(domain)
        for (impact, down_before, lost_before), domains in by_past.items():
            newly_down, newly_lost = after.names(down & ~down_before), after.names(lost & ~lost_before)
            if newly_down or newly_lost:
                regressed = after.names(((down & ~down_before) | (lost & ~lost_before)) & base.services)
                changes.append(ScenarioChange(domains, impact, head.impacts[k], newly_down, newly_lost, regressed))
    return sorted(changes, key=lambda c: (-(c.impact_after - c.impact_before), -c.impact_after, c.lost))


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
        names = sorted(n for n in listed.split("\0")
                       if n.endswith((".yaml", ".yml")) and Path(n).name != DEFAULT_POLICY_FILE)
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
        document = parse(label, text)
        if not policy_document(document, target.is_dir(), None):
            documents.append(document)
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
