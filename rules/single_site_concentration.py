from drcheck.api import PASSED, Example, Param, Rule, listing


class SingleSiteConcentration(Rule):
    """Finds sites that alone hold more than a set share of the estate: the services that run only there, weighted by
    tier.

    ## Why it matters
    When most of what matters runs on one site each, losing a site is a
    company-wide event, whatever the few redundant services do.  Kakao's
    Pangyo data centre held 32,000 servers, "many servers with important
    roles" among them; its fire on 15 October 2022 took down KakaoTalk,
    Kakao login, Pay, Taxi, Daum and more at once.  Afterwards Korea's MSIT
    asked providers to "distribute services across multiple datacenters",
    and DORA Art. 12(4) requires redundant ICT capacities adequate to
    business needs.

    ## When it fires
    It is judged per site: it fires for a site when the services whose
    placements are all on that one site carry more than `max_share` of the
    total tier weight of all services (tier 0 = 8, 1 = 4, 2 = 2, 3 = 1), so
    that a waiver or a fix can be about one datacenter.  External services
    without placements count in the total but are on no site.  The evidence
    names what the site holds, heaviest first.  There is no unknown result.

    The finding's penalty is the site's share itself (0.6 when 60% of the
    weight runs only there), so moving services off it raises the score step
    by step, even before the share drops below the limit.
    """

    id = "single-site-concentration"
    title = "One site alone holds most of the estate"
    severity = "high"
    categories = ("concentration",)
    scope = "site"
    params = {"max_share": Param(0.5, "largest acceptable share of the total tier weight carried by the services that run "
                                      "only on one site",
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
        """, subject="site:pangyo")
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
    remediation = ("Give the heaviest services that run only on this site (start with tiers 0 and 1) a placement on a "
                   "second site outside its building, campus and power feed.")
    references = ("MSIT (Korea), Digital Service Stability Enhancement Measures, 30 Mar 2023",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(4)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held: tuple[object, dict[str, list], int] | None = None  # (inventory, site -> its services, total)

    def _holdings(self, ctx) -> tuple[dict[str, list], int]:
        """The services that run only on each site, heaviest first, and the total tier weight: once per audit."""
        if self._held is None or self._held[0] is not ctx.inventory:
            services = ctx.inventory.services.values()
            by_site: dict[str, list] = {}
            for service in services:
                if len(service.sites) == 1:
                    by_site.setdefault(service.sites[0], []).append(service)
            for held in by_site.values():
                held.sort(key=lambda s: -s.weight)
            self._held = (ctx.inventory, by_site, sum(s.weight for s in services))
        return self._held[1], self._held[2]

    def applies(self, ctx, site):
        return site.name in self._holdings(ctx)[0]

    def check(self, ctx, site):
        by_site, total = self._holdings(ctx)
        held = by_site[site.name]
        weight = sum(s.weight for s in held)
        share = weight / total
        if share <= self.param("max_share"):
            return PASSED
        names = [s.name for s in held]
        return self.fail(
            site,
            f"{site.name} alone holds {share:.1%} of the tier weight ({weight} of {total}): {listing(names)} "
            f"{'runs' if len(names) == 1 else 'run'} only there; policy allows {self.param('max_share') * 100:g}%",
            {"share": round(share, 4), "max_share": self.param("max_share"), "weight": weight, "total_weight": total,
             "services": names},
            penalty=share,
        )
