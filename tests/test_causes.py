"""Why a service is down: the chain a report tells must be the one the simulation followed."""
import textwrap

from drcheck.failures.domains import Domain, DomainIndex
from drcheck.inventory.loader import parse
from drcheck.inventory.schema import build_inventory
from drcheck.failures.causes import Cause, Explanations
from drcheck.failures.simulate import Simulation


def simulate(text: str, lost: set[str]) -> Explanations:
    inventory = build_inventory([parse("inv.yaml", textwrap.dedent(text))])
    index = DomainIndex(inventory)
    return Explanations(Simulation(inventory, [index.failure(Domain("site", name) for name in sorted(lost))]))


def test_a_dependency_on_itself_is_not_part_of_the_story():
    sim = simulate("""
        version: 1
        sites: {a: {}, b: {}}
        services:
          auth: {placements: [{site: a}]}
          talk:
            placements: [{site: a}, {site: b, role: standby}]
            depends_on: [talk, auth]
    """, {"a"})
    assert sim.cause("talk", 0).chain == ("talk", "auth")
    assert sim.cause("auth", 0).kind == "placements"


def test_a_long_chain_keeps_its_first_hops_and_its_root():
    services = "".join(f"  s{i}:\n    placements: [{{site: b}}]\n    depends_on: [s{i + 1}]\n" for i in range(11))
    sim = simulate("version: 1\nsites: {a: {}, b: {}}\nservices:\n" + services + "  s11: {placements: [{site: a}]}\n", {"a"})
    chain = sim.cause("s0", 0).chain
    assert chain[:6] == ("s0", "s1", "s2", "s3", "s4", "s5") and chain[-2:] == ("…", "s11")
    assert len(chain) == 8


def test_a_long_chain_reads_the_same_when_the_services_it_passes_are_explained_first():
    # asked from the root up, each service's chain is its dependency's plus one hop: shortened the same way
    services = "".join(f"  s{i}:\n    placements: [{{site: b}}]\n    depends_on: [s{i + 1}]\n" for i in range(11))
    text = "version: 1\nsites: {a: {}, b: {}}\nservices:\n" + services + "  s11: {placements: [{site: a}]}\n"
    down_first, root_first = simulate(text, {"a"}), simulate(text, {"a"})
    names = [f"s{i}" for i in range(12)]
    from_the_top = {name: down_first.cause(name, 0) for name in names}
    from_the_root = {name: root_first.cause(name, 0) for name in reversed(names)}
    assert from_the_root == from_the_top
    assert from_the_root["s3"].chain == ("s3", "s4", "s5", "s6", "s7", "s8", "…", "s11")
    assert from_the_root["s4"].chain == ("s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11")


def test_blocked_failover_names_the_tooling_that_is_down():
    sim = simulate("""
        version: 1
        sites: {a: {}, b: {}}
        services:
          switchover: {kind: ops, tier: 1, placements: [{site: a}]}
          store:
            tier: 1
            kind: data
            placements: [{site: a}, {site: b, role: standby}]
            backups: [{site: b}]
    """, {"a"})
    cause = sim.cause("store", 0)
    assert cause.kind == "recovery" and cause.missing == ("switchover",)
    assert sim.simulation.data_lost_in(0) == []


def test_services_that_need_each_other_are_down_in_a_cycle_whichever_is_asked_first():
    text = """
        version: 1
        sites: {a: {}, b: {}}
        services:
          web: {placements: [{site: b}], depends_on: [config]}
          config:
            placements: [{site: a}, {site: b, role: standby}]
            depends_on: [secrets]
          secrets:
            placements: [{site: a}, {site: b, role: standby}]
            depends_on: [config]
    """
    for first in ("web", "config", "secrets"):
        sim = simulate(text, {"a"})
        sim.cause(first, 0)
        assert sim.cause("config", 0) == Cause("cycle", ("config", "secrets", "config"))
        assert sim.cause("secrets", 0) == Cause("cycle", ("secrets", "config", "secrets"))
        assert sim.cause("web", 0) == Cause("dependency", ("web", "config", "secrets", "config"))
        assert "none can be recovered before the others" in sim.cause("config", 0).describe()


def test_a_service_that_needs_only_itself_is_a_cycle_of_one():
    sim = simulate("""
        version: 1
        sites: {a: {}, b: {}}
        services:
          talk:
            placements: [{site: a}, {site: b, role: standby}]
            depends_on: [talk]
    """, {"a"})
    assert sim.cause("talk", 0) == Cause("cycle", ("talk", "talk"))
