from drcheck.api import PASSED, Example, Param, Rule, domain_phrase, listing

LISTED = 50  # names in the evidence, heaviest first: a region can hold thousands


class BlastRadius(Rule):
    """Finds failure domains whose loss alone takes down more than a set share of the estate, weighted by tier.

    ## Why it matters
    One failure domain should never take most of the business down with it.
    On 15 October 2022 a battery fire in building A of SK C&C's Pangyo data
    centre cut the power to the whole building; Kakao's main data centre was
    in it, and KakaoTalk, Kakao login, Pay, Taxi, Daum and more stopped at
    once, some for five days.  NIST SP 800-34 Rev. 1 asks for a business
    impact analysis of each disruption; DORA Art. 11 requires ICT business
    continuity arrangements that limit the impact of severe disruptions.

    ## When it fires
    It simulates the loss of every single failure domain (a site, building,
    campus, operator, region, power feed, network carrier, hazard zone, the
    area within the policy's `area_radius_km` of a site, or an external
    service's outage) the way `drcheck simulate` does, following hard
    dependencies and recovery tooling, and fires when the services down
    carry more than `max_share` of the total tier weight (tier 0 = 8, 1 = 4,
    2 = 2, 3 = 1).  Domains whose loss has the same effect (the same
    services down, the same data lost) are one scenario and one finding,
    under the first of them in the order building, site, campus, hazard,
    area, power, network, operator, region, service; its message and
    evidence (`equivalent_domains`) name the others.  The evidence names
    what goes down, heaviest first, and which data is lost for good (at most
    50 of each, with the full counts).  There is no unknown result.

    The finding's penalty is the share taken down (0.62 when 62% of the
    weight goes down), so shrinking the blast radius raises the score even
    before it drops below the limit.
    """

    id = "blast-radius"
    title = "One failure domain takes down too much"
    severity = "high"
    categories = ("concentration",)
    scope = "domain"
    params = {"max_share": Param(0.25, "largest acceptable share of the tier weight that one lost domain may take down",
                                 minimum=0, maximum=1)}
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}]
          wiki:
            tier: 3
            placements: [{site: anyang}]
        """, subject="domain:site=pangyo")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
          wiki:
            tier: 3
            placements: [{site: anyang}]
        """)
    remediation = ("Spread the services listed over sites in different buildings, campuses and power feeds, starting "
                   "with the heaviest tiers and the shared dependencies (login, databases, recovery tooling) that take "
                   "the others down with them; `drcheck simulate --fail DOMAIN=VALUE` shows why each one goes down.")
    references = ("NIST SP 800-34 Rev. 1, section 3.2 (business impact analysis)",
                  "Regulation (EU) 2022/2554 (DORA) Art. 11")

    def check(self, ctx, group):
        impact = ctx.failures.impact_of(group)
        if impact <= self.param("max_share"):
            return PASSED
        lost = ctx.failures.single_failure(group, LISTED)
        down, down_count, data_lost = lost.down, lost.down_count, lost.data_lost
        story = f"takes down {_percent(impact)} of tier-weighted services ({listing(down, total=down_count)})"
        if data_lost:
            story += f" and loses the data of {listing(data_lost)} for good"
        sites = sorted(group.sites)
        others = [domain_phrase(d) for d in group.domains[1:]]
        same = f" (or, with the same effect, {listing(others, total=len(others))})" if others else ""
        return self.fail(
            group,
            f"losing {domain_phrase(group.domain)}{same} {story}; policy allows {_percent(self.param('max_share'))}",
            {"domain": str(group.domain), "equivalent_domains": [str(d) for d in group.domains[1:]],
             "sites_lost": sites[:LISTED], "impact": round(impact, 4), "max_share": self.param("max_share"),
             "down": down, "down_count": down_count, "data_lost": data_lost[:LISTED], "data_lost_count": len(data_lost)},
            # a third party's outage (service=NAME) holds no site: it is written where the service is
            location=(ctx.site(group.domain.value if group.domain.kind == "area" else sites[0]).location if sites
                      else ctx.inventory.services[group.domain.value].location),
            penalty=impact,
        )


def _percent(share: float) -> str:
    return f"{round(share * 100, 1):g}%"
