from drcheck.api import Rule, domain_phrase, listing


class DrDependsOnSingleSite(Rule):
    """A standby is worth nothing if something the service cannot run without
    lives only where the primary does.  In October 2022 KakaoTalk's data was
    replicated to other data centres, but "Kakao authentication" and the
    image/video transfer system were concentrated in the Pangyo building
    that burned, so KakaoTalk stayed down although copies of it survived
    (MSIT/KCC findings, 6 Dec 2022; "the redundancy level of the whole
    system is that of the weakest system").  NIST SP 800-34 Rev. 1 asks that
    a system's dependencies be identified and recovered with it.

    It simulates the loss of every single failure domain (as `drcheck
    simulate` does) and fires for a service that runs on two or more sites when, in some
    scenario, the service goes down although one of its placements survives,
    because a hard dependency, direct or through other services, goes down.
    A service's hard dependency on itself does not count here
    (`dependency-cycle` reports it).  One finding per service tells the
    story of the worst such scenario (highest impact; then fewer sites lost)
    and lists every domain whose loss does the same.  There is no unknown
    result.
    """

    id = "dr-depends-on-single-site"
    title = "DR defeated by a hard dependency without DR"
    severity = "critical"
    remediation = ("Give the dependency named in the chain placements outside the domain (at least where this service's "
                   "standby is), or make the dependency soft so the service degrades instead of stopping; then drill "
                   "the failover of the pair together.")
    references = ("NIST SP 800-34 Rev. 1, section 3.2.1 (identify dependencies)",
                  "MSIT/KCC/NFA findings on the SK C&C Pangyo fire, 6 Dec 2022")

    def applies(self, ctx, service):
        return service.has_dr

    def check(self, ctx, service):
        simulation = ctx.simulation
        i = simulation.index[service.name]
        dependency_down = 0
        for d in simulation.deps[i]:
            if d != i:
                dependency_down |= simulation.down[d]
        scenarios = simulation.down[i] & ~simulation.all_lost[i] & dependency_down
        if not scenarios:
            return None
        described = ctx.scenario_set(scenarios)
        k, group = described.worst, described.group
        cause = simulation.cause(service.name, k)
        chain = cause.chain
        dependency, root = chain[1], chain[-1]
        surviving = [p for p in service.placements if p.site not in group.sites]
        if cause.kind == "cycle":
            why = f"needs {service.name} in turn, so neither can be failed over before the other"
        else:
            through = f"needs {root}, which " if len(chain) > 2 else ""
            why = through + _why_down(simulation, root, k)
        return self.fail(
            service,
            f"{service.name} has {_placements(surviving)}, but its hard dependency {dependency} "
            f"{why}: losing {domain_phrase(group.name)} takes {service.name} down anyway "
            f"({' → '.join(chain)})",
            {"domain": str(group.name), "chain": list(chain), "dependency": root,
             "domains": list(described.names), "domain_count": described.count,
             "surviving": [{"site": p.site, "role": p.role} for p in surviving],
             "impact": described.impact},
            # the finding's story is the service, whatever scenario tells it best today
            cause="",
            location=next(d.location for d in service.depends_on if d.service == dependency and d.hard),
        )


def _placements(placements) -> str:
    """'a standby in anyang', 'a primary in a and standbys in b, c'."""
    parts = []
    for role in ("primary", "standby"):
        sites = list(dict.fromkeys(p.site for p in placements if p.role == role))
        if sites:
            parts.append(f"a {role} in {sites[0]}" if len(sites) == 1 else f"{role}s in {', '.join(sites)}")
    return " and ".join(parts)


def _why_down(simulation, name: str, k: int) -> str:
    """Why the last service of the chain is down: its placements are lost, or its failover is blocked."""
    i, bit = simulation.index[name], 1 << k
    if simulation.all_lost[i] & bit:
        return f"runs only in {', '.join(simulation.services[i].sites)}"
    missing = simulation.needs_down_in(i, k)
    named = [simulation.services[d].name for d in missing[:5]]
    return f"cannot be failed over without {listing(named, total=len(missing))}" if missing else "cannot be failed over"
