"""Time `drcheck import kubernetes` and the audit of what it writes, for many clusters and pods.

    python benchmarks/kubernetes_estate.py                       # 50 clusters, 100,000 pods
    python benchmarks/kubernetes_estate.py --clusters 10 --pods 20000 --keep

The estate: clusters in pairs, the two of a pair in two AWS regions running the same workloads (the second is
the first's DR); each cluster an EKS cluster of 40 nodes over three zones, its pods in Deployments of 8 pods and,
one workload in ten, StatefulSets of 3 pods on zonal EBS volumes; Argo CD in the first cluster of each pair; Velero
backing every namespace up daily to a bucket in the cluster's own region.  Each cluster is one file, as
`kubectl get nodes,pods,deployments,statefulsets,daemonsets,pv,pvc -A -o json` writes it (indented).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kubernetes_objects import (claim, deployment, deployment_pods, eks_node, kubectl_list, schedule,  # noqa: E402
                                statefulset, statefulset_pods, storage_location, volume)

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-northeast-1", "ap-southeast-1",
           "us-east-2", "eu-west-2", "ap-northeast-2", "sa-east-1")
NODES = 40
DEPLOYMENT_PODS = 8
STATEFUL_PODS = 3
TARGET_SECONDS = 60.0


def cluster_objects(index: int, pods: int) -> dict:
    """One cluster's `kubectl get ... -o json`: about `pods` pods."""
    region = REGIONS[index % len(REGIONS)]
    zones = [f"{region}{z}" for z in "abc"]
    prefix, pair = f"c{index:02d}", f"p{index // 2:02d}"  # the two clusters of a pair run the same workloads
    nodes = [eks_node(f"{prefix}-ip-{n}", zones[n % 3]) for n in range(NODES)]
    names = [n["metadata"]["name"] for n in nodes]
    items: list[dict] = [*nodes]
    placed, workload = 0, 0
    while placed < pods:
        namespace, name = f"{pair}-team-{workload % 20}", f"app-{workload}"
        first = workload * 7  # the workload's nodes, in turn across the zones
        if workload % 10 == 0:
            items += [statefulset(namespace, name, STATEFUL_PODS),
                      *statefulset_pods(namespace, name, [names[(first + k) % NODES] for k in range(STATEFUL_PODS)])]
            for k in range(STATEFUL_PODS):
                pv = f"pvc-{prefix}-{workload}-{k}"
                items += [claim(namespace, f"data-{name}-{k}", pv), volume(pv, [zones[(first + k) % NODES % 3]])]
            placed += STATEFUL_PODS
        else:
            items += [deployment(namespace, name, DEPLOYMENT_PODS),
                      *deployment_pods(namespace, name, [names[(first + k) % NODES] for k in range(DEPLOYMENT_PODS)],
                                       template_hash=f"{workload:x}f00d")]
            placed += DEPLOYMENT_PODS
        workload += 1
    if index % 2 == 0:  # the pair's GitOps, in its first cluster only
        labels, tag = {"app.kubernetes.io/part-of": "argocd"}, {"drcheck.io/service": f"{pair}-argocd"}
        items += [deployment("argocd", "argocd-server", 1, labels=labels, annotations=tag),
                  *deployment_pods("argocd", "argocd-server", [names[0]], labels=labels)]
    items += [storage_location("default", "aws", f"velero-{prefix}", {"region": region}, default=True),
              schedule("daily", "0 2 * * *")]
    return kubectl_list(*items)


def write_estate(directory: Path, clusters: int, pods: int) -> list[Path]:
    files = []
    for index in range(clusters):
        path = directory / f"c{index:02d}.json"
        path.write_text(json.dumps(cluster_objects(index, pods // clusters), indent=4), encoding="utf-8")
        files.append(path)
    return files


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files and print where")
    options = parser.parse_args()
    drcheck = shutil.which("drcheck", path=os.path.dirname(sys.executable)) or "drcheck"
    directory = Path(tempfile.mkdtemp(prefix="drcheck-k8s-"))
    try:
        files = write_estate(directory, options.clusters, options.pods)
        size = sum(f.stat().st_size for f in files) / 1e6
        inventory = directory / "inventory.yaml"
        imported, result = timed([drcheck, "import", "kubernetes", *map(str, files), "-o", str(inventory)])
        if result.returncode != 0:
            sys.exit(f"import failed: {result.stderr}")
        audited, result = timed([drcheck, "audit", str(inventory), "--as-of", "2026-11-01"])
        if result.returncode not in (0, 1):
            sys.exit(f"audit failed: {result.stderr}")
        written = yaml.load(inventory.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        total = imported + audited
        print(f"{options.clusters} clusters, {options.pods:,} pods, {size:.0f} MB of JSON -> "
              f"{len(written['sites']):,} sites, {len(written['services']):,} services")
        print(f"import {imported:.1f} s, audit {audited:.1f} s, together {total:.1f} s "
              f"(target {TARGET_SECONDS:.0f} s: {'met' if total <= TARGET_SECONDS else 'NOT met'})")
    finally:
        if options.keep:
            print(f"kept in {directory}")
        else:
            shutil.rmtree(directory)


if __name__ == "__main__":
    main()
