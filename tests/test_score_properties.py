"""The score behaves as a reader expects (SPEC section 5), tested as metamorphic properties.

Each property compares two audits that differ in one way, over inventories and
policies that Hypothesis generates: the same inventory under a laxer and a
stricter policy, an inventory with and without one more service that has a
critical finding, a report with and without one finding waived.  The formula's
own pieces are also checked on generated findings, where the dilution cases
(a new service pushing a site or a failure domain below a share threshold) can
be set up directly.  The concrete cases that broke the earlier score follow.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import AS_OF, SAMPLES, drcheck
from drcheck.api import SEVERITIES, Finding
from drcheck.audit.run import AuditOptions, audit
from drcheck.errors import InputError
from drcheck.inventory.loader import parse
from drcheck.audit.policy import Policy, Waiver, default_policy, load_policy, profile_names
from drcheck.inventory.schema import build_inventory
from drcheck.audit.scoring import CRITICAL_CEILING, compute, grade

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMULA_SETTINGS = settings(max_examples=300, deadline=None)

# ---- generated inventories -----------------------------------------------------------------------------------------

DATES = st.dates(date(2024, 1, 1), date(2026, 10, 31)).map(date.isoformat)
STRATEGIES_WITH_STANDBY = ["warm-standby", "pilot-light", "backup-restore"]
# a building belongs to one campus: sites in a building take its campus
BUILDINGS = {"b0": "c0", "b1": "c0", "b2": None}


@st.composite
def sites(draw, count: int) -> dict:
    found = {}
    for i in range(count):
        site: dict = {}
        # a fifth of the sites have no location: distance rules say unknown; the others lie within a few
        # hundred km of each other, so area disasters (40 km by default) take one, several or all of them
        if draw(st.integers(0, 4)):
            site["location"] = [draw(st.integers(3500, 3760)) / 100, draw(st.integers(12680, 12910)) / 100]
        building = draw(st.sampled_from([None, *BUILDINGS]))
        if building:
            site["building"] = building
            if BUILDINGS[building]:
                site["campus"] = BUILDINGS[building]
        elif draw(st.booleans()):
            site["campus"] = "c1"
        for key, values in (("operator", ["op-a", "op-b"]), ("region", ["r1", "r2"])):
            value = draw(st.sampled_from([None, *values]))
            if value:
                site[key] = value
        for key, values in (("power", ["p1", "p2"]), ("network", ["n1", "n2"]), ("hazards", ["h1"])):
            chosen = draw(st.lists(st.sampled_from(values), unique=True, max_size=len(values)))
            if chosen:
                site[key] = chosen
        found[f"s{i}"] = site
    return found


@st.composite
def service(draw, site_names: list[str], others: list[str], ops: list[str]) -> dict:
    kind = draw(st.sampled_from(["app", "app", "data", "data", "ops", "external"]))
    chosen = draw(st.lists(st.sampled_from(site_names), min_size=1, max_size=min(3, len(site_names)), unique=True))
    roles = ["primary"] + [draw(st.sampled_from(["primary", "standby"])) for _ in chosen[1:]]
    svc: dict = {"kind": kind, "tier": draw(st.integers(0, 3)),
                 "placements": [{"site": s, "role": r} for s, r in zip(chosen, roles)]}
    dr: dict = {}
    if roles.count("primary") > 1:
        strategy = draw(st.sampled_from([None, "active-active"]))
    elif "standby" in roles:
        strategy = draw(st.sampled_from([None, *STRATEGIES_WITH_STANDBY]))
    else:
        strategy = draw(st.sampled_from([None, "none"]))
    if strategy:
        dr["strategy"] = strategy
    if len(chosen) > 1 and draw(st.booleans()):
        dr["last_tested"] = draw(DATES)
    if "standby" in roles and draw(st.booleans()):
        dr["automatic"] = True
    if dr:
        svc["dr"] = dr
    for key in ("rto", "rpo"):
        if draw(st.booleans()):
            svc[key] = draw(st.sampled_from(["0", "30s", "5m", "1h", "4h", "1d"]))
    if others:
        depends = draw(st.lists(st.sampled_from(others), unique=True, max_size=3))
        if depends:
            svc["depends_on"] = depends
    if ops and draw(st.integers(0, 3)) == 0:
        svc["recovery_needs"] = draw(st.lists(st.sampled_from(ops), unique=True, max_size=2))
    if kind == "external" and draw(st.booleans()):
        del svc["placements"]  # a SaaS with no modelled placements: rules that need them say unknown
        svc.pop("dr", None)
    if kind == "data":
        backups = []
        for _ in range(draw(st.integers(0, 3))):
            backup: dict = {"site": draw(st.sampled_from(site_names))}
            for key, strategy_ in (("media", st.sampled_from(["disk", "tape", "object"])), ("immutable", st.booleans()),
                                   ("restore_tested", DATES), ("frequency", st.sampled_from(["15m", "1h", "1d"]))):
                if draw(st.booleans()):
                    backup[key] = draw(strategy_)
            backups.append(backup)
        if backups:
            svc["backups"] = backups
    return svc


@st.composite
def inventories(draw) -> dict:
    site_map = draw(sites(draw(st.integers(2, 5))))
    services: dict = {}
    for i in range(draw(st.integers(1, 6))):
        ops = [name for name, s in services.items() if s["kind"] == "ops"]
        services[f"v{i}"] = draw(service(list(site_map), list(services), ops))
    return {"version": 1, "sites": site_map, "services": services}


@st.composite
def critical_services(draw, inventory: dict) -> dict:
    """A service that has a critical finding under the default policy, however else it is drawn."""
    site_names = list(inventory["sites"])
    svc = draw(service(site_names, list(inventory["services"]), []))
    svc.setdefault("placements", [{"site": draw(st.sampled_from(site_names))}])
    home = svc["placements"][0]["site"]
    shape = draw(st.sampled_from(["no-backup", "backup-colocated", "no-dr", "dr-shares-building"]))
    if shape == "no-backup":  # a data store with no backups
        svc.update(kind="data")
        svc.pop("backups", None)
    elif shape == "backup-colocated":  # a database whose only backup is on its own site
        svc.update(kind="data", placements=[{"site": home}], backups=[{"site": home, "media": "object"}])
        svc.pop("dr", None)
    elif shape == "no-dr":  # tier 0 on one site
        svc.update(tier=0, placements=[{"site": home}])
        svc.pop("dr", None)
    else:  # tier 0 whose standby is a second placement on its own site's building
        svc.update(tier=0, placements=[{"site": home}, {"site": home, "role": "standby"}])
        svc["dr"] = {"strategy": "warm-standby"}
    return svc


# ---- generated policies: a laxer and a stricter one ----------------------------------------------------------------

# for each parameter: values from laxest to strictest
STRICTER = {
    "dr-site-too-close": {"min_distance_km": [10, 40, 100, 300]},
    "backup-colocated": {"min_distance_km": [10, 40, 100, 300]},
    "blast-radius": {"max_share": [0.9, 0.5, 0.25, 0.05]},
    "single-site-concentration": {"max_share": [0.9, 0.5, 0.25, 0.05]},
    "no-dr": {"max_tier": [0, 1, 2, 3]},
    "provider-concentration": {"max_tier": [0, 1, 2, 3]},
    "recovery-tooling-colocated": {"max_tier": [0, 1, 2, 3]},
    "dr-untested": {"max_tier": [0, 1, 2, 3], "max_age_days": [3000, 365, 90, 30]},
    "restore-untested": {"max_tier": [0, 1, 2, 3], "max_age_days": [3000, 365, 90, 30]},
    "backup-3-2-1": {"require_immutable": [False, True], "min_copies": [1, 2, 3, 4], "min_media": [1, 2, 3]},
}
RULE_IDS = sorted({*STRICTER, "dr-shares-building", "dr-shares-campus", "dr-shares-utility", "no-backup",
                   "dr-depends-on-single-site", "dependency-cycle", "rto-infeasible", "rpo-infeasible"})


def _ordered_pair(values: list):
    return st.tuples(st.integers(0, len(values) - 1), st.integers(0, len(values) - 1)).map(
        lambda ij: (values[min(ij)], values[max(ij)]))


@st.composite
def policy_pairs(draw) -> tuple[dict, dict]:
    """(lax, strict) policy files: the strict one enables, raises or tightens, never the reverse."""
    lax_rules: dict = {}
    strict_rules: dict = {}
    for rule in draw(st.lists(st.sampled_from(RULE_IDS), unique=True, max_size=5)):
        lax: dict = {}
        strict: dict = {}
        change = draw(st.sampled_from(["enable", "severity", "params"]))
        if change == "enable":
            lax["enabled"], strict["enabled"] = False, True
        elif change == "severity":
            low, high = draw(_ordered_pair(list(reversed(SEVERITIES))))
            lax["severity"], strict["severity"] = low, high
        else:
            for param, values in STRICTER.get(rule, {}).items():
                lax[param], strict[param] = draw(_ordered_pair(values))
        lax_rules[rule], strict_rules[rule] = lax, strict
    lax_policy, strict_policy = {"rules": lax_rules}, {"rules": strict_rules}
    if draw(st.booleans()):  # an area disaster that reaches further destroys more (the sites lie 0-300 km apart)
        lax_policy["area_radius_km"], strict_policy["area_radius_km"] = draw(_ordered_pair([0, 10, 40, 100, 300]))
    if draw(st.booleans()):
        lax_policy["min_coverage"], strict_policy["min_coverage"] = draw(_ordered_pair([0, 0.5, 0.9, 1]))
    return lax_policy, strict_policy


# ---- running an audit ----------------------------------------------------------------------------------------------

def run(inventory: dict, policy: dict | None = None, *, profile: str | None = None, waivers: list[Waiver] = ()):
    """The report of an in-process audit of a generated inventory under a generated policy (None: none)."""
    try:
        model = build_inventory([parse("generated.yaml", yaml.safe_dump(inventory, sort_keys=False))])
    except InputError:
        assume(False)  # a generated inventory the validator refuses says nothing about the score
    if policy is None:
        loaded = default_policy(profile)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "policy.yaml"
            path.write_text(yaml.safe_dump(policy), encoding="utf-8")
            loaded = load_policy(str(path), profile=profile)
    loaded.waivers = list(waivers)
    return audit(model, AuditOptions(policy=loaded, as_of=AS_OF))


# ---- the properties, through the whole audit -----------------------------------------------------------------------

@pytest.mark.slow
@PROPERTY_SETTINGS
@given(inventories(), policy_pairs())
def test_a_stricter_policy_never_raises_the_score(inventory, policies):
    lax, strict = (run(inventory, policy) for policy in policies)
    assert strict.score.value <= lax.score.value, (policies, _costs(lax), _costs(strict))


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(inventories(), st.sampled_from([p for p in profile_names() if p != "default"]))
def test_every_profile_is_stricter_than_default_and_scores_no_higher(inventory, profile):
    default, stricter = run(inventory, profile="default"), run(inventory, profile=profile)
    assert stricter.score.value <= default.score.value, (_costs(default), _costs(stricter))


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(st.data())
def test_adding_a_service_with_a_critical_finding_never_raises_the_score(data):
    inventory = data.draw(inventories())
    before = run(inventory)
    grown = json.loads(json.dumps(inventory))
    grown["services"]["added"] = data.draw(critical_services(inventory))
    after = run(grown)
    assert any(f.severity == "critical" and f.subject == "service:added" and f.status == "fail" for f in after.findings)
    assert after.score.value <= before.score.value, (grown["services"]["added"], _costs(before), _costs(after))
    assert after.score.value <= CRITICAL_CEILING


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(st.data())
def test_a_finding_fixed_never_lowers_the_score(data):
    inventory = data.draw(inventories())
    before = run(inventory)
    failing = [f for f in before.findings if f.status == "fail"]
    assume(failing)
    fixed = data.draw(st.sampled_from(failing))
    # a waiver takes exactly one finding out of the score, as fixing it would
    after = run(inventory, waivers=[Waiver(fixed.rule, fixed.subject, "fixed", date(2099, 1, 1))])
    assert after.score.value >= before.score.value, (fixed, _costs(before))


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(inventories(), st.sampled_from(SEVERITIES), st.one_of(st.none(), st.integers(0, 100)), st.booleans())
def test_a_failed_gate_is_never_graded_a(inventory, fail_on, min_score, fail_on_unknown):
    policy = {"fail_on": fail_on, "fail_on_unknown": fail_on_unknown}
    if min_score is not None:
        policy["min_score"] = min_score
    report = run(inventory, policy)
    if not report.passed:
        assert report.score.grade != "A", (report.score.value, report.gate)
    if report.score.value >= 90 and report.passed:
        assert report.score.grade == "A"


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(st.data(), st.sampled_from([0, 0.5, 1]), st.sampled_from(SEVERITIES), st.one_of(st.none(), st.integers(0, 100)))
def test_coverage_is_the_placed_share_and_an_inventory_with_nothing_placed_never_passes(data, minimum, fail_on,
                                                                                          min_score):
    inventory = data.draw(inventories())
    names = list(inventory["services"])
    unplaced = data.draw(st.lists(st.sampled_from(names), unique=True))
    for name in unplaced:  # an imported catalogue's service, not yet placed
        inventory["services"][name] = {key: value for key, value in inventory["services"][name].items()
                                       if key not in ("placements", "dr")}
    policy = {"min_coverage": minimum, "fail_on": fail_on, **({} if min_score is None else {"min_score": min_score})}
    report = run(inventory, policy)
    services = inventory["services"].values()
    weight = {0: 8, 1: 4, 2: 2, 3: 1}
    placed = sum(weight[s["tier"]] for s in services if "placements" in s)
    awaited = sum(weight[s["tier"]] for s in services if "placements" not in s and s["kind"] != "external")
    assert report.coverage == (placed / (placed + awaited) if placed else 0)
    assert report.as_json()["coverage"] == round(report.coverage, 4)
    if not placed:
        assert not report.passed and report.score.grade != "A"
    if report.coverage < minimum:
        assert not report.passed and any("placed on any site" in reason for reason in report.gate)


def _costs(report) -> list[tuple]:
    """What a failing assertion shows: the counted findings."""
    return [(f.rule, f.subject, f.severity, round(f.penalty, 3)) for f in report.findings
            if f.status == "fail" and not f.waived]


# ---- the formula on generated findings: the cases a whole audit rarely reaches -------------------------------------

@dataclass
class FakeRule:
    id: str
    scope: str
    effective_severity: str


@dataclass
class FakeOutcome:
    rule: FakeRule
    findings: list[Finding] = field(default_factory=list)
    evaluated: int = 0
    unknown: int = 0


def finding(rule: str, subject: str, severity: str, penalty: float, weight: int = 8) -> Finding:
    return Finding(rule=rule, severity=severity, subject=subject, message="", location=None, evidence={},
                   penalty=penalty, weight=weight)


SERVICE_RULES = [f"service-rule-{i}" for i in range(4)]
ESTATE_RULES = [("site-rule", "site"), ("domain-rule", "domain"), ("inventory-rule", "inventory")]
PENALTIES = st.sampled_from([0.1, 0.25, 0.5, 0.75, 1.0])


@st.composite
def outcomes(draw) -> tuple[list[FakeOutcome], int]:
    """Outcomes of four service rules and three estate rules over 1..8 services; and the services' total weight."""
    weights = draw(st.lists(st.sampled_from([8, 4, 2, 1]), min_size=1, max_size=8))
    result = []
    for rule in SERVICE_RULES:
        found = []
        for i, weight in enumerate(weights):
            if draw(st.booleans()):
                found.append(finding(rule, f"service:v{i}", draw(st.sampled_from(SEVERITIES)), draw(PENALTIES), weight))
        result.append(FakeOutcome(FakeRule(rule, "service", "high"), found, len(weights)))
    for rule, scope in ESTATE_RULES:
        found = [finding(rule, f"{scope}:x{j}", draw(st.sampled_from(SEVERITIES)), draw(PENALTIES))
                 for j in range(draw(st.integers(0, 3)))]
        result.append(FakeOutcome(FakeRule(rule, scope, "high"), found, 3))
    return result, sum(weights)


def _all(result: list[FakeOutcome]) -> list[tuple[int, int]]:
    return [(i, j) for i, o in enumerate(result) for j in range(len(o.findings))]


def _changed(result: list[FakeOutcome], i: int, j: int, new: Finding | None) -> list[FakeOutcome]:
    copy = [replace(o, findings=list(o.findings)) for o in result]
    if new is None:
        del copy[i].findings[j]
    else:
        copy[i].findings[j] = new
    return copy


@pytest.mark.slow
@FORMULA_SETTINGS
@given(outcomes(), st.data())
def test_formula_removing_or_softening_a_finding_never_lowers_the_score(generated, data):
    result, total = generated
    assume(_all(result))
    i, j = data.draw(st.sampled_from(_all(result)))
    old = result[i].findings[j]
    before = compute(result, total).value
    assert compute(_changed(result, i, j, None), total).value >= before
    softer = replace(old, penalty=data.draw(PENALTIES.filter(lambda p: p <= old.penalty)),
                     severity=data.draw(st.sampled_from(SEVERITIES[SEVERITIES.index(old.severity):])))
    assert compute(_changed(result, i, j, softer), total).value >= before
    assert compute(_changed(result, i, j, replace(old, waived=True)), total).value >= before
    assert compute(_changed(result, i, j, replace(old, status="unknown")), total).value >= before


@pytest.mark.slow
@FORMULA_SETTINGS
@given(outcomes(), st.sampled_from([8, 4, 2, 1]), st.sampled_from([*SERVICE_RULES, "no-backup"]), PENALTIES,
       st.data())
def test_formula_a_new_service_with_a_critical_finding_outweighs_any_dilution(generated, weight, rule, penalty, data):
    result, total = generated
    before = compute(result, total).value
    grown = [replace(o, findings=list(o.findings)) for o in result]
    # the new service may push any site, domain or inventory finding below its rule's share threshold
    for outcome in grown:
        if outcome.rule.scope != "service":
            outcome.findings = data.draw(st.lists(st.sampled_from(outcome.findings), unique_by=id)) if outcome.findings else []
    added = finding(rule, "service:added", "critical", penalty, weight)
    existing = next((o for o in grown if o.rule.id == rule), None)
    if existing is None:
        grown.append(FakeOutcome(FakeRule(rule, "service", "critical"), [added], 1))
    else:
        existing.findings.append(added)
    after = compute(grown, total + weight)
    assert after.value <= before and after.value <= CRITICAL_CEILING and after.critical


def test_formula_worked_example():
    """Two tier-0 services and a tier-2 one (weight 18): one high finding (0.5) on a tier-0, one medium finding
    graded 0.5 (cost 0.125) on the tier-2, a blast-radius finding (high) with penalty 0.6 (cost 0.3)."""
    result = [
        FakeOutcome(FakeRule("dr-site-too-close", "service", "high"), [finding("dr-site-too-close", "service:a", "high", 1.0)], 3),
        FakeOutcome(FakeRule("restore-untested", "service", "medium"),
                    [finding("restore-untested", "service:c", "medium", 0.5, weight=2)], 1),
        FakeOutcome(FakeRule("blast-radius", "domain", "high"), [finding("blast-radius", "domain:x", "high", 0.6)], 5),
    ]
    score = compute(result, 18)
    services = 1 - (8 * 0.5 + 2 * 0.125) / 18
    assert score.services == pytest.approx(services)
    assert score.estate == pytest.approx(0.7)
    assert score.value == round(50 + 50 * services * 0.7, 1) == 76.7
    gains = {r.rule: r.gain for r in score.rules}
    assert gains == {"dr-site-too-close": round(50 + 50 * (1 - 0.25 / 18) * 0.7 - 76.7, 1),
                     "restore-untested": round(50 + 50 * (1 - 4 / 18) * 0.7 - 76.7, 1),
                     "blast-radius": round(50 + 50 * services - 76.7, 1)}
    critical = result + [FakeOutcome(FakeRule("no-backup", "service", "critical"),
                                     [finding("no-backup", "service:b", "critical", 1.0)], 1)]
    assert compute(critical, 18).value == round(50 * (1 - (8 + 8 * 0.5 + 2 * 0.125) / 18), 1)


def test_formula_the_worst_finding_sets_a_health():
    one = [FakeOutcome(FakeRule("no-dr", "service", "high"), [finding("no-dr", "service:a", "high", 1.0, weight=4)], 1)]
    two = [FakeOutcome(FakeRule("dr-site-too-close", "service", "high"),
                       [finding("dr-site-too-close", "service:a", "high", 1.0, weight=4)], 1),
           FakeOutcome(FakeRule("dr-untested", "service", "high"), [finding("dr-untested", "service:a", "high", 0.75, weight=4)], 1)]
    assert compute(one, 8).services == compute(two, 8).services == 1 - 4 * 0.5 / 8
    # fixing the worst leaves the stale test (cost 0.375): 87.5 -> 50 + 50 × (1 − 1.5/8); fixing the other changes nothing
    assert [r.gain for r in compute(two, 8).rules] == [round(50 + 50 * (1 - 1.5 / 8) - 87.5, 1), 0.0]


def test_a_service_that_gains_dr_with_findings_of_the_same_severity_scores_no_lower():
    """A tier-1 service on one site (no-dr, high) gets a standby 13 km away that was never tested
    (dr-site-too-close and dr-untested, both high): one problem traded for two of the same severity."""
    sites = {"pangyo": {"location": [37.4005, 127.1070]}, "anyang": {"location": [37.3943, 126.9568]},
             "busan": {"location": [35.1796, 129.0756]}}
    other = {"tier": 0, "placements": [{"site": "pangyo"}, {"site": "busan", "role": "standby"}],
             "dr": {"strategy": "warm-standby", "last_tested": "2026-06-01"}}
    alone = {"version": 1, "sites": sites, "services": {"crm": {"tier": 1, "placements": [{"site": "pangyo"}]},
                                                         "billing": other}}
    with_dr = json.loads(json.dumps(alone))
    with_dr["services"]["crm"]["placements"].append({"site": "anyang", "role": "standby"})
    before, after = run(alone), run(with_dr)
    assert {f.rule for f in before.findings if f.subject == "service:crm"} == {"no-dr"}
    assert {f.rule for f in after.findings if f.subject == "service:crm"} >= {"dr-site-too-close", "dr-untested"}
    assert after.score.value >= before.score.value


@pytest.mark.parametrize("value, passed, letter", [
    (100.0, True, "A"), (100.0, False, "B"), (90.0, True, "A"), (89.9, True, "B"), (85.0, False, "B"),
    (70.0, True, "C"), (60.0, False, "D"), (59.9, True, "F"), (0.0, True, "F"),
])
def test_grades(value, passed, letter):
    assert grade(value, passed) == letter


# ---- the cases that broke the earlier score ------------------------------------------------------------------------

def _sample_json(name: str, exit_code: int) -> dict:
    result = drcheck("audit", SAMPLES / name, "--format", "json", "--as-of", AS_OF.isoformat())
    assert result.returncode == exit_code, result.stderr
    return json.loads(result.stdout)


def test_kakao_scores_no_higher_under_stricter_profiles():
    scores = {profile: run_sample("kakao-2022.yaml", profile).score.value for profile in profile_names()}
    assert all(scores[p] <= scores["default"] for p in scores), scores


def run_sample(name: str, profile: str | None = None, extra: dict | None = None):
    data = yaml.safe_load((SAMPLES / name).read_text(encoding="utf-8"))
    if extra:
        data["services"].update(extra)
    return run(data, profile=profile)


def test_a_database_backed_up_only_on_its_own_site_lowers_the_score():
    before = run_sample("kakao-2022.yaml")
    home = next(iter(yaml.safe_load((SAMPLES / "kakao-2022.yaml").read_text(encoding="utf-8"))["sites"]))
    after = run_sample("kakao-2022.yaml", extra={"ledger-db": {
        "kind": "data", "tier": 1, "placements": [{"site": home}], "backups": [{"site": home, "media": "disk"}]}})
    colocated = [f for f in after.findings if f.subject == "service:ledger-db" and f.rule == "backup-colocated"]
    assert [f.severity for f in colocated] == ["critical"]
    assert after.score.value < before.score.value


def test_multi_region_cloud_fails_the_gate_and_is_not_graded_a():
    report = _sample_json("multi-region-cloud.yaml", exit_code=1)
    assert not report["passed"]
    assert report["grade"] != "A"


def test_the_json_report_shows_the_formula_and_its_pieces():
    report = _sample_json("kakao-2022.yaml", exit_code=1)
    scoring = report["scoring"]
    assert scoring["formula"].startswith("score = 50 × services when a finding is critical")
    assert scoring["critical"] is True
    assert report["score"] == pytest.approx(50 * scoring["services"], abs=0.06)
    gains = {r["rule"]: r["gain"] for r in scoring["rules"]}
    assert gains["no-backup"] >= 0 and all(g >= 0 for g in gains.values())


def test_an_empty_inventory_is_not_scored(write):
    """It once scored 100 and passed every gate; now there is nothing to score and it is an error."""
    result = drcheck("audit", write("version: 1\nsites:\n  a: {}\n"), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert "found no services; expected at least one under 'services:'" in result.stderr
