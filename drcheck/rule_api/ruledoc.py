"""A rule's documentation, written once in the rule file: the sections of its docstring and its examples.

The docstring opens with what the rule does (a sentence or two), then two
sections under fixed headings, in this order:

    \"\"\"Finds critical services that run on one site only.

    ## Why it matters
    The incident or the standard that makes it matter.

    ## When it fires
    Exactly: which subjects, which parameters, which severity in which case,
    when the result is unknown.
    \"\"\"

The examples are small inventories, one on which the rule fires (naming the
subject it fires on) and one on which it does not; tests run them (see
`drcheck.testing.load_examples`), so the documentation cannot drift from
the rule.  A plugin rule may keep a free docstring and give no examples:
`drcheck explain` then says what is not documented.  What it does give is
checked when it is loaded.
"""
from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from datetime import date

WHY, WHEN = "Why it matters", "When it fires"
EXAMPLE_AS_OF = date(2026, 11, 1)  # the audit date of an example that does not name one
SECTIONS = (WHY, WHEN)
_HEADING = re.compile(r"#+\s*(.*?)\s*")
_SUBJECT = re.compile(r"(service|site):\S+|domain:[a-z]+=\S+|inventory")


@dataclass(frozen=True)
class Example:
    """An inventory (YAML text, indented as you like) that shows the rule at work.

    `example_fires = Example(inventory, subject="service:auth")`: the rule fails exactly that subject, and
    nothing else.  `example_passes = Example(inventory)`: the rule gives no finding at all.  `as_of` is the
    audit date the example assumes (default EXAMPLE_AS_OF, 2026-11-01)."""

    inventory: str
    subject: str | None = None
    as_of: date | None = None

    @property
    def text(self) -> str:
        return textwrap.dedent(self.inventory).strip("\n") + "\n"


@dataclass(frozen=True)
class RuleDoc:
    """The parsed docstring: `what` always; `why` and `when` are None in a free docstring (a plugin's)."""

    what: str
    why: str | None = None
    when: str | None = None

    def text(self) -> str:
        """Every section as plain paragraphs (for formats that carry one description)."""
        return "\n\n".join(part for part in (self.what, self.why, self.when) if part)


def parse_doc(docstring: str | None) -> RuleDoc:
    """The sections of a rule's docstring; ValueError saying what is wrong with it.

    Without any `## ` heading the docstring is free text, all of it `what`.  With one, it must be exactly
    the summary then `## Why it matters` then `## When it fires`, none empty."""
    text = inspect.cleandoc(docstring or "")
    if not text:
        raise ValueError("missing docstring (what the rule does, why it matters and when it fires)")
    parts: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        heading = _HEADING.fullmatch(line)
        if heading:
            parts.append((heading.group(1), []))
        else:
            parts[-1][1].append(line)
    if len(parts) == 1:
        return RuleDoc(text)
    headings = [name for name, _ in parts[1:]]
    if headings != list(SECTIONS):
        expected = " then ".join(f"'## {s}'" for s in SECTIONS)
        raise ValueError(f"docstring sections are {', '.join(repr('## ' + h) for h in headings)}; expected {expected}")
    bodies = ["\n".join(lines).strip() for _, lines in parts]
    if not bodies[0]:
        raise ValueError("docstring: say what the rule does before '## Why it matters'")
    for name, body in zip(SECTIONS, bodies[1:]):
        if not body:
            raise ValueError(f"docstring: section '## {name}' is empty")
    return RuleDoc(*bodies)


def example_problem(name: str, example: object, fires: bool) -> str | None:
    """What is wrong with a rule's `example_fires` / `example_passes`, or None."""
    if example is None:
        return None
    if not isinstance(example, Example):
        return f"{name} is a {type(example).__name__}; expected an Example"
    if not isinstance(example.inventory, str) or not example.inventory.strip():
        return f"{name}: the inventory must be YAML text"
    if fires and not (isinstance(example.subject, str) and _SUBJECT.fullmatch(example.subject)):
        return (f"{name}: subject {example.subject!r} is not the subject of a finding "
                "(like 'service:auth', 'site:pangyo', 'domain:site=pangyo' or 'inventory')")
    if not fires and example.subject is not None:
        return f"{name}: an example where the rule does not fire names no subject (found {example.subject!r})"
    if example.as_of is not None and not isinstance(example.as_of, date):
        return f"{name}: as_of must be a date"
    return None
