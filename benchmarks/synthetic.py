"""Generate large synthetic inventories for the benchmark (deterministic for a given seed)."""
from __future__ import annotations

import random

# The shapes of estate the benchmark can write (`shaped_inventory`): the name, then what sets it apart.
SHAPES = {
    "benchmark": "200 sites; about 4 dependencies a service, a third of them soft, mostly on earlier services",
    "deep-random": "200 sites; 4 hard dependencies a service, each on a random earlier one: long chains",
    "many-sites": "2,000 sites: 10 services a site; dependencies as the benchmark's",
    "few-sites": "12 sites: well over a thousand services a site; dependencies as the benchmark's",
}


def shaped_inventory(services: int, shape: str = "benchmark") -> str:
    """The YAML text of an estate of `services` services of one of the SHAPES."""
    if shape == "benchmark":
        return synthetic_inventory(services)
    if shape == "deep-random":
        return synthetic_inventory(services, hard_earlier_only=True)
    if shape == "many-sites":
        return synthetic_inventory(services, sites=2_000)
    if shape == "few-sites":
        return synthetic_inventory(services, sites=12)
    raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")


def synthetic_inventory(services: int, sites: int = 200, deps_per_service: int = 4, seed: int = 1,
                        hard_earlier_only: bool = False) -> str:
    """Return the YAML text of an estate shaped like the one in issue #3.

    Sites fall into 50 buildings, 25 campuses, 5 operators, 10 regions and
    shared power and network feeds; each service has a primary and usually a
    standby, and about `deps_per_service` hard or soft dependencies, mostly on
    services defined before it (so most of the graph is acyclic, with some
    cycles, as in real estates).  With `hard_earlier_only`, exactly
    `deps_per_service` hard dependencies, each on a different random earlier
    service (fewer for the first few): an acyclic graph of long chains.
    """
    rng = random.Random(seed)
    out = ["version: 1", f"name: synthetic-{services}", "sites:"]
    for i in range(sites):
        # a grid of 20 by 50 sites, then the same grid half a degree further north for the next thousand
        lat = 30 + (i % 20) * 1.1 + (i // 1000) * 0.5 + rng.random() * 0.01
        lon = -10 + (i // 20 % 50) * 3.3 + rng.random() * 0.01
        out += [
            f"  site-{i}:",
            "    kind: datacenter",
            f"    location: [{lat:.4f}, {lon:.4f}]",
            f"    building: bldg-{i % 50}",
            f"    campus: campus-{i % 25}",
            f"    operator: operator-{i % 5}",
            f"    region: region-{i % 10}",
            f"    power: [substation-{i % 40}]",
            f"    network: [carrier-{i % 7}, fibre-{i % 30}]",
        ]
    out.append("services:")
    strategies = ("active-active", "warm-standby", "pilot-light", "backup-restore")
    for i in range(services):
        kind = "data" if i % 5 == 0 else ("ops" if i % 97 == 0 else "app")
        primary = rng.randrange(sites)
        out += [
            f"  svc-{i}:",
            f"    kind: {kind}",
            f"    tier: {i % 4}",
            f"    owner: team-{i % 50}",
            "    rto: 1h",
            "    rpo: 15m",
            "    placements:",
            f"      - {{site: site-{primary}, role: primary}}",
        ]
        if i % 10:
            other = rng.randrange(sites)
            other = (other + 1) % sites if other == primary else other  # one placement per site
            role = "primary" if strategies[i % 4] == "active-active" else "standby"  # active-active: two primaries
            out.append(f"      - {{site: site-{other}, role: {role}}}")
            out.append(f"    dr: {{strategy: {strategies[i % 4]}, last_tested: 2026-0{1 + i % 9}-15}}")
        if i and hard_earlier_only:
            out.append("    depends_on:")
            out += [f"      - svc-{target}" for target in rng.sample(range(i), min(i, deps_per_service))]
        elif i:
            deps = []
            for _ in range(deps_per_service):
                target = rng.randrange(i) if rng.random() < 0.98 else rng.randrange(services)
                if target != i and target not in deps:
                    deps.append(target)
            out.append("    depends_on:")
            for k, target in enumerate(deps):
                out.append(f"      - svc-{target}" if k % 3 else f"      - {{service: svc-{target}, hard: false}}")
        if kind == "data":
            out += [
                "    backups:",
                f"      - {{site: site-{rng.randrange(sites)}, frequency: 1h, media: object, immutable: true,"
                " restore_tested: 2026-03-01}",
            ]
    out.append("")
    return "\n".join(out)


def changed_inventory(text: str, every: int = 2000) -> str:
    """The same inventory with a handful of services changed, as one pull request might.

    Every `every`-th service drops its DR entry (one finding more each) and
    moves to tier 0 (its findings change severity); the rest is untouched.
    """
    out, service = [], -1
    for line in text.split("\n"):
        if line.startswith("  svc-"):
            service = int(line[len("  svc-"):-1])
        changed = service > 0 and service % every == 1
        if changed and line.startswith("    dr: "):
            continue
        if changed and line.startswith("    tier: "):
            line = "    tier: 0"
        out.append(line)
    return "\n".join(out)


def plannable_inventory(services: int, sites: int = 200, seed: int = 1, defects: bool = True) -> str:
    """The YAML text of an estate that `drcheck plan` can bring through the gate: 200 sites, each its own
    building and campus, 10 regions; every service a priced primary and a warm standby in the next region, tested
    this year, hard dependencies on earlier services only (no cycles), ops services active-active, data services
    backed up in another region: without `defects` it passes the gate.  With them, what the plan's vocabulary
    fixes: one service in 20 has no standby (no-dr), one in 15 no failover test (dr-untested, for tiers 0 and 1),
    one data service in 5 its backup on its own site (backup-colocated).  (The other shapes cannot pass: hard
    dependency cycles, and ops services that depend on what they recover; their plans are empty.)"""
    rng = random.Random(seed)
    out = ["version: 1", f"name: plannable-{services}", "sites:"]
    for i in range(sites):
        lat = 30 + (i % 20) * 1.1 + rng.random() * 0.01
        lon = -10 + (i // 20 % 50) * 3.3 + rng.random() * 0.01
        out += [
            f"  site-{i}:",
            "    kind: datacenter",
            f"    location: [{lat:.4f}, {lon:.4f}]",
            f"    building: bldg-{i}",
            f"    campus: campus-{i}",
            f"    operator: operator-{i % 5}",
            f"    region: region-{i % 10}",
            f"    power: [substation-{i}]",
            f"    network: [carrier-{i % 7}, fibre-{i}]",
            f"    cost: {{monthly: {2000 + 100 * (i % 10)}}}",
        ]
    out.append("services:")
    for i in range(services):
        kind = "data" if i % 5 == 0 else ("ops" if i % 97 == 0 else "app")
        primary = rng.randrange(sites)
        standby = (primary + 1) % sites  # the next region, another operator
        out += [
            f"  svc-{i}:",
            f"    kind: {kind}",
            f"    tier: {i % 4}",
            f"    owner: team-{i % 50}",
            "    rto: 1h",
            "    rpo: 15m",
            f"    cost: {{monthly: {100 + 50 * (i % 7)}}}",
            "    placements:",
            f"      - {{site: site-{primary}, role: primary}}",
        ]
        if kind == "ops":  # the tooling every failover needs: running in both places at once
            out.append(f"      - {{site: site-{standby}, role: primary}}")
            out.append("    dr: {strategy: active-active, automatic: true, last_tested: 2026-09-15}")
        elif not (defects and i % 20 == 1):
            out.append(f"      - {{site: site-{standby}, role: standby}}")
            tested = "" if defects and i % 15 == 2 else ", last_tested: 2026-09-15"
            out.append(f"    dr: {{strategy: warm-standby{tested}}}")
        if i and kind != "ops":  # the tooling depends on nothing it might have to recover
            out.append("    depends_on:")
            out += [f"      - svc-{target}" for target in rng.sample(range(i), min(i, 2))]
        if kind == "data":
            there = primary if defects and i % 25 == 0 else (primary + 2) % sites
            out += [
                "    backups:",
                f"      - {{site: site-{there}, frequency: 1h, media: object, immutable: true,"
                " restore_tested: 2026-09-01}",
            ]
    out.append("")
    return "\n".join(out)
