"""Validation of the inventory format into the model, and its published JSON Schema."""
from __future__ import annotations

import json
from datetime import date, datetime
from textwrap import dedent

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import SAMPLES, drcheck
from drcheck.errors import InputError, Location
from drcheck.inventory.loader import parse
from drcheck.inventory.model import Metadata
from drcheck.inventory.scalars import parse_duration
from drcheck.inventory.schema import MAX_PROBLEMS, build_inventory, json_schema

FILE = "inv.yaml"


def load(text: str):
    return build_inventory([parse(FILE, dedent(text))])


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as refused:
        load(text)
    return [str(p) for p in refused.value.problems]


def site_with(field: str) -> str:
    """Site a, its field on line 4; a service placed on it after."""
    return f"version: 1\nsites:\n  a:\n    {field}\nservices:\n  s: {{placements: [{{site: a}}]}}\n"


def service_with(*fields: str) -> str:
    """Service s on line 6, its placements on line 7 (one on site a unless given), then the fields."""
    if not any(f.startswith("placements:") for f in fields):
        fields = ("placements: [{site: a}]", *fields)
    lines = "".join(f"    {f}\n" for f in fields)
    return f"version: 1\nsites:\n  a: {{}}\n  b: {{}}\nservices:\n  s:\n{lines}"


# ---- coordinates ----------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["[37.4005, 127.107]", "{lat: 37.4005, lon: 127.107}", '"37.4005, 127.107"',
                                    "{lon: 127.107, lat: 37.4005}", "'37.4005 ,127.107'",
                                    "[3.74005e1, 127.107]"])
def test_three_coordinate_forms_give_lat_lon(source):
    assert load(site_with(f"location: {source}")).sites["a"].coordinates == (37.4005, 127.107)


@pytest.mark.parametrize("source, coordinates", [("[-90, -180]", (-90, -180)), ("[90, 180]", (90, 180)),
                                                 ('"-0.5,0"', (-0.5, 0)), ("[0x10, 0o10]", (16, 8)),
                                                 ("[+.5, -1.]", (0.5, -1))])
def test_coordinate_limits_are_inclusive(source, coordinates):
    assert load(site_with(f"location: {source}")).sites["a"].coordinates == coordinates


@pytest.mark.parametrize("source, found", [
    ("[91, 0]", "found latitude 91; expected latitude between -90 and 90 degrees"),
    ("[-90.5, 0]", "found latitude -90.5; expected latitude between -90 and 90 degrees"),
    ("[0, 181]", "found longitude 181; expected longitude between -180 and 180 degrees"),
    ('"0, -180.01"', "found longitude -180.01; expected longitude between -180 and 180 degrees"),
    ("[nan, 0]", "found 'nan' for latitude; expected a number of degrees"),
    ("[inf, 0]", "found 'inf' for latitude; expected a number of degrees"),
    ("[.inf, 0]", "found '.inf' for latitude; expected a number of degrees"),
    ("[1e999, 0]", "found '1e999' for latitude; expected a number of degrees"),
    ('"1_0, 2_0"', "found '1_0' for latitude; expected a number of degrees"),
    ('["١٠", 20]', "found '١٠' for latitude; expected a number of degrees"),
    ('["１０", 20]', "found '１０' for latitude; expected a number of degrees"),
    ('[" 5 ", 20]', "found ' 5 ' for latitude; expected a number of degrees"),
    ('" 5, 20"', "found ' 5' for latitude; expected a number of degrees"),
    ("[north, 0]", "found 'north' for latitude; expected a number of degrees"),
    ("[1, 2, 3]", 'found a list; expected [lat, lon], {lat: .., lon: ..} or "lat, lon"'),
    ("{lat: 1}", 'found a mapping; expected [lat, lon]'),
    ("{lat: 1, lon: 2, alt: 3}", 'found a mapping; expected [lat, lon]'),
    ('"1, 2, 3"', "found '1, 2, 3'; expected [lat, lon]"),
    ("[[1], 2]", "found a list for latitude; expected a number of degrees"),
])
def test_bad_coordinates_say_what_was_found(source, found):
    [problem] = problems(site_with(f"location: {source}"))
    assert problem.startswith(f"{FILE}:4:15: site 'a'.location: {found}")


# ---- durations, dates, booleans, tiers --------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("15m", 900), ("4h", 14400), ("2d", 172800), ("1w", 604800), ("1.5h", 5400), ("10 m", 600),
    ("PT4H", 14400), ("P1DT2H", 93600), ("PT1H30M", 5400), ("P1W", 604800), ("PT0.5S", 0.5), ("pt4h", 14400),
    ("0", 0), ("0s", 0), ("PT0S", 0), ("PT0,5H", 1800), ("P36500D", 36500 * 86400),
])
def test_durations_in_seconds(text, seconds):
    assert parse_duration(text) == seconds
    assert load(service_with(f"rto: {text}")).services["s"].rto == seconds


@pytest.mark.parametrize("text", ["soon", "5x", "PT", "P", "P1DT", "-1m", "30", "1h30m", "4 hours", "T4H", "m",
                                  "٥m", "５m", "1_0m", "P1Y", "P1M", "PT1_0H", "PT٥H", "1e3s"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)
    [problem] = problems(service_with(f"rpo: {text}"))
    assert problem.startswith(f"{FILE}:8:10: service 's'.rpo: found {text!r}; expected a duration such as 30s")


def test_dates_and_booleans():
    service = load(service_with(
        "dr: {strategy: backup-restore, last_tested: 2022-06-01}",
        "backups: [{site: b, immutable: True, offline: FALSE, restore_tested: 2024-02-29, frequency: 1d}]",
    )).services["s"]
    assert (service.strategy, service.last_tested) == ("backup-restore", date(2022, 6, 1))
    [backup] = service.backups
    assert (backup.site, backup.immutable, backup.offline) == ("b", True, False)
    assert (backup.restore_tested, backup.frequency) == (date(2024, 2, 29), 86400)


@pytest.mark.parametrize("source", ["2022-13-01", "2023-02-29", "2022-6-1", "20220601", "yesterday",
                                    "2022-06-01T10:00:00"])
def test_bad_dates_are_refused(source):
    [problem] = problems(service_with(f"dr: {{last_tested: {source}}}"))
    assert problem == f"{FILE}:8:23: service 's' dr.last_tested: found {source!r}; expected a date YYYY-MM-DD"


@pytest.mark.parametrize("source", ["yes", "no", "on", "1", "y"])
def test_yaml_1_1_booleans_are_refused(source):
    [problem] = problems(service_with(f"backups: [{{site: b, immutable: {source}}}]"))
    assert problem == f"{FILE}:8:36: service 's' backup.immutable: found {source!r}; expected true or false"


@pytest.mark.parametrize("source, tier", [("0", 0), ("3", 3), ('"1"', 1)])
def test_tiers(source, tier):
    service = load(service_with(f"tier: {source}")).services["s"]
    assert (service.tier, service.weight) == (tier, {0: 8, 1: 4, 3: 1}[tier])


@pytest.mark.parametrize("source", ["high", "4", "-1", "1.0", "00"])
def test_bad_tiers_are_refused(source):
    [problem] = problems(service_with(f"tier: {source}"))
    assert problem.startswith(f"{FILE}:8:11: service 's'.tier: found {source!r}; expected a tier 0, 1, 2 or 3")


# ---- placements, dependencies, backups, defaults -----------------------------------------------

def test_defaults():
    inventory = load("""\
        version: 1
        sites:
          a:
        services:
          s:
            placements: [{site: a}]
        """)
    site, service = inventory.sites["a"], inventory.services["s"]
    assert (site.kind, site.coordinates, site.building, site.power) == ("datacenter", None, None, [])
    assert (service.kind, service.tier, service.rto, service.strategy, service.recovery_needs) == (
        "app", 2, None, None, None)
    assert inventory.name is None


def test_placement_role_defaults_to_primary_and_positions_are_kept():
    inventory = load("""\
        version: 1
        sites:
          a: {}
          b: {}
          vault: {}
        services:
          s:
            placements:
              - site: a
              - {site: b, role: standby}
            depends_on:
              - t
              - {service: u, hard: false}
              - {service: t}
            backups:
              - {site: vault, media: tape}
          t: {placements: [{site: b}]}
          u:
            kind: external
        """)
    s = inventory.services["s"]
    assert [(p.site, p.role, p.location) for p in s.placements] == [
        ("a", "primary", Location(FILE, 9, 9)), ("b", "standby", Location(FILE, 10, 9))]
    assert [p.site for p in s.primaries] == ["a"]
    assert [(d.service, d.hard, d.location) for d in s.depends_on] == [
        ("t", True, Location(FILE, 12, 9)), ("u", False, Location(FILE, 13, 9)), ("t", True, Location(FILE, 14, 9))]
    assert [(b.site, b.media, b.location) for b in s.backups] == [("vault", "tape", Location(FILE, 16, 9))]
    assert s.location == Location(FILE, 7, 3)
    assert inventory.sites["vault"].location == Location(FILE, 5, 3)
    assert inventory.services["u"].placements == []


def test_a_site_without_campus_is_on_its_buildings_campus():
    inventory = load("""
        version: 1
        sites:
          hall-1: {building: b1}
          hall-2: {building: b1, campus: north}
          alone: {building: b2}
        services:
          web: {placements: [{site: hall-1}]}
        """)
    assert inventory.sites["hall-1"].campus == "north"
    assert inventory.sites["alone"].campus is None  # the building is its own campus


def test_two_campuses_for_one_building_name_both_places():
    assert problems("""
        version: 1
        sites:
          hall-1: {building: b1, campus: north}
          hall-2: {building: b1}
          hall-3: {building: b1, campus: south}
        services:
          web: {placements: [{site: hall-1}]}
        """) == ["inv.yaml:6:3: site 'hall-3': building 'b1' is on campus 'south' here, but on campus 'north' at "
                 "inv.yaml:4:3 (site 'hall-1'); expected one campus per building"]


@pytest.mark.parametrize("fields, problem", [
    (["placements: [{role: primary}]"], "7:18: service 's' placement: missing required field 'site'"),
    (["depends_on: [{hard: true}]"], "8:18: service 's' dependency: missing required field 'service'"),
    (["depends_on: [[x]]"], "8:18: service 's' dependency: found a list; expected a mapping (dependency)"),
    (["depends_on: x"], "8:17: service 's'.depends_on: found 'x'; expected a list of dependencies"),
    (["backups: [{site: b, media: floppy}]"], "8:32: service 's' backup.media: found 'floppy'; expected one of: disk, tape"),
    (["placements: [{site: a, role: leader}]"], "7:34: service 's' placement.role: found 'leader'; expected one of: primary, standby"),
    (["dr: {strategy: hope}"], "8:20: service 's' dr.strategy: found 'hope'; expected one of: active-active"),
    (["kind: db"], "8:11: service 's'.kind: found 'db'; expected one of: app, data, ops, external"),
    (["owner: [a]"], "8:12: service 's'.owner: found a list; expected text"),
    (["owner:"], "8:11: service 's'.owner: found nothing; expected text"),
    (["recovery_needs: deploy"], "8:21: service 's'.recovery_needs: found 'deploy'; expected a list of names"),
])
def test_bad_fields_are_located(fields, problem):
    found = problems(service_with(*fields))
    assert any(p.startswith(f"{FILE}:{problem}") for p in found), found


def test_a_service_of_any_kind_may_lack_placements_while_the_inventory_is_built():
    inventory = load("version: 1\nservices:\n  s: {kind: data}\n  x: {kind: external}\n")
    assert [(s.name, s.placements) for s in inventory.services.values()] == [("s", []), ("x", [])]


def test_empty_sections_are_allowed():
    inventory = load("version: 1\nsites:\nservices: {}\n")
    assert (inventory.sites, inventory.services) == ({}, {})


@pytest.mark.parametrize("text", ["version: 1\nsites:\nservices: {}\n", "version: 1\nsites: {a: {}}\n"])
def test_an_inventory_without_services_validates_but_is_never_audited(text, tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    assert drcheck("validate", path).returncode == 0  # a part of an inventory, such as a NetBox import
    result = drcheck("audit", path)
    assert result.returncode == 2
    assert result.stderr == (f"error: {path}:1:1: found no services; expected at least one under 'services:' (an "
                             "inventory with nothing to audit would pass every gate)\n")


def test_problems_are_capped():
    text = "version: 1\nsites:\n" + "".join(f"  s{i}: {{colour: red}}\n" for i in range(MAX_PROBLEMS + 10))
    found = problems(text)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0].startswith(f"{FILE}:3:8: site 's0': unknown field 'colour'")
    assert found[-1] == f"stopped after {MAX_PROBLEMS} problems"


# ---- JSON Schema -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def validator():
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_cli_prints_the_schema():
    result = drcheck("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout) == json_schema()
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _as_json(node):
    """What an editor's YAML reader hands the schema: dates become the ISO text they were written as."""
    if isinstance(node, dict):
        return {key: _as_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_as_json(item) for item in node]
    if isinstance(node, (date, datetime)):
        return node.isoformat()
    return node


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_samples_satisfy_the_schema(validator, sample):
    document = _as_json(yaml.safe_load(sample.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(document)] == []


VALID = {"version": 1, "sites": {"a": {"location": [37.4, 127.1]}},
         "services": {"s": {"tier": 0, "rto": "30m", "rpo": 0, "placements": [{"site": "a"}], "depends_on": ["t"]}}}


def _with(path: tuple, value) -> dict:
    document = json.loads(json.dumps(VALID))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize("path, value", [
    (("version",), 2),
    (("extra",), 1),
    (("sites", "a", "colour"), "red"),
    (("sites", "a", "location"), [91, 0]),
    (("sites", "a", "location"), {"lat": 0, "lon": 181}),
    (("sites", "a", "location"), [1, 2, 3]),
    (("sites", "a", "location"), "north"),
    (("services", "s", "tier"), 5),
    (("services", "s", "tier"), "high"),
    (("services", "s", "rto"), "soon"),
    (("services", "s", "rto"), "PT"),
    (("services", "s", "rto"), 30),
    (("services", "s", "placements"), [{"site": "a", "role": "leader"}]),
    (("services", "s", "placements"), [{"role": "primary"}]),
    (("services", "s", "depends_on"), [{"service": "t", "hard": "yes"}]),
    (("services", "s", "backups"), [{"site": "a", "media": "floppy"}]),
    (("services", "s", "dr"), {"strategy": "hope"}),
])
def test_schema_rejects_what_drcheck_rejects(validator, path, value):
    assert validator.is_valid(VALID)
    assert not validator.is_valid(_with(path, value))


def test_schema_requires_version(validator):
    assert not validator.is_valid({key: value for key, value in VALID.items() if key != "version"})


@pytest.mark.parametrize("duration", ["30s", "15m", "4h", "2d", "1w", "PT4H", "P1DT2H", "0", "0s", "pt4h"])
def test_schema_durations_match_drcheck(validator, duration):
    assert validator.is_valid(_with(("services", "s", "rto"), duration))


@pytest.mark.parametrize("path, value", [
    (("version",), "1"),
    (("sites", "b"), None),
])
def test_schema_accepts_what_drcheck_accepts(validator, path, value, tmp_path):
    document = _with(path, value)
    del document["services"]["s"]["depends_on"]  # a reference the schema cannot check
    assert validator.is_valid(document)
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump(document))
    assert drcheck("validate", inventory).returncode == 0


@pytest.mark.parametrize("text", ['" 5m "', '"5m "', "1" + "0" * 400 + "s", "P" + "9" * 400 + "D", "P36501D", "1e999s"])
def test_padded_and_overflowing_durations_are_refused_with_their_place(text):
    [problem] = problems(service_with(f"rto: {text}"))
    assert problem.startswith(f"{FILE}:8:10: service 's'.rto: found ")
    assert "expected a duration" in problem


def test_a_duration_past_a_century_says_so():
    [problem] = problems(service_with("rpo: P99999999D"))
    assert problem == f"{FILE}:8:10: service 's'.rpo: found 'P99999999D'; expected a duration of at most 36500d (a century)"


@pytest.mark.parametrize("field, column, found", [
    ("kind: [app]", 11, "service 's'.kind: found a list; expected one of: app, data, ops, external"),
    ("kind: {app: 1}", 11, "service 's'.kind: found a mapping; expected one of: app, data, ops, external"),
    ("dr: {strategy: [none]}", 20, "service 's' dr.strategy: found a list; expected one of: active-active"),
    ("backups: [{site: b, media: {tape: 1}}]", 32, "service 's' backup.media: found a mapping; expected one of: disk"),
    ("placements: [{site: a, role: [primary]}]", 34, "service 's' placement.role: found a list; expected one of: primary"),
    ("placements: [{site: null}]", 25, "service 's' placement.site: found nothing; expected text"),
    ("placements: [{site: [a]}]", 25, "service 's' placement.site: found a list; expected text"),
    ("placements: [{site: {a: 1}}]", 25, "service 's' placement.site: found a mapping; expected text"),
    ("backups: [{site: ~}]", 22, "service 's' backup.site: found nothing; expected text"),
    ("depends_on: [{service: null}]", 28, "service 's' dependency.service: found nothing; expected text"),
    ("depends_on: [{service: [s]}]", 28, "service 's' dependency.service: found a list; expected text"),
    ("dr: {replication: semi}", 23, "service 's' dr.replication: found 'semi'; expected one of: asynchronous, synchronous"),
])
def test_a_list_mapping_or_nothing_where_a_name_or_choice_belongs_is_a_located_error(field, column, found):
    fields = (field,) if field.startswith("placements") else ("placements: [{site: a}]", field)
    line = 7 if field.startswith("placements") else 8
    [problem] = problems(service_with(*fields))
    assert problem.startswith(f"{FILE}:{line}:{column}: {found}")


# ---- contradictions -----------------------------------------------------------------------------

@pytest.mark.parametrize("fields, problem", [
    (["placements: [{site: a}, {site: b}, {site: a, role: standby}]"],
     "7:40: service 's' placement: a second placement on site 'a' (first at inv.yaml:7:18); expected one placement "
     "per site: two on one site add no disaster recovery"),
    (["placements: [{site: a, role: standby}, {site: b, role: standby}]"],
     "7:18: service 's' placements: found only standbys; expected a primary (role: primary, the default) where it "
     "serves in normal operation"),
    (["placements: [{site: a}, {site: b, role: standby}]", "dr: {strategy: active-active}"],
     "8:9: service 's' dr.strategy: found active-active with primaries on 1 site(s); expected primaries on two or "
     "more sites, or the strategy the standbys give (warm-standby, pilot-light)"),
])
def test_contradictions_are_located_errors(fields, problem):
    assert problems(service_with(*fields)) == [f"{FILE}:{problem}"]


def test_an_override_can_make_a_contradiction_and_is_judged_with_it():
    text = service_with("placements: [{site: a}, {site: b}]", "dr: {strategy: active-active}")
    assert load(text).services["s"].strategy == "active-active"
    patched = text + "overrides:\n  services:\n    s: {placements: [{site: a}, {site: b, role: standby}]}\n"
    assert problems(patched) == [f"{FILE}:8:9: service 's' dr.strategy: found active-active with primaries on 1 "
                                 "site(s); expected primaries on two or more sites, or the strategy the standbys give "
                                 "(warm-standby, pilot-light)"]


def test_a_service_not_yet_placed_contradicts_nothing():
    text = "version: 1\nsites: {a: {}}\nservices:\n  okta: {kind: external, dr: {strategy: active-active}}\n"
    assert load(text).services["okta"].placements == []


# ---- metadata -------------------------------------------------------------------------------------

METADATA_TEXT = """\
version: 1
description: production estate
tags: [prod]
links: {wiki: "https://wiki.example/dr"}
x-cost-centre: {code: 42}
sites:
  a: {description: main hall, tags: [dc, seoul], x-rack-count: 12}
services:
  web:
    placements: [{site: a}]
    description: front door
    links: {runbook: "https://runbooks.example/web", owner: "mailto:web@example.com"}
    x-pagerduty: P123
"""


def test_metadata_is_kept_on_sites_services_and_the_inventory():
    inventory = load(METADATA_TEXT)
    assert inventory.metadata == Metadata("production estate", ("prod",), {"wiki": "https://wiki.example/dr"},
                                          {"x-cost-centre": {"code": "42"}})
    assert inventory.sites["a"].metadata == Metadata("main hall", ("dc", "seoul"), {}, {"x-rack-count": "12"})
    web = inventory.services["web"].metadata
    assert (web.description, web.links["owner"], web.extensions) == ("front door", "mailto:web@example.com",
                                                                     {"x-pagerduty": "P123"})


@pytest.mark.parametrize("field, problem", [
    ("links: {run: 'javascript:alert(1)'}", "4:18: site 'a' links.run: found 'javascript:alert(1)'; expected an "
                                            "http://, https:// or mailto: URL"),
    ("links: [https://x]", "4:12: site 'a'.links: found a list; expected a mapping of names to URLs"),
    ("tags: prod", "4:11: site 'a'.tags: found 'prod'; expected a list of names"),
    ("description: [x]", "4:18: site 'a'.description: found a list; expected text"),
    ("y-rack: 1", "4:5: site 'a': unknown field 'y-rack'; expected one of: kind"),
])
def test_bad_metadata_is_a_located_error(field, problem):
    [found] = problems(site_with(field))
    assert found.startswith(f"{FILE}:{problem}")


def test_two_files_may_not_describe_the_inventory_differently():
    first = parse("a.yaml", "version: 1\ndescription: prod\nservices: {s: {kind: external}}\n")
    second = parse("b.yaml", "version: 1\ndescription: staging\n")
    with pytest.raises(InputError) as refused:
        build_inventory([first, second])
    assert str(refused.value) == ("b.yaml:2:14: description: found another value than at a.yaml:2:14; expected one "
                                  "description for the inventory, in any one of its files")


def test_the_schema_takes_metadata_as_drcheck_does(validator):
    document = yaml.safe_load(METADATA_TEXT)
    assert validator.is_valid(document)
    document["sites"]["a"]["links"] = {"x": "javascript:alert(1)"}
    assert not validator.is_valid(document)


def test_replication_is_asynchronous_unless_declared_and_an_override_can_declare_it():
    text = service_with("placements: [{site: a}, {site: b, role: standby}]", "dr: {strategy: warm-standby}")
    assert load(text).services["s"].replication == "asynchronous"
    patched = text + "overrides:\n  services:\n    s: {dr: {replication: synchronous}}\n"
    service = load(patched).services["s"]
    assert (service.replication, service.strategy) == ("synchronous", "warm-standby")
