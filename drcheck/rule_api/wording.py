"""How findings word things, shared by the rules so that every message says them the same way."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..failures.domains import Domain
from ..inventory.model import Service

if TYPE_CHECKING:
    from .context import Alternative

_DOMAIN_NOUNS = {"site": "site", "building": "building", "campus": "campus", "operator": "operator", "region": "region",
                 "power": "power feed", "network": "network carrier", "hazard": "hazard zone",
                 "area": "the area around site", "service": "service"}


def domain_phrase(domain: Domain) -> str:
    """A failure domain as a message names it: "campus ovh-strasbourg", "power feed substation-a"."""
    return f"{_DOMAIN_NOUNS[domain.kind]} {domain.value}"


def domain_noun(kind: str, plural: bool = False) -> str:
    """What a message calls a domain of this kind: "hazard zone", "campuses"."""
    noun = _DOMAIN_NOUNS[kind]
    return noun if not plural else noun + ("es" if noun.endswith("s") else "s")


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


def alternatives_phrase(alternatives: list["Alternative"]) -> str:
    """Where a primary could fail over to, as the subject of a sentence: "standby b", "every other placement
    (standby b, primary c)"."""
    if len(alternatives) == 1:
        return str(alternatives[0])
    return f"every other placement ({', '.join(map(str, alternatives))})"


def stops(count: int) -> str:
    """What one loss stops, a primary and `count` other placements: "both", "them all"."""
    return "both" if count == 1 else "them all"


AND_MORE = " and {} more"
PLUS_MORE = " (+{} more)"  # where the names fill a table cell or a line of their own


def listing(names: list[str], shown: int = 5, total: int | None = None, more: str = AND_MORE) -> str:
    """Names for a message or a report, the first few only: "a, b, c, d, e and 3 more" (`total`: how many
    `names` stand for; `more`: how the others are counted, PLUS_MORE gives "a, b (+3 more)")."""
    rest = (len(names) if total is None else total) - shown
    return ", ".join(names[:shown]) + (more.format(rest) if rest > 0 else "")
