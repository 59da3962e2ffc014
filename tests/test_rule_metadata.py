"""Rule metadata for the long run: categories (selectable, and SARIF tags), aliases for renamed rules, and a
lifecycle (preview rules run only when selected by id; deprecated ones run with a note)."""
from __future__ import annotations

import json

import pytest

from conftest import SAMPLES, drcheck
from drcheck.audit.engine import discover
from drcheck.rule_api.rule import CATEGORIES

KAKAO = SAMPLES / "kakao-2022.yaml"
INVENTORY = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070]}
services:
  maps: {tier: 2, placements: [{site: pangyo}]}
"""
RULE = '''\
from drcheck.api import Rule


class OwnerMissing(Rule):
    """A service nobody owns is a service nobody fails over."""

    id = "org-owner-missing"
    title = "Service without an owner"
    severity = "medium"
    categories = ("testing",)
    remediation = "Set owner: to the team that is paged."
    EXTRA

    def check(self, ctx, service):
        return self.fail(service, f"{service.name} names no owner")
'''


def ran(result) -> list[str]:
    assert result.returncode in (0, 1), result.stderr
    return [r["rule"] for r in json.loads(result.stdout)["scoring"]["rules"]]


def builtin_in(category: str) -> list[str]:
    return sorted(i for i, s in discover().items() if s.origin == "builtin" and category in s.rule.categories)


def test_every_builtin_rule_has_a_category():
    assert [i for i, s in discover().items() if s.origin == "builtin" and not s.rule.categories] == []


@pytest.mark.parametrize("category", CATEGORIES)
def test_select_and_ignore_take_a_category(category):
    selected = ran(drcheck("audit", KAKAO, "--select", category, "--format", "json", "--as-of", "2026-11-01"))
    assert selected == builtin_in(category) != []
    everything = ran(drcheck("audit", KAKAO, "--format", "json", "--as-of", "2026-11-01"))
    ignored = ran(drcheck("audit", KAKAO, "--ignore", category, "--format", "json", "--as-of", "2026-11-01"))
    assert ignored == [r for r in everything if r not in builtin_in(category)]


def test_sarif_tags_carry_the_categories():
    log = json.loads(drcheck("audit", KAKAO, "--format", "sarif", "--as-of", "2026-11-01").stdout)
    tags = {r["id"]: r["properties"]["tags"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert tags["restore-untested"] == ["security", "reliability", "disaster-recovery", "backups", "testing"]
    assert tags["no-dr"][-1] == "separation"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "org_rules").mkdir()
    return tmp_path


def with_rule(project, extra: str):
    (project / "org_rules" / "owner_missing.py").write_text(RULE.replace("EXTRA", extra), encoding="utf-8")


def test_a_renamed_rule_s_old_id_still_works_in_select_policy_and_waivers_with_a_note(project):
    with_rule(project, 'aliases = ("org-no-owner",)')
    (project / "policy.yaml").write_text(
        "rules:\n  org-no-owner: {severity: high}\n"
        "waivers:\n  - {rule: org-no-owner, subject: 'service:maps', reason: moving, expires: 2027-01-01}\n",
        encoding="utf-8")
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", "--policy", "policy.yaml",
                     "--select", "org-no-owner", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["severity"], finding["waived"]) == ("org-owner-missing", "high", True)
    note = "note: rule 'org-no-owner' is now called 'org-owner-missing'; 'org-no-owner' still works, but use the new id\n"
    assert result.stderr == note * 3  # the policy's rules, its waiver and --select each name it


def test_a_preview_rule_runs_only_when_selected_by_its_id(project):
    with_rule(project, 'lifecycle = "preview"')
    args = ("audit", "inventory.yaml", "--rules-dir", "org_rules", "--format", "json")
    assert "org-owner-missing" not in ran(drcheck(*args, cwd=project))
    assert ran(drcheck(*args, "--select", "testing", cwd=project)) == builtin_in("testing")
    assert ran(drcheck(*args, "--select", "org-owner-missing", cwd=project)) == ["org-owner-missing"]


def test_a_deprecated_rule_runs_and_says_so(project):
    with_rule(project, 'lifecycle = "deprecated"')
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", "--select", "org-owner-missing",
                     "--format", "json", cwd=project)
    assert ran(result) == ["org-owner-missing"]
    assert result.stderr == "note: rule 'org-owner-missing' is deprecated: a later version of drcheck will not have it\n"


@pytest.mark.parametrize("extra, problem", [
    ('lifecycle = "beta"', "lifecycle must be one of preview, stable, deprecated"),
    ('categories = ("speed",)', "categories must be a tuple of: " + ", ".join(CATEGORIES)),
    ('aliases = ("Old Name",)', "aliases must be a tuple of kebab-case ids (the rule's former ids)"),
])
def test_metadata_that_is_not_one_of_the_known_values_is_refused(project, extra, problem):
    with_rule(project, extra)
    result = drcheck("rules", "--rules-dir", "org_rules", cwd=project)
    assert result.returncode == 2
    assert result.stderr == f"error: rule 'org-owner-missing' from org_rules/owner_missing.py: {problem}\n"


def test_an_alias_that_is_another_rule_s_id_is_refused(project):
    with_rule(project, 'aliases = ("no-dr",)')
    result = drcheck("rules", "--rules-dir", "org_rules", cwd=project)
    assert result.returncode == 2
    assert result.stderr == ("error: rule 'org-owner-missing' from org_rules/owner_missing.py: alias 'no-dr' is "
                             "already a rule id or alias in builtin\n")
