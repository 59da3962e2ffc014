"""`drcheck import SOURCE PATH...`: another system's data in, an inventory out.

Each source is one module here with a `read(paths, options) -> Imported` function: it
maps what the source says onto inventory fields, and lists as gaps what the
source cannot say.  It never fills a gap with a guess.  `render` (writer.py)
turns the result into the inventory file."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from ..errors import InputError

SOURCES = {
    "backstage": "Backstage catalog-info.yaml files (Components, Resources, Systems, dependsOn, APIs)",
    "terraform": "`terraform show -json` output (state or plan) or terraform.tfstate (format 4)",
    "netbox": "NetBox REST API JSON files, or live from NETBOX_URL and NETBOX_TOKEN",
    "csv": "CSV rows of services or sites, with a mapping file naming the columns",
    "kubernetes": "`kubectl get nodes,pods,deployments,statefulsets,daemonsets,pv,pvc -A -o json` and Velero's "
                  "backupstoragelocations and schedules, one or several clusters",
}


@dataclass
class Imported:
    """An inventory as plain data (the YAML the writer emits), with what the source could not say."""

    source: str
    inputs: list[str]
    sites: dict[str, dict] = field(default_factory=dict)
    services: dict[str, dict] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)  # what the source could not say, for the header
    notes: list[str] = field(default_factory=list)  # how the source was read, for the header

    def gap(self, text: str) -> None:
        if text not in self.gaps:
            self.gaps.append(text)

    def count_missing(self, fields: tuple[str, ...], hint: str = "") -> None:
        """A gap for each field that some services lack: "rpo: 2 of 4 services"."""
        total = len(self.services)
        for name in fields:
            missing = sum(name not in service for service in self.services.values())
            if missing:
                self.gap(f"{name}: {missing} of {total} services{hint}")


@dataclass(frozen=True)
class ImportOptions:
    mapping: str | None = None  # csv: the mapping file
    service_tag: str = "drcheck:service"  # terraform: the tag that names a resource's service
    clusters: tuple[str, ...] = ()  # kubernetes: NAME=FILE, a cluster's file or directory (a name may repeat)
    tooling_labels: tuple[str, ...] = ()  # kubernetes: KEY=VALUE labels that mark recovery tooling


def run_import(source: str, paths: list[str], options: ImportOptions) -> Imported:
    if source not in SOURCES:
        raise InputError(f"unknown import source {source!r}; expected one of: {', '.join(SOURCES)}")
    module = import_module(f"{__name__}.{source}")
    return module.read(paths, options)
