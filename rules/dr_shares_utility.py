from drcheck.api import PASSED, Example, Rule, alternatives_phrase, alternatives_sharing, domain_phrase, stops


class DrSharesUtility(Rule):
    """Finds services whose primary and every other placement would be lost together to one power feed or network
    carrier.

    ## Why it matters
    Sites in different buildings, even far apart, still fail together when
    they hang off one substation or reach the world through one carrier.  At Pangyo in 2022 and
    Strasbourg in 2021 it was the power cut more than the fire that stopped
    the servers; in Strasbourg it also stopped SBG4, which the fire never
    reached.  NIST SP 800-34 Rev. 1 (section 3.4.3) wants the alternate site
    in an area "unlikely to be negatively affected by the same hazard"; NIST
    SP 800-53 Rev. 5 CP-8(2)/(3) asks for alternate telecommunications with
    no single point of failure shared with the primary and from separate
    providers; DORA Art. 12(5) asks for a secondary site with a "distinct
    risk profile".  Cloud providers build their availability zones on this
    principle: AWS zones are fed by different substations and designed not
    to share fate from power, fibre, floods or earthquakes.

    ## When it fires
    It fires when, for some primary of a service that runs on two or more
    sites, the loss of one single power feed (`power`) or network carrier
    (`network`) would take that primary and every other placement at once.
    Feeds and carriers listed together are redundant: a site with two feeds
    is lost only when both are, so a feed shared with a dual-fed primary is
    no single point of failure.  A shared hazard zone destroys rather than
    cuts off: dr-shares-hazard reports it, with a higher severity.  A
    placement on the primary's own site is lost with it.  One finding per service names each primary concerned and
    every domain that would do it.  There is no unknown result: a site
    without these lists has declared nothing shared, and the rule takes it
    at its word.
    """

    id = "dr-shares-utility"
    title = "DR placement shares a power feed or network carrier with the primary"
    severity = "medium"
    categories = ("separation",)
    needs_dr = True
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {power: [seongnam-sub], network: [carrier-x]}
          anyang: {power: [anyang-sub], network: [carrier-x]}
        services:
          talk:
            placements: [{site: pangyo}, {site: anyang, role: standby}]
        """, subject="service:talk")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {power: [seongnam-sub], network: [carrier-x, carrier-y]}
          anyang: {power: [anyang-sub], network: [carrier-x]}
        services:
          talk:
            placements: [{site: pangyo}, {site: anyang, role: standby}]
        """)
    remediation = ("Give at least one standby (or second active site) its own power feed and network carrier, "
                   "different from the primary's, and fail over to it; where a shared utility cannot be avoided, "
                   "add an independent second one (a second substation, a second carrier on a diverse route).")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1), CP-8(2), CP-8(3)",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(5)",
                  "AWS whitepaper, AWS Fault Isolation Boundaries: Availability Zones")

    def check(self, ctx, service):
        concerned = []
        # a single domain can only take a primary and a placement that share it (or the primary's own site)
        for primary, alternatives in alternatives_sharing(ctx, service, ("site", *_UTILITIES)):
            common = [d for d in ctx.single_points(primary, _UTILITIES)
                      if all(ctx.loses(d, a.site) for a in alternatives)]
            if common:
                concerned.append((primary, alternatives, common))
        if not concerned:
            return PASSED
        each = [{"primary": primary, "others": [a.site for a in alternatives], "domains": [str(d) for d in common],
                 "shared": {a.site: [str(d) for d in common] for a in alternatives}}
                for primary, alternatives, common in concerned]
        return self.fail(service, "; ".join(_story(*c) for c in concerned), each[0] | {"primaries": each})


_UTILITIES = ("power", "network")


def _story(primary, alternatives, common) -> str:
    phrases = [domain_phrase(d) for d in common]
    shared = phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"
    return (f"{alternatives_phrase(alternatives)} shares {shared} with primary {primary}: losing "
            f"{'it' if len(common) == 1 else 'any one of them'} alone stops {stops(len(alternatives))}")
