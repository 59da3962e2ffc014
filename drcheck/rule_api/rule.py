"""The base class of every rule: its metadata, its parameters, and how it words a finding."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..errors import Location
from .findings import Finding, Subject, Verdict, subject_id
from ..inventory.model import Service
from .params import Param
from .ruledoc import Example, RuleDoc, parse_doc

if TYPE_CHECKING:
    from .context import Context

SCOPES = ("service", "site", "domain", "inventory")
# what rules are about: `--select backups` runs every stable rule of the category; SARIF tags carry them
CATEGORIES = ("separation", "backups", "testing", "dependencies", "objectives", "concentration", "inventory")
# preview: runs only when --select names it by its id; stable; deprecated: still runs, with a note saying so
LIFECYCLES = ("preview", "stable", "deprecated")


class Rule:
    """Subclass, set the class attributes, document the rule in its docstring (see `drcheck.rule_api.ruledoc`) and with
    two examples, implement `check`."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[str]
    scope: ClassVar[str] = "service"
    params: ClassVar[dict[str, Param]] = {}
    remediation: ClassVar[str]
    references: ClassVar[tuple[str, ...]] = ()
    categories: ClassVar[tuple[str, ...]] = ()  # of CATEGORIES
    aliases: ClassVar[tuple[str, ...]] = ()  # the ids it had before it was renamed: still accepted, with a note
    lifecycle: ClassVar[str] = "stable"  # of LIFECYCLES
    # an inventory on which the rule fails one subject, and one on which it gives no finding
    example_fires: ClassVar[Example | None] = None
    example_passes: ClassVar[Example | None] = None
    # A rule that judges where a service runs: the runner reports `unknown` for a service without placements
    # (an external one, or one not yet placed) instead of calling `check`.
    needs_placements: ClassVar[bool] = False
    # A rule about a service's disaster recovery: the runner does not call `check` for a service without DR
    # (placements on fewer than two sites, or `dr.strategy: none`, which says its other sites are high
    # availability only, such as a managed Kubernetes control plane's zones); the rule does not apply to it.
    needs_dr: ClassVar[bool] = False
    # A rule that takes a large share of a large audit's time (drcheck's own `dr-depends-on-single-site` asks
    # the failure simulation about every service): an audit split between two processes starts it first,
    # while the second process takes the other rules, so that neither waits for the other at the end.
    slow: ClassVar[bool] = False

    def __init__(self, values: dict[str, Any] | None = None, severity: str | None = None):
        self.values = {name: p.default for name, p in self.params.items()} | (values or {})
        # a policy's severity is the severity of every finding of the rule, whatever `fail` is told
        self.policy_severity = severity
        self.effective_severity = severity or self.severity

    @classmethod
    def doc(cls) -> RuleDoc:
        """The sections of the docstring; ValueError if they are malformed (checked when the rule is loaded)."""
        return _parsed_doc(cls.__doc__)

    def param(self, name: str) -> Any:
        return self.values[name]

    def applies(self, ctx: "Context", subject: Subject) -> bool:
        """Whether the rule has anything to say about this subject (a cheap filter; `check` may still
        return NOT_APPLICABLE)."""
        return True

    def check(self, ctx: "Context", subject: Subject) -> Iterable[Finding] | Finding | Verdict:
        """A finding (from `fail` or `unknown`) or several, PASSED, or NOT_APPLICABLE.  An empty list of
        findings is a pass; anything else (None included) is an error of the rule, reported as such."""
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
            severity=self.policy_severity or severity or self.severity,
            subject=subject_id(subject),
            message=message,
            location=location or getattr(subject, "location", None),
            evidence=evidence or {},
            status=status,
            cause=cause,
            penalty=max(0.0, min(1.0, penalty)),
            weight=subject.weight if isinstance(subject, Service) else 8,
        )


@cache
def _parsed_doc(docstring: str | None) -> RuleDoc:
    return parse_doc(docstring)
