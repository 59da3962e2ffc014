"""The shape shared by the rules that judge how far a service's other placements stand from each primary
(dr-shares-building, -campus, -region): the domain kinds are data, the story is told once."""
from __future__ import annotations

from typing import ClassVar

from .context import Alternative, alternatives_sharing
from .findings import PASSED
from .rule import Rule
from .wording import alternatives_phrase, stops


class SharedDomainRule(Rule):
    """Fires for a service on two or more sites when, for some primary, every other placement shares a domain
    of `kinds` with it, unless each shares one of the `narrower` kinds already (a narrower rule's finding).
    One finding per service names every primary concerned."""

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
            # some alternative shares only a domain of this kind, so the primary has one
            concerned.append((primary, getattr(ctx.site(primary), kind), alternatives))
        if not concerned:
            return PASSED
        if len(concerned) == 1:
            message = self._story(kind, *concerned[0])
        else:
            message = self._stories(kind, concerned)
        each = [{"primary": primary, kind: value, "others": [a.site for a in alternatives],
                 "shared": {a.site: [str(d) for d in a.shared] for a in alternatives}}
                for primary, value, alternatives in concerned]
        return self.fail(service, message, each[0] | {"primaries": each})

    def _story(self, kind: str, primary: str, value: str, alternatives: list[Alternative]) -> str:
        return (f"{alternatives_phrase(alternatives)} is {_preposition(kind)} {kind} {value} with primary {primary}: "
                f"{self.consequence} {stops(len(alternatives))}")

    def _stories(self, kind: str, concerned: list) -> str:
        """Several primaries (active-active): one sentence per shared domain."""
        by_value: dict[str, tuple[list[str], dict[str, Alternative]]] = {}
        for primary, value, alternatives in concerned:
            primaries, others = by_value.setdefault(value, ([], {}))
            primaries.append(primary)
            others.update((str(a), a) for a in alternatives)
        parts = []
        for value, (primaries, others) in by_value.items():
            rest = [name for name, a in others.items() if a.site not in primaries or a.same_site]
            besides = f" and {', '.join(rest)}" if rest else ""
            parts.append(f"primaries {', '.join(primaries)}{besides} are all {_preposition(kind)} {kind} {value}"
                         if len(primaries) > 1 else
                         f"every other placement of primary {primaries[0]} ({', '.join(others)}) is "
                         f"{_preposition(kind)} {kind} {value}")
        return "; ".join(parts) + f": {self.consequence} them all"


def _preposition(kind: str) -> str:
    return "on" if kind == "campus" else "in"
