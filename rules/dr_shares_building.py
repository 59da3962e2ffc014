from drcheck.api import Example, SharedDomainRule


class DrSharesBuilding(SharedDomainRule):
    """Finds services whose every other placement is in a primary's own building.

    ## Why it matters
    A standby in the primary's own building is lost in the same fire, flood
    or power cut.  On 15 October 2022 a battery fire in building A of SK C&C's
    Pangyo data centre forced a cut of the whole building's power; everything
    in it stopped at once, and Kakao was disrupted for over 127 hours.  An
    alternate site has to be "unlikely to be negatively affected by the same
    hazard" as the primary (NIST SP 800-34 Rev. 1, section 3.4.3) and
    "sufficiently separated" from it (NIST SP 800-53 Rev. 5 CP-7(1)); a
    redundant secondary system must be "not collocated" (CP-9(6)).

    ## When it fires
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
    categories = ("separation",)
    example_fires = Example("""
        version: 1
        sites:
          pangyo-hall1: {building: skcc-pangyo-a}
          pangyo-hall2: {building: skcc-pangyo-a}
        services:
          talk:
            placements: [{site: pangyo-hall1}, {site: pangyo-hall2, role: standby}]
        """, subject="service:talk")
    example_passes = Example("""
        version: 1
        sites:
          pangyo-hall1: {building: skcc-pangyo-a}
          pangyo-hall2: {building: skcc-pangyo-a}
          anyang: {building: anyang-dc}
        services:
          talk:
            placements:
              - {site: pangyo-hall1}
              - {site: pangyo-hall2, role: standby}
              - {site: anyang, role: standby}
        """)
    remediation = ("Move a standby (or a second active site) out of the primary's building, and preferably off its "
                   "campus and power feed, then make it the failover target and drill the failover.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1), CP-9(6)")
    kinds = ("site", "building")
    consequence = "one fire or power cut there stops"
