"""The inventory an importer made, as a YAML file: the same input always gives the same bytes."""
from __future__ import annotations

import yaml

from . import Imported

# Field order in the output: the order docs/inventory-format.md documents them in.
_SITE_ORDER = ("kind", "location", "building", "campus", "operator", "region", "power", "network", "hazards",
               "description", "tags", "links")
_SERVICE_ORDER = ("kind", "tier", "owner", "rto", "rpo", "placements", "dr", "depends_on", "recovery_needs", "backups",
                  "description", "tags", "links")


_DR_ORDER = ("strategy", "last_tested")


def _ordered(fields: dict, order: tuple[str, ...]) -> dict:
    known = [k for k in order if k in fields]
    ordered = {k: fields[k] for k in known + sorted(k for k in fields if k not in order)}
    if isinstance(ordered.get("dr"), dict):
        ordered["dr"] = _ordered(ordered["dr"], _DR_ORDER)
    return ordered


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Block style, with short lists of scalars (coordinates, feeds, tags) and placements kept on one line.
    libyaml's emitter, where PyYAML has it, writes the same text four times as fast as PyYAML's own (14 s -> 3.4 s
    for the 13,000 services of 50 Kubernetes clusters)."""


def _represent_list(dumper, data):
    flow = all(not isinstance(item, (dict, list)) for item in data) or all(
        isinstance(item, dict) and all(not isinstance(v, (dict, list)) for v in item.values()) and len(item) <= 3
        for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_text(dumper, data):
    # a control character (from a CSV cell, say) must be an escape inside double quotes: raw, no YAML reader takes it
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=None if data.isprintable() else '"')


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_text)


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def render(imported: Imported, onto: str | None = None, defined: tuple[set[str], set[str]] = (set(), set())) -> str:
    """The inventory file; with `onto`, the sites and services that inventory already `defined` (site names,
    service names) are written as `overrides:` of it, so that both imports load together."""
    header = [f"Imported by `drcheck import {imported.source}` from:", *(f"  {path}" for path in imported.inputs)]
    if imported.notes:
        header += ["", *imported.notes]
    if onto is not None:
        header += ["", f"Sites and services that {onto} defines are patched under overrides: here; validate and",
                   "audit this file together with it."]
    header += ["", "What the source could not say (left out, never guessed):"]
    header += [f"  - {gap}" for gap in imported.gaps] or ["  - nothing"]
    untiered = sorted(name for name, fields in imported.services.items() if "tier" not in fields and name not in defined[1])
    if untiered:
        example = yaml.safe_dump({untiered[0]: {"tier": 0}}, default_flow_style=True, allow_unicode=True, width=4096)
        header += ["", f"{len(untiered)} of these services have no tier: drcheck takes tier 2 for them, and its rules for "
                   "critical services", "(no-dr, dr-untested, restore-untested: tier 0 and 1) are not applied to "
                   "them. Give each its tier in", "a file of your own, next to this one:", "  overrides:",
                   "    services:", f"      {example.strip()[1:-1]}"]
    header += ["", "Keep hand-written facts in a separate file under `overrides:`, so that they survive",
               "the next import (drcheck reads both when given the directory or both files)."]
    document: dict = {"version": 1}
    patches: dict = {}
    for section, entries, order, known in (("sites", imported.sites, _SITE_ORDER, defined[0]),
                                           ("services", imported.services, _SERVICE_ORDER, defined[1])):
        new = {name: _ordered(entries[name], order) for name in sorted(entries) if name not in known}
        patched = {name: _ordered(entries[name], order) for name in sorted(entries) if name in known}
        if new:
            document[section] = new
        if patched:
            patches[section] = patched
    if patches:
        document["overrides"] = patches
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                     default_flow_style=False)
    return _comment(header) + body
