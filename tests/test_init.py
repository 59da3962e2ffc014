"""`drcheck init`: a starter inventory, policy and editor schema that validate, audit and never clobber."""
from __future__ import annotations

import json
import re

import jsonschema
import yaml

from conftest import drcheck

FILES = ("inventory.yaml", "drcheck.yaml", "drcheck-schema.json", "drcheck-policy-schema.json")


def init(folder, *args):
    result = drcheck("init", *args, cwd=folder)
    assert "Traceback" not in result.stderr
    return result


def test_writes_the_four_files(tmp_path):
    result = init(tmp_path, "estate")
    assert result.returncode == 0, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines()[:4]] == [f"estate/{name}" for name in FILES]
    for name, schema_file, command in (("inventory.yaml", "drcheck-schema.json", ("schema",)),
                                       ("drcheck.yaml", "drcheck-policy-schema.json", ("schema", "--policy"))):
        first = (tmp_path / "estate" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=./{schema_file}"
        schema = json.loads((tmp_path / "estate" / schema_file).read_text(encoding="utf-8"))
        assert schema == json.loads(drcheck(*command).stdout)


def test_the_starter_validates_and_audits_with_its_policy(tmp_path):
    init(tmp_path)
    assert drcheck("validate", "inventory.yaml", cwd=tmp_path).returncode == 0
    audit = drcheck("audit", "inventory.yaml", "--format", "json", "--as-of", "2026-11-01", cwd=tmp_path)
    assert audit.returncode == 1, audit.stderr  # the untested failovers below are high findings
    report = json.loads(audit.stdout)
    assert report["inventory"] == {"name": "example-estate", "files": ["inventory.yaml"], "services": 3, "sites": 3,
                                   "unplaced": 0}
    # the examples leave the test dates for the user to fill in, and the audit says so
    untested = {f["subject"] for f in report["findings"] if f["rule"] == "dr-untested"}
    assert untested == {"service:web", "service:database", "service:deploy"}


def test_the_commented_examples_are_valid_when_filled_in(tmp_path):
    """Uncommenting the examples gives a valid policy and a clean audit: the comments show working syntax."""
    init(tmp_path)
    inventory = tmp_path / "inventory.yaml"
    text = inventory.read_text(encoding="utf-8")
    text = text.replace("# last_tested: YYYY-MM-DD", "last_tested: 2026-10-01")
    text = text.replace("# restore_tested: YYYY-MM-DD", "restore_tested: 2026-10-01")
    inventory.write_text(text, encoding="utf-8")
    policy = tmp_path / "drcheck.yaml"
    policy.write_text(re.sub(r"(?m)^  # ", "  ", policy.read_text(encoding="utf-8")), encoding="utf-8")
    assert "min_distance_km: 100" in policy.read_text() and "  - rule: dr-site-too-close" in policy.read_text()
    audit = drcheck("audit", "inventory.yaml", "--format", "json", "--as-of", "2026-11-01", cwd=tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    report = json.loads(audit.stdout)
    assert report["findings"] == [] and report["score"] == 100.0
    assert [w["subject"] for w in report["waivers"]["unused"]] == ["service:web"]
    ran = {r["rule"] for r in report["scoring"]["rules"]}
    assert "provider-concentration" not in ran and "dr-site-too-close" in ran


def test_the_starter_matches_the_editor_schema(tmp_path):
    init(tmp_path)
    schema = json.loads((tmp_path / "drcheck-schema.json").read_text(encoding="utf-8"))
    document = yaml.safe_load((tmp_path / "inventory.yaml").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert list(validator.iter_errors(document)) == []
    document["sites"]["main-dc"]["kind"] = "castle"
    assert [e.message for e in validator.iter_errors(document)] == [
        "'castle' is not one of ['datacenter', 'colocation', 'cloud-region', 'cloud-zone', 'office', 'vault']"]


def test_the_starter_policy_with_its_examples_filled_in_matches_its_editor_schema(tmp_path):
    init(tmp_path)
    schema = json.loads((tmp_path / "drcheck-policy-schema.json").read_text(encoding="utf-8"))
    text = re.sub(r"(?m)^# ([a-z_]+: )", r"\1", (tmp_path / "drcheck.yaml").read_text(encoding="utf-8"))
    text = re.sub(r"(?m)^  # ", "  ", text)
    document = yaml.safe_load(text)
    assert document["min_score"] == 70 and document["rules"]["dr-site-too-close"] == {"min_distance_km": 100}
    document["waivers"][0]["expires"] = document["waivers"][0]["expires"].isoformat()  # editors read YAML 1.2
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert list(validator.iter_errors(document)) == []
    document["rules"]["dr-site-too-close"]["min_distance_km"] = -5
    assert [e.message for e in validator.iter_errors(document)] == ["-5 is less than the minimum of 0"]


def test_the_starter_is_commented(tmp_path):
    init(tmp_path)
    for name in ("inventory.yaml", "drcheck.yaml"):
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        commented = [line for line in lines if "#" in line]
        assert len(commented) > len(lines) / 2, name


def test_refuses_to_overwrite_unless_forced(tmp_path):
    (tmp_path / "drcheck.yaml").write_text("fail_on: critical\n", encoding="utf-8")
    result = init(tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: refusing to overwrite drcheck.yaml; use --force to replace\n"
    assert (tmp_path / "drcheck.yaml").read_text() == "fail_on: critical\n"
    assert not (tmp_path / "inventory.yaml").exists()  # nothing written at all
    forced = init(tmp_path, "--force")
    assert forced.returncode == 0
    assert "# drcheck policy" in (tmp_path / "drcheck.yaml").read_text()


def test_a_file_where_the_directory_should_be_exits_2(tmp_path):
    (tmp_path / "estate").write_text("", encoding="utf-8")
    result = init(tmp_path, "estate")
    assert result.returncode == 2 and result.stderr == "error: estate: exists and is not a directory\n"


def test_init_then_audit_of_the_folder_works_and_leaves_the_policy_out(tmp_path):
    assert init(tmp_path, "dr").returncode == 0
    for command, *options in (("validate",), ("audit", "--as-of", "2026-11-01", "--format", "json")):
        result = drcheck(command, "dr", *options, cwd=tmp_path)
        assert result.returncode == (0 if command == "validate" else 1), result.stderr  # 1: untested failovers
        assert result.stderr.splitlines() == [
            "note: skipped dr/drcheck.yaml: a policy file, not part of the inventory (a policy is read with "
            "--policy FILE, or from drcheck.yaml in the working directory)"]
    assert json.loads(result.stdout)["inventory"]["files"] == ["dr/inventory.yaml"]


def test_a_file_of_policy_keys_is_left_out_of_a_folder_whatever_its_name_and_refused_by_name(tmp_path):
    init(tmp_path, "dr")
    (tmp_path / "dr" / "drcheck.yaml").rename(tmp_path / "dr" / "gate.yml")
    result = drcheck("validate", "dr", cwd=tmp_path)
    assert result.returncode == 0 and "note: skipped dr/gate.yml: a policy file" in result.stderr
    named = drcheck("audit", "dr/inventory.yaml", "dr/gate.yml", cwd=tmp_path)
    assert named.returncode == 2 and "Traceback" not in named.stderr
    assert named.stderr == ("error: dr/gate.yml:1:1: found a policy (keys profile, fail_on, rules, waivers), not an "
                            "inventory; give a policy with --policy dr/gate.yml\n")
    (tmp_path / "dr" / "inventory.yaml").unlink()
    alone = drcheck("validate", "dr", cwd=tmp_path)
    assert alone.returncode == 2 and "dr: holds no inventory files, only the policy file(s) dr/gate.yml" in alone.stderr
