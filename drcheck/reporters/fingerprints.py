"""`--format fingerprints`: the failing findings' fingerprints, one per line, for `--baseline`.

A whole JSON report works as a baseline too, but on a large estate it is
tens of megabytes; this file holds only what the baseline needs (a
fingerprint, then the rule and subject as a comment for the reader), sorted
so that it diffs well in version control.
"""
from __future__ import annotations

from ..audit.report import FINGERPRINTS_HEADER, Report
from . import View
from .safe import terminal


def render(report: Report, view: View = View()) -> str:
    lines = sorted(f"{f.fingerprint}  {f.rule} {terminal(f.subject)}" for f in report.failures)
    return "\n".join([f"{FINGERPRINTS_HEADER}: failing findings of {terminal(report.inventory_name or 'the inventory')} "
                      f"as of {report.as_of}, for drcheck audit --baseline", *lines]) + "\n"
