"""The finished audit: plain data that every reporter renders and none of them changes.

A report holds values only, never a way back into the simulation: what some formats show beyond the
findings, the scores and the scenarios (why each service is down, how much each subject takes down, the
inventory to map, its graph to draw) is worked out by the audit when a format declares it `Needs` it."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..rule_api.findings import SEVERITIES, Finding
from ..rule_api.rule import Rule
from ..failures.domains import Domain
from ..errors import Location, location_json
from ..inventory.model import DEFAULT_TIER, Inventory
from .policy import Waiver
from .scoring import Score
from ..failures.causes import Cause

if TYPE_CHECKING:  # networkx is imported only by the formats that draw the graph
    import networkx as nx

SCHEMA_VERSION = 1
FINGERPRINTS_HEADER = "# drcheck fingerprints 1"  # the first line of `--format fingerprints`, a baseline
EVERY = sys.maxsize  # as a number of the services down to explain: every one


@dataclass(frozen=True)
class Needs:
    """What a format shows beyond the findings, the scores and the scenarios.  The audit works it out only when
    a format about to be written declares that it needs it (`reporters.declare_needs`): the table's audit does
    not pay for the HTML's drawing, nor a plan's many audits for any of it."""

    impacts: bool = False  # `Report.impacts`: how much each subject takes down, to order findings by importance
    why: int = 0  # `Scenario.why`: why each of the first `why` services down in a scenario is down (EVERY: all)
    inventory: bool = False  # `Report.inventory`: the audited inventory, for the formats that map it
    graph_up_to: int = 0  # `Report.graph`: the inventory's dependency graph, when it has at most this many services

    def __or__(self, other: Needs) -> Needs:
        return Needs(self.impacts or other.impacts, max(self.why, other.why), self.inventory or other.inventory,
                     max(self.graph_up_to, other.graph_up_to))

    def covers(self, other: Needs) -> bool:
        return self | other == self


EVERYTHING = Needs(impacts=True, why=EVERY, inventory=True, graph_up_to=EVERY)


@dataclass
class Scenario:
    lost: list[Domain]
    same_as: list[Domain]  # other domains whose loss alone has the same effect
    sites: list[str]
    loss: str  # "destroyed" (some site is: fire, flood) or "unavailable" (an outage only)
    destroyed: list[str]  # the sites destroyed, among `sites`
    down: list[str]
    data_lost: list[str]
    impact: float
    excess: float | None = None  # of a pair of failures: its impact less the larger of its two members' alone
    # why each of the first `Needs.why` services of `down` is down, in the order of `down`: worked out only for the
    # formats that show it (tens of thousands of chains in a large estate)
    why: dict[str, Cause] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict:
        return {
            "lost": [d.as_json() for d in self.lost],
            "same_as": [d.as_json() for d in self.same_as],
            "loss": self.loss,
            "sites_lost": self.sites,
            "sites_destroyed": self.destroyed,
            "down": self.down,
            "data_lost": self.data_lost,
            "impact": round(self.impact, 4),
            **({} if self.excess is None else {"excess": round(self.excess, 4)}),
            "why": {name: _cause_json(c) for name, c in self.why.items()},
        }


def _cause_json(cause: Cause) -> dict:
    out = {"cause": cause.kind}
    if cause.chain:
        out["chain"] = list(cause.chain)
    if cause.missing:
        out["recovery_needs_down"] = list(cause.missing)
    if cause.any_of:
        out["any_of_down"] = [list(group) for group in cause.any_of]
    return out


@dataclass(frozen=True)
class RuleInfo:
    """A rule that ran, as configured: what reporters may say about it (SARIF rule help, annotations)."""

    id: str
    title: str
    severity: str
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    params: dict = field(default_factory=dict, hash=False)  # as configured (the HTML map draws min_distance_km)
    builtin: bool = False  # one of drcheck's own rules, which have a page on the documentation site

    @classmethod
    def of(cls, rule: Rule, builtin: bool = False) -> "RuleInfo":
        return cls(rule.id, rule.title, rule.effective_severity, rule.doc().text(), rule.remediation,
                   tuple(rule.references), tuple(rule.categories), dict(rule.values), builtin)


@dataclass
class ServiceSummary:
    """One line per service in the JSON report: what an auditor looks up first."""

    name: str
    kind: str
    tier: int
    owner: str | None
    sites: list[str]
    strategy: str | None  # effective; None = unknown
    findings: list[str]  # rule ids of its unwaived failures

    def as_json(self) -> dict:
        return {"subject": f"service:{self.name}", "kind": self.kind, "tier": self.tier, "owner": self.owner,
                "sites": self.sites, "strategy": self.strategy, "has_dr": len(self.sites) >= 2,
                "findings": self.findings}


@dataclass
class Simulated:
    """What `drcheck simulate` found: the loss chosen with --fail, or the worst of every loss, ranked."""

    scenarios: list[Scenario]
    chosen: bool  # a chosen loss is told in detail in every format: its scenario says why each service is down

    def as_json(self) -> dict:
        return {"scenarios": [s.as_json() for s in self.scenarios]}


@dataclass(frozen=True)
class Drawing:
    """What `drcheck graph` draws: the inventory's graph (`drcheck.failures.graph.inventory_graph`), and the scenario to
    highlight in it."""

    graph: "nx.DiGraph"
    loss: Scenario | None = None


@dataclass
class Report:
    version: str
    inventory_name: str | None
    files: list[str]
    service_count: int
    site_count: int
    unplaced_count: int  # services (not external) not yet placed on any site
    coverage: float  # the tier-weighted share of services placed (`audit.coverage`)
    as_of: date
    profile: str
    fail_on: str
    min_score: float | None
    score: Score
    passed: bool
    gate: list[str]  # why the gate failed, one line each
    findings: list[Finding]
    scenarios: list[Scenario]
    expired_waivers: list[Waiver] = field(default_factory=list)
    unused_waivers: list[Waiver] = field(default_factory=list)
    # unused waivers whose subject is nothing in the inventory, each with a did-you-mean ("" when none is near)
    stray_waivers: list[tuple[Waiver, str]] = field(default_factory=list)
    baseline: dict | None = None  # {"file", "matched", "fixed"}
    rules: list[RuleInfo] = field(default_factory=list)  # every rule that ran, in id order
    notes: list[str] = field(default_factory=list)  # about the rules the user named: renamed, deprecated
    services: list[ServiceSummary] = field(default_factory=list)
    computed: Needs = Needs()  # what the audit worked out beyond the findings: the three fields below
    # subject id -> tier-weighted share of the services that go down with it (`FailureQuestions.subject_impacts`)
    impacts: dict[str, float] = field(default_factory=dict, repr=False)
    inventory: Inventory | None = field(default=None, repr=False)  # what was audited, for the formats that map it
    graph: nx.DiGraph | None = field(default=None, repr=False, compare=False)  # `FailureQuestions.graph`
    # the plan that would pass the gate (`drcheck plan`), for the formats that end by saying what it takes; None when
    # the gate passes or the estate is too large to plan during an audit
    plan: PlanReport | None = field(default=None, repr=False, compare=False)
    # services no file gives a tier, and the rules that (at the default tier) were therefore not applied to them
    untiered: list[str] = field(default_factory=list)
    not_applied_untiered: list[str] = field(default_factory=list)

    @property
    def coverage_note(self) -> str:
        """What every format says when some services are not placed ('' when all that should be are)."""
        if self.coverage >= 1:
            return ""
        return (f"coverage {percent(self.coverage)} of the tier weight: {self.unplaced_count} of {self.service_count} "
                "service(s) not placed on any site; the rules that need placements report unknown for them")

    def owner_and_tier(self, finding: Finding) -> tuple[str | None, int | None]:
        """The owner and tier of a service finding's service; (None, None) for other subjects."""
        service = self._services.get(finding.subject[8:]) if finding.subject.startswith("service:") else None
        return (service.owner, service.tier) if service is not None else (None, None)

    @cached_property
    def _services(self) -> dict[str, ServiceSummary]:
        return {s.name: s for s in self.services}

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "fail"]

    @property
    def unknowns(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "unknown"]

    @property
    def errors(self) -> list[Finding]:
        """Checks that could not be made: a rule raised on a subject (exit 2)."""
        return [f for f in self.findings if f.status == "error"]

    def by_importance(self, findings: list[Finding] | None = None) -> list[Finding]:
        """Most important first: what blocks the gate, then by severity, then by how much of the estate the
        subject takes down with it (`impacts`), then the more critical tier, then what the finding costs the
        subject (its penalty); unknowns, waived and baselined findings after every open failure of their
        severity."""
        rank = {s: n for n, s in enumerate(SEVERITIES)}
        impacts = self.impacts
        return sorted(self.findings if findings is None else findings,
                      key=lambda f: (f.status != "error", f.waived or f.baseline, rank[f.severity], f.status != "fail",
                                     -impacts.get(f.subject, 0.0), -f.weight, -f.penalty, f.rule, f.subject, f.cause))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for f in self.failures:
            if not f.waived:
                counts[f.severity] += 1
        return counts

    def as_json(self) -> dict:
        document = self.json_document()
        for key in ("findings", "scenarios", "services"):
            document[key] = list(document[key])
        return document

    def json_document(self) -> dict:
        """The JSON report, its three long lists made item by item as they are written (`JsonItems`)."""
        out = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "drcheck", "version": self.version},
            "inventory": {"name": self.inventory_name, "files": self.files, "services": self.service_count,
                          "sites": self.site_count, "unplaced": self.unplaced_count},
            "coverage": round(self.coverage, 4),
            "as_of": self.as_of.isoformat(),
            "profile": self.profile,
            "gate": {"fail_on": self.fail_on, "min_score": self.min_score, "failed_because": self.gate},
            "score": self.score.value,
            "grade": self.score.grade,
            "scoring": self.score.as_json(),
            "passed": self.passed,
            "summary": {"by_severity": self.counts(), "unknown": len(self.unknowns), "error": len(self.errors),
                        "waived": sum(f.waived for f in self.findings)},
            "findings": JsonItems(self.findings, lambda f: finding_json(f, *self.owner_and_tier(f))),
            "scenarios": JsonItems(self.scenarios, Scenario.as_json),
            "services": JsonItems(self.services, ServiceSummary.as_json),
            "waivers": {"expired": [w.as_json() for w in self.expired_waivers],
                        "unused": [w.as_json() for w in self.unused_waivers]},
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline
        if self.not_applied_untiered:
            out["untiered"] = {"services": self.untiered, "rules_not_applied": self.not_applied_untiered}
        return out

    def untiered_note(self) -> str | None:
        """One sentence for the text reports: which rules the missing tiers switched off, and how to add them."""
        if not self.not_applied_untiered:
            return None
        count = len(self.untiered)
        return (f"{count} service{'s' if count != 1 else ''} with no tier (so tier {DEFAULT_TIER}): "
                f"{', '.join(self.not_applied_untiered)} not applied to {'them' if count != 1 else 'it'}; "
                "set tiers under overrides: (services: {NAME: {tier: 0}})")


def percent(share: float) -> str:
    """0.873 -> '87.3%', never rounded up to 100% nor down to 0%."""
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    if text == "100" and share < 1:
        text = "99.9"
    elif text == "0" and share > 0:
        text = "0.1"
    return text + "%"


class JsonItems:
    """A list of a JSON document whose items are made from `items` as it is written, one at a time: the 45,000
    findings of a large report, and its scenarios with every service's chain, never exist as JSON data all at
    once (about 90 MB at 20,000 services)."""

    def __init__(self, items: list, make: Callable[[Any], object]):
        self.items, self.make = items, make

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[object]:
        return map(self.make, self.items)


def finding_json(f: Finding, owner: str | None = None, tier: int | None = None) -> dict:
    out = {
        "rule": f.rule,
        "severity": f.severity,
        "status": f.status,
        "subject": f.subject,
        "message": f.message,
        "location": location_json(f.location),
        "evidence": f.evidence,
        "fingerprint": f.fingerprint,
        "waived": f.waived,
    }
    if tier is not None:
        out["owner"] = owner
        out["tier"] = tier
    if f.waived:
        out["waiver_reason"] = f.waiver_reason
    if f.baseline:
        out["baseline"] = True
    if f.penalty != 1.0 and f.status == "fail":
        out["penalty"] = round(f.penalty, 4)
    return out


# --- `drcheck diff` ---------------------------------------------------------------------------

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
    regressed: list[str]  # the services among them that were in the base and came through this loss there

    def as_json(self) -> dict:
        return {"lost": [d.as_json() for d in self.lost], "impact_before": round(self.impact_before, 4),
                "impact_after": round(self.impact_after, 4), "newly_down": self.newly_down,
                "newly_data_lost": self.newly_data_lost, "regressed": self.regressed}


@dataclass
class AuditSummary:
    """What a comparison shows of the base's audit, which may have run in another process: its files, score
    and errors, and the owner and tier of the services its listed findings are about."""

    files: list[str]
    score: Score
    errors: list[Finding]
    owners: dict[str, tuple[str | None, int | None]]  # subject -> (owner, tier)

    def owner_and_tier(self, finding: Finding) -> tuple[str | None, int | None]:
        return self.owners.get(finding.subject, (None, None))


@dataclass
class Comparison:
    base: AuditSummary
    head: Report
    added: list[Finding]  # in head, not in base (same fingerprint and status)
    removed: list[Finding]  # in base, not in head
    raised: list[SeverityChange]  # the same failure, now more severe
    lowered: list[SeverityChange]
    scenarios: list[ScenarioChange]  # worst first
    fail_on: str
    blocking: list[Finding]  # the worst findings of the subjects whose worst severity at or above fail_on rose
    net: str  # "better", "worse" or "unchanged", over every severity, the scenarios and the score
    nothing_placed: bool = False  # no service of the head has a placement: it can never pass

    @property
    def regressions(self) -> list[ScenarioChange]:
        """The single failures that fail the gate: they take down, or lose the data of, a service that came
        through them before."""
        return [s for s in self.scenarios if s.regressed]

    @property
    def passed(self) -> bool:
        return not self.blocking and not self.regressions and not self.nothing_placed and not self.errors

    @property
    def errors(self) -> list[Finding]:
        """Checks that could not be made on either side: the comparison is incomplete (exit 2)."""
        return self.base.errors + self.head.errors

    def as_json(self) -> dict:
        return {
            "base": {"files": self.base.files, "score": self.base.score.value, "grade": self.base.score.grade},
            "head": {"files": self.head.files, "score": self.head.score.value, "grade": self.head.score.grade},
            "added": [finding_json(f, *self.head.owner_and_tier(f)) for f in self.added],
            "removed": [finding_json(f, *self.base.owner_and_tier(f)) for f in self.removed],
            "severity_raised": [_change_json(c) for c in self.raised],
            "severity_lowered": [_change_json(c) for c in self.lowered],
            "scenarios_worse": [s.as_json() for s in self.scenarios],
            "gate": {"fail_on": self.fail_on, "blocking": [finding_json(f, *self.head.owner_and_tier(f))
                                                           for f in self.blocking],
                     "scenarios": [s.as_json() for s in self.regressions]},
            "passed": self.passed,
            "nothing_placed": self.nothing_placed,
            "net": self.net,
        }


def _change_json(change: SeverityChange) -> dict:
    return {"rule": change.after.rule, "subject": change.after.subject, "fingerprint": change.after.fingerprint,
            "before": change.before.severity, "after": change.after.severity,
            "location": location_json(change.after.location)}


@dataclass
class PlanChange:
    """What one step of a plan changes, as data: the kind of change, the service (or site) and where."""

    kind: str  # standby | strategy | backup | power | network | drill | restore-test | automatic
    subject: str
    site: str | None = None
    strategy: str | None = None
    new_sites: list[str] = field(default_factory=list)  # candidate sites this change adds (and pays for)
    monthly_cost: float = 0.0
    one_off_cost: float = 0.0
    basis: str = "unpriced"  # how the cost was worked out ("warm-standby: 0.5 × the service's 1,200/month")

    def as_json(self) -> dict:
        return {"kind": self.kind, "subject": self.subject, "site": self.site, "strategy": self.strategy,
                "new_sites": self.new_sites, "monthly_cost": self.monthly_cost, "one_off_cost": self.one_off_cost,
                "basis": self.basis}


@dataclass
class Remaining:
    """A finding named by a plan: one a step removes, or one that stays."""

    fingerprint: str
    rule: str
    severity: str
    subject: str
    message: str

    def as_json(self) -> dict:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "severity": self.severity,
                "subject": self.subject, "message": self.message}


@dataclass
class PlanStep:
    """One step: a change (on large estates, every change of one kind), verified by the audit."""

    change: str  # in words
    changes: list[PlanChange]
    monthly_cost: float
    one_off_cost: float
    basis: str  # how the cost was worked out ("warm-standby: 0.5 × the service's 1,200/month", "unpriced")
    removes: list[str]  # fingerprints of the findings this step clears
    adds: list[str]  # fingerprints of findings it brings (a nearer standby, say), cleared by a later step or not
    score_after: float
    passed_after: bool

    def as_json(self) -> dict:
        return {"change": self.change, "changes": [c.as_json() for c in self.changes], "monthly_cost": self.monthly_cost,
                "one_off_cost": self.one_off_cost, "basis": self.basis, "removes": self.removes, "adds": self.adds,
                "score_after": self.score_after, "passed_after": self.passed_after}


@dataclass
class PlanReport:
    """`drcheck plan`: the changes after which the gate passes (or the best reachable), verified step by step."""

    objective: str  # "monthly cost" (one-off costs amortised) or "changes" (nothing is priced)
    currency: str
    amortise_months: int
    score_before: float
    passed_before: bool
    score_after: float
    passed_after: bool
    gate_after: list[str]
    monthly_cost: float
    one_off_cost: float
    steps: list[PlanStep]
    remaining: list[Remaining]  # what still fails the gate after the last step
    overlay: str  # the YAML that makes the plan's changes (`--overlay FILE`)
    errors: list[str] = field(default_factory=list)  # checks the audit could not make (exit 2)
    changes: list = field(default_factory=list, repr=False)  # the planner's own changes, in step order
    audits: int = 0  # how many audits the search and the verification took

    def as_json(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "plan": {
            "objective": self.objective, "currency": self.currency, "amortise_months": self.amortise_months,
            "score_before": self.score_before, "passed_before": self.passed_before,
            "score_after": self.score_after, "passed_after": self.passed_after, "gate_after": self.gate_after,
            "monthly_cost": self.monthly_cost, "one_off_cost": self.one_off_cost,
            "steps": [s.as_json() for s in self.steps], "remaining": [r.as_json() for r in self.remaining]}}
