"""`drcheck import SOURCE PATH...`: each source's mapping, the header of gaps, determinism, located errors,
no secrets copied, and the round trip import -> validate -> audit."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import drcheck
from drcheck.errors import InputError
from drcheck.importers import ImportOptions, run_import

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TERRAFORM = FIXTURES / "terraform"
BACKSTAGE = FIXTURES / "backstage"
CSV = FIXTURES / "csv"
NETBOX = FIXTURES / "netbox"


def imported(tmp_path, *args, name="out.yaml"):
    """Run `drcheck import ARGS -o FILE` and return (text, parsed YAML); the output must validate on its own."""
    out = tmp_path / name
    result = drcheck("import", *args, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert drcheck("validate", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def header(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))


def audit(path, *extra):
    """The findings of an audit whose gate fails (both round trips below find critical or high findings)."""
    result = drcheck("audit", path, "--format", "json", "--as-of", "2026-11-01", *extra)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["findings"]


def finding(findings, rule, subject):
    [found] = [f for f in findings if f["rule"] == rule and f["subject"] == subject]
    return found


# ---- backstage ---------------------------------------------------------------------------------

def test_backstage_components_and_resources_become_services_with_their_dependencies(tmp_path):
    text, inventory = imported(tmp_path, "backstage", BACKSTAGE / "catalog-info.yaml")
    services = inventory["services"]
    assert sorted(services) == ["audio-files", "auth", "player-api", "recommendations", "tracks-db", "users-db"]
    player = services["player-api"]
    # dependsOn, the API it consumes (provided by auth), dependencyOf from audio-files, and the soft annotation
    assert player["depends_on"] == ["audio-files", "auth", {"service": "recommendations", "hard": False}, "tracks-db"]
    assert (player["tier"], player["rto"], player["rpo"], player["owner"]) == (0, "15m", "0", "playback")
    assert player["dr"] == {"strategy": "active-active", "last_tested": "2026-06-02"}
    assert services["tracks-db"]["kind"] == services["audio-files"]["kind"] == "data"  # database and s3-bucket
    assert services["auth"]["kind"] == "ops" and services["auth"]["owner"] == "identity"
    assert all("placements" not in s for s in services.values()) and "sites" not in inventory
    # metadata: description, tags, and what Backstage says beyond drcheck's fields under x-backstage
    assert (player["description"], player["tags"]) == ("Streams tracks to the apps", ["java", "playback"])
    assert player["x-backstage"] == {"system": "listening", "lifecycle": "production", "type": "service"}
    said = header(text)
    assert "#   teams/playback.yaml" in said.replace(str(BACKSTAGE) + "/", "")  # the Location was followed
    assert "placements and sites: a catalogue does not say where services run" in said
    assert "tier: 3 of 6 services" in said
    assert "dependency component:feature-store (dependsOn of recommendations) is not in the catalogue read" in said


def test_backstage_location_targets_not_checked_out_are_listed_and_the_rest_is_read(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: org}\n"
        "spec:\n  targets: [./payments/catalog-info.yaml, ./not-cloned/catalog-info.yaml]\n", encoding="utf-8")
    (tmp_path / "payments").mkdir()
    (tmp_path / "payments" / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: payments}\nspec: {type: service}\n",
        encoding="utf-8")
    text, inventory = imported(tmp_path, "backstage", tmp_path / "catalog-info.yaml")
    assert list(inventory["services"]) == ["payments"]
    assert (f"Location org ({tmp_path / 'catalog-info.yaml'}:5:12): target './not-cloned/catalog-info.yaml' matches no "
            "file under") in header(text)


def test_backstage_component_references_in_consumes_apis_and_subcomponents_become_dependencies(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text("""\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, consumesApis: [component:pricing, api:tax-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pricing}
spec: {type: service}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: tax}
spec: {type: service, providesApis: [tax-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: cart-widget}
spec: {type: library, subcomponentOf: checkout}
""", encoding="utf-8")
    _, inventory = imported(tmp_path, "backstage", tmp_path / "catalog-info.yaml")
    # consumesApis: component:pricing is that component, api:tax-api is whoever provides it; the whole needs its part
    assert inventory["services"]["checkout"]["depends_on"] == ["cart-widget", "pricing", "tax"]
    assert "depends_on" not in inventory["services"]["cart-widget"]


def test_backstage_import_is_byte_for_byte_deterministic(tmp_path):
    first, _ = imported(tmp_path, "backstage", BACKSTAGE, name="a.yaml")
    second, _ = imported(tmp_path, "backstage", BACKSTAGE, name="b.yaml")
    assert first == second


def test_backstage_links_keep_web_and_mail_addresses_only(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  links:\n"
        "    - {url: 'https://runbooks.example/x', title: Runbook}\n    - {url: 'mailto:x-team@example.org'}\n"
        "    - {url: 'javascript:alert(1)', title: Bad}\n", encoding="utf-8")
    text, inventory = imported(tmp_path, "backstage", tmp_path / "catalog-info.yaml")
    assert inventory["services"]["x"]["links"] == {"Runbook": "https://runbooks.example/x",
                                                   "mailto:x-team@example.org": "mailto:x-team@example.org"}
    assert "link 'javascript:alert(1)' of x: not an http(s) or mailto URL, left out" in header(text)


def test_a_source_that_contradicts_itself_writes_nothing_and_says_why(tmp_path):
    (tmp_path / "services.csv").write_text("Name,Strategy,Primary\nweb,active-active,dc1\n", encoding="utf-8")
    (tmp_path / "sites.csv").write_text("Site\ndc1\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(
        "services: {file: services.csv, name: Name, columns: {dr.strategy: Strategy, placements.primary: Primary}}\n"
        "sites: {file: sites.csv, name: Site}\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = drcheck("import", "csv", tmp_path / "services.csv", tmp_path / "sites.csv", "--mapping",
                     tmp_path / "mapping.yaml", "-o", out)
    assert result.returncode == 2 and not out.exists()
    assert "drcheck import csv: the inventory it would write is not valid, so nothing was written:" in result.stderr
    assert "active-active" in result.stderr


@pytest.mark.parametrize("document, message", [
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  annotations:\n"
     "    drcheck.io/tier: critical\n", "6:22: tier: found 'critical'; expected 0, 1, 2 or 3"),
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  annotations:\n"
     "    drcheck.io/rto: soon\n", "6:21: rto: found 'soon'; expected a duration"),
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  annotations:\n"
     "    drcheck.io/tear: '1'\n", "6:5: unknown annotation 'drcheck.io/tear'; expected one of: drcheck.io/tier"),
    ("apiVersion: backstage.io/v1alpha1\nmetadata: {name: x}\n", "1:1: found an entity without 'kind'"),
    ("kind: Component\nmetadata: {name: x}\n---\n- a list\n", "1:1: found an entity without 'apiVersion'"),
    ("apiVersion: v1\nkind: Component\nmetadata: {name: [x]}\n", "3:11: found metadata without a name"),
    ("apiVersion: v1\nkind: Component\nmetadata: {name: x}\nspec: {subcomponentOf: [a, b]}\n",
     "4:24: spec.subcomponentOf: expected one entity reference"),
    ("apiVersion: v1\nkind: Location\nmetadata: {name: l}\nspec: {targets: ./other.yaml}\n",
     "4:17: spec.targets: expected a list of paths of catalog files"),  # not 'target '.' matches no file'
    ("a: [unclosed\n", "invalid YAML"),
    ("apiVersion: v1\nkind: Component\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Component\nmetadata: {name: x}\n",
     "7:18: component 'x' is defined twice: here and at"),
])
def test_bad_backstage_input_is_exit_2_with_file_line_and_column(tmp_path, document, message):
    path = tmp_path / "catalog-info.yaml"
    path.write_text(document, encoding="utf-8")
    result = drcheck("import", "backstage", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and str(path) in result.stderr, result.stderr


# ---- terraform ---------------------------------------------------------------------------------

def test_terraform_state_maps_aws_resources_to_sites_services_and_backups(tmp_path):
    text, inventory = imported(tmp_path, "terraform", TERRAFORM / "show-state.json")
    sites, services = inventory["sites"], inventory["services"]
    assert sites["aws-eu-west-1a"] == {"kind": "cloud-zone", "location": "aws:eu-west-1", "operator": "AWS",
                                       "region": "aws-eu-west-1"}
    assert sites["aws-eu-central-1"]["kind"] == "cloud-region"
    # Multi-AZ: the standby's zone is not in Terraform, so it is at the region; the cross-region replica at its zone
    assert services["orders"]["placements"] == [{"site": "aws-eu-west-1a", "role": "primary"},
                                                {"site": "aws-eu-central-1a", "role": "standby"},
                                                {"site": "aws-eu-west-1", "role": "standby"}]
    # AWS Backup: nightly into the main vault, copied to the locked (compliance-mode) vault in eu-central-1; RDS's
    # own automated backups upload the transaction logs every 5 minutes, in the instance's region
    assert services["orders"]["backups"] == [{"site": "aws-eu-central-1", "frequency": "1d", "immutable": True},
                                             {"site": "aws-eu-west-1", "frequency": "5m"}]
    assert services["orders"]["kind"] == "data"
    assert services["storefront"]["placements"] == [{"site": "aws-eu-west-1a", "role": "primary"},
                                                    {"site": "aws-eu-west-1b", "role": "primary"}]
    assert services["carts"]["placements"] == [{"site": "aws-eu-central-1", "role": "primary"},
                                               {"site": "aws-eu-west-1", "role": "primary"}]  # a global table
    assert services["assets"]["placements"] == [{"site": "aws-eu-west-1", "role": "primary"}]
    assert services["assets"]["backups"] == [{"site": "aws-eu-central-1", "media": "object", "immutable": True}]
    assert services["ledger"]["placements"] == [{"site": "aws-eu-west-1a", "role": "primary"},
                                                {"site": "aws-eu-west-1c", "role": "standby"}]
    assert services["sessions"]["placements"] == [{"site": "aws-eu-west-1b", "role": "primary"},
                                                  {"site": "aws-eu-west-1c", "role": "standby"}]
    said = header(text)
    assert "the standby zone of a Multi-AZ RDS instance: AWS does not record it" in said
    assert "1 aws_iam_role resource(s): not mapped by drcheck" in said
    assert "tier, owner, rto, rpo and dr (strategy, last test): not in Terraform" in said


def test_terraform_never_copies_secrets_from_the_state(tmp_path):
    text, _ = imported(tmp_path, "terraform", TERRAFORM)
    source = (TERRAFORM / "show-state.json").read_text(encoding="utf-8")
    for secret in ("hunter2-never-copied", "do-not-copy-this-token", "not-this-either", "c2VjcmV0LXRva2VuPXMzY3IzdA==",
                   "210987654321", "orders_admin"):
        assert secret in source and secret not in text


def test_terraform_reads_raw_state_files_and_plans(tmp_path):
    _, raw = imported(tmp_path, "terraform", TERRAFORM / "batch.tfstate", name="raw.yaml")
    assert raw["services"] == {"batch": {"placements": [{"site": "aws-us-east-1d", "role": "primary"}]}}
    plan = {"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {"root_module": {"resources": [
        {"address": "aws_dynamodb_table.sessions", "mode": "managed", "type": "aws_dynamodb_table", "name": "sessions",
         "values": {"name": "sessions", "region": "ap-northeast-2", "tags": {"drcheck:service": "login"},
                    "replica": [{"region_name": "ap-northeast-1"}]}}]}},
        "resource_changes": [], "configuration": {}}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    _, planned = imported(tmp_path, "terraform", tmp_path / "plan.json", name="plan.yaml")
    assert planned["services"]["login"]["placements"] == [{"site": "aws-ap-northeast-1", "role": "primary"},
                                                          {"site": "aws-ap-northeast-2", "role": "primary"}]
    assert planned["sites"]["aws-ap-northeast-2"]["location"] == "aws:ap-northeast-2"


def test_terraform_service_tag_can_be_named(tmp_path):
    state = {"version": 4, "resources": [{"mode": "managed", "type": "aws_instance", "name": "a", "instances": [
        {"attributes": {"availability_zone": "eu-north-1a", "tags": {"app": "search"}}}]}]}
    (tmp_path / "s.tfstate").write_text(json.dumps(state), encoding="utf-8")
    _, inventory = imported(tmp_path, "terraform", tmp_path / "s.tfstate", "--service-tag", "app")
    assert list(inventory["services"]) == ["search"]


def test_a_region_among_the_zones_of_an_elasticache_group_leaves_its_primary_in_the_first_zone(tmp_path):
    state = {"version": 4, "resources": [{"mode": "managed", "type": "aws_elasticache_replication_group",
                                          "name": "sessions", "instances": [{"attributes": {
                                              "arn": "arn:aws:elasticache:eu-west-1:1:replicationgroup:sessions",
                                              "preferred_cache_cluster_azs": ["eu-west-1", "eu-west-1b", "eu-west-1c"]}}]}]}
    (tmp_path / "s.tfstate").write_text(json.dumps(state), encoding="utf-8")
    text, inventory = imported(tmp_path, "terraform", tmp_path / "s.tfstate")
    assert inventory["services"]["sessions"]["placements"] == [{"site": "aws-eu-west-1b", "role": "primary"},
                                                               {"site": "aws-eu-west-1c", "role": "standby"}]
    assert ("aws_elasticache_replication_group.sessions: preferred_cache_cluster_azs holds 'eu-west-1', which is "
            "no availability zone") in header(text)


@pytest.mark.parametrize("content, message", [
    ('{"version": 3, "resources": []}', "found state format version 3; expected 4"),
    ('{"hello": "world"}', "found a JSON object with keys hello; expected 'values' or 'planned_values'"),
    ('[1, 2]', "found a JSON list; expected the output of `terraform show -json`"),
    ('{"version": 4,\n "resources": [}', ":2:16: invalid JSON"),
    ("", ":1:1: the file is empty; expected JSON"),
    ("\n  \n", ":1:1: the file is empty; expected JSON"),
    ('{"values": {"root_module": {"resources": [{"type": "aws_instance"}]}}}',
     "values.resources[0]: expected a resource with address, type and name"),
    ('{"values": {"root_module": {"resources": true}}}', "values.resources: found bool; expected a list"),
    ('{"values": {"root_module": {"child_modules": {"a": 1}}}}', "values.child_modules: found dict; expected a list"),
    ('{"version": 4, "resources": [{"type": "aws_instance", "name": "a", "instances": 5}]}',
     "resources[0].instances: found int; expected a list"),
])
def test_bad_terraform_input_is_exit_2_saying_what_and_where(tmp_path, content, message):
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    result = drcheck("import", "terraform", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and str(path) in result.stderr, result.stderr


# ---- csv ---------------------------------------------------------------------------------------

def test_csv_rows_become_services_and_sites_through_the_mapping(tmp_path):
    text, inventory = imported(tmp_path, "csv", CSV / "services.csv", CSV / "sites.csv", "--mapping", CSV / "mapping.yaml")
    core = inventory["services"]["Core banking"]
    assert (core["tier"], core["owner"], core["rto"], core["rpo"]) == (0, "core-team", "1h", "5m")
    assert core["placements"] == [{"site": "Seoul DC1", "role": "primary"}, {"site": "Busan DC2", "role": "standby"}]
    assert core["depends_on"] == ["Customer DB", "Auth"]
    assert inventory["services"]["Customer DB"]["backups"] == [{"site": "Daejeon vault", "frequency": "1d", "media": "tape"}]
    assert "rpo" not in inventory["services"]["Auth"]  # an empty cell says nothing
    assert inventory["sites"]["Busan DC2"]["location"] == "azure:koreasouth"
    assert inventory["sites"]["Seoul DC1"] == {"location": [37.5665, 126.978], "building": "seoul-b1",
                                               "operator": "Acme DC", "power": ["KEPCO-Gangnam"]}
    assert "rpo: 2 of 4 services (no column mapped, or the cell is empty)" in header(text)


@pytest.mark.parametrize("services, message", [
    ("Application,Criticality,Data centre\nWeb,Urgent,Seoul DC1\n", "services.csv:2:1: column 'Criticality': tier: found 'Urgent'"),
    ("Application,Data centre\nWeb,Nowhere\n",
     "services.csv:2:1: service 'Web' is placed or backed up at site 'Nowhere', which no CSV row defines"),
    ("Application,Data centre\nWeb,Seoul DC1\nApp,Seoul DC1\nShop,Nowhere\n", "services.csv:4:1: service 'Shop'"),
    ("Application,Data centre\nWeb,Seoul DC1\nWeb,Seoul DC1\n", "services.csv:3:1: service 'Web' appears on two rows"),
    ("App,Data centre\nWeb,Seoul DC1\n", "no column 'Application'; the header has: App, Data centre"),
])
def test_bad_csv_input_is_exit_2_saying_what_and_where(tmp_path, services, message):
    (tmp_path / "services.csv").write_text(services, encoding="utf-8")
    (tmp_path / "sites.csv").write_text("Site,Coordinates\nSeoul DC1,\"37.5, 127.0\"\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(
        "services:\n  file: services.csv\n  name: Application\n  columns: {placements.primary: Data centre, tier: Criticality}\n"
        "  values: {tier: {Critical: 0}}\n"
        "sites: {file: sites.csv, name: Site, columns: {location: Coordinates}}\n", encoding="utf-8")
    if "Criticality" not in services:
        text = (tmp_path / "mapping.yaml").read_text().replace(", tier: Criticality", "")
        (tmp_path / "mapping.yaml").write_text(text, encoding="utf-8")
    result = drcheck("import", "csv", tmp_path / "services.csv", tmp_path / "sites.csv", "--mapping", tmp_path / "mapping.yaml")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def test_csv_needs_a_mapping_and_checks_it(tmp_path):
    assert "--mapping FILE is required" in drcheck("import", "csv", CSV / "services.csv").stderr
    (tmp_path / "m.yaml").write_text("services:\n  name: Application\n  columns: {tyre: Criticality}\n", encoding="utf-8")
    result = drcheck("import", "csv", CSV / "services.csv", "--mapping", tmp_path / "m.yaml")
    assert result.returncode == 2 and f"{tmp_path / 'm.yaml'}:3:13: services.columns: unknown field 'tyre'" in result.stderr


# ---- netbox ------------------------------------------------------------------------------------

def test_netbox_sites_keep_coordinates_facility_region_feeds_and_carriers(tmp_path):
    text, inventory = imported(tmp_path, "netbox", NETBOX)
    # the two utility feeds recorded into panel PP-A (they reach no rack); the facility is no operator
    assert inventory["sites"]["pangyo-idc"] == {
        "location": [37.4005, 127.107], "region": "KR Capital",
        "power": ["PP-A/KEPCO-Seongnam-1", "PP-A/KEPCO-Seongnam-2"], "network": ["KT", "SK Broadband"],
        "description": "Main IDC", "x-netbox": {"facility": "Example DC Co Pangyo"}}
    assert inventory["sites"]["gasan-idc"]["network"] == ["KT"]  # a NetBox 4.2 termination
    assert inventory["sites"]["busan-dr"] == {"region": "KR Southeast"}  # no coordinates, no facility: left out
    assert "location: 1 of 3 sites have no latitude and longitude in NetBox" in header(text)


class _NetBox(BaseHTTPRequestHandler):
    """A stand-in for a NetBox API: two pages of sites, nothing else, and only for the right token."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.headers.get("Authorization") != "Token s3cret":
            return self._send(403, {"detail": "Invalid token"})
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path.startswith("/api/dcim/sites/") and "offset=1" not in self.path:
            site = {"id": 1, "url": f"{base}/api/dcim/sites/1/", "name": "hq", "latitude": 48.2, "longitude": 16.37,
                    "facility": "Vienna DC", "region": None}
            return self._send(200, {"count": 2, "next": f"{base}/api/dcim/sites/?limit=1&offset=1", "results": [site]})
        if self.path.startswith("/api/dcim/sites/"):
            site = {"id": 2, "url": f"{base}/api/dcim/sites/2/", "name": "dr", "latitude": 47.07, "longitude": 15.44}
            return self._send(200, {"count": 2, "next": None, "results": [site]})
        return self._send(200, {"count": 0, "next": None, "results": []})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def netbox_server():
    server = HTTPServer(("127.0.0.1", 0), _NetBox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_netbox_live_follows_pages_with_the_token(netbox_server, monkeypatch):
    monkeypatch.setenv("NETBOX_URL", netbox_server)
    monkeypatch.setenv("NETBOX_TOKEN", "s3cret")
    result = run_import("netbox", [], ImportOptions())
    assert result.sites == {"hq": {"location": [48.2, 16.37], "x-netbox": {"facility": "Vienna DC"}},
                            "dr": {"location": [47.07, 15.44]}}
    assert result.inputs == [f"{netbox_server}/api/ (live)"]


def test_netbox_live_refusal_is_an_error_without_the_token(netbox_server, monkeypatch):
    monkeypatch.setenv("NETBOX_URL", netbox_server)
    monkeypatch.setenv("NETBOX_TOKEN", "wrong")
    with pytest.raises(InputError) as refused:
        run_import("netbox", [], ImportOptions())
    assert str(refused.value) == f"NETBOX_URL: GET {netbox_server}/api/dcim/sites/: HTTP 403 Forbidden"
    assert "wrong" not in str(refused.value)


def test_netbox_live_never_writes_credentials_from_the_url(netbox_server, monkeypatch):
    monkeypatch.setenv("NETBOX_URL", netbox_server.replace("http://", "http://admin:pw@") + "/?x=1")
    monkeypatch.setenv("NETBOX_TOKEN", "s3cret")
    assert run_import("netbox", [], ImportOptions()).inputs == [f"{netbox_server}/api/ (live)"]
    monkeypatch.setenv("NETBOX_URL", "ftp://netbox")
    with pytest.raises(InputError, match="expected http"):
        run_import("netbox", [], ImportOptions())
    monkeypatch.setenv("NETBOX_URL", netbox_server)
    monkeypatch.setenv("NETBOX_TOKEN", "s3cret")
    assert run_import("netbox", [], ImportOptions()).inputs == [f"{netbox_server}/api/ (live)"]


def test_netbox_files_of_kinds_drcheck_does_not_model_are_counted(tmp_path):
    racks = {"count": 1, "next": None, "results": [{"id": 1, "url": "https://nb/api/dcim/racks/1/", "name": "R1"}]}
    (tmp_path / "racks.json").write_text(json.dumps(racks), encoding="utf-8")
    text, _ = imported(tmp_path, "netbox", NETBOX / "sites.json", tmp_path / "racks.json")
    assert "1 racks object(s): read, not mapped" in header(text)


def dumpdata(model: str, pk: int, **fields) -> dict:
    return {"model": model, "pk": pk, "fields": fields}


def test_netbox_dumpdata_fixtures_are_read_and_rack_feeds_leave_their_panel_the_single_feed(tmp_path):
    # `manage.py dumpdata` records: foreign keys are primary keys, decimals are text, other models are counted
    records = [
        dumpdata("dcim.region", 1, name="North America", slug="north-america", parent=None),
        dumpdata("dcim.site", 24, name="MDF", slug="ncsu-065", status="active", region=1, facility="065",
                 latitude="35.771500", longitude="-78.673800", description=""),
        dumpdata("dcim.site", 25, name="Butler", slug="ncsu-but", status="active", region=1, facility="BUT",
                 latitude=None, longitude=None, description=""),
        dumpdata("dcim.powerpanel", 1, site=24, location=None, name="Panel 1"),
        *[dumpdata("dcim.powerfeed", 100 + n, power_panel=1, rack=n + 1, name=f"P1-{n + 1}A", status="active",
                   type="primary", supply="ac", phase="single-phase", voltage=120, amperage=20) for n in range(48)],
        dumpdata("circuits.provider", 3, name="Level 3", slug="level-3"),
        dumpdata("circuits.circuit", 7, cid="DEOW4921", provider=3, type=1, status="active"),
        dumpdata("circuits.circuittermination", 9, circuit=7, term_side="A", termination_type=["dcim", "site"],
                 termination_id=25),
        dumpdata("extras.tag", 1, name="Alpha", slug="alpha"),
        dumpdata("users.token", 1, key="never-written"),
    ]
    (tmp_path / "netbox-demo-data.json").write_text(json.dumps(records), encoding="utf-8")
    text, inventory = imported(tmp_path, "netbox", tmp_path / "netbox-demo-data.json")
    assert inventory["sites"]["MDF"] == {"location": [35.7715, -78.6738], "region": "North America",
                                         "power": ["MDF/Panel 1"], "x-netbox": {"facility": "065"}}
    assert inventory["sites"]["Butler"] == {"region": "North America", "network": ["Level 3"],
                                            "x-netbox": {"facility": "BUT"}}
    assert "2 record(s) of kinds drcheck does not read (1 extras.tag, 1 users.token)" in header(text)
    assert "None" not in text and "never-written" not in text
    # the panel is the one feed upstream of all 48 racks: losing it takes the site
    (tmp_path / "services.yaml").write_text("version: 1\nservices:\n  erp: {placements: [{site: MDF}]}\n",
                                            encoding="utf-8")
    result = drcheck("simulate", tmp_path, "--fail", "power=MDF/Panel 1", "--format", "json")  # both .yaml files
    assert json.loads(result.stdout)["scenarios"][0]["down"] == ["erp"]


def test_netbox_rest_records_are_recognised_by_their_fields_whatever_the_file_is_called(tmp_path):
    page = {"count": 2, "next": None, "previous": None, "results": [
        {"id": 1, "name": "ams1", "slug": "ams1", "facility": "AMS-01", "latitude": 52.3, "longitude": 4.9,
         "region": None, "time_zone": "Europe/Amsterdam"},
        {"id": 5, "name": "Feed A", "power_panel": {"id": 2, "name": "PP-1"}, "rack": None}]}
    panels = [{"id": 2, "name": "PP-1", "site": {"id": 1, "name": "ams1"}, "powerfeed_count": 1}]
    (tmp_path / "export-2026-12-01.json").write_text(json.dumps(page), encoding="utf-8")
    (tmp_path / "panels-export.json").write_text(json.dumps(panels), encoding="utf-8")
    devices = {"results": [{"id": 3, "url": "https://nb.example/api/dcim/devices/3/", "name": "sw1"}]}
    (tmp_path / "devices.json").write_text(json.dumps(devices), encoding="utf-8")
    text, inventory = imported(tmp_path, "netbox", tmp_path / "export-2026-12-01.json", tmp_path / "panels-export.json",
                               tmp_path / "devices.json")
    assert "1 record(s) of kinds drcheck does not read (1 dcim/devices)" in header(text)
    assert inventory["sites"] == {"ams1": {"location": [52.3, 4.9], "power": ["PP-1/Feed A"],
                                           "x-netbox": {"facility": "AMS-01"}}}


def test_a_netbox_record_of_no_known_kind_is_refused_saying_what_it_holds_never_none(tmp_path):
    (tmp_path / "export.json").write_text(json.dumps([{"id": 1, "name": "x"}]), encoding="utf-8")
    result = drcheck("import", "netbox", tmp_path / "export.json")
    assert result.returncode == 2 and "None" not in result.stderr
    assert "item 0: cannot tell what kind of NetBox object it is (no url; its fields are id, name)" in result.stderr


def test_netbox_without_files_or_environment_says_what_it_needs():
    result = drcheck("import", "netbox")
    assert result.returncode == 2 and "set NETBOX_URL and NETBOX_TOKEN" in result.stderr


def test_an_unknown_source_is_exit_2():
    result = drcheck("import", "puppet", "x")
    assert result.returncode == 2 and "unknown import source 'puppet'; expected one of: backstage, terraform, netbox, csv" in result.stderr


# ---- round trips: import -> validate -> audit -------------------------------------------------

def test_terraform_round_trip_gives_the_findings_a_user_would_expect(tmp_path):
    imported(tmp_path, "terraform", TERRAFORM)
    findings = audit(tmp_path / "out.yaml")
    # two zones of one region: no known distance, so unknown rather than a pass or a 0 km failure
    too_close = [f for f in findings if f["rule"] == "dr-site-too-close" and f["subject"] == "service:storefront"]
    assert too_close and all(f["status"] == "unknown" and f["evidence"]["region"] == "aws:eu-west-1" for f in too_close)
    # DynamoDB point-in-time recovery is kept in the table's own region site
    carts = finding(findings, "backup-colocated", "service:carts")
    assert carts["status"] == "fail" and carts["evidence"]["backups"][0]["site"] == "aws-eu-west-1"
    # the orders database has a copy in the locked vault of another region: its backups are not colocated
    assert not [f for f in findings if f["rule"] == "backup-colocated" and f["subject"] == "service:orders"]
    # a catalogue-free import knows no tiers: every service is tier 2, and losing AWS takes everything
    blast = finding(findings, "blast-radius", "domain:operator=AWS")
    assert blast["status"] == "fail"


def test_csv_round_trip_finds_the_shared_building_and_passes_the_distant_standby(tmp_path):
    imported(tmp_path, "csv", CSV / "services.csv", CSV / "sites.csv", "--mapping", CSV / "mapping.yaml")
    findings = audit(tmp_path / "out.yaml")
    building = [f for f in findings if f["rule"] == "dr-shares-building" and f["subject"] == "service:Branch portal"]
    assert building and all("building seoul-b1" in f["message"] for f in building)
    assert not [f for f in findings if f["rule"] == "dr-site-too-close" and f["subject"] == "service:Core banking"]
    assert finding(findings, "no-dr", "service:Auth")["severity"] == "high"


def test_terraform_maps_google_cloud_and_azure_resources(tmp_path):
    text, inventory = imported(tmp_path, "terraform", FIXTURES / "terraform-gcp-azure" / "show-state.json")
    sites, services = inventory["sites"], inventory["services"]
    assert sites["gcp-europe-west1-b"] == {"kind": "cloud-zone", "location": "gcp:europe-west1",
                                           "operator": "Google Cloud", "region": "gcp-europe-west1"}
    assert sites["azure-westeurope-1"]["location"] == "azure:westeurope"
    # labels stand for tags on Google Cloud (drcheck_service); a regional Cloud SQL names its standby zone
    assert services["web"]["placements"] == [{"site": "gcp-europe-west1-b", "role": "primary"},
                                             {"site": "gcp-europe-west1-c", "role": "primary"}]
    assert services["orders"]["placements"] == [{"site": "gcp-europe-west1-b", "role": "primary"},
                                                {"site": "gcp-europe-west1-c", "role": "standby"},
                                                {"site": "gcp-europe-west3-a", "role": "standby"}]
    assert services["orders"]["backups"] == [{"site": "gcp-europe-west4", "frequency": "1d"}]
    # a multi-region bucket is at its multi-region, with Google's copy in a second region of it that Google does not name
    assert services["media"] == {"kind": "data", "placements": [{"site": "gcp-eu", "role": "primary"}],
                                 "backups": [{"site": "gcp-eu-second-region", "media": "object"}]}
    assert "location" not in sites["gcp-eu"] and "location" not in sites["gcp-eu-second-region"]
    assert services["docs"]["backups"] == [{"site": "azure-northeurope", "media": "object"}]  # GRS
    assert services["carts"]["placements"] == [{"site": "azure-westeurope", "role": "primary"},
                                               {"site": "azure-northeurope", "role": "standby"}]
    assert services["ledger"]["placements"] == [{"site": "azure-westeurope", "role": "primary"},
                                                {"site": "azure-northeurope", "role": "standby"}]
    source = (FIXTURES / "terraform-gcp-azure" / "show-state.json").read_text(encoding="utf-8")
    for secret in ("AAAA-not-copied", "gcp-root-password-not-copied", "azure-admin-password-not-copied",
                   "azure-storage-key-not-copied", "sql-password-not-copied"):
        assert secret in source and secret not in text


def test_a_region_missing_from_the_catalogue_gives_a_site_without_location(tmp_path):
    state = {"version": 4, "resources": [{"mode": "managed", "type": "aws_instance", "name": "a", "instances": [
        {"attributes": {"availability_zone": "xx-mars-1a", "tags": {}}}]}]}
    (tmp_path / "s.tfstate").write_text(json.dumps(state), encoding="utf-8")
    text, inventory = imported(tmp_path, "terraform", tmp_path / "s.tfstate")
    assert inventory["sites"]["aws-xx-mars-1a"] == {"kind": "cloud-zone", "operator": "AWS", "region": "aws-xx-mars-1"}
    assert "region aws:xx-mars-1 is not in drcheck's catalogue of named locations" in header(text)


# ---- what every import's input may look like ---------------------------------------------------

def test_a_utf16_file_with_broken_text_is_located_and_said_to_look_like_a_powershell_redirect(tmp_path):
    # a description mangled on its way through a console: its closing quote eaten, the string runs into the next line
    text = '{"format_version": "1.0",\n "values": {"root_module": {"resources": [\n  {"description": "\u00ec\u0084\u009c\u00eb\u00b9\n  }]}}}\n'
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = drcheck("import", "terraform", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}:3:" in result.stderr and "invalid JSON" in result.stderr
    assert "UTF-16, as Windows PowerShell's `>` writes it" in result.stderr
    assert "Out-File -Encoding utf8" in result.stderr


def test_a_utf8_file_with_the_same_fault_gets_no_powershell_hint(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"values": {"root_module": {"resources": [}}}', encoding="utf-8")
    result = drcheck("import", "terraform", path)
    assert result.returncode == 2 and "invalid JSON" in result.stderr and "PowerShell" not in result.stderr


@pytest.mark.parametrize("source, given", [
    ("terraform", ["state/show.json"]),
    ("terraform", ["./state"]),
    ("backstage", ["./catalog/catalog-info.yaml"]),
])
def test_the_header_records_each_input_as_given_not_as_an_absolute_path(tmp_path, source, given):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "show.json").write_text(json.dumps({"format_version": "1.0", "values": {
        "root_module": {"resources": []}}}), encoding="utf-8")
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\nspec: {type: service}\n",
        encoding="utf-8")
    result = drcheck("import", source, *given, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    recorded = [line[4:] for line in lines[1:lines.index("#")]]
    expected = {"./state": ["state/show.json"]}.get(given[0], given)
    assert recorded == expected
    assert str(tmp_path) not in result.stdout


def test_no_gap_in_any_header_shows_a_python_none(tmp_path):
    # attributes a hand-edited state or an unusual export may lack, each of which once reached a message
    state = {"version": 4, "resources": [
        {"mode": "managed", "type": "aws_backup_plan", "name": "p", "instances": [{"attributes": {
            "id": "plan-1", "rule": [{"rule_name": None, "schedule": None, "target_vault_name": "v"}]}}]},
        {"mode": "managed", "type": "aws_backup_selection", "name": "s", "instances": [{"attributes": {
            "plan_id": "plan-1", "resources": []}}]},
        {"mode": "managed", "type": "google_container_cluster", "name": "gke", "instances": [{"attributes": {
            "name": "apps", "location": None}}]}]}
    (tmp_path / "s.tfstate").write_text(json.dumps(state), encoding="utf-8")
    text, _ = imported(tmp_path, "terraform", tmp_path / "s.tfstate")
    assert "aws_backup_plan.p (a rule without a name): no schedule, so no frequency is given" in header(text)
    assert "google_container_cluster.gke: no location or provider region in the input, so not placed" in header(text)
    assert "None" not in text
    (tmp_path / "feeds.json").write_text(json.dumps([{"id": None, "power_panel": {"id": 9}, "rack": None}]),
                                         encoding="utf-8")
    text, _ = imported(tmp_path, "netbox", tmp_path / "feeds.json", name="netbox.yaml")
    assert "power feed 'id unknown': its panel is not in the data read" in header(text) and "None" not in text
