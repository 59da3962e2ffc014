"""The shipped profiles load, name only real rules and parameters, and change what an audit checks."""
import json

import pytest

from conftest import drcheck
from drcheck.audit.engine import discover
from drcheck.errors import InputError
from drcheck.audit.engine import configure
from drcheck.audit.policy import default_policy, load_profile, profile_names

RULES = discover()


def test_the_documented_profiles_ship():
    assert profile_names() == ["default", "dora", "kr-telecom", "nist-800-34"]


@pytest.mark.parametrize("name", profile_names())
def test_profile_settings_are_accepted_by_the_rules(name):
    policy = default_policy(profile=name)
    assert policy.profile == name
    try:
        rules = {rule.id: rule for rule in configure(policy, RULES, None, [])}
    except InputError as error:
        pytest.fail(f"profile {name}: " + "; ".join(str(p) for p in error.problems))
    for rule_id, settings in policy.rules.items():
        if settings.enabled is False:
            assert rule_id not in rules
            continue
        for param, value in settings.values.items():
            assert rules[rule_id].param(param) == value, f"{name}: {rule_id}.{param} did not reach the rule"
        if settings.severity:
            assert rules[rule_id].effective_severity == settings.severity


@pytest.mark.parametrize("name", profile_names())
def test_profile_requirements_map_to_known_rules(name):
    requirements = load_profile(name).get("requirements") or []
    assert requirements, f"profile {name} maps no requirement"
    for requirement in requirements:
        assert requirement.get("verification") in ("V", "S", "U"), requirement.get("id")
        unknown = [r for r in requirement.get("rules") or [] if r not in RULES]
        assert not unknown, f"profile {name}, {requirement.get('id')}: unknown rule(s) {unknown}"


def test_explain_cites_the_dora_requirement_a_rule_gives_evidence_for():
    result = drcheck("explain", "restore-untested")
    assert result.returncode == 0, result.stderr
    assert "[dora] DORA-11-6: Regulation (EU) 2022/2554, Art. 11(6)" in result.stdout
    assert "[dora] DORA-RTS-40" in result.stdout


def test_dora_profile_raises_the_dr_site_distance_to_100_km(write):
    # two sites on one meridian, 0.54 degrees of latitude (about 60 km) apart
    inventory = write("""
        version: 1
        sites:
          main: {location: [50.0, 8.0]}
          backup-dc: {location: [50.54, 8.0]}
        services:
          payments:
            tier: 0
            placements: [{site: main}, {site: backup-dc, role: standby}]
            dr: {strategy: warm-standby, last_tested: 2026-06-01}
    """)
    args = ["audit", inventory, "--select", "dr-site-too-close", "--format", "json", "--as-of", "2026-11-01"]

    default = drcheck(*args, cwd=inventory.parent)
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout)["findings"] == []

    dora = drcheck(*args, "--profile", "dora", cwd=inventory.parent)
    assert dora.returncode == 1, dora.stderr
    (finding,) = json.loads(dora.stdout)["findings"]
    assert finding["rule"] == "dr-site-too-close"
    assert finding["evidence"]["min_distance_km"] == 100
    assert finding["evidence"]["distance_km"] == pytest.approx(60.0, abs=0.5)
    assert "policy requires 100 km" in finding["message"]
