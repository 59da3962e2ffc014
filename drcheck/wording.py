"""How findings word things, shared by the rules so that every message says them the same way."""
from __future__ import annotations

from .domains import Domain
from .model import Service

_DOMAIN_NOUNS = {"site": "site", "building": "building", "campus": "campus", "operator": "operator", "region": "region",
                 "power": "power feed", "network": "network carrier", "hazard": "hazard zone", "service": "service"}


def domain_phrase(domain: Domain) -> str:
    """A failure domain as a message names it: "campus ovh-strasbourg", "power feed substation-a"."""
    return f"{_DOMAIN_NOUNS[domain.kind]} {domain.value}"


def strategy_basis(service: Service) -> str:
    """How a service came by its effective strategy, for messages: "declares dr strategy warm-standby",
    "runs only in pangyo with no dr strategy", "runs on 2 sites (a, b) but declares no dr strategy"."""
    if service.strategy is not None:
        return f"declares dr strategy {service.strategy}"
    if len(service.sites) == 1:
        return f"runs only in {service.sites[0]} with no dr strategy"
    if service.sites:
        return f"runs on {len(service.sites)} sites ({', '.join(service.sites)}) but declares no dr strategy"
    return "has no known placements and declares no dr strategy"


def listing(names: list[str], shown: int = 5, total: int | None = None) -> str:
    """Names for a message, the first few only: "a, b, c, d, e, ... +3" (`total`: how many `names` stand for)."""
    more = (len(names) if total is None else total) - shown
    return ", ".join(names[:shown]) + (f", ... +{more}" if more > 0 else "")
