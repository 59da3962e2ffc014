from drcheck.api import PASSED, Example, Param, Rule

# The live data sits on the primaries' own storage; 3-2-1 counts it as one copy on one medium.
PRODUCTION_MEDIUM = "disk"
PARTS = 4  # copies, media, off-site, immutable
_ON_CAMPUS = ("site", "building", "campus")


class Backup321(Rule):
    """Checks that a service's backups follow the 3-2-1 practice (three copies, two media, one off-site), and by
    default 3-2-1-1-0's immutable or offline copy.

    ## Why it matters
    The 3-2-1 practice (attributed to Peter Krogh, 2005, and recommended
    by US-CERT/CISA) keeps 3 copies of the data, on 2 different media, with 1
    off-site; 3-2-1-1-0 (popularised by Veeam) adds 1 immutable or offline
    copy that ransomware or an operator's mistake cannot delete, and 0 errors
    when restores are verified.  OVH's "3 backup replicas" of Bati Courtage's
    VPS were all on the Strasbourg campus that burned in March 2021: three
    copies, but none off-site.  In the NIRS Daejeon fire (September 2025) the
    G-Drive's copies never left the building.

    ## When it fires
    drcheck counts production as one copy (copies = 1 + the number of
    backups) and as one medium, `disk`; a backup that does not say its media
    adds none.  "Off-site" means off the primaries' campuses (not merely
    another room or building): a backup on a primary's site, building or
    campus is on-site.  It fires for a service with at least one backup when
    there are fewer than `min_copies` copies, fewer than `min_media` media,
    no copy off the primaries' campuses, or (with `require_immutable`) no
    backup that is immutable or offline.  The message names exactly the parts
    that are missing; each missing part costs a quarter of the penalty (a
    share of the four parts, not of those checked, so that requiring the
    immutable copy never makes the other missing parts cost less).
    It reports unknown when nothing is missing but it cannot tell: backups
    without a media might or might not reach `min_media`, or the service has
    no primary placement to be off-site from.  Services with no backups at
    all are no-backup's; the "0" (restores verified) is left to
    restore-untested, since the inventory records restore-test dates, not
    restore errors.
    """

    id = "backup-3-2-1"
    title = "Backups do not follow 3-2-1"
    severity = "medium"
    categories = ("backups",)
    params = {
        "require_immutable": Param(True, "also require one immutable or offline copy (the extra 1 of 3-2-1-1-0)"),
        "min_copies": Param(3, "copies of the data, counting production as one", minimum=1),
        "min_media": Param(2, "different storage media, counting production as disk", minimum=1),
    }
    example_fires = Example("""
        version: 1
        sites:
          ovh-sbg1: {building: sbg1, campus: ovh-strasbourg}
          ovh-sbg2: {building: sbg2, campus: ovh-strasbourg}
        services:
          vps-bati:
            kind: data
            placements: [{site: ovh-sbg2}]
            backups: [{site: ovh-sbg1, media: disk}]
        """, subject="service:vps-bati")
    example_passes = Example("""
        version: 1
        sites:
          ovh-sbg2: {building: sbg2, campus: ovh-strasbourg}
          ovh-gra: {campus: ovh-gravelines}
        services:
          webshop:
            kind: data
            placements: [{site: ovh-sbg2}]
            backups:
              - {site: ovh-sbg2, media: disk}
              - {site: ovh-gra, media: object, immutable: true}
        """)
    remediation = ("Keep at least two backups besides production, on another medium than disk (object storage, tape), "
                   "one of them on another campus, and one immutable (object lock, WORM) or offline.")
    references = ("3-2-1 backup rule (P. Krogh, The DAM Book, 2005; recommended by US-CERT/CISA)",
                  "3-2-1-1-0 backup practice (Veeam)", "NIST SP 800-53 Rev. 5 CP-6(1), CP-9",
                  "Regulation (EU) 2022/2554 (DORA), Art. 12(3)")

    def applies(self, ctx, service):
        return bool(service.backups)

    def check(self, ctx, service):
        backups = service.backups
        primaries = list(dict.fromkeys(p.site for p in service.primaries))
        copies = 1 + len(backups)
        media = sorted({PRODUCTION_MEDIUM} | {b.media for b in backups if b.media})
        unstated_media = [b.site for b in backups if b.media is None]
        offsite = list(dict.fromkeys(b.site for b in backups if not any(_on_campus(ctx, b.site, p) for p in primaries)))
        immutable = list(dict.fromkeys(b.site for b in backups if b.immutable or b.offline))
        min_copies, min_media = self.param("min_copies"), self.param("min_media")

        if len(media) >= min_media:
            media_met = True
        elif len(media) + len(unstated_media) >= min_media:
            media_met = None  # the backups that do not say their media might make up the difference
        else:
            media_met = False
        # each part: True met, False missing, None cannot tell
        parts = {
            "copies": copies >= min_copies,
            "media": media_met,
            "offsite": bool(offsite) if primaries else None,
        }
        if self.param("require_immutable"):
            parts["immutable"] = bool(immutable)
        missing = [part for part, met in parts.items() if met is False]
        undetermined = [part for part, met in parts.items() if met is None]
        evidence = {"copies": copies, "min_copies": min_copies, "media": media, "min_media": min_media,
                    "offsite": offsite, "immutable": immutable, "missing": missing, "undetermined": undetermined}
        if missing:
            shortfalls = {
                "copies": f"{copies} copies (production + {len(backups)} backup{'s' if len(backups) > 1 else ''}) where "
                          f"{min_copies} are required",
                "media": f"{len(media)} {'medium' if len(media) == 1 else 'media'} ({', '.join(media)}; production "
                         f"counts as {PRODUCTION_MEDIUM}) where {min_media} are required",
                "offsite": f"no copy off the campus of its primar{'y' if len(primaries) == 1 else 'ies'} "
                           f"({', '.join(_campuses(ctx, primaries))})",
                "immutable": "no immutable or offline copy",
            }
            return self.fail(service, f"backups of {service.name} fall short of 3-2-1: "
                                      + "; ".join(shortfalls[part] for part in missing),
                             evidence, penalty=len(missing) / PARTS)
        if undetermined:
            reasons = {
                "media": f"backup(s) at {', '.join(dict.fromkeys(unstated_media))} do not say their media",
                "offsite": f"{service.name} has no primary placement to be off-site from",
            }
            return self.unknown(service, f"cannot tell whether backups of {service.name} follow 3-2-1: "
                                         + "; ".join(reasons[part] for part in undetermined), evidence)
        return PASSED


def _on_campus(ctx, site, primary):
    return bool(ctx.shared_domains(site, primary, _ON_CAMPUS))


def _campuses(ctx, sites):
    """The campus each site is on; absent campus = its building, absent building = the site itself."""
    return list(dict.fromkeys(ctx.site(s).campus or ctx.site(s).building or s for s in sites))
