"""The validated inventory: what every later stage reads.  Built only by `drcheck.inventory.schema`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import Location

SITE_KINDS = ("datacenter", "colocation", "cloud-region", "cloud-zone", "office", "vault")
SERVICE_KINDS = ("app", "data", "ops", "external")
ROLES = ("primary", "standby")
STRATEGIES = ("active-active", "warm-standby", "pilot-light", "backup-restore", "none")
REPLICATIONS = ("asynchronous", "synchronous")
MEDIA = ("disk", "tape", "object", "other")
TIER_WEIGHTS = {0: 8, 1: 4, 2: 2, 3: 1}
DEFAULT_TIER = 2


@dataclass(frozen=True, slots=True)
class Metadata:
    """What people write about a site, a service or the inventory for each other: drcheck keeps it for reports
    and judges nothing by it."""

    description: str | None = None
    tags: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)  # name -> http(s) or mailto URL
    extensions: dict[str, object] = field(default_factory=dict)  # x-* keys, as plain YAML values (text, lists, maps)


NO_METADATA = Metadata()  # shared by everything that has none (most sites): never changed


@dataclass(slots=True)
class Site:
    name: str
    location: Location
    kind: str = "datacenter"
    coordinates: tuple[float, float] | None = None  # (lat, lon), WGS-84 degrees
    cloud_location: str | None = None  # "aws:eu-west-1" when the location names a region (coordinates: its metro's)
    building: str | None = None
    campus: str | None = None
    operator: str | None = None
    region: str | None = None
    power: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    monthly_cost: float | None = None  # cost: {monthly: N}, running the site, paid once for every service on it
    metadata: Metadata = NO_METADATA

    def shares_named_region(self, other: Site) -> bool:
        """Another site located at the same named cloud region (zones of one region, say): nobody publishes
        where a region's zones are, so the distance between the two is unknown, not 0 km."""
        return self.cloud_location is not None and self is not other and self.cloud_location == other.cloud_location


@dataclass(slots=True)
class Placement:
    site: str
    role: str
    location: Location


@dataclass(slots=True)
class Dependency:
    service: str
    hard: bool
    location: Location

    @property
    def services(self) -> tuple[str, ...]:
        """The services that satisfy it: this one (as `AnyOf.services`, so callers can read either alike)."""
        return (self.service,)


@dataclass(slots=True)
class AnyOf:
    """A redundant dependency (`any_of`): up while at least one of its services is up (two payment gateways)."""

    services: tuple[str, ...]  # two or more, distinct, in the order written
    hard: bool
    location: Location
    written_at: tuple[Location, ...] = field(default=(), compare=False)  # where each of `services` is named


@dataclass(slots=True)
class Backup:
    site: str
    location: Location
    frequency: float | None = None  # seconds between copies
    media: str | None = None
    immutable: bool = False
    offline: bool = False
    restore_tested: date | None = None


@dataclass(slots=True)
class Service:
    name: str
    location: Location
    kind: str = "app"
    tier: int = DEFAULT_TIER
    tier_given: bool = True  # False: no file gives it a tier, so DEFAULT_TIER stands (an imported service, say)
    owner: str | None = None
    rto: float | None = None  # seconds
    rpo: float | None = None  # seconds
    placements: list[Placement] = field(default_factory=list)
    strategy: str | None = None  # as declared; see `effective_strategy`
    last_tested: date | None = None
    automatic: bool = False  # dr.automatic: failover needs no people or tooling
    replication: str = "asynchronous"  # dr.replication: synchronous = a write is confirmed once the standby has it
    depends_on: list[Dependency | AnyOf] = field(default_factory=list)
    recovery_needs: list[str] | None = None  # None: the ops services as critical or more; none if automatic
    backups: list[Backup] = field(default_factory=list)
    monthly_cost: float | None = None  # cost: {monthly: N}, running one placement of it
    metadata: Metadata = NO_METADATA
    sites: list[str] = field(init=False)  # distinct placement sites, in inventory order
    has_dr: bool = field(init=False)  # runs on two or more sites

    def __post_init__(self) -> None:
        # asked by nearly every rule for every service: worked out once
        self.sites = list(dict.fromkeys(p.site for p in self.placements))
        self.has_dr = len(self.sites) >= 2

    @property
    def weight(self) -> int:
        return TIER_WEIGHTS[self.tier]

    @property
    def primaries(self) -> list[Placement]:
        return [p for p in self.placements if p.role == "primary"]

    def dependency_on(self) -> dict[str, "Dependency | AnyOf"]:
        """Each service this one depends on, with the entry that says how: a service named on its own counts as
        written there, before any `any_of` group that also names it (it is needed whatever the group's other
        members do)."""
        entries: dict[str, Dependency | AnyOf] = {}
        groups = []
        for dependency in self.depends_on:
            if isinstance(dependency, AnyOf):
                groups.append(dependency)
            else:
                entries.setdefault(dependency.service, dependency)
        for group in groups:
            for name in group.services:
                entries.setdefault(name, group)
        return entries

    @property
    def effective_strategy(self) -> str | None:
        """The declared strategy; absent means `none` on one site and unknown (None) across several, or where
        the placements are unknown (an external service without any)."""
        if self.strategy is not None:
            return self.strategy
        return "none" if len(self.sites) == 1 else None


@dataclass(slots=True)
class Inventory:
    name: str | None
    files: list[str]
    sites: dict[str, Site]
    services: dict[str, Service]
    metadata: Metadata = NO_METADATA
