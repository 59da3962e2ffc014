"""The bitset Simulation against a plain, one-scenario-at-a-time reading of the failure simulation's rules.

`reference` below is written straight from their definition, with no shared code:
step 1 removes services until the running set is stable (the largest such set),
step 2 brings services back round by round until nothing changes.  Hypothesis
builds small inventories with cycles, self-loops, ops tooling, external
services without placements, standby-only services and backups, and every
single-domain scenario plus random multi-site scenarios must agree exactly.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drcheck.domains import DomainIndex
from drcheck.errors import Location
from drcheck.model import Backup, Dependency, Inventory, Placement, Service, Site
from drcheck.simulate import Simulation

HERE = Location("generated.yaml", 1, 1)


def reference(inventory: Inventory, lost: frozenset[str]) -> tuple[set[str], set[str]]:
    """(services down, data services whose data is lost) when the sites in `lost` are lost."""
    services = inventory.services
    floating = {name for name, s in services.items() if not s.placements}  # external, outside every domain
    hard = {name: [d.service for d in s.depends_on if d.hard] for name, s in services.items()}

    def survives(name: str, role: str) -> bool:
        return any(p.role == role and p.site not in lost for p in services[name].placements)

    def recovery_needs(name: str) -> list[str]:
        listed = services[name].recovery_needs
        if listed is not None:
            return listed
        return [other for other, s in services.items() if s.kind == "ops" and other != name]

    # step 1: start from everything with a surviving primary, drop what lacks a running dependency
    running = {name for name in services if name in floating or survives(name, "primary")}
    while True:
        dropped = {name for name in running if name not in floating and any(d not in running for d in hard[name])}
        if not dropped:
            break
        running -= dropped

    # step 2: recovery rounds
    up = set(running)
    while True:
        recovered = {
            name for name in services
            if name not in up
            and all(d in up for d in hard[name])
            and (survives(name, "primary") or (survives(name, "standby") and all(n in up for n in recovery_needs(name))))
        }
        if not recovered:
            break
        up |= recovered

    down = set(services) - up
    data_lost = {
        name for name, s in services.items()
        if s.kind == "data"
        and all(p.site in lost for p in s.placements)
        and all(b.site in lost for b in s.backups)
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
        recovery_needs = draw(st.one_of(st.none(), st.lists(st.sampled_from(service_names), max_size=3, unique=True)))
        backups = [Backup(site, HERE) for site in draw(st.lists(st.sampled_from(site_names), max_size=2))]
        services[name] = Service(name=name, location=HERE, kind=kind, tier=draw(st.integers(0, 3)),
                                 placements=placements, depends_on=depends_on, recovery_needs=recovery_needs,
                                 backups=backups if kind == "data" else [])
    return Inventory(name="generated", files=["generated.yaml"], sites=sites, services=services)


def _assert_matches_reference(inventory: Inventory, scenarios: list[frozenset[str]]) -> Simulation:
    simulation = Simulation(inventory, scenarios)
    for k, lost in enumerate(scenarios):
        down, data_lost = reference(inventory, lost)
        assert set(simulation.down_in(k)) == down, f"scenario {k}: lost sites {sorted(lost)}"
        assert set(simulation.data_lost_in(k)) == data_lost, f"scenario {k}: lost sites {sorted(lost)}"
    return simulation


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_bitset_simulation_equals_reference(data):
    inventory = data.draw(inventories())
    single = [group.sites for group in DomainIndex(inventory).groups]
    sites = sorted(inventory.sites)
    multi = data.draw(st.lists(st.frozensets(st.sampled_from(sites)), max_size=6))
    _assert_matches_reference(inventory, single + multi)


# ---- hand-written cases -------------------------------------------------------------------------

def _inventory(services: dict[str, dict], sites=("a", "b")) -> Inventory:
    def service(name, kind="app", primary=(), standby=(), hard=(), needs=None, backups=()):
        placements = [Placement(s, "primary", HERE) for s in primary] + [Placement(s, "standby", HERE) for s in standby]
        return Service(name=name, location=HERE, kind=kind, placements=placements,
                       depends_on=[Dependency(d, True, HERE) for d in hard], recovery_needs=needs,
                       backups=[Backup(s, HERE) for s in backups])

    return Inventory(name="hand", files=["hand.yaml"], sites={s: Site(s, HERE) for s in sites},
                     services={name: service(name, **fields) for name, fields in services.items()})


def test_a_running_cycle_keeps_running():
    inventory = _inventory({"x": {"primary": ["a"], "hard": ["y"]}, "y": {"primary": ["a"], "hard": ["x"]}})
    simulation = _assert_matches_reference(inventory, [frozenset(), frozenset({"b"}), frozenset({"a"})])
    assert simulation.down_in(0) == [] and simulation.down_in(1) == []
    assert simulation.down_in(2) == ["x", "y"]


def test_a_cycle_whose_failover_needs_each_other_stays_down():
    # both have a standby in b, but each needs the other up to be failed over
    inventory = _inventory({
        "x": {"primary": ["a"], "standby": ["b"], "needs": ["y"]},
        "y": {"primary": ["a"], "standby": ["b"], "needs": ["x"]},
    })
    simulation = _assert_matches_reference(inventory, [frozenset({"a"})])
    assert simulation.down_in(0) == ["x", "y"]
    assert simulation.cause("x", 0).missing == ("y",)


def test_two_ops_tools_that_each_need_the_other_by_default_stay_down():
    inventory = _inventory({
        "deploy": {"kind": "ops", "primary": ["a"], "standby": ["b"]},
        "switchover": {"kind": "ops", "primary": ["a"], "standby": ["b"]},
    })
    simulation = _assert_matches_reference(inventory, [frozenset({"a"}), frozenset({"b"})])
    assert simulation.down_in(0) == ["deploy", "switchover"]
    assert simulation.down_in(1) == []


def test_recovery_tooling_down_blocks_failover():
    inventory = _inventory({
        "talk": {"primary": ["a"], "standby": ["b"]},  # default needs: the ops service below
        "switchover": {"kind": "ops", "primary": ["a"]},
    })
    simulation = _assert_matches_reference(inventory, [frozenset({"a"})])
    assert simulation.down_in(0) == ["talk", "switchover"]
    assert simulation.cause("talk", 0).missing == ("switchover",)


def test_tooling_that_survives_lets_the_standby_take_over():
    inventory = _inventory({
        "talk": {"primary": ["a"], "standby": ["b"]},
        "switchover": {"kind": "ops", "primary": ["b"]},
    })
    simulation = _assert_matches_reference(inventory, [frozenset({"a"})])
    assert simulation.down_in(0) == []


def test_external_without_placements_stays_up_even_when_its_dependency_is_down():
    inventory = _inventory({
        "pg": {"kind": "external", "hard": ["db"]},
        "db": {"kind": "data", "primary": ["a"]},
        "shop": {"primary": ["b"], "hard": ["pg"]},
    })
    simulation = _assert_matches_reference(inventory, [frozenset({"a"}), frozenset({"a", "b"})])
    assert simulation.down_in(0) == ["db"]
    assert simulation.data_lost_in(0) == ["db"]
    assert simulation.down_in(1) == ["db", "shop"]


def test_data_survives_in_a_backup_site():
    inventory = _inventory({"db": {"kind": "data", "primary": ["a"], "backups": ["b"]}})
    simulation = _assert_matches_reference(inventory, [frozenset({"a"}), frozenset({"a", "b"})])
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
    simulation = _assert_matches_reference(inventory, [frozenset({"a"})])
    assert simulation.down_in(0) == ["z"]
