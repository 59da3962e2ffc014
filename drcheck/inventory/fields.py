"""Field tables: one declarative description of a YAML object that both reads it (every problem located at
file:line:column, saying what was found and what was expected) and is published as JSON Schema.

The inventory (`schema.py`) and the policy (`audit/policy.py`) are described with them.  A parser takes
(reader, value, mark) and returns the value read, or raises `Invalid`; its JSON Schema is declared beside
it with `json_form`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from ..errors import InputError, Location, Problem, did_you_mean
from .loader import Mapping, Sequence, plain, position
from .scalars import parse_date, parse_number

MAX_PROBLEMS = 50


class Invalid(Exception):
    """A value is wrong; the message says what was found and what was expected."""


class Reader:
    """What is being read, and the problems found so far."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.entry = ""  # the site or service being read, e.g. "service 'web'", to name in nested messages
        self.within_object, self.key = "", ""  # the object and key of a value a `names_fields` parser reads

    def within(self, what: str) -> str:
        """A nested object as messages name it: "service 'web' placement"."""
        return f"{self.entry} {what}" if self.entry else what

    @property
    def field(self) -> str:
        """The dotted name of the value being parsed (plan.drill), for `names_fields` parsers."""
        return f"{self.within_object}.{self.key}" if self.within_object else self.key

    def at(self, mark) -> Location:
        return position(self.file, mark)

    def problem(self, mark, message: str) -> None:
        """`mark`: a loader mark, or a Location already worked out; None: the top of the file."""
        where = mark if isinstance(mark, Location) else self.at(mark) if mark is not None else Location(self.file, 1, 1)
        self.problems.append(Problem(where, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise InputError(self.problems + [Problem(None, f"stopped after {MAX_PROBLEMS} problems")])


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    text = value if len(value) <= 40 else value[:37] + "..."
    return repr(text)


Parser = Callable[[Reader, Any, Any], Any]


def json_form(schema: dict | Callable[[], dict]) -> Callable[[Parser], Parser]:
    """Declare the JSON Schema of the values a parser accepts (a function when it is built from something
    else: another spec, the catalogue)."""
    def declare(parse: Parser) -> Parser:
        parse.json_schema = schema
        return parse

    return declare


def names_fields(parse: Parser) -> Parser:
    """Mark a parser that names what it reads after the field it is the value of (`ctx.field`: plan.drill):
    only for these does reading an object keep track of the field (the inventory's hot path does not)."""
    parse.names_fields = True
    return parse


def json_for(parse: Parser, doc: str) -> dict:
    form = getattr(parse, "json_schema", None)
    if form is None:  # pragma: no cover - a new parser needs its JSON form declared
        raise TypeError(f"no JSON Schema for {parse}")
    schema = dict(form() if callable(form) else form)
    schema["description"] = doc
    return schema


# ---- parsers of any field table -------------------------------------------------------------

@json_form({"type": "string"})
def text(ctx, value, mark):
    if type(value) is not str:
        raise Invalid(f"found {describe(value)}; expected text")
    return value


def enum(choices: tuple[str, ...], expected: str | None = None) -> Parser:
    """One of `choices`; `expected` says what they are where there are too many to list."""
    allowed = frozenset(choices)
    expected = expected or f"one of: {', '.join(choices)}"

    @json_form({"enum": list(choices)})
    def parse(ctx, value, mark):
        if type(value) is not str or value not in allowed:
            raise Invalid(f"found {describe(value)}{did_you_mean(value, choices)}; expected {expected}")
        return value

    return parse


@json_form({"type": "boolean"})
def boolean(ctx, value, mark):
    if type(value) is str and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise Invalid(f"found {describe(value)}; expected true or false")


@json_form({"type": "string", "format": "date"})
def calendar_date(ctx, value, mark):
    if type(value) is str:
        try:
            return parse_date(value)
        except ValueError as bad:
            raise Invalid(f"found {describe(value)}; {bad}") from None
    raise Invalid(f"found {describe(value)}; expected a date YYYY-MM-DD")


def number(high: float | None = None, expected: str | None = None, low: float = 0, whole: bool = False) -> Parser:
    """A finite number from `low` (and at most `high`; a whole number if `whole`); `expected` says what it is."""
    if expected is None:
        expected = f"a number from {low:g} to {high:g}" if high is not None else f"a number, {low:g} or more"
    schema = {"type": "integer" if whole else "number", "minimum": low} | ({} if high is None else {"maximum": high})

    @json_form(schema)
    def parse(ctx, value, mark):
        try:
            found = parse_number(value) if type(value) is str else None
        except ValueError:
            found = None
        if found is None or found < low or high is not None and found > high or whole and found != int(found):
            raise Invalid(f"found {describe(value)}; expected {expected}")
        return int(found) if whole else found

    return parse


def optional(parse: Parser) -> Parser:
    """`parse`, or None for a key left empty (say `waivers:` with every entry commented out): it sets nothing."""
    def schema() -> dict:
        taken = json_for(parse, "")
        if "enum" in taken:
            return taken | {"enum": [*taken["enum"], None]}
        return taken | {"type": [taken["type"], "null"]}

    @json_form(schema)
    def read(ctx, value, mark):
        return None if value is None else parse(ctx, value, mark)

    read.names_fields = getattr(parse, "names_fields", False)

    return read


@json_form({"type": "array", "items": {"type": "string"}})
def text_list(ctx, value, mark):
    if not isinstance(value, Sequence):
        raise Invalid(f"found {describe(value)}; expected a list of names")
    for item in value:
        if type(item) is not str:
            raise Invalid(f"found {describe(item)} in the list; expected names (text)")
    return list(value)


# ---- objects ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str
    parse: Parser
    doc: str
    required: bool = False
    attribute: str | None = None  # the model attribute, when it differs from the name


@dataclass(frozen=True)
class ObjectSpec:
    title: str
    fields: tuple[Field, ...]
    plural: str = ""  # for messages; default: title + "s"
    extensible: bool = False  # takes any x-* key: the user's own data, kept and never judged
    key_word: str = "field"  # what messages call its keys: "unknown field 'colour'", "unknown policy key 'x'"
    # takes keys besides its fields, kept as written with where (a rule's parameters, which the rule checks)
    open: bool = False
    # what a message says when required fields are missing; default: one message per field, with its doc
    required_note: str = ""

    def __post_init__(self) -> None:
        if not self.plural:
            object.__setattr__(self, "plural", self.title + "s")

    @cached_property
    def readers(self) -> dict[str, tuple[str, Parser, bool]]:
        """Each field name -> (model attribute, parser, whether it names its fields): what validation looks up
        for every key it reads."""
        return {f.name: (f.attribute or f.name, f.parse, getattr(f.parse, "names_fields", False))
                for f in self.fields}

    @cached_property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


def read_object(ctx: Reader, node, mark, spec: ObjectSpec, what: str) -> dict | None:
    """The fields of one object, by model attribute, with its "location"; None, with the problems said to
    `ctx`, when anything in it is wrong.  `what` names it in messages ("site 'a'", "plan"; "" at the top)."""
    if type(node) is not Mapping:
        ctx.problem(mark, f"{what or spec.title}: found {describe(node)}; expected a mapping ({spec.title})")
        return None
    values = {}
    readers = spec.readers
    value_at = node.value_at
    found = len(ctx.problems)
    for key, value in node.items():
        reader = readers.get(key)
        if reader is None:
            if spec.extensible and key.startswith("x-"):
                values.setdefault("extensions", {})[key] = plain(value)
                continue
            if spec.open:
                values.setdefault("others", {})[key] = (value, ctx.at(value_at(key)))
                continue
            more = ", or a key starting with x-" if spec.extensible else ""
            ctx.problem(node.key_at(key), f"{what + ': ' if what else ''}unknown {spec.key_word} {key!r}"
                                          f"{did_you_mean(key, readers)}; expected one of: {', '.join(readers)}{more}")
            continue
        if reader[2]:
            ctx.within_object, ctx.key = what, key
        try:
            values[reader[0]] = reader[1](ctx, value, value_at(key))
        except Invalid as bad:
            ctx.problem(value_at(key), f"{what}.{key}: {bad}" if what else f"{key}: {bad}")
    if spec.required_note:
        missing = [field.name for field in spec.required if field.name not in node]
        if missing:
            ctx.problem(node.where, f"{what}: missing {', '.join(missing)}; {spec.required_note}")
    else:
        for field in spec.required:
            if field.name not in node:
                ctx.problem(node.where, f"{what}: missing required field {field.name!r} ({field.doc})")
    if len(ctx.problems) > found:
        return None  # never build from part of an object: a reference read as nothing is no reference
    values["location"] = ctx.at(node.where)
    return values


def objects(spec: ObjectSpec, build: Callable[[dict], Any], what: str) -> Parser:
    """A parser for a list of objects of one spec."""
    @json_form(lambda: {"type": "array", "items": json_object(spec)})
    def parse(ctx, value, mark):
        if not isinstance(value, Sequence):
            raise Invalid(f"found {describe(value)}; expected a list of {spec.plural}")
        items = []
        within = ctx.within(what)
        for item, item_mark in zip(value, value.item_at):
            values = read_object(ctx, item, item_mark, spec, within)
            if values is not None:
                items.append(build(values))
        return items

    return parse


def json_object(spec: ObjectSpec) -> dict:
    schema = {
        "type": "object",
        "title": spec.title,
        "properties": {f.name: json_for(f.parse, f.doc) for f in spec.fields},
        "required": [f.name for f in spec.fields if f.required],
        "additionalProperties": spec.open,
    }
    if spec.extensible:
        schema["patternProperties"] = {"^x-": {"description": "your own data, kept and never judged"}}
    return schema


def object_parser(spec: ObjectSpec, build: Callable[[dict], Any]) -> Parser:
    """A parser for one object of `spec`, named in messages by the field it is the value of (plan.drill), and
    built by `build` from the fields read."""
    @names_fields
    @json_form(lambda: json_object(spec))
    def parse(ctx, value, mark):
        values = read_object(ctx, value, mark, spec, ctx.field)
        return None if values is None else build(values)

    return parse
