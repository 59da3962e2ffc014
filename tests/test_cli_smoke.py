"""The installed command, end to end: what a user runs, in a process of its own."""
import json

from conftest import drcheck_installed as drcheck


def test_audit_json_names_auth_without_dr(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "version: 1\nsites:\n  a: {location: [37.4, 127.1]}\nservices:\n  auth:\n    tier: 0\n    placements: [{site: a}]\n"
    )
    result = drcheck("audit", inventory, "--format", "json", "--as-of", "2026-11-01")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    no_dr = [f for f in report["findings"] if f["rule"] == "no-dr"]
    assert no_dr[0]["subject"] == "service:auth"
    assert no_dr[0]["severity"] == "critical"
    assert no_dr[0]["evidence"]["sites"] == ["a"]
    assert report["passed"] is False


def test_json_report_lists_every_service_with_its_failing_rules(tmp_path):
    # YAML 1.1 would read the key `off` as false and `NO` as false; the schema keeps them names
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "version: 1\nsites:\n  NO: {location: [59.9, 10.7]}\n  b: {location: [59.9, 10.8]}\nservices:\n"
        "  off:\n    placements: [{site: NO}]\n"
        "  auth:\n    tier: 0\n    placements: [{site: NO}, {site: b, role: standby}]\n    dr: {strategy: warm-standby}\n"
    )
    report = json.loads(drcheck("audit", inventory, "--format", "json", "--as-of", "2026-11-01").stdout)
    services = {s["subject"]: s for s in report["services"]}
    assert services["service:off"]["sites"] == ["NO"] and services["service:off"]["strategy"] == "none"
    assert services["service:off"]["has_dr"] is False
    assert services["service:auth"]["has_dr"] is True
    assert {"dr-site-too-close", "dr-untested"} <= set(services["service:auth"]["findings"])


def test_version_option_and_command_agree():
    assert drcheck("--version").stdout == drcheck("version").stdout
    assert drcheck("--version").stdout.startswith("drcheck ")


def test_schema_is_named_after_the_inventory_format():
    schema = json.loads(drcheck("schema").stdout)
    assert schema["title"] == "drcheck inventory (format version 1)"
    assert schema["required"] == ["version"] and "services" in schema["properties"]
