from drcheck.api import COLOCATED_KM, PASSED, Example, Rule, nearest_domain, shared_region


class BackupSharesRegion(Rule):
    """Finds services whose every backup is in the region of one of its primaries.

    ## Why it matters
    A copy in the primary's own region is lost or out of reach with it in a
    regional disaster or outage: an earthquake, a flood across a metropolitan
    area, a cloud region's control plane down for a day.  After the
    Strasbourg fire of 10 March 2021 OVHcloud found that its own internal
    backups "had been within a data centre or, in some cases, in another
    data centre in the same region", and moved them out.  Cloud snapshots and
    object-store copies live in the primary's region unless copied out on
    purpose.  NIST SP 800-53 Rev. 5 CP-6(1) asks for an alternate storage
    site "sufficiently separated from the primary storage site to reduce
    susceptibility to the same threats", and CP-6(3) for access to it in an
    area-wide disruption.

    ## When it fires
    It fires when every backup of a service is at a site in the `region` of
    one of its primaries, or at the same named cloud region (section 7 of the
    format: `location: aws:ap-northeast-2`).  When every backup is already
    on a primary's site, building or campus, or within 40 km of it,
    backup-colocated reports it (critical) and this rule passes.  A backup
    site with no `region` shares a region with none.  A service with backups
    whose placements are not known (an external one, or one not yet placed)
    is unknown.
    """

    id = "backup-shares-region"
    title = "Every backup is in the primary's region"
    severity = "high"
    categories = ("backups",)
    needs_placements = True
    example_fires = Example("""
        version: 1
        sites:
          apne2-az1: {kind: cloud-zone, location: "aws:ap-northeast-2", region: aws-apne2, building: apne2-az1}
          apne2-s3: {kind: cloud-region, location: "aws:ap-northeast-2", region: aws-apne2}
        services:
          ledger-db:
            kind: data
            tier: 0
            placements: [{site: apne2-az1}]
            backups: [{site: apne2-s3, media: object}]
        """, subject="service:ledger-db")
    example_passes = Example("""
        version: 1
        sites:
          apne2-az1: {kind: cloud-zone, location: "aws:ap-northeast-2", region: aws-apne2, building: apne2-az1}
          apne2-s3: {kind: cloud-region, location: "aws:ap-northeast-2", region: aws-apne2}
          apne3-s3: {kind: cloud-region, location: "aws:ap-northeast-3", region: aws-apne3}
        services:
          ledger-db:
            kind: data
            tier: 0
            placements: [{site: apne2-az1}]
            backups: [{site: apne2-s3, media: object}, {site: apne3-s3, media: object}]
        """)
    remediation = ("Copy at least one backup to another region (a cross-region snapshot or object-store copy, a "
                   "vault in another part of the country), make it immutable or offline, and restore from it once "
                   "to prove it.")
    references = ("NIST SP 800-53 Rev. 5 CP-6(1), CP-6(3), CP-9(3)", "NIST SP 800-34 Rev. 1, section 3.4.2",
                  "Regulation (EU) 2022/2554 (DORA), Art. 12(3)")

    def applies(self, ctx, service):
        return bool(service.backups)

    def check(self, ctx, service):
        primaries = list(dict.fromkeys(p.site for p in service.primaries))
        backup_sites = list(dict.fromkeys(b.site for b in service.backups))
        in_region = []
        for site in backup_sites:
            shared = next(((primary, region) for primary in primaries
                           if (region := shared_region(ctx, site, primary)) is not None), None)
            if shared is None:
                return PASSED  # this backup is out of every primary's region
            in_region.append({"site": site, "primary": shared[0], "region": shared[1]})
        if all(nearest_domain(ctx, site, primaries, COLOCATED_KM)[0] is not None for site in backup_sites):
            return PASSED  # every backup is next to a primary: backup-colocated's finding
        if len(in_region) == 1:
            (b,) = in_region
            story = f"the only backup of {service.name}, at {b['site']}, is in region {b['region']} with its primary {b['primary']}"
        else:
            story = f"every backup of {service.name} is in the region of a primary: " + "; ".join(
                f"{b['site']} in {b['region']} with {b['primary']}" for b in in_region)
        return self.fail(service, f"{story}: a regional disaster or outage takes the data and its copies at once",
                         {"backups": in_region})
