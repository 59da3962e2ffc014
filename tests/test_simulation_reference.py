"""The bitset Simulation against a plain, one-scenario-at-a-time reading of the failure simulation's rules.

`reference` below is written straight from their definition (SPEC sections 1
and 4), with no shared code: it takes the lost failure domains themselves,
decides which sites are lost (any one of a site's own domains or hazard zones;
every one of its power feeds, or every one of its carriers) and destroyed
(site, building, campus, hazard, and every site within 40 km of an area's
centre site, by the geodesic), which services are out by their own outage
(service=NAME); step 1 removes services until the running set is stable (the
largest such set), step 2 brings services back round by round until nothing
changes.  Hypothesis builds small inventories with cycles, self-loops, ops
tooling of several tiers, automatic failover, external services without
placements, standby-only services, redundant feeds and backups, and every
single-domain scenario plus random sets of domains must agree exactly.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import networkx as nx

from geographiclib.geodesic import Geodesic

from drcheck.failures.domains import Domain, DomainIndex
from drcheck.errors import Location
from drcheck.inventory.model import AnyOf, Backup, Dependency, Inventory, Placement, Service, Site
from drcheck.failures.causes import Explanations
from drcheck.failures.simulate import Simulation

HERE = Location("generated.yaml", 1, 1)


def reference(inventory: Inventory, lost: set[Domain]) -> tuple[set[str], set[str]]:
    """(services down, data services whose data is lost) when the domains in `lost` are lost."""
    services = inventory.services
    lost_values = {kind: {d.value for d in lost if d.kind == kind} for kind in
                   ("site", "building", "campus", "operator", "region", "power", "network", "hazard", "area", "service")}

    def in_lost_area(site: Site) -> bool:
        return site.coordinates is not None and any(
            Geodesic.WGS84.Inverse(*inventory.sites[centre].coordinates, *site.coordinates)["s12"] < 40_000
            for centre in lost_values["area"])

    def site_lost(site: Site) -> bool:
        return (site_destroyed(site)
                or site.operator in lost_values["operator"] or site.region in lost_values["region"]
                or bool(site.power) and all(p in lost_values["power"] for p in site.power)
                or bool(site.network) and all(c in lost_values["network"] for c in site.network))

    def site_destroyed(site: Site) -> bool:
        return (site.name in lost_values["site"] or site.building in lost_values["building"]
                or site.campus in lost_values["campus"] or any(h in lost_values["hazard"] for h in site.hazards)
                or in_lost_area(site))

    lost_sites = {name for name, site in inventory.sites.items() if site_lost(site)}
    destroyed_sites = {name for name, site in inventory.sites.items() if site_destroyed(site)}
    out = lost_values["service"]
    floating = {name for name, s in services.items() if not s.placements}  # external, outside every domain
    # each hard dependency as the services any one of which satisfies it (one, or an any_of group)
    hard = {name: [d.services for d in s.depends_on if d.hard] for name, s in services.items()}

    def survives(name: str, role: str) -> bool:
        return name not in out and any(p.role == role and p.site not in lost_sites for p in services[name].placements)

    def recovery_needs(name: str) -> list[str]:
        service = services[name]
        if service.recovery_needs is not None:
            return service.recovery_needs
        if service.automatic:
            return []
        return [other for other, s in services.items() if s.kind == "ops" and other != name and s.tier <= service.tier]

    # step 1: start from everything with a surviving primary, drop what lacks a running dependency
    running = {name for name in services if (name in floating and name not in out) or survives(name, "primary")}
    while True:
        dropped = {name for name in running
                   if name not in floating and any(running.isdisjoint(need) for need in hard[name])}
        if not dropped:
            break
        running -= dropped

    # step 2: recovery rounds
    up = set(running)
    while True:
        recovered = {
            name for name in services
            if name not in up
            and all(not up.isdisjoint(need) for need in hard[name])
            and (survives(name, "primary") or (survives(name, "standby") and all(n in up for n in recovery_needs(name))))
        }
        if not recovered:
            break
        up |= recovered

    down = set(services) - up
    data_lost = {
        name for name, s in services.items()
        if s.kind == "data" and s.placements
        and all(p.site in destroyed_sites for p in s.placements)
        and all(b.site in destroyed_sites for b in s.backups)
    }
    return down, data_lost


# ---- generated inventories ------------------------------------------------------------------

@st.composite
def inventories(draw) -> Inventory:
    site_count = draw(st.integers(1, 8))
    site_names = [f"site{i}" for i in range(site_count)]
    optional = lambda values: st.one_of(st.none(), st.sampled_from(values))  # noqa: E731
    sites = {
        name: Site(
            name=name,
            location=HERE,
            building=draw(optional(["b1", "b2", "b3"])),
            campus=draw(optional(["c1", "c2"])),
            operator=draw(optional(["op1", "op2"])),
            region=draw(optional(["r1", "r2"])),
            power=draw(st.lists(st.sampled_from(["p1", "p2", "p3"]), max_size=2, unique=True)),
            network=draw(st.lists(st.sampled_from(["n1", "n2"]), max_size=2, unique=True)),
            hazards=draw(st.lists(st.sampled_from(["h1", "h2"]), max_size=2, unique=True)),
            # a few points some tens of km apart, near the 40 km an area reaches, and some sites without one
            coordinates=draw(st.one_of(st.none(), st.tuples(st.sampled_from([37.40, 37.55, 37.75, -89.9]),
                                                            st.sampled_from([126.9, 127.1, 127.35, 179.9, -179.95])))),
        )
        for name in site_names
    }
    service_count = draw(st.integers(1, 10))
    service_names = [f"svc{i}" for i in range(service_count)]
    services = {}
    for name in service_names:
        kind = draw(st.sampled_from(["app", "app", "data", "ops", "external"]))
        unplaced = kind == "external" and draw(st.booleans())
        placements = [] if unplaced else [
            Placement(site, role, HERE)
            for site, role in draw(st.lists(
                st.tuples(st.sampled_from(site_names), st.sampled_from(["primary", "primary", "standby"])),
                min_size=1, max_size=3))
        ]
        # any service may be named, itself included: self-loops and cycles are the interesting cases
        depends_on = [
            Dependency(target, hard, HERE)
            for target, hard in draw(st.lists(st.tuples(st.sampled_from(service_names), st.sampled_from([True, True, False])),
                                              max_size=4))
        ]
        if service_count >= 2:  # redundant dependencies, on itself too: cycles that one member may break
            depends_on += [AnyOf(tuple(group), hard, HERE) for group, hard in draw(st.lists(st.tuples(
                st.lists(st.sampled_from(service_names), min_size=2, max_size=3, unique=True), st.booleans()), max_size=2))]
        recovery_needs = draw(st.one_of(st.none(), st.lists(st.sampled_from(service_names), max_size=3, unique=True)))
        backups = [Backup(site, HERE) for site in draw(st.lists(st.sampled_from(site_names), max_size=2))]
        services[name] = Service(name=name, location=HERE, kind=kind, tier=draw(st.integers(0, 3)),
                                 placements=placements, depends_on=depends_on, recovery_needs=recovery_needs,
                                 automatic=draw(st.booleans()), backups=backups if kind == "data" else [])
    return Inventory(name="generated", files=["generated.yaml"], sites=sites, services=services)


def _assert_matches_reference(inventory: Inventory, scenarios: list[list[Domain]]) -> Simulation:
    index = DomainIndex(inventory)
    simulation = Simulation(inventory, [index.failure(lost) for lost in scenarios])
    # the same answers as bitsets per scenario (what `diff` compares), in the simulation's numbering and another
    down_sets, lost_sets = simulation.down_by_scenario(), simulation.data_lost_by_scenario()
    numbering = {name: n for n, name in enumerate(sorted(inventory.services, reverse=True)[:-1])}  # one left out
    renumbered = simulation.down_by_scenario(numbering)
    for k, lost in enumerate(scenarios):
        down, data_lost = reference(inventory, set(lost))
        assert set(simulation.down_in(k)) == down, f"scenario {k}: lost {sorted(map(str, lost))}"
        assert set(simulation.data_lost_in(k)) == data_lost, f"scenario {k}: lost {sorted(map(str, lost))}"
        assert simulation.names(down_sets[k]) == simulation.down_in(k)
        assert simulation.names(lost_sets[k]) == simulation.data_lost_in(k)
        assert {name for name, n in numbering.items() if renumbered[k] >> n & 1} == down & set(numbering)
    return simulation


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_bitset_simulation_equals_reference(data):
    inventory = data.draw(inventories())
    index = DomainIndex(inventory)
    single = [[domain] for domain in index.known]
    every = index.known + [Domain("service", name) for name in inventory.services]
    multi = data.draw(st.lists(st.lists(st.sampled_from(every), max_size=4), max_size=6))
    _assert_matches_reference(inventory, single + multi)


def test_the_single_failure_groups_are_the_domains_that_take_something():
    inventory = _inventory({"x": {"primary": ["a"]}, "y": {"backups": ["b"]}, "saas": {"kind": "external"}},
                           sites=("a", "b", "empty"),
                           site_fields={"a": {"power": ["p1", "p2"]}, "b": {"power": ["p2"]}, "empty": {"power": ["p3"]}})
    groups = {tuple(map(str, g.domains)): sorted(g.sites) for g in DomainIndex(inventory).groups}
    # p1 alone loses nothing (a keeps p2); p2 alone loses b, whose only feed it is, as losing b does, but
    # destroys nothing (a scenario of its own: `merged_by_effect` joins them when their effect is the same);
    # site empty (and p3, its feed) holds no placement or backup: losing it cannot matter
    assert groups == {("site=a",): ["a"], ("site=b",): ["b"], ("power=p2",): ["b"], ("service=saas",): []}


# ---- hand-written cases -------------------------------------------------------------------------

def _inventory(services: dict[str, dict], sites=("a", "b"), site_fields=None) -> Inventory:
    def service(name, kind="app", tier=2, primary=(), standby=(), hard=(), needs=None, backups=(), automatic=False):
        placements = [Placement(s, "primary", HERE) for s in primary] + [Placement(s, "standby", HERE) for s in standby]
        return Service(name=name, location=HERE, kind=kind, tier=tier, placements=placements,
                       depends_on=[Dependency(d, True, HERE) for d in hard], recovery_needs=needs,
                       backups=[Backup(s, HERE) for s in backups], automatic=automatic)

    site_fields = site_fields or {}
    return Inventory(name="hand", files=["hand.yaml"], sites={s: Site(s, HERE, **site_fields.get(s, {})) for s in sites},
                     services={name: service(name, **fields) for name, fields in services.items()})


def _sites(*names: str) -> list[Domain]:
    return [Domain("site", name) for name in names]


def test_a_running_cycle_keeps_running():
    inventory = _inventory({"x": {"primary": ["a"], "hard": ["y"]}, "y": {"primary": ["a"], "hard": ["x"]}})
    simulation = _assert_matches_reference(inventory, [[], _sites("b"), _sites("a")])
    assert simulation.down_in(0) == [] and simulation.down_in(1) == []
    assert simulation.down_in(2) == ["x", "y"]


def test_a_cycle_whose_failover_needs_each_other_stays_down():
    # both have a standby in b, but each needs the other up to be failed over
    inventory = _inventory({
        "x": {"primary": ["a"], "standby": ["b"], "needs": ["y"]},
        "y": {"primary": ["a"], "standby": ["b"], "needs": ["x"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a")])
    assert simulation.down_in(0) == ["x", "y"]
    assert Explanations(simulation).cause("x", 0).missing == ("y",)


def test_two_ops_tools_that_each_need_the_other_by_default_stay_down():
    inventory = _inventory({
        "deploy": {"kind": "ops", "primary": ["a"], "standby": ["b"]},
        "switchover": {"kind": "ops", "primary": ["a"], "standby": ["b"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a"), _sites("b")])
    assert simulation.down_in(0) == ["deploy", "switchover"]
    assert simulation.down_in(1) == []


def test_recovery_tooling_down_blocks_failover():
    inventory = _inventory({
        "talk": {"primary": ["a"], "standby": ["b"]},  # default needs: the ops service below
        "switchover": {"kind": "ops", "primary": ["a"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a")])
    assert simulation.down_in(0) == ["talk", "switchover"]
    assert Explanations(simulation).cause("talk", 0).missing == ("switchover",)


def test_tooling_that_survives_lets_the_standby_take_over():
    inventory = _inventory({
        "talk": {"primary": ["a"], "standby": ["b"]},
        "switchover": {"kind": "ops", "primary": ["b"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a")])
    assert simulation.down_in(0) == []


def test_external_without_placements_stays_up_even_when_its_dependency_is_down():
    inventory = _inventory({
        "pg": {"kind": "external", "hard": ["db"]},
        "db": {"kind": "data", "primary": ["a"]},
        "shop": {"primary": ["b"], "hard": ["pg"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a"), _sites("a", "b")])
    assert simulation.down_in(0) == ["db"]
    assert simulation.data_lost_in(0) == ["db"]
    assert simulation.down_in(1) == ["db", "shop"]


def test_data_survives_in_a_backup_site():
    inventory = _inventory({"db": {"kind": "data", "primary": ["a"], "backups": ["b"]}})
    simulation = _assert_matches_reference(inventory, [_sites("a"), _sites("a", "b")])
    assert simulation.data_lost_in(0) == []
    assert simulation.data_lost_in(1) == ["db"]


def test_a_cycle_through_an_external_without_placements_ignores_the_externals_dependencies():
    # the payment gateway is outside every domain and stays up, so what it calls does not reach x through it
    inventory = _inventory({
        "gateway": {"kind": "external", "hard": ["x", "z"]},
        "x": {"primary": ["b"], "hard": ["gateway", "y"]},
        "y": {"primary": ["b"], "hard": ["x"]},
        "z": {"primary": ["a"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a")])
    assert simulation.down_in(0) == ["z"]


def test_a_dual_fed_site_survives_one_feed_and_falls_to_both():
    inventory = _inventory({"x": {"primary": ["a"]}, "y": {"primary": ["b"]}},
                           site_fields={"a": {"power": ["p1", "p2"], "network": ["n1", "n2"]}, "b": {"power": ["p2"]}})
    p1, p2, n1, n2 = Domain("power", "p1"), Domain("power", "p2"), Domain("network", "n1"), Domain("network", "n2")
    simulation = _assert_matches_reference(inventory, [[p1], [p2], [p1, p2], [n1], [n1, n2], [p1, n1]])
    assert simulation.down_in(0) == []
    assert simulation.down_in(1) == ["y"]  # b has only p2
    assert simulation.down_in(2) == ["x", "y"]
    assert simulation.down_in(3) == [] and simulation.down_in(4) == ["x"]
    assert simulation.down_in(5) == []  # one feed and one carrier: a keeps the others


def test_a_hazard_zone_is_a_threat_on_its_own():
    inventory = _inventory({"x": {"primary": ["a"]}}, site_fields={"a": {"hazards": ["flood", "quake"]}})
    simulation = _assert_matches_reference(inventory, [[Domain("hazard", "flood")]])
    assert simulation.down_in(0) == ["x"]


def test_an_outage_makes_data_unavailable_and_a_fire_destroys_it():
    inventory = _inventory({"db": {"kind": "data", "primary": ["a"], "backups": ["b"]}},
                           site_fields={"a": {"operator": "op", "building": "b1", "power": ["p"]},
                                        "b": {"operator": "op", "region": "r", "building": "b2"}})
    lost = [[Domain("operator", "op")], [Domain("region", "r"), Domain("building", "b1")], [Domain("power", "p")],
            [Domain("building", "b1"), Domain("building", "b2")]]
    simulation = _assert_matches_reference(inventory, lost)
    assert [simulation.down_in(k) for k in range(4)] == [["db"]] * 4
    assert [simulation.data_lost_in(k) for k in range(4)] == [[], [], [], ["db"]]
    assert [f.loss for f in simulation.scenarios] == ["unavailable", "destroyed", "unavailable", "destroyed"]


def test_a_service_outage_takes_its_hard_dependants_down():
    inventory = _inventory({
        "okta": {"kind": "external"},
        "shop": {"primary": ["a"], "standby": ["b"], "hard": ["okta"]},
        "blog": {"primary": ["a"]},
    })
    simulation = _assert_matches_reference(inventory, [[Domain("service", "okta")], [Domain("service", "blog")]])
    assert simulation.down_in(0) == ["okta", "shop"]
    assert Explanations(simulation).cause("okta", 0).kind == "outage"
    assert Explanations(simulation).cause("shop", 0).chain == ("shop", "okta")
    assert simulation.down_in(1) == ["blog"]  # --fail service=NAME takes down any service
    assert simulation.data_lost_in(0) == []


def test_default_recovery_needs_are_the_ops_services_as_critical_or_more():
    inventory = _inventory({
        "store": {"tier": 1, "primary": ["a"], "standby": ["b"]},
        "wiki": {"kind": "ops", "tier": 3, "primary": ["a"]},
        "deploy": {"kind": "ops", "tier": 1, "primary": ["b"]},
        "batch": {"tier": 3, "primary": ["a"], "standby": ["b"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a")])
    # the tier-3 wiki does not block the tier-1 store's failover; it does block the tier-3 batch job
    assert simulation.down_in(0) == ["wiki", "batch"]
    assert Explanations(simulation).cause("batch", 0).missing == ("wiki",)


def test_automatic_failover_needs_no_tooling():
    inventory = _inventory({
        "db": {"tier": 0, "primary": ["a"], "standby": ["b"], "automatic": True},
        "switchover": {"kind": "ops", "tier": 0, "primary": ["a"]},
    })
    simulation = _assert_matches_reference(inventory, [_sites("a")])
    assert simulation.down_in(0) == ["switchover"]


@given(st.integers(1, 300).flatmap(lambda width: st.lists(
    st.tuples(st.integers(0, (1 << width) - 1), st.integers(0, 1 << 33)), max_size=12).map(lambda rows: (width, rows))))
def test_column_sums_add_the_value_of_every_row_each_column_holds(case):
    from drcheck.failures.simulate import _column_sums, _transposed

    width, rows = case  # values up to 2**33: sums of many digits
    columns = _transposed([bits for bits, _ in rows], width)
    expected = [sum(value for bits, value in rows if bits >> k & 1) for k in range(width)]
    assert _column_sums(columns, [value for _, value in rows]) == expected



@settings(max_examples=150, deadline=None)
@given(inventories())
def test_each_pair_simulated_at_depth_2_is_what_losing_both_takes(inventory):
    from drcheck.commands.scenarios import _pairs

    index = DomainIndex(inventory)
    for pair, failure in zip(*_pairs(index)[1:]):
        assert failure == index.failure(pair)  # worked out from each alone where no two feeds can combine
        for domain in pair:
            alone = index.failure([domain])
            assert (failure.sites, failure.services) != (alone.sites, alone.services)



@settings(max_examples=150, deadline=None)
@given(inventories())
def test_why_a_service_is_down_is_a_true_story_whatever_order_services_are_explained_in(inventory):
    """Explanations are remembered per scenario and build on each other.  Each is true: a chain goes from
    the service through hard dependencies that are down (a cycle back to itself), and ends where the
    simulation says.  Where the services that are down need no one in a circle, each is told the same
    whatever order they are asked in (with cycles, which of several circles is told may depend on it)."""
    index = DomainIndex(inventory)
    scenarios = [index.failure([domain]) for domain in index.known]
    forward, backward = Simulation(inventory, scenarios), Explanations(Simulation(inventory, scenarios))
    hard = {name: {m for d in s.depends_on if d.hard for m in d.services} for name, s in inventory.services.items()}
    for k in range(len(scenarios)):
        down = forward.down_in(k)
        causes = Explanations(forward).causes_in(k)
        assert list(causes) == down
        told_backward = {name: backward.cause(name, k) for name in reversed(down)}
        acyclic = nx.is_directed_acyclic_graph(nx.DiGraph([(a, b) for a in down for b in hard[a] if b in down and b != a]))
        if acyclic:
            assert told_backward == causes
        for told in (causes, told_backward):
            for name, cause in told.items():
                links = [n for n in cause.chain if n != "…"]
                assert cause.chain[:1] in ((), (name,))
                # each hop shown is a hard dependency that is down (a long chain skips to its end after "…")
                hops = [(a, b) for a, b in zip(cause.chain, cause.chain[1:]) if "…" not in (a, b)]
                assert all(b in hard[a] and b in down for a, b in hops), cause
                # a chain through an any_of group is told only where every one of its services is down
                assert all(set(group) <= set(down) for group in cause.any_of)
                if cause.kind == "dependency" and len(cause.chain) == len(links):  # the whole chain is shown
                    assert told[links[-1]].kind != "dependency"  # it ends where something else is the cause
