from drcheck.api import NOT_APPLICABLE, Rule, alternatives_sharing


class DrSharesBuilding(Rule):
    """A standby in the primary's own building is lost in the same fire, flood
    or power cut.  On 15 October 2022 a battery fire in building A of SK C&C's
    Pangyo data centre forced a cut of the whole building's power; everything
    in it stopped at once, and Kakao was disrupted for over 127 hours.  An
    alternate site has to be "unlikely to be negatively affected by the same
    hazard" as the primary (NIST SP 800-34 Rev. 1, section 3.4.3) and
    "sufficiently separated" from it (NIST SP 800-53 Rev. 5 CP-7(1)); a
    redundant secondary system must be "not collocated" (CP-9(6)).

    It fires when, for some primary of a service that runs on two or more
    sites, every other placement is in the same building as that primary:
    on a site with the same `building`, or on the primary's own site.  A site
    without `building` is its own building.  Active-active services are
    judged from each primary.  There is no unknown result: a site that
    declares no building shares a building with no other site.
    """

    id = "dr-shares-building"
    title = "DR placement in the primary's building"
    severity = "critical"
    needs_placements = True
    remediation = ("Move a standby (or a second active site) out of the primary's building, and preferably off its "
                   "campus and power feed, then make it the failover target and drill the failover.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1), CP-9(6)")

    def check(self, ctx, service):
        if not service.has_dr:
            return NOT_APPLICABLE
        return list(self._per_primary(ctx, service))

    def _per_primary(self, ctx, service):
        for primary, alternatives in alternatives_sharing(ctx, service, ("site", "building")):
            # every alternative shares the primary's building, so the primary has one
            building = ctx.site(primary).building
            others = ", ".join(map(str, alternatives))
            one = len(alternatives) == 1
            where = f"{others} is" if one else f"every other placement ({others}) is"
            yield self.fail(
                service,
                f"{where} in building {building} with primary {primary}: one fire or power cut there stops "
                f"{'both' if one else 'them all'}",
                {"primary": primary, "building": building, "others": [a.site for a in alternatives],
                 "shared": {a.site: [str(d) for d in a.shared] for a in alternatives}},
                cause=primary,
            )
