from drcheck.api import Example, SharedDomainRule


class DrSharesCampus(SharedDomainRule):
    """Finds services whose every other placement is on a primary's campus, in another building of it.

    ## Why it matters
    Separate buildings on one campus are not separate failure domains: they
    share the site's power intake, fire brigade access, flood plain and
    cordon.  In Strasbourg on 10 March 2021 a fire destroyed OVHcloud's SBG2,
    spread into SBG1, and power was cut across the whole site, stopping SBG1,
    SBG3 and SBG4 as well: adjacent buildings on one campus.  A standby in
    another SBG building went down with its primary.  An alternate site
    has to be "unlikely to be negatively affected by the same hazard" as the
    primary (NIST SP 800-34 Rev. 1, section 3.4.3) and "sufficiently
    separated" from it (NIST SP 800-53 Rev. 5 CP-7(1)); DORA Art. 12(5) asks
    for a secondary site with a "distinct risk profile" (binding on CSDs,
    widely used as the benchmark).

    ## When it fires
    It fires when, for some primary of a service that runs on two or more
    sites, every other placement is on the primary's campus (same `campus`,
    same building, or the primary's own site) but not every one is in its
    building: that case is dr-shares-building's, so the two never report the
    same primary.  A site without `campus` has its building as its campus.
    There is no unknown result.
    """

    id = "dr-shares-campus"
    title = "DR placement on the primary's campus"
    severity = "high"
    categories = ("separation",)
    example_fires = Example("""
        version: 1
        sites:
          ovh-sbg1: {building: sbg1, campus: ovh-strasbourg}
          ovh-sbg3: {building: sbg3, campus: ovh-strasbourg}
        services:
          erp:
            placements: [{site: ovh-sbg1}, {site: ovh-sbg3, role: standby}]
        """, subject="service:erp")
    example_passes = Example("""
        version: 1
        sites:
          ovh-sbg1: {building: sbg1, campus: ovh-strasbourg}
          ovh-rbx: {building: rbx1, campus: ovh-roubaix}
        services:
          erp:
            placements: [{site: ovh-sbg1}, {site: ovh-rbx, role: standby}]
        """)
    remediation = ("Move a standby (or a second active site) off the primary's campus, to a site with its own power "
                   "intake and hazard area, then make it the failover target and drill the failover.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1), CP-9(6)",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(5)")
    kinds = ("site", "building", "campus")
    narrower = ("site", "building")
    consequence = "a campus-wide fire or power cut stops"
