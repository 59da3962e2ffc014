"""Whatever the cells or annotations hold, an import either writes an inventory that validates or stops with
a located InputError: never a traceback, never an invalid file."""
from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from drcheck.errors import InputError
from drcheck.importers import ImportOptions, run_import, terraform
from drcheck.importers.writer import render
from drcheck.inventory.loader import parse
from drcheck.inventory.schema import build_inventory

CELLS = st.one_of(st.sampled_from(["", "0", "3", "7", "Critical", "15m", "soon", "PT4H", "2026-02-30", "2026-01-05",
                                   "warm-standby", "hope", "a; b", "dc1", "aws:eu-west-1", "aws:nowhere",
                                   "37.5, 127.0", "91, 0", "true", "maybe"]),
                  st.text(min_size=0, max_size=12))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid_or_located(source, paths, options):
    try:
        imported = run_import(source, paths, options)
    except InputError as stopped:
        assert all(str(problem) for problem in stopped.problems)
        return
    build_inventory([parse("<import>", render(imported))])


@SETTINGS
@given(rows=st.lists(st.tuples(st.text(min_size=1, max_size=8), CELLS, CELLS, CELLS, CELLS, CELLS), max_size=5),
       sites=st.lists(st.tuples(st.sampled_from(["dc1", "dc2", "a; b"]), CELLS), max_size=3))
def test_csv_import_validates_or_stops_with_a_located_error(tmp_path, rows, sites):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "Tier", "RTO", "Last test", "Primary", "Needs"])
    writer.writerows(rows)
    (tmp_path / "services.csv").write_text(out.getvalue(), encoding="utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Site", "Where"])
    writer.writerows(sites)
    (tmp_path / "sites.csv").write_text(out.getvalue(), encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(
        "services:\n  file: services.csv\n  name: Name\n  columns: {tier: Tier, rto: RTO, dr.last_tested: Last test, "
        "placements.primary: Primary, depends_on: Needs}\nsites: {file: sites.csv, name: Site, columns: {location: Where}}\n",
        encoding="utf-8")
    _valid_or_located("csv", [str(tmp_path / "services.csv"), str(tmp_path / "sites.csv")],
                      ImportOptions(mapping=str(tmp_path / "mapping.yaml")))


@SETTINGS
@given(annotations=st.dictionaries(st.sampled_from(["drcheck.io/tier", "drcheck.io/rto", "drcheck.io/kind",
                                                    "drcheck.io/dr-strategy", "drcheck.io/dr-last-tested",
                                                    "drcheck.io/soft-dependencies"]), CELLS, max_size=4),
       depends=st.lists(st.sampled_from(["component:b", "resource:db", "component:ghost", "b"]), max_size=3))
def test_backstage_annotations_validate_or_stop_with_a_located_error(tmp_path, annotations, depends):
    import json

    lines = "".join(f"    {json.dumps(k)}: {json.dumps(v)}\n" for k, v in annotations.items())
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n"
        + (f"  annotations:\n{lines}" if lines else "")
        + f"spec:\n  owner: team\n  dependsOn: {json.dumps(depends)}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: b}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: db}\nspec: {type: database}\n",
        encoding="utf-8")
    _valid_or_located("backstage", [str(tmp_path / "catalog-info.yaml")], ImportOptions())


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-5, 40) | st.sampled_from(
    ["eu-west-1a", "eu-west-1", "europe-west1-b", "West Europe", "arn:aws:s3:::b", "Enabled", "REGIONAL", "GRS", "EU",
     "cron(0 5 ? * * *)", "1", "x"]) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["availability_zone", "region", "zone", "location", "bucket", "status", "destination", "rule", "enabled",
         "region_name", "zone", "secondary_zone", "location_preference", "settings", "tags", "labels", "rules",
         "data_locations", "mode", "standby_availability_zone", "type", "storage_redundancy", "interval_in_minutes",
         "zones", "allowed_persistence_regions", "failover_priority", "backup_configuration", "geo_location"]), inner, max_size=4),
    max_leaves=12)
TYPES = sorted({*terraform._MAPPERS, *terraform._FOLLOW_UP, *terraform._READ_ONLY, "null_resource"})
ATTRIBUTES = ["availability_zone", "region", "arn", "multi_az", "backup_retention_period", "replicate_source_db",
              "replica", "point_in_time_recovery", "preferred_cache_cluster_azs", "bucket", "rule", "writer",
              "cluster_identifier", "zone", "settings", "location", "secondary_location", "account_replication_type",
              "geo_location", "master_instance_name", "tags", "labels", "plan_id", "resources", "selection_tag",
              "global_cluster_members", "partner_server", "databases", "server_id", "id", "name",
              "storage_account_type", "zone_redundant", "high_availability", "geo_redundant_backup_enabled", "backup",
              "custom_placement_config", "config", "cluster", "location_id", "alternative_location_id", "tier",
              "message_storage_policy", "default_node_pool", "zones", "availability_zones", "replication_configuration",
              "source_db_instance_arn", "primary_key_arn", "distribution_policy_zones",
              "automated_snapshot_retention_period", "identifier", "function_name"]


@SETTINGS
@given(resources=st.lists(st.tuples(st.sampled_from(TYPES), st.dictionaries(st.sampled_from(ATTRIBUTES), JSON_VALUES,
                                                                           max_size=6)), max_size=6))
@example(resources=[("aws_backup_plan", {}), ("aws_backup_selection", {"resources": [[]], "selection_tag": "x"})])
@example(resources=[("azurerm_cosmosdb_account", {"geo_location": True}), ("aws_dynamodb_table", {"replica": 1})])
@example(resources=[("azurerm_cosmosdb_account", {"geo_location": [{"location": "uksouth", "failover_priority": "x"}]})])
def test_any_terraform_attributes_import_to_a_valid_inventory_or_a_located_error(tmp_path, resources):
    import json

    state = {"version": 4, "resources": [{"mode": "managed", "type": kind, "name": f"r{i}",
                                          "instances": [{"attributes": attributes}]}
                                         for i, (kind, attributes) in enumerate(resources)]}
    (tmp_path / "s.tfstate").write_text(json.dumps(state), encoding="utf-8")
    _valid_or_located("terraform", [str(tmp_path / "s.tfstate")], ImportOptions())


PROVIDER_SETTINGS = st.dictionaries(st.sampled_from(["region", "zone", "alias"]), st.one_of(
    st.fixed_dictionaries({"constant_value": JSON_VALUES}), st.fixed_dictionaries({"references": JSON_VALUES}),
    JSON_VALUES), max_size=3)


@SETTINGS
@given(resources=st.lists(st.tuples(st.sampled_from(TYPES), st.dictionaries(st.sampled_from(ATTRIBUTES), JSON_VALUES,
                                                                           max_size=4)), max_size=4),
       providers=st.dictionaries(st.sampled_from(["aws", "aws.east", "google", "module.m:aws", "x"]),
                                 st.one_of(st.fixed_dictionaries({"expressions": PROVIDER_SETTINGS}), JSON_VALUES),
                                 max_size=3),
       keys=st.lists(st.one_of(st.sampled_from(["aws", "aws.east", "google", "module.m:aws"]), JSON_VALUES), max_size=4),
       variables=st.dictionaries(st.sampled_from(["region", "x"]), JSON_VALUES, max_size=2))
def test_any_plan_configuration_imports_to_a_valid_inventory_or_a_located_error(tmp_path, resources, providers, keys,
                                                                               variables):
    import json

    planned = [{"address": f"{kind}.r{i}", "mode": "managed", "type": kind, "name": f"r{i}", "values": values}
               for i, (kind, values) in enumerate(resources)]
    configured = [{"address": f"{kind}.r{i}", "provider_config_key": key}
                  for i, ((kind, _), key) in enumerate(zip(resources, keys))]
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": planned}}, "variables": variables,
            "configuration": {"provider_config": providers, "root_module": {
                "resources": configured, "module_calls": {"m": {"module": {"resources": configured}}}}}}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    _valid_or_located("terraform", [str(tmp_path / "plan.json")], ImportOptions())


NETBOX_FIELDS = ["name", "id", "url", "facility", "latitude", "longitude", "region", "site", "power_panel", "rack",
                 "circuit", "provider", "term_side", "termination_type", "termination_id", "termination", "_site",
                 "cid", "description", "time_zone", "powerfeed_count"]
NETBOX_VALUES = st.recursive(st.none() | st.booleans() | st.integers(0, 4) | st.sampled_from(
    ["dc1", "37.5", "north", "dcim.site", "https://nb/api/dcim/sites/1/", "https://nb/api/dcim/racks/2/", "BUT"])
    | st.text(max_size=5), lambda inner: st.lists(inner, max_size=2) | st.dictionaries(
        st.sampled_from(["id", "name", "url"]), inner, max_size=2), max_leaves=6)
NETBOX_RECORD = st.one_of(
    st.dictionaries(st.sampled_from(NETBOX_FIELDS), NETBOX_VALUES, max_size=6),
    st.fixed_dictionaries({"model": st.sampled_from(["dcim.site", "dcim.region", "dcim.powerpanel", "dcim.powerfeed",
                                                     "circuits.circuit", "circuits.circuittermination",
                                                     "circuits.provider", "extras.tag", "dcim.rack"]),
                           "pk": st.integers(0, 4) | st.none() | st.text(max_size=2),
                           "fields": st.dictionaries(st.sampled_from(NETBOX_FIELDS), NETBOX_VALUES, max_size=6)}))


@SETTINGS
@given(records=st.lists(NETBOX_RECORD, max_size=8), name=st.sampled_from(["sites", "export", "power-feeds"]))
def test_any_netbox_records_import_to_a_valid_inventory_or_a_located_error(tmp_path, records, name):
    import json

    (tmp_path / f"{name}.json").write_text(json.dumps(records), encoding="utf-8")
    _valid_or_located("netbox", [str(tmp_path / f"{name}.json")], ImportOptions())


K8S_KEYS = ["metadata", "name", "namespace", "labels", "annotations", "ownerReferences", "kind", "controller", "spec",
            "providerID", "nodeName", "volumes", "persistentVolumeClaim", "claimName", "volumeName", "nodeAffinity",
            "required", "nodeSelectorTerms", "matchExpressions", "key", "operator", "values", "selector",
            "matchLabels", "template", "volumeClaimTemplates", "status", "phase", "schedule", "includedNamespaces",
            "excludedNamespaces", "labelSelector", "storageLocation", "paused", "provider", "objectStorage",
            "bucket", "config", "region", "s3Url", "default"]
K8S_TEXT = ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone", "topology.gke.io/zone",
            "topology.kubernetes.io/region", "eu-west-1a", "eu-west-1", "europe-west1-b__europe-west1-c", "0",
            "aws:///eu-west-1b/i-1", "gce://p/europe-west1-b/n", "azure:///x", "ReplicaSet", "StatefulSet",
            "Deployment", "web-5d8f", "pod-template-hash", "5d8f", "web", "shop", "In", "Exists", "NotIn",
            "drcheck.io/tier", "drcheck.io/service", "drcheck.io/rto", "app.kubernetes.io/name", "argocd-server",
            "0 3 * * *", "@every 90m", "*", "aws", "velero.io/gcp", "default", "Failed", "data-web-0", "n1", "db"]
K8S_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(K8S_TEXT),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                              st.sampled_from(K8S_KEYS + K8S_TEXT), inner, max_size=4), max_leaves=14)
K8S_KINDS = ["Node", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "PersistentVolume",
             "PersistentVolumeClaim", "BackupStorageLocation", "Schedule", "Service"]


LABEL_KEYS = ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone", "topology.gke.io/zone",
              "topology.kubernetes.io/region", "pod-template-hash", "app.kubernetes.io/name",
              "node-role.kubernetes.io/control-plane", "eks.amazonaws.com/nodegroup", "kubernetes.azure.com/cluster"]
K8S_OBJECTS = st.fixed_dictionaries({
    "kind": st.sampled_from(K8S_KINDS),
    "metadata": st.fixed_dictionaries({
        "name": st.sampled_from(["web", "db", "n1", "n2", "default", "data-db-0", "web-5d8f", 7]),
        "namespace": st.sampled_from(["shop", "velero"]),
        "labels": st.dictionaries(st.sampled_from(LABEL_KEYS), st.sampled_from([*K8S_TEXT, 5, ["x"]]), max_size=3),
        "annotations": st.dictionaries(st.sampled_from(["drcheck.io/tier", "drcheck.io/service", "drcheck.io/rpo"]),
                                       st.sampled_from(["1", "x", "", "web"]), max_size=2),
        "ownerReferences": st.lists(st.fixed_dictionaries({
            "kind": st.sampled_from(["ReplicaSet", "StatefulSet", "DaemonSet", "Job"]),
            "name": st.sampled_from(["web-5d8f", "db", "web"]), "controller": st.booleans()}), max_size=2)}),
    "spec": st.dictionaries(st.sampled_from(K8S_KEYS), K8S_VALUES, max_size=5),
    "items_kind": st.booleans()})


@SETTINGS
@given(clusters=st.lists(st.lists(K8S_OBJECTS, max_size=6), min_size=1, max_size=2),
       list_kind=st.sampled_from(["List", "PodList", "NodeList", "DeploymentList"]))
@example(clusters=[[{"kind": "Node", "items_kind": True, "metadata": {"name": "n1", "labels": {
    "topology.kubernetes.io/zone": "eu-west-1a"}}, "spec": {}},
    {"kind": "Pod", "items_kind": True, "metadata": {"name": "web-5d8f-x", "namespace": "shop", "labels": {
        "pod-template-hash": "5d8f"}, "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d8f", "controller": True}]},
     "spec": {"nodeName": "n1"}}]] * 2, list_kind="List")
def test_any_kubernetes_objects_import_to_a_valid_inventory_or_a_located_error(tmp_path, clusters, list_kind):
    import json

    paths = []
    for i, objects in enumerate(clusters):
        # a raw API list's items carry no kind
        items = [{k: v for k, v in item.items() if k != "items_kind" and (k != "kind" or item["items_kind"])}
                 for item in objects]
        path = tmp_path / f"c{i}.json"
        path.write_text(json.dumps({"kind": list_kind, "items": items}), encoding="utf-8")
        paths.append(str(path))
    _valid_or_located("kubernetes", paths, ImportOptions())


def test_an_arn_that_is_not_text_is_no_crash(tmp_path):
    import json

    state = {"format_version": "1.0", "values": {"root_module": {"resources": [
        {"address": "aws_db_instance_automated_backups_replication.r", "mode": "managed",
         "type": "aws_db_instance_automated_backups_replication", "name": "r",
         "values": {"source_db_instance_arn": []}}]}}}
    (tmp_path / "s.json").write_text(json.dumps(state), encoding="utf-8")
    _valid_or_located("terraform", [str(tmp_path / "s.json")], ImportOptions())


REFS = st.sampled_from(["a", "b", "component:a", "component:b", "api:x", "resource:db", "group:g", "x", "missing",
                        "component:other/a", ":", "a/"])


@SETTINGS
@given(targets=st.lists(st.sampled_from(["./part.yaml", "./missing/*.yaml", "part.yaml", "*.yaml", "../nowhere.yaml",
                                         "https://example.com/catalog-info.yaml"]), max_size=3),
       whole=st.none() | REFS | st.lists(REFS, max_size=2), consumes=st.lists(REFS, max_size=3))
def test_partial_backstage_catalogues_import_or_stop_with_a_located_error(tmp_path, targets, whole, consumes):
    import json

    (tmp_path / "catalog-info.yaml").write_text(
        f"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: org}}\nspec: {{targets: {json.dumps(targets)}}}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n"
        f"spec: {{consumesApis: {json.dumps(consumes)}, providesApis: [x]}}\n", encoding="utf-8")
    (tmp_path / "part.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: b}\n"
        f"spec: {{subcomponentOf: {json.dumps(whole)}}}\n", encoding="utf-8")
    _valid_or_located("backstage", [str(tmp_path / "catalog-info.yaml")], ImportOptions())
