"""Reading importers' input files: located errors, never a traceback."""
from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from ..errors import InputError, Location
from ..inventory.loader import Mapping, Sequence, entry_marks, mark, position, read_source


def input_files(paths: list[str], suffixes: tuple[str, ...]) -> list[str]:
    """Files given, and the files with one of `suffixes` below directories given, sorted per directory."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(str(p) for p in Path(path).rglob("*") if p.is_file() and p.name.endswith(suffixes))
            if not found:
                raise InputError(f"{path}: directory holds no {' or '.join('*' + s for s in suffixes)} files")
            files.extend(found)
        elif not os.path.exists(path):
            raise InputError(f"{path}: no such file or directory")
        else:
            files.append(path)
    return files


def read_json(path: str):
    name, text = read_source(path)
    if not text.strip():  # json's own word for it is "Expecting value"
        raise InputError.at(Location(name, 1, 1), "the file is empty; expected JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.at(Location(name, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}{_redirect_hint(path)}") from None


def _redirect_hint(path: str) -> str:
    """Why a UTF-16 file may hold broken text: Windows PowerShell's `>` writes UTF-16, and text that passed through
    a console in another code page on the way is mangled before it is written."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(2)
    except OSError:
        return ""
    if start not in (b"\xff\xfe", b"\xfe\xff"):
        return ""
    return ("; the file is UTF-16, as Windows PowerShell's `>` writes it: write it as UTF-8 instead, e.g. "
            "`terraform show -json plan.out | Out-File -Encoding utf8 plan.json`, or run the command in cmd.exe "
            "or PowerShell 7")


def read_yaml_documents(path: str) -> list[Mapping | Sequence | str | None]:
    """Every document of a YAML file, as the loader's containers (each value's position kept; scalars stay text)."""
    name, text = read_source(path)
    try:
        return [_plain(name, node, set()) for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
        raise InputError.at(where, f"invalid YAML: {' '.join(p for p in (exc.context, exc.problem) if p)}") from None
    except yaml.YAMLError as exc:
        raise InputError.at(Location(name, 1, 1), f"invalid YAML: {exc}") from None


def _plain(name: str, node: yaml.Node, seen: set[int]):
    if id(node) in seen:  # an alias: expanding them is how "billion laughs" bombs work
        raise InputError.at(position(name, mark(node.start_mark)), "found a YAML alias; write the value out")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag.endswith(":null") else node.value
    if isinstance(node, yaml.SequenceNode):
        items = Sequence(_plain(name, item, seen) for item in node.value)
        items.where, items.item_at = mark(node.start_mark), [mark(item.start_mark) for item in node.value]
        return items
    mapping = Mapping()
    mapping.where, mapping.marks = mark(node.start_mark), {}
    for key_node, value_node in node.value:
        key = _plain(name, key_node, seen)
        if not isinstance(key, str):
            raise InputError.at(position(name, mark(key_node.start_mark)), "found a mapping key that is not text")
        if key in mapping:
            raise InputError.at(position(name, mark(key_node.start_mark)), f"duplicate key {key!r} in one mapping")
        mapping[key] = _plain(name, value_node, seen)
        mapping.marks[key] = entry_marks(mark(key_node.start_mark), mark(value_node.start_mark))
    return mapping


def where(file: str, node, key: str | None = None) -> Location:
    """The position of a node (or of one of its keys' values) read by `read_yaml_documents`."""
    if isinstance(node, Mapping) and key in node:
        return position(file, node.value_at(key))
    at = getattr(node, "where", None)
    return position(file, at) if at is not None else Location(file, 1, 1)


def json_location(file: str, path: tuple) -> Location:
    """Where the value at `path` (object keys and list indices) starts in a JSON file.  Only an error needs it, so
    the file is read again then rather than every position being kept for files of a hundred thousand objects."""
    name, text = read_source(file)
    decoder, at = json.JSONDecoder(), 0
    skip = json.decoder.WHITESPACE.match
    try:
        at = skip(text, at).end()
        for step in path:
            at = skip(text, at + 1).end()  # past '[' or '{'
            if isinstance(step, int):
                for _ in range(step):
                    at = skip(text, decoder.raw_decode(text, at)[1]).end()
                    at = skip(text, at + 1).end()  # past ','
                continue
            while text[at] == '"':
                key, at = json.decoder.scanstring(text, at + 1)
                at = skip(text, skip(text, at).end() + 1).end()  # past ':'
                if key == step:
                    break
                at = skip(text, decoder.raw_decode(text, at)[1]).end()
                if text[at] == ",":
                    at = skip(text, at + 1).end()
    except (ValueError, IndexError):
        pass  # a path the text does not hold to the end: the nearest place found
    line = text.count("\n", 0, at) + 1
    return Location(name, line, at - text.rfind("\n", 0, at))
