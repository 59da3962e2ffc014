"""MkDocs hook: the table of the policy's keys on policy.md, generated at build time from the field tables drcheck
reads a policy with (the same ones `drcheck schema --policy` publishes), so that the page cannot drift from what
drcheck accepts.
"""
from __future__ import annotations

from drcheck.audit.policy import POLICY
from drcheck.inventory.fields import json_object

TABLE_MARKER = "<!-- the table of the policy's keys, generated from drcheck's field tables -->"


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "policy.md":
        return markdown
    rows = ["| Key | Value | What it means |", "|---|---|---|"]
    rows += [f"| `{key}` | {value} | {_cell(doc)} |" for key, value, doc in _rows(json_object(POLICY), "")]
    return markdown.replace(TABLE_MARKER, "\n".join(rows))


def _rows(schema: dict, prefix: str):
    """(key, value, meaning) of each property, and of the properties of the objects inside it, by dotted key
    (`waivers[].rule` for a list's items)."""
    for name, field in schema["properties"].items():
        key = f"{prefix}{name}"
        yield key, _value(field), field["description"]
        if "properties" in field:
            yield from _rows(field, f"{key}.")
        elif "properties" in field.get("items", {}):
            yield from _rows(field["items"], f"{key}[].")


def _value(schema: dict) -> str:
    if "enum" in schema:
        choices = [choice for choice in schema["enum"] if choice is not None]
        return " \\| ".join(f"`{choice}`" for choice in choices) if len(choices) <= 8 else f"one of {len(choices)} codes"
    kind = schema.get("type")
    if isinstance(kind, list):  # a key that may be left empty: [TYPE, "null"]
        kind = kind[0]
    if kind in ("number", "integer"):
        what = "number" if kind == "number" else "whole number"
        low, high = schema.get("minimum"), schema.get("maximum")
        return f"{what} from {low:g} to {high:g}" if high is not None else f"{what}, {low:g} or more"
    if kind == "boolean":
        return "`true` or `false`"
    if kind == "string":
        return "date YYYY-MM-DD" if schema.get("format") == "date" else "text"
    if kind == "array":
        items = schema["items"]
        return f"list of {items['title']}s" if "title" in items else "list of text"
    entries = schema.get("additionalProperties")
    if isinstance(entries, dict) and "title" in entries:
        return f"mapping: name → {entries['title']}"
    return "mapping"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
