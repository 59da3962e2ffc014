"""`drcheck explain RULE`: a rule's own documentation under the same headings for every rule, plus the
standards that map to it.

The text comes from the rule (its docstring sections, examples, parameters, remediation and references,
see `drcheck.rule_api.ruledoc`); what the runner does for it (unknown without placements, only services with DR)
is said from its attributes, and what it says on its example that fires is what it says when run on it
now, so that none of it can go out of date.
"""
from __future__ import annotations

import io
import textwrap
from typing import Any

from ..audit.run import load_inventory
from ..rule_api.context import Context
from ..audit.engine import RuleSource, run
from ..errors import InputError
from ..rule_api.params import Param
from ..audit.policy import load_profile, profile_names
from ..reporters.safe import terminal
from ..rule_api.rule import Rule
from ..rule_api.ruledoc import EXAMPLE_AS_OF, Example

WIDTH = 80
NOT_DOCUMENTED = "(not documented by this rule)"
_VERIFICATION = {"V": "verified wording", "S": "secondary source", "U": "unverified, informative only"}


def rule_documentation(source: RuleSource) -> dict[str, Any]:
    """Everything `explain` says about a rule, as data (what `--format json` prints)."""
    rule = source.rule
    doc = rule.doc()
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "scope": rule.scope,
        "source": source.origin,
        "what_it_does": doc.what,
        "why_it_matters": doc.why,
        "when_it_fires": doc.when,
        "runner": _runner_notes(rule),
        "example_fires": _example(rule.example_fires) | {"findings": _findings_on(rule, rule.example_fires)}
        if rule.example_fires else None,
        "example_passes": _example(rule.example_passes),
        "how_to_fix": rule.remediation,
        "parameters": [{"name": name, "default": param.default, "range": _range(param), "meaning": param.help}
                       for name, param in rule.params.items()],
        "references": list(rule.references),
        "requirements": [{"profile": profile, "id": req.get("id"), "citation": req.get("citation"),
                          "verification": _VERIFICATION.get(req.get("verification"), ""),
                          "threshold": req.get("threshold")} for profile, req in _requirements(rule.id)],
    }


def explain_rule(source: RuleSource) -> str:
    """The documentation as terminal text, WIDTH columns wide."""
    d = rule_documentation(source)
    out = [f"{d['id']}: {d['title']}",
           f"Default severity: {d['severity']} · Evaluates: each {d['scope']} · Source: {d['source']}"]
    out += _section("What it does", _paragraphs(d["what_it_does"]))
    out += _section("Why it matters", _paragraphs(d["why_it_matters"]))
    when = _paragraphs(d["when_it_fires"]) if d["when_it_fires"] else [NOT_DOCUMENTED]
    out += _section("When it fires", when + [line for note in d["runner"] for line in ["", *_wrap(note)]])
    fires, passes = d["example_fires"], d["example_passes"]
    out += _section(f"Example that fires (on {fires['subject']})" if fires else "Example that fires",
                    _example_lines(fires))
    out += _section("Example that passes", _example_lines(passes))
    out += _section("How to fix it", _paragraphs(d["how_to_fix"]))
    parameters = []
    for p in d["parameters"]:
        parameters.append(p["name"])
        for label, value in (("default", shown_value(p["default"])), ("range", p["range"]), ("meaning", p["meaning"])):
            parameters += _wrap(value, initial_indent=f"  {label:<8} ", subsequent_indent=" " * 11)
    out += _section(f"Parameters (set under rules.{d['id']} in the policy file)", parameters or ["none"])
    out += _section("References", [line for ref in d["references"] for line in _item(ref)] or ["none given"])
    requirements = []
    for r in d["requirements"]:
        requirements += _item(f"[{r['profile']}] {r['id']}: {r['citation']} ({r['verification']})")
        if r["threshold"]:
            requirements += _wrap("threshold: " + r["threshold"], initial_indent="    ", subsequent_indent="    ")
    out += _section("Requirements it helps to meet (by profile)", requirements or ["none mapped"])
    return "".join(terminal(line) + "\n" for line in out)


def _runner_notes(rule: type[Rule]) -> list[str]:
    """What the runner does for the rule, from its attributes."""
    notes = []
    if rule.needs_placements:
        notes.append("A service without placements (an external one, or one not yet placed) is unknown: the "
                     "rule judges where a service runs.")
    if rule.needs_dr:
        notes.append("Only services with DR (placements on two or more sites, and a dr.strategy other than none) "
                     "are evaluated; the rule does not apply to the others.")
    notes.append(f"Default severity: {rule.severity}; a policy's `severity` for the rule sets the severity of "
                 "every finding.")
    return notes


def _example(example: Example | None) -> dict[str, Any] | None:
    if example is None:
        return None
    return {"subject": example.subject, "inventory": example.text,
            "as_of": example.as_of.isoformat() if example.as_of else None}


def _findings_on(rule: type[Rule], example: Example) -> list[dict[str, str]] | str:
    """What the rule, with its defaults, finds on the example now: its findings, or why it could not run."""
    try:
        inventory = load_inventory(["-"], stdin=io.BytesIO(example.text.encode("utf-8")))
    except InputError as exc:
        return f"the example is not a valid inventory: {exc}"
    (outcome,) = run([rule()], Context(inventory, example.as_of or EXAMPLE_AS_OF))
    return [{"subject": f.subject, "status": f.status, "severity": f.severity, "message": f.message}
            for f in outcome.findings]


def _example_lines(example: dict[str, Any] | None) -> list[str]:
    if example is None:
        return [NOT_DOCUMENTED]
    lines = example["inventory"].splitlines()
    if example["as_of"]:
        lines.append(f"(audited as of {example['as_of']})")
    found = example.get("findings")
    if isinstance(found, str):
        lines += ["", *_wrap(f"({found})")]
    elif found is not None:
        lines += ["", "drcheck says:"] if found else ["", "drcheck says nothing on it (this example does not fire)"]
        for f in found:
            lines += _wrap(f"{f['status']} {f['severity']} {f['subject']}: {f['message']}",
                           initial_indent="  ", subsequent_indent="    ")
    return lines


def _section(heading: str, body: list[str]) -> list[str]:
    return ["", heading, *[f"  {line}" if line else "" for line in body]]


def _paragraphs(text: str | None) -> list[str]:
    """Text re-wrapped to the width, paragraph by paragraph; lines starting with '- ' are list items."""
    if not text:
        return [NOT_DOCUMENTED]
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.lstrip().startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        if lines:
            lines.append("")
        for item in items:
            lines += _item(item[2:]) if item.startswith("- ") else _wrap(item)
    return lines


def _item(text: str) -> list[str]:
    return _wrap(text, initial_indent="- ", subsequent_indent="  ")


def _wrap(text: str, **indents: str) -> list[str]:
    """Lines of at most WIDTH - 2 columns (sections indent by 2); never breaks rule ids or other hyphenated words."""
    return textwrap.wrap(text, WIDTH - 2, break_on_hyphens=False, **indents)


def _range(param: Param) -> str:
    low, high = param.minimum, param.maximum
    if low is not None and high is not None:
        return f"from {low:g} to {high:g}"
    if low is not None:
        return f"{low:g} or more"
    if high is not None:
        return f"{high:g} or less"
    return {bool: "true or false", dict: "a mapping", list: "a list", str: "text"}.get(type(param.default), "any")


def shown_value(value: Any) -> str:
    """A default as a policy file writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_shown, value)) + "]"
    return str(value)


def _requirements(rule_id: str) -> list[tuple[str, dict]]:
    found = []
    for name in profile_names():
        for req in load_profile(name).get("requirements") or []:
            if rule_id in (req.get("rules") or []):
                found.append((name, req))
    return found


def rule_markdown(source: RuleSource) -> str:
    """The documentation as a Markdown page (`explain --format markdown`; the documentation site's rule pages
    are these pages): the same sections as the terminal text."""
    d = rule_documentation(source)
    out = [f"# {d['id']}", "", f"**{d['title']}**", "",
           f"Default severity: **{d['severity']}** · Evaluates: each {d['scope']} · Source: {d['source']}",
           "", "## What it does", "", d["what_it_does"], "", "## Why it matters", "",
           d["why_it_matters"] or NOT_DOCUMENTED, "", "## When it fires", "", d["when_it_fires"] or NOT_DOCUMENTED, ""]
    out += [f"{note}\n" for note in d["runner"]]
    fires, passes = d["example_fires"], d["example_passes"]
    out += [f"## Example that fires (on `{fires['subject']}`)" if fires else "## Example that fires", "",
            *_markdown_example(fires), "## Example that passes", "", *_markdown_example(passes),
            "## How to fix it", "", d["how_to_fix"] or NOT_DOCUMENTED, "",
            f"## Parameters (set under `rules.{d['id']}` in the policy file)", ""]
    if d["parameters"]:
        out += ["| Name | Default | Range | Meaning |", "|---|---|---|---|"]
        out += [f"| `{p['name']}` | `{markdown_cell(shown_value(p['default']))}` | {markdown_cell(p['range'])} | {markdown_cell(p['meaning'])} |"
                for p in d["parameters"]]
    else:
        out.append("None.")
    out += ["", "## References", ""] + ([f"- {ref}" for ref in d["references"]] or ["None given."])
    out += ["", "## Requirements it helps to meet (by profile)", ""]
    out += [f"- [{r['profile']}] {r['id']}: {r['citation']} ({r['verification']})"
            + (f"; threshold: {r['threshold']}" if r["threshold"] else "") for r in d["requirements"]] or ["None mapped."]
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_example(example: dict[str, Any] | None) -> list[str]:
    if example is None:
        return [NOT_DOCUMENTED, ""]
    out = ["```yaml", example["inventory"].rstrip("\n"), "```", ""]
    if example["as_of"]:
        out += [f"Audited as of {example['as_of']}.", ""]
    found = example.get("findings")
    if isinstance(found, str):
        out += [f"({found})", ""]
    elif found is not None:
        out += ["drcheck says:", ""] if found else ["drcheck says nothing on it (this example does not fire).", ""]
        out += [f"- {f['status']} {f['severity']} `{f['subject']}`: {f['message']}" for f in found]
        out += [""] if found else []
    return out


def markdown_cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
