"""CSV rows (CMDB exports, BIA spreadsheets, CloudQuery or Steampipe query output) -> services and sites.

A small YAML mapping file (--mapping) says which column holds which field:

    services:                       # one row per service
      file: services*.csv           # which of the CSV files given (a name or glob; default: all)
      name: Application             # the column with the service's name
      columns:                      # inventory field: column
        tier: Criticality
        owner: Team
        rto: RTO
        placements.primary: Data centre
        placements.standby: DR site
        depends_on: Depends on
      values:                       # optional: what cell values mean
        tier: {Critical: 0, High: 1, Medium: 2, Low: 3}
    sites:                          # one row per site
      file: sites.csv
      name: Site
      columns: {location: Coordinates, operator: Provider, power: Feeds}
    separator: ";"                  # between several names in one cell (default ;)

An empty cell says nothing: the field is left out, never filled with a default."""
from __future__ import annotations

import csv
import fnmatch
import io
import os

from ..errors import InputError, Location
from ..inventory.loader import Mapping, position, read_source
from . import Imported, ImportOptions
from .common import input_files, read_yaml_documents, where
from .values import check_value

SERVICE_COLUMNS = ("kind", "tier", "owner", "rto", "rpo", "dr.strategy", "dr.last_tested", "placements.primary",
                   "placements.standby", "depends_on", "depends_on.soft", "backups.site", "backups.frequency",
                   "backups.media", "backups.immutable", "backups.offline", "backups.restore_tested", "description")
SITE_COLUMNS = ("kind", "location", "lat", "lon", "building", "campus", "operator", "region", "power", "network",
                "hazards", "description")
_LISTS = frozenset({"placements.primary", "placements.standby", "depends_on", "depends_on.soft", "power", "network",
                    "hazards"})


def read(paths: list[str], options: ImportOptions) -> Imported:
    if options.mapping is None:
        raise InputError("csv: --mapping FILE is required: it names the columns (see `drcheck import --help` and "
                         "docs/importing.md)")
    files = input_files(paths, (".csv",))
    sections, separator = _read_mapping(options.mapping)
    imported = Imported("csv", [*files, options.mapping])
    rows: dict[str, Location] = {}  # each service's row, for the messages of _check_sites
    for entity, section in sections.items():
        matched = [f for f in files if section["file"] is None or fnmatch.fnmatch(os.path.basename(f), section["file"])]
        if not matched:
            raise InputError.at(section["at"], f"{entity}.file: {section['file']!r} matches none of the CSV files "
                                               f"given ({', '.join(os.path.basename(f) for f in files)})")
        for file in matched:
            for line, row in _rows(file, section):
                name = _add(imported, entity, section, separator, file, line, row)
                if entity == "services":
                    rows[name] = Location(file, line, 1)
    _check_sites(imported, sections, rows)
    imported.count_missing(("tier", "rto", "rpo", "dr", "placements", "backups"),
                           " (no column mapped, or the cell is empty)")
    return imported


def _read_mapping(path: str) -> tuple[dict, str]:
    documents = read_yaml_documents(path)
    root = documents[0] if len(documents) == 1 else None
    if not isinstance(root, Mapping):
        raise InputError.at(Location(path, 1, 1), "found no mapping; expected one YAML document with services: "
                                                  "and/or sites:")
    sections = {}
    for key in root:
        if key not in ("services", "sites", "separator"):
            raise InputError.at(position(path, root.key_at(key)), f"unknown key {key!r}; expected services, sites or "
                                                                  "separator")
    for entity, allowed in (("services", SERVICE_COLUMNS), ("sites", SITE_COLUMNS)):
        node = root.get(entity)
        if node is None:
            continue
        if not isinstance(node, Mapping) or not isinstance(node.get("name"), str):
            raise InputError.at(where(path, root, entity), f"{entity}: expected a mapping with name: (the column "
                                                           "holding names) and columns:")
        columns = node.get("columns") or Mapping()
        if not isinstance(columns, Mapping) or not all(isinstance(v, str) for v in columns.values()):
            raise InputError.at(where(path, node, "columns"), f"{entity}.columns: expected field: column header pairs")
        for field in columns:
            if field not in allowed:
                raise InputError.at(position(path, columns.key_at(field)), f"{entity}.columns: unknown field {field!r}; "
                                                                 f"expected some of: {', '.join(allowed)}")
        values = node.get("values") or Mapping()
        if not isinstance(values, Mapping) or not all(isinstance(v, Mapping) for v in values.values()):
            raise InputError.at(where(path, node, "values"), f"{entity}.values: expected field: {{cell: value}} maps")
        sections[entity] = {"name": node["name"], "columns": dict(columns), "values": values,
                            "file": node.get("file"), "at": where(path, node)}
    if not sections:
        raise InputError.at(Location(path, 1, 1), "found neither services: nor sites:; expected at least one")
    separator = root.get("separator") or ";"
    return sections, separator


def _rows(file: str, section: dict):
    name, text = read_source(file)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = reader.fieldnames or []
    for column in [section["name"], *section["columns"].values()]:
        if column not in headers:
            raise InputError.at(Location(name, 1, 1), f"no column {column!r}; the header has: {', '.join(headers)}")
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as bad:
        raise InputError.at(Location(name, reader.line_num, 1), f"invalid CSV: {bad}") from None


def _add(imported: Imported, entity: str, section: dict, separator: str, file: str, line: int, row: dict) -> str:
    """Add the row's site or service; its name."""
    at = Location(file, line, 1)
    name = (row.get(section["name"]) or "").strip()
    if not name:
        raise InputError.at(at, f"column {section['name']!r} is empty; expected the {entity[:-1]}'s name")
    target = imported.services if entity == "services" else imported.sites
    if name in target:
        raise InputError.at(at, f"{entity[:-1]} {name!r} appears on two rows; expected one row per {entity[:-1]}")
    fields: dict = {}
    for field, column in section["columns"].items():
        cell = (row.get(column) or "").strip()
        translated = section["values"].get(field, {}).get(cell, cell) if cell else cell
        if not translated:
            continue
        where_ = Location(file, line, 1)
        try:
            if field in _LISTS:  # a name written twice in one cell is one name
                fields[field] = list(dict.fromkeys(part.strip() for part in translated.split(separator) if part.strip()))
            else:
                fields[field] = check_value("site_kind" if entity == "sites" and field == "kind" else field,
                                            translated, where_)
        except InputError as bad:
            raise InputError.at(where_, f"column {column!r}: {bad.problems[0].message}") from None
    target[name] = _services_fields(fields) if entity == "services" else _site_fields(fields, at)
    return name


def _services_fields(cells: dict) -> dict:
    service: dict = {}
    for key in ("kind", "tier", "owner", "rto", "rpo"):
        if key in cells:
            service[key] = cells[key]
    placements = [{"site": s, "role": "primary"} for s in cells.get("placements.primary", [])]
    placements += [{"site": s, "role": "standby"} for s in cells.get("placements.standby", [])
                   if s not in cells.get("placements.primary", [])]
    if placements:
        service["placements"] = placements
    dr = {key[3:]: cells[key] for key in ("dr.strategy", "dr.last_tested") if key in cells}
    if dr:
        service["dr"] = dr
    soft = cells.get("depends_on.soft", [])
    needs = [n for n in cells.get("depends_on", []) if n not in soft]
    needs += [{"service": n, "hard": False} for n in soft]
    if needs:
        service["depends_on"] = needs
    if "backups.site" in cells:
        backup = {"site": cells["backups.site"]}
        for key in ("frequency", "media", "immutable", "offline", "restore_tested"):
            if f"backups.{key}" in cells:
                backup[key] = cells[f"backups.{key}"]
        service["backups"] = [backup]
    if "description" in cells:
        service["description"] = cells["description"]
    return service


def _site_fields(cells: dict, at: Location) -> dict:
    site = {k: v for k, v in cells.items() if k not in ("lat", "lon")}
    if "lat" in cells or "lon" in cells:
        if "location" in cells or not ("lat" in cells and "lon" in cells):
            raise InputError.at(at, "expected either a location column or both lat and lon")
        site["location"] = [_degrees(cells["lat"], "lat", at), _degrees(cells["lon"], "lon", at)]
    return site


def _degrees(text: str, what: str, at: Location) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError.at(at, f"{what}: found {text!r}; expected degrees as a number") from None


def _check_sites(imported: Imported, sections: dict, rows: dict[str, Location]) -> None:
    """A placement, backup or dependency the CSV does not define would make the output invalid: say so here, at
    the service's row."""
    for name, service in imported.services.items():
        for need in service.get("depends_on", []):
            need = need if isinstance(need, str) else need["service"]
            if need not in imported.services:
                raise InputError.at(rows[name], f"service {name!r} depends on {need!r}, which no CSV row defines")
        for ref in [p["site"] for p in service.get("placements", [])] + [b["site"] for b in service.get("backups", [])]:
            if ref not in imported.sites:
                hint = "" if "sites" in sections else " (add a sites: section to the mapping and a CSV of sites)"
                raise InputError.at(rows[name], f"service {name!r} is placed or backed up at site {ref!r}, which no "
                                                f"CSV row defines{hint}")
