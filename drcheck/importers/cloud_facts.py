"""What managed cloud services do by themselves, as their providers document it: the facts the Terraform mappers
need beyond a resource's own attributes.  docs/importers.md lists each with its source."""
from __future__ import annotations

# Azure region pairs: GRS and GZRS storage, geo-redundant SQL and PostgreSQL backups and Cosmos DB's geo-redundant
# backup storage copy to the pair.  Source: learn.microsoft.com/azure/reliability/cross-region-replication-azure
# (a few pairs are one-way: West US 3 -> East US, Brazil South -> South Central US, West India -> South India).
_PAIRS = (
    ("eastus", "westus"), ("eastus2", "centralus"), ("northcentralus", "southcentralus"),
    ("westus2", "westcentralus"), ("canadacentral", "canadaeast"), ("northeurope", "westeurope"),
    ("uksouth", "ukwest"), ("francecentral", "francesouth"), ("germanywestcentral", "germanynorth"),
    ("switzerlandnorth", "switzerlandwest"), ("norwayeast", "norwaywest"), ("swedencentral", "swedensouth"),
    ("uaenorth", "uaecentral"), ("southafricanorth", "southafricawest"), ("centralindia", "southindia"),
    ("eastasia", "southeastasia"), ("japaneast", "japanwest"), ("koreacentral", "koreasouth"),
    ("australiaeast", "australiasoutheast"), ("australiacentral", "australiacentral2"),
)
AZURE_PAIR = {**{a: b for a, b in _PAIRS}, **{b: a for a, b in _PAIRS},
              "westus3": "eastus", "brazilsouth": "southcentralus", "westindia": "southindia"}

# Cloud Storage predefined dual-regions and their two regions.  Source: cloud.google.com/storage/docs/locations
GCS_DUAL_REGIONS = {
    "asia1": ("asia-northeast1", "asia-northeast2"),
    "eur4": ("europe-north1", "europe-west4"),
    "nam4": ("us-central1", "us-east1"),
}
# Cloud Storage multi-regions: data in at least two regions of the area, at least 100 miles (160 km) apart, which
# Google does not name.  Source: cloud.google.com/storage/docs/locations
GCS_MULTI_REGIONS = {"us": "the United States", "eu": "the European Union", "asia": "Asia"}


def cloud_sql_backup_area(region: str) -> str | None:
    """The multi-region where Cloud SQL keeps a region's backups when backup_configuration.location is unset: the
    one geographically closest (cloud.google.com/sql/docs/mysql/backup-recovery/backups, "Custom and default
    locations").  Only the regions inside a multi-region are answered; for the others "closest" is not said."""
    for prefix, area in (("us-", "us"), ("europe-", "eu"), ("asia-", "asia")):
        if region.startswith(prefix):
            return area
    return None


# Spanner instance configurations: the read-write regions of each (the first the default leader), without
# read-only and witness regions.  Source: cloud.google.com/spanner/docs/instance-configurations
SPANNER_CONFIGS = {
    "nam3": ("us-east4", "us-east1"),
    "nam6": ("us-central1", "us-east1"),
    "eur3": ("europe-west1", "europe-west4"),
    "eur6": ("europe-west4", "europe-west3"),
    "asia1": ("asia-northeast1", "asia-northeast2"),
}
