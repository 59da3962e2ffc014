"""`--format junit`: JUnit XML (the Ant/Surefire form most CI systems read).

One test suite per rule that ran; one test case per finding (a failure, or
skipped when waived, baselined or unknown) and one passing case for the
subjects the rule evaluated without finding anything, so no suite is empty.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ..findings import Finding
from ..report import Report
from . import View
from .safe import xml


def render(report: Report, view: View = View()) -> str:
    evaluated = {r.rule: r.evaluated for r in report.score.rules}
    root = ET.Element("testsuites", name="drcheck")
    for rule in report.rules:
        findings = [f for f in report.findings if f.rule == rule.id]
        suite = ET.SubElement(root, "testsuite", name=rule.id)
        properties = ET.SubElement(suite, "properties")
        for name, value in (("title", rule.title), ("severity", rule.severity)):
            ET.SubElement(properties, "property", name=name, value=xml(value))
        for finding in findings:
            _finding_case(suite, finding)
        # subjects evaluated with a known result minus those that failed: the rest passed
        clean = evaluated.get(rule.id, 0) - len({f.subject for f in findings if f.status == "fail"})
        if clean > 0:
            ET.SubElement(suite, "testcase", name=f"{clean} evaluated subject(s) without a finding",
                          classname=f"drcheck.{rule.id}")
        elif not findings:
            case = ET.SubElement(suite, "testcase", name="nothing to evaluate", classname=f"drcheck.{rule.id}")
            ET.SubElement(case, "skipped", message="no subject in the inventory is in this rule's scope")
        _count(suite, skipped=True)
    _count(root, skipped=False)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _count(element: ET.Element, skipped: bool) -> None:
    element.set("tests", str(len(element.findall(".//testcase"))))
    element.set("failures", str(len(element.findall(".//testcase/failure"))))
    element.set("errors", str(len(element.findall(".//testcase/error"))))
    if skipped:  # the schema allows `skipped` on a suite, not on <testsuites>
        element.set("skipped", str(len(element.findall(".//testcase/skipped"))))


def _finding_case(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(suite, "testcase", name=xml(finding.subject + (f" ({finding.cause})" if finding.cause else "")),
                         classname=f"drcheck.{finding.rule}")
    if finding.location is not None:
        case.set("file", xml(finding.location.file))
        case.set("line", str(finding.location.line))
    if finding.status == "error":
        outcome = ET.SubElement(case, "error", message=xml(finding.message), type="internal-error")
    elif finding.status == "unknown":
        outcome = ET.SubElement(case, "skipped", message=xml(f"unknown: {finding.message}"))
    elif finding.waived:
        outcome = ET.SubElement(case, "skipped", message=xml(f"waived: {finding.waiver_reason or ''}"))
    elif finding.baseline:
        outcome = ET.SubElement(case, "skipped", message=xml(f"in the baseline: {finding.message}"))
    else:
        outcome = ET.SubElement(case, "failure", message=xml(finding.message), type=finding.severity)
    outcome.text = _details(finding)


def _details(finding: Finding) -> str:
    lines = [f"{finding.severity} {finding.rule} {finding.subject}", finding.message]
    if finding.location is not None:
        lines.append(f"at {finding.location}")
    lines.append("evidence: " + json.dumps(finding.evidence, ensure_ascii=False, sort_keys=True))
    lines.append(f"fingerprint: {finding.fingerprint}")
    return "\n".join(xml(line) for line in lines)
