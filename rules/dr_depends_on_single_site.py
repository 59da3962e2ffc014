from functools import cache

from drcheck.api import PASSED, Example, Rule, domain_phrase, listing


class DrDependsOnSingleSite(Rule):
    """Finds services with DR that go down anyway when a site is lost, because a hard dependency, direct or through
    other services, goes down with it.

    ## Why it matters
    A standby is worth nothing if something the service cannot run without
    lives only where the primary does.  In October 2022 KakaoTalk's data was
    replicated to other data centres, but "Kakao authentication" and the
    image/video transfer system were concentrated in the Pangyo building
    that burned, so KakaoTalk stayed down although copies of it survived
    (MSIT/KCC findings, 6 Dec 2022; "the redundancy level of the whole
    system is that of the weakest system").  NIST SP 800-34 Rev. 1 asks that
    a system's dependencies be identified and recovered with it.

    ## When it fires
    It simulates the loss of every single failure domain (as `drcheck
    simulate` does) and fires for a service that runs on two or more sites when, in some
    scenario, the service goes down although one of its placements survives,
    because a hard dependency, direct or through other services, goes down.
    Only the loss of sites counts (a site, building, campus, operator,
    region, power feed, carrier or hazard zone), not a third-party outage.
    A service's hard dependency on itself does not count here
    (`dependency-cycle` reports it).  A redundant dependency (`any_of`)
    defeats it only where every one of its services is down; its chain then
    follows the first of them down.  One finding per service names every
    direct hard dependency that defeats its DR in some scenario, each with
    its chain in the worst scenario where it does (highest impact; then
    fewer sites lost), so that one round of fixes clears it; the evidence
    lists every domain whose loss does it.  There is no unknown result.
    """

    id = "dr-depends-on-single-site"
    title = "DR defeated by a hard dependency without DR"
    severity = "critical"
    categories = ("dependencies",)
    needs_dr = True
    needs_placements = True
    slow = True  # on 20,000 services: 72,000 dependencies, each explained in its worst scenario
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {building: skcc-pangyo-a}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
            depends_on: [auth]
          auth:
            tier: 0
            placements: [{site: pangyo}]
        """, subject="service:talk")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {building: skcc-pangyo-a}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
            depends_on: [auth]
          auth:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
        """)
    remediation = ("Give each dependency named in a chain placements outside the domain (at least where this service's "
                   "standby is), or make the dependency soft so the service degrades instead of stopping; then drill "
                   "the failover of the pair together.")
    references = ("NIST SP 800-34 Rev. 1, section 3.2.1 (identify dependencies)",
                  "MSIT/KCC/NFA findings on the SK C&C Pangyo fire, 6 Dec 2022")

    def check(self, ctx, service):
        defeated = ctx.failures.defeated_dr(service.name)
        if defeated is None:
            return PASSED
        defeats = defeated.defeats
        worst = defeats[0]
        name = service.name
        stories, dependencies = [], []
        for d in defeats:  # 70,000 of them in a large estate: one pass, each domain worded once
            domain, phrase = _domain_words(d.scenarios.worst.domains[0])
            stories.append(f"{_why(name, d)}: losing {phrase} takes {name} down anyway ({' → '.join(d.chain)})")
            dependency = {"dependency": d.dependency, "chain": list(d.chain), "domain": domain,
                          "domains": list(d.scenarios.names), "domain_count": d.scenarios.count}
            if d.any_of:
                dependency["any_of"] = list(d.any_of)
            dependencies.append(dependency)
        if len(defeats) == 1:
            message = f"{name} has {_placements(defeated.surviving)}, but its hard dependency {stories[0]}"
        else:
            message = (f"{name} has {_placements(defeated.surviving)}, but {len(defeats)} of its hard dependencies "
                       f"defeat its DR: {'; '.join(stories)}")
        return self.fail(
            service, message,
            {"domain": dependencies[0]["domain"], "chain": list(worst.chain),
             "dependency": worst.chain[-1], "domains": list(defeated.scenarios.names),
             "domain_count": defeated.scenarios.count,
             "surviving": [{"site": p.site, "role": p.role} for p in defeated.surviving],
             "impact": worst.scenarios.impact,
             "dependencies": dependencies},
            # the finding's story is the service, whatever scenario tells it best today
            cause="",
            location=next(d.location for d in service.depends_on
                          if d.hard and (d.services == worst.any_of if worst.any_of else d.services == (worst.dependency,))),
        )


_PLURALS = {"primary": "primaries", "standby": "standbys"}


@cache
def _domain_words(domain) -> tuple[str, str]:
    """A failure domain as the evidence names it and as the message does: 'building=a', 'building a'."""
    return str(domain), domain_phrase(domain)


def _placements(placements) -> str:
    """'a standby in anyang', 'a primary in a and standbys in b, c'."""
    parts = []
    for role in ("primary", "standby"):
        sites = list(dict.fromkeys(p.site for p in placements if p.role == role))
        if sites:
            parts.append(f"a {role} in {sites[0]}" if len(sites) == 1 else f"{_PLURALS[role]} in {', '.join(sites)}")
    return " and ".join(parts)


def _why(service: str, defeat) -> str:
    """'auth runs only in pangyo', 'talk needs auth, which cannot be failed over without switchover', ..."""
    chain, root = defeat.chain, defeat.root
    if root.kind == "cycle":
        if service in root.chain:
            return f"{defeat.dependency} needs {service} in turn, so neither can be failed over before the other"
        return (f"{defeat.dependency} is in a hard dependency cycle ({' → '.join(root.chain)}): none of it can be "
                "failed over before the rest")
    if defeat.any_of:  # every one of them is down: tell the story of the one the chain follows
        others = listing([name for name in defeat.any_of if name != defeat.dependency])
        return f"any of ({listing(list(defeat.any_of))}) fails as a whole ({_one_why(defeat)}; {others} down too)"
    return _one_why(defeat)


def _one_why(defeat) -> str:
    chain, root = defeat.chain, defeat.root
    through = f"needs {chain[-1]}, which " if len(chain) > 2 else ""
    if root.kind == "placements":
        why = f"runs only in {', '.join(defeat.root_sites)}"
    elif root.kind == "recovery" and root.missing:
        why = f"cannot be failed over without {listing(list(root.missing))}"
    else:
        why = "cannot be failed over"
    return f"{defeat.dependency} {through}{why}"
