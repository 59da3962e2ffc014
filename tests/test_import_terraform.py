"""`drcheck import terraform`, one resource type at a time: each case is written from the provider's schema (the
attributes `terraform show -json` records for it), and asserts the sites, placements and backups drcheck writes.
Then, through the real command line, `import` and `audit`/`simulate` on each managed service give the verdict its
provider's documentation supports."""
from __future__ import annotations

import json

import pytest

from conftest import drcheck
from drcheck.importers import ImportOptions, run_import


def resource(kind: str, name: str, values: dict, module: str = "") -> dict:
    address = f"{module + '.' if module else ''}{kind}.{name}"
    return {"address": address, "mode": "managed", "type": kind, "name": name, "values": values}


def state(*resources: dict, modules: dict[str, list[dict]] | None = None) -> dict:
    """The JSON of `terraform show -json` for a state holding these resources (those of `modules` in child modules)."""
    children = [{"address": address, "resources": found} for address, found in (modules or {}).items()]
    return {"format_version": "1.0", "terraform_version": "1.9.8",
            "values": {"root_module": {"resources": list(resources), "child_modules": children}}}


def imported(tmp_path, document: dict):
    path = tmp_path / "show.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return run_import("terraform", [str(path)], ImportOptions())


ARN = "arn:aws:{service}:{region}:123456789012:{rest}"


# (resource type, resources, service name, fields that service must have)
CASES = [
    # RDS from a community module: named by its identifier, automated backups (logs every 5 minutes) in its region
    ("aws_db_instance", [resource("aws_db_instance", "this", {
        "identifier": "orders-db", "availability_zone": "us-east-1a", "multi_az": False, "backup_retention_period": 7,
        "arn": ARN.format(service="rds", region="us-east-1", rest="db:orders-db")}, "module.db")], "orders-db",
     {"kind": "data", "placements": [{"site": "aws-us-east-1a", "role": "primary"}],
      "backups": [{"site": "aws-us-east-1", "frequency": "5m"}]}),
    ("aws_db_instance without retention", [resource("aws_db_instance", "this", {
        "identifier": "scratch", "availability_zone": "us-east-1b", "backup_retention_period": 0})], "scratch",
     {"kind": "data", "placements": [{"site": "aws-us-east-1b", "role": "primary"}]}),
    ("aws_rds_cluster", [
        resource("aws_rds_cluster", "main", {"cluster_identifier": "ledger", "backup_retention_period": 1,
                                             "arn": ARN.format(service="rds", region="eu-west-1", rest="cluster:ledger")}),
        resource("aws_rds_cluster_instance", "a", {"cluster_identifier": "ledger", "availability_zone": "eu-west-1a",
                                                   "writer": True}),
        resource("aws_rds_cluster_instance", "b", {"cluster_identifier": "ledger", "availability_zone": "eu-west-1b",
                                                   "writer": False})], "ledger",
     {"kind": "data", "placements": [{"site": "aws-eu-west-1a", "role": "primary"},
                                     {"site": "aws-eu-west-1b", "role": "standby"}],
      "backups": [{"site": "aws-eu-west-1", "frequency": "5m"}]}),
    ("aws_docdb_cluster", [
        resource("aws_docdb_cluster", "main", {"cluster_identifier": "profiles", "backup_retention_period": 5,
                                               "arn": ARN.format(service="rds", region="eu-west-1", rest="cluster:p")}),
        resource("aws_docdb_cluster_instance", "a", {"cluster_identifier": "profiles",
                                                     "availability_zone": "eu-west-1c", "writer": True})], "profiles",
     {"kind": "data", "placements": [{"site": "aws-eu-west-1c", "role": "primary"}],
      "backups": [{"site": "aws-eu-west-1"}]}),
    ("aws_redshift_cluster", [resource("aws_redshift_cluster", "dw", {
        "cluster_identifier": "warehouse", "availability_zone": "us-west-2a", "automated_snapshot_retention_period": 1})],
     "warehouse", {"kind": "data", "placements": [{"site": "aws-us-west-2a", "role": "primary"}],
                   "backups": [{"site": "aws-us-west-2", "frequency": "8h"}]}),
    ("aws_db_instance_automated_backups_replication", [
        resource("aws_db_instance", "main", {"identifier": "billing", "availability_zone": "us-east-1a",
                                             "backup_retention_period": 7,
                                             "arn": ARN.format(service="rds", region="us-east-1", rest="db:billing")}),
        resource("aws_db_instance_automated_backups_replication", "west", {
            "source_db_instance_arn": ARN.format(service="rds", region="us-east-1", rest="db:billing"),
            "retention_period": 14, "id": ARN.format(service="rds", region="us-west-2", rest="auto-backup:ab-1")})],
     "billing", {"backups": [{"site": "aws-us-east-1", "frequency": "5m"}, {"site": "aws-us-west-2"}]}),
    # replication written inline on the bucket (provider 3.x): the replica bucket is the copy, not a service
    ("aws_s3_bucket replication_configuration", [
        resource("aws_s3_bucket", "assets", {"bucket": "assets", "region": "us-east-1", "replication_configuration": [
            {"role": "arn:aws:iam::123456789012:role/replication", "rules": [
                {"id": "all", "status": "Enabled", "destination": [{"bucket": "arn:aws:s3:::assets-replica",
                                                                    "storage_class": "STANDARD"}]}]}]}),
        resource("aws_s3_bucket", "replica", {"bucket": "assets-replica", "region": "us-west-2"})], "assets",
     {"kind": "data", "placements": [{"site": "aws-us-east-1", "role": "primary"}],
      "backups": [{"site": "aws-us-west-2", "media": "object"}]}),
    ("aws_eks_cluster", [resource("aws_eks_cluster", "main", {
        "name": "platform", "arn": ARN.format(service="eks", region="ap-northeast-2", rest="cluster/platform")})],
     "platform", {"placements": [{"site": "aws-ap-northeast-2", "role": "primary"}]}),
    ("aws_msk_cluster", [resource("aws_msk_cluster", "main", {
        "cluster_name": "events", "arn": ARN.format(service="kafka", region="eu-central-1", rest="cluster/events/1")})],
     "events", {"placements": [{"site": "aws-eu-central-1", "role": "primary"}]}),
    ("aws_sqs_queue", [resource("aws_sqs_queue", "jobs", {
        "name": "render-jobs", "arn": ARN.format(service="sqs", region="eu-west-2", rest="render-jobs")})],
     "render-jobs", {"placements": [{"site": "aws-eu-west-2", "role": "primary"}]}),
    ("aws_kms_replica_key", [
        resource("aws_kms_key", "main", {"multi_region": True,
                                         "arn": ARN.format(service="kms", region="us-east-1", rest="key/mrk-1")}),
        resource("aws_kms_replica_key", "west", {"primary_key_arn": ARN.format(service="kms", region="us-east-1",
                                                                               rest="key/mrk-1"),
                                                 "arn": ARN.format(service="kms", region="us-west-2", rest="key/mrk-1")})],
     "main", {"placements": [{"site": "aws-us-east-1", "role": "primary"}, {"site": "aws-us-west-2", "role": "standby"}]}),
    ("aws_secretsmanager_secret", [resource("aws_secretsmanager_secret", "db", {
        "name": "db-credentials", "arn": ARN.format(service="secretsmanager", region="eu-west-1", rest="secret:db"),
        "replica": [{"region": "eu-central-1"}]})], "db-credentials",
     {"placements": [{"site": "aws-eu-west-1", "role": "primary"}, {"site": "aws-eu-central-1", "role": "standby"}]}),
    ("aws_autoscaling_group", [resource("aws_autoscaling_group", "web", {
        "name": "web", "availability_zones": ["eu-west-1a", "eu-west-1b"]})], "web",
     {"placements": [{"site": "aws-eu-west-1a", "role": "primary"}, {"site": "aws-eu-west-1b", "role": "primary"}]}),
    # Google Cloud: a Cloud SQL instance named by its name; backups without a location in the closest multi-region
    ("google_sql_database_instance", [resource("google_sql_database_instance", "db", {
        "name": "nodesqldatabase", "region": "europe-west1", "settings": [{
            "availability_type": "ZONAL", "location_preference": [{"zone": "europe-west1-b"}],
            "backup_configuration": [{"enabled": True}]}]})], "nodesqldatabase",
     {"kind": "data", "placements": [{"site": "gcp-europe-west1-b", "role": "primary"}],
      "backups": [{"site": "gcp-eu", "frequency": "1d"}]}),
    ("google_storage_bucket dual-region", [resource("google_storage_bucket", "b", {"name": "logs", "location": "NAM4"})],
     "logs", {"kind": "data", "placements": [{"site": "gcp-us-central1", "role": "primary"},
                                             {"site": "gcp-us-east1", "role": "standby"}],
              "backups": [{"site": "gcp-us-east1", "media": "object"}]}),
    ("google_storage_bucket configurable dual-region", [resource("google_storage_bucket", "b", {
        "name": "media", "location": "EU", "custom_placement_config": [{"data_locations": ["EUROPE-WEST1",
                                                                                          "EUROPE-WEST4"]}]})],
     "media", {"placements": [{"site": "gcp-europe-west1", "role": "primary"},
                              {"site": "gcp-europe-west4", "role": "standby"}],
               "backups": [{"site": "gcp-europe-west4", "media": "object"}]}),
    ("google_storage_bucket multi-region", [resource("google_storage_bucket", "b", {"name": "site", "location": "US"})],
     "site", {"placements": [{"site": "gcp-us", "role": "primary"}],
              "backups": [{"site": "gcp-us-second-region", "media": "object"}]}),
    ("google_spanner_instance multi-region", [resource("google_spanner_instance", "s", {
        "name": "accounts", "config": "projects/p/instanceConfigs/nam3"})], "accounts",
     {"kind": "data", "placements": [{"site": "gcp-us-east1", "role": "primary"},
                                     {"site": "gcp-us-east4", "role": "primary"}]}),
    ("google_spanner_instance regional", [resource("google_spanner_instance", "s", {
        "name": "catalog", "config": "regional-europe-west1"})], "catalog",
     {"kind": "data", "placements": [{"site": "gcp-europe-west1", "role": "primary"}]}),
    ("google_bigtable_instance", [resource("google_bigtable_instance", "bt", {
        "name": "timeseries", "cluster": [{"cluster_id": "c1", "zone": "us-central1-b", "num_nodes": 3},
                                          {"cluster_id": "c2", "zone": "us-east1-c", "num_nodes": 3}]})], "timeseries",
     {"kind": "data", "placements": [{"site": "gcp-us-central1-b", "role": "primary"},
                                     {"site": "gcp-us-east1-c", "role": "primary"}]}),
    ("google_redis_instance", [resource("google_redis_instance", "cache", {
        "name": "sessions", "tier": "STANDARD_HA", "region": "us-central1", "location_id": "us-central1-a",
        "alternative_location_id": "us-central1-f"})], "sessions",
     {"placements": [{"site": "gcp-us-central1-a", "role": "primary"}, {"site": "gcp-us-central1-f", "role": "standby"}]}),
    ("google_container_cluster", [resource("google_container_cluster", "gke", {
        "name": "apps", "location": "europe-west1"})], "apps",
     {"placements": [{"site": "gcp-europe-west1", "role": "primary"}]}),
    ("google_pubsub_topic", [resource("google_pubsub_topic", "t", {
        "name": "orders", "message_storage_policy": [{"allowed_persistence_regions": ["europe-west1"]}]})], "orders",
     {"placements": [{"site": "gcp-europe-west1", "role": "primary"}]}),
    # Azure: a zone-redundant database whose backup storage is zone-redundant keeps its backups in its region
    ("azurerm_mssql_database zone backups", [
        resource("azurerm_mssql_server", "s", {"id": "/subscriptions/1/sql/s", "location": "westeurope"}),
        resource("azurerm_mssql_database", "d", {"name": "payments", "server_id": "/subscriptions/1/sql/s",
                                                 "zone_redundant": True, "storage_account_type": "Zone"})], "payments",
     {"kind": "data", "placements": [{"site": "azure-westeurope", "role": "primary"}],
      "backups": [{"site": "azure-westeurope", "frequency": "10m"}]}),
    ("azurerm_mssql_database geo backups", [
        resource("azurerm_mssql_server", "s", {"id": "/subscriptions/1/sql/s", "location": "West Europe"}),
        resource("azurerm_mssql_database", "d", {"name": "payments", "server_id": "/subscriptions/1/sql/s"})],
     "payments", {"backups": [{"site": "azure-northeurope", "frequency": "1h"}]}),
    ("azurerm_postgresql_flexible_server", [resource("azurerm_postgresql_flexible_server", "pg", {
        "name": "inventory", "location": "koreacentral", "zone": "1", "backup_retention_days": 7,
        "geo_redundant_backup_enabled": True,
        "high_availability": [{"mode": "ZoneRedundant", "standby_availability_zone": "2"}]})], "inventory",
     {"kind": "data", "placements": [{"site": "azure-koreacentral-1", "role": "primary"},
                                     {"site": "azure-koreacentral-2", "role": "standby"}],
      "backups": [{"site": "azure-koreacentral"}, {"site": "azure-koreasouth"}]}),
    # a GRS account in a plan: secondary_location is not known until it exists, the pair is documented
    ("azurerm_storage_account", [resource("azurerm_storage_account", "sa", {
        "name": "docs", "location": "eastus2", "account_replication_type": "RAGRS"})], "docs",
     {"kind": "data", "placements": [{"site": "azure-eastus2", "role": "primary"}],
      "backups": [{"site": "azure-centralus", "media": "object"}]}),
    ("azurerm_cosmosdb_account", [resource("azurerm_cosmosdb_account", "c", {
        "name": "carts", "geo_location": [{"location": "uksouth", "failover_priority": 0}]})], "carts",
     {"kind": "data", "placements": [{"site": "azure-uksouth", "role": "primary"}],
      "backups": [{"site": "azure-ukwest", "frequency": "240m"}]}),
    ("azurerm_cosmosdb_account continuous", [resource("azurerm_cosmosdb_account", "c", {
        "name": "carts", "geo_location": [{"location": "uksouth", "failover_priority": 0}],
        "backup": [{"type": "Continuous"}]})], "carts", {"backups": [{"site": "azure-uksouth"}]}),
    ("azurerm_kubernetes_cluster", [resource("azurerm_kubernetes_cluster", "aks", {
        "name": "platform", "location": "westeurope", "default_node_pool": [{"name": "system", "zones": ["1", "2"]}]})],
     "platform", {"placements": [{"site": "azure-westeurope-1", "role": "primary"},
                                 {"site": "azure-westeurope-2", "role": "primary"}]}),
    ("azurerm_eventhub_namespace", [resource("azurerm_eventhub_namespace", "eh", {
        "name": "telemetry", "location": "northeurope"})], "telemetry",
     {"placements": [{"site": "azure-northeurope", "role": "primary"}]}),
    ("azurerm_key_vault", [resource("azurerm_key_vault", "kv", {"name": "secrets", "location": "westeurope"})],
     "secrets", {"placements": [{"site": "azure-westeurope", "role": "primary"}]}),
]


@pytest.mark.parametrize("case, resources, name, expected", CASES, ids=[c[0] for c in CASES])
def test_each_resource_type_maps_to_the_sites_its_provider_documents(tmp_path, case, resources, name, expected):
    in_module = [r for r in resources if r["address"].startswith("module.")]
    document = state(*[r for r in resources if r not in in_module],
                     modules={"module.db": in_module} if in_module else None)
    result = imported(tmp_path, document)
    assert name in result.services, sorted(result.services)
    service = result.services[name]
    for key, value in expected.items():
        assert service.get(key) == value, (key, service)
    if case == "aws_db_instance without retention":
        assert "backups" not in service
    if case.startswith("aws_s3_bucket"):
        assert sorted(result.services) == ["assets"]  # the replica is a copy, not a data service of its own


# ---- plans: the region is the provider block's ----------------------------------------------------

def plan(resources: list[dict], configuration: dict, variables: dict | None = None) -> dict:
    return {"format_version": "1.2", "terraform_version": "1.9.8", "variables": variables or {},
            "planned_values": {"root_module": {"resources": resources}}, "resource_changes": [],
            "configuration": configuration}


def test_a_plan_places_resources_in_their_provider_blocks_region_aliases_and_variables_included(tmp_path):
    resources = [resource("aws_sqs_queue", "a", {"name": "default-queue"}),
                 resource("aws_sqs_queue", "b", {"name": "east-queue"}),
                 resource("aws_sqs_queue", "c", {"name": "own-region-queue", "region": "eu-west-1"}),
                 {**resource("aws_s3_bucket", "d", {"bucket": "module-bucket"}),
                  "address": "module.store.aws_s3_bucket.d[0]"}]
    configuration = {
        "provider_config": {
            "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                    "expressions": {"region": {"constant_value": "us-west-2"}}},
            "aws.east": {"name": "aws", "alias": "east", "expressions": {"region": {"references": ["var.east"]}}}},
        "root_module": {
            "resources": [{"address": "aws_sqs_queue.a", "provider_config_key": "aws"},
                          {"address": "aws_sqs_queue.b", "provider_config_key": "aws.east"},
                          {"address": "aws_sqs_queue.c", "provider_config_key": "aws"}],
            "module_calls": {"store": {"module": {"resources": [
                {"address": "aws_s3_bucket.d", "provider_config_key": "aws.east"}]}}}}}
    result = imported(tmp_path, plan(resources, configuration, {"east": {"value": "us-east-1"}}))
    where = {name: service["placements"][0]["site"] for name, service in result.services.items()}
    # the AWS provider 6.x per-resource region comes before the provider block's
    assert where == {"default-queue": "aws-us-west-2", "east-queue": "aws-us-east-1",
                     "own-region-queue": "aws-eu-west-1", "module-bucket": "aws-us-east-1"}


def test_a_google_plan_takes_region_and_zone_from_the_provider_block(tmp_path):
    resources = [resource("google_compute_instance", "vm", {"name": "worker"}),
                 resource("google_sql_database_instance", "db", {"name": "orders", "settings": [{}]})]
    configuration = {"provider_config": {"google": {"name": "google", "expressions": {
        "region": {"constant_value": "asia-northeast3"}, "zone": {"constant_value": "asia-northeast3-a"}}}},
        "root_module": {"resources": []}}
    result = imported(tmp_path, plan(resources, configuration))
    assert result.services["vm"]["placements"] == [{"site": "gcp-asia-northeast3-a", "role": "primary"}]
    assert result.services["orders"]["placements"] == [{"site": "gcp-asia-northeast3", "role": "primary"}]


# ---- through the command line: import, then audit and simulate -----------------------------------

def import_and_audit(tmp_path, document: dict):
    """`drcheck import terraform` then `drcheck audit --format json`: the findings, by (rule, subject)."""
    source, out = tmp_path / "show.json", tmp_path / "imported.yaml"
    source.write_text(json.dumps(document), encoding="utf-8")
    result = drcheck("import", "terraform", source, "-o", out)
    assert result.returncode == 0, result.stderr
    audited = drcheck("audit", out, "--format", "json", "--as-of", "2026-11-01")
    assert audited.returncode in (0, 1), audited.stderr
    findings = {(f["rule"], f["subject"]): f for f in json.loads(audited.stdout)["findings"]}
    return out, findings


def data_lost(inventory, *domains: str) -> list[str]:
    """The data lost when every one of `domains` is lost together."""
    result = drcheck("simulate", inventory, *[arg for domain in domains for arg in ("--fail", domain)],
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    [scenario] = json.loads(result.stdout)["scenarios"]
    return scenario["data_lost"]


def test_a_zone_redundant_azure_sql_database_with_geo_redundant_backups_loses_nothing_with_its_region(tmp_path):
    out, findings = import_and_audit(tmp_path, state(
        resource("azurerm_mssql_server", "s", {"id": "/s/sql", "location": "westeurope"}),
        resource("azurerm_mssql_database", "d", {"name": "payments", "server_id": "/s/sql", "zone_redundant": True,
                                                 "storage_account_type": "GeoZone"})))
    assert ("no-backup", "service:payments") not in findings
    assert data_lost(out, "site=azure-westeurope") == []


def test_an_azure_sql_database_with_zone_redundant_backups_survives_a_zone_but_not_its_region(tmp_path):
    out, findings = import_and_audit(tmp_path, state(
        resource("azurerm_mssql_server", "s", {"id": "/s/sql", "location": "westeurope"}),
        resource("azurerm_mssql_database", "d", {"name": "payments", "server_id": "/s/sql", "zone_redundant": True,
                                                 "storage_account_type": "Zone"}),
        resource("azurerm_linux_virtual_machine", "vm", {"location": "westeurope", "zone": "1"})))
    assert ("no-backup", "service:payments") not in findings
    colocated = findings[("backup-colocated", "service:payments")]
    assert colocated["evidence"]["backups"][0]["site"] == "azure-westeurope"
    assert data_lost(out, "site=azure-westeurope-1") == []
    assert data_lost(out, "site=azure-westeurope") == ["payments"]


def test_a_single_zone_rds_instance_with_automated_backups_survives_its_zone(tmp_path):
    out, findings = import_and_audit(tmp_path, state(resource("aws_db_instance", "db", {
        "identifier": "orders", "availability_zone": "eu-west-1a", "backup_retention_period": 7,
        "arn": ARN.format(service="rds", region="eu-west-1", rest="db:orders")})))
    assert ("no-backup", "service:orders") not in findings
    assert findings[("backup-colocated", "service:orders")]["status"] == "unknown"  # zones have no published place
    assert data_lost(out, "site=aws-eu-west-1a") == []
    assert data_lost(out, "site=aws-eu-west-1a", "site=aws-eu-west-1") == ["orders"]  # the whole region


def test_a_multi_region_cloud_storage_bucket_has_its_copy_and_loses_nothing_with_one_place(tmp_path):
    out, findings = import_and_audit(tmp_path, state(resource("google_storage_bucket", "b", {
        "name": "static-site", "location": "US"})))
    assert ("no-backup", "service:static-site") not in findings
    assert findings[("backup-colocated", "service:static-site")]["status"] == "unknown"
    assert data_lost(out, "site=gcp-us") == []


def test_replication_written_on_the_bucket_makes_the_replica_the_copy(tmp_path):
    out, findings = import_and_audit(tmp_path, state(
        resource("aws_s3_bucket", "assets", {"bucket": "assets", "region": "us-east-1", "replication_configuration": [
            {"role": "r", "rules": [{"status": "Enabled", "destination": [{"bucket": "arn:aws:s3:::assets-dr"}]}]}]}),
        resource("aws_s3_bucket", "dr", {"bucket": "assets-dr", "region": "us-west-2"})))
    assert ("no-backup", "service:assets") not in findings
    assert not [key for key in findings if key[1] == "service:assets-dr"]
    assert ("backup-colocated", "service:assets") not in findings  # the copy is a continent away
    assert data_lost(out, "site=aws-us-east-1") == []


def test_a_grs_storage_account_in_a_plan_is_copied_to_the_paired_region(tmp_path):
    document = plan([resource("azurerm_storage_account", "sa", {"name": "docs", "location": "koreacentral",
                                                               "account_replication_type": "GRS"})],
                    {"root_module": {}})
    out, findings = import_and_audit(tmp_path, document)
    assert ("no-backup", "service:docs") not in findings
    assert ("backup-colocated", "service:docs") not in findings
    assert data_lost(out, "site=azure-koreacentral") == []


def test_a_regional_cloud_sql_instance_with_backups_survives_its_zone_and_its_region(tmp_path):
    out, findings = import_and_audit(tmp_path, state(resource("google_sql_database_instance", "db", {
        "name": "nodesqldatabase", "region": "us-central1", "settings": [{
            "availability_type": "REGIONAL", "backup_configuration": [{"enabled": True}],
            "location_preference": [{"zone": "us-central1-a", "secondary_zone": "us-central1-b"}]}]})))
    assert ("no-backup", "service:nodesqldatabase") not in findings
    assert data_lost(out, "site=gcp-us-central1-a") == []
    assert data_lost(out, "site=gcp-us-central1-b") == []


def test_a_cosmos_db_account_keeps_its_default_backups_in_the_paired_region(tmp_path):
    out, findings = import_and_audit(tmp_path, state(resource("azurerm_cosmosdb_account", "c", {
        "name": "carts", "geo_location": [{"location": "japaneast", "failover_priority": 0}]})))
    assert ("no-backup", "service:carts") not in findings
    assert data_lost(out, "site=azure-japaneast") == []


def test_a_database_without_automated_backups_still_has_no_backup(tmp_path):
    out, findings = import_and_audit(tmp_path, state(resource("aws_db_instance", "db", {
        "identifier": "scratch", "availability_zone": "eu-west-1a", "backup_retention_period": 0})))
    assert findings[("no-backup", "service:scratch")]["evidence"]["sites"] == ["aws-eu-west-1a"]
    assert data_lost(out, "site=aws-eu-west-1a") == ["scratch"]


def test_an_imported_estate_without_tiers_says_which_rules_were_not_applied_and_overrides_bring_them_back(tmp_path):
    out, findings = import_and_audit(tmp_path, state(resource("aws_db_instance", "db", {
        "identifier": "orders", "availability_zone": "eu-west-1a", "backup_retention_period": 0})))
    assert ("no-dr", "service:orders") not in findings  # tier 2 by default: no-dr is for tier 0 and 1
    audited = json.loads(drcheck("audit", out, "--format", "json", "--as-of", "2026-11-01").stdout)
    assert audited["untiered"] == {"services": ["orders"], "rules_not_applied": [
        "dr-untested", "no-dr", "provider-concentration", "recovery-tooling-colocated", "restore-untested",
        "single-external-dependency"]}
    table = drcheck("audit", out, "--as-of", "2026-11-01").stdout
    assert "1 service with no tier (so tier 2): dr-untested, no-dr" in table and "overrides:" in table
    header = out.read_text(encoding="utf-8")
    assert "#   overrides:\n#     services:\n#       orders: {tier: 0}\n" in header
    (tmp_path / "tiers.yaml").write_text("version: 1\noverrides:\n  services:\n    orders: {tier: 0}\n",
                                         encoding="utf-8")
    tiered = json.loads(drcheck("audit", out, tmp_path / "tiers.yaml", "--format", "json",
                                "--as-of", "2026-11-01").stdout)
    assert "untiered" not in tiered
    [no_dr] = [f for f in tiered["findings"] if f["rule"] == "no-dr"]
    assert (no_dr["subject"], no_dr["severity"], no_dr["tier"]) == ("service:orders", "critical", 0)
