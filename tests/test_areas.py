"""Area disasters (`area=SITE`: every site within the policy's area_radius_km of a site's point) and single
failures with the same effect told as one scenario."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import drcheck
from drcheck.failures.domains import Domain, DomainIndex
from drcheck.inventory.geo import geodesic_km, near
from drcheck.inventory.loader import parse
from drcheck.inventory.schema import build_inventory

# Gasan and Mok-dong are 5.4 km apart; Pangyo 21 km from Gasan and 24 km from Mok-dong; Sejong 120 km south
SEOUL = """\
version: 1
sites:
  gasan: {location: [37.4786, 126.8874], region: seoul-west}
  mokdong: {location: [37.5266, 126.8750], region: seoul-central}
  pangyo: {location: [37.4005, 127.1070]}
  sejong: {location: [36.4800, 127.2890]}
  lab: {}
services:
  ledger:
    kind: data
    tier: 0
    placements: [{site: gasan}, {site: mokdong, role: standby}]
    dr: {automatic: true}
    backups: [{site: sejong}]
  web:
    tier: 1
    placements: [{site: pangyo}, {site: sejong, role: standby}]
    dr: {automatic: true}
  bench: {tier: 3, placements: [{site: lab}]}
"""


def index(text: str = SEOUL, radius: float = 40) -> DomainIndex:
    return DomainIndex(build_inventory([parse("inv.yaml", text)]), radius)


def test_an_area_holds_every_site_within_its_radius_and_only_sites_with_a_location_have_one():
    sites = index().sites_of
    assert sites[Domain("area", "gasan")] == {"gasan", "mokdong", "pangyo"}
    assert sites[Domain("area", "mokdong")] == {"gasan", "mokdong", "pangyo"}
    assert sites[Domain("area", "sejong")] == {"sejong"}
    assert Domain("area", "lab") not in sites
    assert index(radius=10).sites_of[Domain("area", "pangyo")] == {"pangyo"}
    assert index(radius=0).sites_of[Domain("area", "gasan")] == frozenset()  # 0: no area disasters
    assert Domain("area", "gasan").destroys


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180)), min_size=1, max_size=25),
       st.floats(0.5, 3000))
def test_the_grid_finds_exactly_the_points_that_comparing_every_pair_finds(points, km):
    named = {f"p{n}": point for n, point in enumerate(points)}
    found = near(named, km)
    for name, point in named.items():
        assert found[name] == [other for other, there in named.items() if point == there or geodesic_km(point, there) < km]


def test_clustered_points_near_the_poles_and_across_the_antimeridian_find_each_other():
    named = {"east": (10.0, 179.99), "west": (10.0, -179.99), "pole-a": (89.99, 0.0), "pole-b": (89.99, 180.0)}
    found = near(named, 10)
    assert found["east"] == ["east", "west"] and found["pole-a"] == ["pole-a", "pole-b"]


def test_simulate_fails_an_area_by_name_and_its_radius_comes_from_the_policy(tmp_path):
    inventory = tmp_path / "seoul.yaml"
    inventory.write_text(SEOUL, encoding="utf-8")
    result = drcheck("simulate", inventory, "--fail", "area=mokdong", "--format", "json")
    [scenario] = json.loads(result.stdout)["scenarios"]
    assert scenario["sites_destroyed"] == ["gasan", "mokdong", "pangyo"]
    assert scenario["down"] == ["ledger"] and scenario["data_lost"] == []  # its backup in Sejong survives
    policy = tmp_path / "policy.yaml"
    policy.write_text("area_radius_km: 10\n", encoding="utf-8")
    narrow = drcheck("simulate", inventory, "--fail", "area=mokdong", "--policy", policy, "--format", "json")
    assert json.loads(narrow.stdout)["scenarios"][0]["sites_destroyed"] == ["gasan", "mokdong"]
    unknown = drcheck("simulate", inventory, "--fail", "area=lab")
    assert unknown.returncode == 2 and "unknown area 'lab'; known area values: gasan, mokdong, pangyo, sejong" in unknown.stderr


def test_single_failures_with_the_same_effect_are_one_scenario_named_in_the_order_of_kinds(tmp_path):
    inventory = tmp_path / "seoul.yaml"
    inventory.write_text(SEOUL, encoding="utf-8")
    scenarios = json.loads(drcheck("simulate", inventory, "--format", "json", "--top", "0").stdout)["scenarios"]
    told = [[f"{d['domain']}={d['value']}" for d in s["lost"] + s["same_as"]] for s in scenarios]
    # the areas around gasan, mokdong and pangyo each destroy all three: ledger down (its backup survives)
    assert ["area=gasan", "area=mokdong", "area=pangyo"] in told
    # losing gasan, or its region, takes nothing down (ledger fails over), as losing sejong or the area around
    # it does: one scenario of no effect; every domain appears in exactly one scenario
    everything = [domain for names in told for domain in names]
    assert len(everything) == len(set(everything))
    nothing = next(names for names, s in zip(told, scenarios) if not s["down"] and not s["data_lost"])
    assert nothing[0] == "site=gasan" and "region=seoul-west" in nothing and "area=sejong" in nothing


def test_a_policy_radius_or_coverage_out_of_range_is_an_error_naming_its_line(tmp_path):
    inventory = tmp_path / "seoul.yaml"
    inventory.write_text(SEOUL, encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("fail_on: high\narea_radius_km: -3\nmin_coverage: 1.5\n", encoding="utf-8")
    result = drcheck("audit", inventory, "--policy", policy)
    assert result.returncode == 2
    assert f"{policy}:2:17: area_radius_km: found '-3'; expected a distance in km from 0 to 20000 (0: no area disasters)" in result.stderr
    assert f"{policy}:3:15: min_coverage: found '1.5'; expected a share from 0 to 1 (1 = every service placed)" in result.stderr
