"""`--format github`: GitHub Actions workflow commands, so findings appear inline on the pull request.

critical/high findings are errors, medium warnings, low/info notices;
waived, baselined and unknown results are notices that say so.  Expired
waivers are warnings at their line in the policy file.  The last line is a
plain summary for the log.

GitHub shows at most ten annotations of each kind per step and drops the
rest: the ten most important of each are annotated (`Report.by_importance`),
and a notice says how many more there are and where the full report is.
"""
from __future__ import annotations

from ..rule_api.findings import Finding
from ..errors import Location
from ..audit.report import Report
from . import View, declare_needs
from .safe import terminal
from .summary import summary_line

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}
PER_KIND = 10  # GitHub's limit of annotations per step, for each of error, warning and notice


@declare_needs(impacts=True)  # the most important findings annotated
def render(report: Report, view: View = View()) -> str:
    remediation = {rule.id: rule.remediation for rule in report.rules}
    annotations = [_finding(f, remediation.get(f.rule)) for f in report.by_importance()]
    for waiver in report.expired_waivers:
        annotations.append(("warning", _command("warning", waiver.location, "drcheck: expired waiver",
                            f"waiver for {waiver.rule} on {waiver.subject} expired on {waiver.expires} and no longer "
                            f"applies (reason was: {waiver.reason})")))
    for waiver in report.unused_waivers:
        annotations.append(("notice", _command("notice", waiver.location, "drcheck: unused waiver",
                            f"waiver for {waiver.rule} on {waiver.subject} matches no finding; remove it")))
    shown: dict[str, int] = {"error": 0, "warning": 0, "notice": 0}
    left: dict[str, int] = dict(shown)
    out = []
    for kind, line in annotations:
        # one notice is kept for saying what was left out
        if shown[kind] < PER_KIND - (kind == "notice"):
            shown[kind] += 1
            out.append(line)
        else:
            left[kind] += 1
    if any(left.values()):
        out.append(_command("notice", None, "drcheck: more findings than GitHub annotates", _left_out(left, view)))
    out.append(terminal(summary_line(report)))
    return "\n".join(out) + "\n"


def _left_out(left: dict[str, int], view: View) -> str:
    counts = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in left.items() if n)
    where = (f"the full report is in {view.full_report}" if view.full_report else
             "the job summary (--format markdown) and drcheck audit --format json have the full report")
    return (f"{counts} more not annotated here: GitHub shows {PER_KIND} of each kind per step, so only the most "
            f"important are; {where}")


def _finding(finding: Finding, remediation: str | None) -> tuple[str, str]:
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
    return command, _command(command, finding.location, f"drcheck {finding.rule} ({finding.severity})", message)


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
