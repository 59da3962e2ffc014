"""Where a backup stands from the primaries of its service: shared by the rules about backups next to their
data (backup-colocated, backup-shares-region), so that they judge one backup the same way."""
from __future__ import annotations

from .context import Context

# Shared failure domains that put a backup next to its primary, smallest first (as Context.shared_domains orders them).
NEXT_TO_PRIMARY = ("site", "building", "campus")
# backup-colocated's default distance, under which a backup is in its primary's failure domain
COLOCATED_KM = 40.0


def nearest_domain(ctx: Context, backup_site: str, primaries: list[str], minimum: float):
    """The smallest failure domain the backup site shares with any primary, as a dict (None if none), the sites
    without a location and the (backup, primary, region) pairs in one cloud region that kept a distance from
    being measured."""
    candidates, lacking, unmeasured = [], set(), set()
    for primary in primaries:
        shared = ctx.shared_domains(backup_site, primary, NEXT_TO_PRIMARY)
        near = ctx.within_km(backup_site, primary, minimum)
        if shared:
            rank, kind, value = NEXT_TO_PRIMARY.index(shared[0].kind), shared[0].kind, shared[0].value
        elif near is None:
            if ctx.same_named_region(backup_site, primary):
                unmeasured.add((backup_site, primary, ctx.site(primary).cloud_location))
            else:
                lacking |= {s for s in (backup_site, primary) if ctx.site(s).coordinates is None}
            continue
        elif near:
            rank, kind, value = len(NEXT_TO_PRIMARY), "distance", None
        else:
            continue
        distance = None if near is None else ctx.distance_km(backup_site, primary)
        candidates.append((rank, {"site": backup_site, "primary": primary, "domain": kind, "value": value,
                                  "distance_km": None if distance is None else round(distance, 1)}))
    if not candidates:
        return None, lacking, unmeasured
    return min(candidates, key=lambda c: c[0])[1], set(), set()


def shared_region(ctx: Context, backup_site: str, primary: str) -> str | None:
    """The region a backup site shares with a primary: their common `region`, else the named cloud region both
    are located at; None when they share none (a site with no region shares a region with none)."""
    backup, main = ctx.site(backup_site), ctx.site(primary)
    if backup.region is not None and backup.region == main.region:
        return backup.region
    if backup.cloud_location is not None and backup.cloud_location == main.cloud_location:
        return backup.cloud_location
    return None
