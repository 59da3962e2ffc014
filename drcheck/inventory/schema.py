"""Inventory format version 1: its field tables, which both validate loaded documents into the model and are
published as JSON Schema (`drcheck schema`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import InputError, Location, Problem
from .fields import (
    MAX_PROBLEMS, Field, Invalid, ObjectSpec, Reader, boolean, calendar_date, describe, enum, json_form, json_object,
    number, objects, read_object, text, text_list,
)
from .loader import Document, Mapping, Sequence
from .locations import CloudRegion, catalogue, closest_names, is_named_location
from .scalars import DURATION_PATTERN, NUMBER_PATTERN, parse_duration, parse_number
from .model import (
    MEDIA, NO_METADATA, REPLICATIONS, ROLES, SERVICE_KINDS, SITE_KINDS, STRATEGIES, AnyOf, Backup, Dependency, Inventory, Metadata,
    Placement, Service, Site,
)


@json_form({"type": "integer", "minimum": 0, "maximum": 3})
def _tier(ctx, value, mark):
    if value not in ("0", "1", "2", "3"):
        raise Invalid(f"found {describe(value)}; expected a tier 0, 1, 2 or 3 (0 = most critical)")
    return int(value)


@json_form({"oneOf": [{"type": "string", "pattern": DURATION_PATTERN}, {"const": 0}]})  # YAML readers make a bare 0 a number
def _duration(ctx, value, mark):
    if type(value) is str:
        try:
            return parse_duration(value)
        except ValueError as bad:
            raise Invalid(f"found {describe(value)}; {bad}") from None
    raise Invalid(f"found {describe(value)}; expected a duration such as 30s, 15m, 4h, 2d or PT4H")


def _degrees(text: Any, what: str, limit: float) -> float:
    if type(text) is not str:
        raise Invalid(f"found {describe(text)} for {what}; expected a number of degrees")
    try:
        number = parse_number(text)
    except ValueError:
        raise Invalid(f"found {describe(text)} for {what}; expected a number of degrees") from None
    if not -limit <= number <= limit:
        raise Invalid(f"found {what} {text}; expected {what} between -{limit:g} and {limit:g} degrees")
    return number


def _coordinates_json() -> dict:
    lat = {"type": "number", "minimum": -90, "maximum": 90}
    lon = {"type": "number", "minimum": -180, "maximum": 180}
    return {"oneOf": [
        {"type": "array", "prefixItems": [lat, lon], "minItems": 2, "maxItems": 2},
        {"type": "object", "properties": {"lat": lat, "lon": lon}, "required": ["lat", "lon"],
         "additionalProperties": False},
        {"type": "string", "pattern": f"^{NUMBER_PATTERN} *, *{NUMBER_PATTERN}$"},
        {"enum": list(catalogue())},
    ]}


@json_form(_coordinates_json)
def _coordinates(ctx, value, mark):
    if type(value) is str and is_named_location(value):
        return _cloud_location(value)
    if isinstance(value, Sequence) and len(value) == 2:
        lat, lon = value
    elif isinstance(value, Mapping) and set(value) == {"lat", "lon"}:
        lat, lon = value["lat"], value["lon"]
    elif type(value) is str and value.count(",") == 1:
        lat, lon = value.split(",")
        lat, lon = lat.rstrip(" "), lon.lstrip(" ")  # spaces beside the comma only
    else:
        raise Invalid(f"found {describe(value)}; expected [lat, lon], {{lat: .., lon: ..}} or \"lat, lon\"")
    return (_degrees(lat, "latitude", 90), _degrees(lon, "longitude", 180))


def _cloud_location(name: str) -> CloudRegion:
    region = catalogue().get(name.strip())
    if region is None:
        suggestions = ", ".join(closest_names(name))
        raise Invalid(f"found unknown cloud location {describe(name)}; expected a known region such as {suggestions} "
                       "(`drcheck locations` lists them)")
    return region


_amount = number(expected="an amount of money, 0 or more, such as 1200 or 99.5")


class _Names(list):
    """Names of other services, with where each was written (for unknown-reference errors)."""

    __slots__ = ("at",)


@json_form(text_list.json_schema)
def _service_names(ctx, value, mark):
    names = _Names(text_list(ctx, value, mark))
    names.at = [ctx.at(item_mark) for item_mark in value.item_at]
    return names


# what a report may show as a link: no javascript: or data: URLs in an HTML report
_URL_PATTERN = r"(?:https?://|mailto:)\S+"
LINK = _URL = re.compile(_URL_PATTERN)  # LINK: what importers check a link against


@json_form({"type": "object", "additionalProperties": {"type": "string", "pattern": f"^{_URL_PATTERN}$"}})
def _links(ctx, value, mark):
    if type(value) is not Mapping:
        raise Invalid(f"found {describe(value)}; expected a mapping of names to URLs (runbook: https://...)")
    for name, url in value.items():
        if type(url) is not str or not _URL.fullmatch(url):
            ctx.problem(value.value_at(name), f"{ctx.within('links')}.{name}: found {describe(url)}; expected an "
                                              "http://, https:// or mailto: URL")
    return dict(value)


@json_form({"enum": [1, "1"]})  # drcheck reads every scalar as text, so a quoted "1" is the same version
def _version(ctx, value, mark):
    if value != "1":
        raise Invalid(f"found version {describe(value)}; expected 1 (the only inventory format version)")
    return 1


def _metadata(fields: dict) -> Metadata:
    """Take the metadata out of the fields read for a site, a service or a file."""
    found = {k: fields.pop(k) for k in ("description", "tags", "links", "extensions") if k in fields}
    if not found:
        return NO_METADATA
    if "tags" in found:
        found["tags"] = tuple(found["tags"])
    return Metadata(**found)


PLACEMENT = ObjectSpec("placement", (
    Field("site", text, "the site it runs in", required=True),
    Field("role", enum(ROLES), "primary serves in normal operation (several = active-active); standby takes over on failover; default primary"),
))
DEPENDENCY = ObjectSpec("dependency", (
    Field("service", text, "the service depended on", required=True),
    Field("hard", boolean, "true (default): it cannot work without it"),
), plural="dependencies")


@json_form({"type": "array", "items": {"type": "string"}, "minItems": 2, "uniqueItems": True})
def _alternatives(ctx, value, mark):
    names = _service_names(ctx, value, mark)
    if len(names) < 2:
        raise Invalid(f"found {len(names)} service(s); expected two or more, any one of which will do (a single "
                       "service is written as a plain dependency: - NAME)")
    for n, name in enumerate(names):
        if name in names[:n]:
            raise Invalid(f"found {name!r} twice; expected each service once")
    return names


ANY_OF = ObjectSpec("redundant dependency", (
    Field("any_of", _alternatives, "two or more services, any one of which will do (two payment gateways, two DNS "
                                   "providers): the dependency is up while at least one of them is up", required=True),
    Field("hard", boolean, "true (default): it cannot work without one of them"),
), plural="redundant dependencies")


@json_form(lambda: {"type": "array", "items": {"oneOf": [{"type": "string"}, json_object(DEPENDENCY),
                                                             json_object(ANY_OF)]}})
def _dependencies(ctx, value, mark):
    """`depends_on`: bare names (hard), `{service: NAME, hard: ..}` and `{any_of: [NAME, ...], hard: ..}`."""
    if not isinstance(value, Sequence):
        raise Invalid(f"found {describe(value)}; expected a list of dependencies")
    items: list[Dependency | AnyOf] = []
    within = ctx.within("dependency")
    for item, item_mark in zip(value, value.item_at):
        if type(item) is str:
            items.append(Dependency(item, True, ctx.at(item_mark)))
        elif type(item) is Mapping and "any_of" in item:
            values = read_object(ctx, item, item_mark, ANY_OF, within)
            if values is not None:
                names = values["any_of"]
                items.append(AnyOf(tuple(names), values.get("hard", True), values["location"], tuple(names.at)))
        else:
            values = read_object(ctx, item, item_mark, DEPENDENCY, within)
            if values is not None:
                items.append(Dependency(values["service"], values.get("hard", True), values["location"]))
    return items



BACKUP = ObjectSpec("backup", (
    Field("site", text, "where the copy is kept", required=True),
    Field("frequency", _duration, "how often a copy is taken"),
    Field("media", enum(MEDIA), "storage medium"),
    Field("immutable", boolean, "cannot be altered or deleted before expiry (WORM, object lock)"),
    Field("offline", boolean, "air-gapped"),
    Field("restore_tested", calendar_date, "date of the last successful test restore"),
))
DR = ObjectSpec("dr", (
    Field("strategy", enum(STRATEGIES), "disaster-recovery strategy"),
    Field("last_tested", calendar_date, "date of the last real failover test or drill"),
    Field("automatic", boolean, "true = failover needs no people or tooling (health-checked DNS, managed Multi-AZ); "
                                 "recovery_needs then defaults to none"),
    Field("replication", enum(REPLICATIONS), "how data reaches the standby: synchronous = a write is confirmed only "
                                              "once the standby holds it (nothing is lost on failover); default "
                                              "asynchronous"),
))


@json_form(lambda: json_object(DR))
def _dr(ctx, value, mark):
    return read_object(ctx, value, mark, DR, ctx.within("dr")) or {}



COST = ObjectSpec("cost", (
    Field("monthly", _amount, "what it costs a month, in the policy's currency (default USD)", required=True),
), plural="costs")


@json_form(lambda: json_object(COST))
def _cost(ctx, value, mark):
    values = read_object(ctx, value, mark, COST, ctx.within("cost"))
    return None if values is None else values["monthly"]



METADATA = (
    Field("description", text, "what it is, for people reading the inventory and the reports"),
    Field("tags", text_list, "labels of your own"),
    Field("links", _links, "name -> URL (runbook, dashboard, owner's page): http, https or mailto"),
)
SITE = ObjectSpec("site", (
    Field("kind", enum(SITE_KINDS), "what the site is; default datacenter"),
    Field("location", _coordinates, "lat, lon in degrees (WGS-84), or a named cloud region such as aws:eu-west-1",
          attribute="coordinates"),
    Field("building", text, "sites with the same building share a building; absent = its own building"),
    Field("campus", text, "absent = the campus another site of this building declares, else the building is its own campus"),
    Field("operator", text, "who runs the facility"),
    Field("region", text, "coarse region label"),
    Field("power", text_list, "shared power feeds / substations"),
    Field("network", text_list, "carriers, fibre routes"),
    Field("hazards", text_list, "shared hazard zones (flood plain, fault line, ...)"),
    Field("cost", _cost, "what running the site costs, paid once however many services use it: {monthly: N}",
          attribute="monthly_cost"),
    *METADATA,
), extensible=True)
SERVICE = ObjectSpec("service", (
    Field("kind", enum(SERVICE_KINDS), "app (default), data (stateful store), ops (recovery tooling), external (third party)"),
    Field("tier", _tier, "0 = most critical .. 3 = least; default 2"),
    Field("owner", text, "owning team"),
    Field("rto", _duration, "recovery-time objective"),
    Field("rpo", _duration, "recovery-point objective"),
    Field("placements", objects(PLACEMENT, lambda v: Placement(v["site"], v.get("role", "primary"), v["location"]), "placement"), "where it runs"),
    Field("dr", _dr, "disaster-recovery strategy and evidence"),
    Field("depends_on", _dependencies, "services it needs: a bare name is a hard dependency; {any_of: [a, b]} is "
                                       "up while one of them is"),
    Field("recovery_needs", _service_names, "services that must be up to fail it over; absent = none when dr.automatic, else every ops service but itself as critical or more (tier <=)"),
    Field("backups", objects(BACKUP, lambda v: Backup(**v), "backup"), "copies of its data"),
    Field("cost", _cost, "what running one placement of it costs: {monthly: N}", attribute="monthly_cost"),
    *METADATA,
), extensible=True)


@json_form({})
def _section(ctx, value, mark):
    """sites and services are read entry by entry in `_read_document`."""
    return None


TOP = ObjectSpec("inventory", (
    Field("version", _version, "format version; must be 1", required=True),
    Field("name", text, "label shown in reports"),
    Field("sites", _section, "datacenters, cloud regions/zones, colos, vaults"),
    Field("services", _section, "the services and their placements"),
    Field("overrides", _section, "hand-kept facts that patch sites and services of any file, field by field"),
    *METADATA,
), extensible=True)


# ---- documents -> inventory -----------------------------------------------------------------

@dataclass
class ReadDocuments:
    """Documents read field by field: what `build_inventory` then patches with the overrides, checks and builds."""

    files: list[str] = field(default_factory=list)
    site_fields: dict[str, dict] = field(default_factory=dict)
    service_fields: dict[str, dict] = field(default_factory=dict)
    overrides: list[_Override] = field(default_factory=list)
    about: dict[str, tuple[Any, Location]] = field(default_factory=dict)  # the inventory's metadata: value, where
    name: str | None = None
    name_at: Location | None = None
    problems: list[Problem] = field(default_factory=list)

    def copy(self) -> "ReadDocuments":
        """A copy that building may patch: each entry's fields a dict of its own (the values stay shared: a patch
        replaces a value, it never changes one)."""
        return replace(self, files=list(self.files), site_fields={k: dict(v) for k, v in self.site_fields.items()},
                       service_fields={k: dict(v) for k, v in self.service_fields.items()},
                       overrides=list(self.overrides), about=dict(self.about), problems=list(self.problems))


def read_documents(documents: list[Document], onto: ReadDocuments | None = None) -> ReadDocuments:
    """Read and check each document's fields, after those of `onto` (which stays as it is)."""
    read = ReadDocuments() if onto is None else onto.copy()
    for document in documents:
        read.files.append(document.file)
        ctx = Reader(document.file)
        try:
            _read_document(ctx, document, read.site_fields, read.service_fields, read.overrides, read.about)
        except InputError as stop:
            raise InputError(read.problems + stop.problems) from None
        root = document.root
        if isinstance(root, Mapping) and type(root.get("name")) is str:
            if read.name is not None and root["name"] != read.name:
                ctx.problem(root.value_at("name"), f"name: found {describe(root['name'])}, but {read.name_at} names the inventory {read.name!r}; expected one name")
            elif read.name is None:
                read.name, read.name_at = root["name"], ctx.at(root.value_at("name"))
        read.problems.extend(ctx.problems)
    return read


def build_inventory(documents: list[Document], onto: ReadDocuments | None = None) -> Inventory:
    """Validate and merge documents (after those `onto` holds, read once for many builds: `drcheck plan`);
    raise InputError listing every problem found."""
    read = read_documents(documents, onto)
    problems, site_fields, service_fields = read.problems, read.site_fields, read.service_fields
    patched_at: dict[tuple[str, str, str], Location] = {}  # (section, name, field) -> the override that set it
    if not problems:
        problems.extend(_apply_overrides(read.overrides, {"sites": site_fields, "services": service_fields},
                                         patched_at))
    sites = {key: _make_site(key, fields) for key, fields in site_fields.items()}
    if not problems:
        for key, fields in service_fields.items():
            problems.extend(_contradictions(key, fields))
    services = {key: _make_service(key, fields) for key, fields in service_fields.items()}
    if not problems:
        problems.extend(_check_references(sites, services))
        problems.extend(_inherit_campuses(sites, patched_at))
    if problems:
        raise InputError(problems)
    about = read.about
    metadata = _metadata({key: value for key, (value, _) in about.items() if not key.startswith("x-")}
                         | {"extensions": {k: v for k, (v, _) in about.items() if k.startswith("x-")}})
    return Inventory(read.name, read.files, sites, services, metadata)


@dataclass(frozen=True)
class _Override:
    section: str  # sites | services
    name: str
    fields: dict  # as `_read_object` read them, without its location
    where: Location  # the overriding key


def _read_document(ctx: Reader, document: Document, sites: dict, services: dict, overrides: list[_Override],
                   about: dict[str, tuple[Any, Location]]) -> None:
    root = document.root
    if not isinstance(root, Mapping):
        ctx.problem(getattr(root, "where", None), f"found {describe(root)} at the top of the file; expected a mapping with 'version: 1', 'sites' and 'services'")
        return
    values = read_object(ctx, root, root.where, TOP, "inventory")
    if values is None or ctx.problems:
        return  # a wrong version or unknown top-level key makes the rest meaningless
    for key, value in [*((k, values[k]) for k in ("description", "tags", "links") if k in values),
                       *values.get("extensions", {}).items()]:
        first = about.setdefault(key, (value, ctx.at(root.value_at(key))))
        if first[0] != value:
            ctx.problem(root.value_at(key), f"{key}: found another value than at {first[1]}; expected one {key} for "
                                            "the inventory, in any one of its files")
    for section, spec, target in (("sites", SITE, sites), ("services", SERVICE, services)):
        entries = root.get(section)
        if entries is None:
            continue
        if not isinstance(entries, Mapping):
            ctx.problem(root.value_at(section), f"{section}: found {describe(entries)}; expected a mapping of names to {spec.plural}")
            continue
        for key, node in entries.items():
            what = ctx.entry = f"{spec.title} {key!r}"
            if node is None:
                node = Mapping()
                node.marks, node.where = {}, entries.value_at(key)
            elif type(node) is not Mapping and key in spec.readers:  # a field dedented out of the entry above it
                ctx.problem(entries.key_at(key), f"{what}: found {describe(node)}; expected a mapping ({spec.title}): "
                                                 f"{key!r} is a field of a {spec.title}; if it belongs to the "
                                                 f"{spec.title} above, indent it under that {spec.title}'s name")
                continue
            fields = read_object(ctx, node, entries.value_at(key), spec, what)
            if fields is None:
                continue
            fields["location"] = ctx.at(entries.key_at(key))
            if key in target:
                ctx.problem(entries.key_at(key), f"{spec.title} {key!r} is defined twice: here and at {target[key]['location']}")
                continue
            target[key] = fields
    ctx.entry = ""
    if root.get("overrides") is not None:
        _read_overrides(ctx, root["overrides"], root.value_at("overrides"), overrides)


def _read_overrides(ctx: Reader, node, mark, overrides: list[_Override]) -> None:
    """`overrides: {sites: {NAME: {field: value}}, services: {...}}`, each entry checked by the same spec as a
    definition (every field optional)."""
    if type(node) is not Mapping:
        ctx.problem(mark, f"overrides: found {describe(node)}; expected a mapping with sites and/or services")
        return
    for section, entries in node.items():
        spec = {"sites": SITE, "services": SERVICE}.get(section)
        if spec is None:
            ctx.problem(node.key_at(section), f"overrides: unknown section {section!r}; expected sites or services")
            continue
        if type(entries) is not Mapping:
            ctx.problem(node.value_at(section), f"overrides.{section}: found {describe(entries)}; expected a mapping of "
                                                f"names to the fields to change")
            continue
        for key, patch in entries.items():
            ctx.entry = f"override of {spec.title} {key!r}"
            fields = read_object(ctx, patch, entries.value_at(key), spec, ctx.entry)
            if fields is not None:
                del fields["location"]
                overrides.append(_Override(section, key, fields, ctx.at(entries.key_at(key))))
        ctx.entry = ""


def _apply_overrides(overrides: list[_Override], targets: dict[str, dict[str, dict]],
                     first_at: dict[tuple[str, str, str], Location]) -> list[Problem]:
    """Patch the fields read for each named site or service: a field given replaces the one read (a list as a
    whole), except `dr`, whose own fields are patched one by one.  `first_at` gets the override that set each
    field, keyed (section, name, field)."""
    problems = []
    for override in overrides:
        title = override.section[:-1]
        target = targets[override.section].get(override.name)
        if target is None:
            known = sorted(targets[override.section])
            sample = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
            problems.append(Problem(override.where, f"overrides.{override.section}: {title} {override.name!r} is not "
                                                    f"defined in any file; expected one of the defined {title}s "
                                                    f"({sample or 'none defined'})"))
            continue
        # several files may patch one name (an import's placements, a person's tiers), but not one field twice
        patched = [f"dr.{k}" for k in override.fields.get("dr", {}) if k != "location"]
        patched += [k for k in override.fields if k != "dr"]
        twice = [(f, first_at[override.section, override.name, f]) for f in patched
                 if first_at.setdefault((override.section, override.name, f), override.where) != override.where]
        if twice:
            problems.append(Problem(override.where, f"overrides.{override.section}: {title} {override.name!r} field "
                                                    f"{twice[0][0]} is overridden twice: here and at {twice[0][1]}; "
                                                    "expected one value"))
            continue
        for attribute, value in override.fields.items():
            if attribute == "dr":
                base = target.get("dr") or {}
                # an error about the strategy (a contradiction) names the line that set it
                where = value["location"] if "strategy" in value or "location" not in base else base["location"]
                value = base | value | {"location": where}
            target[attribute] = value
    return problems


def read_sites(file: str, node, mark) -> tuple[dict[str, Site], list[Problem]]:
    """Site definitions written somewhere else than an inventory (a policy's candidate sites), checked by
    the same spec as the inventory's own; what is wrong is returned, located in `file`."""
    ctx = Reader(file)
    if type(node) is not Mapping:
        ctx.problem(mark, f"found {describe(node)}; expected a mapping of site names to site definitions")
        return {}, ctx.problems
    sites = {}
    for key, entry in node.items():
        ctx.entry = f"site {key!r}"
        fields = read_object(ctx, entry, node.value_at(key), SITE, ctx.entry)
        if fields is not None:
            fields["location"] = ctx.at(node.key_at(key))
            sites[key] = _make_site(key, fields)
    problems = ctx.problems + _inherit_campuses(sites)
    return sites, problems


def _make_site(name: str, fields: dict) -> Site:
    fields["metadata"] = _metadata(fields)
    where = fields.get("coordinates")
    if isinstance(where, CloudRegion):  # a named region: its catalogue point, and the name for distance rules
        fields = fields | {"coordinates": where.coordinates, "cloud_location": where.name}
    return Site(name=name, **fields)


def _make_service(name: str, fields: dict) -> Service:
    fields["metadata"] = _metadata(fields)
    dr = fields.pop("dr", None) or {}
    dr.pop("location", None)
    return Service(name=name, strategy=dr.get("strategy"), last_tested=dr.get("last_tested"),
                   automatic=dr.get("automatic", False), replication=dr.get("replication", "asynchronous"),
                   tier_given="tier" in fields, **fields)


def _contradictions(name: str, fields: dict) -> list[Problem]:
    """Facts of one service that cannot all be true (read after the overrides, which may supply either side).
    A service without placements contradicts nothing: where it runs is not known yet."""
    placements: list[Placement] = fields.get("placements") or []
    problems = []
    first_on: dict[str, Placement] = {}
    for placement in placements:
        first = first_on.setdefault(placement.site, placement)
        if first is not placement:
            problems.append(Problem(placement.location, f"service {name!r} placement: a second placement on site "
                                                        f"{placement.site!r} (first at {first.location}); expected one "
                                                        "placement per site: two on one site add no disaster recovery"))
    primary_sites = {p.site for p in placements if p.role == "primary"}
    if placements and not primary_sites:
        problems.append(Problem(placements[0].location, f"service {name!r} placements: found only standbys; expected "
                                                        "a primary (role: primary, the default) where it serves in "
                                                        "normal operation"))
    dr = fields.get("dr") or {}
    if placements and dr.get("strategy") == "active-active" and len(primary_sites) < 2:
        problems.append(Problem(dr["location"], f"service {name!r} dr.strategy: found active-active with primaries on "
                                                f"{len(primary_sites)} site(s); expected primaries on two or more "
                                                "sites, or the strategy the standbys give (warm-standby, pilot-light)"))
    return problems


def _check_references(sites: dict[str, Site], services: dict[str, Service]) -> list[Problem]:
    problems = []

    def unknown(kind: str, name: str, known: dict, where: Location, what: str) -> None:
        sample = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        problems.append(Problem(where, f"{what}: unknown {kind} {name!r}; expected one of the defined {kind}s ({sample or 'none defined'})"))

    for service in services.values():
        label = f"service {service.name!r}"
        for placement in service.placements:
            if placement.site not in sites:
                unknown("site", placement.site, sites, placement.location, f"{label} placement")
        for dependency in service.depends_on:
            for n, name in enumerate(dependency.services):
                if name not in services:
                    where = dependency.written_at[n] if isinstance(dependency, AnyOf) else dependency.location
                    unknown("service", name, services, where, f"{label} depends_on")
        if service.recovery_needs is not None:
            for needed, where in zip(service.recovery_needs, service.recovery_needs.at):
                if needed not in services:
                    unknown("service", needed, services, where, f"{label} recovery_needs")
        for backup in service.backups:
            if backup.site not in sites:
                unknown("site", backup.site, sites, backup.location, f"{label} backup")
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _inherit_campuses(sites: dict[str, Site], patched_at: dict[tuple[str, str, str], Location] | None = None
                      ) -> list[Problem]:
    """A building stands on one campus: a site without `campus` takes the one the other sites of its building
    declare.  Two campuses for one building are an error naming both places (an override's line where an
    override set the building or the campus)."""
    patched_at = patched_at or {}

    def where(site: Site) -> Location:
        return (patched_at.get(("sites", site.name, "building")) or patched_at.get(("sites", site.name, "campus"))
                or site.location)

    declared: dict[str, Site] = {}
    problems = []
    for site in sites.values():
        if site.building is None or site.campus is None:
            continue
        first = declared.setdefault(site.building, site)
        if first.campus != site.campus:
            problems.append(Problem(where(site), f"site {site.name!r}: building {site.building!r} is on campus "
                                                 f"{site.campus!r} here, but on campus {first.campus!r} at "
                                                 f"{where(first)} (site {first.name!r}); expected one campus per "
                                                 "building"))
    for site in sites.values():
        if site.campus is None and site.building in declared:
            site.campus = declared[site.building].campus
    return problems


# ---- JSON Schema -------------------------------------------------------------------------------

def json_schema() -> dict:
    top = json_object(TOP)
    patches = {}
    for section, spec in (("sites", SITE), ("services", SERVICE)):
        # an entry with nothing after its name ("a:") takes every default, as drcheck reads it
        entry = json_object(spec) | {"type": ["object", "null"]}
        top["properties"][section] = {"type": "object", "description": top["properties"][section]["description"],
                                      "additionalProperties": entry}
        patches[section] = {"type": "object", "additionalProperties": json_object(spec) | {"required": []}}
    top["properties"]["overrides"] |= {"type": "object", "properties": patches, "additionalProperties": False}
    # drcheck has no web address of its own: the schema is named, not located
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:drcheck:inventory:1",
            **top, "title": "drcheck inventory (format version 1)"}
