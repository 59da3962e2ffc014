from drcheck.api import Example, SharedDomainRule


class DrSharesHazard(SharedDomainRule):
    """Finds services whose every other placement lies in one of a primary's hazard zones (a flood plain, a fault
    line): one flood or earthquake destroys them all.

    ## Why it matters
    A hazard zone is not an outage that passes: a flood or an earthquake
    destroys what stands in it, the standby with the primary, however far
    apart their buildings are.  Strasbourg's SBG campus stands on a
    peninsula of the Rhine with water about 30 m away; two data centres on
    one flood plain are one site for the river.  NIST SP 800-34 Rev. 1
    (section 3.4.3) wants the alternate site "in a geographic area that is
    unlikely to be negatively affected by the same hazard as the
    organization's primary site"; NIST SP 800-53 Rev. 5 CP-7(1) asks for an
    alternate processing site "sufficiently separated from the primary ...
    to reduce susceptibility to the same threats"; DORA Art. 12(5) asks for
    a secondary site with a "distinct risk profile".

    ## When it fires
    It fires when, for some primary of a service that runs on two or more
    sites, one hazard zone (`hazards`) of that primary holds every other
    placement too (a placement on the primary's own site shares all its
    zones).  When every other placement is already in the primary's
    building or on its campus, dr-shares-building or dr-shares-campus
    reports it instead.  Placements that each share a different zone with
    the primary pass: no single flood takes them all.  There is no unknown
    result: a site that lists no hazards shares none.
    """

    id = "dr-shares-hazard"
    title = "DR placement in the primary's hazard zone"
    severity = "high"
    categories = ("separation",)
    example_fires = Example("""
        version: 1
        sites:
          guro-idc: {building: guro, hazards: [anyangcheon-floodplain]}
          gasan-idc: {building: gasan, hazards: [anyangcheon-floodplain]}
        services:
          ledger:
            placements: [{site: guro-idc}, {site: gasan-idc, role: standby}]
        """, subject="service:ledger")
    example_passes = Example("""
        version: 1
        sites:
          guro-idc: {building: guro, hazards: [anyangcheon-floodplain]}
          gasan-idc: {building: gasan, hazards: [anyangcheon-floodplain]}
          busan-idc: {building: busan}
        services:
          ledger:
            placements:
              - {site: guro-idc}
              - {site: gasan-idc, role: standby}
              - {site: busan-idc, role: standby}
        """)
    remediation = ("Put a standby (or a second active site) outside every hazard zone of the primary (off its flood "
                   "plain, away from its fault line), with its data replicated there; make it the failover target "
                   "and drill the failover.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1)",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(5)")
    kinds = ("site", "building", "campus", "hazard")
    narrower = ("site", "building", "campus")
    consequence = "one flood or earthquake there destroys"
