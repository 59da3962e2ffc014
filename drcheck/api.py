"""The public interface of a drcheck rule: everything a rule plugin imports comes from here.

A rule is a subclass of `Rule` that declares its metadata and implements
`check`.  The runner walks the subjects of the rule's `scope`, calls
`applies` and `check` for each, and counts what was evaluated so that scores
can use pass ratios without rules reporting passes.  Rules never print.

The pieces live in focused modules (findings, params, rule, ruledoc,
context, wording) and, for "what happens if this fails", in drcheck.failures
(`FailureQuestions`, which a rule reaches as `ctx.failures`); this module
gathers them so that a rule imports one thing.
"""
from .rule_api.backups import COLOCATED_KM, nearest_domain, shared_region
from .rule_api.context import Alternative, Context, alternatives_sharing
from .failures.domains import Domain, DomainGroup, Failure
from .errors import Location
from .inventory.locations import CloudRegion
from .rule_api.findings import NOT_APPLICABLE, PASSED, SEVERITIES, Finding, Subject, Verdict, stale_penalty, subject_id
from .inventory.model import AnyOf, Dependency, Inventory, Service, Site
from .rule_api.params import Param, duration_table
from .rule_api.rule import SCOPES, Rule
from .rule_api.ruledoc import Example
from .rule_api.separation import SharedDomainRule
from .inventory.scalars import format_duration, parse_duration
from .failures.causes import Cause
from .failures.questions import (BlockedFailover, DefeatedDr, DependencyDefeat, FailureQuestions, Scenarios,
                                 SingleFailure)
from .rule_api.wording import alternatives_phrase, domain_phrase, listing, stops, strategy_basis

__all__ = ["Rule", "Example", "SharedDomainRule", "Param", "Finding", "PASSED", "NOT_APPLICABLE", "Verdict", "Context", "SEVERITIES", "SCOPES", "Subject", "subject_id", "Domain",
           "DomainGroup", "Service", "Site", "Inventory", "Dependency", "AnyOf", "Location", "CloudRegion", "Alternative",
           "alternatives_sharing", "alternatives_phrase", "stops", "domain_phrase", "parse_duration",
           "format_duration", "strategy_basis", "listing", "duration_table", "stale_penalty",
           "Failure", "FailureQuestions", "SingleFailure", "Scenarios", "Cause", "DefeatedDr", "DependencyDefeat", "BlockedFailover", "COLOCATED_KM",
           "nearest_domain", "shared_region"]
