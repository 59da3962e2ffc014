"""Google Cloud and Azure resources of a Terraform state (see terraform.py for the reading and the AWS ones).

Each mapper reads only the attributes named here.  Where a resource's
placement is a multi-region location that the provider does not break down
(a Cloud Storage bucket in "EU"), it is said in the header, not guessed."""
from __future__ import annotations

import re

from .terraform_blocks import block_list, first_block

_GCP_ZONE = re.compile(r"([a-z]+-[a-z]+\d+)-([a-z])")  # europe-west1-b -> (europe-west1, b)


# ---- Google Cloud ------------------------------------------------------------------------------

def _gcp_zone_site(estate, zone):
    match = _GCP_ZONE.fullmatch(zone) if isinstance(zone, str) else None
    return estate.zone_site("gcp", match.group(1), zone) if match else None


def _gcp_instance(estate, r) -> None:
    site = _gcp_zone_site(estate, r.values.get("zone"))
    if site is None:
        estate.imported.gap(f"{r.address}: no zone in the state, so not placed")
        return
    estate.service(r).place(site, "primary")


def _gcp_sql(estate, r) -> None:
    values = r.values
    region = values.get("region")
    if not isinstance(region, str):
        estate.imported.gap(f"{r.address}: no region in the state, so not placed")
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
    if backup.get("enabled") is True:
        location = backup.get("location")
        if isinstance(location, str) and location and location != region:
            if estate.known_region("gcp", location):
                service.backup(estate.region_site("gcp", location), frequency="1d")
            else:
                estate.imported.gap(f"{r.address}: backups kept in {location}, a multi-region location drcheck "
                                    "cannot place")
        else:  # Cloud SQL keeps backups in the instance's multi-region by default, not in a named region
            estate.imported.gap(f"{r.address}: backups without backup_configuration.location are kept where Google "
                                "chooses, so they are left out")


def _gcp_sql_replica(estate, r) -> None:
    master, region = r.values.get("master_instance_name"), r.values.get("region")
    if not isinstance(master, str) or not master or not isinstance(region, str):
        return
    source = next((x for x in estate.resources if x.type == r.type and x.values.get("name") == master), None)
    if source is None or source.address not in estate.service_of:
        estate.imported.gap(f"{r.address}: replica of {master}, which is not in the state read, so not placed")
        return
    zone = first_block(first_block(r.values.get("settings")).get("location_preference")).get("zone")
    estate.join(r, source).place(_gcp_zone_site(estate, zone) or estate.region_site("gcp", region), "standby")


def _gcp_bucket(estate, r) -> None:
    location = str(r.values.get("location", "")).lower()
    service = estate.service(r)
    service.kind = "data"
    if estate.known_region("gcp", location):
        service.place(estate.region_site("gcp", location), "primary")
    else:
        estate.imported.gap(f"{r.address}: location {location.upper() or 'unknown'} is a multi- or dual-region, "
                            "whose regions drcheck does not place")


# ---- Azure ---------------------------------------------------------------------------------------

def _azure_region(value) -> str | None:
    """Azure accepts "West Europe" and "westeurope" alike; the catalogue uses the short name."""
    return value.replace(" ", "").lower() if isinstance(value, str) and value else None


def _azure_site(estate, region, zone=None):
    if zone:
        return estate.zone_site("azure", region, f"{region}-{zone}")
    return estate.region_site("azure", region)


def _azure_vm(estate, r) -> None:
    region = _azure_region(r.values.get("location"))
    if region is None:
        estate.imported.gap(f"{r.address}: no location in the state, so not placed")
        return
    zone = r.values.get("zone") or r.values.get("zones")
    zone = zone[0] if isinstance(zone, list) and zone else zone
    estate.service(r).place(_azure_site(estate, region, zone if isinstance(zone, str) else None), "primary")


def _azure_storage(estate, r) -> None:
    region = _azure_region(r.values.get("location"))
    if region is None:
        estate.imported.gap(f"{r.address}: no location in the state, so not placed")
        return
    service = estate.service(r)
    service.kind = "data"
    service.place(_azure_site(estate, region), "primary")
    secondary = _azure_region(r.values.get("secondary_location"))
    if secondary and str(r.values.get("account_replication_type", "")).upper() in ("GRS", "RAGRS", "GZRS", "RAGZRS"):
        # geo-redundant storage copies every write to the paired region, asynchronously
        service.backup(_azure_site(estate, secondary), media="object")


def _azure_cosmos(estate, r) -> None:
    locations = [g for g in block_list(r.values.get("geo_location")) if isinstance(g, dict)]
    if not locations:
        estate.imported.gap(f"{r.address}: no geo_location in the state, so not placed")
        return
    service = estate.service(r)
    service.kind = "data"
    multi_write = r.values.get("multiple_write_locations_enabled") or r.values.get("enable_multiple_write_locations")
    for location in sorted(locations, key=lambda g: int(g.get("failover_priority") or 0)):
        region = _azure_region(location.get("location"))
        if region is None:
            continue
        first = int(location.get("failover_priority") or 0) == 0
        service.place(_azure_site(estate, region), "primary" if first or multi_write is True else "standby")


def _azure_sql_database(estate, r) -> None:
    server = next((x for x in estate.resources if x.type == "azurerm_mssql_server"
                   and x.values.get("id") == r.values.get("server_id")), None)
    region = _azure_region((server or r).values.get("location"))
    if region is None:
        estate.imported.gap(f"{r.address}: its server's location is not in the state read, so not placed")
        return
    service = estate.service(r)
    service.kind = "data"
    service.place(_azure_site(estate, region), "primary")


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
    "google_sql_database_instance": _gcp_sql,
    "google_storage_bucket": _gcp_bucket,
    "azurerm_linux_virtual_machine": _azure_vm,
    "azurerm_windows_virtual_machine": _azure_vm,
    "azurerm_storage_account": _azure_storage,
    "azurerm_cosmosdb_account": _azure_cosmos,
    "azurerm_mssql_database": _azure_sql_database,
}
FOLLOW_UP = {"google_sql_database_instance": _gcp_sql_replica, "azurerm_mssql_failover_group": _azure_failover_group}
READ_ONLY = frozenset({"azurerm_mssql_server"})
