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
from ..errors import InputError, Location, Problem, did_you_mean, location_json
from ..inventory.scalars import parse_date, parse_number
from ..inventory.loader import Mapping, Sequence, parse, position, read_source
from ..inventory.model import STRATEGIES, Site
from ..inventory.schema import read_sites

DEFAULT_POLICY_FILE = "drcheck.yaml"
_POLICY_KEYS = ("profile", "fail_on", "min_score", "min_coverage", "fail_on_unknown", "area_radius_km", "rules_dirs",
                "rules", "waivers", "currency", "plan")
# What a fix costs where the inventory says nothing (`drcheck plan`).  Estimates, each with its source:
# a standby's monthly cost as a share of one primary placement.  The AWS whitepaper "Disaster Recovery of
# Workloads on AWS" orders the four strategies from cheapest to costliest and says what each keeps running
# (active/active: a full second copy serving traffic; warm standby: a scaled-down, fully working copy;
# pilot light: the data stores only, the rest switched off; backup and restore: stored copies only); the
# shares are drcheck's estimates of those descriptions.
STRATEGY_FACTORS = {"active-active": 1.0, "warm-standby": 0.5, "pilot-light": 0.2, "backup-restore": 0.05}
BACKUP_MONTHLY = 0.05  # a copy of a service's data, kept elsewhere, as a share of running it: drcheck's estimate
AMORTISE_MONTHS = 12  # one-off costs spread over a year, the budget cycle the plan is put to
_PLAN_KEYS = ("strategy_factor", "backup_monthly", "drill", "restore_test", "amortise_months", "candidate_sites",
              "power_feed_monthly", "carrier_monthly")
RULE_KEYS = ("severity", "enabled")  # what a policy sets for any rule, besides its parameters


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
    return isinstance(root, Mapping) and bool(root) and all(key in _POLICY_KEYS for key in root)


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
    problems: list[Problem] = []

    def bad(mark, message: str) -> None:
        """`mark` is where in the policy file (a loader mark, or a Location already worked out)."""
        where = mark if isinstance(mark, Location) else position(name, mark) if mark is not None else Location(name, 1, 1)
        problems.append(Problem(where, message))

    policy = Policy(source=name)
    if not isinstance(root, Mapping):
        raise InputError.at(Location(name, 1, 1), "found no mapping at the top of the policy; expected keys such as profile, fail_on, rules, waivers")
    for key, value in root.items():
        at = root.value_at(key)
        if key not in _POLICY_KEYS:
            bad(root.key_at(key), f"unknown policy key {key!r}{did_you_mean(key, _POLICY_KEYS)}; "
                                  f"expected one of: {', '.join(_POLICY_KEYS)}")
        elif key == "profile":
            chosen = _text(value, at, "profile", bad)
            if chosen in profile_names():
                policy.profile = chosen
            elif chosen is not None:  # '' too: an empty profile is a mistake, not the default
                bad(at, f"profile: found {chosen!r}{did_you_mean(chosen, profile_names())}; "
                        f"expected one of: {', '.join(profile_names())}")
        elif key == "fail_on":
            policy.fail_on = _severity(value, at, "fail_on", bad) or policy.fail_on
        elif key == "min_score":
            policy.min_score = _score(value, at, bad)
        elif key == "min_coverage":
            share = _number(value, at, "min_coverage", bad, upper=1.0,
                            expected="a share from 0 to 1 (1 = every service placed)")
            policy.min_coverage = policy.min_coverage if share is None else share
        elif key == "area_radius_km":
            km = _number(value, at, "area_radius_km", bad, upper=20_000,
                         expected="a distance in km from 0 to 20000 (0: no area disasters)")
            policy.area_radius_km = policy.area_radius_km if km is None else km
        elif key == "fail_on_unknown":
            policy.fail_on_unknown = _boolean(value, at, "fail_on_unknown", bad)
        elif value is None:
            continue  # a key left empty (say `waivers:` with every entry commented out) sets nothing
        elif key == "rules_dirs":
            policy.rules_dirs = _rules_dirs(name, value, at, bad)
        elif key == "rules":
            _read_rules(name, value, at, policy.rules, bad)
        elif key == "waivers":
            policy.waivers = _read_waivers(name, value, at, bad)
        elif key == "currency":
            if value not in ISO_4217:
                bad(at, f"currency: found {_describe(value)}{did_you_mean(str(value), ISO_4217)}; expected an ISO 4217 "
                        "code such as USD, EUR or KRW")
            else:
                policy.currency = value
        elif key == "plan":
            policy.plan = _read_plan(name, value, at, bad)
    if problems:
        raise InputError(problems)
    policy.profile = policy.profile if profile is None else profile
    return _with_profile(policy, root)


def _rules_dirs(name: str, value, at, bad) -> list[str]:
    """Directories relative to the policy file's own."""
    directories = []
    for item, item_at in zip(_text_list(value, at, "rules_dirs", bad), getattr(value, "item_at", [])):
        directory = str(Path(name).parent / item)
        if not Path(directory).is_dir():
            beside = f" (paths are relative to the policy file: {directory})" if directory != item else ""
            bad(item_at, f"rules_dirs: {item!r} is not a directory{beside}")
        directories.append(directory)
    return directories


def _with_profile(policy: Policy, root: Mapping | None) -> Policy:
    """Layer the profile under the policy's own rule settings."""
    profile = load_profile(policy.profile)
    if root is None or "fail_on" not in root:
        if isinstance(profile.get("fail_on"), str):
            policy.fail_on = profile["fail_on"]
    layered: dict[str, RuleSettings] = {}
    problems: list[Problem] = []
    _read_rules(f"profile:{policy.profile}", profile.get("rules") or Mapping(), None, layered,
                lambda mark, message: problems.append(Problem(None, f"profile {policy.profile}: {message}")))
    if problems:  # pragma: no cover - shipped profiles are tested
        raise InputError(problems)
    for rule_id, mine in policy.rules.items():
        base = layered.setdefault(rule_id, RuleSettings())
        base.raw.update(mine.raw)
        base.location = mine.location or base.location
        base.severity = mine.severity or base.severity
        base.enabled = mine.enabled if mine.enabled is not None else base.enabled
    policy.rules = layered
    return policy


def _read_rules(name: str, value, at, into: dict[str, RuleSettings], bad) -> None:
    if not isinstance(value, Mapping):
        bad(at, f"rules: found {_describe(value)}; expected a mapping of rule ids to settings")
        return
    for rule_id, settings in value.items():
        entry = RuleSettings(enabled=None)
        rule_at = value.value_at(rule_id)
        if not isinstance(settings, Mapping):
            bad(rule_at, f"rules.{rule_id}: found {_describe(settings)}; expected a mapping such as {{severity: high}}")
            continue
        for key, raw in settings.items():
            where = settings.value_at(key)
            if key == "severity":
                entry.severity = _severity(raw, where, f"rules.{rule_id}.severity", bad)
            elif key == "enabled":
                entry.enabled = _boolean(raw, where, f"rules.{rule_id}.enabled", bad)
            else:
                entry.raw[key] = (raw, position(name, where) if where is not None and not name.startswith("profile:") else None)
        entry.location = position(name, value.key_at(rule_id)) if not name.startswith("profile:") else None
        into[rule_id] = entry


def _read_waivers(name: str, value, at, bad) -> list[Waiver]:
    if not isinstance(value, Sequence):
        bad(at, f"waivers: found {_describe(value)}; expected a list of {{rule, subject, reason, expires}}")
        return []
    waivers = []
    for item, item_at in zip(value, value.item_at):
        if not isinstance(item, Mapping):
            bad(item_at, f"waiver: found {_describe(item)}; expected a mapping with rule, subject, reason, expires")
            continue
        unknown = [k for k in item if k not in ("rule", "subject", "reason", "expires")]
        for key in unknown:
            bad(item.key_at(key), f"waiver: unknown field {key!r}; expected rule, subject, reason, expires")
        missing = [k for k in ("rule", "subject", "reason", "expires") if not item.get(k)]
        if missing:
            bad(item_at, f"waiver: missing {', '.join(missing)}; every waiver needs a rule, a subject, a reason and an expiry date")
            continue
        try:
            expires = parse_date(item["expires"]) if isinstance(item["expires"], str) else None
        except ValueError:
            expires = None
        if expires is None:
            bad(item.value_at("expires"), f"waiver.expires: found {_describe(item['expires'])}; expected a date YYYY-MM-DD")
            continue
        texts = [item[k] for k in ("rule", "subject", "reason")]
        if not all(isinstance(t, str) for t in texts):
            bad(item_at, "waiver: rule, subject and reason must be text")
            continue
        first = next((w for w in waivers if (w.rule, w.subject) == tuple(texts[:2])), None)
        if first is not None:
            bad(item_at, f"waiver: a second waiver for {texts[0]} on {texts[1]} (first at {first.location}); "
                         "expected one waiver per rule and subject")
            continue
        waivers.append(Waiver(*texts, expires, position(name, item_at)))
    return waivers


def _read_plan(name: str, value, at, bad) -> PlanSettings:
    plan = PlanSettings()
    if not isinstance(value, Mapping):
        bad(at, f"plan: found {_describe(value)}; expected a mapping with {', '.join(_PLAN_KEYS)}")
        return plan
    for key, raw in value.items():
        where = value.value_at(key)
        if key not in _PLAN_KEYS:
            bad(value.key_at(key), f"plan: unknown key {key!r}{did_you_mean(key, _PLAN_KEYS)}; expected one of: "
                                   f"{', '.join(_PLAN_KEYS)}")
        elif key == "strategy_factor":
            if not isinstance(raw, Mapping):
                bad(where, f"plan.strategy_factor: found {_describe(raw)}; expected a mapping of strategies to shares "
                           "0..1, such as {warm-standby: 0.5}")
                continue
            for strategy, share in raw.items():
                if strategy not in STRATEGY_FACTORS:
                    bad(raw.key_at(strategy), f"plan.strategy_factor: unknown strategy {strategy!r}"
                                              f"{did_you_mean(strategy, STRATEGY_FACTORS)}; expected one of: "
                                              f"{', '.join(STRATEGY_FACTORS)}")
                    continue
                number = _number(share, raw.value_at(strategy), f"plan.strategy_factor.{strategy}", bad, upper=1.0)
                if number is not None:
                    plan.strategy_factor[strategy] = number
        elif key == "backup_monthly":
            plan.backup_monthly = _number(raw, where, "plan.backup_monthly", bad, upper=1.0) or 0.0
        elif key in ("drill", "restore_test", "power_feed_monthly", "carrier_monthly"):
            setattr(plan, key, _number(raw, where, f"plan.{key}", bad))
        elif key == "amortise_months":
            months = _number(raw, where, "plan.amortise_months", bad)
            if months is not None and (months < 1 or months != int(months)):
                bad(where, f"plan.amortise_months: found {_describe(raw)}; expected a whole number of months, 1 or more")
            elif months is not None:
                plan.amortise_months = int(months)
        elif key == "candidate_sites" and raw is not None:
            sites, problems = read_sites(name, raw, where)
            for problem in problems:
                bad(problem.location, f"plan.candidate_sites: {problem.message}")
            plan.candidate_sites = sites
    return plan


def _number(value, at, what, bad, upper: float | None = None, expected: str | None = None) -> float | None:
    """An amount, a share or a distance: a finite number, 0 or more (and at most `upper`); None, said to `bad`,
    for anything else."""
    try:
        number = parse_number(value) if isinstance(value, str) else None
    except ValueError:
        number = None
    if number is None or number < 0 or upper is not None and number > upper:
        expected = expected or (f"a number from 0 to {upper:g}" if upper is not None else "a number, 0 or more")
        bad(at, f"{what}: found {_describe(value)}; expected {expected}")
        return None
    return number


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _text(value, at, what, bad) -> str | None:
    if isinstance(value, str):
        return value
    bad(at, f"{what}: found {_describe(value)}; expected text")
    return None


def _text_list(value, at, what, bad) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    bad(at, f"{what}: found {_describe(value)}; expected a list of text")
    return []


def _severity(value, at, what, bad) -> str | None:
    if value in SEVERITIES:
        return value
    bad(at, f"{what}: found {_describe(value)}; expected one of: {', '.join(SEVERITIES)}")
    return None


def _boolean(value, at, what, bad) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    bad(at, f"{what}: found {_describe(value)}; expected true or false")
    return False


def _score(value, at, bad) -> float | None:
    try:
        score = parse_number(value) if isinstance(value, str) else None
        if score is not None and 0 <= score <= 100:
            return score
    except ValueError:
        pass
    bad(at, f"min_score: found {_describe(value)}; expected a number from 0 to 100")
    return None


