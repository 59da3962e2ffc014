from datetime import date

from drcheck.api import PASSED, Example, Param, Rule, stale_penalty


class RestoreUntested(Rule):
    """Finds backups of critical services whose restore has not been tested recently, or ever.

    ## Why it matters
    A backup nobody has restored is a hope, not a recovery plan: copies
    turn out incomplete, encrypted with a lost key, too slow to read back, or
    missing the one system needed to restore the rest.  NIST SP 800-34 says
    backups "should be tested regularly"; NIST SP 800-53 CP-9(1) asks to test
    backup information; DORA Art. 11(6) requires yearly tests of the response
    and recovery plans, including switchovers to backups, and its RTS
    (2024/1774) Art. 40 asks for a test of the backup and restore procedures
    at least once a year.  This is also the "0" of 3-2-1-1-0: restores
    verified without errors.

    ## When it fires
    It fires for a service of tier <= `max_tier` when one of its backups has
    no `restore_tested` date, or the date is more than `max_age_days` days
    before the audit date (`--as-of`, default today); a date later than the
    audit date is no evidence, and counts as never tested.  One finding per
    service names every backup site concerned, each judged by the least
    recently tested backup there.  Never tested costs the full penalty; stale
    evidence costs 0.5 just past the limit, rising linearly to 1 at twice the
    limit, so a recent test always scores better than an old one or none.
    """

    id = "restore-untested"
    title = "Backup restore not tested recently"
    severity = "medium"
    categories = ("backups", "testing")
    params = {
        "max_age_days": Param(365, "oldest acceptable restore test, in days before the audit date", minimum=1),
        "max_tier": Param(1, "backups of services of this tier and more critical (lower numbers) must be restore-tested",
                          minimum=0, maximum=3),
    }
    example_fires = Example("""
        version: 1
        sites:
          main: {}
          vault: {}
        services:
          ledger:
            kind: data
            tier: 0
            placements: [{site: main}]
            backups: [{site: vault, restore_tested: 2024-02-01}]
        """, subject="service:ledger", as_of=date(2026, 11, 1))
    example_passes = Example("""
        version: 1
        sites:
          main: {}
          vault: {}
        services:
          ledger:
            kind: data
            tier: 0
            placements: [{site: main}]
            backups: [{site: vault, restore_tested: 2026-09-15}]
        """, as_of=date(2026, 11, 1))
    remediation = ("Restore each backup into an isolated environment, check the data and the time it took against the "
                   "rpo and rto, and record the date under restore_tested; schedule it at least once per period.")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.2", "NIST SP 800-53 Rev. 5 CP-9(1)",
                  "Regulation (EU) 2022/2554 (DORA), Art. 11(6) and Art. 12(2)",
                  "Commission Delegated Regulation (EU) 2024/1774, Art. 40", "3-2-1-1-0 backup practice (Veeam)")

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier") and bool(service.backups)

    def check(self, ctx, service):
        max_age = self.param("max_age_days")
        by_site = {}
        for backup in service.backups:
            by_site.setdefault(backup.site, []).append(backup)
        stale = []
        for site, backups in by_site.items():
            # never tested (or only after the audit date) first, then the oldest test
            oldest = min(backups, key=lambda b: b.restore_tested if ctx.age_days(b.restore_tested) is not None
                         else date.min)
            age = ctx.age_days(oldest.restore_tested)
            if age is None or age > max_age:
                stale.append((site, backups, oldest, age))
        if not stale:
            return PASSED
        stories = []
        for site, backups, oldest, age in stale:
            which = f"the {oldest.media + ' ' if oldest.media else ''}backup of {service.name} at {site}"
            if len(backups) > 1:
                which += f" (the least recently tested of {len(backups)} there)"
            if oldest.restore_tested is None:
                stories.append(f"{which} has never been restore-tested")
            elif age is None:
                stories.append(f"{which} has no restore test before the audit: its restore_tested "
                               f"{oldest.restore_tested.isoformat()} is later than the audit date "
                               f"{ctx.as_of.isoformat()}, so it counts as never tested")
            else:
                stories.append(f"{which} was last restore-tested {oldest.restore_tested.isoformat()}, {age} days "
                               f"before {ctx.as_of.isoformat()}")
        each = [{"site": site, "media": oldest.media,
                 "restore_tested": oldest.restore_tested.isoformat() if oldest.restore_tested else None,
                 "age_days": age, "max_age_days": max_age, "as_of": ctx.as_of.isoformat()}
                for site, _, oldest, age in stale]
        # the worst backup site sets the penalty: a test anywhere else does not make it safe
        penalty = max(stale_penalty(age, max_age) for _, _, _, age in stale)
        return self.fail(service, f"{'; '.join(stories)}; policy requires a test every {max_age} days",
                         each[0] | {"backups": each}, location=stale[0][2].location, penalty=penalty)
