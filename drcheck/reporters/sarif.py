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
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path
from typing import IO, Iterable, Iterator
from urllib.parse import quote

from ..rule_api.findings import Finding
from ..audit.report import Report, RuleInfo
from ..processes import CAN_FORK, Forked
from . import SHARED_FROM, View, declare_needs, finding_weight, halfway
from .safe import json_line, json_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "drcheck/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads this (0.0-10.0) to show critical/high/medium/low for rules tagged "security"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
# In SARIF plain-text messages "[text](n)" is an embedded link; literal brackets are escaped with a backslash.
_BRACKET = re.compile(r"([\[\]])")


MAX_RESULTS = 25_000
MAX_GZIPPED_BYTES = 10_000_000


@declare_needs(impacts=True)  # results most important first
def render(report: Report, view: View = View()) -> Iterator[str]:
    """The log in pieces, one result per line: a large estate's results are encoded and written one at a
    time, never held together."""
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    ranked = report.by_importance(report.failures + report.unknowns)
    run = {
        "tool": {"driver": {
            "name": "drcheck",
            "version": report.version,
            "semanticVersion": report.version,
            "rules": [_rule(rule) for rule in report.rules],
        }},
        "results": [],  # streamed in between head and tail, one result per line
        # a check a rule could not make is no result about the inventory, but the run did not succeed
        "invocations": [{"executionSuccessful": not report.errors,
                         "toolExecutionNotifications": [_notification(f, index) for f in report.errors]}],
        "columnKind": "unicodeCodePoints",
        "properties": {"score": report.score.value, "grade": report.score.grade, "passed": report.passed,
                       "gate": report.gate, "asOf": report.as_of.isoformat(), "profile": report.profile,
                       "coverage": round(report.coverage, 4), "unplaced": report.unplaced_count},
    }
    if report.baseline is not None:
        run["properties"]["baseline"] = report.baseline
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    head = json.dumps(log, indent=2, ensure_ascii=False).split('"results": []', 1)[0]
    yield json_text(head + '"results": [')
    with_baseline = report.baseline is not None

    def line(finding: Finding) -> str:
        return json_line(_result(finding, index, with_baseline, *report.owner_and_tier(finding)))

    results = ranked[:MAX_RESULTS]
    kept = 0
    # a large log's second half is encoded, and its size measured, by a second process meanwhile
    half = halfway(list(map(finding_weight, results))) if CAN_FORK and len(results) >= SHARED_FROM else len(results)
    with Forked(lambda out: _measured(map(line, results[half:]), out)) if half < len(results) else nullcontext() as second:
        size = _Gzipped()
        for finding in results[:half]:
            text = line(finding)
            if not size.add(text):
                break
            yield (",\n        " if kept else "\n        ") + text
            kept += 1
        if second is not None and kept == half:
            packed, lines = second.result()
            # compressed apart from the first half, without its window: no smaller than it is in the whole log
            whole = size.flushed() + packed <= size.budget
            for text in lines:
                text = text[:-1]
                if not (whole or size.add(text)):
                    break
                yield ",\n        " + text
                kept += 1
    if kept < len(ranked):
        run["properties"]["resultsOmitted"] = {
            "count": len(ranked) - kept, "kept": kept,
            "why": f"GitHub code scanning takes at most {MAX_RESULTS:,} results and {MAX_GZIPPED_BYTES // 10**6} MB "
                   "gzipped per run: the most severe and most costly are kept",
            "fullReport": view.full_report or "drcheck audit --format json lists every finding"}
    tail = json.dumps(log, indent=2, ensure_ascii=False).split('"results": []', 1)[1]
    yield json_text(("\n      ]" if kept else "]") + tail + "\n")


class _Gzipped:
    """The size of the results so far, gzipped, measured as they pass by compressing them with zlib's fastest
    level: it compresses less than gzip's default, so a size it keeps under the limit is under it for GitHub
    too.  What the compressor holds back is counted at its uncompressed size until it is flushed, which is
    done only when that estimate nears the limit."""

    def __init__(self):
        self.budget = MAX_GZIPPED_BYTES * 0.95  # room for the rules and the run's other parts
        self._compressor = zlib.compressobj(1)
        self._packed = self._held = 0

    def add(self, line: str) -> bool:
        """Whether the results so far, `line` the last, stay under the limit."""
        raw = line.encode() + b"\n"
        self._packed += len(self._compressor.compress(raw))
        self._held += len(raw)
        if self._packed + self._held > self.budget:
            return self.flushed() <= self.budget
        return True

    def flushed(self) -> int:
        """The size so far, every byte fed compressed."""
        self._packed += len(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._held = 0
        return self._packed


def _measured(lines: Iterable[str], out: IO[str]) -> int:
    """Write the lines, one a line, and return their size gzipped on their own."""
    size = _Gzipped()
    for text in lines:
        out.write(text + "\n")
        size.add(text)
    return size.flushed()


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
            "tags": ["security", "reliability", "disaster-recovery", *rule.categories],
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
    text = finding.message
    return {"text": _BRACKET.sub(r"\\\1", text) if "[" in text or "]" in text else text}  # most have none: no regex


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


@lru_cache(maxsize=None)  # an inventory has a few files and a large report thousands of results in each
def file_uri(path: str) -> str:
    """A URI reference for an inventory path: relative paths stay relative (GitHub resolves them against
    the repository root), absolute ones become file: URIs; unsafe characters are percent-encoded."""
    native = Path(path)
    # a name that is not UTF-8 has its bytes percent-encoded, as as_uri() does for an absolute one
    return native.as_uri() if native.is_absolute() else quote(native.as_posix(), safe="/", errors="surrogateescape")
