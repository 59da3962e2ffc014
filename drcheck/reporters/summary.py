"""The audit in one line: for logs, and for the terminal when the report itself goes to files."""
from __future__ import annotations

from ..audit.report import Report


def summary_line(report: Report) -> str:
    counts = report.counts()
    found = ", ".join(f"{n} {severity}" for severity, n in counts.items() if n) or "no findings"
    extras = [f"{len(report.unknowns)} unknown", f"{sum(f.waived for f in report.findings)} waived"]
    if report.baseline is not None:
        extras.append(f"{report.baseline['matched']} in the baseline, {report.baseline['fixed']} fixed since")
    verdict = "passed" if report.passed else "FAILED: " + "; ".join(report.gate)
    return (f"drcheck: score {report.score.value:g}/100 ({report.score.grade}); {found}; {', '.join(extras)}; "
            f"gate {verdict}")
