from drcheck.api import PASSED, Example, Param, Rule, domain_phrase


class DrSiteTooClose(Rule):
    """Finds services whose every other placement is nearer to a primary than a minimum distance.

    ## Why it matters
    A DR site a few kilometres from the primary shares its disasters: the
    same grid, flood plain, earthquake, wildfire or evacuation zone.  Kakao's
    second site in 2022 was about 13 km from its Pangyo primary.  Standards ask
    for an alternate site "geographically separated" from the primary, so that
    it is not susceptible to the same hazards (NIST SP 800-34 Rev. 1, SP 800-53
    CP-6(1)/CP-7(1)); guidance puts the floor at tens to hundreds of kilometres.

    ## When it fires
    It fires when, for some primary of a service, every other placement is
    nearer than `min_distance_km` (geodesic on WGS-84).  The message names
    the smallest failure domain the primary and that placement share, besides
    distance (say, "they share campus X").  A placement on a site without a
    location makes the result unknown, and so does one at the same named cloud
    region as the primary: no provider publishes where its zones are
    (dr-shares-region judges those).  One finding per service names every
    primary concerned.
    """

    id = "dr-site-too-close"
    title = "DR site too close to the primary"
    severity = "high"
    categories = ("separation",)
    needs_dr = True
    needs_placements = True
    params = {"min_distance_km": Param(40.0, "smallest acceptable distance between a primary and its nearest DR placement",
                                       minimum=0)}
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {location: [37.4005, 127.1070]}
          anyang: {location: [37.3943, 126.9568]}
        services:
          talk:
            placements: [{site: pangyo}, {site: anyang, role: standby}]
        """, subject="service:talk")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {location: [37.4005, 127.1070]}
          busan: {location: [35.1796, 129.0756]}
        services:
          talk:
            placements: [{site: pangyo}, {site: busan, role: standby}]
        """)
    remediation = ("Place a standby (or a second active site) at least the minimum distance away, in a different hazard "
                   "area and on a different grid, and move the failover target there.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-6(1), CP-7(1)")

    def check(self, ctx, service):
        minimum = self.param("min_distance_km")
        failed, unknown = [], []
        for primary, others in ctx.primary_alternatives(service):
            if any(ctx.within_km(primary, other, minimum) is False for other in others):
                continue  # one placement far enough away is all a primary needs
            missing = sorted(s for s in [primary, *others] if ctx.site(s).coordinates is None)
            if missing:
                unknown.append((f"cannot measure distances from primary {primary}: site(s) {', '.join(missing)} "
                                "have no location", {"primary": primary, "sites_without_location": missing}))
                continue
            same_region = [other for other in others if ctx.same_named_region(primary, other)]
            if same_region:
                region = ctx.site(primary).cloud_location
                unknown.append((f"no known distance from primary {primary} to {', '.join(same_region)}: they are all "
                                f"at cloud region {region}, and no provider publishes where its zones are "
                                "(dr-shares-region judges them)",
                                {"primary": primary, "same_cloud_region": same_region, "region": region}))
                continue
            distances = {other: ctx.distance_km(primary, other) for other in others}
            farthest = max(distances, key=distances.get)
            km = round(distances[farthest], 1)
            shared = [d for d in ctx.shared_domains(primary, farthest) if d.kind != "site"]
            failed.append((primary, farthest, len(others), shared, {
                "distance_km": km, "primary": primary, "other": farthest, "min_distance_km": minimum,
                "distances_km": {k: round(v, 1) for k, v in sorted(distances.items())},
                "shared_domains": [str(d) for d in shared]}))
        if failed:
            evidence = failed[0][4] | {"primaries": [f[4] for f in failed]}
            if unknown:
                evidence["unknown"] = [u[1] for u in unknown]
            return self.fail(service, "; ".join(_story(*f[:4], f[4]["distance_km"]) for f in failed)
                             + f"; policy requires {minimum:g} km", evidence)
        if unknown:
            return self.unknown(service, "; ".join(u[0] for u in unknown), unknown[0][1] | {"primaries": [u[1] for u in unknown]})
        return PASSED


def _story(primary, farthest, others, shared, km) -> str:
    where = "DR site" if others == 1 else "farthest other site"
    sharing = f" (they share {domain_phrase(shared[0])})" if shared else ""
    return f"{where} {farthest} is {km} km from primary {primary}{sharing}"
