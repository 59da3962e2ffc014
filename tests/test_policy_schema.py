"""The policy file's field tables: the JSON Schema they publish (`drcheck schema --policy`) accepts every policy and
profile drcheck ships or documents, refuses what drcheck refuses, and no policy makes drcheck raise a traceback."""
from __future__ import annotations

import importlib.util
import json
import re
from datetime import date
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from conftest import ROOT, SAMPLES, drcheck
from drcheck.audit.engine import configure, discover
from drcheck.audit.policy import POLICY, PROFILE, holds_only_policy, json_schema, load_policy, profile_names
from drcheck.commands.starter import POLICY as STARTER_POLICY
from drcheck.errors import InputError
from drcheck.inventory.fields import json_object
from drcheck.inventory.loader import parse

RULES = discover()


@pytest.fixture(scope="module")
def validator():
    schema = json_schema({rule_id: source.rule for rule_id, source in RULES.items()})
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def as_json(node):
    """What an editor's YAML reader hands the schema: dates stay the text they were written as."""
    if isinstance(node, dict):
        return {key: as_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_json(item) for item in node]
    return node.isoformat() if isinstance(node, date) else node


def schema_errors(validator, text: str) -> list[str]:
    return [error.message for error in validator.iter_errors(as_json(yaml.safe_load(text)))]


def drcheck_problems(tmp_path, text: str) -> list[str]:
    """What drcheck says of the policy, reading it and then configuring the rules with it; [] if it takes it."""
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        configure(load_policy(str(path)), RULES, None, [])
    except InputError as refused:
        return [str(problem) for problem in refused.problems]
    return []


def test_the_command_line_prints_the_policy_schema_and_keeps_the_inventory_one(validator):
    printed = drcheck("schema", "--policy")
    assert printed.returncode == 0, printed.stderr
    schema = json.loads(printed.stdout)
    assert schema == validator.schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "drcheck policy (drcheck.yaml)"
    assert list(schema["properties"]) == list(POLICY.readers)
    dr_site = schema["properties"]["rules"]["properties"]["dr-site-too-close"]["properties"]
    assert dr_site["min_distance_km"] | {"description": ""} == {"type": "number", "minimum": 0, "default": 40.0,
                                                                 "description": ""}
    assert "no-dr" in schema["properties"]["waivers"]["items"]["properties"]["rule"]["enum"]
    assert json.loads(drcheck("schema").stdout)["title"] == "drcheck inventory (format version 1)"


def test_the_policy_schema_knows_the_rules_of_a_rules_directory(tmp_path):
    (tmp_path / "owner.py").write_text('''\
from drcheck.api import Param, Rule


class OwnerRequired(Rule):
    """A service nobody owns is a service nobody fails over: every service names an owner."""

    id = "org-owner-required"
    title = "Service without an owner"
    severity = "medium"
    remediation = "Set owner: to the team that answers for the service."
    params = {"max_tier": Param(1, "the least critical tier checked", minimum=0, maximum=3)}

    def check(self, ctx, service):
        return None
''', encoding="utf-8")
    printed = drcheck("schema", "--policy", "--rules-dir", str(tmp_path))
    assert printed.returncode == 0, printed.stderr
    rule = json.loads(printed.stdout)["properties"]["rules"]["properties"]["org-owner-required"]
    assert rule["properties"]["max_tier"] == {"type": "integer", "minimum": 0, "maximum": 3, "default": 1,
                                              "description": "the least critical tier checked"}
    refused = drcheck("schema", "--rules-dir", str(tmp_path))
    assert refused.returncode == 2 and "expected it with --policy" in refused.stderr


def documented_policies() -> list[tuple[str, str]]:
    """(where, text) of every policy the project ships or shows: sample policies, YAML examples in the docs that
    hold only policy keys, and the starter `drcheck init` writes."""
    found = [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
             for path in sorted((SAMPLES / "policies").glob("*.yaml"))]
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^```yaml\n(.*?)^```", text, re.S | re.M):
            try:
                document = parse(page.name, match.group(1)).root
            except InputError:
                continue
            if holds_only_policy(document):
                found.append((f"{page.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}", match.group(1)))
    return found + [("drcheck init's drcheck.yaml", STARTER_POLICY)]


def test_the_documents_hold_policies_to_check():
    where = [name for name, _ in documented_policies()]
    assert "sample_topologies/policies/kakao-2022.yaml" in where
    assert any(name.startswith("docs/policy.md:") for name in where), where


@pytest.mark.parametrize("where, text", documented_policies(), ids=lambda value: value if "\n" not in value else "")
def test_every_shipped_and_documented_policy_satisfies_the_schema_and_drcheck(validator, tmp_path, where, text):
    policy = as_json(yaml.safe_load(text))
    if "rules_dirs" in policy:  # the docs' rule directories are examples, not folders here: their rules are unknown
        policy["rules"] = {rule: settings for rule, settings in policy.get("rules", {}).items() if rule in RULES}
    else:
        assert drcheck_problems(tmp_path, text) == []
    assert [error.message for error in validator.iter_errors(policy)] == []


@pytest.mark.parametrize("name", profile_names())
def test_every_profile_satisfies_the_profile_schema(name):
    schema = json_object(PROFILE)
    Draft202012Validator.check_schema(schema)
    text = (ROOT / "drcheck" / "profiles" / f"{name}.yaml").read_text(encoding="utf-8")
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(as_json(yaml.safe_load(text)))]
    assert errors == []


@pytest.mark.parametrize("text, said", [
    ("fail_onn: high\n", "1:1: unknown policy key 'fail_onn' (did you mean 'fail_on' or 'fail_on_unknown'?); "
                         "expected one of: profile, fail_on,"),
    ("fail_on: severe\n", "1:10: fail_on: found 'severe'; expected one of: critical, high, medium, low, info"),
    ("min_coverage: 1.5\n", "1:15: min_coverage: found '1.5'; expected a share from 0 to 1"),
    ("area_radius_km: -1\n", "1:17: area_radius_km: found '-1'; expected a distance in km from 0 to 20000"),
    ("currency: usd\n", "1:11: currency: found 'usd'"),
    ("rules:\n  no-such-rule: {severity: high}\n", "2:3: rules: unknown rule 'no-such-rule'"),
    ("rules:\n  no-dr: {max_tierr: 2}\n", "2:22: rules.no-dr: unknown parameter 'max_tierr' (did you mean 'max_tier'?)"),
    ("rules:\n  no-dr: {max_tier: 7}\n", "2:21: rules.no-dr.max_tier: found 7; expected a value from 0 to 3"),
    ("rules:\n  no-dr: {enabled: maybe}\n", "2:20: rules.no-dr.enabled: found 'maybe'; expected true or false"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: soon}\n",
     "2:5: waiver: missing expires; every waiver needs a rule, a subject, a reason and an expiry date"),
    ("waivers:\n  - {rule: no-dr, subject: service:crm, reason: '', expires: 2027-03-31}\n",
     "2:49: waiver.reason: found ''; expected text"),
    ("waivers:\n  - {rule: no-drr, subject: service:crm, reason: x, expires: 2027-03-31}\n", "2:5: waiver: unknown rule"),
    ("plan:\n  amortise_months: 0.5\n", "2:20: plan.amortise_months: found '0.5'; expected a whole number of months"),
    ("plan:\n  strategy_factor: {warm-standby: 1.5}\n",
     "2:35: plan.strategy_factor.warm-standby: found '1.5'; expected a number from 0 to 1"),
    ("plan:\n  strategy_factor: {warm-stanby: 0.4}\n",
     "2:21: plan.strategy_factor: unknown strategy 'warm-stanby' (did you mean 'warm-standby'?)"),
    ("plan:\n  candidate_sites:\n    far: {location: [95, 0]}\n",
     "3:21: plan.candidate_sites: site 'far'.location: found latitude 95"),
])
def test_what_drcheck_refuses_the_schema_refuses_too(validator, tmp_path, text, said):
    assert schema_errors(validator, text), f"the schema takes {text!r}"
    problems = drcheck_problems(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'policy.yaml'}:{said}"), problems


def test_the_schema_refuses_the_documented_policy_with_mistakes_at_each_mistake(validator, tmp_path):
    text = (ROOT / "docs" / "examples" / "policy-with-mistakes.yaml").read_text(encoding="utf-8")
    errors = validator.iter_errors(as_json(yaml.safe_load(text)))
    assert sorted(list(error.absolute_path) for error in errors) == [
        ["fail_on"], ["min_coverage"], ["rules", "dr-site-too-close", "severity"], ["waivers", 0], ["waivers", 0]]
    said = [problem.split(": ")[1] for problem in drcheck_problems(tmp_path, text)]
    assert said == ["fail_on", "min_coverage", "rules.dr-site-too-close.severity", "waiver", "waiver"]


# ---- generated policies ------------------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 30_000), st.floats(-2, 30_000, allow_nan=False, allow_infinity=False),
    st.sampled_from(["high", "critical", "dora", "KRW", "usd", "2027-03-31", "31/03/2027", "no-dr", "dr-site-too-close",
                     "service:crm", "warm-standby", "x", ""]))
_KEYS = st.sampled_from([*POLICY.readers, "fail_onn", "no-dr", "dr-site-too-close", "rto-infeasible", "severity",
                         "enabled", "max_tier", "min_distance_km", "achievable_rto", "rule", "subject", "reason",
                         "expires", "strategy_factor", "drill", "amortise_months", "candidate_sites", "warm-standby",
                         "location", "cost", "monthly"])
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=10)
_POLICIES = st.dictionaries(st.sampled_from([key for key in POLICY.readers if key != "rules_dirs"] + ["fail_onn"]),
                            _VALUES, min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(policy=_POLICIES)
def test_a_generated_policy_is_read_or_refused_with_its_place_and_the_schema_agrees(validator, tmp_path_factory,
                                                                                     policy):
    folder = tmp_path_factory.mktemp("policy")
    text = yaml.safe_dump(policy, sort_keys=False)
    path = folder / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        settings_ = load_policy(str(path))
        configure(settings_, RULES, None, [])
    except InputError as refused:
        assert refused.problems and all(p.location is not None and p.location.file == str(path)
                                        for p in refused.problems), refused
        return
    # what drcheck takes, the schema takes (editors never flag a policy drcheck reads)
    assert [error.message for error in validator.iter_errors(policy)] == []
    assert 0 <= settings_.min_coverage <= 1 and 1 <= settings_.plan.amortise_months


def test_the_policy_page_lists_every_key_from_the_field_tables():
    spec = importlib.util.spec_from_file_location("field_tables", ROOT / "docs" / "hooks" / "field_tables.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    page = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    assert hook.TABLE_MARKER in page
    rendered = hook.on_page_markdown(page, SimpleNamespace(file=SimpleNamespace(src_uri="policy.md")), None, None)
    assert hook.TABLE_MARKER not in rendered
    for key in [*POLICY.readers, "waivers[].expires", "plan.amortise_months", "plan.strategy_factor.warm-standby"]:
        assert f"| `{key}` |" in rendered, key
    assert "| `min_coverage` | number from 0 to 1 | the gate fails below this tier-weighted share" in rendered
