from drcheck.api import PASSED, Example, Rule


class NoBackup(Rule):
    """Finds data services that declare no backups.

    ## Why it matters
    A data store without backups loses its data with its placements:
    replication copies deletions, corruption and ransomware along with good
    writes, and a fire that takes the site takes every replica in it.  In the
    NIRS Daejeon fire of 26 September 2025 the government's G-Drive, used by
    about 750,000 civil servants, had no external backup because of its
    "large-capacity, low-performance" storage design; about 858 TB were lost.

    ## When it fires
    It fires for every service of kind `data` that declares no backups.
    A data service without backups whose placements are not known (an
    external one, or one not yet placed) is unknown: nobody has said yet
    where its data is, or whether a provider keeps copies of it.  Where the
    backups are, how many and whether restores work are the business of
    backup-colocated, backup-3-2-1 and restore-untested.
    """

    id = "no-backup"
    title = "Data service without backups"
    severity = "critical"
    categories = ("backups",)
    example_fires = Example("""
        version: 1
        sites:
          nirs-daejeon: {}
        services:
          g-drive:
            kind: data
            placements: [{site: nirs-daejeon}]
        """, subject="service:g-drive")
    example_passes = Example("""
        version: 1
        sites:
          nirs-daejeon: {}
          nirs-gwangju: {}
        services:
          g-drive:
            kind: data
            placements: [{site: nirs-daejeon}]
            backups: [{site: nirs-gwangju}]
        """)
    remediation = ("Back the data up to a site outside the primaries' building and campus, on a schedule that meets its "
                   "rpo, keep one copy immutable or offline, and declare the copies under backups.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.2 (backup and recovery)", "NIST SP 800-53 Rev. 5 CP-9",
                  "Regulation (EU) 2022/2554 (DORA), Art. 12(1)")

    def applies(self, ctx, service):
        return service.kind == "data"

    def check(self, ctx, service):
        if service.backups:
            return PASSED
        if not service.placements:
            return self.unknown(service, f"{service.name} is a data service with no backups and no known placements: "
                                         "cannot tell where its only copies are", {"sites": []})
        return self.fail(service, f"{service.name} is a data service with no backups: its only copies are where it "
                                  f"runs ({', '.join(service.sites)})", {"sites": service.sites})
