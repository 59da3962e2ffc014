"""Terraform state or plan -> cloud regions and zones as sites, resources grouped into services.

Reads the JSON of `terraform show -json` (a state, or a plan: its planned
values) and raw `terraform.tfstate` files (format version 4).  AWS resources
are mapped here, Google Cloud and Azure ones in terraform_gcp_azure.py; every
other resource is counted and named in the header, never guessed at.  Only the mapped attributes are read: state files
hold secrets (passwords, keys), and none of them can reach the output."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..inventory.locations import catalogue
from . import Imported, ImportOptions, terraform_gcp_azure
from .common import input_files, read_json
from .terraform_blocks import block_list

OPERATORS = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Microsoft Azure"}
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")  # eu-west-1
_ZONE = re.compile(rf"({_REGION.pattern})([a-z])")  # eu-west-1a -> (eu-west-1, a)
_ARN_REGION = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")


@dataclass
class _Resource:
    address: str  # as Terraform names it: module.db.aws_db_instance.main[0]
    type: str
    name: str
    module: str  # "" for the root module, else "module.a.module.b"
    values: dict
    file: str
    provider: dict = field(default_factory=dict)  # its provider block's settings (a plan's configuration): region ...

    @property
    def region(self) -> str | None:
        """The AWS region: the resource's own (the `region` argument of provider 6.x), else where its zone or ARN
        says, else its provider block's (a plan's configuration; a state does not record it)."""
        values = self.values
        for key in ("region", "region_name"):
            if isinstance(values.get(key), str) and _REGION.fullmatch(values[key]):
                return values[key]
        zone = values.get("availability_zone")
        if isinstance(zone, str) and _ZONE.fullmatch(zone):
            return _ZONE.fullmatch(zone).group(1)
        for key in ("arn", "id"):
            match = _ARN_REGION.match(str(values.get(key, "")))
            if match:
                return match.group(1)
        configured = self.provider.get("region")
        return configured if isinstance(configured, str) and _REGION.fullmatch(configured) else None

    def setting(self, key: str):
        """A Google Cloud resource's own `region` or `zone`, else its provider block's."""
        own = self.values.get(key)
        return own if isinstance(own, str) and own else self.provider.get(key)

    def tags(self) -> dict:
        """AWS and Azure tags, or Google Cloud labels."""
        tags = self.values.get("tags_all") or self.values.get("tags") or self.values.get("labels") or {}
        return tags if isinstance(tags, dict) else {}


@dataclass
class _Service:
    name: str
    kind: str | None = None
    placements: dict[str, str] = field(default_factory=dict)  # site -> role (primary wins)
    backups: dict[str, dict] = field(default_factory=dict)  # site -> backup fields
    resources: list[str] = field(default_factory=list)

    def place(self, site: str, role: str) -> None:
        if self.placements.get(site) != "primary":
            self.placements[site] = role

    def backup(self, site: str, **fields) -> None:
        known = self.backups.setdefault(site, {"site": site})
        for key, value in fields.items():
            if key == "immutable":
                if value:  # one immutable copy at a site makes the copies there immutable
                    known[key] = True
            elif value is not None and key not in known:
                known[key] = value


def read(paths: list[str], options: ImportOptions) -> Imported:
    files = input_files(paths, (".json", ".tfstate"))
    imported = Imported("terraform", files)
    resources = [r for file in files for r in _resources(file)]
    _Estate(imported, resources, options.service_tag).build()
    return imported


# ---- reading the three shapes of input ------------------------------------------------------

def _resources(file: str) -> list[_Resource]:
    data = read_json(file)
    if not isinstance(data, dict):
        raise InputError.at(None, f"{file}: found a JSON {type(data).__name__}; expected the output of "
                                  "`terraform show -json` or a terraform.tfstate file")
    if "values" in data or "planned_values" in data:
        module = (data.get("planned_values") or data.get("values") or {}).get("root_module")
        resources = list(_module_resources(file, module or {}, "planned_values" if "planned_values" in data else "values"))
        settings = _provider_settings(data)
        for resource in resources:
            resource.provider = settings(resource)
        return resources
    if "resources" in data and "version" in data:
        if data["version"] != 4:
            raise InputError.at(None, f"{file}: found state format version {data['version']!r}; expected 4 "
                                      "(written by Terraform 0.12 and later)")
        return list(_state_resources(file, data["resources"]))
    if "format_version" in data:  # `terraform show -json` of an empty state
        return []
    raise InputError.at(None, f"{file}: found a JSON object with keys {', '.join(sorted(data)[:6])}; expected "
                              "'values' or 'planned_values' (terraform show -json) or 'version' 4 and 'resources' "
                              "(terraform.tfstate)")


def _module_resources(file: str, module: dict, path: str):
    if not isinstance(module, dict):
        raise InputError.at(None, f"{file}: {path}: found {type(module).__name__}; expected a module object")
    for i, resource in enumerate(_listed(file, f"{path}.resources", module.get("resources"))):
        where = f"{path}.resources[{i}]"
        if not isinstance(resource, dict) or not all(isinstance(resource.get(k), str) for k in ("address", "type", "name")):
            raise InputError.at(None, f"{file}: {where}: expected a resource with address, type and name")
        if resource.get("mode", "managed") != "managed":
            continue
        values = resource.get("values") or {}
        if not isinstance(values, dict):
            raise InputError.at(None, f"{file}: {where}.values: expected an object")
        module_address = module.get("address", "") if isinstance(module.get("address", ""), str) else ""
        yield _Resource(resource["address"], resource["type"], resource["name"], module_address, values, file)
    for j, child in enumerate(_listed(file, f"{path}.child_modules", module.get("child_modules"))):
        yield from _module_resources(file, child, f"{path}.child_modules[{j}]")


def _listed(file: str, where: str, value) -> list:
    """A list the state's layout calls for (absent or null: empty); anything else is an error saying where."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError.at(None, f"{file}: {where}: found {type(value).__name__}; expected a list")
    return value


def _provider_settings(data: dict):
    """For a plan: which provider block configures each resource (aliases included), and that block's constant or
    variable-given settings (region, zone).  A state holds no configuration: every resource gets {}."""
    configuration = data.get("configuration") if isinstance(data.get("configuration"), dict) else {}
    variables = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    blocks = configuration.get("provider_config") if isinstance(configuration.get("provider_config"), dict) else {}
    settings = {key: _settings(block, variables) for key, block in blocks.items() if isinstance(block, dict)}
    keys: dict[str, str] = {}  # resource address without instance keys -> its provider block's key

    def walk(module, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                keys[prefix + resource["address"]] = str(resource.get("provider_config_key", ""))
        calls = module.get("module_calls")
        for name, call in (calls.items() if isinstance(calls, dict) else ()):
            walk(call.get("module") if isinstance(call, dict) else None, f"{prefix}module.{name}.")

    walk(configuration.get("root_module"), "")

    def of(resource: _Resource) -> dict:
        key = keys.get(re.sub(r"\[[^\]]*\]", "", resource.address))
        if key is None:  # not in the configuration: the provider's default block
            key = resource.type.split("_")[0]  # aws, google, azurerm
        # a provider block of a module is keyed "module.NAME:aws"; one passed down keeps its parent's key
        return settings.get(key) or settings.get(key.rpartition(":")[2]) or {}

    return of


def _settings(block: dict, variables: dict) -> dict:
    found = {}
    expressions = block.get("expressions") if isinstance(block.get("expressions"), dict) else {}
    for key in ("region", "zone"):
        expression = expressions.get(key)
        if not isinstance(expression, dict):
            continue
        value = expression.get("constant_value")
        references = expression.get("references")
        if value is None and isinstance(references, list) and references and str(references[0]).startswith("var."):
            variable = variables.get(str(references[0])[4:])
            value = variable.get("value") if isinstance(variable, dict) else None
        if isinstance(value, str) and value:
            found[key] = value
    return found


def _state_resources(file: str, resources):
    if not isinstance(resources, list):
        raise InputError.at(None, f"{file}: resources: expected a list")
    for i, resource in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(resource, dict) or not all(isinstance(resource.get(k), str) for k in ("type", "name")):
            raise InputError.at(None, f"{file}: {where}: expected a resource with type and name")
        if resource.get("mode", "managed") != "managed":
            continue
        module = resource.get("module", "")
        for j, instance in enumerate(_listed(file, f"{where}.instances", resource.get("instances"))):
            if not isinstance(instance, dict) or not isinstance(instance.get("attributes", {}), dict):
                raise InputError.at(None, f"{file}: {where}.instances[{j}]: expected an object with attributes")
            key = instance.get("index_key")
            index = "" if key is None else f"[{key}]" if isinstance(key, int) else f'["{key}"]'
            address = f"{module + '.' if module else ''}{resource['type']}.{resource['name']}{index}"
            yield _Resource(address, resource["type"], resource["name"], module, instance.get("attributes") or {}, file)


# ---- mapping -----------------------------------------------------------------------------------

class _Estate:
    def __init__(self, imported: Imported, resources: list[_Resource], service_tag: str):
        self.imported = imported
        self.resources = resources
        self.service_tag = service_tag
        self.services: dict[str, _Service] = {}
        self.service_of: dict[str, _Service] = {}  # resource address -> its service
        self._by_arn = {r.values["arn"]: r for r in resources if isinstance(r.values.get("arn"), str)}
        self.unmapped: dict[str, int] = {}
        self.regions = catalogue()
        # buckets that replication rules write to: copies of another bucket's data, not places it serves from
        self.replica_buckets = {str(d.get("bucket", "")).removeprefix("arn:aws:s3:::")
                                for r in resources for _, rules in _replication_rules(r) for rule in rules
                                for d in block_list(rule.get("destination")) if isinstance(d, dict)}

    def at_arn(self, arn: object) -> "_Resource | None":
        """The resource with this ARN; None for anything else a state may hold there (a list, a number, null)."""
        return self._by_arn.get(arn) if isinstance(arn, str) else None

    # sites: one per region (PROVIDER-REGION), one per zone (PROVIDER-ZONE), at the region's named location
    def known_region(self, provider: str, region: str) -> bool:
        return f"{provider}:{region}" in self.regions

    def region_site(self, provider: str, region: str) -> str:
        return self._site(f"{provider}-{region}", "cloud-region", provider, region)

    def zone_site(self, provider: str, region: str, zone: str) -> str:
        return self._site(f"{provider}-{zone}", "cloud-zone", provider, region)

    def area_site(self, provider: str, area: str, description: str) -> str:
        """A multi-region location (Cloud Storage's US, EU, ASIA) that the provider does not break into regions:
        a site without a location, described."""
        name = f"{provider}-{area}"
        self.imported.sites.setdefault(name, {"kind": "cloud-region", "operator": OPERATORS[provider], "region": name,
                                              "description": description})
        return name

    def _site(self, name: str, kind: str, provider: str, region: str) -> str:
        if name not in self.imported.sites:
            fields = {"kind": kind, "location": f"{provider}:{region}", "operator": OPERATORS[provider],
                      "region": f"{provider}-{region}"}
            if not self.known_region(provider, region):
                del fields["location"]
                self.imported.gap(f"region {provider}:{region} is not in drcheck's catalogue of named locations "
                                  "(`drcheck locations`): its sites have no location")
            self.imported.sites[name] = fields
        return name

    def join(self, resource: _Resource, other: _Resource) -> _Service:
        """Count `resource` (a replica, say) as part of the service `other` belongs to."""
        service = self.service_of[other.address]
        self.service_of[resource.address] = service
        service.resources.append(resource.address)
        return service

    def service(self, resource: _Resource) -> _Service:
        found = self.service_of.get(resource.address)
        if found is None:
            tags = resource.tags()
            # Google Cloud label keys cannot hold ':': drcheck:service is written drcheck_service there
            tag = tags.get(self.service_tag, tags.get(self.service_tag.replace(":", "_")))
            own = resource.values.get(_NAMED_BY.get(resource.type, ""))
            if isinstance(tag, str) and tag.strip():
                name = tag.strip()
            elif isinstance(own, str) and own.strip():  # the identifier people know it by, not its module path
                name = own.strip()
            elif resource.module:
                name = ".".join(part for part in resource.module.split(".") if part != "module")
                name = re.sub(r"\[.*?\]", "", name)
            else:
                name = resource.name
            found = self.services.setdefault(name, _Service(name))
            self.service_of[resource.address] = found
            found.resources.append(resource.address)
        return found

    def build(self) -> None:
        for resource in self.resources:
            mapper = _MAPPERS.get(resource.type)
            if mapper is None:
                if resource.type not in _READ_ONLY:
                    self.unmapped[resource.type] = self.unmapped.get(resource.type, 0) + 1
                continue
            mapper(self, resource)
        for resource in self.resources:  # second pass: what refers to other resources
            follow = _FOLLOW_UP.get(resource.type)
            if follow is not None:
                follow(self, resource)
        self.write()

    def write(self) -> None:
        imported = self.imported
        for service in self.services.values():
            fields: dict = {}
            if service.kind:
                fields["kind"] = service.kind
            if service.placements:  # else not yet placed: the header says why
                fields["placements"] = [{"site": s, "role": r} for s, r in sorted(
                    service.placements.items(), key=lambda item: (item[1] != "primary", item[0]))]
            if service.backups:
                fields["backups"] = [service.backups[s] for s in sorted(service.backups)]
            imported.services[service.name] = fields
        used = {p["site"] for s in imported.services.values() for p in s.get("placements", [])} | {
            b["site"] for s in imported.services.values() for b in s.get("backups", [])}
        for site in [s for s in imported.sites if s not in used]:
            del imported.sites[site]
        imported.notes += [
            f"Services are resources grouped by their {self.service_tag!r} tag (--service-tag; a Google Cloud label "
            "writes ':' as '_'), else by module, else by resource name.",
            "Sites are cloud regions (PROVIDER-REGION) and zones (PROVIDER-ZONE) at their region's named location.",
        ]
        for gap in (
            "tier, owner, rto, rpo and dr (strategy, last test): not in Terraform",
            "depends_on: Terraform's references are not runtime dependencies",
            "zones: AWS and Azure zone names are the account's own (eu-west-1a, or Azure's zone 1, need not be "
            "the same zone in another account), and no provider publishes where zones are",
            "restore_tested: not in Terraform",
        ):
            imported.gap(gap)
        for kind, count in sorted(self.unmapped.items()):
            imported.gap(f"{count} {kind} resource(s): not mapped by drcheck")


# ---- AWS resources ------------------------------------------------------------------------------

def _zone_site(estate: _Estate, zone) -> str | None:
    match = _ZONE.fullmatch(zone) if isinstance(zone, str) else None
    return estate.zone_site("aws", match.group(1), zone) if match else None


def _region_site(estate: _Estate, region: str) -> str:
    return estate.region_site("aws", region)


def _zone_or_region(estate: _Estate, r: _Resource) -> str | None:
    """The site of a resource's availability_zone; without one (a plan, where AWS chooses it at creation), its
    region's; without either, None.  The header says which."""
    site = _zone_site(estate, r.values.get("availability_zone"))
    if site is not None:
        return site
    if r.region is None:
        estate.imported.gap(f"{r.address}: no availability_zone or region in the input, so not placed")
        return None
    estate.imported.gap(f"{r.address}: no availability_zone in the input (in a plan, AWS chooses it at creation), "
                        "so placed at its region")
    return _region_site(estate, r.region)


def _instance(estate: _Estate, r: _Resource) -> None:
    site = _zone_or_region(estate, r)
    if site is not None:
        estate.service(r).place(site, "primary")


def _retention_backup(estate: _Estate, r: _Resource, service: _Service, days_key: str, frequency: str | None) -> None:
    """Automated backups that AWS keeps in the resource's region for as many days as `days_key` says (0: none)."""
    days = r.values.get(days_key)
    if r.region and isinstance(days, (int, str)) and str(days).isdigit() and int(days) > 0:
        service.backup(_region_site(estate, r.region), frequency=frequency)


def _at_region(estate: _Estate, r: _Resource, kind: str | None = None) -> _Service | None:
    """A regional service (SQS, Lambda, EKS's control plane ...): AWS spreads it over the region's zones."""
    if r.region is None:
        estate.imported.gap(f"{r.address}: no region, ARN or provider region in the input, so not placed")
        return None
    service = estate.service(r)
    service.kind = kind or service.kind
    service.place(_region_site(estate, r.region), "primary")
    return service


def _db_instance(estate: _Estate, r: _Resource) -> None:
    values = r.values
    source = values.get("replicate_source_db")
    if isinstance(source, str) and source:
        return  # a read replica: placed with its source in the second pass
    service = estate.service(r)
    service.kind = "data"
    site = _zone_or_region(estate, r)
    if site is None:
        return
    service.place(site, "primary")
    if values.get("multi_az") is True:
        # the standby's zone is chosen by AWS and not recorded: the region is all that is known
        service.place(_region_site(estate, r.region), "standby")
        estate.imported.gap("the standby zone of a Multi-AZ RDS instance: AWS does not record it in Terraform, so "
                            "the standby is placed at the region's site (aws-REGION), not at a zone")
    # automated backups: a daily snapshot and the transaction logs, uploaded every 5 minutes
    _retention_backup(estate, r, service, "backup_retention_period", "5m")


def _db_replica(estate: _Estate, r: _Resource) -> None:
    source = r.values.get("replicate_source_db")
    if not isinstance(source, str) or not source:
        return
    primary = estate.at_arn(source) or next(
        (x for x in estate.resources if x.type == "aws_db_instance" and x.values.get("identifier") == source), None)
    if primary is None or primary.address not in estate.service_of:
        estate.imported.gap(f"{r.address}: replica of {source}, which is not in the state read, so not placed")
        return
    service = estate.join(r, primary)
    site = _zone_site(estate, r.values.get("availability_zone"))
    service.place(site or _region_site(estate, r.region), "standby")


def _rds_cluster(estate: _Estate, r: _Resource) -> None:
    """Aurora, DocumentDB, Neptune: continuous backups kept for backup_retention_period days (at least 1)."""
    service = estate.service(r)
    service.kind = "data"
    _retention_backup(estate, r, service, "backup_retention_period", "5m" if r.type == "aws_rds_cluster" else None)


def _rds_cluster_instance(estate: _Estate, r: _Resource) -> None:
    cluster_type = r.type.removesuffix("_instance")
    cluster = next((x for x in estate.resources if x.type == cluster_type
                    and x.values.get("cluster_identifier") == r.values.get("cluster_identifier")), None)
    service = estate.service(cluster) if cluster is not None else estate.service(r)
    estate.service_of[r.address] = service
    service.kind = "data"
    site = _zone_or_region(estate, r)
    if site is None:
        return
    writer = r.values.get("writer")
    if writer is None:
        estate.imported.gap(f"{r.address}: the state does not say whether it is the writer; placed as standby")
    service.place(site, "primary" if writer is True else "standby")


def _global_cluster(estate: _Estate, r: _Resource) -> None:
    """Aurora global database: the writer cluster's region is primary, the others standbys."""
    members = block_list(r.values.get("global_cluster_members"))
    clusters = [(estate.at_arn(m.get("db_cluster_arn")), m.get("is_writer")) for m in members if isinstance(m, dict)]
    services = [estate.service_of.get(c.address) for c, _ in clusters if c is not None]
    if not services or services[0] is None:
        return
    service = services[0]
    for cluster, is_writer in clusters:
        if cluster is None or estate.service_of.get(cluster.address) is None:
            continue
        member = estate.service_of[cluster.address]
        if member is not service:  # one global database is one service, whatever its clusters are tagged
            for site, role in member.placements.items():
                service.place(site, "primary" if is_writer is True and role == "primary" else "standby")
            for site, backup in member.backups.items():
                service.backup(site, **{k: v for k, v in backup.items() if k != "site"})
            member.placements.clear()
            member.backups.clear()
        elif is_writer is not True:
            for site in list(member.placements):
                member.placements[site] = "standby"


def _dynamodb_table(estate: _Estate, r: _Resource) -> None:
    service = estate.service(r)
    service.kind = "data"
    region = r.region
    if region is None:
        estate.imported.gap(f"{r.address}: no region or arn in the state, so not placed")
        return
    service.place(_region_site(estate, region), "primary")
    for replica in block_list(r.values.get("replica")):
        if isinstance(replica, dict) and _REGION.fullmatch(str(replica.get("region_name"))):
            # global tables take writes in every replica region
            service.place(_region_site(estate, replica["region_name"]), "primary")
    recovery = block_list(r.values.get("point_in_time_recovery"))
    if any(isinstance(p, dict) and p.get("enabled") is True for p in recovery):
        # continuous backups, kept by AWS in the table's region
        service.backup(_region_site(estate, region))


def _elasticache_group(estate: _Estate, r: _Resource) -> None:
    service = estate.service(r)
    listed = [(zone, _zone_site(estate, zone)) for zone in block_list(r.values.get("preferred_cache_cluster_azs"))]
    sites = [site for _, site in listed if site is not None]
    not_zones = [repr(zone) for zone, site in listed if site is None]
    if not_zones:  # a region name, say: no node is there, and the first real zone still holds the primary
        estate.imported.gap(f"{r.address}: preferred_cache_cluster_azs holds {', '.join(not_zones)}, which is no "
                            "availability zone; placed only at the zones it lists")
    if not sites:
        estate.imported.gap(f"{r.address}: no preferred_cache_cluster_azs in the state, so its zones are unknown; "
                            "placed at its region")
        if r.region:
            service.place(_region_site(estate, r.region), "primary")
        return
    # the first zone listed is where the primary node is created; the others hold replicas
    for i, site in enumerate(sites):
        service.place(site, "primary" if i == 0 else "standby")
    _retention_backup(estate, r, service, "snapshot_retention_limit", "1d")


def _elasticache_cluster(estate: _Estate, r: _Resource) -> None:
    if r.values.get("replication_group_id"):
        return  # a member of a replication group, placed with it
    site = _zone_site(estate, r.values.get("availability_zone"))
    service = estate.service(r)
    if site is not None:
        service.place(site, "primary")
    _retention_backup(estate, r, service, "snapshot_retention_limit", "1d")


def _redshift(estate: _Estate, r: _Resource) -> None:
    service = estate.service(r)
    service.kind = "data"
    site = _zone_or_region(estate, r)
    if site is None:
        return
    service.place(site, "primary")
    if r.values.get("multi_az") is True:
        service.place(_region_site(estate, r.region), "standby")
    # automated snapshots about every eight hours (or 5 GB of changes), kept automated_snapshot_retention_period days
    _retention_backup(estate, r, service, "automated_snapshot_retention_period", "8h")


def _autoscaling_group(estate: _Estate, r: _Resource) -> None:
    zones = [z for z in block_list(r.values.get("availability_zones")) if isinstance(z, str)]
    if not zones:  # subnets only (vpc_zone_identifier): their zones are in other resources
        estate.imported.gap(f"{r.address}: its zones are those of its subnets, which drcheck does not read; "
                            "placed at its region")
        _at_region(estate, r)
        return
    for zone in zones:
        site = _zone_site(estate, zone)
        if site is not None:
            estate.service(r).place(site, "primary")


def _secret(estate: _Estate, r: _Resource) -> None:
    """Secrets Manager's `replica` blocks: read-only copies in other regions, promoted by hand."""
    service = _at_region(estate, r)
    for replica in block_list(r.values.get("replica")):
        if service is not None and isinstance(replica, dict) and _REGION.fullmatch(str(replica.get("region"))):
            service.place(_region_site(estate, replica["region"]), "standby")


def _kms_replica(estate: _Estate, r: _Resource) -> None:
    primary = estate.at_arn(r.values.get("primary_key_arn"))
    if primary is None or primary.address not in estate.service_of or r.region is None:
        estate.imported.gap(f"{r.address}: replica of a key that is not in the input, so not placed")
        return
    estate.join(r, primary).place(_region_site(estate, r.region), "standby")


def _rds_backup_replication(estate: _Estate, r: _Resource) -> None:
    """Cross-region automated backups: snapshots and transaction logs copied to this resource's region."""
    source = estate.at_arn(r.values.get("source_db_instance_arn"))
    service = estate.service_of.get(source.address) if source is not None else None
    if service is None or r.region is None:
        estate.imported.gap(f"{r.address}: its source DB instance or its region is not in the input")
        return
    service.backup(_region_site(estate, r.region))


def _s3_bucket(estate: _Estate, r: _Resource) -> None:
    if str(r.values.get("bucket", "")) in estate.replica_buckets:
        return  # a backup of its source bucket (see _s3_replication)
    service = estate.service(r)
    service.kind = "data"
    if r.region is None:
        estate.imported.gap(f"{r.address}: no region in the state, so not placed")
        return
    service.place(_region_site(estate, r.region), "primary")


def _bucket_by_name(estate: _Estate, name_or_arn) -> _Resource | None:
    name = str(name_or_arn or "").removeprefix("arn:aws:s3:::")
    return next((x for x in estate.resources if x.type == "aws_s3_bucket" and x.values.get("bucket") == name), None)


def _locked_buckets(estate: _Estate) -> set[str]:
    locked = {x.values.get("bucket") for x in estate.resources
              if x.type == "aws_s3_bucket_object_lock_configuration"}
    return locked | {x.values.get("bucket") for x in estate.resources
                     if x.type == "aws_s3_bucket" and x.values.get("object_lock_enabled") is True}


def _replication_rules(r: _Resource) -> list[tuple[str, list[dict]]]:
    """(source bucket, replication rules) of a replication resource, or of a bucket that writes them inline
    (`replication_configuration`, AWS provider 3 and later still)."""
    if r.type == "aws_s3_bucket_replication_configuration":
        blocks = [(r.values.get("bucket"), block_list(r.values.get("rule")))]
    elif r.type == "aws_s3_bucket":
        blocks = [(r.values.get("bucket"), block_list(c.get("rules"))) for c in block_list(
            r.values.get("replication_configuration")) if isinstance(c, dict)]
    else:
        return []
    return [(str(bucket or ""), [rule for rule in rules if isinstance(rule, dict)]) for bucket, rules in blocks]


def _s3_replication(estate: _Estate, r: _Resource) -> None:
    """Replication rules copy objects to another bucket: a copy of the data where that bucket is."""
    for bucket, rules in _replication_rules(r):
        _replicate(estate, r, bucket, rules)


def _replicate(estate: _Estate, r: _Resource, bucket: str, rules: list[dict]) -> None:
    source = _bucket_by_name(estate, bucket)
    if source is None or source.address not in estate.service_of:
        estate.imported.gap(f"{r.address}: source bucket {bucket} is not in the state read")
        return
    service = estate.service_of[source.address]
    locked = _locked_buckets(estate)
    for rule in rules:
        if rule.get("status") != "Enabled":
            continue
        for destination in block_list(rule.get("destination")):
            target = _bucket_by_name(estate, destination.get("bucket") if isinstance(destination, dict) else None)
            if target is None or target.region is None:
                estate.imported.gap(f"{r.address}: replication destination is not in the state read")
                continue
            service.backup(_region_site(estate, target.region), media="object",
                           immutable=target.values.get("bucket") in locked)


def _backup_schedule(expression) -> str | None:
    """The interval of an AWS Backup schedule, where the cron expression says it plainly (hourly, daily, weekly)."""
    match = re.fullmatch(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)", str(expression or "").strip())
    if not match:
        return None
    minute, hour, day, month, weekday, year = match.groups()
    if not minute.isdigit() or month != "*" or year != "*":
        return None
    if hour == "*" and day in ("*", "?") and weekday in ("*", "?"):
        return "1h"
    if hour.isdigit() and day in ("*", "?") and weekday in ("*", "?"):
        return "1d"
    if hour.isdigit() and day == "?" and re.fullmatch(r"[A-Z]{3}|[1-7]", weekday):
        return "1w"
    return None


def _backup_plans(estate: _Estate, r: _Resource) -> None:
    """aws_backup_selection: the resources a plan protects get a copy in each vault its rules write to."""
    plan = next((x for x in estate.resources if x.type == "aws_backup_plan" and x.values.get("id") == r.values.get("plan_id")), None)
    if plan is None:
        estate.imported.gap(f"{r.address}: its backup plan is not in the state read")
        return
    arns = block_list(r.values.get("resources"))
    protected = [x for x in map(estate.at_arn, arns) if x is not None]
    for condition in block_list(r.values.get("selection_tag")):
        if isinstance(condition, dict) and condition.get("type") == "STRINGEQUALS":
            protected += [x for x in estate.resources if x.tags().get(condition.get("key")) == condition.get("value")]
    if "*" in arns:
        estate.imported.gap(f"{r.address}: selects every resource ('*'); only resources named by ARN or tag are mapped")
    vaults = {x.values.get("name"): x for x in estate.resources if x.type == "aws_backup_vault"}
    locks = {x.values.get("backup_vault_name"): x for x in estate.resources
             if x.type == "aws_backup_vault_lock_configuration"}
    for rule in block_list(plan.values.get("rule")):
        if not isinstance(rule, dict):
            continue
        frequency = _backup_schedule(rule.get("schedule"))
        named = f"{plan.address} rule {rule['rule_name']}" if isinstance(rule.get("rule_name"), str) else \
            f"{plan.address} (a rule without a name)"
        if frequency is None:
            said = (f"schedule {rule['schedule']!r} has no plain interval" if isinstance(rule.get("schedule"), str)
                    else "no schedule")
            estate.imported.gap(f"{named}: {said}, so no frequency is given")
        targets = [vaults.get(rule.get("target_vault_name"))]
        targets += [estate.at_arn(c.get("destination_vault_arn")) for c in block_list(rule.get("copy_action"))
                    if isinstance(c, dict)]
        for vault in targets:
            if vault is None or vault.region is None:
                estate.imported.gap(f"{named}: a vault it writes to is not in the state read")
                continue
            lock = locks.get(vault.values.get("name"))
            # only a lock in compliance mode (one with a grace period, changeable_for_days) binds the root user too
            immutable = lock is not None and lock.values.get("changeable_for_days") not in (None, 0, "")
            for resource in protected:
                service = estate.service_of.get(resource.address)
                if service is not None:
                    service.backup(_region_site(estate, vault.region), frequency=frequency, immutable=immutable)


def _data_at_region(estate: _Estate, r: _Resource) -> None:
    _at_region(estate, r, "data")


_MAPPERS = {
    **terraform_gcp_azure.MAPPERS,
    "aws_instance": _instance,
    "aws_autoscaling_group": _autoscaling_group,
    "aws_lambda_function": _at_region,
    "aws_eks_cluster": _at_region,
    "aws_ecs_cluster": _at_region,
    "aws_db_instance": _db_instance,
    "aws_rds_cluster": _rds_cluster,
    "aws_rds_cluster_instance": _rds_cluster_instance,
    "aws_docdb_cluster": _rds_cluster,
    "aws_docdb_cluster_instance": _rds_cluster_instance,
    "aws_neptune_cluster": _rds_cluster,
    "aws_neptune_cluster_instance": _rds_cluster_instance,
    "aws_redshift_cluster": _redshift,
    "aws_dynamodb_table": _dynamodb_table,
    "aws_elasticache_replication_group": _elasticache_group,
    "aws_elasticache_cluster": _elasticache_cluster,
    "aws_s3_bucket": _s3_bucket,
    "aws_efs_file_system": _data_at_region,
    "aws_msk_cluster": _at_region,
    "aws_mq_broker": _at_region,
    "aws_sqs_queue": _at_region,
    "aws_sns_topic": _at_region,
    "aws_kinesis_stream": _at_region,
    "aws_kms_key": _at_region,
    "aws_secretsmanager_secret": _secret,
}
_FOLLOW_UP = {
    **terraform_gcp_azure.FOLLOW_UP,
    "aws_db_instance": _db_replica,
    "aws_rds_global_cluster": _global_cluster,
    "aws_s3_bucket": _s3_replication,
    "aws_s3_bucket_replication_configuration": _s3_replication,
    "aws_backup_selection": _backup_plans,
    "aws_db_instance_automated_backups_replication": _rds_backup_replication,
    "aws_kms_replica_key": _kms_replica,
}
# the attribute holding the name people know a resource by; compute instances are grouped by module instead
_NAMED_BY = {
    **terraform_gcp_azure.NAMED_BY,
    "aws_db_instance": "identifier", "aws_rds_cluster": "cluster_identifier", "aws_docdb_cluster": "cluster_identifier",
    "aws_neptune_cluster": "cluster_identifier", "aws_redshift_cluster": "cluster_identifier",
    "aws_dynamodb_table": "name", "aws_elasticache_replication_group": "replication_group_id",
    "aws_elasticache_cluster": "cluster_id", "aws_s3_bucket": "bucket", "aws_efs_file_system": "creation_token",
    "aws_autoscaling_group": "name", "aws_lambda_function": "function_name", "aws_eks_cluster": "name",
    "aws_ecs_cluster": "name", "aws_msk_cluster": "cluster_name", "aws_mq_broker": "broker_name",
    "aws_sqs_queue": "name", "aws_sns_topic": "name", "aws_kinesis_stream": "name", "aws_secretsmanager_secret": "name",
}
# read by the mappers above, not services of their own
_READ_ONLY = frozenset(_FOLLOW_UP) | terraform_gcp_azure.READ_ONLY | {"aws_backup_plan", "aws_backup_vault", "aws_backup_vault_lock_configuration",
                                      "aws_s3_bucket_object_lock_configuration"}
