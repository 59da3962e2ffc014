"""Why a service is down in a scenario of the failure simulation: the chain of hard dependencies that takes
it down, the cycle that holds it, or the recovery tooling its standby waits for."""
from __future__ import annotations

from typing import Iterable, NamedTuple

from .simulate import Simulation

MAX_CHAIN = 8


class Cause(NamedTuple):
    """Why a service is down in one scenario.  (A tuple: a report explains every service down in each of
    its worst scenarios, tens of thousands of them in a large estate.)"""

    kind: str  # "placements" | "outage" | "dependency" | "cycle" | "recovery"
    chain: tuple[str, ...] = ()  # "dependency": service -> ... -> the service that went down first;
    #                              "cycle": service -> ... -> service, each needing the next
    missing: tuple[str, ...] = ()  # for "recovery": recovery needs that are down
    any_of: tuple[tuple[str, ...], ...] = ()  # for "dependency": the `any_of` groups the chain passes through,
    #                                           every service of each down (the chain follows the first)

    def describe(self) -> str:
        if self.kind == "placements":
            return "every placement is lost"
        if self.kind == "outage":
            return "the service itself is out (its own outage)"
        if self.kind == "dependency":
            groups = "".join(f"; every one of {', '.join(group)} is down" for group in self.any_of)
            return "hard dependency chain " + " → ".join(self.chain) + groups
        if self.kind == "cycle":
            return "hard dependency cycle " + " → ".join(self.chain) + ": none can be recovered before the others"
        return "standby survives but recovery needs are down: " + ", ".join(self.missing)


class Explanations:
    """Why services are down in the scenarios of one simulation, worked out on demand and remembered per
    scenario (the chains of a scenario share their tails)."""

    def __init__(self, simulation: Simulation):
        self.simulation = simulation
        self._memos: dict[int, dict[int, Cause]] = {}  # per scenario: causes found so far

    def cause(self, service: str, k: int) -> Cause | None:
        """Why `service` is down in scenario k (None when it is up)."""
        i = self.simulation.index[service]
        return self._cause(i, 1 << k, self._memos.setdefault(k, {})) if self.simulation.down[i] >> k & 1 else None

    def causes_in(self, k: int, names: Iterable[str] | None = None) -> dict[str, Cause]:
        """Why each service that is down in scenario k is down; or only each of `names` (services down in k)."""
        bit, memo, simulation = 1 << k, self._memos.setdefault(k, {}), self.simulation
        if names is not None:
            return {name: self._cause(simulation.index[name], bit, memo) for name in names}
        down = simulation.down
        return {s.name: self._cause(i, bit, memo) for i, s in enumerate(simulation.services) if down[i] & bit}

    def _cause(self, i: int, bit: int, memo: dict[int, Cause]) -> Cause:
        found = memo.get(i)
        if found is not None:
            return found
        simulation = self.simulation
        out, all_lost, down, deps = simulation.out, simulation.all_lost, simulation.down, simulation.deps
        if not (out[i] | all_lost[i]) & bit:
            # Most often the first down dependency is already explained: one more link on its chain (the
            # commonest case of `_linked`, written out: a report explains 100,000 services).
            for d in deps[i]:
                if down[d] & bit and d != i:
                    below = memo.get(d)
                    if below is not None:
                        if below.kind != "dependency" or below.any_of:
                            found = memo[i] = self._linked(i, d, memo)
                        else:
                            name, chain = simulation.service_names[i], below.chain
                            chain = (name, *chain) if len(chain) < MAX_CHAIN else (name, *chain[:MAX_CHAIN - 3], "…",
                                                                                   chain[-1])
                            found = memo[i] = _new_tuple(Cause, ("dependency", chain, (), ()))
                        return found
                    break
        # Iterative: follow the first down hard dependency until a service whose own placements are
        # lost, one already explained, or one whose down dependencies are all on the chain already:
        # a cycle whose members cannot come back before each other.  Then unwind.
        path = []
        on_path = set()
        via: dict[int, tuple[int, ...]] = {}  # a service on the path -> the any_of group its next hop is one of
        current = i
        cycle: list[int] = []
        while current not in memo:
            if out[current] & bit:
                memo[current] = Cause("outage")
                break
            if all_lost[current] & bit:
                memo[current] = Cause("placements")
                break
            on_path.add(current)
            nxt = back = None
            for d in deps[current]:
                if down[d] & bit:
                    if d not in on_path:
                        nxt = d
                        break
                    if back is None:
                        back = d
            if nxt is None:
                for group in simulation.groups[current]:
                    if all(down[m] & bit for m in group):
                        nxt = next((m for m in group if m not in on_path), None)
                        if nxt is not None:
                            via[current] = group
                            break
                        if back is None:
                            back = group[0]
            if nxt is None and back is not None:
                cycle = (path[path.index(back):] if back != current else []) + [current]
                break
            if nxt is None:
                missing = tuple(simulation.service_names[d] for d in simulation.needs_down_in(current, bit.bit_length() - 1))
                memo[current] = Cause("recovery", missing=missing)
                break
            path.append(current)
            current = nxt
        if cycle:
            names = [simulation.service_names[c] for c in cycle]
            for j, member in enumerate(cycle):  # each member's story starts from itself
                memo[member] = Cause("cycle", chain=shortened(tuple(names[j:] + names[:j] + names[j:j + 1])))
            path = path[: len(path) - len(cycle) + 1]
            current = cycle[0]
        for node in reversed(path):
            memo[node] = self._linked(node, current, memo, via.get(node, ()))
            current = node
        return memo[i]

    def _linked(self, node: int, below: int, memo: dict[int, Cause], group: tuple[int, ...] = ()) -> Cause:
        """Why `node` is down when its chain goes on through `below` (one of `group`, an any_of dependency whose
        every service is down), already explained in `memo`."""
        cause, names = memo[below], self.simulation.service_names
        tail = cause.chain if cause.chain else (names[below],)
        groups = cause.any_of if cause.kind == "dependency" else ()
        if group:
            groups = (tuple(names[m] for m in group),) + groups
        return _new_tuple(Cause, ("dependency", shortened((names[node],) + tail), (), groups))


_new_tuple = tuple.__new__  # a Cause without the named tuple's Python-level __new__: a report explains 100,000


def shortened(chain: tuple[str, ...]) -> tuple[str, ...]:
    """Keep the first hops and the root cause of a long chain readable."""
    return chain[: MAX_CHAIN - 2] + ("…", chain[-1]) if len(chain) > MAX_CHAIN else chain


