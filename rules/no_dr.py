from drcheck.api import PASSED, Example, Param, Rule


class NoDr(Rule):
    """Finds critical services that run on one site only, or declare the DR strategy none.

    ## Why it matters
    A critical service that runs in one site has no disaster recovery at
    all: losing that site stops it until the site is rebuilt.  At Kakao in
    2022, login ("Kakao authentication") ran only in the Pangyo building that
    burned, and took every service that needed it down with it.

    ## When it fires
    It fires for a service of tier <= `max_tier` whose placements are all on
    one site, or whose declared strategy is `none`.  Tier 0 findings are
    critical, others high.  An external service with no placements is
    unknown: ask the provider where it runs and record it.
    """

    id = "no-dr"
    title = "Critical service without disaster recovery"
    severity = "critical"
    categories = ("separation",)
    needs_placements = True
    params = {"max_tier": Param(1, "services of this tier and more critical (lower numbers) must have DR",
                                minimum=0, maximum=3)}
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {}
        services:
          auth:
            tier: 0
            placements: [{site: pangyo}]
        """, subject="service:auth")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          auth:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
          wiki:
            tier: 2
            placements: [{site: pangyo}]
        """)
    remediation = ("Give the service a placement on a second site outside the primary's failure domains (a standby, "
                   "pilot light or a second active site), declare the strategy under dr, and drill the failover.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3", "NIST SP 800-53 Rev. 5 CP-7")

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier")

    def check(self, ctx, service):
        severity = "critical" if service.tier == 0 else "high"
        sites = service.sites
        if len(sites) == 1:
            return self.fail(service, f"{service.name} (tier {service.tier}) runs only in site {sites[0]}: losing it stops the service",
                             {"tier": service.tier, "sites": sites}, severity=severity)
        if service.strategy == "none":
            return self.fail(service, f"{service.name} (tier {service.tier}) declares dr strategy none although it runs in {len(sites)} sites",
                             {"tier": service.tier, "sites": sites, "strategy": "none"}, severity=severity)
        return PASSED
