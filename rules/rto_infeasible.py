from drcheck.api import PASSED, Example, Param, Rule, duration_table, format_duration, parse_duration

from ._objectives import shorter_than_achievable, without_strategy

# AWS gives bands (active/active near zero, warm standby minutes, pilot light tens of minutes, backup and
# restore hours); these are drcheck's choice of the fastest plausible value in each band.
ACHIEVABLE_RTO = {"active-active": "0s", "warm-standby": "5m", "pilot-light": "30m", "backup-restore": "4h"}


class RtoInfeasible(Rule):
    """Finds services whose recovery-time objective (rto) is shorter than their DR strategy can deliver.

    ## Why it matters
    A recovery-time objective the DR design cannot meet is a promise
    nobody can keep, and it hides the gap until the day it matters.  AWS's
    "Disaster Recovery of Workloads on AWS" whitepaper ranks four strategies
    by the recovery time they allow: backup and restore in hours, pilot light
    in tens of minutes, warm standby in minutes, multi-site active/active near
    zero.  The whitepaper gives bands, not numbers: the defaults here
    (active-active 0s, warm-standby 5m, pilot-light 30m, backup-restore 4h)
    are drcheck's choice of the fastest plausible value in each band, and can
    be set per strategy with `achievable_rto`.  Kakao's 2022 messaging had a
    standby, but with the switchover tooling lost in the same fire, recovery
    took hours instead of minutes.

    ## When it fires
    It fires when the service's `rto` is shorter than what its effective
    strategy can achieve.  A service without DR (strategy `none`, declared or
    implied by a single site) can promise no recovery time at all, so any
    declared `rto` fires.  A service on several sites that declares no
    strategy (or an external one whose placements are unknown) is reported
    unknown.  Services without an `rto` are not evaluated.
    """

    id = "rto-infeasible"
    title = "RTO shorter than the DR strategy can achieve"
    severity = "high"
    categories = ("objectives",)
    params = {"achievable_rto": Param(ACHIEVABLE_RTO, "fastest recovery time each dr strategy can achieve "
                                                      "(strategy: duration; strategies left out keep their default)",
                                      check=duration_table(ACHIEVABLE_RTO))}
    example_fires = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            placements: [{site: pangyo}, {site: anyang, role: standby}]
            rto: 1m
            dr: {strategy: warm-standby}
        """, subject="service:talk")
    example_passes = Example("""
        version: 1
        sites:
          pangyo: {}
          anyang: {}
        services:
          talk:
            placements: [{site: pangyo}, {site: anyang, role: standby}]
            rto: 15m
            dr: {strategy: warm-standby}
        """)
    remediation = ("Either move the service to a strategy that can meet its rto (a warm standby or a second active "
                   "site, with failover automated and drilled), or agree a longer rto with the business and record it.")
    references = ("AWS whitepaper 'Disaster Recovery of Workloads on AWS' (Well-Architected reliability pillar): "
                  "backup and restore, pilot light, warm standby, multi-site active/active",
                  "NIST SP 800-34 Rev. 1, section 3.4.3 and Table 3-2",
                  "Regulation (EU) 2022/2554 (DORA), Art. 12(6)")

    def applies(self, ctx, service):
        return service.rto is not None

    def check(self, ctx, service):
        strategy = service.effective_strategy
        evidence = {"rto": format_duration(service.rto), "rto_seconds": service.rto, "strategy": strategy}
        verdict = without_strategy(self, service, "rto", evidence, "losing its site stops it until the site is rebuilt")
        if verdict is not None:
            return verdict
        achievable = parse_duration(self.param("achievable_rto")[strategy])
        if service.rto >= achievable:
            return PASSED
        return shorter_than_achievable(self, service, "rto", evidence, achievable, f"({format_duration(achievable)})")
