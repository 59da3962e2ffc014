"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule that ran is described (with its help text and its configured
severity as the default level), every finding is a result located at the
inventory line, and `partialFingerprints` carries drcheck's own stable
fingerprint so alerts survive edits that move lines.  Waived findings are
results with an external suppression; unknown results are kind "review".
A check that a rule could not make (it raised) is no result: it is a tool
execution notification of level error, and the run is not successful.

GitHub code scanning takes at most 25,000 results per run and 10 MB of
gzipped SARIF: beyond either, the most important results are kept
(`Report.by_importance`) and the run's properties say how many were left out.
"""
from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from urllib.parse import quote

from ..findings import Finding
from ..report import Report, RuleInfo
from . import View
from .safe import json_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "drcheck/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads this (0.0-10.0) to show critical/high/medium/low for rules tagged "security"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
# In SARIF plain-text messages "[text](n)" is an embedded link; literal brackets are escaped with a backslash.
_BRACKET = re.compile(r"([\[\]])")


MAX_RESULTS = 25_000
MAX_GZIPPED_BYTES = 10_000_000
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def render(report: Report, view: View = View()) -> str:
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    results = [_ENCODE(_result(f, index, report.baseline is not None, *report.owner_and_tier(f)))
               for f in report.by_importance(report.failures + report.unknowns)[:MAX_RESULTS]]
    total = len(report.failures) + len(report.unknowns)
    results = _within_gzip_limit(results)
    run = {
        "tool": {"driver": {
            "name": "drcheck",
            "version": report.version,
            "semanticVersion": report.version,
            "rules": [_rule(rule) for rule in report.rules],
        }},
        "results": [],  # spliced in below, one result per line
        # a check a rule could not make is no result about the inventory, but the run did not succeed
        "invocations": [{"executionSuccessful": not report.errors,
                         "toolExecutionNotifications": [_notification(f, index) for f in report.errors]}],
        "columnKind": "unicodeCodePoints",
        "properties": {"score": report.score.value, "grade": report.score.grade, "passed": report.passed,
                       "gate": report.gate, "asOf": report.as_of.isoformat(), "profile": report.profile},
    }
    if report.baseline is not None:
        run["properties"]["baseline"] = report.baseline
    if len(results) < total:
        run["properties"]["resultsOmitted"] = {
            "count": total - len(results), "kept": len(results),
            "why": f"GitHub code scanning takes at most {MAX_RESULTS:,} results and {MAX_GZIPPED_BYTES // 10**6} MB "
                   "gzipped per run: the most severe and most costly are kept",
            "fullReport": view.full_report or "drcheck audit --format json lists every finding"}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    head, tail = json.dumps(log, indent=2, ensure_ascii=False).split('"results": []', 1)
    body = "[\n        " + ",\n        ".join(results) + "\n      ]" if results else "[]"
    return json_text(head + '"results": ' + body + tail) + "\n"


def _within_gzip_limit(results: list[str]) -> list[str]:
    """The first results whose SARIF stays under GitHub's gzipped size limit.  zlib's fastest level compresses
    less than gzip's default, so a size it keeps under the limit is under it for GitHub too."""
    while True:
        raw = "\n".join(results).encode()
        if len(raw) <= MAX_GZIPPED_BYTES:
            return results  # even uncompressed it fits
        packed = len(zlib.compress(raw, 1))
        if packed <= MAX_GZIPPED_BYTES * 0.95:  # room for the rules and the run's other parts
            return results
        results = results[:int(len(results) * MAX_GZIPPED_BYTES * 0.9 / packed)]


def _rule(rule: RuleInfo) -> dict:
    references = "".join(f"\n- {ref}" for ref in rule.references)
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": f"{rule.rationale}\n\nHow to fix it: {rule.remediation}"
                    + (f"\n\nReferences:{references}" if references else ""),
            "markdown": f"{rule.rationale}\n\n**How to fix it:** {rule.remediation}"
                        + (f"\n\n**References**\n{references}" if references else ""),
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["security", "reliability", "disaster-recovery"],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "drcheck-severity": rule.severity,
        },
    }


def _result(finding: Finding, index: dict[str, int], with_baseline: bool, owner: str | None, tier: int | None) -> dict:
    result = {"ruleId": finding.rule, "ruleIndex": index[finding.rule]}
    if finding.status == "unknown":
        result["kind"] = "review"  # SARIF: a result that is not "fail" has level "none"
        result["level"] = "none"
    else:
        result["kind"] = "fail"
        result["level"] = LEVELS[finding.severity]
    result["message"] = _message(finding)
    result["locations"] = [_location(finding)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.waived:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": finding.waiver_reason or ""}]
    if with_baseline:
        result["baselineState"] = "unchanged" if finding.baseline else "new"
    result["properties"] = {"severity": finding.severity, "status": finding.status, "subject": finding.subject,
                            "evidence": finding.evidence}
    if tier is not None:
        result["properties"] |= {"owner": owner, "tier": tier}
    return result


def _notification(finding: Finding, index: dict[str, int]) -> dict:
    return {"level": "error", "message": _message(finding), "locations": [_location(finding)],
            "associatedRule": {"id": finding.rule, "index": index[finding.rule]},
            "properties": {"subject": finding.subject, "evidence": finding.evidence}}


def _message(finding: Finding) -> dict:
    return {"text": _BRACKET.sub(r"\\\1", finding.message)}


def _location(finding: Finding) -> dict:
    location = {"logicalLocations": [{"fullyQualifiedName": finding.subject, "kind": _subject_kind(finding.subject)}]}
    if finding.location is not None and finding.location.file != "<stdin>":
        location["physicalLocation"] = {
            "artifactLocation": {"uri": file_uri(finding.location.file)},
            "region": {"startLine": finding.location.line, "startColumn": finding.location.column},
        }
    return location


def _subject_kind(subject: str) -> str:
    return subject.split(":", 1)[0] if ":" in subject else subject


def file_uri(path: str) -> str:
    """A URI reference for an inventory path: relative paths stay relative (GitHub resolves them against
    the repository root), absolute ones become file: URIs; unsafe characters are percent-encoded."""
    native = Path(path)
    return native.as_uri() if native.is_absolute() else quote(native.as_posix(), safe="/")
