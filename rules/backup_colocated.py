from drcheck.api import COLOCATED_KM, PASSED, Example, Param, Rule, nearest_domain


class BackupColocated(Rule):
    """Finds services whose every backup would be lost with a primary: on its site, in its building, on its campus,
    or nearer than a minimum distance.

    ## Why it matters
    A backup that burns with the data it protects is no backup.  When
    OVHcloud's SBG2 building in Strasbourg burned on 10 March 2021, Bati
    Courtage's VPS backups, sold as "physically isolated from the
    infrastructure in which the VPS is set up", were in another building of
    the same campus and were lost with it; the Lille commercial court held OVH
    liable on 26 January 2023.  Facepunch's Rust game servers kept only a copy
    in the same building and could not be restored.  In the NIRS Daejeon fire
    (26 September 2025) the government's G-Drive had no copy outside the
    burning centre, and about 858 TB were lost.  NIST SP 800-53 CP-9(3) asks
    for backups "in a separate facility ... that is not collocated", and
    CP-6(1) for a storage site "sufficiently separated" to face other threats.

    ## When it fires
    It fires when every backup of a service shares a failure domain with one
    of its primaries: the same site, the same building, the same campus, or a
    geodesic distance under `min_distance_km` (40 km by default, drcheck's own
    heuristic: no standard gives a figure).  The finding names, for each
    backup site, the smallest domain it shares and with which primary.  One
    backup outside all of them is enough to pass.  If no backup is known to be
    outside and some could only be judged by distance from a site without a
    location, or in the same named cloud region as a primary (where zone
    positions are not published), the result is unknown; so is a service
    with no primary placement.
    """

    id = "backup-colocated"
    title = "Every backup shares a failure domain with the primary"
    severity = "critical"
    categories = ("backups",)
    needs_placements = True
    params = {"min_distance_km": Param(COLOCATED_KM, "smallest acceptable distance between a primary and a backup",
                                       minimum=0)}
    example_fires = Example("""
        version: 1
        sites:
          ovh-sbg1: {campus: ovh-strasbourg, location: [48.5854, 7.7977]}
          ovh-sbg2: {campus: ovh-strasbourg, location: [48.5856, 7.7981]}
        services:
          vps-bati:
            kind: data
            placements: [{site: ovh-sbg2}]
            backups: [{site: ovh-sbg1}]
        """, subject="service:vps-bati")
    example_passes = Example("""
        version: 1
        sites:
          ovh-sbg2: {campus: ovh-strasbourg, location: [48.5856, 7.7981]}
          ovh-rbx: {campus: ovh-roubaix, location: [50.6916, 3.2002]}
        services:
          vps-bati:
            kind: data
            placements: [{site: ovh-sbg2}]
            backups: [{site: ovh-rbx}]
        """)
    remediation = ("Keep at least one backup copy in another building on another campus, at least the minimum distance "
                   "from every primary (another region, or a vault or cloud storage with its own failure domains), "
                   "and make that copy immutable or offline.")
    references = ("NIST SP 800-53 Rev. 5 CP-9(3), CP-6(1)", "NIST SP 800-34 Rev. 1, section 3.4.2",
                  "Regulation (EU) 2022/2554 (DORA), Art. 12(3)",
                  "Tribunal de commerce de Lille, 26 Jan 2023 (Bati Courtage v. OVH)")

    def applies(self, ctx, service):
        return bool(service.backups)

    def check(self, ctx, service):
        primaries = list(dict.fromkeys(p.site for p in service.primaries))
        backup_sites = list(dict.fromkeys(b.site for b in service.backups))
        if not primaries:
            return self.unknown(service, f"cannot tell whether the backups of {service.name} are away from its data: "
                                         "it has no primary placement", {"backup_sites": backup_sites})
        minimum = self.param("min_distance_km")
        colocated, unlocated, same_region = [], set(), set()
        for site in backup_sites:
            nearest, lacking, unmeasured = nearest_domain(ctx, site, primaries, minimum)
            if nearest is not None:
                colocated.append(nearest)
            elif lacking or unmeasured:
                unlocated |= lacking
                same_region |= unmeasured
            else:
                return PASSED  # this backup is outside every primary's failure domains
        if unlocated or same_region:
            reasons = ([f"site(s) {', '.join(sorted(unlocated))} have no location"] if unlocated else []) + [
                f"backup site {b} and primary {p} are both at cloud region {r}, where zone positions are not published"
                for b, p, r in sorted(same_region)]
            evidence = {"sites_without_location": sorted(unlocated), "backups": colocated, "min_distance_km": minimum}
            if same_region:
                evidence["same_cloud_region"] = [{"site": b, "primary": p, "region": r} for b, p, r in sorted(same_region)]
            return self.unknown(service, f"cannot tell whether any backup of {service.name} is outside its primaries' "
                                         f"failure domains: {'; '.join(reasons)}", evidence)
        return self.fail(service, self._story(service.name, colocated, minimum),
                         {"backups": colocated, "min_distance_km": minimum})

    @staticmethod
    def _story(name, colocated, minimum):
        def where(c):
            primary, value = c["primary"], c["value"]
            return {"site": f"on its primary's own site {primary}",
                    "building": f"in building {value} with its primary {primary}",
                    "campus": f"on campus {value} with its primary {primary}",
                    "distance": f"within {minimum:g} km of its primary {primary}"}[c["domain"]]

        def away(c):
            return [] if c["domain"] == "site" or c["distance_km"] is None else [f"{c['distance_km']} km away"]

        if len(colocated) == 1:
            (c,) = colocated
            notes = [] if c["domain"] == "site" else [f"backup at {c['site']}", *away(c)]
            return f"every backup of {name} is {where(c)}" + (f" ({', '.join(notes)})" if notes else "")
        parts = [f"at {c['site']}, {where(c)}" + "".join(f" ({note})" for note in away(c)) for c in colocated]
        return f"every backup of {name} is in a failure domain of a primary: {'; '.join(parts)}"
