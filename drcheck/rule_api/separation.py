"""The shape shared by the rules that judge how far a service's other placements stand from each primary
(dr-shares-building, -campus, -region, -hazard): the domain kinds are data, the story is told once."""
from __future__ import annotations

from typing import ClassVar

from .context import Alternative, alternatives_sharing
from .findings import PASSED
from ..failures.domains import Domain
from .rule import Rule
from .wording import alternatives_phrase, domain_noun, domain_phrase, stops


class SharedDomainRule(Rule):
    """Fires for a service on two or more sites when, for some primary, every other placement shares one domain
    of the last of `kinds` with it, unless each shares one of the `narrower` kinds already (a narrower rule's
    finding).  One finding per service names every primary concerned."""

    needs_dr = True
    kinds: ClassVar[tuple[str, ...]]  # smallest first; the last one is what the rule is about
    narrower: ClassVar[tuple[str, ...]] = ()
    consequence: ClassVar[str]  # "one fire or power cut there stops" (+ "both" / "them all")

    def check(self, ctx, service):
        kind = self.kinds[-1]
        concerned = []
        for primary, alternatives in alternatives_sharing(ctx, service, self.kinds):
            if all(a.shared[0].kind in self.narrower for a in alternatives):
                continue  # all of them share a smaller domain: the narrower rule reports it
            # the domains of this kind that every alternative shares: losing one of them takes them all (a site
            # has one building, campus and region, but may lie in several hazard zones)
            common = [d for d in alternatives[0].shared if d.kind == kind and all(d in a.shared for a in alternatives)]
            if common:
                concerned.append((primary, common, alternatives))
        if not concerned:
            return PASSED
        if len(concerned) == 1:
            message = self._story(*concerned[0])
        else:
            message = self._stories(concerned)
        each = [{"primary": primary, kind: common[0].value, "others": [a.site for a in alternatives],
                 "shared": {a.site: [str(d) for d in a.shared] for a in alternatives}}
                | ({"domains": [str(d) for d in common]} if len(common) > 1 else {})
                for primary, common, alternatives in concerned]
        return self.fail(service, message, each[0] | {"primaries": each})

    def _story(self, primary: str, common: list[Domain], alternatives: list[Alternative]) -> str:
        return (f"{alternatives_phrase(alternatives)} is {_where(common)} with primary {primary}: "
                f"{self.consequence} {stops(len(alternatives))}")

    def _stories(self, concerned: list) -> str:
        """Several primaries (active-active): one sentence per shared domain."""
        by_domains: dict[str, tuple[list[str], dict[str, Alternative]]] = {}
        for primary, common, alternatives in concerned:
            primaries, others = by_domains.setdefault(_where(common), ([], {}))
            primaries.append(primary)
            others.update((str(a), a) for a in alternatives)
        parts = []
        for where, (primaries, others) in by_domains.items():
            rest = [name for name, a in others.items() if a.site not in primaries or a.same_site]
            besides = f" and {', '.join(rest)}" if rest else ""
            parts.append(f"primaries {', '.join(primaries)}{besides} are all {where}"
                         if len(primaries) > 1 else
                         f"every other placement of primary {primaries[0]} ({', '.join(others)}) is {where}")
        return "; ".join(parts) + f": {self.consequence} them all"


def _where(domains: list[Domain]) -> str:
    """"in building b1", "on campus c", "in hazard zones flood-7 and fault-2"."""
    preposition = "on" if domains[0].kind == "campus" else "in"
    if len(domains) == 1:
        return f"{preposition} {domain_phrase(domains[0])}"
    values = [d.value for d in domains]
    return f"{preposition} {domain_noun(domains[0].kind, plural=True)} {', '.join(values[:-1])} and {values[-1]}"
