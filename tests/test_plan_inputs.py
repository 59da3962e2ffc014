"""What `drcheck plan` reads: `cost:` on sites and services, the policy's `currency` and `plan:` block."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from conftest import drcheck
from drcheck.errors import InputError
from drcheck.audit.policy import STRATEGY_FACTORS, default_policy, load_policy

INVENTORY = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070], cost: {monthly: 40000}}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 0
    placements: [{site: pangyo}, {site: busan, role: standby}]
    dr: {strategy: warm-standby, last_tested: 2026-06-01}
    cost: {monthly: 1200.5}
"""


def test_costs_are_read_into_the_model(write):
    from drcheck.audit.run import load_inventory

    inventory = load_inventory([str(write(INVENTORY))])
    assert inventory.sites["pangyo"].monthly_cost == 40000
    assert inventory.sites["busan"].monthly_cost is None
    assert inventory.services["talk"].monthly_cost == 1200.5


@pytest.mark.parametrize("cost, found", [("{monthly: -1}", "found '-1'"), ("{monthly: lots}", "found 'lots'"),
                                          ("{yearly: 3}", "unknown field 'yearly'"), ("1200", "found '1200'")])
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_bad_cost_is_exit_2_naming_its_line(write, cost, found, command):
    path = write(INVENTORY.replace("{monthly: 1200.5}", cost))
    result = drcheck(command, path)
    assert result.returncode == 2
    assert f"{path}:10:" in result.stderr and found in result.stderr
    assert "Traceback" not in result.stderr


def test_the_json_schema_describes_cost():
    from drcheck.inventory.schema import json_schema

    cost = json_schema()["properties"]["sites"]["additionalProperties"]["properties"]["cost"]
    assert cost["properties"]["monthly"] == {"type": "number", "minimum": 0, "description": cost["properties"]["monthly"]["description"]}
    assert cost["required"] == ["monthly"]


def test_plan_defaults_and_currency(write):
    policy = load_policy(str(write("currency: KRW\nplan: {drill: 500, amortise_months: 24}\n", "policy.yaml")))
    assert policy.currency == "KRW"
    assert policy.plan.drill == 500 and policy.plan.amortise_months == 24
    assert policy.plan.strategy_factor == STRATEGY_FACTORS
    assert default_policy().currency == "USD"


def test_candidate_sites_are_full_sites_with_their_cost(write):
    policy = load_policy(str(write("""\
        plan:
          candidate_sites:
            busan-colo: {kind: colocation, location: [35.1796, 129.0756], region: kr-south, cost: {monthly: 9000}}
        """, "policy.yaml")))
    site = policy.plan.candidate_sites["busan-colo"]
    assert (site.kind, site.coordinates, site.region, site.monthly_cost) == ("colocation", (35.1796, 129.0756), "kr-south", 9000)


@pytest.mark.parametrize("text, line, found", [
    ("currency: KRX\n", 1, "currency: found 'KRX'"),
    ("currency: usd\n", 1, "currency: found 'usd'"),
    ("plan:\n  strategy_factor: {warm-standby: 1.5}\n", 2, "expected a number from 0 to 1"),
    ("plan:\n  backup_monthly: -0.1\n", 2, "plan.backup_monthly: found '-0.1'"),
    ("plan:\n  drill: -5\n", 2, "plan.drill: found '-5'"),
    ("plan:\n  amortise_months: 0\n", 2, "expected a whole number of months"),
    ("plan:\n  candidate_sites:\n    far: {location: [95, 0]}\n", 3, "plan.candidate_sites: site 'far'.location"),
    ("plan:\n  candidate_sites:\n    far: {location: [35, 129], cost: {monthly: -9}}\n", 3, "found '-9'"),
    ("plan:\n  candidate_sites:\n    far: {location: 'aws:mars-1'}\n", 3, "found unknown cloud location 'aws:mars-1'"),
    ("plan:\n  candidate_sites: [far]\n", 2, "expected a mapping of site names"),
    ("plan:\n  budget: 3\n", 2, "plan: unknown key 'budget'"),
])
@pytest.mark.parametrize("command", ["audit", "plan"])
def test_bad_plan_input_is_exit_2_naming_the_policy_line(write, text, line, found, command):
    inventory = write(INVENTORY)
    policy = write(text, "policy.yaml")
    result = drcheck(command, inventory, "--policy", policy)
    assert result.returncode == 2, result.stderr
    assert f"{policy}:{line}:" in result.stderr and found in result.stderr
    assert "Traceback" not in result.stderr


_VALUES = st.one_of(st.sampled_from(["0", "0.5", "1", "-1", "2", "1e999", "x", "", "[1]", "{a: 1}", "USD", "KRW"]),
                    st.text(max_size=6))


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(["currency", "plan.strategy_factor.warm-standby", "plan.backup_monthly", "plan.drill",
                            "plan.amortise_months", "plan.candidate_sites.x.location", "plan.candidate_sites",
                            "plan.candidate_sites.x.cost.monthly", "plan"]),
       value=_VALUES)
def test_any_plan_value_is_read_or_refused_with_a_location(tmp_path_factory, key, value):
    parts = key.split(".")
    text = "".join(f"{'  ' * i}{part}:\n" for i, part in enumerate(parts[:-1]))
    text += f"{'  ' * (len(parts) - 1)}{parts[-1]}: {value!r}\n".replace("'", '"') if value else f"{'  ' * (len(parts) - 1)}{parts[-1]}:\n"
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        policy = load_policy(str(path))
    except InputError as refused:
        assert all(p.location is None or p.location.file == str(path) for p in refused.problems)
    else:
        assert all(0 <= share <= 1 for share in policy.plan.strategy_factor.values())
        assert policy.plan.amortise_months >= 1
