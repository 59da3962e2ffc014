"""`--format junit`: JUnit XML (the Ant/Surefire form most CI systems read).

One test suite per rule that ran; one test case per finding (a failure, or
skipped when waived, baselined or unknown) and one passing case for the
subjects the rule evaluated without finding anything, so no suite is empty.
When some services are not placed, a suite `coverage` holds one skipped
case saying how many.

The XML is written as it is made, one test case at a time (a large estate's
report is tens of megabytes), laid out as ElementTree's `indent` lays it out.
"""
from __future__ import annotations

import json
from typing import Iterator

import orjson

from ..rule_api.findings import Finding
from ..audit.report import Report, RuleInfo
from . import View
from .safe import xml


def render(report: Report, view: View = View()) -> Iterator[str]:
    evaluated = {r.rule: r.evaluated for r in report.score.rules}
    findings: dict[str, list[Finding]] = {rule.id: [] for rule in report.rules}
    for finding in report.findings:
        if finding.rule in findings:
            findings[finding.rule].append(finding)
    suites = [_Suite(rule, findings[rule.id], evaluated.get(rule.id, 0)) for rule in report.rules]
    totals = {"tests": sum(s.counts["tests"] for s in suites) + bool(report.coverage_note),
              "failures": sum(s.counts["failures"] for s in suites), "errors": sum(s.counts["errors"] for s in suites)}
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    root = _tag("testsuites", {"name": "drcheck", **totals})
    if not suites and not report.coverage_note:
        yield root + " />\n"
        return
    yield root + ">\n"
    for suite in suites:
        yield from suite.lines()
    if report.coverage_note:  # services nobody placed: as unknown as the checks that wait for them
        case = {"name": f"{report.unplaced_count} service(s) not placed", "classname": "drcheck.coverage"}
        yield (f'  {_tag("testsuite", {"name": "coverage", "tests": 1, "failures": 0, "errors": 0, "skipped": 1})}>\n'
               f'    {_tag("testcase", case)}>\n      {_tag("skipped", {"message": xml(report.coverage_note)})} />\n'
               "    </testcase>\n  </testsuite>\n")
    yield "</testsuites>\n"


class _Suite:
    """One rule's test suite: its counts first (the opening tag holds them), then its cases, as text."""

    def __init__(self, rule: RuleInfo, findings: list[Finding], evaluated: int):
        self.rule = rule
        self.findings = findings
        # subjects evaluated with a known result minus those that failed: the rest passed
        self.clean = evaluated - len({f.subject for f in findings if f.status == "fail"})
        outcomes = [_outcome(f) for f in findings]
        if self.clean <= 0 and not findings:
            outcomes.append("skipped")  # the "nothing to evaluate" case
        self.counts = {"tests": len(outcomes) + (self.clean > 0), "failures": outcomes.count("failure"),
                       "errors": outcomes.count("error"), "skipped": outcomes.count("skipped")}

    def lines(self) -> Iterator[str]:
        rule, classname = self.rule, f"drcheck.{self.rule.id}"
        yield f'  {_tag("testsuite", {"name": rule.id, **self.counts})}>\n    <properties>\n'
        for name, value in (("title", rule.title), ("severity", rule.severity)):
            yield f'      {_tag("property", {"name": name, "value": xml(value)})} />\n'
        yield "    </properties>\n"
        for finding in self.findings:
            yield _finding_case(finding, classname)
        if self.clean > 0:
            passed = {"name": f"{self.clean} evaluated subject(s) without a finding", "classname": classname}
            yield f'    {_tag("testcase", passed)} />\n'
        elif not self.findings:
            skipped = {"message": "no subject in the inventory is in this rule's scope"}
            yield (f'    {_tag("testcase", {"name": "nothing to evaluate", "classname": classname})}>\n'
                   f'      {_tag("skipped", skipped)} />\n    </testcase>\n')
        yield "  </testsuite>\n"


def _outcome(finding: Finding) -> str:
    """The element a finding's test case holds."""
    if finding.status == "error":
        return "error"
    return "skipped" if finding.status == "unknown" or finding.waived or finding.baseline else "failure"


def _finding_case(finding: Finding, classname: str) -> str:
    """A finding's test case, written out here rather than through `_tag` since a large estate has tens of
    thousands (`classname` needs no escaping: rule ids are kebab-case)."""
    name = _attribute(xml(finding.subject + (f" ({finding.cause})" if finding.cause else "")))
    where = ""
    if finding.location is not None:
        where = f' file="{_attribute(xml(finding.location.file))}" line="{finding.location.line}"'
    if finding.status == "error":
        message, kind = finding.message, ' type="internal-error"'
    elif finding.status == "unknown":
        message, kind = f"unknown: {finding.message}", ""
    elif finding.waived:
        message, kind = f"waived: {finding.waiver_reason or ''}", ""
    elif finding.baseline:
        message, kind = f"in the baseline: {finding.message}", ""
    else:
        message, kind = finding.message, f' type="{finding.severity}"'
    element = _outcome(finding)
    return (f'    <testcase name="{name}" classname="{classname}"{where}>\n'
            f'      <{element} message="{_attribute(xml(message))}"{kind}>{_text(_details(finding))}</{element}>\n'
            "    </testcase>\n")


def _evidence(evidence: dict) -> str:
    """The evidence as compact JSON, its keys sorted: orjson writes it several times faster than the json module
    (the 45,000 findings of a large estate took half a second more), and writes no spaces after its commas and
    colons; what orjson refuses (an integer beyond 64 bits, nesting over 254 deep) the json module writes alike."""
    try:
        return orjson.dumps(evidence, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        return _json_module_evidence(evidence)


_json_module_evidence = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _details(finding: Finding) -> str:
    lines = [f"{finding.severity} {finding.rule} {finding.subject}", finding.message]
    if finding.location is not None:
        lines.append(f"at {finding.location}")
    lines.append("evidence: " + _evidence(finding.evidence))
    lines.append(f"fingerprint: {finding.fingerprint}")
    text = "\n".join(lines)
    if text.replace("\n", " ").isprintable():  # most often: every line is kept as it is, checked in one pass
        return text
    return "\n".join(xml(line) for line in lines)


def _tag(name: str, attributes: dict) -> str:
    """An opening tag without its closing bracket."""
    return f"<{name}" + "".join(f' {key}="{_attribute(str(value))}"' for key, value in attributes.items())


def _text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE_ENTITIES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _attribute(text: str) -> str:
    text = _text(text)
    for char, entity in _ATTRIBUTE_ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return text
