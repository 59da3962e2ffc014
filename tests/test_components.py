"""Strongly connected components: one implementation, shared by the simulation and the dependency cycles."""
import networkx as nx
from hypothesis import given, settings, strategies as st

from drcheck.failures.components import strongly_connected


@st.composite
def graphs(draw) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(0, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30)) if n else []
    return n, edges


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_the_components_are_networkx_s_each_listed_after_every_component_it_reaches(graph):
    n, edges = graph
    successors: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b in edges:
        successors[a].append(b)
    components = strongly_connected(range(n), successors.__getitem__)
    reference = nx.DiGraph(edges)
    reference.add_nodes_from(range(n))
    assert sorted(map(sorted, components)) == sorted(map(sorted, nx.strongly_connected_components(reference)))
    position = {node: at for at, component in enumerate(components) for node in component}
    assert all(position[b] <= position[a] for a, b in edges)  # what a component needs comes first


def test_a_chain_of_twenty_thousand_needs_no_recursion():
    components = strongly_connected(range(20_000), lambda i: [i + 1] if i < 19_999 else [0])
    assert [len(c) for c in components] == [20_000]
