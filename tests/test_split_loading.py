"""A large file is read in two halves at once (`loader._build_in_two`): what that gives must be exactly what one
reading gives, every position included, and an error must be the one reading's, where it is."""
from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from drcheck.errors import InputError
from drcheck.inventory import loader
from drcheck.inventory.loader import Mapping, Sequence, parse
from drcheck.processes import CAN_FORK

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import synthetic_inventory  # noqa: E402

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="a file is read in two processes only where they can fork")


def tree(node) -> object:
    """A parsed node with every position it keeps, to compare two readings."""
    if type(node) is Mapping:
        return "mapping", node.where, [(key, node.marks[key], tree(value)) for key, value in node.items()]
    if type(node) is Sequence:
        return "sequence", node.where, list(node.item_at), [tree(item) for item in node]
    return node


def reading(text: str, split: bool, monkeypatch) -> tuple:
    """What parsing `text` gives, read in two halves (from any size) or in one: the tree, or the error."""
    monkeypatch.setattr(loader, "SPLIT_FROM_CHARS", 0 if split else sys.maxsize)
    try:
        return "read", tree(parse("estate.yaml", text).root)
    except InputError as error:
        return "error", str(error)


def test_a_large_inventory_read_in_two_is_read_as_in_one(monkeypatch):
    text = synthetic_inventory(600, sites=40)
    monkeypatch.setattr(loader, "SPLIT_FROM_CHARS", 0)
    assert loader._build_in_two("estate.yaml", text) is not None  # it was cut, and the halves joined
    assert reading(text, True, monkeypatch) == reading(text, False, monkeypatch)


def test_large_files_are_cut_by_default():
    text = synthetic_inventory(12_000, sites=40)
    assert len(text) > loader.SPLIT_FROM_CHARS
    assert loader._build_in_two("estate.yaml", text) is not None


ENTRIES = 60


def estate(entry: str, after: str = "") -> str:
    """An estate of ENTRIES services, each written with `entry` (formatted with its number), then `after`."""
    return "version: 1\nsites:\n  a: {}\nservices:\n" + "".join(entry.format(n=n) for n in range(ENTRIES)) + after


# What a line at an entry's indentation can be other than an entry, wherever the cut falls
TRICKY = {
    "a quoted text going on over lines that look like entries":
        '  s{n}:\n    description: "first line\n  s{n}x: not an entry\n    still text"\n',
    "a single-quoted one": "  s{n}:\n    description: 'it''s\n  s{n}x: text'\n",
    "a flow mapping over lines": "  s{n}:\n    placements: [{{site: a,\n  s{n}x: 1}}]\n",
    "a block scalar": "  s{n}:\n    notes: |\n      s{n}x: text\n        deeper\n    tier: 1\n",
    "a block scalar with an indentation indicator": "  s{n}:\n    notes: |2\n       s{n}x: text\n",
    "a plain text going on": "  s{n}:\n    description: a long\n      s{n}x: text\n",
    "comments at the entry's indentation": "  # s{n}x: a comment\n  s{n}:\n    tier: 1\n# at the margin\n",
    "entries in a flow mapping": "  s{n}: {{tier: 1, placements: [{{site: a}}]}}\n",
    "an empty entry": "  s{n}:\n",
    "entries holding sequences at their own indentation": "  s{n}:\n    depends_on:\n    - s0\n    - s1\n",
    "a key holding a tag": "  s{n}: !!map\n    tier: 1\n",
    "an anchor": "  s{n}: &x{n}\n    tier: 1\n",
}


@pytest.mark.parametrize("entry", TRICKY.values(), ids=TRICKY.keys())
def test_what_looks_like_an_entry_is_read_as_one_reading_reads_it(entry, monkeypatch):
    text = estate(entry)
    assert reading(text, True, monkeypatch) == reading(text, False, monkeypatch)


AFTER = {
    "more top-level keys": "overrides:\n  services:\n    s1: {tier: 0}\nx-team: core\n",
    "a top-level key given twice": "version: 1\n",
    "a service given twice": "  s1:\n    tier: 2\n",
    "a second document": "---\nversion: 1\n",
    "an alias": "  z: *x\n",
    "a tab in the indentation": "  z:\n\ttier: 1\n",
    "a syntax error": "  z: [unclosed\n",
    "a tag that is not allowed": "  z: !!python/object {}\n",
    "a document end": "...\n",
    "a nesting too deep": "  z: " + "[" * 70 + "]" * 70 + "\n",
}


@pytest.mark.parametrize("after", AFTER.values(), ids=AFTER.keys())
def test_what_the_second_half_holds_is_read_or_refused_as_in_one_reading(after, monkeypatch):
    text = estate("  s{n}:\n    tier: 1\n", after)
    assert reading(text, True, monkeypatch) == reading(text, False, monkeypatch)


@pytest.mark.parametrize("break_", ["\r\n", "\r", "\u2028", "\x85"])
def test_line_breaks_other_than_newlines_are_not_cut(break_, monkeypatch):
    text = estate("  s{n}:\n    tier: 1\n").replace("\n", break_, 3)
    monkeypatch.setattr(loader, "SPLIT_FROM_CHARS", 0)
    assert loader._build_in_two("estate.yaml", text) is None
    assert reading(text, True, monkeypatch) == reading(text, False, monkeypatch)


LINES = ["  s{n}:", "    tier: 1", "  # s{n}: note", '    description: "open', '  s{n}: x"', "    notes: |",
         "      text: here", "  s{n}: {{tier: [", "  ]}}", "services:", "sites:", "  s1:", "---", "\t", "- item",
         "    - s1", "  s{n}: &a", "  t: *a", "  'quoted {n}': 1", "  s{n}: 'it''s", "  z: |2", "   deeper: 1", ""]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(LINES), st.integers(0, 99)), max_size=3),
       st.floats(0.05, 0.95))
def test_any_edit_of_an_estate_is_read_in_two_as_in_one(monkeypatch, edits, share):
    lines = estate("  s{n}:\n    tier: 1\n    placements: [{{site: a}}]\n").split("\n")
    for at, line, n in edits:
        lines.insert(at % (len(lines) + 1), line.format(n=n))
    text = "\n".join(lines)
    monkeypatch.setattr(loader, "_FIRST_SHARE", share)
    assert reading(text, True, monkeypatch) == reading(text, False, monkeypatch)
