from drcheck.api import PASSED, Example, Param, Rule, duration_table, format_duration, parse_duration

from ._objectives import shorter_than_achievable, without_strategy

# AWS gives bands (active/active near zero, warm standby minutes, pilot light tens of minutes); these are
# drcheck's choice of the fastest plausible value in each band.  Backup and restore is measured from the
# service's own backups instead.
ACHIEVABLE_RPO = {"active-active": "0s", "warm-standby": "1m", "pilot-light": "10m"}


class RpoInfeasible(Rule):
    """Finds services whose recovery-point objective (rpo) is tighter than their DR strategy, or their backups, can
    deliver.

    ## Why it matters
    A recovery-point objective tighter than the DR design can deliver
    means more data is lost than the business agreed to.  AWS's "Disaster
    Recovery of Workloads on AWS" whitepaper ranks four strategies by the data
    loss they allow: backup and restore in hours (in practice, the time
    between two backups), pilot light in tens of minutes, warm standby in
    minutes, multi-site active/active near zero.  The whitepaper gives bands,
    not numbers: the defaults here (active-active 0s, warm-standby 1m,
    pilot-light 10m) are drcheck's choice of the fastest plausible value in
    each band, and can be set per strategy with `achievable_rpo`.  They
    hold for asynchronous replication, the default.  With `dr.replication:
    synchronous` a write is confirmed only once the standby holds it, so
    active-active, warm-standby and pilot-light lose nothing: their
    achievable RPO is 0, paid for in write latency.  DORA Art. 12(1) asks for a backup frequency set by criticality; with
    backup-restore that frequency is the recovery point.

    ## When it fires
    It fires when the service's `rpo` is shorter than what its effective
    strategy can achieve: `achievable_rpo` with asynchronous replication, 0
    with synchronous.  For backup-restore that is the interval of its
    most frequent backup; if none of its backups declares a frequency the
    result is unknown, and backup-restore with no backups at all fires.  A
    service without DR (strategy `none`, declared or implied by a single
    site) can promise no recovery point, so any declared `rpo` fires: if its
    backups are the recovery plan, declare backup-restore.  A service on
    several sites that declares no strategy (or an external one whose
    placements are unknown) is reported unknown.  Services without an `rpo`
    are not evaluated.
    """

    id = "rpo-infeasible"
    title = "RPO shorter than the DR strategy can achieve"
    severity = "high"
    categories = ("objectives",)
    params = {"achievable_rpo": Param(ACHIEVABLE_RPO, "smallest data loss each dr strategy can achieve (strategy: "
                                                      "duration; strategies left out keep their default; "
                                                      "backup-restore always uses the backup frequency)",
                                      check=duration_table(ACHIEVABLE_RPO))}
    example_fires = Example("""
        version: 1
        sites:
          main: {}
          vault: {}
        services:
          ledger:
            kind: data
            placements: [{site: main}]
            backups: [{site: vault, frequency: 24h}]
            rpo: 1h
            dr: {strategy: backup-restore}
        """, subject="service:ledger")
    example_passes = Example("""
        version: 1
        sites:
          main: {}
          vault: {}
        services:
          ledger:
            kind: data
            placements: [{site: main}]
            backups: [{site: vault, frequency: 15m}]
            rpo: 1h
            dr: {strategy: backup-restore}
        """)
    remediation = ("Either replicate the data continuously to the DR site (warm standby or active-active; synchronously, "
                   "declared as dr.replication: synchronous, where the rpo is 0), back it up at least as often as the "
                   "rpo, or agree a longer rpo with the business and record it.")
    references = ("AWS whitepaper 'Disaster Recovery of Workloads on AWS' (Well-Architected reliability pillar): "
                  "backup and restore, pilot light, warm standby, multi-site active/active",
                  "Regulation (EU) 2022/2554 (DORA), Art. 12(1) and 12(6)",
                  "NIST SP 800-34 Rev. 1, section 3.4.2")

    def applies(self, ctx, service):
        return service.rpo is not None

    def check(self, ctx, service):
        rpo = format_duration(service.rpo)
        strategy = service.effective_strategy
        evidence = {"rpo": rpo, "rpo_seconds": service.rpo, "strategy": strategy, "replication": service.replication}
        verdict = without_strategy(self, service, "rpo", evidence, "nothing recovers its data elsewhere")
        if verdict is not None:
            return verdict
        if strategy != "backup-restore" and service.replication == "synchronous":
            return PASSED  # every write is on the standby before it is confirmed: nothing to lose
        if strategy != "backup-restore":
            achievable = parse_duration(self.param("achievable_rpo")[strategy])
            how = (f"with asynchronous replication ({format_duration(achievable)}; dr.replication: synchronous "
                   "would make it 0)")
        elif not service.backups:
            return self.fail(service, f"rpo {rpo} cannot be met: {service.name} declares backup-restore but has no "
                                      "backups", evidence | {"achievable": None})
        else:
            timed = [b for b in service.backups if b.frequency is not None]
            if not timed:
                return self.unknown(service, f"cannot tell whether rpo {rpo} is achievable with backup-restore: no "
                                             f"backup of {service.name} declares a frequency", evidence)
            best = min(timed, key=lambda b: b.frequency)
            achievable = best.frequency
            how = f"with its most frequent backup (every {format_duration(achievable)}, at {best.site})"
            evidence["backup_site"] = best.site
        if service.rpo >= achievable:
            return PASSED
        return shorter_than_achievable(self, service, "rpo", evidence, achievable, how)
