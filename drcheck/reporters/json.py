"""`--format json`: the report of SPEC section 5."""
from __future__ import annotations

import json

from ..report import Report
from .safe import json_text


def render(report: Report) -> str:
    return as_text(report.as_json())


def as_text(data: object) -> str:
    return json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
