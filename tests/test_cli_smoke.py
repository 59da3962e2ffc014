import json

from conftest import drcheck



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
