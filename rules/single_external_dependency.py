from drcheck.api import AnyOf, Example, Param, Rule, listing


class SingleExternalDependency(Rule):
    """Finds critical services with DR that cannot run without one particular third-party provider.

    ## Why it matters
    A standby in a second data centre does not help when the payment
    gateway, identity provider or DNS host that the service cannot run
    without is down: that provider's outage stops the service wherever it
    runs.  Kakao's 2022 outage reached every third-party app that signed in
    with Kakao Login.  DORA Art. 29 asks financial entities to weigh
    providers that are "not easily substitutable", and the DORA RTS on ICT
    risk management (Art. 25 and 26) ask that continuity plans and their
    tests cover the failure of ICT third-party providers; the FFIEC Business
    Continuity Management booklet asks strategies to address the "loss of
    critical third-party service providers".

    ## When it fires
    It fires for a service of tier <= `max_tier` that runs on two or more
    sites (it has DR) and hard-depends, directly, on a service of kind
    `external` that it names on its own, not as one of an `any_of` group.
    One finding per service names every such provider.  A soft dependency,
    or a group of providers of which any one will do (two payment gateways:
    `{any_of: [pg-a, pg-b]}`), passes.  Only services with such a
    dependency are evaluated; one whose placements are not known is unknown.
    """

    id = "single-external-dependency"
    title = "DR stopped by one external provider"
    severity = "medium"
    categories = ("dependencies",)
    needs_dr = True
    needs_placements = True
    params = {"max_tier": Param(0, "services of this tier and more critical (lower numbers) must not hard-depend on "
                                   "one external provider", minimum=0, maximum=3)}
    example_fires = Example("""
        version: 1
        sites:
          gasan: {}
          busan: {}
        services:
          card-payments:
            tier: 0
            placements: [{site: gasan}, {site: busan, role: standby}]
            depends_on: [pg-toss]
          pg-toss: {kind: external}
        """, subject="service:card-payments")
    example_passes = Example("""
        version: 1
        sites:
          gasan: {}
          busan: {}
        services:
          card-payments:
            tier: 0
            placements: [{site: gasan}, {site: busan, role: standby}]
            depends_on: [{any_of: [pg-toss, pg-inicis]}]
          pg-toss: {kind: external}
          pg-inicis: {kind: external}
        """)
    remediation = ("Contract a second provider for the same function and write both as "
                   "`{any_of: [first, second]}` (with the switch between them drilled), or make the dependency soft "
                   "so the service degrades instead of stopping while the provider is out.")
    references = ("Regulation (EU) 2022/2554 (DORA) Art. 29(1)",
                  "Commission Delegated Regulation (EU) 2024/1774, Art. 25(2) and 26",
                  "FFIEC IT Examination Handbook, Business Continuity Management (2019), section IV")

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier") and bool(_lone_providers(ctx, service))

    def check(self, ctx, service):
        single = _lone_providers(ctx, service)
        providers = list(dict.fromkeys(d.service for d in single))
        which = f"the external provider {providers[0]}" if len(providers) == 1 else \
            f"{len(providers)} external providers, each on its own ({listing(providers)})"
        return self.fail(
            service,
            f"{service.name} (tier {service.tier}) runs on {len(service.sites)} sites but cannot run without "
            f"{which}: an outage there stops it whatever its DR",
            {"providers": providers, "tier": service.tier, "sites": service.sites},
            location=single[0].location,
        )


def _lone_providers(ctx, service) -> list:
    """The service's hard dependencies on an external service named on its own (not in an any_of group)."""
    return [d for d in service.depends_on if d.hard and not isinstance(d, AnyOf) and d.service != service.name
            and ctx.inventory.services[d.service].kind == "external"]
