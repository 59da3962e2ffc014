from drcheck.api import Example, SharedDomainRule


class DrSharesRegion(SharedDomainRule):
    """Finds services whose every other placement is in a primary's region, off its campus: zones of one region are
    high availability, not disaster recovery.

    ## Why it matters
    Zones of one region are high availability, not disaster recovery.
    Availability zones are separate buildings on separate power, a few to
    tens of kilometres apart, so that one zone's fire or power cut leaves the
    others running; but they share the region's control plane, its network
    backbone, its operator's regional software and its natural hazards.
    Regional events take every zone down at once: AWS us-east-1 on 7 December
    2021 and 20 October 2025, Google Cloud europe-west9 on 25 April 2023
    (water in one Paris data centre took the whole region out for hours).
    The charge against Kakao in 2022 was DR "only in a different availability
    zone" of the same place.  NIST SP 800-34 Rev. 1 (section 3.4.3) wants the
    alternate site "unlikely to be negatively affected by the same hazard";
    DORA Art. 12(5) asks for a secondary site with a "distinct risk profile".

    ## When it fires
    It fires when, for some primary of a service that runs on two or more
    sites, every other placement is in the primary's `region` but not every
    one is on its campus (that case is dr-shares-campus's or
    dr-shares-building's, so the rules never report the same primary).  One
    finding per service names every primary concerned.  There is no unknown
    result: a site without `region` shares a region with no other site.
    Sites placed at the same named cloud region have no known distance
    between them (dr-site-too-close reports `unknown` for them): this rule
    speaks for them.
    """

    id = "dr-shares-region"
    title = "DR placement in the primary's region"
    severity = "high"
    categories = ("separation",)
    example_fires = Example("""
        version: 1
        sites:
          euw1-az1: {kind: cloud-zone, region: eu-west-1, building: az1}
          euw1-az2: {kind: cloud-zone, region: eu-west-1, building: az2}
        services:
          checkout:
            placements: [{site: euw1-az1}, {site: euw1-az2, role: standby}]
        """, subject="service:checkout")
    example_passes = Example("""
        version: 1
        sites:
          euw1-az1: {kind: cloud-zone, region: eu-west-1, building: az1}
          euw1-az2: {kind: cloud-zone, region: eu-west-1, building: az2}
          euc1-az1: {kind: cloud-zone, region: eu-central-1, building: fra1}
        services:
          checkout:
            placements:
              - {site: euw1-az1}
              - {site: euw1-az2, role: standby}
              - {site: euc1-az1, role: standby}
        """)
    remediation = ("Keep the zones for high availability, and add a standby (or a second active site) in another "
                   "region, with its data replicated there and its own copy of the recovery tooling; make it the "
                   "failover target and drill a regional failover.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1)",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(5)",
                  "AWS whitepaper, AWS Fault Isolation Boundaries: Availability Zones and Regions")
    kinds = ("site", "building", "campus", "region")
    narrower = ("site", "building", "campus")
    consequence = "a regional outage or disaster stops"
