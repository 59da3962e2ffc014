"""Rule plugins through the real command line: --rules-dir that works, and every way a plugin can be
broken that the README promises is a clear error (exit 2, no traceback): a file that does not
import, missing or wrong metadata, malformed documentation or examples, an id that is not
kebab-case or is defined twice, a rules directory that does not exist, an installed plugin that
does not import, and `explain` of a rule nobody defines."""
from __future__ import annotations

import json
from importlib.metadata import EntryPoint

import pytest

from conftest import drcheck
from drcheck.audit import engine
from drcheck.errors import InputError
from drcheck.testing import check_case, load_examples

INVENTORY = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070]}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 0
    owner: chat-team
    placements: [{site: pangyo}, {site: busan, role: standby}]
  maps:
    tier: 2
    placements: [{site: pangyo}]
"""

GOOD_RULE = '''\
from drcheck.api import PASSED, Param, Rule


class OwnerMissing(Rule):
    """A service nobody owns is a service nobody fails over."""

    id = "org-owner-missing"
    title = "Service without an owner"
    severity = "medium"
    params = {"max_tier": Param(3, "services of this tier and more critical must name an owner",
                                minimum=0, maximum=3)}
    remediation = "Set owner: to the team that is paged."

    def applies(self, ctx, service):
        return service.tier <= self.param("max_tier")

    def check(self, ctx, service):
        if service.owner is None:
            return self.fail(service, f"{service.name} names no owner", {"tier": service.tier})
        return PASSED
'''


DOCUMENTED_RULE = GOOD_RULE.replace(
    '    """A service nobody owns is a service nobody fails over."""\n',
    '''    """Finds services that name no owner.

    ## Why it matters
    A service nobody owns is a service nobody fails over.

    ## When it fires
    For a service of tier <= `max_tier` without `owner`.
    """

    example_fires = Example("""
        version: 1
        sites: {a: {}}
        services:
          maps: {placements: [{site: a}]}
        """, subject="service:maps")
    example_passes = Example("""
        version: 1
        sites: {a: {}}
        services:
          maps: {owner: geo-team, placements: [{site: a}]}
        """)
''').replace("import PASSED, Param, Rule", "import PASSED, Example, Param, Rule")


def rule_source(**changes: str | None) -> str:
    """GOOD_RULE with class attributes replaced (a value) or removed (None); docstring=None drops the rationale."""
    text = GOOD_RULE
    for attribute, value in changes.items():
        if attribute == "docstring":
            text = text.replace('    """A service nobody owns is a service nobody fails over."""\n\n', "")
            continue
        line = next(line for line in text.splitlines() if line.startswith(f"    {attribute} = "))
        text = text.replace(line + "\n", "" if value is None else f"    {attribute} = {value}\n")
    return text


@pytest.fixture
def project(tmp_path):
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    (tmp_path / "org_rules").mkdir()
    return tmp_path


def add_rule(project, text: str, name: str = "owner_missing.py"):
    path = project / "org_rules" / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(result, message: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


# ---- --rules-dir itself --------------------------------------------------------------------------------------------

def test_rules_dir_adds_a_rule_to_audit_rules_and_explain(project):
    path = add_rule(project, GOOD_RULE)
    audit = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", "--select", "org-owner-missing",
                    "--format", "json", cwd=project)
    assert audit.returncode == 0, audit.stderr  # a medium finding does not fail the default gate
    report = json.loads(audit.stdout)
    assert [(f["rule"], f["subject"], f["severity"], f["message"], f["evidence"]) for f in report["findings"]] == [
        ("org-owner-missing", "service:maps", "medium", "maps names no owner", {"tier": 2})]
    assert [(r["rule"], r["evaluated"], r["failed"]) for r in report["scoring"]["rules"]] == [("org-owner-missing", 2, 1)]

    listed = drcheck("rules", "--rules-dir", "org_rules", cwd=project)
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("org-owner-missing"))
    assert "medium" in line and "Service without an owner" in line and line.endswith(f"[org_rules/{path.name}]")

    explained = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project)
    assert explained.returncode == 0, explained.stderr
    assert "A service nobody owns is a service nobody fails over." in explained.stdout
    assert "max_tier" in explained.stdout and "Set owner: to the team that is paged." in explained.stdout


def test_rules_dir_skips_private_files(project):
    add_rule(project, "raise RuntimeError('a helper module, never loaded as rules')\n", name="_helpers.py")
    add_rule(project, GOOD_RULE)
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", "--select", "org-owner-missing", cwd=project)
    assert result.returncode == 0, result.stderr


HELPED_RULE = GOOD_RULE.replace("from drcheck.api import PASSED, Param, Rule\n",
                                 "from drcheck.api import PASSED, Param, Rule\n\nfrom ._owners import message\n").replace(
    'f"{service.name} names no owner"', "message(service)")


def test_a_rule_imports_a_helper_module_beside_it_and_each_directory_keeps_its_own(tmp_path):
    """Two rules directories, each with a helper of the same name: each rule gets the one beside it."""
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    for team in ("north", "south"):
        folder = tmp_path / team
        folder.mkdir()
        (folder / "_owners.py").write_text(f"def message(service):\n    return f'{team}: {{service.name}} names no owner'\n",
                                           encoding="utf-8")
        (folder / "owner_missing.py").write_text(HELPED_RULE.replace("org-owner-missing", f"{team}-owner-missing"),
                                                 encoding="utf-8")
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "north", "--rules-dir", "south",
                     "--select", "north-owner-missing,south-owner-missing", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [(f["rule"], f["message"]) for f in json.loads(result.stdout)["findings"]] == [
        ("north-owner-missing", "north: maps names no owner"), ("south-owner-missing", "south: maps names no owner")]


def test_a_helper_imported_as_a_top_level_module_is_refused_with_the_way_that_works(project):
    add_rule(project, "def message(service):\n    return 'x'\n", name="_owners.py")
    add_rule(project, HELPED_RULE.replace("from ._owners import message", "from _owners import message"))
    refused(drcheck("rules", "--rules-dir", "org_rules", cwd=project),
            "cannot load rule file org_rules/owner_missing.py: ModuleNotFoundError: No module named '_owners' "
            "(a module beside the rule is imported as: from . import _owners)")


@pytest.mark.parametrize("command", [["audit", "inventory.yaml"], ["rules"], ["explain", "no-dr"]])
def test_a_rules_dir_that_does_not_exist(project, command):
    refused(drcheck(*command, "--rules-dir", "no_such_dir", cwd=project), "no_such_dir: rules directory not found")


# ---- plugins that cannot be loaded ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, problem", [
    ("import drcheck_no_such_module\n", "ModuleNotFoundError: No module named 'drcheck_no_such_module'"),
    ("from drcheck.api import Rule\nclass Broken(Rule:\n    pass\n", "SyntaxError: "),
    ("raise RuntimeError('configuration missing')\n", "RuntimeError: configuration missing"),
])
def test_a_rule_file_that_does_not_import(project, text, problem):
    path = add_rule(project, text, name="broken.py")
    result = drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", cwd=project)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: cannot load rule file org_rules/{path.name}: {problem}")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("changes, problem", [
    ({"title": None}, "missing title"),
    ({"title": '"  "'}, "missing title"),
    ({"remediation": None}, "missing remediation"),
    ({"docstring": None}, "missing docstring (what the rule does, why it matters and when it fires)"),
    ({"severity": '"urgent"'}, "severity must be one of critical, high, medium, low, info"),
    ({"severity": None}, "severity must be one of critical, high, medium, low, info"),
    ({"severity": '"medium"\n    scope = "galaxy"'}, "scope must be one of service, site, domain, inventory"),
    ({"severity": '"medium"\n    scope = "site"\n    needs_dr = True'}, "needs_dr is for rules of scope service"),
])
def test_a_rule_with_bad_metadata(project, changes, problem):
    path = add_rule(project, rule_source(**changes))
    result = drcheck("rules", "--rules-dir", "org_rules", cwd=project)
    refused(result, f"rule 'org-owner-missing' from org_rules/{path.name}: {problem}")


@pytest.mark.parametrize("rule_id", ['"Org_Owner"', '"org owner"', '"-org"', '"org--owner"', '"org-"', "42"])
def test_a_rule_id_that_is_not_kebab_case(project, rule_id):
    path = add_rule(project, rule_source(id=rule_id))
    shown = repr(eval(rule_id))  # noqa: S307 - the literal written into the test's own rule file
    refused(drcheck("rules", "--rules-dir", "org_rules", cwd=project),
            f"rule {shown} from org_rules/{path.name}: id {shown} is not kebab-case (like 'dr-site-too-close')")


def test_a_rule_id_defined_twice_in_two_files(project):
    first = add_rule(project, GOOD_RULE, name="a_first.py")
    second = add_rule(project, GOOD_RULE.replace("class OwnerMissing", "class OwnerMissingAgain"), name="b_second.py")
    refused(drcheck("audit", "inventory.yaml", "--rules-dir", "org_rules", cwd=project),
            f"rule id 'org-owner-missing' is defined twice: in org_rules/{first.name} and in org_rules/{second.name}")


def test_a_rule_id_that_a_builtin_rule_has(project):
    path = add_rule(project, rule_source(id='"no-dr"'))
    refused(drcheck("rules", "--rules-dir", "org_rules", cwd=project),
            f"rule id 'no-dr' is defined twice: in builtin and in org_rules/{path.name}")


def test_an_installed_plugin_that_does_not_import(monkeypatch):
    """An entry point of the drcheck.rules group whose module is missing: the message names the entry point."""
    real = engine.entry_points
    broken = EntryPoint(name="acme", value="acme_no_such_rules_package", group=engine.ENTRY_POINT_GROUP)
    monkeypatch.setattr(engine, "entry_points", lambda group: [*real(group=group), broken])
    with pytest.raises(InputError) as caught:
        engine.discover()
    assert [str(p) for p in caught.value.problems] == [
        "cannot load rule plugin entry point acme (acme_no_such_rules_package): "
        "ModuleNotFoundError: No module named 'acme_no_such_rules_package'"]


@pytest.mark.parametrize("old, new, problem", [
    ("## When it fires", "## How it fires",
     "docstring sections are '## Why it matters', '## How it fires'; expected '## Why it matters' then '## When it fires'"),
    ("    ## Why it matters\n", "",
     "docstring sections are '## When it fires'; expected '## Why it matters' then '## When it fires'"),
    ("    For a service of tier <= `max_tier` without `owner`.\n", "", "docstring: section '## When it fires' is empty"),
    ("Finds services that name no owner.", "", "docstring: say what the rule does before '## Why it matters'"),
    ('""", subject="service:maps")', '"""\n    )', "example_fires: subject None is not the subject of a finding "
     "(like 'service:auth', 'site:pangyo', 'domain:site=pangyo' or 'inventory')"),
    ('subject="service:maps"', 'subject="maps"', "example_fires: subject 'maps' is not the subject of a finding "
     "(like 'service:auth', 'site:pangyo', 'domain:site=pangyo' or 'inventory')"),
    ('example_passes = Example("""', 'example_passes = ("""', "example_passes is a str; expected an Example"),
    ('        """)\n\n    id = ', '        """, subject="service:maps")\n\n    id = ',
     "example_passes: an example where the rule does not fire names no subject (found 'service:maps')"),
])
def test_a_rule_with_malformed_documentation(project, old, new, problem):
    assert old in DOCUMENTED_RULE
    path = add_rule(project, DOCUMENTED_RULE.replace(old, new, 1))
    refused(drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project),
            f"rule 'org-owner-missing' from org_rules/{path.name}: {problem}")


def test_a_plugin_rule_s_examples_run_as_cases(project, tmp_path):
    add_rule(project, DOCUMENTED_RULE)
    rules_dir = str(project / "org_rules")
    examples = load_examples([rules_dir])
    assert [(rule, case["expect"]) for rule, case in examples] == [
        ("org-owner-missing", [{"subject": "service:maps", "status": "fail"}]), ("org-owner-missing", [])]
    for rule, case in examples:
        check_case(rule, case, tmp_path, rules_dirs=[rules_dir])


def test_explain_of_a_documented_plugin_rule(project):
    add_rule(project, DOCUMENTED_RULE)
    result = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project)
    assert result.returncode == 0, result.stderr
    assert ("\nWhat it does\n  Finds services that name no owner.\n\nWhy it matters\n  A service nobody owns is a service "
            "nobody fails over.\n\nWhen it fires\n  For a service of tier <= `max_tier` without `owner`.\n") in result.stdout
    assert "\nExample that fires (on service:maps)\n  version: 1\n  sites: {a: {}}\n" in result.stdout
    assert "\nExample that passes\n  version: 1\n" in result.stdout
    as_json = json.loads(drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", "--format", "json",
                                 cwd=project).stdout)
    assert as_json["example_fires"]["subject"] == "service:maps"
    assert as_json["parameters"] == [{"name": "max_tier", "default": 3, "range": "from 0 to 3",
                                      "meaning": "services of this tier and more critical must name an owner"}]


def test_explain_says_what_the_rule_finds_on_its_example_now(project):
    """The message under the example is the rule's, run on it: an example that no longer fires shows it."""
    add_rule(project, DOCUMENTED_RULE)
    out = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project).stdout
    assert "\n  drcheck says:\n    fail medium service:maps: maps names no owner\n" in out
    add_rule(project, DOCUMENTED_RULE.replace("maps: {placements: [{site: a}]}", "maps: {owner: x, placements: [{site: a}]}"))
    out = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project).stdout
    assert "\n  drcheck says nothing on it (this example does not fire)\n" in out
    add_rule(project, DOCUMENTED_RULE.replace("sites: {a: {}}\n        services:\n          maps: {placements",
                                              "sites: {a: {}}\n        services:\n          maps: {placement"))
    result = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "\n  (the example is not a valid inventory: <stdin>:4:" in result.stdout


def test_explain_of_a_plugin_rule_with_a_free_docstring_says_what_it_does_not_document(project):
    add_rule(project, GOOD_RULE)
    out = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project).stdout
    assert "\nWhat it does\n  A service nobody owns is a service nobody fails over.\n" in out
    for heading in ("Why it matters", "When it fires", "Example that fires", "Example that passes"):
        assert f"\n{heading}\n  (not documented by this rule)\n" in out


def test_explain_keeps_a_plugin_s_text_inert_on_a_terminal(project):
    add_rule(project, GOOD_RULE.replace("Service without an owner", "Service \\x1b[31mred\\u202e"))
    result = drcheck("explain", "org-owner-missing", "--rules-dir", "org_rules", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "org-owner-missing: Service \\x1b[31mred\\u202e\n" in result.stdout


# ---- explain ---------------------------------------------------------------------------------------------------------

def test_explain_of_an_unknown_rule(project):
    refused(drcheck("explain", "no-such-rule", cwd=project), "unknown rule 'no-such-rule'; `drcheck rules` lists the known ones")


def test_explain_of_a_builtin_rule():
    result = drcheck("explain", "dr-site-too-close")
    assert result.returncode == 0, result.stderr
    assert "\nParameters (set under rules.dr-site-too-close in the policy file)\n  min_distance_km\n    default  40\n" \
           "    range    0 or more\n" in result.stdout


def test_explain_shows_every_heading_in_order_within_80_columns():
    out = drcheck("explain", "blast-radius").stdout
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")][2:]
    assert headings == ["What it does", "Why it matters", "When it fires", "Example that fires (on domain:site=pangyo)",
                        "Example that passes", "How to fix it",
                        "Parameters (set under rules.blast-radius in the policy file)", "References",
                        "Requirements it helps to meet (by profile)"]
    assert max(map(len, out.splitlines())) <= 80


def test_explain_refuses_an_unknown_format():
    refused(drcheck("explain", "no-dr", "--format", "yaml"), "--format: found 'yaml'; expected text, json or markdown")
