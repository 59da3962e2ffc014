from drcheck.api import PASSED, Example, Param, Rule


class ProviderConcentration(Rule):
    """Finds the most critical services whose every site is run by one operator.

    ## Why it matters
    Two sites run by one operator share that operator's failures: its
    change process, its network and control plane, its insolvency, its
    contract, its design choices.  In Strasbourg in 2021 every SBG building
    was OVHcloud's, and the investigators (BEA-RI) found that none of the
    five had automatic fire suppression.  DORA Art. 29 asks financial
    entities to weigh dependence on a provider that is "not easily
    substitutable" and multiple arrangements with "the same or closely
    connected providers"; the FFIEC Business Continuity Management booklet
    asks strategies to address the "loss of critical third-party service
    providers".

    ## When it fires
    It fires for a service of tier <= `max_tier` that runs on two or more
    sites when every one of those sites has the same `operator`.  It is
    unknown when some site has no operator and the sites that have one all
    name the same operator (two different operators already settle it).
    """

    id = "provider-concentration"
    title = "Every placement run by one operator"
    severity = "medium"
    categories = ("concentration",)
    needs_dr = True
    needs_placements = True
    params = {"max_tier": Param(0, "services of this tier and more critical (lower numbers) must not depend on one operator",
                                minimum=0, maximum=3)}
    example_fires = Example("""
        version: 1
        sites:
          ovh-sbg: {operator: OVHcloud}
          ovh-rbx: {operator: OVHcloud}
        services:
          erp:
            tier: 0
            placements: [{site: ovh-sbg}, {site: ovh-rbx, role: standby}]
        """, subject="service:erp")
    example_passes = Example("""
        version: 1
        sites:
          ovh-sbg: {operator: OVHcloud}
          own-dc: {operator: ACME}
        services:
          erp:
            tier: 0
            placements: [{site: ovh-sbg}, {site: own-dc, role: standby}]
        """)
    remediation = ("Run at least one standby (or second active site) with a different operator, such as another "
                   "colocation provider, cloud provider or an own data centre, and keep an exit plan for the main one.")
    references = ("Regulation (EU) 2022/2554 (DORA) Art. 29(1)",
                  "FFIEC IT Examination Handbook, Business Continuity Management (2019), section IV")

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier")

    def check(self, ctx, service):
        operators = {site: ctx.site(site).operator for site in service.sites}
        named = set(operators.values()) - {None}
        if len(named) > 1:
            return PASSED
        unnamed = [site for site, operator in operators.items() if operator is None]
        if unnamed:
            return self.unknown(service, f"cannot tell who runs site(s) {', '.join(unnamed)}: no operator declared",
                                {"sites_without_operator": unnamed, "operators": sorted(named)})
        operator = named.pop()
        return self.fail(
            service,
            f"{service.name} (tier {service.tier}) runs only on sites of {operator} ({', '.join(service.sites)}): "
            f"one operator's outage, insolvency or dispute reaches every placement",
            {"operator": operator, "sites": service.sites, "tier": service.tier},
        )
