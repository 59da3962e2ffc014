"""Generate large synthetic inventories for the benchmark (deterministic for a given seed)."""
from __future__ import annotations

import random


def synthetic_inventory(services: int, sites: int = 200, deps_per_service: int = 4, seed: int = 1) -> str:
    """Return the YAML text of an estate shaped like the one in issue #3.

    Sites fall into 50 buildings, 25 campuses, 5 operators, 10 regions and
    shared power and network feeds; each service has a primary and usually a
    standby, and about `deps_per_service` hard or soft dependencies, mostly on
    services defined before it (so most of the graph is acyclic, with some
    cycles, as in real estates).
    """
    rng = random.Random(seed)
    out = ["version: 1", f"name: synthetic-{services}", "sites:"]
    for i in range(sites):
        lat = 30 + (i % 20) * 1.1 + rng.random() * 0.01
        lon = -10 + (i // 20) * 3.3 + rng.random() * 0.01
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
        if i:
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
