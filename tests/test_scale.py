"""Inputs that are small but wide: work must grow with what the inventory holds, not with its square."""
from __future__ import annotations

from datetime import date

import pytest

from drcheck.inventory import geo
from drcheck.rule_api.context import Context
from drcheck.errors import InputError
from drcheck.inventory.loader import parse
from drcheck.inventory.schema import build_inventory


def colocated(sites: int, points: int) -> str:
    lines = ["version: 1", "sites:"]
    lines += [f"  s{i}: {{location: [37.{i % points}, 127.0]}}" for i in range(sites)]
    lines += ["services:", "  web:", "    placements:"]
    lines += [f"      - {{site: s{i}}}" for i in range(sites)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def geodesics(monkeypatch):
    """Count the exact (slow) geodesic measurements."""
    calls = []
    real = geo.WGS84

    class Counting:
        def Inverse(self, *arguments):  # noqa: N802 - geographiclib's name
            calls.append(arguments[:4])
            return real.Inverse(*arguments)

    monkeypatch.setattr(geo, "WGS84", Counting())
    return calls


def test_distances_are_measured_once_per_pair_of_points_not_of_sites(geodesics):
    ctx = Context(build_inventory([parse("inv.yaml", colocated(300, 3))]), date(2026, 11, 1))
    distances = [ctx.distance_km(f"s{i}", f"s{j}") for i in range(300) for j in range(300)]
    assert sorted({round(d, 1) for d in distances}) == [0.0, 11.1, 22.2]
    assert len(geodesics) == 3  # 37.0-37.1, 37.0-37.2, 37.1-37.2: 3 pairs of points among 44,850 of sites


def test_sites_at_one_point_are_0_km_apart_without_measuring(geodesics):
    ctx = Context(build_inventory([parse("inv.yaml", colocated(50, 1))]), date(2026, 11, 1))
    assert {ctx.distance_km("s0", f"s{i}") for i in range(50)} == {0.0}
    assert {ctx.within_km("s3", f"s{i}", 40) for i in range(50)} == {True}
    assert ctx.within_km("s3", "s4", 0) is False
    assert geodesics == []


def empty_sites(sites: int, placed: int = 1) -> str:
    lines = ["version: 1", "sites:"] + [f"  s{i}: {{power: [feed-{i % 7}]}}" for i in range(sites)]
    lines += ["services:"] + [f"  w{i}: {{placements: [{{site: s{i}}}]}}" for i in range(placed)]
    return "\n".join(lines) + "\n"


def test_sites_that_hold_nothing_make_no_scenario():
    from drcheck.failures.domains import DomainIndex

    index = DomainIndex(build_inventory([parse("inv.yaml", empty_sites(20_000))]))
    # site s0 and its feed (which feeds empty sites too): nothing else can take a placement or a backup
    assert [str(g.domain) for g in index.groups] == ["site=s0", "power=feed-0"]


def test_pairs_are_only_of_domains_that_hold_something(monkeypatch):
    import drcheck.commands.scenarios as scenarios

    inventory = build_inventory([parse("inv.yaml", empty_sites(2_000, placed=3))])
    found = scenarios.scenarios_for(inventory, [], 2, 0)
    assert {" + ".join(map(str, s.lost)) for s in found} == {
        "site=s0 + site=s1", "site=s0 + site=s2", "site=s1 + site=s2", "site=s0 + power=feed-1",
        "site=s0 + power=feed-2", "site=s1 + power=feed-0", "site=s1 + power=feed-2", "site=s2 + power=feed-0",
        "site=s2 + power=feed-1", "power=feed-0 + power=feed-1", "power=feed-0 + power=feed-2",
        "power=feed-1 + power=feed-2"}
    monkeypatch.setattr(scenarios, "MAX_PAIRS", 10)
    with pytest.raises(InputError, match=r"^--depth 2: the 6 failure domains that hold a placement or a backup make 15 "
                                         r"pairs, more than the 10 this search tries"):
        scenarios.scenarios_for(inventory, [], 2, 0)
