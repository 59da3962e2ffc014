"""`drcheck import kubernetes`: clusters' zones as sites, workloads as services, zonal volumes as data, Velero as
backups, GitOps and registries as recovery tooling; the five patterns a reviewer checks, through the real entry
point (import -> validate -> audit); the dumps real clusters give; located errors."""
from __future__ import annotations

import json
import sys

import pytest
import yaml

from conftest import ROOT, drcheck

sys.path.insert(0, str(ROOT / "benchmarks"))
from kubernetes_objects import (api_list, claim, daemonset, deployment, deployment_pods, eks_node,  # noqa: E402
                                kubectl_list, node, pod, schedule, statefulset, statefulset_pods, storage_location,
                                volume, write)

EU = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
US = ["us-east-1a", "us-east-1b"]


def imported(tmp_path, *args, name="inv.yaml"):
    """`drcheck import kubernetes ARGS -o FILE`: (header, inventory); the file must pass `drcheck validate`."""
    out = tmp_path / name
    result = drcheck("import", "kubernetes", *args, "-o", out)
    assert result.returncode == 0, result.stderr
    assert drcheck("validate", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("#")), yaml.safe_load(text)


def audit(tmp_path, name="inv.yaml"):
    result = drcheck("audit", tmp_path / name, "--format", "json", "--as-of", "2026-11-01")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def found(findings, rule, subject):
    return [f for f in findings if f["rule"] == rule and f["subject"] == subject and f["status"] == "fail"]


def eks_cluster(zones, prefix, *workloads) -> dict:
    nodes = [eks_node(f"{prefix}-{i}", z) for i, z in enumerate(zones)]
    return kubectl_list(*nodes, *workloads)


def names(zones, prefix):
    return [f"{prefix}-{i}" for i in range(len(zones))]


def web(zones, prefix, **labels):
    return [deployment("shop", "web", len(zones), annotations={"drcheck.io/tier": "1"}, labels=labels),
            *deployment_pods("shop", "web", names(zones, prefix))]


# ---- the five patterns ---------------------------------------------------------------------------------------

def test_one_cluster_across_three_zones_is_high_availability_not_dr(tmp_path):
    write(tmp_path / "prod-eu.json", eks_cluster(EU, "eu", *web(EU, "eu")))
    header, inventory = imported(tmp_path, tmp_path / "prod-eu.json")
    assert inventory["sites"]["prod-eu:eu-west-1b"] == {"kind": "cloud-zone", "location": "aws:eu-west-1",
                                                        "operator": "AWS", "region": "aws-eu-west-1"}
    assert inventory["services"]["shop/web"]["placements"] == [
        {"site": f"prod-eu:{z}", "role": "primary"} for z in EU]
    assert inventory["services"]["shop/web"]["depends_on"] == ["prod-eu:control-plane"]
    # EKS runs the control plane across the region's zones: high availability, never failed over
    assert inventory["services"]["prod-eu:control-plane"] == {
        "kind": "ops", "placements": [{"site": f"prod-eu:{z}", "role": "primary"} for z in EU],
        "dr": {"strategy": "none"}}
    assert "The control plane of prod-eu is managed (EKS)" in header
    [shares] = found(audit(tmp_path), "dr-shares-region", "service:shop/web")
    assert shares["evidence"]["region"] == "aws-eu-west-1"
    assert shares["evidence"]["others"] == ["prod-eu:eu-west-1b", "prod-eu:eu-west-1c"]


def two_regions(tmp_path, extra_eu=(), extra_us=()):
    write(tmp_path / "prod-eu.json", eks_cluster(EU, "eu", *web(EU, "eu"), *extra_eu))
    write(tmp_path / "prod-us.json", eks_cluster(US, "us", *web(US, "us"), *extra_us))
    return imported(tmp_path, tmp_path / "prod-eu.json", tmp_path / "prod-us.json")


def test_two_clusters_in_two_regions_are_one_service_whose_second_cluster_is_its_dr(tmp_path):
    header, inventory = two_regions(tmp_path)
    service = inventory["services"]["shop/web"]
    assert service["placements"] == [*({"site": f"prod-eu:{z}", "role": "primary"} for z in EU),
                                     *({"site": f"prod-us:{z}", "role": "standby"} for z in US)]
    # either cluster's control plane will do: its own DR is not defeated by the first cluster's
    assert service["depends_on"] == [{"any_of": ["prod-eu:control-plane", "prod-us:control-plane"]}]
    assert service["recovery_needs"] == ["prod-us:control-plane"]
    findings = audit(tmp_path)
    for rule in ("dr-shares-region", "dr-depends-on-single-site", "recovery-tooling-colocated", "no-dr"):
        assert not found(findings, rule, "service:shop/web"), rule
    # nor on the control planes: each is its region's, by design, and the pair is the workloads' DR
    assert [f["subject"] for f in findings if f["rule"] == "dr-shares-region" and f["status"] == "fail"] == []
    for cluster in ("prod-eu", "prod-us"):
        assert inventory["services"][f"{cluster}:control-plane"]["dr"] == {"strategy": "none"}


def test_a_zonal_statefulset_is_data_pinned_to_its_volume_s_zone(tmp_path):
    db = [statefulset("shop", "db", annotations={"drcheck.io/tier": "1"}), *statefulset_pods("shop", "db", ["eu-0"]),
          claim("shop", "data-db-0", "pvc-0a1b"), volume("pvc-0a1b", ["eu-west-1a"])]
    write(tmp_path / "prod-eu.json", eks_cluster(EU, "eu", *db))
    _, inventory = imported(tmp_path, tmp_path / "prod-eu.json")
    assert inventory["services"]["shop/db"] == {
        "kind": "data", "tier": 1, "placements": [{"site": "prod-eu:eu-west-1a", "role": "primary"}],
        "depends_on": ["prod-eu:control-plane"]}
    findings = audit(tmp_path)
    [no_dr] = found(findings, "no-dr", "service:shop/db")
    assert no_dr["evidence"]["sites"] == ["prod-eu:eu-west-1a"]
    assert found(findings, "no-backup", "service:shop/db")


def test_velero_in_the_cluster_s_own_region_shares_its_region(tmp_path):
    db = [statefulset("shop", "db"), *statefulset_pods("shop", "db", ["eu-0"]),
          claim("shop", "data-db-0", "pvc-0a1b"), volume("pvc-0a1b", ["eu-west-1a"])]
    write(tmp_path / "prod-eu.json", eks_cluster(EU, "eu", *db))
    write(tmp_path / "velero.json", kubectl_list(
        storage_location("default", "aws", "acme-velero", {"region": "eu-west-1"}, default=True),
        schedule("nightly", "0 3 * * *", ["shop"])))
    _, inventory = imported(tmp_path, "--cluster", f"prod-eu={tmp_path / 'prod-eu.json'}",
                            "--cluster", f"prod-eu={tmp_path / 'velero.json'}")
    assert inventory["services"]["shop/db"]["backups"] == [{"site": "aws-eu-west-1", "frequency": "1d", "media": "object"}]
    assert inventory["sites"]["aws-eu-west-1"] == {"kind": "cloud-region", "location": "aws:eu-west-1",
                                                   "operator": "AWS", "region": "aws-eu-west-1"}
    [shares] = found(audit(tmp_path), "backup-shares-region", "service:shop/db")
    assert shares["evidence"]["backups"] == [{"site": "aws-eu-west-1", "primary": "prod-eu:eu-west-1a",
                                              "region": "aws-eu-west-1"}]


def argocd(prefix):
    part_of = {"app.kubernetes.io/part-of": "argocd"}
    return [deployment("argocd", "argocd-server", 1, labels=part_of),
            *deployment_pods("argocd", "argocd-server", [f"{prefix}-1"], labels=part_of),
            deployment("argocd", "argocd-repo-server", 1, labels=part_of),
            *deployment_pods("argocd", "argocd-repo-server", [f"{prefix}-0"], labels=part_of)]


def test_argo_cd_only_in_the_cluster_it_deploys_to_cannot_fail_it_over(tmp_path):
    header, inventory = two_regions(tmp_path, extra_eu=argocd("eu"))
    tools = ["prod-eu:argocd/argocd-repo-server", "prod-eu:argocd/argocd-server"]
    assert all(inventory["services"][t]["kind"] == "ops" for t in tools)
    assert inventory["services"]["shop/web"]["recovery_needs"] == ["prod-us:control-plane", *tools]
    assert "Recovery tooling (kind ops, in the recovery_needs of every other workload with a standby): " \
           "prod-eu:argocd/argocd-repo-server (Argo CD), prod-eu:argocd/argocd-server (Argo CD)" in header
    [colocated] = found(audit(tmp_path), "recovery-tooling-colocated", "service:shop/web")
    assert colocated["evidence"]["tooling_down"] == tools
    assert colocated["evidence"]["standby"] == ["prod-us:us-east-1a", "prod-us:us-east-1b"]
    assert colocated["evidence"]["domain"] == "region=aws-eu-west-1"


def test_argo_cd_in_both_clusters_fails_over_with_them(tmp_path):
    _, inventory = two_regions(tmp_path, extra_eu=argocd("eu"), extra_us=argocd("us"))
    # each tool's standby needs only its cluster's control plane: the two need not wait on each other
    assert inventory["services"]["argocd/argocd-server"]["recovery_needs"] == ["prod-us:control-plane"]
    findings = audit(tmp_path)
    assert not [f for f in findings if f["rule"] == "recovery-tooling-colocated" and f["status"] == "fail"]


# ---- messy dumps -------------------------------------------------------------------------------------------

def test_three_generations_of_zone_labels_raw_api_lists_and_one_file_per_kind(tmp_path):
    nodes = [node("old", "eu-west-1a", "eu-west-1", zone_key="failure-domain.beta.kubernetes.io/zone",
                  region_key="failure-domain.beta.kubernetes.io/region"),
             node("gke", None, None, labels={"topology.gke.io/zone": "eu-west-1b"}),
             node("new", "eu-west-1c", "eu-west-1")]
    write(tmp_path / "nodes.json", api_list("Node", *nodes))
    write(tmp_path / "pods.json", api_list("Pod", *deployment_pods("shop", "web", ["old", "gke", "new"])))
    write(tmp_path / "deployments.json", api_list("Deployment", deployment("shop", "web", 3)))
    _, inventory = imported(tmp_path, "--cluster", f"lab={tmp_path}")
    # no provider ID: the zones are placed by their labels, in the region the labels name, with no cloud location
    assert inventory["sites"]["lab:eu-west-1a"] == {"region": "eu-west-1"}
    assert [p["site"] for p in inventory["services"]["shop/web"]["placements"]] == [
        "lab:eu-west-1a", "lab:eu-west-1b", "lab:eu-west-1c"]
    assert "region" not in inventory["sites"]["lab:eu-west-1b"]  # a zone label alone names no region


def test_pods_of_replica_sets_not_fetched_are_matched_by_name_or_by_selector(tmp_path):
    by_hash = deployment_pods("shop", "web-api", ["eu-0"], template_hash="7f9c")
    no_hash = pod("shop", "cart-x1", "ReplicaSet", "cart-legacy", "eu-1", {"app.kubernetes.io/name": "cart"})
    job = pod("shop", "migrate-abc", "Job", "migrate", "eu-2")
    write(tmp_path / "prod-eu.json", eks_cluster(EU, "eu", deployment("shop", "web-api"), deployment("shop", "cart"),
                                                 *by_hash, no_hash, job))
    header, inventory = imported(tmp_path, tmp_path / "prod-eu.json")
    assert inventory["services"]["shop/web-api"]["placements"] == [{"site": "prod-eu:eu-west-1a", "role": "primary"}]
    assert inventory["services"]["shop/cart"]["placements"] == [{"site": "prod-eu:eu-west-1b", "role": "primary"}]
    assert "1 pod(s) owned by Job: not a Deployment, StatefulSet or DaemonSet, not mapped" in header


def test_a_regional_disk_pinned_to_two_zones_can_attach_in_the_second(tmp_path):
    gke = [node(f"gke-{z[-1]}", z, "europe-west1", f"gce://acme-prod/{z}/gke-pool-{z[-1]}",
                {"cloud.google.com/gke-nodepool": "pool"}) for z in ("europe-west1-b", "europe-west1-c")]
    old = volume("pvc-old", [], labels={"topology.kubernetes.io/zone": "europe-west1-b__europe-west1-c"})
    db = [statefulset("shop", "db"), *statefulset_pods("shop", "db", ["gke-b"]),
          claim("shop", "data-db-0", "pvc-r"), volume("pvc-r", ["europe-west1-b", "europe-west1-c"],
                                                      key="topology.gke.io/zone", driver="pd.csi.storage.gke.io"),
          statefulset("shop", "queue", claim_template="q"), *statefulset_pods("shop", "queue", ["gke-c"], "q"),
          claim("shop", "q-queue-0", "pvc-old"), old]
    write(tmp_path / "gke.json", kubectl_list(*gke, *db))
    header, inventory = imported(tmp_path, tmp_path / "gke.json")
    expected = [{"site": "gke:europe-west1-b", "role": "primary"}, {"site": "gke:europe-west1-c", "role": "standby"}]
    assert inventory["services"]["shop/db"]["placements"] == expected
    assert inventory["services"]["shop/db"]["recovery_needs"] == ["gke:control-plane"]
    assert inventory["services"]["shop/queue"]["placements"] == [
        {"site": "gke:europe-west1-c", "role": "primary"}, {"site": "gke:europe-west1-b", "role": "standby"}]
    assert inventory["sites"]["gke:europe-west1-c"]["location"] == "gcp:europe-west1"
    assert "zonal GKE cluster's control plane runs in one zone" in header


def test_azure_fault_domain_numbers_are_not_zones(tmp_path):
    aks = [node("aks-0", "0", "westeurope", "azure:///subscriptions/0000/resourceGroups/mc_rg/providers/"
                "Microsoft.Compute/virtualMachineScaleSets/aks-pool/virtualMachines/0",
                {"kubernetes.azure.com/cluster": "mc_rg"}),
           node("aks-1", "westeurope-2", "westeurope", "azure:///subscriptions/0000/resourceGroups/mc_rg/providers/"
                "Microsoft.Compute/virtualMachineScaleSets/aks-zoned/virtualMachines/0",
                {"kubernetes.azure.com/cluster": "mc_rg"})]
    write(tmp_path / "aks.json", kubectl_list(*aks, deployment("shop", "web"),
                                              *deployment_pods("shop", "web", ["aks-0", "aks-1"])))
    header, inventory = imported(tmp_path, tmp_path / "aks.json")
    assert inventory["sites"]["aks:westeurope"] == {"kind": "cloud-region", "location": "azure:westeurope",
                                                    "operator": "Microsoft Azure", "region": "azure-westeurope"}
    assert inventory["sites"]["aks:westeurope-2"]["kind"] == "cloud-zone"
    assert "aks:0" not in inventory["sites"]
    assert "1 Azure node(s) carry a fault-domain number as their zone label" in header


def test_where_labels_and_provider_id_disagree_the_provider_id_wins_and_the_header_says_so(tmp_path):
    liar = node("ip-1", "eu-west-1b", "eu-west-1", "aws:///eu-west-1a/i-0abc", {"eks.amazonaws.com/nodegroup": "g"})
    write(tmp_path / "prod-eu.json", kubectl_list(liar, deployment("shop", "web", 1),
                                                  *deployment_pods("shop", "web", ["ip-1"])))
    header, inventory = imported(tmp_path, tmp_path / "prod-eu.json")
    assert inventory["services"]["shop/web"]["placements"] == [{"site": "prod-eu:eu-west-1a", "role": "primary"}]
    assert "the provider ID wins" in header and "prod-eu/ip-1: label eu-west-1b, provider ID eu-west-1a" in header


def test_velero_on_azure_and_google_cloud_records_no_region_so_it_is_a_gap(tmp_path):
    write(tmp_path / "aks.json", kubectl_list(
        eks_node("n0", "eu-west-1a"), deployment("shop", "web", 1), *deployment_pods("shop", "web", ["n0"]),
        storage_location("default", "velero.io/azure", "velero-blobs", {"resourceGroup": "rg", "storageAccount": "sa"}),
        storage_location("gcs", "gcp", "acme-gcs"),
        schedule("hourly", "@every 1h", None), schedule("weekly", "0 4 * * 0", ["*"], location="gcs"),
        schedule("paused", "@daily", ["shop"], location="gcs")))
    payload = json.loads((tmp_path / "aks.json").read_text())
    payload["items"][-1]["spec"]["paused"] = True
    write(tmp_path / "aks.json", payload)
    header, inventory = imported(tmp_path, tmp_path / "aks.json")
    assert inventory["services"]["shop/web"]["backups"] == [
        {"site": "bucket:acme-gcs", "frequency": "7d", "media": "object"},
        {"site": "bucket:velero-blobs", "frequency": "1h", "media": "object"}]
    assert inventory["sites"]["bucket:velero-blobs"] == {"operator": "Microsoft Azure"}
    assert ("Velero backup storage location aks/default (azure, bucket velero-blobs): Velero records a region for "
            "AWS only, so site bucket:velero-blobs has no region or location") in header
    assert "Velero schedule aks/paused is paused" in header


def test_a_workload_s_primaries_are_in_the_first_cluster_given_where_it_runs(tmp_path):
    write(tmp_path / "a.json", eks_cluster(EU, "eu", deployment("shop", "web", 0)))  # scaled to zero here
    write(tmp_path / "b.json", eks_cluster(US, "us", *web(US, "us")))
    write(tmp_path / "c.json", eks_cluster(["ap-northeast-2a"], "ap", *web(["ap-northeast-2a"], "ap")))
    _, inventory = imported(tmp_path, tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json")
    service = inventory["services"]["shop/web"]
    assert service["placements"] == [{"site": "b:us-east-1a", "role": "primary"},
                                     {"site": "b:us-east-1b", "role": "primary"},
                                     {"site": "c:ap-northeast-2a", "role": "standby"}]
    assert service["depends_on"] == [{"any_of": ["a:control-plane", "b:control-plane", "c:control-plane"]}]
    assert service["recovery_needs"] == ["c:control-plane"]


def test_the_same_workload_is_matched_across_clusters_by_an_annotation(tmp_path):
    tag = {"drcheck.io/service": "checkout"}
    write(tmp_path / "a.json", eks_cluster(EU, "eu", deployment("shop", "checkout-eu", 1, annotations=tag),
                                           *deployment_pods("shop", "checkout-eu", ["eu-0"])))
    write(tmp_path / "b.json", eks_cluster(US, "us", deployment("pay", "checkout", 1, annotations=tag),
                                           *deployment_pods("pay", "checkout", ["us-1"]),
                                           daemonset("kube-system", "kube-proxy")))
    _, inventory = imported(tmp_path, tmp_path / "a.json", tmp_path / "b.json")
    assert inventory["services"]["checkout"]["placements"] == [{"site": "a:eu-west-1a", "role": "primary"},
                                                               {"site": "b:us-east-1b", "role": "standby"}]
    assert "b:kube-system/kube-proxy" in inventory["services"]  # in one cluster of several: cluster-qualified


def test_a_label_the_user_names_marks_recovery_tooling(tmp_path):
    write(tmp_path / "c.json", eks_cluster(EU, "eu", deployment("registry", "zot", 1, labels={"app": "zot"}),
                                           *deployment_pods("registry", "zot", ["eu-0"], labels={"app": "zot"})))
    _, inventory = imported(tmp_path, tmp_path / "c.json", "--tooling-label", "app=zot")
    assert inventory["services"]["registry/zot"]["kind"] == "ops"
    _, plain = imported(tmp_path, tmp_path / "c.json", name="plain.yaml")
    assert "kind" not in plain["services"]["registry/zot"]


def test_the_import_is_byte_for_byte_deterministic(tmp_path):
    write(tmp_path / "nodes.json", api_list("Node", *(eks_node(f"eu-{i}", z) for i, z in enumerate(EU))))
    write(tmp_path / "apps.json", kubectl_list(*web(EU, "eu"), statefulset("shop", "db"),
                                               *statefulset_pods("shop", "db", ["eu-2"]),
                                               storage_location("default", "aws", "b", {"region": "eu-west-1"}),
                                               schedule("s", "@every 6h")))
    imported(tmp_path, "--cluster", f"eu={tmp_path / 'apps.json'}", "--cluster", f"eu={tmp_path / 'nodes.json'}")
    imported(tmp_path, "--cluster", f"eu={tmp_path / 'apps.json'}", "--cluster", f"eu={tmp_path / 'nodes.json'}",
                        name="again.yaml")
    assert (tmp_path / "again.yaml").read_text() == (tmp_path / "inv.yaml").read_text()
    assert "frequency: 6h" in (tmp_path / "inv.yaml").read_text()


# ---- bad input -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    ('[1, 2]', ":1:1: found a list; expected the output of `kubectl get ... -o json`"),
    ('{"items": []}', ":1:1: found a JSON object without kind"),
    ('{"kind": "List",\n "items": {"a": 1}}', ":2:11: items: found an object; expected a list"),
    ('{"kind": "List", "items": [\n  {"metadata": {"name": "x"}}]}', ":2:3: items[0]: found an object without kind"),
    ('{"kind": "NodeList", "items": [\n  {"metadata": {"name": "n", "labels": ["a"]}}]}',
     ":2:40: Node 'n': metadata.labels: found a list; expected an object"),
    ('{"kind": "Node", "metadata": {"name": "n",\n "labels": {"x": 5}}}',
     ":2:18: Node 'n': metadata.labels.x: found a number; expected text"),
    ('{"kind": "Deployment", "metadata": {"name": "d", "namespace": "a",\n "annotations": {"drcheck.io/tier": "gold"}}}',
     ":2:37: tier: found 'gold'; expected 0, 1, 2 or 3"),
    ('{"kind": "Deployment", "metadata": {"name": "d", "namespace": "a",\n "annotations": {"drcheck.io/teir": "1"}}}',
     ":2:37: unknown annotation 'drcheck.io/teir'"),
    ('{"kind": "Deployment", "metadata": {"namespace": "a"}}', ":1:1: a Deployment without metadata.name"),
    ('{"kind": "List", "items": [\n', ":2:1: invalid JSON"),
])
def test_bad_input_is_exit_2_naming_file_line_and_column(tmp_path, content, message):
    path = tmp_path / "c.json"
    path.write_text(content, encoding="utf-8")
    result = drcheck("import", "kubernetes", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}{message}" in result.stderr, result.stderr


def test_one_service_annotated_two_ways_in_two_clusters_is_an_error_naming_both(tmp_path):
    write(tmp_path / "a.json", kubectl_list(deployment("shop", "web", annotations={"drcheck.io/tier": "0"})))
    write(tmp_path / "b.json", kubectl_list(deployment("shop", "web", annotations={"drcheck.io/tier": "2"})))
    result = drcheck("import", "kubernetes", tmp_path / "a.json", tmp_path / "b.json")
    assert result.returncode == 2
    assert f"{tmp_path / 'b.json'}:" in result.stderr and f"as at {tmp_path / 'a.json'}:" in result.stderr
    assert "drcheck.io/tier of shop/web: found '2'; expected 0" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--cluster", "nameonly"], "--cluster: found 'nameonly'; expected NAME=FILE"),
    (["--tooling-label", "app"], "--tooling-label: found 'app'; expected KEY=VALUE"),
    ([], "kubernetes: give the JSON files of `kubectl get ... -o json`"),
])
def test_bad_options_are_exit_2(tmp_path, args, message):
    write(tmp_path / "c.json", kubectl_list())
    extra = [tmp_path / "c.json"] if args and args[0] == "--tooling-label" else []
    result = drcheck("import", "kubernetes", *extra, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_nothing_but_the_mapped_fields_reaches_the_inventory(tmp_path):
    leaky = deployment_pods("shop", "web", ["eu-0"])[0]
    leaky["spec"]["containers"][0]["env"] = [{"name": "DB_PASSWORD", "value": "hunter2-not-copied"}]
    leaky["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "token-not-copied"}
    write(tmp_path / "c.json", eks_cluster(EU, "eu", deployment("shop", "web", 1), leaky))
    imported(tmp_path, tmp_path / "c.json")
    text = (tmp_path / "inv.yaml").read_text()
    assert "shop/web" in text and "not-copied" not in text


@pytest.mark.parametrize("written, clusters", [
    ("prod-eu.yaml", ["prod-eu.json"]), ("two-regions.yaml", ["prod-eu.json", "prod-us.json"])])
def test_the_documented_example_inventories_are_what_the_import_writes_today(written, clusters):
    examples = "docs/examples/kubernetes"
    result = drcheck("import", "kubernetes", *(f"{examples}/{c}" for c in clusters),
                     "--cluster", f"prod-eu={examples}/prod-eu-velero.json", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / examples / written).read_text(encoding="utf-8")
