from drcheck.api import Param, Rule, domain_phrase, listing

LISTED = 20  # recovery tooling named in the evidence (by default every ops service counts)


class RecoveryToolingColocated(Rule):
    """A standby only helps if someone can switch to it.  In October 2022
    Kakao's data and main applications had copies outside Pangyo, but the
    automatic switchover system, the deployment, monitoring and documentation
    tools and the permission service used to reach them ran only in the
    building that burned, so failover had to be done by hand and took days
    (Kakao, 7 Dec 2022 and 4 Jan 2023; MSIT/KCC findings, 6 Dec 2022: the
    tools needed to bring standby servers into service were duplicated only
    inside Pangyo).  NIST SP 800-34 Rev. 1 expects the recovery capability
    itself to survive the disruption it is for.

    It simulates the loss of every single failure domain (as `drcheck
    simulate` does) and fires for a service of tier <= `max_tier` with a standby placement
    when, in some scenario, its primaries are lost and a standby survives,
    but a service in its `recovery_needs` (by default every `ops` service)
    is down too, so the standby cannot be brought into service.  One
    finding per service tells the worst such scenario (highest impact; then
    fewer sites lost) and lists every domain whose loss does the same.
    There is no unknown result.
    """

    id = "recovery-tooling-colocated"
    title = "Recovery tooling lost with the primary"
    severity = "critical"
    params = {"max_tier": Param(1, "check services of this tier and more critical (lower numbers)")}
    remediation = ("Run the recovery tooling (switchover, deployment, operator access and authentication, monitoring) "
                   "in at least one place outside the primary's failure domains, next to the standby, and rehearse "
                   "a failover with the primary's domain switched off.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4 (recovery strategies)",
                  "MSIT/KCC/NFA findings on the SK C&C Pangyo fire, 6 Dec 2022")

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier") and any(p.role == "standby" for p in service.placements)

    def check(self, ctx, service):
        simulation = ctx.simulation
        i = simulation.index[service.name]
        scenarios = (simulation.down[i] & simulation.primary_lost[i] & ~simulation.standby_lost[i]
                     & simulation.needs_down(i))
        if not scenarios:
            return None
        described = ctx.scenario_set(scenarios)
        k, group = described.worst, described.group
        tooling = simulation.needs_down_in(i, k)
        listed = [simulation.services[d] for d in tooling[:LISTED]]
        tooling_sites = list(dict.fromkeys(p.site for tool in listed for p in tool.placements))
        standbys = list(dict.fromkeys(p.site for p in service.placements
                                      if p.role == "standby" and p.site not in group.sites))
        where = f" (only in {listing(tooling_sites)})" if tooling_sites and set(tooling_sites) <= group.sites else ""
        return self.fail(
            service,
            f"{service.name} has {'a standby' if len(standbys) == 1 else 'standbys'} in {', '.join(standbys)}, but "
            f"losing {domain_phrase(group.name)} also takes down its recovery tooling "
            f"{listing([t.name for t in listed], total=len(tooling))}{where}: it cannot be failed over",
            {"domain": str(group.name), "tooling_down": [t.name for t in listed], "tooling_down_count": len(tooling),
             "tooling_sites": tooling_sites,
             "recovery_needs_default": service.recovery_needs is None, "standby": standbys,
             "domains": list(described.names), "domain_count": described.count, "impact": described.impact},
        )
