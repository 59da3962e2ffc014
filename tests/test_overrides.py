"""`overrides:` patch sites and services defined in any file; services may be not yet placed (SPEC 1 and 7)."""
import json
import textwrap

from conftest import drcheck
from drcheck.audit.run import load_inventory
from drcheck.errors import InputError

import pytest

IMPORTED = """\
    version: 1
    sites:
      euw1-az1: {kind: cloud-zone, location: "aws:eu-west-1", region: aws-eu-west-1}
      euw2: {kind: cloud-region, location: "aws:eu-west-2"}
    services:
      artist-lookup:
        tier: 2
        owner: catalogue-team
        placements: [{site: euw1-az1}]
        dr: {strategy: backup-restore, last_tested: 2025-01-10}
        depends_on: [artists-db]
      artists-db:
        kind: data
        placements: [{site: euw1-az1}]
    """


def _files(tmp_path, **texts):
    for name, text in texts.items():
        (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_overrides_patch_fields_across_files_deep_merging_dr_and_replacing_lists(tmp_path):
    _files(tmp_path, imported=IMPORTED, kept="""\
        version: 1
        overrides:
          services:
            artist-lookup:
              tier: 0
              rto: 15m
              dr: {strategy: warm-standby}
              placements: [{site: euw1-az1}, {site: euw2, role: standby}]
          sites:
            euw1-az1: {building: dub-az1}
        """)
    inventory = load_inventory([str(tmp_path)])
    lookup = inventory.services["artist-lookup"]
    assert (lookup.tier, lookup.rto, lookup.owner) == (0, 900.0, "catalogue-team")
    assert (lookup.strategy, str(lookup.last_tested)) == ("warm-standby", "2025-01-10")  # dr merged field by field
    assert [(p.site, p.role) for p in lookup.placements] == [("euw1-az1", "primary"), ("euw2", "standby")]
    assert [d.service for d in lookup.depends_on] == ["artists-db"]  # untouched fields stay
    site = inventory.sites["euw1-az1"]
    assert (site.building, site.cloud_location) == ("dub-az1", "aws:eu-west-1")
    assert lookup.location.file.endswith("imported.yaml")  # findings still point at the definition


def test_an_override_of_an_unknown_name_is_an_error_naming_its_line(tmp_path):
    _files(tmp_path, imported=IMPORTED, kept="""\
        version: 1
        overrides:
          services:
            artist-lookpu: {tier: 0}
        """)
    result = drcheck("validate", tmp_path)
    assert result.returncode == 2
    assert (f"{tmp_path / 'kept.yaml'}:4:5: overrides.services: service 'artist-lookpu' is not defined in any file; "
            "expected one of the defined services (artist-lookup, artists-db)") in result.stderr


def test_override_values_are_validated_by_the_same_schema_and_located_in_their_file(tmp_path):
    _files(tmp_path, imported=IMPORTED, kept="""\
        version: 1
        overrides:
          services:
            artist-lookup: {tier: 7, dr: {strategy: hope}}
          sites:
            euw2: {location: "aws:eu-west-22"}
          hosts: {}
        """)
    with pytest.raises(InputError) as raised:
        load_inventory([str(tmp_path)])
    messages = [str(p) for p in raised.value.problems]
    kept = tmp_path / "kept.yaml"
    assert any(m.startswith(f"{kept}:4:27: override of service 'artist-lookup'.tier: found '7'") for m in messages), messages
    assert any(m.startswith(f"{kept}:4:45: override of service 'artist-lookup' dr.strategy: found 'hope'") for m in messages), messages
    assert any(m.startswith(f"{kept}:6:22: override of site 'euw2'.location: found unknown cloud location") for m in messages), messages
    assert any(m.startswith(f"{kept}:7:3: overrides: unknown section 'hosts'") for m in messages), messages


@pytest.mark.parametrize("command", ["validate", "audit", "simulate", "graph"])
def test_a_contradiction_made_by_an_override_names_the_override_s_line(tmp_path, command):
    # artists-db runs in one zone: active-active cannot hold, and no command may crash on it
    _files(tmp_path, imported=IMPORTED, kept="""\
        version: 1
        overrides:
          services:
            artists-db: {tier: 0, dr: {strategy: active-active}}
            artist-lookup:
              dr: {strategy: active-active, last_tested: 2026-10-01}
        """)
    result = drcheck(command, tmp_path)
    assert result.returncode == 2 and "internal error" not in result.stderr and "Traceback" not in result.stderr
    kept = tmp_path / "kept.yaml"
    assert (f"{kept}:4:31: service 'artists-db' dr.strategy: found active-active with primaries on 1 site(s)"
            in result.stderr), result.stderr
    # artist-lookup declares backup-restore where it is defined: the error is the override's
    assert f"{kept}:6:11: service 'artist-lookup' dr.strategy: found active-active" in result.stderr


def test_two_files_may_patch_one_name_but_not_one_field(tmp_path):
    _files(tmp_path, imported=IMPORTED,
           a="version: 1\noverrides:\n  services:\n    artists-db: {tier: 0, dr: {strategy: warm-standby}}\n",
           b="version: 1\noverrides:\n  services:\n    artists-db: {rpo: 1m, dr: {last_tested: 2026-01-05}}\n")
    db = load_inventory([str(tmp_path)]).services["artists-db"]
    assert (db.tier, db.rpo, db.strategy, str(db.last_tested)) == (0, 60.0, "warm-standby", "2026-01-05")
    (tmp_path / "c.yaml").write_text("version: 1\noverrides:\n  services:\n    artists-db: {dr: {strategy: none}}\n")
    result = drcheck("validate", tmp_path)
    assert result.returncode == 2
    assert (f"{tmp_path / 'c.yaml'}:4:5: overrides.services: service 'artists-db' field dr.strategy is overridden "
            f"twice: here and at {tmp_path / 'a.yaml'}:4:5") in result.stderr


def test_an_override_placing_a_service_references_sites_checked_like_any_other(tmp_path):
    _files(tmp_path, imported=IMPORTED, kept="""\
        version: 1
        overrides:
          services:
            artists-db: {placements: [{site: nowhere}]}
        """)
    result = drcheck("validate", tmp_path)
    assert result.returncode == 2 and "unknown site 'nowhere'" in result.stderr and f"{tmp_path / 'kept.yaml'}:4:" in result.stderr


def test_services_not_yet_placed_validate_and_are_counted_in_every_summary(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        sites:
          dub: {location: "aws:eu-west-1"}
          lon: {location: "aws:eu-west-2"}
        services:
          web:
            placements: [{site: dub}, {site: lon, role: standby}]
            depends_on: [orders, payments]
          orders: {kind: data, tier: 1}
          payments: {tier: 1}
          maps: {kind: external}
        """), encoding="utf-8")
    assert drcheck("validate", path).returncode == 0
    report = json.loads(drcheck("audit", path, "--format", "json", "--as-of", "2026-11-01").stdout)
    assert report["inventory"]["unplaced"] == 2  # an external service without placements is not counted
    assert "4 services (2 not yet placed)" in drcheck("audit", path, "--format", "table").stdout
    assert "4 services (2 not yet placed, coverage 20%)" in drcheck("audit", path, "--format", "markdown").stdout


def test_rules_that_need_placements_report_unknown_for_a_service_not_yet_placed(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        sites:
          dub: {location: "aws:eu-west-1"}
          fra: {location: "aws:eu-central-1"}
        services:
          web:
            tier: 0
            placements: [{site: dub}, {site: fra, role: standby}]
            depends_on: [payments]
          payments: {tier: 0, owner: pay-team, backups: [{site: dub}]}
        """), encoding="utf-8")
    findings = [f for f in json.loads(drcheck("audit", path, "--format", "json", "--as-of", "2026-11-01").stdout)["findings"]
                if f["subject"] == "service:payments"]
    by_rule = {f["rule"]: f for f in findings}
    for rule in ("no-dr", "backup-colocated"):  # each needs to know where the service runs
        assert by_rule[rule]["status"] == "unknown", by_rule[rule]
        assert by_rule[rule]["message"] == f"cannot check {rule} for payments: it has no placements yet"
    assert not [f for f in findings if f["status"] == "fail" and f["rule"] in ("no-dr", "backup-colocated",
                                                                               "dr-site-too-close", "dr-shares-building")]


def test_a_building_put_on_a_second_campus_by_an_override_is_an_error_at_the_override(tmp_path):
    _files(tmp_path, inventory="""\
        version: 1
        sites:
          a: {building: b1, campus: c1}
          b: {campus: c2}
        services:
          talk:
            placements: [{site: a}, {site: b, role: standby}]
        """, kept="""\
        version: 1
        overrides:
          sites:
            b: {building: b1}
        """)
    result = drcheck("validate", tmp_path)
    assert result.returncode == 2
    assert (f"{tmp_path / 'kept.yaml'}:4:5: site 'b': building 'b1' is on campus 'c2' here, but on campus 'c1' at "
            f"{tmp_path / 'inventory.yaml'}:3:3 (site 'a')") in result.stderr, result.stderr
