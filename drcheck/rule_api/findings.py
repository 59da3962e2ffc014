"""What rules produce and reporters render: a finding, and the ids of the subjects findings are about."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Union

from ..errors import Location
from ..inventory.model import Inventory, Service, Site

if TYPE_CHECKING:
    from ..failures.domains import DomainGroup

SEVERITIES = ("critical", "high", "medium", "low", "info")
Subject = Union[Service, Site, "DomainGroup", Inventory]


def subject_id(subject: Subject) -> str:
    """How findings, waivers and reports name a subject: "service:NAME", "site:NAME", "domain:KIND=VALUE", "inventory"."""
    if isinstance(subject, Service):
        return f"service:{subject.name}"
    if isinstance(subject, Site):
        return f"site:{subject.name}"
    if isinstance(subject, Inventory):
        return "inventory"
    return f"domain:{subject.domain}"  # a DomainGroup (not imported: reporters need no failure domains)


class Verdict(Enum):
    """What a rule's check returns when it has no finding to give (a failure or an unknown is a `Finding`)."""

    PASSED = "pass"  # the rule looked at the subject and found nothing wrong
    NOT_APPLICABLE = "not applicable"  # the rule has nothing to say about the subject: it does not count as checked


PASSED = Verdict.PASSED
NOT_APPLICABLE = Verdict.NOT_APPLICABLE


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    subject: str
    message: str
    location: Location | None
    evidence: dict[str, Any]
    status: str = "fail"  # fail | unknown
    cause: str = ""  # what distinguishes findings of one rule on one subject; part of the fingerprint
    penalty: float = 1.0  # share of the subject's weight this finding costs the score (0..1)
    weight: int = 8  # the subject's tier weight
    waived: bool = False
    waiver_reason: str | None = None
    baseline: bool = False

    def __reduce__(self):
        # by its fields, in order: the dataclass's own pickling sets each slot in a Python loop, and a large
        # audit's second process sends 28,000 findings back to the first
        return Finding, _fields(self)

    @property
    def fingerprint(self) -> str:
        """Stable across runs and edits that move lines: rule, subject and cause only."""
        key = "\0".join((self.rule, self.subject, self.cause))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


_fields = attrgetter(*(f.name for f in fields(Finding)))


def stale_penalty(age_days: int | None, max_age_days: int) -> float:
    """Score penalty for test evidence older than `max_age_days` days (None: no evidence at all).

    No evidence costs 1.  Stale evidence costs 0.5 just past the limit, rising
    linearly to 1 at twice the limit: an old test is worth less than a recent
    one and more than none, and a newer test never costs more."""
    if age_days is None:
        return 1.0
    return min(1.0, 0.5 + 0.5 * (age_days - max_age_days) / max_age_days)
