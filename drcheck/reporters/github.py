"""`--format github`: GitHub Actions workflow commands, so findings appear inline on the pull request.

critical/high findings are errors, medium warnings, low/info notices;
waived, baselined and unknown results are notices that say so.  Expired
waivers are warnings at their line in the policy file.  The last line is a
plain summary for the log.
"""
from __future__ import annotations

from ..findings import Finding
from ..errors import Location
from ..report import Report
from . import View
from .safe import terminal
from .summary import summary_line

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def render(report: Report, view: View = View()) -> str:
    remediation = {rule.id: rule.remediation for rule in report.rules}
    out = [_finding(f, remediation.get(f.rule)) for f in report.findings]
    for waiver in report.expired_waivers:
        out.append(_command("warning", waiver.location, "drcheck: expired waiver",
                            f"waiver for {waiver.rule} on {waiver.subject} expired on {waiver.expires} and no longer "
                            f"applies (reason was: {waiver.reason})"))
    for waiver in report.unused_waivers:
        out.append(_command("notice", waiver.location, "drcheck: unused waiver",
                            f"waiver for {waiver.rule} on {waiver.subject} matches no finding; remove it"))
    out.append(terminal(summary_line(report)))
    return "\n".join(out) + "\n"


def _finding(finding: Finding, remediation: str | None) -> str:
    if finding.status == "error":
        command, note = "error", ""
    elif finding.status == "unknown":
        command, note = "notice", "unknown (not enough data): "
    elif finding.waived:
        command, note = "notice", f"waived ({finding.waiver_reason}): "
    elif finding.baseline:
        command, note = "notice", "already in the baseline: "
    else:
        command, note = COMMANDS[finding.severity], ""
    message = f"{note}{finding.message}\n{finding.subject}"
    if remediation and command != "notice":
        message += f"\nHow to fix it: {remediation}"
    return _command(command, finding.location, f"drcheck {finding.rule} ({finding.severity})", message)


def _command(command: str, location: Location | None, title: str, message: str) -> str:
    properties = []
    if location is not None and location.file != "<stdin>":
        properties += [f"file={_property(location.file)}", f"line={location.line}", f"col={location.column}"]
    properties.append(f"title={_property(title)}")
    return f"::{command} {','.join(properties)}::{_data(message)}"


def _data(text: str) -> str:
    """Workflow-command data as GitHub's toolkit escapes it (so a name can never end the command or start
    one of its own), then other control characters, such as terminal escapes, made visible."""
    return terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
