from datetime import date

from drcheck.api import PASSED, Example, Param, Rule, stale_penalty


class DrUntested(Rule):
    """Finds critical services with DR whose failover has not been tested recently, or ever.

    ## Why it matters
    A failover that has never been exercised fails on the day it is
    needed.  Kakao ran KakaoTalk active-standby across data centres, but had
    never switched a whole site over: when the Pangyo data centre burned on
    15 October 2022 the switchover tooling was itself in Pangyo, staff had to
    fail over by hand, and services were fully back only after 127 hours
    ("we weren't prepared for a crash of an entire server system").  DORA
    Art. 11(6) requires tests of the response and recovery plans "at least
    yearly", including switchovers to the redundant capacity; NIST SP 800-34
    asks high-impact systems for a full-scale exercise with "a system failover
    to the alternate location" at the organisation's frequency ("e.g.
    yearly").

    ## When it fires
    It fires for a service of tier <= `max_tier` that has DR (placements on
    two or more sites, and a strategy other than `none`) when
    `dr.last_tested` is missing, or is more than `max_age_days` days before
    the audit date (`--as-of`, default today).
    A date later than the audit date is no evidence (a typo, or a drill
    planned but not held): the failover counts as never tested.
    Never tested costs the full penalty; stale evidence costs 0.5 just past
    the limit, rising linearly to 1 at twice the limit, so a recent drill
    always scores better than an old one or none.
    """

    id = "dr-untested"
    title = "Failover not tested recently"
    severity = "high"
    categories = ("testing",)
    needs_dr = True
    params = {
        "max_age_days": Param(365, "oldest acceptable failover test, in days before the audit date", minimum=1),
        "max_tier": Param(1, "services of this tier and more critical (lower numbers) must have a tested failover",
                          minimum=0, maximum=3),
    }
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
            dr: {strategy: warm-standby, last_tested: 2025-06-30}
        """, subject="service:talk", as_of=date(2026, 11, 1))
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            tier: 0
            placements: [{site: pangyo}, {site: anyang, role: standby}]
            dr: {strategy: warm-standby, last_tested: 2026-03-14}
        """, as_of=date(2026, 11, 1))
    remediation = ("Run a real failover (or a full-scale drill that switches production to the standby and back), "
                   "fix what breaks, and record the date under dr.last_tested; repeat at least once per period.")
    references = ("Regulation (EU) 2022/2554 (DORA), Art. 11(6)", "Commission Delegated Regulation (EU) 2024/1774, Art. 25(2)",
                  "NIST SP 800-34 Rev. 1, sections 3.5.2 and 3.5.4", "NIST SP 800-53 Rev. 5 CP-4(2), CP-4(4)")

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier")

    def check(self, ctx, service):
        max_age = self.param("max_age_days")
        tested = service.last_tested
        age = ctx.age_days(tested)
        if age is not None and age <= max_age:
            return PASSED
        if tested is None:
            story = f"{service.name}'s failover has never been tested"
        elif age is None:
            story = (f"{service.name}'s failover has no test before the audit: its last_tested {tested.isoformat()} "
                     f"is later than the audit date {ctx.as_of.isoformat()}, so it counts as never tested")
        else:
            story = f"{service.name}'s failover was last tested {tested.isoformat()}, {age} days before {ctx.as_of.isoformat()}"
        return self.fail(service, f"{story}; policy requires a test every {max_age} days",
                         {"last_tested": tested.isoformat() if tested else None, "age_days": age,
                          "max_age_days": max_age, "as_of": ctx.as_of.isoformat(), "sites": service.sites},
                         penalty=stale_penalty(age, max_age))
