"""Strongly connected components: the one implementation the failure simulation and the dependency cycles share."""
from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

Node = TypeVar("Node", bound=Hashable)


def strongly_connected(nodes: Iterable[Node], edges: Callable[[Node], Iterable[Node]]) -> list[list[Node]]:
    """The strongly connected components of the graph whose `edges(node)` are each node's successors, each
    after every component it has edges to (iterative Tarjan: a chain of 20,000 services needs no recursion)."""
    order: dict[Node, int] = {}
    low: dict[Node, int] = {}
    on_stack: set[Node] = set()
    stack: list[Node] = []
    result: list[list[Node]] = []
    counter = 0
    for root in nodes:
        if root in order:
            continue
        work = [(root, iter(edges(root)))]
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in order:
                    order[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(edges(succ))))
                    advanced = True
                    break
                if succ in on_stack and order[succ] < low[node]:
                    low[node] = order[succ]
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result
