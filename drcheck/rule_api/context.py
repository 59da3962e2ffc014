"""What rules read: the inventory and shared, lazily computed views of it (distances, shared failure domains),
and the failure questions (`drcheck.failures.questions`), to which it leaves every "what if this fails"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from ..failures.domains import AREA_RADIUS_KM, Domain, DomainIndex, site_domains
from ..failures.questions import FailureQuestions
from ..inventory.geo import geodesic_km, near, within
from ..inventory.locations import CloudRegion, catalogue
from ..inventory.model import Inventory, Service, Site

if TYPE_CHECKING:  # networkx is imported only by audits that use the graph (`FailureQuestions.graph`)
    import networkx as nx

    from ..failures.graph import DependencyCycle


class Context:
    """What rules read: the inventory and shared, lazily computed views of it."""

    def __init__(self, inventory: Inventory, as_of: date, area_radius_km: float = AREA_RADIUS_KM):
        self.inventory = inventory
        self.as_of = as_of
        self.area_radius_km = area_radius_km  # the reach of an area disaster (`domains.DomainIndex`)
        self._domains_of: dict[str, tuple[list[Domain], frozenset[Domain]]] = {}
        self._shared: dict[tuple[str, str, tuple[str, ...] | None], list[Domain]] = {}
        self._alternatives: dict[str, list[tuple[str, list[str]]]] = {}

    def site(self, name: str) -> Site:
        return self.inventory.sites[name]

    def cloud_region(self, site: str) -> CloudRegion | None:
        """The named cloud region a site is located at (`location: aws:eu-west-1`), with its provider, metro and
        country; None for a site located otherwise, or not at all."""
        name = self.site(site).cloud_location
        return None if name is None else catalogue()[name]

    def distance_km(self, a: str, b: str) -> float | None:
        """Geodesic (WGS-84) distance between two sites; None when it is not known (see `same_named_region`)."""
        pa, pb = self.site(a).coordinates, self.site(b).coordinates
        if pa is None or pb is None or self.same_named_region(a, b):
            return None
        return self.km_between(pa, pb)

    def km_between(self, pa: tuple[float, float], pb: tuple[float, float]) -> float:
        """Geodesic (WGS-84) distance between two points (lat, lon)."""
        if pa == pb:
            return 0.0
        # measured once per pair of points, not of sites: hundreds of sites may share a few points
        return geodesic_km(*((pa, pb) if pa <= pb else (pb, pa)))

    def same_named_region(self, a: str, b: str) -> bool:
        """Two different sites located at the same named cloud region (`Site.shares_named_region`)."""
        return self.site(a).shares_named_region(self.site(b))

    def within_km(self, a: str, b: str, km: float) -> bool | None:
        """Whether two sites are nearer than `km` (None when the distance is not known, see `distance_km`).

        A great-circle distance on the mean sphere is within 1% of the geodesic
        one, so only pairs near the limit pay for the exact (slow) geodesic."""
        pa, pb = self.site(a).coordinates, self.site(b).coordinates
        if pa is None or pb is None or self.same_named_region(a, b):
            return None
        return within(pa, pb, km, self.km_between)

    def sites_near(self, names: list[str], km: float) -> dict[str, list[str]]:
        """For each of the sites `names` (each with a location), those of them nearer than `km`, itself included,
        in the order given.  Found on a grid over their positions: linear in the sites where comparing each with
        every other is quadratic (2,000 sites: two million distances)."""
        return near({name: self.site(name).coordinates for name in names}, km)

    def shared_domains(self, a: str, b: str, kinds: tuple[str, ...] | None = None) -> list[Domain]:
        """Failure domains two sites share, smallest first (the same site shares everything); with `kinds`,
        only domains of those kinds.  The list is shared between callers: do not change it."""
        key = (a, b, kinds)
        shared = self._shared.get(key)
        if shared is None:  # rules ask this of the same site pairs for thousands of services
            if kinds is None:
                theirs = self._site_domains(b)[1]
                shared = [d for d in self._site_domains(a)[0] if d in theirs]
            else:
                shared = [d for d in self.shared_domains(a, b) if d.kind in kinds]
            self._shared[key] = shared
        return shared

    def _site_domains(self, name: str) -> tuple[list[Domain], frozenset[Domain]]:
        cached = self._domains_of.get(name)
        if cached is None:
            domains = site_domains(self.site(name))
            cached = self._domains_of[name] = (domains, frozenset(domains))
        return cached

    def single_points(self, site: str, kinds: tuple[str, ...]) -> list[Domain]:
        """The failure domains of those kinds whose loss alone takes the site: every hazard zone it lies in,
        and a power feed or carrier only when it is the site's one feed or carrier (several are redundant)."""
        sites_of = self.domains.sites_of
        return [d for d in self._site_domains(site)[0] if d.kind in kinds and site in sites_of[d]]

    def loses(self, domain: Domain, site: str) -> bool:
        """Whether losing `domain` alone takes the site."""
        return site in self.domains.sites_of.get(domain, ())

    def primary_alternatives(self, service: Service) -> list[tuple[str, list[str]]]:
        """For each primary site of a service, the sites of its other placements (the places it could fail over to).

        Several primaries (active-active) are alternatives for each other; a second
        placement on the same site counts as an alternative at distance zero."""
        found = self._alternatives.get(service.name)
        if found is None:  # asked by several rules for every service
            found = self._alternatives[service.name] = []
            placements = service.placements
            for i, primary in enumerate(placements):
                if primary.role != "primary" or any(p.site == primary.site and p.role == "primary" for p in placements[:i]):
                    continue
                others = [p.site for j, p in enumerate(placements) if j != i]
                found.append((primary.site, list(dict.fromkeys(others))))
        return found

    def age_days(self, when: date | None) -> int | None:
        """Days from a test's date to the audit date; None when there is no test, or when its date is later than
        the audit: a test that has not happened yet (a typo, a planned date) is no evidence."""
        return None if when is None or when > self.as_of else (self.as_of - when).days

    @cached_property
    def failures(self) -> FailureQuestions:
        """What happens if something fails: every question about the loss of failure domains (which
        dependencies defeat a service's DR, what a failover waits for, what one loss takes down, the
        dependency cycles), asked of the simulation of every single failure, built on first use."""
        return FailureQuestions(self.inventory, self.area_radius_km)

    @property
    def domains(self) -> DomainIndex:
        """The failure domains, and which sites losing each one takes (`failures.domains`)."""
        return self.failures.domains

    @property
    def graph(self) -> "nx.DiGraph":
        """Services and sites with their dependencies, placements, backups and declared recovery needs, as one
        networkx.DiGraph (`failures.graph`); built on first use."""
        return self.failures.graph

    def dependency_cycles(self) -> list["DependencyCycle"]:
        """Every cycle of hard dependencies: its members (sorted) and a shortest path round it from the first
        (`failures.dependency_cycles`)."""
        return self.failures.dependency_cycles()


@dataclass(frozen=True)
class Alternative:
    """A site a primary could fail over to, with the failure domains it shares with that primary."""

    site: str
    role: str  # "primary" for an active-active peer, else "standby"
    same_site: bool  # a second placement on the primary's own site
    shared: list[Domain]  # smallest first

    def __str__(self) -> str:
        return f"{self.role} on {self.site} itself" if self.same_site else f"{self.role} {self.site}"


def alternatives_sharing(ctx: Context, service: Service, kinds: tuple[str, ...]) -> list[tuple[str, list[Alternative]]]:
    """The primaries of a service whose every other placement shares a failure domain of one of `kinds` with them.

    For each such primary: its alternatives, each with the shared domains of
    those kinds.  This is the "for some primary, every other placement ..."
    test of the rules about shared buildings, campuses and utilities."""
    found = []
    for primary, others in ctx.primary_alternatives(service):
        alternatives = []
        for other in others:
            shared = ctx.shared_domains(primary, other, kinds)
            if not shared:
                break  # this alternative stands apart: the primary is fine
            roles = [p.role for p in service.placements if p.site == other]
            if other == primary:
                roles.remove("primary")  # the primary placement itself is not its own alternative
            alternatives.append(Alternative(other, "primary" if "primary" in roles else "standby", other == primary, shared))
        else:
            found.append((primary, alternatives))
    return found
