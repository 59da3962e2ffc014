from drcheck.api import NOT_APPLICABLE, PASSED, Example, Param, Rule, domain_phrase, listing

LISTED = 20  # recovery tooling named in the evidence (by default every ops service counts)


class RecoveryToolingColocated(Rule):
    """Finds critical services whose standby cannot be brought into service because the recovery tooling it needs
    goes down with the primary.

    ## Why it matters
    A standby only helps if someone can switch to it.  In October 2022
    Kakao's data and main applications had copies outside Pangyo, but the
    automatic switchover system, the deployment, monitoring and documentation
    tools and the permission service used to reach them ran only in the
    building that burned, so failover had to be done by hand and took days
    (Kakao, 7 Dec 2022 and 4 Jan 2023; MSIT/KCC findings, 6 Dec 2022: the
    tools needed to bring standby servers into service were duplicated only
    inside Pangyo).  NIST SP 800-34 Rev. 1 expects the recovery capability
    itself to survive the disruption it is for.

    ## When it fires
    It simulates the loss of every single failure domain (as `drcheck
    simulate` does) and fires for a service of tier <= `max_tier` with a standby placement
    when, in some scenario, its primaries are lost and a standby survives,
    but a service in its `recovery_needs` is down too, so the standby cannot
    be brought into service.  By default `recovery_needs` are the `ops`
    services as critical as the service or more (tier <=), and none when
    `dr.automatic` is true (health-checked DNS, managed Multi-AZ failover).
    Only the loss of sites counts here (a site, building, campus, operator,
    region, power feed, carrier or hazard zone), not a third-party outage.  One
    finding per service tells the worst such scenario (highest impact; then
    fewer sites lost) and lists every domain whose loss does the same.
    There is no unknown result.
    """

    id = "recovery-tooling-colocated"
    title = "Recovery tooling lost with the primary"
    severity = "critical"
    categories = ("dependencies",)
    needs_placements = True
    params = {"max_tier": Param(1, "check services of this tier and more critical (lower numbers)",
                                minimum=0, maximum=3)}
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
          switchover:
            kind: ops
            tier: 0
            placements: [{site: pangyo}]
        """, subject="service:talk")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
          switchover:
            kind: ops
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
        """)
    remediation = ("Run the recovery tooling (switchover, deployment, operator access and authentication, monitoring) "
                   "in at least one place outside the primary's failure domains, next to the standby, and rehearse "
                   "a failover with the primary's domain switched off.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4 (recovery strategies)",
                  "MSIT/KCC/NFA findings on the SK C&C Pangyo fire, 6 Dec 2022")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the simulation hands every service with the same default recovery needs the same tooling down in a
        # scenario: find where the named tooling runs once per set of names, for the inventory it runs in
        self._sites: dict[tuple[str, ...], list[str]] = {}
        self._inventory = None

    def _tooling_sites(self, ctx, named: tuple[str, ...]) -> list[str]:
        """The sites the `named` tooling services run on."""
        if self._inventory is not ctx.inventory:
            self._sites, self._inventory = {}, ctx.inventory
        found = self._sites.get(named)
        if found is None:
            services = ctx.inventory.services
            found = self._sites[named] = list(dict.fromkeys(p.site for name in named for p in services[name].placements))
        return found

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier")

    def check(self, ctx, service):
        if not any(p.role == "standby" for p in service.placements):
            return NOT_APPLICABLE
        blocked = ctx.failures.blocked_failover(service.name)
        if blocked is None:
            return PASSED
        failure, tooling, standbys = blocked.scenarios.worst, blocked.tooling, blocked.standbys
        tooling_sites = self._tooling_sites(ctx, tooling[:LISTED])
        where = f" (only in {listing(tooling_sites)})" if tooling_sites and set(tooling_sites) <= failure.sites else ""
        return self.fail(
            service,
            f"{service.name} has {'a standby' if len(standbys) == 1 else 'standbys'} in {', '.join(standbys)}, but "
            f"losing {domain_phrase(failure.domains[0])} also takes down its recovery tooling "
            f"{listing(list(tooling[:LISTED]), total=len(tooling))}{where}: it cannot be failed over",
            {"domain": str(failure.domains[0]), "tooling_down": list(tooling[:LISTED]),
             "tooling_down_count": len(tooling), "tooling_sites": list(tooling_sites),
             "recovery_needs_default": service.recovery_needs is None, "standby": standbys,
             "domains": list(blocked.scenarios.names), "domain_count": blocked.scenarios.count,
             "impact": blocked.scenarios.impact},
        )
