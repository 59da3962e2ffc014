"""`--format gitlab`: a GitLab Code Quality report (a JSON list of issues) for merge-request widgets.

drcheck's five severities map one to one onto GitLab's (critical → blocker,
high → critical, medium → major, low → minor, info → info).  Waived findings
are left out: GitLab has no way to show an accepted issue.  Unknown results
are info issues that say so.
"""
from __future__ import annotations

import json

from ..rule_api.findings import Finding
from ..audit.report import Report
from . import View
from .safe import json_text

SEVERITIES = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}


def render(report: Report, view: View = View()) -> str:
    fallback = report.files[0] if report.files else "inventory"
    issues = [_issue(f, fallback) for f in report.findings if not f.waived]
    return json_text(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"


def _issue(finding: Finding, fallback_file: str) -> dict:
    unknown = finding.status == "unknown"
    where = finding.location
    return {
        "type": "issue",
        "check_name": finding.rule,
        "description": ("unknown (not enough data): " if unknown else "") + f"{finding.message} [{finding.subject}]",
        "categories": ["Bug Risk"],
        # an internal error is no finding about the estate, but it must not pass unseen
        "severity": "info" if unknown else "blocker" if finding.status == "error" else SEVERITIES[finding.severity],
        "fingerprint": finding.fingerprint,
        "location": {"path": where.file if where else fallback_file, "lines": {"begin": where.line if where else 1}},
    }
