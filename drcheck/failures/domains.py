"""Failure domains: the things that can be lost at once, and what losing them takes with it.

A site is lost when one of its own domains is lost (the site, its building,
campus, operator or region, any one of its hazard zones), or when *every* one
of its power feeds, or every one of its network carriers, is lost: feeds and
carriers listed together are redundant.  Losing a site, building, campus or
hazard zone destroys what is there (fire, flood); an operator, region, power or
carrier outage only makes it unavailable.  Every site with a location is also
the centre of an area, `area=SITE`: an earthquake, a flood or a city's grid
failure destroys every site within `area_radius_km` of its point (a site at
a named cloud region stands at that region's point).  Every external service
is also a domain of its own, `service=NAME` (a third-party outage); `--fail`
accepts `service=NAME` for any service.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

from ..errors import InputError
from ..inventory.geo import near
from ..inventory.model import Inventory, Site

DOMAIN_KINDS = ("site", "building", "campus", "operator", "region", "power", "network", "hazard", "area", "service")
# kinds that destroy what they hold; the others (and `service`) only make it unavailable
DESTROYING = frozenset({"site", "building", "campus", "hazard", "area"})
AREA_RADIUS_KM = 40.0  # the policy's area_radius_km: how far an area disaster reaches from its centre
# kinds a site may list several of, any one of which keeps it up
REDUNDANT = frozenset({"power", "network"})
# The physical and infrastructure domains: what the rules about sites and DR look at (not third-party outages).
SITE_KINDS = DOMAIN_KINDS[:-1]
# When several domains hold exactly the same sites, the scenario is named after the first of these kinds: the
# kinds that destroy come first (the scenario is the worst of its domains), and "losing building X" tells the
# story better than "operator Y".
_NAMING_PREFERENCE = ("building", "site", "campus", "hazard", "area", "power", "network", "operator", "region", "service")


class Domain(NamedTuple):
    """One failure domain.  (A tuple: rules compare and hash domains of site pairs by the hundred thousand.)"""

    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"

    def as_json(self) -> dict:
        return {"domain": self.kind, "value": self.value}

    @property
    def destroys(self) -> bool:
        return self.kind in DESTROYING


class Failure(NamedTuple):
    """What losing some domains takes: the sites lost, those of them destroyed, and the services out by their
    own outage.  One scenario of the simulation."""

    domains: tuple[Domain, ...]  # the domains lost
    sites: frozenset[str]  # destroyed or unavailable
    destroyed: frozenset[str]  # the sites among `sites` destroyed (fire, flood): their data is gone
    services: frozenset[str] = frozenset()  # down by their own outage (service=NAME)

    @property
    def loss(self) -> str:
        """"destroyed" when some site is destroyed (data may be lost), else "unavailable" (an outage)."""
        return "destroyed" if self.destroyed else "unavailable"


def site_domains(site: Site) -> list[Domain]:
    """A site's failure domains; an absent building or campus adds none beyond the site itself."""
    domains = [Domain("site", site.name)]
    for kind, value in (("building", site.building), ("campus", site.campus), ("operator", site.operator), ("region", site.region)):
        if value is not None:
            domains.append(Domain(kind, value))
    for kind, values in (("power", site.power), ("network", site.network), ("hazard", site.hazards)):
        domains.extend(Domain(kind, v) for v in values)
    return domains


@dataclass(frozen=True, slots=True)
class DomainGroup:
    """Domains that, each lost alone, do the same: one single-failure scenario, named after its first domain
    in naming order (building, site, campus, hazard, area, ...: destroying kinds first).  `DomainIndex.groups`
    holds the domains that take the same sites (destroyed or not); `simulate.merged_by_effect`, those whose
    scenarios take the same services down and lose the same data."""

    domains: tuple[Domain, ...]  # the first names the group
    failure: Failure  # losing the first domain

    @property
    def domain(self) -> Domain:
        """The domain the group is named after."""
        return self.domains[0]

    @property
    def sites(self) -> frozenset[str]:
        return self.failure.sites


class DomainIndex:
    def __init__(self, inventory: Inventory, area_radius_km: float = AREA_RADIUS_KM):
        self.inventory = inventory
        members: dict[Domain, set[str]] = {}
        for site in inventory.sites.values():
            for domain in site_domains(site):
                members.setdefault(domain, set()).add(site.name)
        points = {site.name: site.coordinates for site in inventory.sites.values() if site.coordinates is not None}
        for centre, around in near(points, area_radius_km).items():
            members[Domain("area", centre)] = set(around)
        for service in inventory.services.values():
            if service.kind == "external":
                members[Domain("service", service.name)] = set()
        # domains that lose a site with any one of them; feeds that are one of several of some site
        self._any: dict[Domain, frozenset[str]] = {}
        self._fed: dict[Domain, list[Site]] = {}
        for domain in sorted(members, key=kind_order):
            if domain.kind in REDUNDANT:
                self._fed[domain] = [inventory.sites[s] for s in sorted(members[domain])]
            else:
                self._any[domain] = frozenset(members[domain])
        self.known: list[Domain] = sorted(members, key=kind_order)
        # each domain lost alone
        self.sites_of: dict[Domain, frozenset[str]] = {d: self.failure([d]).sites for d in self.known}
        # Only a loss that reaches a placement or a backup can matter: the scenarios of a hundred thousand
        # empty sites would be simulated (and paired) for nothing.  (A feed backed up on every site it
        # serves loses nothing alone either.)
        self.used: frozenset[str] = frozenset(where.site for service in inventory.services.values()
                                              for where in (*service.placements, *service.backups))
        # the same sites lost, and destroyed or not: the same scenario (`simulate.merged_by_effect` then merges
        # the groups whose scenarios take the same services down and lose the same data)
        by_effect: dict[tuple[frozenset[str], frozenset[str], bool], list[Domain]] = {}
        for domain in self.known:
            if domain.kind == "service":
                by_effect.setdefault((frozenset(), frozenset([domain.value]), False), []).append(domain)
            elif not self.sites_of[domain].isdisjoint(self.used):
                by_effect.setdefault((self.sites_of[domain], frozenset(), domain.destroys), []).append(domain)
        groups = [tuple(sorted(ds, key=naming_order)) for ds in by_effect.values()]
        self.groups: list[DomainGroup] = sorted(
            (DomainGroup(ds, self.failure(ds[:1])) for ds in groups), key=lambda g: kind_order(g.domain))

    def failure(self, domains: Iterable[Domain]) -> Failure:
        """What losing all of `domains` together takes."""
        lost = tuple(domains)
        sites: set[str] = set()
        destroyed: set[str] = set()
        services = frozenset(d.value for d in lost if d.kind == "service")
        lost_set = frozenset(lost)
        for domain in lost:
            if domain.kind in REDUNDANT:
                for site in self._fed.get(domain, ()):
                    feeds = site.power if domain.kind == "power" else site.network
                    if all(Domain(domain.kind, f) in lost_set for f in feeds):
                        sites.add(site.name)
            elif domain.kind != "service":
                held = self._any.get(domain, frozenset())
                sites |= held
                if domain.destroys:
                    destroyed |= held
        return Failure(lost, frozenset(sites), frozenset(destroyed), services)

    def redundant_feeds(self) -> list[Domain]:
        """Feeds and carriers that are one of several on some site: losing them alone may lose nothing, but
        together with another they can (what the search for pairs of failures must try one by one)."""
        return [d for d, fed in self._fed.items()
                if any(len(site.power if d.kind == "power" else site.network) > 1 and site.name in self.used
                       for site in fed)]

    def parse(self, fails: list[str]) -> list[Domain]:
        """The domains named by command-line options --fail KIND=VALUE; InputError naming the bad one."""
        lost = []
        for text in fails:
            kind, sep, value = text.partition("=")
            if not sep:
                raise InputError(f"--fail: found {text!r}; expected DOMAIN=VALUE, e.g. building=pangyo-b1")
            kind = kind.strip()
            if Domain(kind, value) not in self.sites_of:  # a name may begin or end with spaces; else forgive them
                value = value.strip()
            try:
                lost.append(self.resolve(kind, value))
            except ValueError as exc:
                raise InputError(f"--fail {text}: {exc}") from None
        return lost

    def resolve(self, kind: str, value: str) -> Domain:
        """The domain a user named with --fail KIND=VALUE; ValueError listing the known ones.
        `service=NAME` names any service (an outage of that service alone)."""
        if kind not in DOMAIN_KINDS:
            raise ValueError(f"unknown failure-domain kind {kind!r}; expected one of: {', '.join(DOMAIN_KINDS)}")
        domain = Domain(kind, value)
        if domain in self.sites_of or (kind == "service" and value in self.inventory.services):
            return domain
        known = sorted(self.inventory.services) if kind == "service" else sorted(d.value for d in self.sites_of if d.kind == kind)
        listed = ", ".join(known[:20]) + (f", ... ({len(known)} in all)" if len(known) > 20 else "")
        raise ValueError(f"unknown {kind} {value!r}; known {kind} values: {listed or 'none in this inventory'}")


def kind_order(domain: Domain) -> tuple[int, str]:
    """Domains in the order of DOMAIN_KINDS, then by value: how lists of domains are shown."""
    return (DOMAIN_KINDS.index(domain.kind), domain.value)


def naming_order(domain: Domain) -> tuple[int, str]:
    """The order in which the domains of one scenario are named: the first names it."""
    return (_NAMING_PREFERENCE.index(domain.kind), domain.value)
