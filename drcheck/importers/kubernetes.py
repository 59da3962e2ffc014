"""Kubernetes clusters (`kubectl get ... -o json`) and Velero -> cluster zones as sites, workloads as services.

Each cluster's nodes give its sites (one per zone, at the region's named cloud location), its pods say where
each Deployment, StatefulSet and DaemonSet runs, its PersistentVolumes which of them are pinned to a zone, and
Velero's Schedules and BackupStorageLocations where their backups are.  The same workload in several clusters is
one service whose first cluster holds its primaries and the others its standbys.  Kubernetes does not record
tiers, objectives, drills or which workload calls which: those are gaps, never guesses."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..inventory.locations import catalogue
from ..inventory.schema import parse_duration
from . import Imported, ImportOptions
from .common import input_files, json_location, read_json
from .values import check_value

ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
# keys a volume's node affinity (or a node) names its zone by: the well-known ones, then the CSI drivers' own
VOLUME_ZONE_KEYS = (*ZONE_LABELS, "topology.gke.io/zone", "topology.ebs.csi.aws.com/zone",
                    "topology.disk.csi.azure.com/zone")
OPERATORS = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Microsoft Azure"}
# node label prefixes of the managed services, whose control plane the provider runs across the region's zones
MANAGED = {"eks.amazonaws.com/": "EKS", "cloud.google.com/gke-": "GKE", "kubernetes.azure.com/": "AKS"}
CONTROL_PLANE_ROLES = ("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master")
# label values that mark GitOps and registry tooling, under app.kubernetes.io/name, app.kubernetes.io/part-of or app
TOOLING = {"argocd": "Argo CD", "flux": "Flux", "harbor": "Harbor"}
TOOLING_KEYS = ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app")
SERVICE_ANNOTATION = "drcheck.io/service"
# annotation -> inventory field, as the Backstage importer reads them
ANNOTATIONS = {"drcheck.io/tier": "tier", "drcheck.io/rto": "rto", "drcheck.io/rpo": "rpo",
               "drcheck.io/dr-strategy": "dr.strategy", "drcheck.io/dr-last-tested": "dr.last_tested"}
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")
READ = frozenset({"Node", "Pod", "ReplicaSet", "PersistentVolume", "PersistentVolumeClaim",
                  "BackupStorageLocation", "Schedule", *WORKLOADS})

_AWS_ZONE = re.compile(r"([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]")  # eu-west-1a
_GCP_ZONE = re.compile(r"([a-z]+-[a-z]+\d+)-[a-z]")  # europe-west1-b
_AZURE_ZONE = re.compile(r"([a-z0-9]+)-(\d)")  # westeurope-1
_PROVIDER_ID = re.compile(r"(aws|gce|azure)://")
_AWS_PROVIDER_ZONE = re.compile(r"aws:///([a-z]{2}(?:-[a-z]+)+-\d+[a-z])/")  # aws:///eu-west-1a/i-0abc
_GCE_PROVIDER_ZONE = re.compile(r"gce://[^/]+/([a-z]+-[a-z]+\d+-[a-z])/")  # gce://project/europe-west1-b/node


@dataclass
class _Object:
    """One API object as read, with where it came from (for errors)."""

    cluster: str
    kind: str
    file: str
    path: tuple  # keys and indices to it in the file
    data: dict

    def get(self, *keys: str, expected: type = str, default=None):
        """The value at keys, or `default` when absent or null; a value of another type is a located error."""
        value = self.data
        for i, key in enumerate(keys):
            if not isinstance(value, dict):
                raise self.error(keys[:i], value, "an object")
            value = value.get(key)
            if value is None:
                return default
        if not isinstance(value, expected) or isinstance(value, bool) and expected is not bool:
            raise self.error(keys, value, _TYPE_NAMES.get(expected, expected.__name__))
        return value

    def error(self, keys: tuple, value, expected: str) -> InputError:
        return InputError.at(json_location(self.file, (*self.path, *keys)),
                             f"{self.kind} {self.label}: {'.'.join(map(str, keys)) or 'the object'}: found "
                             f"{_TYPE_NAMES.get(type(value), type(value).__name__)}; expected {expected}")

    @property
    def name(self) -> str:
        name = self.get("metadata", "name")
        if not name:
            raise InputError.at(json_location(self.file, self.path), f"a {self.kind} without metadata.name; expected "
                                                                     "objects as the Kubernetes API writes them")
        return name

    @property
    def namespace(self) -> str:
        return self.get("metadata", "namespace", default="default")

    @property
    def label(self) -> str:
        data = self.data.get("metadata") if isinstance(self.data, dict) else None
        name = data.get("name") if isinstance(data, dict) else None
        namespace = data.get("namespace") if isinstance(data, dict) else None
        return f"{namespace}/{name}" if isinstance(namespace, str) else repr(name) if name is not None else "(unnamed)"

    def texts(self, *keys: str) -> dict[str, str]:
        """A string-to-string map (labels, annotations, matchLabels); a value that is not text is an error."""
        found = self.get(*keys, expected=dict, default={})
        for key, value in found.items():
            if not isinstance(value, str):
                raise self.error((*keys, key), value, "text")
        return found

    def items(self, *keys: str):
        """(path, item) of each object in a list field."""
        for i, item in enumerate(self.get(*keys, expected=list, default=[])):
            if not isinstance(item, dict):
                raise self.error((*keys, i), item, "an object")
            yield (*keys, i), item

    def at(self, keys: tuple, data: dict) -> "_Object":
        """A nested object (a container, a volume) read with the same located errors."""
        return _Object(self.cluster, self.kind, self.file, (*self.path, *keys), data)


_TYPE_NAMES = {str: "text", dict: "an object", list: "a list", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


@dataclass
class _Node:
    site: str | None
    control_plane: bool


@dataclass
class _Workload:
    """A Deployment, StatefulSet or DaemonSet of one cluster, as its object and its pods describe it."""

    cluster: str
    kind: str
    namespace: str
    name: str
    obj: _Object | None = None  # absent when only its pods were read
    pods: list[_Object] = field(default_factory=list)
    running: set[str] = field(default_factory=set)  # sites its pods run on
    volume_sites: set[str] = field(default_factory=set)  # sites of its zonal volumes
    claims: set[str] = field(default_factory=set)  # its PersistentVolumeClaims' names

    @property
    def labels(self) -> dict[str, str]:
        if self.obj is not None:
            return {**self.obj.texts("spec", "template", "metadata", "labels"), **self.obj.texts("metadata", "labels")}
        return self.pods[0].texts("metadata", "labels") if self.pods else {}

    def annotations(self) -> tuple[_Object, dict[str, str]] | None:
        source = self.obj or (self.pods[0] if self.pods else None)
        return None if source is None else (source, source.texts("metadata", "annotations"))


@dataclass
class _Service:
    name: str
    workloads: list[_Workload] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    set_by: dict = field(default_factory=dict)  # field -> where an annotation set it
    tooling: str | None = None
    backups: dict[str, str | None] = field(default_factory=dict)  # site -> most frequent interval


def read(paths: list[str], options: ImportOptions) -> Imported:
    clusters: dict[str, list[str]] = {}
    for path in paths:
        clusters.setdefault(_cluster_name(path), []).extend(input_files([path], (".json",)))
    for given in options.clusters:
        name, _, path = given.partition("=")
        if not name or not path:
            raise InputError(f"--cluster: found {given!r}; expected NAME=FILE (a file or directory of one cluster)")
        clusters.setdefault(name, []).extend(input_files([path], (".json",)))
    if not clusters:
        raise InputError("kubernetes: give the JSON files of `kubectl get ... -o json`, one cluster per file or "
                         "directory, or --cluster NAME=FILE")
    tooling = dict(_tooling_label(text) for text in options.tooling_labels)
    imported = Imported("kubernetes", [f for files in clusters.values() for f in files])
    objects: dict[str, list[_Object]] = {}
    unmapped: dict[str, int] = {}
    for cluster, files in clusters.items():
        for file in dict.fromkeys(files):
            for obj in _objects(cluster, file):
                if obj.kind in READ:
                    objects.setdefault(obj.kind, []).append(obj)
                else:
                    unmapped[obj.kind] = unmapped.get(obj.kind, 0) + 1
    _Estate(imported, list(clusters), objects, tooling).build()
    imported.notes.insert(0, "Clusters: " + "; ".join(
        f"{name} ({', '.join(files)})" for name, files in clusters.items()))
    for kind, count in sorted(unmapped.items()):
        imported.gap(f"{count} {kind} object(s): read, not mapped by drcheck")
    return imported


def _cluster_name(path: str) -> str:
    """A cluster named by its file (prod-eu.json -> prod-eu) or directory."""
    base = os.path.basename(os.path.normpath(path))
    return base[:-5] if base.endswith(".json") and len(base) > 5 else base


def _tooling_label(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise InputError(f"--tooling-label: found {text!r}; expected KEY=VALUE, a label that marks recovery tooling "
                         "(app.kubernetes.io/name=zot)")
    return key, value


def _objects(cluster: str, file: str):
    """Every object of a file: a `List` (kubectl), a raw API list (NodeList: its items carry no kind) or one object."""
    data = read_json(file)
    if not isinstance(data, dict):
        raise InputError.at(json_location(file, ()), f"found {_TYPE_NAMES.get(type(data), type(data).__name__)}; "
                                                     "expected the output of `kubectl get ... -o json`")
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise InputError.at(json_location(file, ()), "found a JSON object without kind; expected the output of "
                                                     "`kubectl get ... -o json` (a List, a NodeList, ... or one object)")
    if not kind.endswith("List"):
        yield _Object(cluster, kind, file, (), data)
        return
    items = data.get("items")
    if items is None:
        return
    if not isinstance(items, list):
        raise InputError.at(json_location(file, ("items",)), f"items: found {_TYPE_NAMES.get(type(items), 'a value')}; "
                                                             "expected a list")
    listed = kind[:-4]  # NodeList -> Node; List -> "" (each item says its own kind)
    for i, item in enumerate(items):
        own = item.get("kind") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not (isinstance(own, str) and own or listed):
            raise InputError.at(json_location(file, ("items", i)), f"items[{i}]: found "
                                f"{'an object without kind' if isinstance(item, dict) else _TYPE_NAMES.get(type(item), 'a value')}"
                                "; expected an API object with its kind (or a list such as NodeList)")
        yield _Object(cluster, own if isinstance(own, str) and own else listed, file, ("items", i), item)


class _Estate:
    def __init__(self, imported: Imported, clusters: list[str], objects: dict[str, list[_Object]],
                 tooling: dict[str, str]):
        self.imported = imported
        self.clusters = clusters
        self.objects = objects
        self.tooling = tooling
        self.nodes: dict[tuple[str, str], _Node] = {}
        self.provider: dict[str, str | None] = {}  # cluster -> its nodes' cloud
        self.workloads: dict[tuple[str, str, str], _Workload] = {}  # (cluster, namespace, name)
        self.disagreements: list[str] = []
        self.managed: dict[str, str] = {}  # cluster -> the managed service (EKS, GKE, AKS) that runs it

    def of(self, kind: str) -> list[_Object]:
        return self.objects.get(kind, [])

    # ---- sites ---------------------------------------------------------------------------------------------

    def site(self, cluster: str, provider: str | None, region: str | None, zone: str | None) -> str:
        """The site of a cluster's zone (or of its region, for nodes in no zone)."""
        name = f"{cluster}:{zone or region}"
        if name not in self.imported.sites:
            self.imported.sites[name] = self.cloud_site("cloud-zone" if zone else "cloud-region", provider, region)
        return name

    def cloud_site(self, kind: str, provider: str | None, region: str | None) -> dict:
        """A site's fields: on a cloud, its kind, operator, region (PROVIDER-REGION) and the region's named location
        where drcheck knows it; elsewhere, the region as the labels name it."""
        if provider is None:
            return {"region": region} if region else {}
        fields: dict = {"kind": kind}
        if region and f"{provider}:{region}" in catalogue():
            fields["location"] = f"{provider}:{region}"
        elif region:
            self.imported.gap(f"region {provider}:{region} is not in drcheck's catalogue of named locations "
                              "(`drcheck locations`): its sites have no location")
        fields["operator"] = OPERATORS[provider]
        if region:
            fields["region"] = f"{provider}-{region}"
        return fields

    def read_nodes(self) -> None:
        providers: dict[str, set[str]] = {}
        fault_domains: dict[str, int] = {}
        placeless: dict[str, int] = {}
        for node in self.of("Node"):
            labels = node.texts("metadata", "labels")
            provider_id = node.get("spec", "providerID", default="")
            match = _PROVIDER_ID.match(provider_id)
            provider = {"gce": "gcp"}.get(match.group(1), match.group(1)) if match else None
            if provider:
                providers.setdefault(node.cluster, set()).add(provider)
            zone = next((labels[k] for k in VOLUME_ZONE_KEYS if labels.get(k)), None)
            region = next((labels[k] for k in REGION_LABELS if labels.get(k)), None)
            if provider == "azure" and zone is not None and zone.isdigit():
                fault_domains[node.cluster] = fault_domains.get(node.cluster, 0) + 1
                zone = None  # a fault domain of an Azure node in no zone
            said = _AWS_PROVIDER_ZONE.match(provider_id) or _GCE_PROVIDER_ZONE.match(provider_id)
            if said and said.group(1) != zone:
                if zone is not None:
                    self.disagreements.append(f"{node.cluster}/{node.name}: label {zone}, provider ID {said.group(1)}")
                zone = said.group(1)
            if zone is not None:
                derived = _region_of(provider, zone)
                if derived and region and derived != region:
                    self.disagreements.append(f"{node.cluster}/{node.name}: region label {region}, zone {zone}")
                region = derived or region
            site = self.site(node.cluster, provider, region, zone) if zone or region else None
            if site is None:
                placeless[node.cluster] = placeless.get(node.cluster, 0) + 1
            control_plane = any(k in labels for k in CONTROL_PLANE_ROLES)
            self.nodes[node.cluster, node.name] = _Node(site, control_plane)
            for prefix, service in MANAGED.items():
                if any(k.startswith(prefix) for k in labels):
                    self.managed.setdefault(node.cluster, service)
        for cluster, found in providers.items():
            self.provider[cluster] = sorted(found)[0]
            if len(found) > 1:
                self.imported.gap(f"cluster {cluster}: nodes of several clouds ({', '.join(sorted(found))})")
        for cluster, count in sorted(fault_domains.items()):
            self.imported.notes.append(
                f"Cluster {cluster}: {count} Azure node(s) carry a fault-domain number as their zone label; a fault "
                "domain is a rack group, not a zone: they are placed at the region's site.")
        for cluster, count in sorted(placeless.items()):
            self.imported.gap(f"cluster {cluster}: {count} node(s) have no zone or region label and no provider ID "
                              "that names one: what runs there is not placed")
        if self.disagreements:
            self.imported.notes.append(
                "Where a node's labels and its provider ID disagree, the provider ID wins: it is the cloud's record "
                "of where the machine runs, while labels are written by whoever manages the node: "
                + "; ".join(self.disagreements[:5]) + (f" and {len(self.disagreements) - 5} more"
                                                       if len(self.disagreements) > 5 else ""))
        for cluster in self.clusters:
            if not any(c == cluster for c, _ in self.nodes):
                self.imported.gap(f"cluster {cluster}: no nodes read, so where its workloads run is unknown")

    # ---- workloads -----------------------------------------------------------------------------------------

    def workload(self, cluster: str, kind: str, namespace: str, name: str) -> _Workload:
        found = self.workloads.get((cluster, namespace, name))
        if found is None:
            found = self.workloads[cluster, namespace, name] = _Workload(cluster, kind, namespace, name)
        return found

    def read_workloads(self) -> None:
        for kind in WORKLOADS:
            for obj in self.of(kind):
                self.workload(obj.cluster, kind, obj.namespace, obj.name).obj = obj
        replica_sets = {}
        for rs in self.of("ReplicaSet"):
            owner = _controller(rs)
            if owner and owner[0] == "Deployment":
                replica_sets[rs.cluster, rs.namespace, rs.name] = owner[1]
        deployments: dict[tuple[str, str], list[_Workload]] = {}
        for w in self.workloads.values():
            if w.kind == "Deployment" and w.obj is not None:
                deployments.setdefault((w.cluster, w.namespace), []).append(w)
        others: dict[str, int] = {}
        unknown_nodes = 0
        for pod in self.of("Pod"):
            if pod.get("status", "phase") in ("Succeeded", "Failed"):
                continue
            owner = _controller(pod)
            workload = None
            if owner and owner[0] in ("StatefulSet", "DaemonSet"):
                workload = self.workload(pod.cluster, owner[0], pod.namespace, owner[1])
            elif owner and owner[0] == "ReplicaSet":
                name = replica_sets.get((pod.cluster, pod.namespace, owner[1])) or _deployment_of(pod, owner[1])
                if name is None:  # the ReplicaSet was not read and the pod lacks pod-template-hash: its selector
                    labels = pod.texts("metadata", "labels")
                    name = next((d.name for d in deployments.get((pod.cluster, pod.namespace), [])
                                 if _selects(d.obj, labels)), None)
                if name is not None:
                    workload = self.workload(pod.cluster, "Deployment", pod.namespace, name)
            if workload is None:
                what = owner[0] if owner else "no controller"
                others[what] = others.get(what, 0) + 1
                continue
            workload.pods.append(pod)
            node = self.nodes.get((pod.cluster, pod.get("spec", "nodeName", default="")))
            if node is not None and node.site is not None:
                workload.running.add(node.site)
            elif pod.get("spec", "nodeName") is not None and node is None:
                unknown_nodes += 1
            for path, volume in pod.items("spec", "volumes"):
                claim = pod.at(path, volume).get("persistentVolumeClaim", "claimName")
                if claim:
                    workload.claims.add(claim)
        for what, count in sorted(others.items()):
            self.imported.gap(f"{count} pod(s) owned by {what}: not a Deployment, StatefulSet or DaemonSet, not mapped")
        if unknown_nodes:
            self.imported.gap(f"{unknown_nodes} pod(s) run on nodes that were not read: not placed there")

    def read_volumes(self) -> None:
        volumes = {(pv.cluster, pv.name): pv for pv in self.of("PersistentVolume")}
        claims = {(pvc.cluster, pvc.namespace, pvc.name): pvc for pvc in self.of("PersistentVolumeClaim")}
        in_namespace: dict[tuple[str, str], list[str]] = {}
        for cluster, namespace, name in claims:
            in_namespace.setdefault((cluster, namespace), []).append(name)
        for w in self.workloads.values():
            if w.kind == "StatefulSet" and w.obj is not None:  # its claims, also of replicas with no pod running
                for path, template in w.obj.items("spec", "volumeClaimTemplates"):
                    prefix = f"{w.obj.at(path, template).name}-{w.name}-"
                    w.claims.update(name for name in in_namespace.get((w.cluster, w.namespace), [])
                                    if name.startswith(prefix) and name[len(prefix):].isdigit())
            for claim in sorted(w.claims):
                pvc = claims.get((w.cluster, w.namespace, claim))
                pv = volumes.get((w.cluster, pvc.get("spec", "volumeName", default=""))) if pvc else None
                if pv is not None:
                    for zone in _volume_zones(pv):
                        provider = self.provider.get(w.cluster)
                        w.volume_sites.add(self.site(w.cluster, provider, _region_of(provider, zone), zone))

    # ---- services ------------------------------------------------------------------------------------------

    def build(self) -> None:
        self.read_nodes()
        self.read_workloads()
        self.read_volumes()
        several = len(self.clusters) > 1
        by_identity: dict[tuple[str, bool], list[_Workload]] = {}  # (name, whether an annotation gave it)
        for w in self.workloads.values():
            found = w.annotations()
            named = found[1].get(SERVICE_ANNOTATION, "").strip() if found else ""
            by_identity.setdefault((named, True) if named else (f"{w.namespace}/{w.name}", False), []).append(w)
        order = {c: i for i, c in enumerate(self.clusters)}
        services: dict[str, _Service] = {}
        for (identity, annotated), members in by_identity.items():
            name = identity if annotated or not several or len({w.cluster for w in members}) > 1 else (
                f"{members[0].cluster}:{identity}")
            if name in services:  # an annotation names what another workload is called
                services[name].workloads += members
                services[name].workloads.sort(key=lambda w: order[w.cluster])
            else:
                services[name] = _Service(name, sorted(members, key=lambda w: order[w.cluster]))
        control_planes = self.control_planes()
        for service in services.values():
            self.describe(service)
        self.backups(services)
        tooling = sorted(s.name for s in services.values() if s.tooling)
        for service in sorted(services.values(), key=lambda s: s.name):
            self.write(service, control_planes, tooling)
        self.header(services, tooling)

    def control_planes(self) -> dict[str, str]:
        """cluster -> its control plane's service, placed where it runs when the nodes say so."""
        names = {}
        for cluster in self.clusters:
            name = names[cluster] = f"{cluster}:control-plane"
            own = sorted({n.site for (c, _), n in self.nodes.items() if c == cluster and n.control_plane and n.site})
            every = sorted({n.site for (c, _), n in self.nodes.items() if c == cluster and n.site})
            fields: dict = {"kind": "ops"}
            if own:
                fields["placements"] = [{"site": s, "role": "primary"} for s in own]
                self.imported.notes.append(f"The control plane of {cluster} is self-managed: placed where its "
                                           "control-plane nodes are.")
            elif cluster in self.managed and every:
                fields["placements"] = [{"site": s, "role": "primary"} for s in every]
                self.imported.notes.append(
                    f"The control plane of {cluster} is managed ({self.managed[cluster]}): the provider runs it "
                    "across the region's zones, so it is placed in each zone of the cluster; losing the region "
                    "loses it.")
            else:
                self.imported.gap(f"where the control plane of {cluster} runs: no control-plane nodes and no label "
                                  "of a managed service (EKS, GKE, AKS) among its nodes, so not placed")
            if "placements" in fields:  # its zones are high availability; a second cluster is the DR
                fields["dr"] = {"strategy": "none"}
            self.imported.services[name] = fields
        if any("placements" in self.imported.services[n] for n in names.values()):
            self.imported.notes.append(
                "A control plane is never failed over: its zones are high availability, and the DR of a cluster's "
                "workloads is another cluster. So each is written with dr.strategy: none, and the DR rules judge the "
                "workloads, not the control planes (no-dr does, if you give one a critical tier).")
        if any(self.managed.get(c) == "GKE" for c in self.clusters):
            self.imported.gap("a zonal GKE cluster's control plane runs in one zone, a regional one's in three: the "
                              "nodes do not say which, so it is placed in every zone of the cluster")
        return names

    def describe(self, service: _Service) -> None:
        """Kind, recovery tooling and the annotated DR facts of a service's workloads."""
        for w in service.workloads:
            labels = w.labels
            for key in TOOLING_KEYS:
                value = labels.get(key, "")
                base = value.split("-")[0]
                if base in TOOLING and (value == base or key == "app.kubernetes.io/name"):
                    service.tooling = TOOLING[base]
            for key, value in self.tooling.items():
                if labels.get(key) == value:
                    service.tooling = f"{key}={value}"
            found = w.annotations()
            if found is None:
                continue
            source, annotations = found
            for key in sorted(k for k in annotations if k.startswith("drcheck.io/") and k != SERVICE_ANNOTATION):
                if key not in ANNOTATIONS:
                    raise InputError.at(json_location(source.file, (*source.path, "metadata", "annotations", key)),
                                        f"unknown annotation {key!r}; expected one of: "
                                        f"{', '.join([SERVICE_ANNOTATION, *ANNOTATIONS])}")
                where = json_location(source.file, (*source.path, "metadata", "annotations", key))
                value = check_value(ANNOTATIONS[key], annotations[key], where)
                target = ANNOTATIONS[key]
                if target in service.fields and service.fields[target] != value:
                    raise InputError.at(where, f"{key} of {service.name}: found {annotations[key]!r}; expected "
                                               f"{service.fields[target]!r} as at {service.set_by[target]}: one "
                                               "service, one value")
                service.fields[target] = value
                service.set_by[target] = where

    def backups(self, services: dict[str, _Service]) -> None:
        locations = {}
        for bsl in self.of("BackupStorageLocation"):
            locations[bsl.cluster, bsl.name] = (bsl, self.bucket_site(bsl))
        defaults = {c: s for (c, _), (bsl, s) in locations.items() if bsl.get("spec", "default", expected=bool)}
        defaults.update({c: s for (c, n), (_, s) in locations.items() if n == "default" and c not in defaults})
        members: dict[str, list[tuple[_Service, _Workload]]] = {}  # cluster -> its workloads and their services
        for service in services.values():
            for w in service.workloads:
                members.setdefault(w.cluster, []).append((service, w))
        for schedule in self.of("Schedule"):
            if schedule.get("spec", "paused", expected=bool):
                self.imported.notes.append(f"Velero schedule {schedule.cluster}/{schedule.name} is paused: not "
                                           "counted as a backup.")
                continue
            location = schedule.get("spec", "template", "storageLocation")
            site = locations[schedule.cluster, location][1] if (schedule.cluster, location) in locations else (
                defaults.get(schedule.cluster) if location is None else None)
            if site is None:
                self.imported.gap(f"Velero schedule {schedule.cluster}/{schedule.name}: its backup storage location "
                                  f"{location or '(the default)'} was not read, so its backups are left out")
                continue
            every = _interval(schedule.get("spec", "schedule", default=""))
            if every is None:
                self.imported.gap(f"Velero schedule {schedule.cluster}/{schedule.name}: "
                                  f"{schedule.get('spec', 'schedule', default='')!r} has no plain interval, so no "
                                  "frequency is given")
            included = [n for _, n in _text_list(schedule, "spec", "template", "includedNamespaces")]
            excluded = {n for _, n in _text_list(schedule, "spec", "template", "excludedNamespaces")}
            selector = schedule.get("spec", "template", "labelSelector", expected=dict)
            for service, w in members.get(schedule.cluster, []):
                if w.namespace not in excluded and (not included or "*" in included or w.namespace in included) and (
                        selector is None or _selects(schedule, w.labels, ("spec", "template", "labelSelector"))):
                    known = service.backups.get(site, every)
                    faster = known is None or every is not None and parse_duration(every) < parse_duration(known)
                    service.backups[site] = every if faster else known

    def bucket_site(self, bsl: _Object) -> str:
        """The site of a Velero backup storage location: its region where Velero records one, else the bucket."""
        provider = bsl.get("spec", "provider", default="").removeprefix("velero.io/")
        bucket = bsl.get("spec", "objectStorage", "bucket", default=bsl.name)
        region = bsl.get("spec", "config", "region")
        custom = bsl.get("spec", "config", "s3Url")
        if provider in OPERATORS and region and not custom:
            name = f"{provider}-{region}"
            if name not in self.imported.sites:
                self.imported.sites[name] = self.cloud_site("cloud-region", provider, region)
            return name
        name = f"bucket:{bucket}"
        self.imported.sites.setdefault(name, {"operator": OPERATORS[provider]} if provider in OPERATORS else {})
        why = (f"it is served from {custom}" if custom else "Velero records a region for AWS only" if provider != "aws"
               else "its config names no region")
        self.imported.gap(f"Velero backup storage location {bsl.cluster}/{bsl.name} ({provider or 'no provider'}, "
                          f"bucket {bucket}): {why}, so site {name} has no region or location; give them under "
                          "overrides: sites:")
        return name

    def write(self, service: _Service, control_planes: dict[str, str], tooling: list[str]) -> None:
        fields: dict = {}
        data = any(w.volume_sites for w in service.workloads)
        if service.tooling:
            fields["kind"] = "ops"
        elif data:
            fields["kind"] = "data"
        for key in ("tier", "rto", "rpo"):
            if key in service.fields:
                fields[key] = service.fields[key]
        placements: dict[str, str] = {}
        standby_clusters: list[str] = []
        placed = [w for w in service.workloads if w.volume_sites or w.running]
        for w in placed:  # the first cluster where it runs holds its primaries; the others are its DR
            # a zonal volume pins the workload to its zone; a zone it can attach in but runs nothing is a standby
            for site in sorted(w.volume_sites | w.running):
                primary = w is placed[0] and (site in w.running or not w.running)
                placements.setdefault(site, "primary" if primary else "standby")
                if not primary and w.cluster not in standby_clusters:
                    standby_clusters.append(w.cluster)
        if placements:
            fields["placements"] = [{"site": s, "role": r} for s, r in
                                    sorted(placements.items(), key=lambda item: (item[1] != "primary", item[0]))]
        dr = {k.split(".")[1]: service.fields[k] for k in ("dr.strategy", "dr.last_tested") if k in service.fields}
        if dr:
            fields["dr"] = dr
        clusters = list(dict.fromkeys(w.cluster for w in service.workloads))
        fields["depends_on"] = [control_planes[clusters[0]]] if len(clusters) == 1 else [
            {"any_of": [control_planes[c] for c in clusters]}]
        if "standby" in placements.values():
            # failing over to a standby needs its cluster's control plane and the tooling that redeploys it there;
            # the tooling's own standbys need only their control plane, or tools in two clusters would wait on each other
            fields["recovery_needs"] = [control_planes[c] for c in standby_clusters] + (
                [] if service.tooling else tooling)
        if service.backups:
            fields["backups"] = [{"site": site, **({"frequency": every} if every else {}), "media": "object"}
                                 for site, every in sorted(service.backups.items())]
        self.imported.services[service.name] = fields

    def header(self, services: dict[str, _Service], tooling: list[str]) -> None:
        imported = self.imported
        used = {p["site"] for s in imported.services.values() for p in s.get("placements", [])} | {
            b["site"] for s in imported.services.values() for b in s.get("backups", [])}
        for site in [s for s in imported.sites if s not in used]:
            del imported.sites[site]
        unplaced = sorted(s.name for s in services.values() if "placements" not in imported.services[s.name])
        if unplaced:
            imported.gap(f"{len(unplaced)} workload(s) with no running pod on a node read, so not placed: "
                         + ", ".join(unplaced[:5]) + (" ..." if len(unplaced) > 5 else ""))
        imported.notes += [
            "Sites are the zones of each cluster (CLUSTER:ZONE), or its region for nodes in no zone, at the region's "
            "named location; services are workloads (NAMESPACE/NAME, CLUSTER:NAMESPACE/NAME when several clusters "
            f"are read and it runs in one), matched across clusters by namespace and name or by {SERVICE_ANNOTATION}.",
            "The first cluster given where a workload runs holds its primaries, the others its standbys; each "
            "workload depends on its cluster's control plane (on any one of them, in several clusters).",
            "A workload with a zonal PersistentVolume is data, placed in its volumes' zones: a zonal disk is not "
            "reachable from another zone.",
        ]
        if tooling:
            imported.notes.append("Recovery tooling (kind ops, in the recovery_needs of every other workload with "
                                  "a standby): " + ", ".join(f"{t} ({services[t].tooling})" for t in tooling))
        imported.count_missing(("tier", "rto", "rpo"), " (a workload can say it in a drcheck.io/ annotation)")
        for gap in (
            "dr (strategy, last test): not in Kubernetes, unless annotated (drcheck.io/dr-strategy, "
            "drcheck.io/dr-last-tested)",
            "depends_on between workloads: Kubernetes does not record which workload calls which",
            "restore_tested: Velero's restores are not read",
            "which cluster serves a workload's traffic: not in Kubernetes (the first cluster given where it runs holds "
            "the primaries)",
            "zones: AWS and Azure zone names are each account's own, so two clusters' zones of one name are kept "
            "apart as sites of one region",
        ):
            imported.gap(gap)


# ---- small readers -------------------------------------------------------------------------------------------

def _controller(obj: _Object) -> tuple[str, str] | None:
    """(kind, name) of the object's controlling owner, or of its first owner."""
    owners = list(obj.items("metadata", "ownerReferences"))
    chosen = next((o for _, o in owners if o.get("controller") is True), owners[0][1] if owners else None)
    if chosen is None:
        return None
    path = next(p for p, o in owners if o is chosen)
    owner = obj.at(path, chosen)
    return owner.get("kind", default=""), owner.get("name", default="")


def _deployment_of(pod: _Object, replica_set: str) -> str | None:
    """A Deployment's ReplicaSets are named DEPLOYMENT-HASH, the hash being the pods' pod-template-hash label."""
    suffix = "-" + pod.texts("metadata", "labels").get("pod-template-hash", "\0")
    return replica_set[:-len(suffix)] if replica_set.endswith(suffix) and len(replica_set) > len(suffix) else None


def _selects(obj: _Object, labels: dict[str, str], keys: tuple = ("spec", "selector")) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) selects these labels; an empty one selects none."""
    wanted = obj.texts(*keys, "matchLabels")
    expressions = list(obj.items(*keys, "matchExpressions"))
    if not wanted and not expressions:
        return False
    if any(labels.get(k) != v for k, v in wanted.items()):
        return False
    for path, expression in expressions:
        term = obj.at(path, expression)
        key, operator = term.get("key", default=""), term.get("operator", default="")
        values = [v for _, v in _text_list(term, "values")]
        if not (operator == "In" and labels.get(key) in values or operator == "NotIn" and labels.get(key) not in values
                or operator == "Exists" and key in labels or operator == "DoesNotExist" and key not in labels):
            return False
    return True


def _text_list(obj: _Object, *keys: str) -> list[tuple[tuple, str]]:
    found = []
    for i, value in enumerate(obj.get(*keys, expected=list, default=[])):
        if not isinstance(value, str):
            raise obj.error((*keys, i), value, "text")
        found.append(((*keys, i), value))
    return found


def _volume_zones(pv: _Object) -> list[str]:
    """The zones a PersistentVolume can be attached in: its node affinity, else its (older) zone labels."""
    zones: list[str] = []
    for path, term in pv.items("spec", "nodeAffinity", "required", "nodeSelectorTerms"):
        for sub, expression in pv.at(path, term).items("matchExpressions"):
            rule = pv.at((*path, *sub), expression)
            if rule.get("key", default="") in VOLUME_ZONE_KEYS and rule.get("operator", default="") == "In":
                zones += [v for _, v in _text_list(rule, "values")]
    if not zones:
        labels = pv.texts("metadata", "labels")
        value = next((labels[k] for k in ZONE_LABELS if labels.get(k)), "")
        zones = [z for z in value.split("__") if z]  # a regional disk's in-tree label joins its zones with "__"
    return list(dict.fromkeys(zones))


def _region_of(provider: str | None, zone: str) -> str | None:
    """The region a zone name belongs to, where the provider's naming says so."""
    pattern = {"aws": _AWS_ZONE, "gcp": _GCP_ZONE, "azure": _AZURE_ZONE}.get(provider or "")
    match = pattern.fullmatch(zone) if pattern else None
    return match.group(1) if match else None


_MINUTES = {"@hourly": 60, "@daily": 1440, "@midnight": 1440, "@weekly": 10080}


def _interval(schedule: str) -> str | None:
    """How often a Velero schedule runs, where its cron expression says it plainly: "0 3 * * *" is 1d."""
    text = schedule.strip()
    minutes = _MINUTES.get(text)
    every = re.fullmatch(r"@every\s+(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text)
    fields = text.split()
    if every and any(every.groups()):
        hours, mins, secs = (int(g or 0) for g in every.groups())
        if secs:
            return f"{hours * 3600 + mins * 60 + secs}s"
        minutes = hours * 60 + mins or None
    elif minutes is None and len(fields) == 5:
        minute, hour, day, month, weekday = fields
        if day == "*" and month == "*" and minute.isdigit():
            if hour == "*" and weekday == "*":
                minutes = 60
            elif re.fullmatch(r"\*/\d+", hour) and weekday == "*" and int(hour[2:]) > 0:
                minutes = 60 * int(hour[2:])
            elif hour.isdigit() and weekday == "*":
                minutes = 1440
            elif hour.isdigit() and weekday.isdigit():
                minutes = 10080
        elif re.fullmatch(r"\*/\d+", minute) and int(minute[2:]) > 0 and fields[1:] == ["*"] * 4:
            minutes = int(minute[2:])
    if minutes is None:
        return None
    return f"{minutes // 1440}d" if minutes % 1440 == 0 else f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
