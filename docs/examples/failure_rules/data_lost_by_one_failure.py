from drcheck.api import PASSED, Example, Rule, domain_phrase, listing


class DataLostByOneFailure(Rule):
    """Finds failure domains whose loss alone loses some data for good.

    ## Why it matters
    An outage ends; data destroyed with every copy of it does not come back.

    ## When it fires
    For a failure domain (with every domain that has the same effect) whose
    loss destroys every placement and every backup site of a data service.
    There is no unknown result.
    """

    id = "data-lost-by-one-failure"
    title = "One failure loses data for good"
    severity = "high"
    scope = "domain"
    example_fires = Example("""
        version: 1
        sites:
          sbg: {building: sbg-2}
        services:
          db: {kind: data, placements: [{site: sbg}], backups: [{site: sbg}]}
        """, subject="domain:building=sbg-2")
    example_passes = Example("""
        version: 1
        sites:
          sbg: {}
          rbx: {}
        services:
          db: {kind: data, placements: [{site: sbg}], backups: [{site: rbx}]}
        """)
    remediation = "Keep a backup of each data service listed on a site outside the domain."

    def check(self, ctx, group):
        lost = ctx.failures.single_failure(group, listed=5)
        if not lost.data_lost:
            return PASSED
        return self.fail(group, f"losing {domain_phrase(group.domain)} loses the data of {listing(lost.data_lost)} "
                                f"for good, and takes down {lost.down_count} service(s)",
                         {"data_lost": lost.data_lost, "down": lost.down, "impact": round(lost.impact, 4)})
