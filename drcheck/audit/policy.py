"""The policy: which rules run with which parameters and severities, the gate, and waivers.

Settings are layered: each rule's own defaults, then the profile, then the
policy file's `rules:`, then command-line options.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from ..inventory.currencies import ISO_4217
from ..failures.domains import AREA_RADIUS_KM
from ..rule_api.findings import SEVERITIES
from ..rule_api.rule import Rule
from ..errors import InputError, Location, did_you_mean, location_json
from ..inventory.fields import (
    Field, Invalid, ObjectSpec, Reader, boolean, calendar_date, describe, enum, json_form, json_object, names_fields,
    number, object_parser, objects, optional, read_object, text, text_list,
)
from ..inventory.loader import Mapping, Sequence, parse, read_source
from ..inventory.model import Site
from ..inventory.schema import SITE, read_sites

DEFAULT_POLICY_FILE = "drcheck.yaml"
# What a fix costs where the inventory says nothing (`drcheck plan`).  Estimates, each with its source:
# a standby's monthly cost as a share of one primary placement.  The AWS whitepaper "Disaster Recovery of
# Workloads on AWS" orders the four strategies from cheapest to costliest and says what each keeps running
# (active/active: a full second copy serving traffic; warm standby: a scaled-down, fully working copy;
# pilot light: the data stores only, the rest switched off; backup and restore: stored copies only); the
# shares are drcheck's estimates of those descriptions.
STRATEGY_FACTORS = {"active-active": 1.0, "warm-standby": 0.5, "pilot-light": 0.2, "backup-restore": 0.05}
BACKUP_MONTHLY = 0.05  # a copy of a service's data, kept elsewhere, as a share of running it: drcheck's estimate
AMORTISE_MONTHS = 12  # one-off costs spread over a year, the budget cycle the plan is put to


@dataclass
class Waiver:
    rule: str
    subject: str
    reason: str
    expires: date
    location: Location | None = None

    def as_json(self) -> dict:
        return {"rule": self.rule, "subject": self.subject, "reason": self.reason, "expires": self.expires.isoformat(),
                "location": location_json(self.location)}


@dataclass
class RuleSettings:
    enabled: bool = True
    severity: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    # raw values not yet checked against the rule's parameters, with where they came from
    raw: dict[str, tuple[Any, Location | None]] = field(default_factory=dict)
    location: Location | None = None  # where the policy file names the rule (None: only the profile does)


@dataclass
class PlanSettings:
    """The policy's `plan:` block: what each kind of change costs where the inventory does not say."""

    strategy_factor: dict[str, float] = field(default_factory=lambda: dict(STRATEGY_FACTORS))
    backup_monthly: float = BACKUP_MONTHLY  # share of the service's monthly cost
    drill: float = 0.0  # one-off, a failover drill
    restore_test: float = 0.0  # one-off, a test restore
    amortise_months: int = AMORTISE_MONTHS
    power_feed_monthly: float | None = None  # a second power feed to a site; None: unpriced
    carrier_monthly: float | None = None  # a second carrier to a site; None: unpriced
    candidate_sites: dict[str, Site] = field(default_factory=dict)  # sites the organisation could add


@dataclass
class Policy:
    source: str | None = None
    profile: str = "default"
    fail_on: str = "high"
    min_score: float | None = None
    min_coverage: float = 1.0  # the gate fails below this tier-weighted share of placed services
    fail_on_unknown: bool = False
    area_radius_km: float = AREA_RADIUS_KM  # how far an area disaster reaches (failure domains area=SITE)
    rules_dirs: list[str] = field(default_factory=list)
    rules: dict[str, RuleSettings] = field(default_factory=dict)
    waivers: list[Waiver] = field(default_factory=list)
    currency: str = "USD"  # ISO 4217 code of every cost
    plan: PlanSettings = field(default_factory=PlanSettings)


def profile_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("drcheck").joinpath("profiles").iterdir() if p.name.endswith(".yaml"))


def load_profile(name: str) -> Mapping:
    if name not in profile_names():
        raise InputError(f"unknown profile {name!r}{did_you_mean(name, profile_names())}; "
                         f"expected one of: {', '.join(profile_names())}")
    text = resources.files("drcheck").joinpath("profiles", f"{name}.yaml").read_text(encoding="utf-8")
    return parse(f"profile:{name}", text).root


def holds_only_policy(root: object) -> bool:
    """Whether a parsed YAML document is a policy: a mapping whose top-level keys are all policy keys."""
    return isinstance(root, Mapping) and bool(root) and all(key in POLICY.readers for key in root)


# ---- the policy's field tables: they read drcheck.yaml and are its JSON Schema (`drcheck schema --policy`) ----

@json_form({"type": "string", "minLength": 1})
def _words(ctx, value, mark):
    if type(value) is not str or not value.strip():
        raise Invalid(f"found {describe(value)}; expected text")
    return value


RULE_SETTINGS = ObjectSpec("rule settings", (
    Field("severity", enum(SEVERITIES), "the severity of its findings, instead of the rule's own"),
    Field("enabled", boolean, "false: the rule does not run (unless --select names it)"),
), open=True, key_word="parameter")  # its other keys are the rule's parameters, which the rule checks
RULE_KEYS = tuple(RULE_SETTINGS.readers)  # what a policy sets for any rule, besides its parameters


@names_fields
@json_form(lambda: {"type": "object", "additionalProperties": json_object(RULE_SETTINGS)})
def _rules(ctx, value, mark) -> dict[str, RuleSettings]:
    if type(value) is not Mapping:
        raise Invalid(f"found {describe(value)}; expected a mapping of rule ids to settings, such as "
                      "no-dr: {severity: high}")
    own = not ctx.file.startswith("profile:")  # a profile's lines are drcheck's, not a place the user can fix
    path = ctx.field
    rules = {}
    for rule_id, node in value.items():
        fields = read_object(ctx, node, value.value_at(rule_id), RULE_SETTINGS, f"{path}.{rule_id}")
        if fields is not None:
            raw = {key: (written, at if own else None) for key, (written, at) in fields.get("others", {}).items()}
            rules[rule_id] = RuleSettings(enabled=fields.get("enabled"), severity=fields.get("severity"), raw=raw,
                                          location=ctx.at(value.key_at(rule_id)) if own else None)
    return rules


@names_fields
@json_form({"type": "array", "items": {"type": "string"}})
def _rules_dirs(ctx, value, mark) -> list[str]:
    """Directories relative to the policy file's own."""
    if not isinstance(value, Sequence) or not all(type(item) is str for item in value):
        raise Invalid(f"found {describe(value)}; expected a list of directories")
    directories = []
    for item, item_mark in zip(value, value.item_at):
        directory = str(Path(ctx.file).parent / item)
        if not Path(directory).is_dir():
            beside = f" (paths are relative to the policy file: {directory})" if directory != item else ""
            ctx.problem(item_mark, f"{ctx.field}: {item!r} is not a directory{beside}")
        directories.append(directory)
    return directories


WAIVER = ObjectSpec("waiver", (
    Field("rule", _words, "the rule whose finding it accepts", required=True),
    Field("subject", _words, "what the finding is about, as reports write it: service:NAME, site:NAME, ...",
          required=True),
    Field("reason", _words, "why the risk is accepted, and until what (a change ticket)", required=True),
    Field("expires", calendar_date, "the last day it applies (YYYY-MM-DD); after it, the report lists it as expired",
          required=True),
), required_note="every waiver needs a rule, a subject, a reason and an expiry date")
_waiver_list = objects(WAIVER, lambda v: Waiver(v["rule"], v["subject"], v["reason"], v["expires"], v["location"]),
                       "waiver")


@json_form(_waiver_list.json_schema)
def _waivers(ctx, value, mark) -> list[Waiver]:
    waivers: dict[tuple[str, str], Waiver] = {}
    for waiver in _waiver_list(ctx, value, mark):
        first = waivers.setdefault((waiver.rule, waiver.subject), waiver)
        if first is not waiver:
            ctx.problem(waiver.location, f"waiver: a second waiver for {waiver.rule} on {waiver.subject} (first at "
                                         f"{first.location}); expected one waiver per rule and subject")
    return list(waivers.values())


STRATEGY_FACTOR = ObjectSpec("strategy factors", tuple(
    Field(strategy, number(high=1), f"the share of a standby kept by the {strategy} strategy; default {share:g}")
    for strategy, share in STRATEGY_FACTORS.items()), key_word="strategy")


@names_fields
@json_form(lambda: {"type": "object", "additionalProperties": json_object(SITE)})
def _candidate_sites(ctx, value, mark) -> dict[str, Site]:
    sites, problems = read_sites(ctx.file, value, mark)
    for problem in problems:
        ctx.problem(problem.location, f"{ctx.field}: {problem.message}")
    return sites


def _settings(values: dict) -> dict:
    """The fields read, without the object's location and what was left empty."""
    return {key: value for key, value in values.items() if key != "location" and value is not None}


PLAN = ObjectSpec("plan", (
    Field("strategy_factor", object_parser(STRATEGY_FACTOR, lambda v: STRATEGY_FACTORS | _settings(v)),
          "a standby's monthly cost as a share of one primary placement, by strategy (estimates after the AWS "
          "whitepaper's ordering); the strategies not given keep their defaults"),
    Field("backup_monthly", number(high=1), f"a backup's monthly cost as a share of the service's; default "
                                            f"{BACKUP_MONTHLY:g}"),
    Field("drill", number(), "what a failover drill costs, once; default 0"),
    Field("restore_test", number(), "what a test restore costs, once; default 0"),
    Field("amortise_months", number(low=1, whole=True, expected="a whole number of months, 1 or more"),
          f"one-off costs are spread over this many months; default {AMORTISE_MONTHS}"),
    Field("candidate_sites", optional(_candidate_sites), "sites the organisation could add, by name: each a full "
                                                         "site definition, as in the inventory, with its cost"),
    Field("power_feed_monthly", number(), "what a second power feed to a site costs a month; absent: unpriced"),
    Field("carrier_monthly", number(), "what a second network carrier to a site costs a month; absent: unpriced"),
), key_word="key")

POLICY = ObjectSpec("policy", (
    Field("profile", enum(tuple(profile_names())), "the built-in rule pack the settings start from; default `default`"),
    Field("fail_on", enum(SEVERITIES), "the gate fails on an unwaived finding of this severity or above; default "
                                       "the profile's (high)"),
    Field("min_score", number(high=100), "the gate also fails below this score; default none"),
    Field("min_coverage", number(high=1, expected="a share from 0 to 1 (1 = every service placed)"),
          "the gate fails below this tier-weighted share of services placed; default 1"),
    Field("fail_on_unknown", boolean, "true: a result the rules cannot tell (unknown) fails the gate; default false"),
    Field("area_radius_km", number(high=20_000, expected="a distance in km from 0 to 20000 (0: no area disasters)"),
          f"how far an area disaster reaches from a site, in km; default {AREA_RADIUS_KM:g}; 0: no area disasters"),
    Field("rules_dirs", optional(_rules_dirs), "more rule plugins: directories of .py files, relative to this file"),
    Field("rules", optional(_rules), "settings by rule id: severity, enabled and the rule's parameters "
                                     "(`drcheck explain RULE` lists them)"),
    Field("waivers", optional(_waivers), "known risks accepted until a date: a waived finding stays in every "
                                         "report, but fails no gate and costs no score"),
    Field("currency", optional(enum(tuple(sorted(ISO_4217)), expected="an ISO 4217 code such as USD, EUR or KRW")),
          "the ISO 4217 code of every cost in the inventory and the plan; default USD"),
    Field("plan", optional(object_parser(PLAN, lambda v: PlanSettings(**_settings(v)))),
          "what a fix costs where the inventory does not say (`drcheck plan`)"),
), key_word="policy key")

REQUIREMENT = ObjectSpec("requirement", (
    Field("id", text, "the requirement's short name, as reports cite it", required=True),
    Field("citation", text, "where the text is: the act, article, paragraph", required=True),
    Field("text", text, "what it asks, quoted where the wording was checked", required=True),
    Field("verification", enum(("V", "S", "U")), "V: wording checked against the official text or a verbatim "
                                                 "mirror; S: secondary source only; U: not verified, informative "
                                                 "only", required=True),
    Field("rules", text_list, "the rules whose findings give evidence for it", required=True),
    Field("threshold", text, "the numbers the profile chose, and where the text gives none", required=True),
))
PROFILE = ObjectSpec("profile", (
    Field("name", text, "the profile's name, as --profile and a policy's profile: give it", required=True),
    Field("title", text, "what it follows, in one line", required=True),
    Field("description", text, "whom it is for and what it changes", required=True),
    Field("fail_on", enum(SEVERITIES), "the gate it sets, unless a policy sets its own"),
    Field("rules", optional(_rules), "rule settings, as in a policy"),
    Field("requirements", objects(REQUIREMENT, dict, "requirement"), "the texts it maps to rules (`drcheck explain`)"),
))


def json_schema(rules: dict[str, type[Rule]]) -> dict:
    """The policy's JSON Schema (`drcheck schema --policy`): its `rules:` and waivers name the rules given, each
    with its parameters, as `drcheck audit` checks them."""
    top = json_object(POLICY)
    generic = json_object(RULE_SETTINGS)
    settings = {}
    for rule_id, rule in rules.items():
        params = {name: param.json_schema() for name, param in rule.params.items()}
        entry = generic | {"title": rule_id, "description": rule.title,
                           "properties": generic["properties"] | params, "additionalProperties": False}
        settings |= {name: entry for name in (rule_id, *rule.aliases)}
    top["properties"]["rules"] |= {"properties": settings, "additionalProperties": False}
    waiver = top["properties"]["waivers"]["items"]["properties"]
    waiver["rule"] = waiver["rule"] | {"enum": sorted(settings)}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:drcheck:policy",
            **top, "title": f"drcheck policy ({DEFAULT_POLICY_FILE})"}


def default_policy(profile: str | None = None) -> Policy:
    """The policy without a file: the profile's settings (the default profile's unless one is named)."""
    return _with_profile(Policy(profile="default" if profile is None else profile), None)


def load_policy(path: str | None, profile: str | None = None) -> Policy:
    """Read the policy file (or drcheck.yaml in the working directory, if present);
    `profile` (from the command line) replaces the file's profile."""
    if path is None:
        if not Path(DEFAULT_POLICY_FILE).is_file():
            return default_policy(profile)
        path = DEFAULT_POLICY_FILE
    name, text = read_source(path, role="policy")
    if not text.strip():
        raise InputError.at(Location(name, 1, 1), "the policy file is empty; expected keys such as profile, fail_on, rules, waivers")
    root = parse(name, text).root
    if not isinstance(root, Mapping):
        raise InputError.at(Location(name, 1, 1), "found no mapping at the top of the policy; expected keys such as profile, fail_on, rules, waivers")
    ctx = Reader(name)
    fields = read_object(ctx, root, root.where, POLICY, "")
    if fields is None:
        raise InputError(ctx.problems)
    policy = Policy(source=name, **_settings(fields))
    policy.profile = policy.profile if profile is None else profile
    return _with_profile(policy, root)


def _with_profile(policy: Policy, root: Mapping | None) -> Policy:
    """Layer the profile under the policy's own rule settings."""
    ctx = Reader(f"profile:{policy.profile}")
    profile = read_object(ctx, load_profile(policy.profile), None, PROFILE, "profile")
    if profile is None:  # pragma: no cover - shipped profiles are tested
        raise InputError(ctx.problems)
    if root is None or "fail_on" not in root:
        policy.fail_on = profile.get("fail_on", policy.fail_on)
    layered: dict[str, RuleSettings] = profile.get("rules") or {}
    for rule_id, mine in policy.rules.items():
        base = layered.setdefault(rule_id, RuleSettings())
        base.raw.update(mine.raw)
        base.location = mine.location or base.location
        base.severity = mine.severity or base.severity
        base.enabled = mine.enabled if mine.enabled is not None else base.enabled
    policy.rules = layered
    return policy
