"""The rule contract: typed, range-checked parameters; explicit results; the runner's unknown for unplaced services."""
from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, strategies as st

from conftest import AS_OF, drcheck
from drcheck.api import NOT_APPLICABLE, PASSED, Param, Rule
from drcheck.audit.run import load_inventory
from drcheck.rule_api.context import Context
from drcheck.audit.engine import run

INVENTORY = """\
version: 1
sites:
  a: {}
  b: {}
services:
  placed:
    tier: 0
    placements: [{site: a}, {site: b, role: standby}]
  single:
    tier: 2
    placements: [{site: a}]
  unplaced:
    tier: 1
  okta:
    kind: external
    tier: 0
"""


@pytest.fixture
def ctx(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    return Context(load_inventory([str(path)]), AS_OF)


class _Probe(Rule):
    """Probe."""

    id = "probe"
    title = "Probe"
    severity = "low"
    remediation = "None."


def test_passed_counts_as_evaluated_and_not_applicable_does_not(ctx):
    class Verdicts(_Probe):
        def check(self, ctx, service):
            return PASSED if service.tier == 0 else NOT_APPLICABLE

    (outcome,) = run([Verdicts()], ctx)
    assert (outcome.evaluated, outcome.unknown, outcome.findings) == (2, 0, [])


def test_an_empty_list_of_findings_is_a_pass(ctx):
    class Empty(_Probe):
        def check(self, ctx, service):
            return []

    (outcome,) = run([Empty()], ctx)
    assert outcome.evaluated == 4 and outcome.findings == []


def test_returning_none_is_an_error_of_the_rule_not_a_pass(ctx):
    class Forgetful(_Probe):
        def check(self, ctx, service):
            if service.tier > 0:
                return self.fail(service, "fires")

    (outcome,) = run([Forgetful()], ctx)
    errors = {f.subject: f.evidence["error"] for f in outcome.findings if f.status == "error"}
    expected = ("TypeError: check returned None; expected a Finding (from self.fail or self.unknown), a list of them, "
                "PASSED or NOT_APPLICABLE")
    assert errors == {"service:placed": expected, "service:okta": expected}
    assert outcome.evaluated == 2  # single and unplaced failed; the two errors are not counted as checked


def test_a_rule_that_needs_placements_is_unknown_for_unplaced_services_without_being_asked(ctx):
    asked = []

    class Placed(_Probe):
        needs_placements = True

        def check(self, ctx, service):
            asked.append(service.name)
            return PASSED

    (outcome,) = run([Placed()], ctx)
    assert asked == ["placed", "single"]
    unknown = {f.subject: f.message for f in outcome.findings}
    assert unknown == {"service:unplaced": "cannot check probe for unplaced: it has no placements yet",
                       "service:okta": "cannot check probe for okta: it is an external service whose sites are not known"}
    assert all(f.status == "unknown" and f.penalty == 0 for f in outcome.findings)
    assert (outcome.evaluated, outcome.unknown) == (2, 2)


def test_applies_still_filters_before_the_placement_check(ctx):
    class Critical(_Probe):
        needs_placements = True

        def applies(self, ctx, service):
            return service.tier == 0

        def check(self, ctx, service):
            return PASSED

    (outcome,) = run([Critical()], ctx)
    assert [f.subject for f in outcome.findings] == ["service:okta"]  # unplaced is tier 1: out of scope


def test_a_rule_that_needs_dr_is_asked_only_about_services_with_dr(ctx):
    asked = []

    class AboutDr(_Probe):
        needs_dr = True

        def check(self, ctx, service):
            asked.append(service.name)
            return self.fail(service, "fires")

    (outcome,) = run([AboutDr()], ctx)
    assert asked == ["placed"]  # single runs on one site, unplaced and okta on none: not applicable
    assert [f.subject for f in outcome.findings] == ["service:placed"]
    assert (outcome.evaluated, outcome.unknown) == (1, 0)


def test_a_rule_that_needs_placements_and_dr_is_unknown_for_unplaced_services_and_skips_single_site_ones(ctx):
    class Both(_Probe):
        needs_placements = True
        needs_dr = True

        def check(self, ctx, service):
            return PASSED

    (outcome,) = run([Both()], ctx)
    assert [(f.subject, f.status) for f in outcome.findings] == [("service:unplaced", "unknown"), ("service:okta", "unknown")]
    assert (outcome.evaluated, outcome.unknown) == (1, 2)


def test_a_policy_severity_overrides_the_severity_the_rule_chose_for_a_finding(ctx):
    class Picky(_Probe):
        def check(self, ctx, service):
            return self.fail(service, "fires", severity="critical")

    (default,) = run([Picky()], ctx)
    (overridden,) = run([Picky(severity="info")], ctx)
    assert {f.severity for f in default.findings} == {"critical"}
    assert {f.severity for f in overridden.findings} == {"info"}


# --- parameters -------------------------------------------------------------------------------------------

@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_share_is_accepted_exactly_from_0_to_1(value):
    share = Param(0.5, "a share", minimum=0, maximum=1)
    if 0 <= value <= 1:
        assert share.convert(repr(value)) == value
    else:
        with pytest.raises(ValueError, match=r"expected a value from 0 to 1"):
            share.convert(repr(value))


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_a_tier_is_accepted_exactly_from_0_to_3(value):
    tier = Param(1, "a tier", minimum=0, maximum=3)
    if 0 <= value <= 3:
        assert tier.convert(str(value)) == value
    else:
        with pytest.raises(ValueError, match=f"found {value}; expected a value from 0 to 3"):
            tier.convert(str(value))


@pytest.mark.parametrize("raw, message", [
    ("far", "found 'far'; expected float like 40.0"),
    ("nan", "found 'nan'; expected float like 40.0"),
    ("-0.5", "found -0.5; expected 0 or more"),
    (None, "found nothing; expected float like 40.0"),
])
def test_a_distance_refuses_what_is_not_a_distance(raw, message):
    with pytest.raises(ValueError, match=message):
        Param(40.0, "a distance", minimum=0).convert(raw)


def test_a_rule_whose_default_fails_its_own_range_is_refused_at_load(tmp_path):
    rules = tmp_path / "org_rules"
    rules.mkdir()
    (rules / "bad.py").write_text(textwrap.dedent('''\
        from drcheck.api import PASSED, Param, Rule


        class Bad(Rule):
            """Bad default."""

            id = "org-bad-default"
            title = "Bad default"
            severity = "low"
            remediation = "None."
            params = {"max_share": Param(2.0, "a share", minimum=0, maximum=1)}

            def check(self, ctx, service):
                return PASSED
        '''), encoding="utf-8")
    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    result = drcheck("audit", "inv.yaml", "--rules-dir", rules, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"error: rule 'org-bad-default' from {rules / 'bad.py'}: parameter 'max_share': its default "
                             "does not pass its own checks: found 2.0; expected a value from 0 to 1\n")
