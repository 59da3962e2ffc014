"""The terminal report: grouped by severity, most important first, a screenful per group, the rest counted;
at 80 columns every wrapped line stays indented under its finding."""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from rich.cells import cell_len

from conftest import EMPTY_FOLDER, ROOT, SAMPLES, drcheck, run_audit
from drcheck.failures.domains import Failure
from drcheck.failures.questions import FailureQuestions
from drcheck.inventory.loader import parse
from drcheck.inventory.schema import build_inventory
from drcheck.failures.simulate import Simulation
from strategies import inventories

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import synthetic_inventory  # noqa: E402

KAKAO = SAMPLES / "kakao-2022.yaml"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HEAD = re.compile(r"^  (?P<rule>[a-z0-9-]+)  (?P<subject>(service|site|domain):\S+|inventory)")


def on_terminal(columns: int, *args) -> str:
    """What a person sees running drcheck in a terminal `columns` wide: run under a real pseudo-terminal
    (util-linux `script`), colours and all, then read with the colour codes taken out."""
    if shutil.which("script") is None:
        pytest.skip("needs util-linux `script` for a pseudo-terminal")
    exe = Path(sys.executable).parent / "drcheck"
    command = f"stty cols {columns} rows 50; {shlex.join([str(exe), *map(str, args)])}"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "GITHUB_ACTIONS")}
    screen = subprocess.run(["script", "-q", "-e", "-c", command, "/dev/null"], capture_output=True, text=True,
                            env=env, timeout=120, stdin=subprocess.DEVNULL, cwd=EMPTY_FOLDER).stdout
    assert "\x1b[" in screen, "a terminal gets colours by default"
    return ANSI.sub("", screen).replace("\r\n", "\n")


def blocks(screen: str) -> dict[str, list[list[str]]]:
    """Group title (" CRITICAL (15) " ...) -> its findings, each the list of its lines."""
    groups: dict[str, list[list[str]]] = {}
    current = None
    for line in screen.splitlines():
        if re.match(r"^ [A-Z]+ \(", line):
            current = groups.setdefault(line.split(" (")[0].strip(), [])
        elif not line.strip():
            current = None
        elif current is not None:
            if HEAD.match(line):
                current.append([line])
            else:
                assert current, f"a line before any finding: {line!r}"
                current[-1].append(line)
    return groups


@pytest.mark.parametrize("columns", [80, 120])
def test_at_the_width_of_a_terminal_every_line_fits_and_stays_under_its_finding(columns):
    screen = on_terminal(columns, "audit", KAKAO, "--as-of", "2026-11-01")
    lines = screen.splitlines()
    assert max(cell_len(line) for line in lines) <= columns
    assert max(cell_len(line) for line in lines) > columns - 10, "the width is used, not wasted"
    groups = blocks(screen)
    assert list(groups) == ["CRITICAL", "HIGH", "MEDIUM"]
    for findings in groups.values():
        for finding in findings:
            assert finding[0].startswith("  ") and not finding[0].startswith("   ")
            assert len(finding) >= 2, "the message under its head"
            for continuation in finding[1:]:
                assert continuation.startswith("    "), f"wrapped back out of its finding: {continuation!r}"
    # the footer and the worst failures wrap indented too
    start = lines.index(next(line for line in lines if line.startswith("score = ")))
    # the last line says what the plan takes to pass the gate
    plan = next(n for n in range(start + 1, len(lines)) if lines[n] and not lines[n].startswith("  "))
    assert lines[plan].startswith("no set of changes drcheck knows passes the gate")
    assert all(line.startswith("  ") for line in lines[start + 1:plan] + lines[plan + 1:] if line)
    # the same findings in the same order whatever the width
    wide = on_terminal(200, "audit", KAKAO, "--as-of", "2026-11-01")
    assert [HEAD.match(f[0]).group(0) for g in groups.values() for f in g] == \
           [HEAD.match(f[0]).group(0) for g in blocks(wide).values() for f in g]


def test_in_a_file_or_a_pipe_nothing_is_wrapped():
    out = drcheck("audit", KAKAO, "--as-of", "2026-11-01").stdout
    finding = next(f for f in blocks(out)["CRITICAL"] if "kakaobank-notifications" in f[0])
    assert len(finding) == 2 and finding[0].endswith(":230:9")
    assert finding[1].startswith("    kakaobank-notifications has a primary in kakao-gasan") and \
        finding[1].endswith("(kakaobank-notifications → kakaotalk → kakao-auth)")


HUB = """\
version: 1
sites:
  a: {location: [1, 1]}
  b: {location: [1, 3]}
services:
  zz-hub: {tier: 1, placements: [{site: a}]}
  aa-leaf: {tier: 1, placements: [{site: a}]}
  ab-leaf: {tier: 0, placements: [{site: a}], depends_on: [aa-leaf]}
"""


def test_findings_go_by_severity_then_what_their_subject_takes_down_then_tier(write):
    users = "".join(f"  user-{i}:\n    tier: 2\n    placements: [{{site: a}}, {{site: b, role: standby}}]\n"
                    "    dr: {strategy: warm-standby}\n    depends_on: [zz-hub]\n" for i in range(5))
    inventory = write(HUB + users)
    out = drcheck("audit", inventory, "--select", "no-dr", "--as-of", "2026-11-01").stdout
    heads = [f[0].split()[1] for g in blocks(out).values() for f in g]
    # ab-leaf is tier 0: critical; then the high ones, zz-hub first, whatever the alphabet says: it and its five
    # tier-2 users stop together (tier weight 4 + 5 x 2), against aa-leaf and the tier-0 ab-leaf (4 + 8)
    assert heads == ["service:ab-leaf", "service:zz-hub", "service:aa-leaf"]
    report = run_audit(inventory, select=["no-dr"])
    assert report.impacts["service:zz-hub"] > report.impacts["service:aa-leaf"] > report.impacts["service:ab-leaf"]


def test_long_groups_show_the_most_important_and_say_how_many_more_and_how_to_see_them(tmp_path):
    path = tmp_path / "estate.yaml"
    path.write_text(synthetic_inventory(300), encoding="utf-8")
    out = drcheck("audit", path, "--as-of", "2026-11-01").stdout
    report = run_audit(path)
    critical = [f for f in report.failures if f.severity == "critical"]
    shown = blocks(out)["CRITICAL"]
    assert len(shown) == 50
    impacts = [report.impacts[HEAD.match(f[0]).group("subject")] for f in shown]
    assert impacts == sorted(impacts, reverse=True)
    hidden = sorted(report.impacts[f.subject] for f in critical)[:len(critical) - 50]
    assert max(hidden) <= min(impacts)
    assert shown[0][0].startswith("  no-dr  service:svc-0  tier 0"), "the service every other one needs"
    assert (f"… {len(critical) - 50} more critical not shown here (less important: lower impact or tier); "
            "--format json, markdown or sarif lists every finding, --select RULE shows one rule's") in out


def test_unknowns_of_services_not_yet_placed_are_summed_up_apart_from_the_others():
    out = drcheck("audit", SAMPLES / "tunely-imported" / "catalogue.yaml", "--as-of", "2026-11-01").stdout
    unknown = out[out.index(" UNKNOWN (25) "):]
    assert "  6 service(s) not yet placed  25 checks wait for their placements\n" in unknown
    # tier 0 first, then by what each takes down
    assert "    auth, player-api, tracks-db, audio-files, recommendations, users-db\n" in unknown
    # no-backup too: an unplaced data store is unknown, not a critical failure
    assert "dr-depends-on-single-site (6), dr-site-too-close (6), no-backup (3), no-dr (3)" in unknown
    assert "cannot check" not in unknown
    whole = drcheck("audit", SAMPLES / "tunely-imported", "--as-of", "2026-11-01").stdout
    assert "no known distance from primary aws-eu-west-1a to aws-eu-west-1b" in whole  # the others, in full


def test_a_table_counts_the_findings_of_each_rule_and_severity():
    out = drcheck("audit", SAMPLES / "tunely-imported", "--as-of", "2026-11-01").stdout
    table = out[out.index("Findings per rule\n"):].splitlines()
    assert table[1].split() == ["rule", "severity", "fail", "unknown"]
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in table[2:] if line.startswith("  ") and
            not line.startswith("  rule")}
    assert rows[("backup-colocated", "critical")] == ["1", "1"]
    assert rows[("no-dr", "critical")] == ["2"] and rows[("no-dr", "high")] == ["1"]  # no-dr grades by tier
    assert rows[("dr-site-too-close", "high")] == ["1"]  # an unknown only
    assert not any(line != line.rstrip() for line in table)
    assert re.search(r"\n  \d+ more rule\(s\) ran and found nothing\n", out)


def test_quiet_prints_the_summary_and_the_gate_only(write):
    result = drcheck("audit", KAKAO, "--quiet", "--as-of", "2026-11-01")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("Score ") and "gate FAILED: " in lines[1]
    assert lines[2].startswith("15 critical")
    diff = drcheck("diff", KAKAO, SAMPLES / "naver-2022.yaml", "-q", "--as-of", "2026-11-01")
    assert diff.returncode == 0
    assert diff.stdout.splitlines()[-2:] == [
        "gate passed: no subject got worse at or above high, and no single failure takes down more", "net: better"]
    assert "Removed:" not in diff.stdout and len(diff.stdout.splitlines()) == 6


def test_findings_show_rule_subject_location_and_message(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "version: 1\nsites:\n  pangyo: {location: [37.401, 127.106]}\n  anyang: {location: [37.39, 126.96]}\n"
        "services:\n  talk:\n    tier: 0\n    placements: [{site: pangyo}, {site: anyang, role: standby}]\n"
    )
    out = drcheck("audit", inventory, "--select", "dr-site-too-close", "--as-of", "2026-11-01").stdout
    assert "Score " in out and "gate FAILED" in out
    assert f"dr-site-too-close  service:talk  tier 0  {inventory}:6:3" in out
    assert "DR site anyang is 13.0 km from primary pangyo; policy requires 40 km" in out


def test_waived_findings_are_counted_apart_and_unused_waivers_are_named(tmp_path):
    inventory = tmp_path / "inv.yaml"
    inventory.write_text("version: 1\nsites:\n  a: {}\nservices:\n"
                         "  auth:\n    tier: 0\n    placements: [{site: a}]\n"
                         "  login:\n    tier: 0\n    placements: [{site: a}]\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text("waivers:\n"
                      "  - {rule: no-dr, subject: service:auth, reason: moving in Q1, expires: 2027-03-31}\n"
                      "  - {rule: no-dr, subject: service:gone, reason: was removed, expires: 2027-03-31}\n")
    out = drcheck("audit", inventory, "--select", "no-dr", "--policy", policy, "--as-of", "2026-11-01").stdout
    assert " CRITICAL (1 + 1 waived) " in out
    assert "waived: moving in Q1" in out
    assert "unused waiver (matches no finding; remove it): no-dr service:gone" in out
    assert re.search(r"\n  no-dr  critical  1  1\n", re.sub(r" +", "  ", out))


@settings(max_examples=60, deadline=None)
@given(inventories(max_sites=5, max_services=9))
def test_a_service_takes_down_what_the_simulation_of_its_own_outage_does(document):
    inventory = build_inventory([parse("generated.yaml", yaml.safe_dump(document, sort_keys=False))])
    impacts = FailureQuestions(inventory).subject_impacts()
    names = list(inventory.services)
    outages = Simulation(inventory, [Failure((), frozenset(), frozenset(), frozenset([n])) for n in names]).impacts()
    for name, expected in zip(names, outages):
        assert impacts[f"service:{name}"] == pytest.approx(expected), name


def test_the_simulate_tables_wrap_under_their_own_column_too():
    ranked = on_terminal(80, "simulate", KAKAO).splitlines()
    assert max(cell_len(line) for line in ranked) <= 80
    column = ranked[0].index("lost")
    rows = [line for line in ranked[1:] if line]
    assert rows[0].startswith("   1   100.0%     15  destroyed    building=skcc-pangyo-bldg-a  (=")
    assert all(re.match(r"^ +\d+ ", line) or line.startswith(" " * column) and line[column] != " " for line in rows)
    detail = on_terminal(80, "simulate", KAKAO, "--fail", "building=skcc-pangyo-bldg-a").splitlines()
    assert max(cell_len(line) for line in detail) <= 80
    why = detail[detail.index(next(line for line in detail if line.startswith("  ✗ daum-mail: "))) + 1]
    assert why == "    ops-permission, ops-deploy, ops-monitoring"
