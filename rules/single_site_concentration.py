from drcheck.api import PASSED, Param, Rule, listing


class SingleSiteConcentration(Rule):
    """When most of what matters runs on one site each, losing a site is a
    company-wide event, whatever the few redundant services do.  Kakao's
    Pangyo data centre held 32,000 servers, "many servers with important
    roles" among them; its fire on 15 October 2022 took down KakaoTalk,
    Kakao login, Pay, Taxi, Daum and more at once.  Afterwards Korea's MSIT
    asked providers to "distribute services across multiple datacenters",
    and DORA Art. 12(4) requires redundant ICT capacities adequate to
    business needs.

    It fires when the services whose placements are all on one site carry
    more than `max_share` of the total tier weight of all services (tier 0 =
    8, 1 = 4, 2 = 2, 3 = 1).  External services without placements count in
    the total but are not single-site.  The evidence gives, for each site,
    the weight and names of the services that run only there.  There is no
    unknown result.

    The finding's penalty is the single-site share itself (0.6 when 60% of
    the weight runs on single sites), so moving services to a second site
    raises the score step by step, even before the share drops below the
    limit.
    """

    id = "single-site-concentration"
    title = "Most of the estate runs on single sites"
    severity = "high"
    scope = "inventory"
    params = {"max_share": Param(0.5, "largest acceptable share of the total tier weight carried by single-site services",
                                 minimum=0, maximum=1)}
    remediation = ("Give the heaviest single-site services (start with tiers 0 and 1, and the sites listed) a placement "
                   "on a second site outside the first one's building, campus and power feed.")
    references = ("MSIT (Korea), Digital Service Stability Enhancement Measures, 30 Mar 2023",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(4)")

    def applies(self, ctx, inventory):
        return bool(inventory.services)

    def check(self, ctx, inventory):
        total = sum(s.weight for s in inventory.services.values())
        by_site: dict[str, list] = {}
        for service in inventory.services.values():
            if len(service.sites) == 1:
                by_site.setdefault(service.sites[0], []).append(service)
        single = sum(s.weight for services in by_site.values() for s in services)
        share = single / total
        if share <= self.param("max_share"):
            return PASSED
        sites = sorted(by_site, key=lambda site: (-sum(s.weight for s in by_site[site]), site))
        per_site = {site: {"weight": sum(s.weight for s in by_site[site]), "services": [s.name for s in by_site[site]]}
                    for site in sites}
        listed = "; ".join(f"{site} holds {entry['weight']} ({listing(entry['services'])})" for site, entry in
                           list(per_site.items())[:3])
        more = f"; and {len(sites) - 3} more site(s)" if len(sites) > 3 else ""
        return self.fail(
            inventory,
            f"services that run on a single site carry {share:.1%} of the tier weight ({single} of {total}); "
            f"policy allows {self.param('max_share') * 100:g}%: {listed}{more}",
            {"share": round(share, 4), "max_share": self.param("max_share"), "single_site_weight": single,
             "total_weight": total, "sites": per_site},
            location=ctx.site(sites[0]).location,
            penalty=share,
        )
