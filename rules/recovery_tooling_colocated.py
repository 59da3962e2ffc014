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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the simulation hands every service with the default recovery needs the same list of tooling
        # down in a scenario: name it once per list (kept with it, so an id is never reused)
        self._named: dict[int, tuple[list[int], list[str], list[str]]] = {}

    def _listed(self, simulation, tooling: list[int]) -> tuple[list[str], list[str]]:
        """The names of the first LISTED services of `tooling`, and the sites they run on."""
        named = self._named.get(id(tooling))
        if named is None or named[0] is not tooling:
            tools = [simulation.services[d] for d in tooling[:LISTED]]
            named = self._named[id(tooling)] = (
                tooling, [t.name for t in tools], list(dict.fromkeys(p.site for t in tools for p in t.placements)))
        return named[1], named[2]

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
        listed, tooling_sites = self._listed(simulation, tooling)
        standbys = list(dict.fromkeys(p.site for p in service.placements
                                      if p.role == "standby" and p.site not in group.sites))
        where = f" (only in {listing(tooling_sites)})" if tooling_sites and set(tooling_sites) <= group.sites else ""
        return self.fail(
            service,
            f"{service.name} has {'a standby' if len(standbys) == 1 else 'standbys'} in {', '.join(standbys)}, but "
            f"losing {domain_phrase(group.name)} also takes down its recovery tooling "
            f"{listing(listed, total=len(tooling))}{where}: it cannot be failed over",
            {"domain": str(group.name), "tooling_down": list(listed), "tooling_down_count": len(tooling),
             "tooling_sites": list(tooling_sites),
             "recovery_needs_default": service.recovery_needs is None, "standby": standbys,
             "domains": list(described.names), "domain_count": described.count, "impact": described.impact},
        )
