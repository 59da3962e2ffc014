"""Failure domains: the things that can be lost at once, and the sites each one takes with it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .errors import InputError
from .model import Inventory, Site

DOMAIN_KINDS = ("site", "building", "campus", "operator", "region", "power", "network", "hazard")
# When several domains hold exactly the same sites, scenarios are named after the
# first of these kinds: "losing building X" tells the story better than "operator Y".
_NAMING_PREFERENCE = ("building", "site", "campus", "power", "network", "hazard", "operator", "region")


class Domain(NamedTuple):
    """One failure domain.  (A tuple: rules compare and hash domains of site pairs by the hundred thousand.)"""

    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"

    def as_json(self) -> dict:
        return {"domain": self.kind, "value": self.value}


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
    """Domains that hold exactly the same sites: losing any of them is one scenario."""

    domains: tuple[Domain, ...]  # the first names the group
    sites: frozenset[str]

    @property
    def name(self) -> Domain:
        return self.domains[0]


class DomainIndex:
    def __init__(self, inventory: Inventory):
        members: dict[Domain, set[str]] = {}
        for site in inventory.sites.values():
            for domain in site_domains(site):
                members.setdefault(domain, set()).add(site.name)
        self.sites_of: dict[Domain, frozenset[str]] = {d: frozenset(members[d]) for d in sorted(members, key=_kind_order)}
        by_sites: dict[frozenset[str], list[Domain]] = {}
        for domain, sites in self.sites_of.items():
            by_sites.setdefault(sites, []).append(domain)
        self.groups: list[DomainGroup] = sorted(
            (DomainGroup(tuple(sorted(ds, key=_naming_order)), sites) for sites, ds in by_sites.items()),
            key=lambda g: _kind_order(g.name),
        )

    def parse(self, fails: list[str]) -> list[Domain]:
        """The domains named by command-line options --fail KIND=VALUE; InputError naming the bad one."""
        lost = []
        for text in fails:
            kind, sep, value = text.partition("=")
            if not sep:
                raise InputError(f"--fail: found {text!r}; expected DOMAIN=VALUE, e.g. building=pangyo-b1")
            try:
                lost.append(self.resolve(kind.strip(), value.strip()))
            except ValueError as exc:
                raise InputError(f"--fail {text}: {exc}") from None
        return lost

    def resolve(self, kind: str, value: str) -> Domain:
        """The domain a user named with --fail KIND=VALUE; ValueError listing the known ones."""
        if kind not in DOMAIN_KINDS:
            raise ValueError(f"unknown failure-domain kind {kind!r}; expected one of: {', '.join(DOMAIN_KINDS)}")
        domain = Domain(kind, value)
        if domain not in self.sites_of:
            known = sorted(d.value for d in self.sites_of if d.kind == kind)
            listed = ", ".join(known[:20]) + (f", ... ({len(known)} in all)" if len(known) > 20 else "")
            raise ValueError(f"unknown {kind} {value!r}; known {kind} values: {listed or 'none in this inventory'}")
        return domain


def _kind_order(domain: Domain) -> tuple[int, str]:
    return (DOMAIN_KINDS.index(domain.kind), domain.value)


def _naming_order(domain: Domain) -> tuple[int, str]:
    return (_NAMING_PREFERENCE.index(domain.kind), domain.value)
