"""Kubernetes API and Velero objects as `kubectl get ... -o json` writes them (the fields drcheck reads, and a few
it does not), for tests and the benchmark: written from the API reference, not copied from any cluster."""
from __future__ import annotations

import json
import zlib
from pathlib import Path


def kubectl_list(*items: dict) -> dict:
    """What `kubectl get A,B -o json` prints: a List whose items carry their kind."""
    return {"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {"resourceVersion": ""}}


def api_list(kind: str, *items: dict) -> dict:
    """A raw API list (GET /api/v1/nodes): NodeList, PodList, ...; its items carry no kind."""
    return {"apiVersion": "v1", "kind": f"{kind}List", "metadata": {"resourceVersion": "4242"},
            "items": [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")} for item in items]}


def write(path: Path, document: dict) -> Path:
    """As kubectl prints it: indented by four spaces."""
    path.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")
    return path


def node(name: str, zone: str | None = None, region: str | None = None, provider_id: str | None = None,
         labels: dict | None = None, zone_key: str = "topology.kubernetes.io/zone",
         region_key: str = "topology.kubernetes.io/region") -> dict:
    all_labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", **(labels or {})}
    if zone is not None:
        all_labels[zone_key] = zone
    if region is not None:
        all_labels[region_key] = region
    spec = {"providerID": provider_id} if provider_id else {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": all_labels}, "spec": spec,
            "status": {"nodeInfo": {"kubeletVersion": "v1.31.2"}, "conditions": [{"type": "Ready", "status": "True"}]}}


def eks_node(name: str, zone: str) -> dict:
    """A node of an EKS managed node group: the provider ID names its zone."""
    return node(name, zone, zone[:-1], f"aws:///{zone}/i-{zlib.crc32(name.encode()):017x}",
                {"eks.amazonaws.com/nodegroup": "general", "node.kubernetes.io/instance-type": "m6i.large"})


def _workload(kind: str, namespace: str, name: str, labels: dict | None, annotations: dict | None, spec: dict) -> dict:
    app = {"app.kubernetes.io/name": name, **(labels or {})}
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": namespace, "labels": app, "annotations": annotations or {}},
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                     "template": {"metadata": {"labels": app}, "spec": {"containers": [{"name": name, "image": f"{name}:1"}]}},
                     **spec}}


def deployment(namespace: str, name: str, replicas: int = 2, labels: dict | None = None,
               annotations: dict | None = None) -> dict:
    return _workload("Deployment", namespace, name, labels, annotations, {"replicas": replicas})


def statefulset(namespace: str, name: str, replicas: int = 1, claim_template: str = "data",
                labels: dict | None = None, annotations: dict | None = None) -> dict:
    return _workload("StatefulSet", namespace, name, labels, annotations, {
        "replicas": replicas, "serviceName": name,
        "volumeClaimTemplates": [{"metadata": {"name": claim_template},
                                  "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]})


def daemonset(namespace: str, name: str, labels: dict | None = None) -> dict:
    return _workload("DaemonSet", namespace, name, labels, None, {})


def pod(namespace: str, name: str, owner_kind: str, owner: str, node_name: str | None, labels: dict | None = None,
        claims: tuple[str, ...] = (), phase: str = "Running", template_hash: str | None = None) -> dict:
    all_labels = dict(labels or {})
    if template_hash:
        all_labels["pod-template-hash"] = template_hash
    spec: dict = {"containers": [{"name": "main", "image": "app:1"}],
                  "volumes": [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}} for i, c in enumerate(claims)]
                  + [{"name": "kube-api-access", "projected": {"sources": []}}]}
    if node_name:
        spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": all_labels,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner,
                                              "uid": f"uid-{owner}", "controller": True, "blockOwnerDeletion": True}]},
            "spec": spec, "status": {"phase": phase}}


def deployment_pods(namespace: str, name: str, nodes: list[str], template_hash: str = "5d8f7c9b6d",
                    labels: dict | None = None) -> list[dict]:
    """The pods of a Deployment, owned by its ReplicaSet NAME-HASH (which `kubectl get pods,deployments` omits)."""
    return [pod(namespace, f"{name}-{template_hash}-{i:05d}", "ReplicaSet", f"{name}-{template_hash}", n,
                {"app.kubernetes.io/name": name, **(labels or {})}, template_hash=template_hash)
            for i, n in enumerate(nodes)]


def statefulset_pods(namespace: str, name: str, nodes: list[str], claim_template: str = "data") -> list[dict]:
    return [pod(namespace, f"{name}-{i}", "StatefulSet", name, n, {"app.kubernetes.io/name": name},
                claims=(f"{claim_template}-{name}-{i}",)) for i, n in enumerate(nodes)]


def claim(namespace: str, name: str, volume: str) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": namespace},
            "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": volume, "storageClassName": "gp3"},
            "status": {"phase": "Bound"}}


def volume(name: str, zones: list[str], key: str = "topology.ebs.csi.aws.com/zone", driver: str = "ebs.csi.aws.com",
           labels: dict | None = None) -> dict:
    """A PersistentVolume a CSI driver provisioned: its node affinity pins it to its zones."""
    spec: dict = {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
                  "csi": {"driver": driver, "volumeHandle": f"vol-{name}"}}
    if zones:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": key, "operator": "In", "values": zones}]}]}}
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
            "spec": spec, "status": {"phase": "Bound"}}


def storage_location(name: str, provider: str, bucket: str, config: dict | None = None, default: bool = False) -> dict:
    return {"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
            "metadata": {"name": name, "namespace": "velero"},
            "spec": {"provider": provider, "objectStorage": {"bucket": bucket}, "config": config or {},
                     "default": default},
            "status": {"phase": "Available"}}


def schedule(name: str, cron: str, namespaces: list[str] | None = None, location: str | None = None,
             **template) -> dict:
    spec_template: dict = {"ttl": "720h0m0s", **template}
    if namespaces is not None:
        spec_template["includedNamespaces"] = namespaces
    if location is not None:
        spec_template["storageLocation"] = location
    return {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": name, "namespace": "velero"},
            "spec": {"schedule": cron, "template": spec_template}, "status": {"phase": "Enabled"}}
