"""The public interface of a drcheck rule: everything a rule plugin imports comes from here.

A rule is a subclass of `Rule` that declares its metadata and implements
`check`.  The runner walks the subjects of the rule's `scope`, calls
`applies` and `check` for each, and counts what was evaluated so that scores
can use pass ratios without rules reporting passes.  Rules never print.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Callable, ClassVar, Iterable, Union

from geopy.distance import geodesic

from .domains import Domain, DomainGroup, DomainIndex, site_domains
from .errors import Location
from .model import TIER_WEIGHTS, Inventory, Service, Site

SEVERITIES = ("critical", "high", "medium", "low", "info")
SCOPES = ("service", "site", "domain", "inventory")
Subject = Union[Service, Site, DomainGroup, Inventory]


def subject_id(subject: Subject) -> str:
    if isinstance(subject, Service):
        return f"service:{subject.name}"
    if isinstance(subject, Site):
        return f"site:{subject.name}"
    if isinstance(subject, DomainGroup):
        return f"domain:{subject.name}"
    return "inventory"


@dataclass(frozen=True)
class Param:
    """A rule parameter: its default, what it means, and how a policy value is checked.

    Policy values arrive as YAML text (or mappings/lists of text) and are
    converted to the type of `default`; `check` may validate further and
    raise ValueError with a message saying what was expected.
    """

    default: Any
    help: str
    check: Callable[[Any], Any] | None = None

    def convert(self, raw: Any) -> Any:
        value = _typed(raw, self.default)
        return self.check(value) if self.check is not None else value


def _typed(raw: Any, default: Any) -> Any:
    expected = type(default)
    try:
        if expected is bool:
            if isinstance(raw, str) and raw.lower() in ("true", "false"):
                return raw.lower() == "true"
        elif expected is int:
            return int(raw)
        elif expected is float:
            number = float(raw)
            if number == number:
                return number
        elif expected is dict and isinstance(raw, dict):
            return {str(k): v for k, v in raw.items()}
        elif expected is list and isinstance(raw, list):
            return list(raw)
        elif expected is str and isinstance(raw, str):
            return raw
    except (TypeError, ValueError):
        pass
    shown = "nothing" if raw is None else (f"{raw!r}" if isinstance(raw, str) else f"a {type(raw).__name__}")
    raise ValueError(f"found {shown}; expected {expected.__name__} like {default!r}")


@dataclass
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
    fingerprint: str = ""
    waived: bool = False
    waiver_reason: str | None = None
    baseline: bool = False


class Rule:
    """Subclass, set the class attributes, write the rationale as the class docstring, implement `check`."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[str]
    scope: ClassVar[str] = "service"
    params: ClassVar[dict[str, Param]] = {}
    remediation: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ()

    def __init__(self, values: dict[str, Any] | None = None, severity: str | None = None):
        self.values = {name: p.default for name, p in self.params.items()} | (values or {})
        self.effective_severity = severity or self.severity

    @classmethod
    def rationale(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def param(self, name: str) -> Any:
        return self.values[name]

    def applies(self, ctx: "Context", subject: Subject) -> bool:
        """Whether the rule has anything to say about this subject (it then counts as evaluated)."""
        return True

    def check(self, ctx: "Context", subject: Subject) -> Iterable[Finding] | Finding | None:
        raise NotImplementedError

    def fail(self, subject: Subject, message: str, evidence: dict[str, Any] | None = None, *, cause: str = "",
             location: Location | None = None, severity: str | None = None, penalty: float = 1.0) -> Finding:
        return self._finding("fail", subject, message, evidence, cause, location, severity, penalty)

    def unknown(self, subject: Subject, message: str, evidence: dict[str, Any] | None = None, *, cause: str = "",
                location: Location | None = None) -> Finding:
        return self._finding("unknown", subject, message, evidence, cause, location, None, 0.0)

    def _finding(self, status, subject, message, evidence, cause, location, severity, penalty) -> Finding:
        return Finding(
            rule=self.id,
            # a policy's severity override beats the rule's own per-finding choice
            severity=self.effective_severity if self.effective_severity != self.severity else (severity or self.severity),
            subject=subject_id(subject),
            message=message,
            location=location or getattr(subject, "location", None),
            evidence=evidence or {},
            status=status,
            cause=cause,
            penalty=max(0.0, min(1.0, penalty)),
            weight=subject.weight if isinstance(subject, Service) else 8,
        )


class Context:
    """What rules read: the inventory and shared, lazily computed views of it."""

    def __init__(self, inventory: Inventory, as_of: date):
        self.inventory = inventory
        self.as_of = as_of
        self._distances: dict[tuple[str, str], float | None] = {}

    def site(self, name: str) -> Site:
        return self.inventory.sites[name]

    def distance_km(self, a: str, b: str) -> float | None:
        """Geodesic (WGS-84) distance between two sites; None when either has no location."""
        key = (a, b) if a <= b else (b, a)
        if key not in self._distances:
            pa, pb = self.site(a).coordinates, self.site(b).coordinates
            self._distances[key] = None if pa is None or pb is None else geodesic(pa, pb).km
        return self._distances[key]

    def shared_domains(self, a: str, b: str) -> list[Domain]:
        """Failure domains two sites share, smallest first (the same site shares everything)."""
        theirs = set(site_domains(self.site(b)))
        return [d for d in site_domains(self.site(a)) if d in theirs]

    def age_days(self, when: date | None) -> int | None:
        return None if when is None else (self.as_of - when).days

    @cached_property
    def domains(self) -> DomainIndex:
        return DomainIndex(self.inventory)

    @cached_property
    def simulation(self):
        """The loss of every single failure domain (one scenario per domain group)."""
        from .simulate import Simulation

        return Simulation(self.inventory, [g.sites for g in self.domains.groups])

    @cached_property
    def impacts(self) -> list[float]:
        return self.simulation.impacts()

    @cached_property
    def graph(self):
        from .graph import build_graph

        return build_graph(self.inventory)


def tier_weight(tier: int) -> int:
    return TIER_WEIGHTS[tier]


def primary_alternatives(service: Service) -> list[tuple[str, list[str]]]:
    """For each primary site of a service, the sites of its other placements (the places it could fail over to).

    Several primaries (active-active) are alternatives for each other; a second
    placement on the same site counts as an alternative at distance zero."""
    result = []
    for i, primary in enumerate(service.placements):
        if primary.role != "primary" or any(p.site == primary.site and p.role == "primary" for p in service.placements[:i]):
            continue
        others = [p.site for j, p in enumerate(service.placements) if j != i]
        result.append((primary.site, list(dict.fromkeys(others))))
    return result


__all__ = ["Rule", "Param", "Finding", "Context", "SEVERITIES", "SCOPES", "subject_id", "Domain", "DomainGroup",
           "Service", "Site", "Inventory", "Location", "tier_weight", "primary_alternatives"]
