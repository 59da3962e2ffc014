"""The score: a published, monotone formula over what the rules evaluated.

For each rule that evaluated at least one subject with a known result:

    rule ratio = 1 - (sum over failing subjects of tier weight x penalty)
                     / (sum over evaluated subjects of tier weight)        service rules
    rule ratio = 1 - (largest penalty among its failures)                  site, domain and inventory rules

    score = 100 x sum(severity weight x rule ratio) / sum(severity weight)

Tier weights 8/4/2/1 (tier 0..3); severity weights critical 10, high 7.5,
medium 5, low 2.5, info 0.  A penalty is 1 unless a rule grades a finding
(stale evidence costs less than none).  Waived findings and unknown results
are left out; rules that evaluated nothing are left out.  Fixing a finding
only removes a penalty, so it never lowers the score.
"""
from __future__ import annotations

from dataclasses import dataclass

from .engine import RuleOutcome

SEVERITY_WEIGHTS = {"critical": 10.0, "high": 7.5, "medium": 5.0, "low": 2.5, "info": 0.0}
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (0, "F"))
FORMULA = (
    "score = 100 × Σ(severity weight × rule ratio) / Σ(severity weight); rule ratio = 1 − Σ(tier weight × penalty of "
    "failing services) / Σ(tier weight of evaluated services) (site, domain and inventory rules: 1 − largest penalty); "
    "severity weights critical 10, high 7.5, medium 5, low 2.5, info 0; tier weights 8/4/2/1; waived and unknown "
    "results and rules that evaluated nothing are left out"
)


@dataclass
class RuleScore:
    rule: str
    severity: str
    weight: float
    evaluated: int
    unknown: int
    failed: int
    ratio: float | None  # None: nothing evaluated, left out of the score

    def as_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "weight": self.weight, "evaluated": self.evaluated,
                "unknown": self.unknown, "failed": self.failed,
                "ratio": None if self.ratio is None else round(self.ratio, 4)}


@dataclass
class Score:
    value: float
    grade: str
    rules: list[RuleScore]


def compute(outcomes: list[RuleOutcome]) -> Score:
    rows = []
    total = achieved = 0.0
    for outcome in outcomes:
        rule = outcome.rule
        weight = SEVERITY_WEIGHTS[rule.effective_severity]
        counted = [f for f in outcome.findings if f.status == "fail" and not f.waived]
        ratio = None
        if outcome.evaluated:
            worst: dict[str, tuple[int, float]] = {}
            for f in counted:
                previous = worst.get(f.subject, (f.weight, 0.0))
                worst[f.subject] = (f.weight, max(previous[1], f.penalty))
            if rule.scope == "service":
                lost = sum(w * p for w, p in worst.values())
                ratio = max(0.0, 1 - lost / outcome.evaluated_weight)
            else:
                ratio = 1 - max((p for _, p in worst.values()), default=0.0)
            total += weight
            achieved += weight * ratio
        failing = len({f.subject for f in counted})
        rows.append(RuleScore(rule.id, rule.effective_severity, weight, outcome.evaluated, outcome.unknown, failing, ratio))
    value = round(100 * achieved / total, 1) if total else 100.0
    grade = next(letter for floor, letter in GRADES if value >= floor)
    return Score(value, grade, rows)
