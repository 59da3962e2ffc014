"""The terminal report: grouped by severity, a screenful per group, the rest counted."""
from conftest import drcheck


def test_long_groups_are_cut_and_say_how_many_more(tmp_path):
    services = "".join(f"  svc-{i}:\n    tier: 1\n    placements: [{{site: a}}]\n" for i in range(60))
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("version: 1\nsites:\n  a: {location: [1, 1]}\nservices:\n" + services)
    result = drcheck("audit", inventory, "--select", "no-dr", "--as-of", "2026-11-01")
    assert result.returncode == 1
    assert " HIGH (60) " in result.stdout
    assert result.stdout.count("runs only in site a") == 50
    assert "… 10 more not shown here; --format json, markdown or sarif lists every finding" in result.stdout


def test_findings_show_rule_subject_location_and_message(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "version: 1\nsites:\n  pangyo: {location: [37.401, 127.106]}\n  anyang: {location: [37.39, 126.96]}\n"
        "services:\n  talk:\n    tier: 0\n    placements: [{site: pangyo}, {site: anyang, role: standby}]\n"
    )
    out = drcheck("audit", inventory, "--select", "dr-site-too-close", "--as-of", "2026-11-01").stdout
    assert "Score " in out and "gate FAILED" in out
    assert f"dr-site-too-close  service:talk  tier 0  {inventory}:6:3" in out
    assert "DR site anyang is 13.0 km from primary pangyo; policy requires 40 km" in out


def test_waived_findings_are_counted_apart_and_unused_waivers_are_named(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("version: 1\nsites:\n  a: {}\nservices:\n"
                         "  auth:\n    tier: 0\n    placements: [{site: a}]\n"
                         "  login:\n    tier: 0\n    placements: [{site: a}]\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text("waivers:\n"
                      "  - {rule: no-dr, subject: service:auth, reason: moving in Q1, expires: 2027-03-31}\n"
                      "  - {rule: no-dr, subject: service:gone, reason: was removed, expires: 2027-03-31}\n")
    out = drcheck("audit", inventory, "--select", "no-dr", "--policy", policy, "--as-of", "2026-11-01").stdout
    assert " CRITICAL (1 + 1 waived) " in out
    assert "waived: moving in Q1" in out
    assert "unused waiver (matches no finding; remove it): no-dr service:gone" in out
