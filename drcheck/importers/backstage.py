"""Backstage software catalogue (catalog-info.yaml) -> services, owners and dependencies.

Components and Resources become services (a database or storage Resource is
`data`); `dependsOn`, `dependencyOf`, the APIs one component provides and
another consumes, and a component's parts (`subcomponentOf`: the whole needs
its parts) become dependencies; description, tags and links are kept,
and the system, lifecycle and type go under `x-backstage`.  Teams can keep DR facts in their catalogue with the annotations
of `ANNOTATIONS`.  A catalogue says nothing about where anything runs or is
backed up: every service comes out not yet placed."""
from __future__ import annotations

import glob
import os

from ..errors import InputError
from ..inventory.loader import Mapping, Sequence, position
from ..inventory.schema import LINK
from . import Imported, ImportOptions
from .common import input_files, read_yaml_documents, where
from .values import check_value

# annotation -> inventory field ("dr.strategy": the strategy inside dr)
ANNOTATIONS = {
    "drcheck.io/tier": "tier",
    "drcheck.io/kind": "kind",
    "drcheck.io/rto": "rto",
    "drcheck.io/rpo": "rpo",
    "drcheck.io/dr-strategy": "dr.strategy",
    "drcheck.io/dr-last-tested": "dr.last_tested",
    "drcheck.io/soft-dependencies": "soft",  # names (comma-separated) it can work without
}
DATA_RESOURCE_TYPES = frozenset({"database", "datastore", "s3-bucket", "bucket", "object-storage", "storage",
                                 "filesystem", "file-system"})
_SERVICE_KINDS = ("component", "resource")


class _Entity:
    __slots__ = ("kind", "name", "namespace", "node", "file")

    def __init__(self, kind: str, name: str, namespace: str, node: Mapping, file: str):
        self.kind, self.name, self.namespace, self.node, self.file = kind, name, namespace, node, file

    @property
    def spec(self) -> Mapping:
        spec = self.node.get("spec")
        return spec if isinstance(spec, Mapping) else Mapping()

    @property
    def metadata(self) -> Mapping:
        return self.node["metadata"]

    @property
    def service_name(self) -> str:
        return self.name if self.namespace == "default" else f"{self.namespace}/{self.name}"


def read(paths: list[str], options: ImportOptions) -> Imported:
    files = input_files(paths, (".yaml", ".yml"))
    imported = Imported("backstage", [])
    entities = _read_catalogue(files, imported)
    services: dict[tuple[str, str, str], _Entity] = {}
    for entity in (e for e in entities if e.kind in _SERVICE_KINDS):
        first = services.setdefault((entity.kind, entity.namespace, entity.name), entity)
        if first is not entity:
            raise InputError.at(where(entity.file, entity.metadata, "name"),
                                f"{entity.kind} {entity.service_name!r} is defined twice: here and at "
                                f"{where(first.file, first.metadata, 'name')}")
    by_name: dict[str, _Entity] = {}
    for entity in services.values():
        other = by_name.setdefault(entity.service_name, entity)
        if other is not entity:
            raise InputError.at(where(entity.file, entity.metadata, "name"),
                                f"{entity.kind} {entity.service_name!r} has the name of the {other.kind} at "
                                f"{where(other.file, other.metadata, 'name')}; expected one service per name")
    providers: dict[tuple[str, str], list[str]] = {}
    for entity in services.values():
        for ref in _refs(entity, "providesApis"):
            providers.setdefault(_resolve(ref, "api", entity.namespace)[1:], []).append(entity.service_name)

    unresolved: list[str] = []
    for entity in sorted(services.values(), key=lambda e: e.service_name):
        imported.services[entity.service_name] = _service(entity, services, providers, unresolved, imported)
    for entity in services.values():
        # `dependencyOf: [component:x]`: x depends on this one; `subcomponentOf: x`: x has this part, and needs it
        refs = [(ref, "dependencyOf") for ref in _refs(entity, "dependencyOf")]
        whole = entity.spec.get("subcomponentOf")
        if whole is not None and not isinstance(whole, str):
            raise InputError.at(where(entity.file, entity.spec, "subcomponentOf"),
                                "spec.subcomponentOf: expected one entity reference (the component this is part of)")
        if whole is not None:
            refs.append((whole, "subcomponentOf"))
        for ref, key in refs:
            target = services.get(_resolve(ref, "component", entity.namespace))
            if target is None:
                unresolved.append(f"{ref} ({key} of {entity.service_name})")
                continue
            needs = imported.services[target.service_name].setdefault("depends_on", [])
            if entity.service_name not in needs and target is not entity:
                needs.append(entity.service_name)
    for service in imported.services.values():
        if "depends_on" in service:
            service["depends_on"].sort(key=lambda d: d if isinstance(d, str) else d["service"])
    _gaps(imported, unresolved)
    return imported


def _read_catalogue(files: list[str], imported: Imported) -> list[_Entity]:
    """Every entity of the files, following Location entities to the files they name."""
    entities: list[_Entity] = []
    queue = list(files)  # as given on the command line; the files Locations name, relative to those
    seen: set[str] = set()
    while queue:
        file = queue.pop(0)
        if os.path.normpath(file) in seen:
            continue
        seen.add(os.path.normpath(file))
        imported.inputs.append(file)
        for document in read_yaml_documents(file):
            entity = _entity(file, document)
            entities.append(entity)
            if entity.kind == "location":
                queue.extend(_location_targets(entity, imported))
    return entities


def _entity(file: str, node) -> _Entity:
    if not isinstance(node, Mapping):
        raise InputError.at(where(file, node), "found a document that is not a mapping; expected a Backstage "
                                               "entity with apiVersion, kind and metadata.name")
    for key in ("apiVersion", "kind", "metadata"):
        if key not in node:
            raise InputError.at(where(file, node), f"found an entity without {key!r}; expected a Backstage entity "
                                                   "with apiVersion, kind and metadata.name")
    metadata = node["metadata"]
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        raise InputError.at(where(file, node, "metadata"), "found metadata without a name; expected metadata.name")
    if not isinstance(node["kind"], str):
        raise InputError.at(where(file, node, "kind"), "found a kind that is not text; expected Component, "
                                                       "Resource, System, API, Location ...")
    namespace = metadata.get("namespace") or "default"
    return _Entity(node["kind"].lower(), metadata["name"], namespace, node, file)


def _location_targets(entity: _Entity, imported: Imported) -> list[str]:
    spec = entity.spec
    targets = [spec["target"]] if isinstance(spec.get("target"), str) else []
    targets += _texts(entity, "targets", "paths of catalog files")
    found = []
    base = os.path.dirname(entity.file)
    for target in targets:
        if "://" in target:
            imported.gap(f"Location {entity.name} points at {target}: drcheck reads files only, not URLs")
            continue
        matches = sorted(glob.glob(os.path.join(base, target)))
        if not matches:  # Backstage records such a target as an error of that Location and reads the others
            at = where(entity.file, spec, "target" if "target" in spec else "targets")
            imported.gap(f"Location {entity.name} ({at}): target {target!r} matches no file under "
                         f"{base or '.'} (a repository not checked out?), so what it holds is not read")
            continue
        found.extend(os.path.normpath(m) for m in matches)
    return found


def _refs(entity: _Entity, key: str) -> list[str]:
    return _texts(entity, key, "entity references")


def _texts(entity: _Entity, key: str, what: str) -> list[str]:
    """spec.KEY, a list of texts (absent: none); anything else is an error saying where."""
    value = entity.spec.get(key)
    if value is None:
        return []
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InputError.at(where(entity.file, entity.spec, key), f"spec.{key}: expected a list of {what}")
    return list(value)


def _resolve(ref: str, default_kind: str, namespace: str) -> tuple[str, str, str]:
    """An entity reference "[kind:][namespace/]name" as (kind, namespace, name), lowercased kind."""
    kind, _, rest = ref.rpartition(":")
    space, _, name = rest.rpartition("/")
    return (kind or default_kind).lower(), space or namespace, name


def _short_ref(ref: str) -> str:
    """An owner as people write it: "group:default/payments" -> "payments"."""
    kind, space, name = _resolve(ref, "group", "default")
    return name if space == "default" else f"{space}/{name}"


def _service(entity: _Entity, services: dict, providers: dict, unresolved: list[str], imported: Imported) -> dict:
    spec, metadata = entity.spec, entity.metadata
    kind = "data" if entity.kind == "resource" and str(spec.get("type", "")).lower() in DATA_RESOURCE_TYPES else "app"
    service: dict = {"kind": kind}
    if isinstance(spec.get("owner"), str):
        service["owner"] = _short_ref(spec["owner"])
    soft: set[str] = set()
    annotations = metadata.get("annotations")
    if isinstance(annotations, Mapping):
        for key in sorted(k for k in annotations if k.startswith("drcheck.io/")):
            field = ANNOTATIONS.get(key)
            location = where(entity.file, annotations, key)
            if field is None:
                raise InputError.at(position(entity.file, annotations.key_at(key)), f"unknown annotation {key!r}; expected one of: {', '.join(ANNOTATIONS)}")
            value = check_value(field, annotations[key], location)
            if field == "soft":
                soft = set(value)
            elif field.startswith("dr."):
                service.setdefault("dr", {})[field[3:]] = value
            else:
                service[field] = value
    needs: list[str] = []
    for ref in _refs(entity, "dependsOn"):
        target = services.get(_resolve(ref, "component", entity.namespace))
        if target is None:
            unresolved.append(f"{ref} (dependsOn of {entity.service_name})")
        elif target.service_name not in needs:
            needs.append(target.service_name)
    for ref in _refs(entity, "consumesApis"):
        key = _resolve(ref, "api", entity.namespace)
        if key[0] != "api":  # a reference that names its kind is resolved as that kind, as Backstage does
            target = services.get(key)
            if target is None:
                unresolved.append(f"{ref} (consumesApis of {entity.service_name})")
            elif target.service_name not in needs and target is not entity:
                needs.append(target.service_name)
            continue
        provided_by = providers.get(key[1:])
        if not provided_by:
            unresolved.append(f"API {ref} (consumed by {entity.service_name}: no component provides it)")
        needs += [p for p in provided_by or [] if p not in needs and p != entity.service_name]
    unknown_soft = soft - set(needs)
    if unknown_soft:
        raise InputError.at(where(entity.file, annotations, "drcheck.io/soft-dependencies"),
                            f"found {', '.join(sorted(unknown_soft))}; expected names of services "
                            f"{entity.service_name} depends on ({', '.join(needs) or 'none'})")
    if needs:
        service["depends_on"] = [{"service": n, "hard": False} if n in soft else n for n in needs]
    service.update(_metadata(entity, imported))
    return service


def _metadata(entity: _Entity, imported: Imported) -> dict:
    """description, tags, links, and the system, lifecycle and type under x-backstage."""
    metadata, spec, found = entity.metadata, entity.spec, {}
    if isinstance(metadata.get("description"), str) and metadata["description"].strip():
        found["description"] = metadata["description"].strip()
    tags = metadata.get("tags")
    if isinstance(tags, Sequence) and tags and all(isinstance(t, str) for t in tags):
        found["tags"] = list(tags)
    links = {}
    for link in metadata.get("links") or []:
        if not isinstance(link, Mapping) or not isinstance(link.get("url"), str):
            continue
        if LINK.fullmatch(link["url"]):
            links[str(link.get("title") or link["url"])] = link["url"]
        else:
            imported.gap(f"link {link['url'][:60]!r} of {entity.service_name}: not an http(s) or mailto URL, left out")
    if links:
        found["links"] = links
    carried = {key: _short_ref(spec[key]) if key == "system" else spec[key]
               for key in ("system", "lifecycle", "type") if isinstance(spec.get(key), str)}
    if carried:
        found["x-backstage"] = carried
    return found


def _gaps(imported: Imported, unresolved: list[str]) -> None:
    services = imported.services
    imported.gap("placements and sites: a catalogue does not say where services run (every service is not yet placed)")
    imported.gap("backups: a catalogue does not say where data is copied")
    imported.count_missing(("tier", "rto", "rpo", "dr"), " (annotate drcheck.io/..., or set it under overrides:)")
    if any("depends_on" in s for s in services.values()):
        imported.gap("whether a dependency is hard: every one is written hard (drcheck's default) unless "
                     "drcheck.io/soft-dependencies names it")
    for ref in sorted(set(unresolved)):
        imported.gap(f"dependency {ref} is not in the catalogue read, so it is left out")
