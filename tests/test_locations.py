"""The catalogue of named cloud locations, and `location: PROVIDER:REGION` in inventories."""
import itertools
import json
import math

import pytest

from conftest import drcheck

from drcheck.inventory.locations import PROVIDERS, catalogue, closest_names

# Coarse boxes (lat min, lat max, lon min, lon max) around each country's territory that holds a region.
COUNTRY_BOXES = {
    "AE": (22.5, 26.5, 51.0, 56.5), "AT": (46.3, 49.1, 9.5, 17.2), "AU": (-44.0, -10.0, 112.0, 154.0),
    "BE": (49.4, 51.6, 2.5, 6.5), "DK": (54.5, 57.8, 8.0, 15.2),
    "BH": (25.5, 26.5, 50.3, 50.9), "BR": (-34.0, 5.5, -74.0, -34.0), "CA": (41.5, 70.0, -141.0, -52.0),
    "CH": (45.8, 47.9, 5.9, 10.6), "CL": (-56.0, -17.0, -76.0, -66.0), "DE": (47.2, 55.1, 5.8, 15.1),
    "ES": (36.0, 43.9, -9.4, 3.4), "FI": (59.7, 70.1, 20.5, 31.6), "FR": (41.3, 51.1, -5.2, 9.6),
    "GB": (49.9, 58.7, -8.2, 1.8), "HK": (22.1, 22.6, 113.8, 114.5), "ID": (-11.0, 6.0, 95.0, 141.0),
    "IE": (51.4, 55.4, -10.5, -6.0), "IL": (29.5, 33.3, 34.2, 35.9), "IN": (6.5, 35.5, 68.0, 97.5),
    "IT": (36.6, 47.1, 6.6, 18.6), "JP": (24.0, 45.6, 122.9, 146.0), "KR": (33.1, 38.6, 124.6, 131.0),
    "MX": (14.5, 32.7, -117.2, -86.7), "MY": (0.8, 7.4, 99.6, 119.3), "NL": (50.7, 53.6, 3.3, 7.3),
    "NO": (57.9, 71.2, 4.6, 31.1), "NZ": (-47.3, -34.4, 166.4, 178.6), "PL": (49.0, 54.9, 14.1, 24.2),
    "QA": (24.4, 26.2, 50.7, 51.7), "SA": (16.3, 32.2, 34.5, 55.7), "SE": (55.3, 69.1, 11.0, 24.2),
    "SG": (1.15, 1.48, 103.6, 104.1), "TH": (5.6, 20.5, 97.3, 105.7), "TW": (21.9, 25.3, 120.0, 122.0),
    "US": (24.5, 49.4, -125.0, -66.9), "ZA": (-34.9, -22.1, 16.4, 32.9),
}
SOURCES = {"aws": {"aws-regions"}, "gcp": {"gcp-locations"}, "azure": {"az-list-locations", "azure-geographies"}}


def _km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_catalogue_covers_the_three_providers_with_their_well_known_regions():
    regions = catalogue()
    assert {r.provider for r in regions.values()} == set(PROVIDERS)
    for name in ("aws:us-east-1", "aws:eu-west-1", "aws:ap-northeast-2", "gcp:asia-northeast3", "gcp:us-central1",
                 "azure:koreacentral", "azure:westeurope", "azure:eastus"):
        assert name in regions
    assert len([r for r in regions.values() if r.provider == "aws"]) >= 30
    assert len([r for r in regions.values() if r.provider == "gcp"]) >= 40
    assert len([r for r in regions.values() if r.provider == "azure"]) >= 50


@pytest.mark.parametrize("region", list(catalogue().values()), ids=lambda r: r.name)
def test_every_point_lies_in_its_country_and_says_where_it_comes_from(region):
    lat_min, lat_max, lon_min, lon_max = COUNTRY_BOXES[region.country]
    assert lat_min <= region.lat <= lat_max and lon_min <= region.lon <= lon_max, region
    assert (region.lat, region.lon) != (0.0, 0.0)
    assert region.source in SOURCES[region.provider]
    assert region.precision in ("metro", "area", "country") and region.metro and region.published_location


def test_no_two_regions_of_different_metros_are_within_a_few_km():
    precise = [r for r in catalogue().values() if r.precision != "country"]  # a country's stand-in point is no metro
    close = [(a.name, b.name) for a, b in itertools.combinations(precise, 2)
             if a.metro != b.metro and _km(a.coordinates, b.coordinates) < 5]
    assert close == []


def test_names_are_provider_colon_region_in_lowercase():
    for name, region in catalogue().items():
        assert name == f"{region.provider}:{region.region}" == name.lower() and " " not in name


def test_closest_names_suggest_the_likely_region():
    assert closest_names("aws:eu-west-9")[0].startswith("aws:eu-west-")
    assert "azure:koreacentral" in closest_names("azure:korea-central")
    assert all(n.startswith("gcp:") for n in closest_names("gcp:asia-northeast33"))


def test_a_named_location_gives_the_site_its_region_and_the_catalogue_point(write):
    from drcheck.audit.run import load_inventory

    path = write("""\
        version: 1
        sites:
          seoul: {kind: cloud-region, location: "azure:koreacentral"}
          busan: {kind: cloud-region, location: azure:koreasouth}
        services:
          talk:
            placements: [{site: seoul}, {site: busan, role: standby}]
        """)
    sites = load_inventory([str(path)]).sites
    assert sites["seoul"].cloud_location == "azure:koreacentral"
    assert sites["seoul"].coordinates == catalogue()["azure:koreacentral"].coordinates
    assert sites["busan"].cloud_location == "azure:koreasouth"


def test_an_unknown_named_location_is_a_located_error_suggesting_close_names(write):
    path = write("""\
        version: 1
        sites:
          dublin: {location: "aws:eu-west-9"}
        services:
          shop:
            placements: [{site: dublin}]
        """)
    result = drcheck("validate", path)
    assert result.returncode == 2
    assert f"{path}:3:22: site 'dublin'.location: found unknown cloud location 'aws:eu-west-9'" in result.stderr
    assert "aws:eu-west-1" in result.stderr and "Traceback" not in result.stderr


def test_the_json_schema_accepts_every_named_location_and_rejects_others():
    import jsonschema

    from drcheck.inventory.schema import json_schema

    schema = json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    good = {"version": 1, "sites": {"a": {"location": "gcp:asia-northeast3"}}, "services": {}}
    bad = {"version": 1, "sites": {"a": {"location": "gcp:asia-northeast33"}}, "services": {}}
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors(bad))


def test_locations_command_lists_one_provider_as_a_table_or_json():
    table = drcheck("locations", "aws")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAME", "PUBLISHED"]
    assert any(line.startswith("aws:eu-west-1 ") and "Europe (Ireland)" in line and "IE" in line for line in lines)
    assert not any(line.startswith(("gcp:", "azure:")) for line in lines)
    listed = json.loads(drcheck("locations", "--format", "json").stdout)["locations"]
    assert {entry["name"] for entry in listed} == set(catalogue())
    seoul = next(entry for entry in listed if entry["name"] == "gcp:asia-northeast3")
    assert (seoul["metro"], seoul["country"], seoul["source"]) == ("Seoul", "KR", "gcp-locations")


def test_locations_command_rejects_an_unknown_provider():
    result = drcheck("locations", "oracle")
    assert result.returncode == 2 and "expected one of: aws, gcp, azure" in result.stderr


def test_the_documentation_states_the_catalogue_counts():
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "importing.md").read_text(encoding="utf-8")
    stated = re.search(r"\((\d+)\s+AWS,\s+(\d+)\s+Google\s+Cloud\s+and\s+(\d+)\s+Azure\s+regions\)", page)
    assert stated, "docs/importing.md no longer states the catalogue's counts"
    counts = [len([r for r in catalogue().values() if r.provider == p]) for p in PROVIDERS]
    assert [int(n) for n in stated.groups()] == counts


COUNTRY_RULE = '''\
from drcheck.api import PASSED, Rule


class OutsideTheEu(Rule):
    """Data kept in a cloud region outside the EU, for a policy that keeps it inside."""

    id = "org-outside-the-eu"
    title = "Placed outside the EU"
    severity = "medium"
    remediation = "Place the service in an EU region."

    def check(self, ctx, service):
        regions = [ctx.cloud_region(p.site) for p in service.placements]
        outside = [f"{r.name} ({r.metro}, {r.country})" for r in regions if r is not None and r.country not in {"IE", "DE"}]
        unnamed = [p.site for p, r in zip(service.placements, regions) if r is None]
        return self.fail(service, ", ".join(outside), {"outside": outside, "unnamed": unnamed}) if outside else PASSED
'''


def test_a_rule_sees_the_metro_and_country_of_a_named_cloud_location(tmp_path):
    (tmp_path / "org_rules").mkdir()
    (tmp_path / "org_rules" / "outside_the_eu.py").write_text(COUNTRY_RULE, encoding="utf-8")
    (tmp_path / "inventory.yaml").write_text(
        "version: 1\nsites:\n  dublin: {location: aws:eu-west-1}\n  seoul: {location: aws:ap-northeast-2}\n"
        "  office: {location: [52.52, 13.40]}\n"
        "services:\n  shop:\n    placements: [{site: dublin}, {site: seoul, role: standby}, {site: office, role: standby}]\n"
        "  wiki:\n    placements: [{site: dublin}]\n", encoding="utf-8")
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", "--select", "org-outside-the-eu",
                     "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [(f["subject"], f["evidence"]) for f in json.loads(result.stdout)["findings"]] == [
        ("service:shop", {"outside": ["aws:ap-northeast-2 (Seoul, KR)"], "unnamed": ["office"]})]
