"""`drcheck explain RULE`: a rule's own documentation plus the standards that map to it."""
from __future__ import annotations

import textwrap

from .engine import RuleSource
from .policy import load_profile, profile_names
from .reporters.safe import terminal


def explain_rule(source: RuleSource) -> str:
    rule = source.rule
    out = [f"{rule.id}: {rule.title}", "",
           f"Default severity: {rule.severity}    Evaluates: each {rule.scope}    Source: {source.origin}", ""]
    out += ["Why it matters", textwrap.indent(rule.rationale(), "  "), ""]
    if rule.params:
        out.append("Parameters (set under rules.{id} in the policy file)".format(id=rule.id))
        for name, param in rule.params.items():
            out.append(f"  {name} = {param.default!r}: {param.help}")
        out.append("")
    out += ["How to fix it", textwrap.indent(textwrap.fill(rule.remediation, 88), "  "), ""]
    if rule.references:
        out.append("References")
        out += [f"  - {ref}" for ref in rule.references]
        out.append("")
    mapped = _requirements(rule.id)
    if mapped:
        out.append("Requirements it helps to meet (by profile)")
        for profile, req in mapped:
            tag = {"V": "verified wording", "S": "secondary source", "U": "unverified, informative only"}.get(req.get("verification"), "")
            out.append(f"  - [{profile}] {req.get('id')}: {req.get('citation')} ({tag})")
            if req.get("threshold"):
                out.append(textwrap.indent(textwrap.fill("threshold: " + req["threshold"], 84), "      "))
        out.append("")
    return "\n".join(terminal(line) for line in "\n".join(out).split("\n")) + "\n"


def _requirements(rule_id: str) -> list[tuple[str, dict]]:
    found = []
    for name in profile_names():
        for req in load_profile(name).get("requirements") or []:
            if rule_id in (req.get("rules") or []):
                found.append((name, req))
    return found
