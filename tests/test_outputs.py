"""One audit, several outputs; service findings name their owner and tier in every format; the report
is plain data that renderers turn into text."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, drcheck

INVENTORY = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070]}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 0
    owner: chat-team
    placements: [{site: pangyo}]
  mail:
    tier: 1
    placements: [{site: pangyo}, {site: busan, role: standby}]
"""


@pytest.fixture
def estate(tmp_path):
    (tmp_path / "inv.yaml").write_text(INVENTORY, encoding="utf-8")
    return tmp_path


def audit(estate, *args):
    return drcheck("audit", "inv.yaml", "--select", "no-dr", "--as-of", "2026-11-01", *args, cwd=estate)


def test_paired_formats_and_files_write_every_report_in_one_run(estate):
    result = audit(estate, "--format", "json", "-o", "r.json", "--format", "sarif", "-o", "r.sarif",
                   "-o", "markdown=r.md")
    assert result.returncode == 1
    assert result.stdout == ""
    report = json.loads((estate / "r.json").read_text())
    sarif = json.loads((estate / "r.sarif").read_text())
    assert [f["subject"] for f in report["findings"]] == ["service:talk"]
    assert [r["properties"]["subject"] for r in sarif["runs"][0]["results"]] == ["service:talk"]
    assert (estate / "r.md").read_text().startswith("## drcheck:")
    # nothing went to the terminal: one line there says how it went and where the reports are
    assert result.stderr.count("\n") == 1
    assert "score " in result.stderr and "gate FAILED" in result.stderr
    assert "r.json" in result.stderr and "r.sarif" in result.stderr and "r.md" in result.stderr


def test_one_format_on_stdout_beside_files(estate):
    result = audit(estate, "--format", "json", "-o", "r.json", "--format", "markdown")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("## drcheck:")
    assert json.loads((estate / "r.json").read_text())["passed"] is False
    assert result.stderr == ""  # the report itself is on the terminal


@pytest.mark.parametrize("args, message", [
    (["--format", "json", "--format", "sarif"], "only one output can go to standard output"),
    (["-o", "a.txt", "-o", "b.txt"], "give one --format per -o FILE"),
    (["--format", "json", "-o", "-", "-o", "markdown=-"], "only one output can go to standard output"),
    (["--format", "pdf", "-o", "r.pdf"], "--format: found 'pdf'"),
])
def test_outputs_that_cannot_be_paired_are_exit_2(estate, args, message):
    result = audit(estate, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not list(estate.glob("*.txt"))


def test_service_findings_carry_owner_and_tier_in_every_format(estate):
    report = json.loads(audit(estate, "--format", "json").stdout)
    talk = next(f for f in report["findings"] if f["subject"] == "service:talk")
    assert (talk["owner"], talk["tier"]) == ("chat-team", 0)
    assert next(s for s in report["services"] if s["subject"] == "service:talk")["owner"] == "chat-team"
    sarif = json.loads(audit(estate, "--format", "sarif").stdout)
    properties = sarif["runs"][0]["results"][0]["properties"]
    assert (properties["owner"], properties["tier"]) == ("chat-team", 0)
    markdown = audit(estate, "--format", "markdown").stdout
    row = next(line for line in markdown.splitlines() if "service:talk" in line and "no-dr" in line)
    assert "(tier 0)" in row and "| chat\\-team |" in row
    table = audit(estate).stdout
    assert "tier 0 · chat-team" in table


def test_site_findings_have_no_owner_or_tier(tmp_path):
    (tmp_path / "inv.yaml").write_text(INVENTORY.replace("busan: {location: [35.1796, 129.0756]}", "busan: {}"))
    report = json.loads(drcheck("audit", "inv.yaml", "--format", "json", "--as-of", "2026-11-01", cwd=tmp_path).stdout)
    site_findings = [f for f in report["findings"] if not f["subject"].startswith("service:")]
    service_findings = [f for f in report["findings"] if f["subject"].startswith("service:")]
    assert site_findings and service_findings
    assert all("owner" not in f and "tier" not in f for f in site_findings)
    assert all("tier" in f for f in service_findings)


def test_the_audit_renders_nothing_itself():
    """The report is plain data: building one loads no renderer."""
    code = ("import sys; from drcheck.audit.run import audit, load_inventory, AuditOptions; "
            "from drcheck.audit.policy import default_policy; import datetime; "
            f"r = audit(load_inventory([{str(ROOT / 'sample_topologies' / 'kakao-2022.yaml')!r}]), "
            "AuditOptions(policy=default_policy(), as_of=datetime.date(2026, 11, 1))); "
            "print(sorted(m for m in sys.modules if m.startswith('drcheck.reporters')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_diff_writes_several_outputs_in_one_run(estate):
    (estate / "head.yaml").write_text(INVENTORY.replace("placements: [{site: pangyo}]\n",
                                                        "placements: [{site: pangyo}, {site: busan, role: standby}]\n", 1))
    result = drcheck("diff", "inv.yaml", "head.yaml", "--select", "no-dr", "-o", "json=d.json", "-f", "markdown",
                     cwd=estate)
    assert result.returncode == 0, result.stderr
    removed = json.loads((estate / "d.json").read_text())["removed"]
    assert [(f["subject"], f["owner"], f["tier"]) for f in removed] == [("service:talk", "chat-team", 0)]
    assert result.stdout.startswith("## drcheck diff:")
