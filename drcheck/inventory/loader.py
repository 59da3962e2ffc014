"""Read YAML into plain containers that remember where every value came from.

PyYAML's constructor is the slow part of loading (and the part that expands
aliases and builds objects from tags), so drcheck reads libyaml's event stream
directly and builds dicts, lists and strings itself.  Every scalar stays a
string: the schema, not YAML 1.1 guessing, decides what it means.
"""
from __future__ import annotations

import os
import re
import stat
import sys
from sys import intern
from pathlib import Path

import yaml

from ..errors import InputError, Location, path_error
from ..processes import CAN_FORK, Forked

try:  # libyaml's parser; the pure-Python one behaves the same, only slower
    from yaml._yaml import CParser as _Parser

    _OFFSETS_IN_BYTES = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser

    _OFFSETS_IN_BYTES = False

MAX_INPUT_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 64
STDIN_NAME = "<stdin>"
ROLES = {"inventory": "a YAML inventory", "policy": "a YAML policy", "baseline": "a drcheck JSON report"}
_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
# Only the core schema's tags: "!!python/..." also starts with the standard prefix.
_ALLOWED_TAGS = frozenset(["!", *(_STANDARD_TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))])
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_NULL_TAG = _STANDARD_TAG_PREFIX + "null"


class Mapping(dict):
    """A YAML mapping; `where` is its own mark (see `mark`, `position`), `marks[key]` those of one entry's
    key and value, as `entry_marks` packs them: `key_at` and `value_at` read them."""

    __slots__ = ("where", "marks")

    def key_at(self, key: str) -> int:
        return self.marks[key] >> 64

    def value_at(self, key: str) -> int:
        return self.marks[key] & _VALUE_MARK


def entry_marks(key_mark: int, value_mark: int) -> int:
    """The marks of a mapping entry's key and value as one int, the key's above the value's: one dict per
    mapping and one int per entry fewer than keeping them apart, a third of what loading holds."""
    return key_mark << 64 | value_mark


_VALUE_MARK = (1 << 64) - 1


class Sequence(list):
    """A YAML sequence; `item_at[i]` is the mark of item i."""

    __slots__ = ("where", "item_at")


def plain(value):
    """A loaded value as plain dicts and lists, its positions dropped (an x-* field's data, a rule parameter)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class Document:
    """One parsed file: its root node and its name for messages."""

    __slots__ = ("file", "root")

    def __init__(self, file: str, root: object):
        self.file = file
        self.root = root


def read_source(path: str, stdin=None, role: str = "inventory") -> tuple[str, str]:
    """Return (display name, text) of a file or of stdin ("-"): every file a user names is read here,
    never more than MAX_INPUT_BYTES of it (a device such as /dev/zero, a FIFO, has no size to ask).
    `role` is one of ROLES, for messages."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_INPUT_BYTES + 1)
        name = STDIN_NAME
    else:
        name = path
        try:
            with open(path, "rb") as handle:
                if os.fstat(handle.fileno()).st_size > MAX_INPUT_BYTES:
                    raise _too_big(name, role)
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise path_error(path, exc, f"cannot read {role}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise _too_big(name, role)
    return name, _decode(name, data)


def _too_big(name: str, role: str) -> InputError:
    return InputError.at(
        Location(name, 1, 1),
        f"file is larger than the limit of {_size(MAX_INPUT_BYTES)}; expected {ROLES[role]}",
    )


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def _decode(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError.at(Location(name, 1, 1), "found invalid UTF-16; expected UTF-8 or UTF-16 text") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError.at(_offset_location(name, data, nul), "found a NUL byte: this is a binary file, expected YAML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            _offset_location(name, data, exc.start), f"found byte 0x{data[exc.start]:02x} that is not UTF-8; expected UTF-8 text"
        ) from None


def _offset_location(name: str, data: bytes | str, offset: int) -> Location:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1
    return Location(name, line, offset - (data.rfind(newline, 0, offset) + 1) + 1)


def parse(name: str, text: str) -> Document:
    """Parse one YAML document into Mapping/Sequence/str/None nodes with positions."""
    if not text.strip():
        raise InputError.at(Location(name, 1, 1), "the file is empty; expected an inventory starting with 'version: 1'")
    try:
        root = _build_in_two(name, text)
        return Document(name, _build(name, _Parser(text)) if root is None else root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
        if mark and _tab_at(text, mark.line, mark.column):
            raise InputError.at(where, "invalid YAML: found a tab in the indentation; YAML indents with spaces "
                                       "only (replace the tab with spaces)") from None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise InputError.at(where, f"invalid YAML: {what}") from None
    except yaml.reader.ReaderError as exc:  # an offset, not a mark: in UTF-8 bytes for libyaml, characters otherwise
        offset = len(text.encode("utf-8")[:exc.position].decode("utf-8", "ignore")) if _OFFSETS_IN_BYTES else exc.position
        raise InputError.at(
            _offset_location(name, text, offset),
            f"invalid YAML: found control character U+{exc.character:04X}; expected printable text "
            f"(inside double quotes write it as an escape, e.g. \"\\x{exc.character:02x}\")",
        ) from None


# From this size a file is read in two halves at once, where the system can fork (`_build_in_two`): below it, the
# second process costs more than it saves.
SPLIT_FROM_CHARS = 2_000_000
_FIRST_SHARE = 0.6  # of the text, read here: the second process also sends its half back
# a top-level key that opens a block mapping, and an entry of such a mapping
_SECTION = re.compile(r"\n([A-Za-z_][\w-]*):[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( +)[A-Za-z0-9_]")
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # line breaks to libyaml, which str.count("\n") does not count


def _build_in_two(name: str, text: str) -> Mapping | None:
    """The root of a large `text`, read by two processes at once; None where it cannot be, or where either
    half finds anything amiss (`parse` then reads the whole, and tells the error where it is).

    The text is cut at the start of a line past 60 % of it that is an entry of a mapping opened by a top-level
    key (`services:`, most of an inventory).  This process reads the text before the cut; a forked child reads
    the rest behind blank lines and that key, so that its lines keep their numbers, and sends back what it read
    (`processes.Forked`).  The halves are one reading of the whole when the first ends
    inside that mapping, with the entry at the indentation of its keys: a line there can only start another
    entry (a block scalar, a plain scalar that goes on, a nested mapping would be indented further, and an
    unclosed quote or bracket makes the first half an error), and `_joined` checks the rest."""
    if not CAN_FORK or len(text) < SPLIT_FROM_CHARS or any(b in text for b in _OTHER_BREAKS):
        return None
    cut = _cut(text, int(len(text) * _FIRST_SHARE))
    if cut is None:
        return None
    cut, indent, key = cut
    line = text.count("\n", 0, cut)
    rest = "\n" * (line - 1) + f"{key}:\n" + text[cut:]
    with Forked(lambda _: _build(name, _Parser(rest))) as second:
        try:
            first = _build(name, _Parser(text[:cut]))
            return _joined(first, second.result()[0], key, line << 32 | indent)
        except (yaml.YAMLError, InputError):
            return None


def _cut(text: str, start: int) -> tuple[int, int, str] | None:
    """Where to cut `text`, at or after `start`: the offset of a line that is an entry of the mapping the last
    top-level key before it opens, the indentation of that mapping's keys, and that key."""
    section = None
    for section in _SECTION.finditer(text, 0, start):
        pass
    if section is None:
        return None
    key, indent = section.group(1), len(section.group(2))
    entry = re.compile(r"\n {%d}[A-Za-z0-9_][^\n:#]*:(?=[ \t\n])" % indent).search(text, start)
    return None if entry is None else (entry.start() + 1, indent, key)


def _joined(first, second, key: str, cut: int) -> Mapping | None:
    """The root of the whole text from those of its two halves, cut (`cut`: the mark of the line and column)
    at an entry of the mapping under top-level `key`; None unless each half is as that cut makes it: the
    first's last key is `key` (at column 0), holding a mapping whose keys are at the cut's column; the second's
    first key is `key`, holding a mapping whose first key is at the cut; no key is in both."""
    if not (type(first) is Mapping and type(second) is Mapping and first and second
            and next(reversed(first)) == key and next(iter(second)) == key and first.key_at(key) & _COLUMN == 0):
        return None
    entries, more = first[key], second[key]
    if not (type(entries) is Mapping and type(more) is Mapping and entries and more):
        return None
    if entries.key_at(next(reversed(entries))) & _COLUMN != cut & _COLUMN or more.key_at(next(iter(more))) != cut:
        return None
    after = list(second)[1:]
    if any(name in entries for name in more) or any(name in first for name in after):
        return None  # a duplicate key: `parse` reads the whole to say where
    entries.update(more)
    entries.marks.update(more.marks)
    for name in after:
        first[name] = second[name]
        first.marks[name] = second.marks[name]
    return first


_COLUMN = 0xFFFFFFFF


def _tab_at(text: str, line: int, column: int) -> bool:
    """Whether the parser stopped at a tab (PyYAML's message, "found character that cannot start any token",
    does not say which character)."""
    lines = text.split("\n", line + 1)
    return line < len(lines) and lines[line][column:column + 1] == "\t"


def _build(name: str, parser) -> object:
    # One tight loop over libyaml's events: this is the hot path of loading, so the
    # open container's position table lives in a local variable.
    get = parser.get_event
    ScalarEvent, MappingStartEvent, SequenceStartEvent = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    MappingEndEvent, SequenceEndEvent = yaml.MappingEndEvent, yaml.SequenceEndEvent
    nulls = _NULLS
    stack: list = []  # the enclosing containers' (container, is_mapping, marks)
    container = None  # the open container, or None at the top level
    is_mapping = False
    marks = None  # the open mapping's marks, or the open sequence's item_at
    key = None  # the open mapping's key awaiting its value
    key_pos = 0
    root: object = None
    documents = 0
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            node = event.value
            if event.tag is not None:
                _check_tag(name, event)
                if event.tag == _NULL_TAG:
                    node = None
            elif (not node or node[0] in "~nN") and node in nulls and not event.style:  # plain style: None or ""
                node = None
            pos = event.start_mark
            pos = pos.line << 32 | pos.column  # `mark`, inline: this runs for every scalar
            if is_mapping:
                if key is None:
                    if node is None or node in container:
                        _bad_key(name, container, node, pos)
                    key = intern(node)  # a few field names repeat hundreds of thousands of times
                    key_pos = pos << 64  # `entry_marks`, inline
                else:
                    container[key] = node
                    marks[key] = key_pos | pos
                    key = None
            elif container is not None:
                container.append(node)
                marks.append(pos)
            else:
                root = node
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag is not None:
                _check_tag(name, event)
            if len(stack) >= MAX_DEPTH:
                raise _error(name, event, f"found nesting deeper than {MAX_DEPTH} levels; an inventory never needs that")
            pos = mark(event.start_mark)
            if kind is MappingStartEvent:
                node = Mapping()
                node.marks = {}
            else:
                node = Sequence()
                node.item_at = []
            node.where = pos
            if is_mapping:
                if key is None:
                    raise _error(name, event, "found a mapping key that is not a plain string; expected a name")
                container[key] = node
                marks[key] = key_pos | pos
                key = None
            elif container is not None:
                container.append(node)
                marks.append(pos)
            else:
                root = node
            stack.append((container, is_mapping, marks))
            container = node
            if kind is MappingStartEvent:
                is_mapping, marks = True, node.marks
            else:
                is_mapping, marks = False, node.item_at
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            container, is_mapping, marks = stack.pop()
            key = None
        elif kind is yaml.AliasEvent:
            raise _error(
                name,
                event,
                f"found alias *{event.anchor}; aliases are not supported (they are how 'billion laughs' bombs "
                "expand): write the value out",
            )
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _error(name, event, "found a second YAML document ('---'); expected one document per file")
        elif event is None or kind is yaml.StreamEndEvent:
            return root


def _bad_key(name: str, container: Mapping, key, pos) -> None:
    if key is None:
        raise InputError.at(position(name, pos), "found a null mapping key (empty, ~ or null); expected a name "
                                                 "(quote a name such as \"null\")")
    first = position(name, container.key_at(key))
    raise InputError.at(
        position(name, pos),
        f"duplicate key {key!r} (first defined at {first}); a key may appear only once in a mapping",
    )


def _check_tag(name: str, event) -> None:
    if event.tag not in _ALLOWED_TAGS:
        shown = event.tag.replace(_STANDARD_TAG_PREFIX, "!!", 1)
        raise _error(name, event, f"found YAML tag {shown!r}; expected plain values (tags are not allowed in an inventory)")


def mark(yaml_mark) -> int:
    """A position kept while loading, as one int: line and column from 0.  A million of them in a large
    inventory, and an int takes a third of the memory of the PyYAML mark it is made from."""
    return yaml_mark.line << 32 | yaml_mark.column


def position(file: str, mark: int) -> Location:
    """The Location of a `mark`."""
    # tuple.__new__ skips the named tuple's Python-level __new__: validation makes 180,000 of these
    return _new_tuple(Location, (file, (mark >> 32) + 1, (mark & 0xFFFFFFFF) + 1))


_new_tuple = tuple.__new__


def _error(name: str, event, message: str) -> InputError:
    return InputError.at(position(name, mark(event.start_mark)), message)


def collect_sources(paths: list[str]) -> list[tuple[str, bool]]:
    """Expand directories into their *.yaml/*.yml files, sorted, so merges are deterministic: (path, whether
    it was found in a directory rather than named)."""
    files: list[tuple[str, bool]] = []
    for path in paths:
        if path == "-":
            files.append((path, False))
            continue
        try:
            is_directory = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as exc:  # missing, a symbolic link loop, a name too long, no permission
            raise path_error(path, exc) from None
        if is_directory:
            found = sorted(
                str(p) for p in Path(path).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            if not found:
                raise InputError.at(None, f"{path}: directory holds no *.yaml or *.yml inventory files")
            files.extend((name, True) for name in found)
        else:
            files.append((path, False))
    return files


def load_documents(paths: list[str], stdin=None) -> list[Document]:
    return [parse(*read_source(path, stdin)) for path, _ in collect_sources(paths)]


