import json

from drcheck.api import Example, Rule, listing


class DependencyCycle(Rule):
    """Finds services that need each other to start: cycles of hard dependencies, which cannot be brought back once
    they all stop.

    ## Why it matters
    Services that need each other to start cannot be brought back after
    they all stop: there is no first one to start.  A cycle of hard
    dependencies keeps running as long as its members never stop together,
    which is why it goes unnoticed until a disaster or a full restart; Kakao
    in 2022 had to start its tooling and its services by hand because the
    tools needed to restore services themselves needed the lost site.  NIST
    SP 800-34 Rev. 1 asks for a documented recovery order based on the
    dependencies between systems.

    ## When it fires
    It fires once for each cycle of hard dependencies: each group of
    services that all reach each other through hard `depends_on` entries
    (a strongly connected component), and each service with a hard
    dependency on itself.  The finding is on the first member in sorted
    order; the evidence lists the members and one concrete cycle through
    it.  Soft dependencies never form a cycle, and a redundant dependency
    (`any_of`) holds a service in one only when every one of its services is
    held too: one outside the cycle can start first.  There is no unknown
    result.
    """

    id = "dependency-cycle"
    title = "Hard dependencies form a cycle"
    severity = "high"
    categories = ("dependencies",)
    scope = "inventory"
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {}
        services:
          auth:
            placements: [{site: pangyo}]
            depends_on: [config]
          config:
            placements: [{site: pangyo}]
            depends_on: [auth]
        """, subject="service:auth")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {}
        services:
          auth:
            placements: [{site: pangyo}]
            depends_on: [config]
          config:
            placements: [{site: pangyo}]
            depends_on: [{service: auth, hard: false}]
        """)
    remediation = ("Break the cycle: make one of the dependencies soft (the service starts and degrades while the other "
                   "is missing), or split out the part the other service needs; then write down the start order.")
    references = ("NIST SP 800-34 Rev. 1, section 3.2.1 (identify dependencies and the order of recovery)",)

    def applies(self, ctx, inventory):
        return bool(inventory.services)

    def check(self, ctx, inventory):
        for members, path in ctx.dependency_cycles():
            service = inventory.services[members[0]]
            size = "" if len(members) == len(path) - 1 else f" ({len(members)} services: {listing(members)})"
            yield self.fail(
                service,
                f"hard dependencies form a cycle{size}: {' → '.join(path)}; once they are all down, recovery "
                f"cannot bootstrap: none of them can start before the others are up",
                {"members": members, "cycle": path},
                # the members name the cycle: it stays the same finding while its edges change
                cause=json.dumps(members, ensure_ascii=False),
                location=next(d.location for d in service.depends_on if path[1] in d.services and d.hard),
            )
