"""The score: a published formula that moves the way a reader expects.

Only failing findings count that are neither waived nor unknown.  A finding
costs `severity weight x penalty` (high 0.5, medium 0.25, low 0.1, info 0; the
penalty is 1 unless the rule grades its finding); a critical finding costs 1:

    health of a service = 1 - the largest cost among its findings; a critical finding costs 1
    services = sum(tier weight x health) / sum(tier weight), over every service of the inventory
    estate   = 1 - the largest cost among the findings of site, domain and inventory rules

    score = 50 x services                    when there is a critical finding
    score = 50 + 50 x services x estate      otherwise

Why each piece is there (docs/score.md says it at length):
- a finding can only lower a health or the estate, so fixing one never
  lowers the score, and a stricter policy (more findings, higher severities
  or penalties) never raises it;
- the worst finding sets a health, so a service that gains DR and trades
  `no-dr` for findings about that DR of the same severity (too close,
  untested) does not score lower than it did with none;
- the mean is over every service of the inventory, not over the subjects a
  rule evaluated, so a rule that evaluates more services cannot dilute what it
  already found;
- a service with a critical finding has health 0, so adding it cannot raise
  the services part, and every estate with a critical finding scores at most
  50, below every estate without one: the estate part, whose share-based
  findings a new service can dilute away, only counts above 50.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from ..rule_api.findings import Finding

if TYPE_CHECKING:  # the score reads what the runner counted; it does not run rules
    from .engine import RuleOutcome

SEVERITY_WEIGHTS = {"critical": 1.0, "high": 0.5, "medium": 0.25, "low": 0.1, "info": 0.0}
CRITICAL_CEILING = 50.0
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (0, "F"))
FORMULA = (
    "score = 50 × services when a finding is critical, else 50 + 50 × services × estate; "
    "services = Σ(tier weight × health) / Σ(tier weight) over every service, "
    "health = 1 − the largest cost among the service's findings; "
    "estate = 1 − the largest cost among the findings of site, domain and inventory rules; "
    "cost = severity weight × penalty (high 0.5, medium 0.25, low 0.1, info 0), and 1 for a critical finding; "
    "tier weights 8/4/2/1; waived and unknown findings cost nothing; "
    "grade A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F, and never A when the gate fails"
)


@dataclass
class RuleScore:
    rule: str
    severity: str
    weight: float  # severity weight of the rule's effective severity
    evaluated: int  # subjects with a known result
    unknown: int
    failed: int  # subjects with a counted finding
    gain: float  # what the score would gain if every counted finding of this rule were fixed

    def as_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "weight": self.weight, "evaluated": self.evaluated,
                "unknown": self.unknown, "failed": self.failed, "gain": self.gain}


@dataclass
class Score:
    value: float
    services: float  # the tier-weighted mean health of the services, 0..1
    estate: float  # 1 - the largest cost of a site, domain or inventory finding, 0..1
    critical: bool  # a counted critical finding caps the score at 50
    rules: list[RuleScore]
    grade: str = ""  # set by `graded` once the gate is known

    def as_json(self) -> dict:
        return {"formula": FORMULA, "services": round(self.services, 4), "estate": round(self.estate, 4),
                "critical": self.critical, "rules": [r.as_json() for r in self.rules]}


def grade(value: float, passed: bool) -> str:
    """The letter for a score; a failed gate is never an A."""
    letter = next(letter for floor, letter in GRADES if value >= floor)
    return "B" if letter == "A" and not passed else letter


def cost(finding: Finding) -> float:
    """What a finding takes from a health or the estate; a critical one takes everything, whatever its penalty."""
    return 1.0 if finding.severity == "critical" else SEVERITY_WEIGHTS[finding.severity] * finding.penalty


def counted(findings: Iterable[Finding]) -> list[Finding]:
    """The findings the score counts: failing, not waived."""
    return [f for f in findings if f.status == "fail" and not f.waived]


def compute(outcomes: list[RuleOutcome], service_weight: int) -> Score:
    """The score of the rules' outcomes; `service_weight` is the total tier weight of the inventory's services."""
    by_rule = {o.rule.id: counted(o.findings) for o in outcomes}
    service_rules = {o.rule.id for o in outcomes if o.rule.scope == "service"}
    parts = _Parts(by_rule, service_rules, service_weight)
    value = parts.value()
    rows = [RuleScore(o.rule.id, o.rule.effective_severity, SEVERITY_WEIGHTS[o.rule.effective_severity], o.evaluated,
                      o.unknown, len({f.subject for f in by_rule[o.rule.id]}),
                      round(parts.value(without=o.rule.id) - value, 1))
            for o in outcomes]
    return Score(value, parts.services(), parts.estate(), parts.critical(), rows)


class _Parts:
    """The pieces of the formula, also with one rule's findings left out (for each rule's gain)."""

    def __init__(self, by_rule: dict[str, list[Finding]], service_rules: set[str], service_weight: int):
        self.total = service_weight
        # per service: its tier weight and, per rule with a counted finding on it, the largest cost
        costs: dict[str, dict[str, float]] = defaultdict(dict)
        weights: dict[str, int] = {}
        self.estate_costs: dict[str, float] = {}  # per site, domain or inventory rule: its largest cost
        self.criticals: dict[str, int] = {}
        for rule, findings in by_rule.items():
            self.criticals[rule] = sum(f.severity == "critical" for f in findings)
            if rule in service_rules:
                for f in findings:  # one finding per rule and subject; should a rule give more, the worst counts
                    weights[f.subject] = f.weight
                    by = costs[f.subject]
                    by[rule] = max(cost(f), by.get(rule, 0.0))
            elif findings:
                self.estate_costs[rule] = max(map(cost, findings))
        self.lost = 0.0
        # what each rule's findings take from the services part: only the services it hit change without it
        self.lost_to: dict[str, float] = defaultdict(float)
        for s, by in costs.items():
            weight, worst = weights[s], max(by.values())
            self.lost += weight * worst
            for rule in by:
                without = max((c for other, c in by.items() if other != rule), default=0.0)
                self.lost_to[rule] += weight * (worst - without)

    def services(self, without: str | None = None) -> float:
        if not self.total:
            return 1.0  # no service can fail
        return min(1.0, max(0.0, 1 - (self.lost - self.lost_to.get(without, 0.0)) / self.total))

    def estate(self, without: str | None = None) -> float:
        return 1 - max((c for rule, c in self.estate_costs.items() if rule != without), default=0.0)

    def critical(self, without: str | None = None) -> bool:
        return any(n for rule, n in self.criticals.items() if rule != without)

    def value(self, without: str | None = None) -> float:
        if self.critical(without):
            return round(CRITICAL_CEILING * self.services(without), 1)
        return round(CRITICAL_CEILING + (100 - CRITICAL_CEILING) * self.services(without) * self.estate(without), 1)
