"""Google Cloud and Azure resources of a Terraform state (see terraform.py for the reading and the AWS ones).

Each mapper reads only the attributes named here, and what a managed service does by itself (automated backups,
copies to another region, zone redundancy) from cloud_facts.py, as its provider documents it."""
from __future__ import annotations

import re

from .cloud_facts import AZURE_PAIR, GCS_DUAL_REGIONS, GCS_MULTI_REGIONS, SPANNER_CONFIGS, cloud_sql_backup_area
from .terraform_blocks import block_list, first_block

_GCP_ZONE = re.compile(r"([a-z]+-[a-z]+\d+)-([a-z])")  # europe-west1-b -> (europe-west1, b)
_GCP_REGION = re.compile(r"[a-z]+-[a-z]+\d+")


# ---- Google Cloud ------------------------------------------------------------------------------

def _gcp_zone_site(estate, zone):
    match = _GCP_ZONE.fullmatch(zone) if isinstance(zone, str) else None
    return estate.zone_site("gcp", match.group(1), zone) if match else None


def _gcp_location_site(estate, location):
    """The site of a region ("us-central1") or a zone ("us-central1-a"), or None."""
    location = location.lower() if isinstance(location, str) else None
    if location and _GCP_REGION.fullmatch(location):
        return estate.region_site("gcp", location)
    return _gcp_zone_site(estate, location)


def _gcp_multi_region(estate, area: str) -> str:
    return estate.area_site("gcp", area, f"Google Cloud multi-region {area.upper()}: regions of "
                                         f"{GCS_MULTI_REGIONS[area]} that Google does not name")


def _gcp_placed(estate, r, key: str, kind=None):
    """A service at the region or zone its `key` attribute (or its provider's region) names."""
    site = _gcp_location_site(estate, r.values.get(key) or r.setting("region"))
    if site is None:
        estate.imported.gap(f"{r.address}: its {key} {r.values.get(key)!r} is not a region or zone drcheck can "
                            "place, so not placed")
        return None
    service = estate.service(r)
    service.kind = kind or service.kind
    service.place(site, "primary")
    return service


def _gcp_instance(estate, r) -> None:
    site = _gcp_zone_site(estate, r.setting("zone"))
    if site is None:
        estate.imported.gap(f"{r.address}: no zone in the input, so not placed")
        return
    estate.service(r).place(site, "primary")


def _gcp_group_manager(estate, r) -> None:
    """A managed instance group: one zone, or a regional group spread over distribution_policy_zones."""
    zones = [z for z in block_list(r.values.get("distribution_policy_zones")) if isinstance(z, str)]
    for zone in zones or [r.setting("zone")]:
        site = _gcp_zone_site(estate, zone.rpartition("/")[2] if isinstance(zone, str) else None)
        if site is not None:
            estate.service(r).place(site, "primary")
    if not zones and _gcp_zone_site(estate, r.setting("zone")) is None:
        _gcp_placed(estate, r, "region")


def _gcp_sql(estate, r) -> None:
    values = r.values
    region = r.setting("region")
    if not isinstance(region, str):
        estate.imported.gap(f"{r.address}: no region in the input, so not placed")
        return
    settings = first_block(values.get("settings"))
    preference = first_block(settings.get("location_preference"))
    if values.get("master_instance_name"):
        return  # a read replica: placed with its primary in the second pass
    service = estate.service(r)
    service.kind = "data"
    service.place(_gcp_zone_site(estate, preference.get("zone")) or estate.region_site("gcp", region), "primary")
    if settings.get("availability_type") == "REGIONAL":
        # a regional (HA) instance has a standby in another zone, named only when secondary_zone is set
        standby = _gcp_zone_site(estate, preference.get("secondary_zone"))
        if standby is None:
            estate.imported.gap("the standby zone of a regional Cloud SQL instance without secondary_zone: chosen by "
                                "Google, so the standby is placed at the region's site (gcp-REGION)")
        service.place(standby or estate.region_site("gcp", region), "standby")
    backup = first_block(settings.get("backup_configuration"))
    if backup.get("enabled") is not True:
        return
    location = backup.get("location")
    location = location.lower() if isinstance(location, str) and location else cloud_sql_backup_area(region)
    if location in GCS_MULTI_REGIONS:  # unset: the multi-region closest to the instance
        service.backup(_gcp_multi_region(estate, location), frequency="1d")
    elif location and estate.known_region("gcp", location):
        service.backup(estate.region_site("gcp", location), frequency="1d")
    else:
        estate.imported.gap(f"{r.address}: its backups are kept in {location or 'the multi-region closest to ' + region}"
                            ", which drcheck cannot place")


def _gcp_sql_replica(estate, r) -> None:
    master, region = r.values.get("master_instance_name"), r.setting("region")
    if not isinstance(master, str) or not master or not isinstance(region, str):
        return
    source = next((x for x in estate.resources if x.type == r.type and x.values.get("name") == master), None)
    if source is None or source.address not in estate.service_of:
        estate.imported.gap(f"{r.address}: replica of {master}, which is not in the state read, so not placed")
        return
    zone = first_block(first_block(r.values.get("settings")).get("location_preference")).get("zone")
    estate.join(r, source).place(_gcp_zone_site(estate, zone) or estate.region_site("gcp", region), "standby")


def _gcp_bucket(estate, r) -> None:
    """A region keeps a bucket in its zones; a dual-region serves from two regions and copies each write to the
    other (written: the first primary, the second standby and the copy); a multi-region keeps copies in two or more
    of its regions, 160 km apart or more, which Google does not name."""
    location = str(r.values.get("location", "")).lower()
    custom = [str(x).lower() for x in block_list(first_block(r.values.get("custom_placement_config")).get(
        "data_locations")) if isinstance(x, str)]
    service = estate.service(r)
    service.kind = "data"
    if estate.known_region("gcp", location):
        service.place(estate.region_site("gcp", location), "primary")
    elif len(custom) == 2 or location in GCS_DUAL_REGIONS:
        first, second = custom if len(custom) == 2 else GCS_DUAL_REGIONS[location]
        service.place(estate.region_site("gcp", first), "primary")
        service.place(estate.region_site("gcp", second), "standby")
        service.backup(estate.region_site("gcp", second), media="object")
    elif location in GCS_MULTI_REGIONS:
        service.place(_gcp_multi_region(estate, location), "primary")
        copy = estate.area_site("gcp", f"{location}-second-region",
                                f"the second region of multi-region {location.upper()} that Cloud Storage keeps a "
                                "copy in, 100 miles (160 km) or more from the first; Google does not name it")
        service.backup(copy, media="object")
    else:
        estate.imported.gap(f"{r.address}: location {location.upper() or 'unknown'} is a location drcheck does not "
                            "know, so not placed")


def _gcp_spanner(estate, r) -> None:
    """Spanner keeps three replicas in three zones of a regional configuration, and read-write replicas in two
    regions of a multi-region one (synchronous: each is a primary)."""
    config = str(r.values.get("config", "")).rpartition("/")[2]
    regions = [config.removeprefix("regional-")] if config.startswith("regional-") else SPANNER_CONFIGS.get(config)
    service = estate.service(r)
    service.kind = "data"
    if not regions:
        estate.imported.gap(f"{r.address}: instance configuration {config or 'unknown'!r} is not one drcheck knows "
                            "the regions of, so not placed")
        return
    for region in regions:
        service.place(estate.region_site("gcp", region), "primary")


def _gcp_bigtable(estate, r) -> None:
    """Each cluster of an instance holds a replica of its tables, in the cluster's zone."""
    service = estate.service(r)
    service.kind = "data"
    for cluster in block_list(r.values.get("cluster")):
        site = _gcp_zone_site(estate, cluster.get("zone") if isinstance(cluster, dict) else None)
        if site is not None:
            service.place(site, "primary")
    if not service.placements:
        estate.imported.gap(f"{r.address}: no cluster with a zone in the input, so not placed")


def _gcp_redis(estate, r) -> None:
    """Memorystore: the primary in location_id; a STANDARD_HA instance's replica in alternative_location_id."""
    primary = _gcp_zone_site(estate, r.values.get("location_id"))
    if primary is None:
        _gcp_placed(estate, r, "region")
        return
    service = estate.service(r)
    service.place(primary, "primary")
    standby = _gcp_zone_site(estate, r.values.get("alternative_location_id"))
    if r.values.get("tier") == "STANDARD_HA" and standby is not None:
        service.place(standby, "standby")


def _gcp_pubsub(estate, r) -> None:
    """A topic is global; messages stay in the regions of its message storage policy, where one is set."""
    policy = first_block(r.values.get("message_storage_policy"))
    regions = [x for x in block_list(policy.get("allowed_persistence_regions")) if isinstance(x, str)]
    service = estate.service(r)
    for region in regions:
        site = _gcp_location_site(estate, region)
        if site is not None:
            service.place(site, "primary")
    if not service.placements:
        estate.imported.gap(f"{r.address}: a global topic without allowed_persistence_regions: Google stores its "
                            "messages in regions it chooses, so not placed")


# ---- Azure ---------------------------------------------------------------------------------------

def _azure_region(value) -> str | None:
    """Azure accepts "West Europe" and "westeurope" alike; the catalogue uses the short name."""
    return value.replace(" ", "").lower() if isinstance(value, str) and value else None


def _azure_site(estate, region, zone=None):
    if zone:
        return estate.zone_site("azure", region, f"{region}-{zone}")
    return estate.region_site("azure", region)


def _azure_zones(value) -> list[str]:
    zones = value if isinstance(value, list) else [value]
    return [str(z) for z in zones if isinstance(z, (str, int)) and not isinstance(z, bool) and str(z)]


def _azure_placed(estate, r, zones=(), kind=None):
    """A service in the zones listed (each a primary), else at its region; None when the input has no location."""
    region = _azure_region(r.values.get("location"))
    if region is None:
        estate.imported.gap(f"{r.address}: no location in the input, so not placed")
        return None
    service = estate.service(r)
    service.kind = kind or service.kind
    for zone in zones or [None]:
        service.place(_azure_site(estate, region, zone), "primary")
    return service


def _azure_paired(estate, r, region: str):
    """The site of a region's pair, or None (and a gap) for a region without one."""
    pair = AZURE_PAIR.get(region)
    if pair is None:
        estate.imported.gap(f"{r.address}: region {region} has no Azure region pair drcheck knows, so its "
                            "geo-redundant copy is not placed")
        return None
    return _azure_site(estate, pair)


def _azure_vm(estate, r) -> None:
    _azure_placed(estate, r, _azure_zones(r.values.get("zone") or r.values.get("zones"))[:1])


def _azure_zonal(estate, r) -> None:
    """Scale sets, application gateways, Redis caches: spread over the zones listed, else regional."""
    _azure_placed(estate, r, _azure_zones(r.values.get("zones")))


def _azure_aks(estate, r) -> None:
    _azure_placed(estate, r, _azure_zones(first_block(r.values.get("default_node_pool")).get("zones")))


def _azure_at_region(estate, r) -> None:
    _azure_placed(estate, r)


def _azure_storage(estate, r) -> None:
    """LRS and ZRS keep the data in the region (ZRS over its zones); GRS, RAGRS, GZRS and RAGZRS also copy every
    write, asynchronously, to the paired region (secondary_location, known only once created)."""
    service = _azure_placed(estate, r, kind="data")
    if service is None:
        return
    region = _azure_region(r.values.get("location"))
    if str(r.values.get("account_replication_type", "")).upper() in ("GRS", "RAGRS", "GZRS", "RAGZRS"):
        secondary = _azure_region(r.values.get("secondary_location"))
        site = _azure_site(estate, secondary) if secondary else _azure_paired(estate, r, region)
        if site is not None:
            service.backup(site, media="object")


def _azure_sql_database(estate, r) -> None:
    """Azure SQL Database always keeps automated backups (logs every 5 to 10 minutes): geo-redundant by default
    (storage_account_type Geo or GeoZone: copied to the paired region, restorable there with an RPO of one hour),
    else in its own region (Zone: over its zones; Local: one datacenter of it)."""
    server = next((x for x in estate.resources if x.type == "azurerm_mssql_server"
                   and x.values.get("id") == r.values.get("server_id")), None)
    region = _azure_region((server or r).values.get("location"))
    if region is None:
        estate.imported.gap(f"{r.address}: its server's location is not in the state read, so not placed")
        return
    service = estate.service(r)
    service.kind = "data"
    service.place(_azure_site(estate, region), "primary")
    redundancy = str(r.values.get("storage_account_type") or "Geo")
    if redundancy in ("Geo", "GeoZone"):
        site = _azure_paired(estate, r, region)
        if site is not None:
            service.backup(site, frequency="1h")
    else:
        service.backup(_azure_site(estate, region), frequency="10m")


def _azure_flexible_server(estate, r) -> None:
    """PostgreSQL and MySQL flexible servers: automated backups kept backup_retention_days (7 by default) in the
    server's region, and in the paired region too when geo_redundant_backup_enabled; a zone-redundant high
    availability standby in standby_availability_zone."""
    zone = _azure_zones(r.values.get("zone"))[:1]
    service = _azure_placed(estate, r, zone, kind="data")
    if service is None:
        return
    region = _azure_region(r.values.get("location"))
    availability = first_block(r.values.get("high_availability"))
    if availability.get("mode") == "ZoneRedundant":
        standby = _azure_zones(availability.get("standby_availability_zone"))[:1]
        service.place(_azure_site(estate, region, standby[0] if standby else None), "standby")
    service.backup(_azure_site(estate, region))
    if r.values.get("geo_redundant_backup_enabled") is True:
        site = _azure_paired(estate, r, region)
        if site is not None:
            service.backup(site)


def _priority(location: dict) -> int:
    """A Cosmos DB location's failover_priority (0: the write region); anything but a whole number counts as none."""
    value = location.get("failover_priority")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _azure_cosmos(estate, r) -> None:
    locations = sorted((g for g in block_list(r.values.get("geo_location")) if isinstance(g, dict)), key=_priority)
    if not locations:
        estate.imported.gap(f"{r.address}: no geo_location in the state, so not placed")
        return
    service = estate.service(r)
    service.kind = "data"
    multi_write = r.values.get("multiple_write_locations_enabled") or r.values.get("enable_multiple_write_locations")
    for location in locations:
        region = _azure_region(location.get("location"))
        if region is not None:
            primary = _priority(location) == 0 or multi_write is True
            service.place(_azure_site(estate, region), "primary" if primary else "standby")
    _cosmos_backups(estate, r, service, locations)


def _cosmos_backups(estate, r, service, locations) -> None:
    """Cosmos DB always backs up: periodic by default (every 240 minutes, to geo-redundant storage in the paired
    region of the write region unless storage_redundancy says Local or Zone), or continuous (in every region of
    the account)."""
    backup = first_block(r.values.get("backup"))
    regions = [region for region in (_azure_region(g.get("location")) for g in locations) if region]
    if not regions:
        return
    if backup.get("type") == "Continuous":
        for region in regions:
            service.backup(_azure_site(estate, region))
        return
    interval = backup.get("interval_in_minutes") or 240
    frequency = f"{interval}m" if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0 else None
    if str(backup.get("storage_redundancy") or "Geo") == "Geo":
        site = _azure_paired(estate, r, regions[0])
        if site is not None:
            service.backup(site, frequency=frequency)
    else:
        service.backup(_azure_site(estate, regions[0]), frequency=frequency)


def _azure_failover_group(estate, r) -> None:
    """A failover group's partner server holds a geo-secondary of each database in it."""
    partners = [p.get("id") for p in block_list(r.values.get("partner_server")) if isinstance(p, dict)]
    servers = {x.values.get("id"): x for x in estate.resources if x.type == "azurerm_mssql_server"}
    for database_id in block_list(r.values.get("databases")):
        database = next((x for x in estate.resources if x.type == "azurerm_mssql_database"
                         and x.values.get("id") == database_id), None)
        service = estate.service_of.get(database.address) if database is not None else None
        if service is None:
            estate.imported.gap(f"{r.address}: database {database_id} is not in the state read")
            continue
        for partner in partners:
            region = _azure_region((servers.get(partner) or r).values.get("location") if partner in servers else None)
            if region is None:
                estate.imported.gap(f"{r.address}: partner server {partner} is not in the state read")
                continue
            service.place(_azure_site(estate, region), "standby")


MAPPERS = {
    "google_compute_instance": _gcp_instance,
    "google_compute_instance_group_manager": _gcp_group_manager,
    "google_compute_region_instance_group_manager": _gcp_group_manager,
    "google_container_cluster": lambda estate, r: _gcp_placed(estate, r, "location"),
    "google_cloud_run_v2_service": lambda estate, r: _gcp_placed(estate, r, "location"),
    "google_cloudfunctions2_function": lambda estate, r: _gcp_placed(estate, r, "location"),
    "google_sql_database_instance": _gcp_sql,
    "google_storage_bucket": _gcp_bucket,
    "google_spanner_instance": _gcp_spanner,
    "google_bigtable_instance": _gcp_bigtable,
    "google_redis_instance": _gcp_redis,
    "google_pubsub_topic": _gcp_pubsub,
    "google_kms_key_ring": lambda estate, r: _gcp_placed(estate, r, "location"),
    "azurerm_linux_virtual_machine": _azure_vm,
    "azurerm_windows_virtual_machine": _azure_vm,
    "azurerm_linux_virtual_machine_scale_set": _azure_zonal,
    "azurerm_windows_virtual_machine_scale_set": _azure_zonal,
    "azurerm_kubernetes_cluster": _azure_aks,
    "azurerm_application_gateway": _azure_zonal,
    "azurerm_linux_web_app": _azure_at_region,
    "azurerm_windows_web_app": _azure_at_region,
    "azurerm_linux_function_app": _azure_at_region,
    "azurerm_storage_account": _azure_storage,
    "azurerm_cosmosdb_account": _azure_cosmos,
    "azurerm_mssql_database": _azure_sql_database,
    "azurerm_postgresql_flexible_server": _azure_flexible_server,
    "azurerm_mysql_flexible_server": _azure_flexible_server,
    "azurerm_redis_cache": _azure_zonal,
    "azurerm_eventhub_namespace": _azure_at_region,
    "azurerm_servicebus_namespace": _azure_at_region,
    "azurerm_key_vault": _azure_at_region,
}
FOLLOW_UP = {"google_sql_database_instance": _gcp_sql_replica, "azurerm_mssql_failover_group": _azure_failover_group}
READ_ONLY = frozenset({"azurerm_mssql_server"})
# the attribute holding the name people know a resource by ("nodesqldatabase", not the Terraform name); compute
# instances are grouped by module instead
NAMED_BY = {kind: "name" for kind in MAPPERS if kind not in (
    "google_compute_instance", "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine")}
