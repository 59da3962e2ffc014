"""Case files: the way drcheck tests its own rules, shipped so that rule authors test theirs alike.

A case file `<rule-id>.yaml` holds small inventories and the exact findings
the rule must give on each (an empty list: it must not fire).  Expected
evidence is matched as a subset, numbers to within one part in a million
(the rounding of floating point, never a different figure: 0.5 is not 0.54).

    rule: dr-site-too-close
    cases:
      - name: anyang is 13 km from pangyo
        params: {min_distance_km: 40}      # optional policy settings for the rule
        as_of: 2026-11-01                   # optional; default 2026-11-01
        inventory: |
          version: 1
          ...
        expect:
          - subject: service:talk
            status: fail                    # default fail; or unknown
            severity: high                  # optional
            message_contains: "13.0 km"     # optional
            evidence: {distance_km: 13.0, primary: pangyo}

A rule's own examples (`example_fires`, `example_passes`, shown by `drcheck
explain`) run as cases too: the one that fires must fail exactly its subject,
the one that passes must give no finding.  With pytest:

    @pytest.mark.parametrize("rule, case", load_cases("tests/cases") + load_examples(["org_rules"]), ids=case_id)
    def test_case(rule, case, tmp_path):
        check_case(rule, case, tmp_path, rules_dirs=["org_rules"])
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from .audit.run import AuditOptions, audit, load_inventory
from .audit.policy import load_policy
from .rule_api.rule import Rule
from .rule_api.ruledoc import EXAMPLE_AS_OF

DEFAULT_AS_OF = EXAMPLE_AS_OF
RELATIVE_TOLERANCE = 1e-6


def load_cases(directory: str | Path) -> list[tuple[str, dict]]:
    """(rule id, case) for every case of every *.yaml case file in `directory`, in file order."""
    found = []
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.stem != data["rule"]:
            raise ValueError(f"{path}: a case file is named after its rule ({data['rule']}.yaml)")
        found.extend((data["rule"], case) for case in data["cases"])
    return found


def load_examples(rules_dirs: list[str] | None = None) -> list[tuple[str, dict]]:
    """(rule id, case) for the examples of every rule in `rules_dirs` (None: the built-in rules), as cases:
    "example that fires" expects exactly one failure, on the example's subject; "example that passes"
    expects no finding."""
    from .audit.engine import discover

    sources = discover(rules_dirs or [])
    if rules_dirs is None:
        wanted = [s.rule for s in sources.values() if s.origin == "builtin"]
    else:
        directories = [Path(d).resolve() for d in rules_dirs]
        wanted = [s.rule for s in sources.values() if Path(s.origin).resolve().parent in directories]
    return [(rule.id, case) for rule in wanted for case in example_cases(rule)]


def example_cases(rule: type[Rule]) -> list[dict]:
    """The examples a rule gives, as cases (none if it gives none)."""
    cases = []
    for name, example, expect in (("fires", rule.example_fires, True), ("passes", rule.example_passes, False)):
        if example is not None:
            cases.append({"name": f"{rule.id}: the example that {name}", "inventory": example.text,
                          "as_of": example.as_of,
                          "expect": [{"subject": example.subject, "status": "fail"}] if expect else []})
    return cases


def case_id(value: Any) -> str | None:
    """A readable test id for pytest: the case's name."""
    return value.get("name") if isinstance(value, dict) else None


def check_case(rule: str, case: dict, workdir: str | Path, rules_dirs: list[str] = ()) -> None:
    """Audit the case's inventory with only `rule` and assert the expected findings, and no others.

    The case holds every setting: the default profile and the case's `params`; a drcheck.yaml in the
    working directory is not read."""
    workdir = Path(workdir)
    inventory = workdir / "inventory.yaml"
    inventory.write_text(case["inventory"], encoding="utf-8")
    # always an explicit policy file: without one, an audit reads ./drcheck.yaml, and a case's result
    # would depend on the directory the tests run from
    policy = workdir / "policy.yaml"
    settings = {"profile": "default"} | ({"rules": {rule: case["params"]}} if case.get("params") else {})
    policy.write_text(yaml.safe_dump(settings), encoding="utf-8")
    options = AuditOptions(policy=load_policy(str(policy)), as_of=case.get("as_of") or DEFAULT_AS_OF,
                           select=[rule], rules_dirs=[str(d) for d in rules_dirs])
    actual = [f for f in audit(load_inventory([str(inventory)]), options).findings if f.rule == rule]
    expected = case["expect"] or []
    described = [(f.subject, f.status, f.severity, f.message, f.evidence) for f in actual]
    assert len(actual) == len(expected), f"expected {len(expected)} finding(s), got: {described}"
    unmatched = list(actual)
    for want in expected:
        hit = next((f for f in unmatched if _fits(want, f)), None)
        assert hit is not None, f"no finding matches {want}; got: {described}"
        unmatched.remove(hit)


def _fits(want: dict, finding) -> bool:
    return (
        finding.subject == want["subject"]
        and finding.status == want.get("status", "fail")
        and finding.severity == want.get("severity", finding.severity)
        and want.get("message_contains", "") in finding.message
        and _matches(want.get("evidence", {}), finding.evidence)
    )


def _matches(expected, actual) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(_matches, expected, actual))
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, rel_tol=RELATIVE_TOLERANCE)
    return expected == actual
