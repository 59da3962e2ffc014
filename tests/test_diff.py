"""`drcheck diff`: findings added and removed, score before and after, failures that now take down more."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import drcheck, drcheck_installed
from drcheck.audit.run import AuditOptions, load_inventory
from drcheck.commands.diff import CAN_FORK, compare
from drcheck.failures.domains import Domain
from drcheck.errors import InputError
from drcheck.audit.policy import default_policy

RULES = "no-dr,dr-site-too-close"
BASE = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070], building: pg-b1}
  anyang: {location: [37.3943, 126.9568]}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 0
    placements: [{site: pangyo}, {site: busan, role: standby}]
  crm:
    tier: 1
    placements: [{site: pangyo}]
"""
# talk's standby moves 13 km away and it now needs auth, which runs on pangyo alone; crm gains DR
HEAD = """\
version: 1
sites:
  pangyo: {location: [37.4005, 127.1070], building: pg-b1}
  anyang: {location: [37.3943, 126.9568]}
  busan: {location: [35.1796, 129.0756]}
services:
  talk:
    tier: 0
    placements: [{site: pangyo}, {site: anyang, role: standby}]
    depends_on: ["auth | <b>x</b>"]
  crm:
    tier: 1
    placements: [{site: pangyo}, {site: busan, role: standby}]
  "auth | <b>x</b>":
    tier: 0
    placements: [{site: pangyo}]
"""


@pytest.fixture
def pair(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(HEAD, encoding="utf-8")
    return tmp_path


def diff(folder, *args):
    result = drcheck("diff", *args, "--select", RULES, "--as-of", "2026-11-01", cwd=folder)
    assert "Traceback" not in result.stderr
    return result


def diff_json(folder, *args, exit_code: int):
    result = diff(folder, *args, "--format", "json")
    assert result.returncode == exit_code, result.stderr
    return json.loads(result.stdout)


def test_findings_added_and_removed_by_fingerprint(pair):
    data = diff_json(pair, "base.yaml", "head.yaml", exit_code=1)
    assert [(f["rule"], f["subject"]) for f in data["added"]] == [
        ("no-dr", "service:auth | <b>x</b>"), ("dr-site-too-close", "service:talk")]
    assert data["added"][1]["evidence"]["distance_km"] == pytest.approx(13.3, abs=0.15)
    assert [(f["rule"], f["subject"], f["location"]["file"]) for f in data["removed"]] == [
        ("no-dr", "service:crm", "base.yaml")]
    # base: crm (tier 1, weight 4 of 12) at health 0.5 → 50 + 50 × (1 − 2/12); head: auth's no-dr is critical
    # (weight 8, health 0) and talk (weight 8) is at 0.5, of 20 → 50 × (1 − 12/20)
    assert (data["base"]["score"], data["head"]["score"]) == (91.7, 20.0)
    assert [f["subject"] for f in data["gate"]["blocking"]] == ["service:auth | <b>x</b>", "service:talk"]


def test_failures_that_now_take_down_more(pair):
    data = diff_json(pair, "base.yaml", "head.yaml", exit_code=1)
    worse = data["scenarios_worse"]
    # an area disaster around pangyo or anyang (13 km apart) takes the same down: one scenario
    assert worse[0]["lost"] == [{"domain": "building", "value": "pg-b1"}, {"domain": "site", "value": "pangyo"},
                                {"domain": "area", "value": "anyang"}, {"domain": "area", "value": "pangyo"}]
    # before: only crm (tier 1, weight 4) of 12 went down; after: talk (through auth) and auth too
    assert worse[0]["impact_before"] == pytest.approx(4 / 12, abs=1e-4)
    assert worse[0]["impact_after"] == pytest.approx(16 / 20, abs=1e-4)
    assert worse[0]["newly_down"] == ["talk", "auth | <b>x</b>"]
    assert len(worse) == 1  # losing anyang or busan takes nothing down


def test_moving_lines_changes_nothing(pair):
    (pair / "moved.yaml").write_text("# a comment\n\n" + BASE.replace("  crm:", "\n\n  crm:"), encoding="utf-8")
    data = diff_json(pair, "base.yaml", "moved.yaml", exit_code=0)
    assert (data["added"], data["removed"], data["scenarios_worse"]) == ([], [], [])
    assert data["base"]["score"] == data["head"]["score"]


def test_a_change_that_only_fixes_passes(pair):
    fixed = BASE.replace("    placements: [{site: pangyo}]\n", "    placements: [{site: pangyo}, {site: busan, role: standby}]\n")
    (pair / "fixed.yaml").write_text(fixed, encoding="utf-8")
    data = diff_json(pair, "base.yaml", "fixed.yaml", exit_code=0)
    assert data["passed"]
    assert [(f["rule"], f["subject"]) for f in data["removed"]] == [("no-dr", "service:crm")]
    assert data["added"] == [] and data["head"]["score"] == 100.0


# Anyang is 13 km from Pangyo: within the 40 km an area disaster reaches by default, so a standby moved there
# is also a single failure that now takes talk down (`test_a_standby_moved_into_the_primary_s_area_is_worse`);
# these tests narrow the area to look at the findings alone.
NARROW_AREAS = "area_radius_km: 10\n"


def test_fail_on_sets_what_a_change_may_add(pair):
    (pair / "high.yaml").write_text(BASE.replace("{site: busan, role: standby}", "{site: anyang, role: standby}"),
                                    encoding="utf-8")
    (pair / "narrow.yaml").write_text(NARROW_AREAS, encoding="utf-8")
    assert diff(pair, "base.yaml", "high.yaml", "--policy", "narrow.yaml").returncode == 1
    data = diff_json(pair, "base.yaml", "high.yaml", "--fail-on", "critical", "--policy", "narrow.yaml", exit_code=0)
    assert [f["rule"] for f in data["added"]] == ["dr-site-too-close"]


def test_a_standby_moved_into_the_primary_s_area_is_worse(pair):
    (pair / "near.yaml").write_text(BASE.replace("{site: busan, role: standby}", "{site: anyang, role: standby}"),
                                    encoding="utf-8")
    data = diff_json(pair, "base.yaml", "near.yaml", "--fail-on", "critical", exit_code=1)
    [worse] = data["gate"]["scenarios"]
    assert worse["lost"] == [{"domain": "area", "value": "anyang"}, {"domain": "area", "value": "pangyo"}]
    assert worse["regressed"] == ["talk"]


def test_raised_severity_counts_as_added_for_the_gate(pair):
    (pair / "tier0.yaml").write_text(BASE.replace("tier: 1", "tier: 0"), encoding="utf-8")
    data = diff_json(pair, "base.yaml", "tier0.yaml", "--fail-on", "critical", exit_code=1)
    assert data["added"] == [] and data["removed"] == []
    assert [(c["subject"], c["before"], c["after"]) for c in data["severity_raised"]] == [("service:crm", "high", "critical")]
    table = diff(pair, "base.yaml", "tier0.yaml", "--fail-on", "critical").stdout
    assert "high -> critical  no-dr  service:crm" in table


def test_a_fix_that_swaps_a_critical_for_a_high_passes(pair):
    # crm (tier 0) had no DR (critical no-dr); its new standby is 13 km away (high dr-site-too-close)
    (pair / "before.yaml").write_text(BASE.replace("tier: 1", "tier: 0"), encoding="utf-8")
    (pair / "after.yaml").write_text(BASE.replace("tier: 1", "tier: 0").replace(
        "    placements: [{site: pangyo}]\n", "    placements: [{site: pangyo}, {site: anyang, role: standby}]\n"),
        encoding="utf-8")
    data = diff_json(pair, "before.yaml", "after.yaml", exit_code=0)
    assert [(f["rule"], f["severity"], f["subject"]) for f in data["added"]] == [
        ("dr-site-too-close", "high", "service:crm")]
    assert [(f["rule"], f["severity"]) for f in data["removed"]] == [("no-dr", "critical")]
    assert (data["gate"]["blocking"], data["net"]) == ([], "better")
    assert diff(pair, "before.yaml", "after.yaml").stdout.endswith(
        "gate passed: no subject got worse at or above high, and no single failure takes down more\nnet: better\n")


def test_a_subject_whose_worst_severity_rises_fails_though_another_finding_went(pair):
    # talk: its standby moves next door (high dr-site-too-close, where it had nothing) as crm gains DR
    (pair / "worse.yaml").write_text(BASE.replace("{site: busan, role: standby}", "{site: anyang, role: standby}")
                                     .replace("    placements: [{site: pangyo}]\n",
                                              "    placements: [{site: pangyo}, {site: busan, role: standby}]\n"),
                                     encoding="utf-8")
    data = diff_json(pair, "base.yaml", "worse.yaml", exit_code=1)
    assert [(f["rule"], f["subject"]) for f in data["gate"]["blocking"]] == [("dr-site-too-close", "service:talk")]
    assert data["net"] == "worse"


def test_a_single_failure_that_takes_down_more_fails_without_any_new_finding(pair):
    # web (tier 2: no-dr does not ask it for DR) now needs search, which runs only in busan
    services = ("  web:\n    placements: [{site: pangyo}]\n"
                "  search:\n    placements: [{site: busan}]\n")
    (pair / "before.yaml").write_text(BASE + services, encoding="utf-8")
    (pair / "after.yaml").write_text(BASE + services.replace("[{site: pangyo}]\n", "[{site: pangyo}]\n    depends_on: [search]\n"),
                                     encoding="utf-8")
    data = diff_json(pair, "before.yaml", "after.yaml", exit_code=1)
    assert (data["added"], data["removed"], data["severity_raised"], data["gate"]["blocking"]) == ([], [], [], [])
    (worse,) = data["gate"]["scenarios"]
    # busan is alone in its area: losing the area around it is the same loss
    assert worse["lost"] == [{"domain": "site", "value": "busan"}, {"domain": "area", "value": "busan"}]
    assert worse["regressed"] == ["web"]
    assert worse["impact_after"] > worse["impact_before"]
    assert data["net"] == "worse"
    assert ("losing site=busan, area=busan now takes down web, which came through it before"
            in diff(pair, "before.yaml", "after.yaml").stdout)


def test_a_new_service_counts_from_nothing(pair):
    lesser = BASE + "  wiki:\n    tier: 3\n    placements: [{site: pangyo}]\n"
    (pair / "lesser.yaml").write_text(lesser, encoding="utf-8")
    # tier 3 on one site: no finding, and its loss is judged by its findings, not as a regression
    data = diff_json(pair, "base.yaml", "lesser.yaml", exit_code=0)
    assert data["gate"]["scenarios"] == [] and data["scenarios_worse"][0]["newly_down"] == ["wiki"]
    (pair / "critical.yaml").write_text(lesser.replace("tier: 3", "tier: 0"), encoding="utf-8")
    data = diff_json(pair, "base.yaml", "critical.yaml", exit_code=1)
    assert [(f["rule"], f["subject"]) for f in data["gate"]["blocking"]] == [("no-dr", "service:wiki")]


def test_a_head_with_no_services_or_nothing_placed_cannot_pass(pair):
    (pair / "empty.yaml").write_text("version: 1\nsites:\n  pangyo: {}\nservices: {}\n", encoding="utf-8")
    result = diff(pair, "base.yaml", "empty.yaml")
    assert result.returncode == 2 and "empty.yaml:1:1: found no services" in result.stderr
    assert "100" not in result.stdout
    (pair / "unplaced.yaml").write_text("version: 1\nsites:\n  pangyo: {}\nservices:\n  talk: {tier: 0}\n",
                                        encoding="utf-8")
    data = diff_json(pair, "base.yaml", "unplaced.yaml", exit_code=1)
    assert data["nothing_placed"] and data["net"] == "worse"
    assert "gate FAILED: no service of the head is placed anywhere" in diff(pair, "base.yaml", "unplaced.yaml").stdout


def test_waived_additions_do_not_fail(pair):
    (pair / "policy.yaml").write_text(
        "waivers:\n"
        "  - {rule: no-dr, subject: 'service:auth | <b>x</b>', reason: moving soon, expires: 2027-01-01}\n"
        "  - {rule: dr-site-too-close, subject: 'service:talk', reason: accepted, expires: 2027-01-01}\n"
        + NARROW_AREAS, encoding="utf-8")
    # without talk's new dependency on auth, losing pangyo takes down nothing that came through it before
    (pair / "independent.yaml").write_text(HEAD.replace('    depends_on: ["auth | <b>x</b>"]\n', ""), encoding="utf-8")
    data = diff_json(pair, "base.yaml", "independent.yaml", "--policy", "policy.yaml", exit_code=0)
    assert [(f["rule"], f["subject"], f["waived"]) for f in data["added"]] == [
        ("no-dr", "service:auth | <b>x</b>", True), ("dr-site-too-close", "service:talk", True)]
    diff_json(pair, "base.yaml", "independent.yaml", "--policy", "policy.yaml", "--no-waivers", exit_code=1)
    # a waiver accepts a finding, not a single failure that now takes down a service it did not
    data = diff_json(pair, "base.yaml", "head.yaml", "--policy", "policy.yaml", exit_code=1)
    assert data["gate"]["blocking"] == []
    assert [s["newly_down"] for s in data["gate"]["scenarios"]] == [["talk", "auth | <b>x</b>"]]


def test_table_and_markdown(pair):
    table = diff(pair, "base.yaml", "head.yaml").stdout
    assert "drcheck diff: base.yaml -> head.yaml" in table
    assert "2 finding(s) added, 1 removed" in table
    assert "  + critical no-dr  service:auth | <b>x</b>  head.yaml:14:3" in table
    assert "  - high no-dr  service:crm  base.yaml:10:3" in table
    assert ("building=pg-b1, site=pangyo, area=anyang, area=pangyo: impact 33.3% -> 80.0%; newly down: talk, "
            "auth | <b>x</b>") in table
    assert table.rstrip().endswith(
        "gate FAILED: 2 subject(s) now worse at or above high: no-dr service:auth | <b>x</b>, dr-site-too-close "
        "service:talk; losing building=pg-b1, site=pangyo, area=anyang, area=pangyo now takes down talk, which came "
        "through it before\n"
        "net: worse")
    markdown = diff(pair, "base.yaml", "head.yaml", "--format", "markdown").stdout
    assert markdown.startswith("## drcheck diff: score ")
    assert "| critical | `no-dr` | service:auth \\| &lt;b&gt;x&lt;/b&gt; | head.yaml:14:3 |" in markdown
    assert "| building=pg\\-b1, site=pangyo, area=anyang, area=pangyo | 33.3% | 80.0% | talk, auth \\| &lt;b&gt;x&lt;/b&gt; | — |" in markdown
    assert "<b>" not in markdown


def test_names_with_control_characters_are_shown_safely(tmp_path):
    (tmp_path / "a.yaml").write_text("version: 1\nsites:\n  s: {location: [1, 2]}\nservices: {}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text('version: 1\nsites:\n  s: {location: [1, 2]}\nservices:\n'
                                     '  "x\\e[2J\\u202e": {tier: 0, placements: [{site: s}]}\n', encoding="utf-8")
    for fmt in ("table", "markdown", "json"):
        out = diff(tmp_path, "a.yaml", "b.yaml", "--format", fmt).stdout
        assert "\x1b" not in out and "\u202e" not in out
    assert "service:x\\x1b[2J\\u202e" in diff(tmp_path, "a.yaml", "b.yaml").stdout


# --- against a git revision ---------------------------------------------------------------------------------

def git(folder, *args):
    return subprocess.run(["git", "-c", "user.name=drcheck tests", "-c", "user.email=tests@example.invalid",
                           "-c", "commit.gpgsign=false", *args], cwd=folder, capture_output=True, text=True, check=True)


@pytest.fixture
def repo(tmp_path):
    folder = tmp_path / "infra"
    (folder / "dr").mkdir(parents=True)
    (folder / "dr" / "inventory.yaml").write_text(BASE, encoding="utf-8")
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "base")
    (folder / "dr" / "inventory.yaml").write_text(HEAD, encoding="utf-8")
    return folder


def test_against_a_git_revision(repo):
    installed = drcheck_installed("diff", "dr/inventory.yaml", "--base", "HEAD", "--select", RULES, "--as-of", "2026-11-01",
                                  "--format", "json", cwd=repo)
    assert installed.returncode == 1, installed.stderr  # git runs beside the real command as it would for a user
    data = json.loads(installed.stdout)
    assert data["base"]["files"] == ["HEAD:dr/inventory.yaml"] and data["head"]["files"] == ["dr/inventory.yaml"]
    assert [f["location"]["file"] for f in data["removed"]] == ["HEAD:dr/inventory.yaml"]
    assert len(data["added"]) == 2
    # run from inside the folder too: git runs where the file is
    inside = diff_json(repo / "dr", "inventory.yaml", "--base", "HEAD", exit_code=1)
    assert inside["added"] == [dict(f, location=dict(f["location"], file="inventory.yaml"))
                                             for f in data["added"]]


def test_against_a_git_revision_of_a_directory(repo):
    data = diff_json(repo, "dr", "--base", "HEAD", exit_code=1)
    assert data["base"]["files"] == ["HEAD:dr/inventory.yaml"]
    assert data["head"]["files"] == ["dr/inventory.yaml"]


def test_base_that_was_invalid_is_located_in_the_revision(repo):
    (repo / "dr" / "inventory.yaml").write_text(BASE.replace("tier: 1", "tier: one"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    (repo / "dr" / "inventory.yaml").write_text(BASE, encoding="utf-8")
    result = diff(repo, "dr/inventory.yaml", "--base", "HEAD")
    assert result.returncode == 2 and result.stderr.startswith("error: HEAD:dr/inventory.yaml:11:11: ")


@pytest.mark.parametrize("args, message", [
    (["dr/inventory.yaml", "--base", "no-such-branch"], "--base: 'no-such-branch' is not a commit"),
    (["dr/new.yaml", "--base", "HEAD"], "dr/new.yaml: not in HEAD"),
    (["dr/inventory.yaml", "dr/inventory.yaml", "--base", "HEAD"], "--base compares one inventory with its own past"),
    (["dr/inventory.yaml"], "diff needs BASE and HEAD inventories"),
    (["dr/missing.yaml", "--base", "HEAD"], "dr/missing.yaml: no such file or directory"),
    (["-", "-"], "diff - -: BASE and HEAD cannot both be standard input"),
])
def test_git_mistakes_exit_2(repo, args, message):
    (repo / "dr" / "new.yaml").write_text(BASE.replace("talk", "chat").replace("crm", "erp"), encoding="utf-8")
    result = diff(repo, *args)
    assert result.returncode == 2 and result.stderr.startswith(f"error: {message}"), result.stderr


def test_not_a_git_repository_exits_2(pair):
    result = diff(pair, "head.yaml", "--base", "HEAD")
    assert result.returncode == 2
    assert result.stderr.startswith("error: head.yaml: not inside a git repository")


def test_markdown_stays_short_enough_for_a_pull_request_comment(tmp_path):
    sites = "version: 1\nsites:\n  s: {location: [1, 2]}\n  t: {location: [5, 6]}\nservices:\n"
    (tmp_path / "a.yaml").write_text(sites + "  keep: {tier: 3, placements: [{site: t}]}\n", encoding="utf-8")
    many = "".join(f"  svc-{i:03}: {{tier: 0, placements: [{{site: s}}]}}\n" for i in range(130))
    (tmp_path / "b.yaml").write_text(sites + many, encoding="utf-8")
    markdown = diff(tmp_path, "a.yaml", "b.yaml", "--format", "markdown").stdout
    rows = [line for line in markdown.splitlines() if line.startswith("| critical | `no-dr`")]
    assert len(rows) == 100 and "svc\\-099" in rows[-1]
    assert "… and 30 more (`--format json` lists them all)." in markdown
    assert "svc\\-009 \\(\\+120 more\\) |" in markdown  # names per scenario are capped too
    assert markdown.rstrip().endswith("no\\-dr service:svc\\-009 \\(\\+120 more\\)\n\nnet: worse")


# --- the base audited in a second process ------------------------------------------------------------------

def _loader(path):
    return lambda: load_inventory([str(path)])


def _options():
    return AuditOptions(policy=default_policy(), as_of=date(2026, 11, 1))


CRM_BLOCK = "crm:\n    tier: 1\n    placements: [{site: pangyo}, {site: busan, role: standby}]"


@pytest.mark.skipif(not CAN_FORK, reason="this platform does not fork")
@pytest.mark.parametrize("crm, removed, raised", [
    # crm gains DR, if too close: its no-dr finding goes away (the base's owner and tier come with it)
    ("crm:\n    tier: 1\n    placements: [{site: pangyo}, {site: anyang, role: standby}]",
     [("no-dr", "service:crm", 1)], []),
    # crm becomes tier 0, still without DR: the same no-dr finding, now critical
    ("crm:\n    tier: 0\n    placements: [{site: pangyo}]", [], [("high", "critical", "no-dr", "service:crm")]),
])
def test_the_base_audited_in_a_second_process_gives_the_same_comparison(pair, crm, removed, raised):
    (pair / "head.yaml").write_text(HEAD.replace(CRM_BLOCK, crm), encoding="utf-8")
    forked, alone = (compare(_loader(pair / "base.yaml"), _loader(pair / "head.yaml"), _options(), parallel=parallel)
                     for parallel in (True, False))
    assert forked.as_json() == alone.as_json()
    assert [(f.rule, f.subject, forked.base.owner_and_tier(f)[1]) for f in forked.removed] == removed
    assert [(c.before.severity, c.after.severity, c.after.rule, c.after.subject) for c in forked.raised] == raised
    # losing pangyo now takes talk down too, through auth
    (worse,) = [s for s in forked.scenarios if Domain("building", "pg-b1") in s.lost]
    assert (worse.newly_down, round(worse.impact_before, 2)) == (["talk", "auth | <b>x</b>"], 0.33)


@pytest.mark.parametrize("parallel", [True, False] if CAN_FORK else [False])
def test_the_base_s_error_comes_first_and_the_base_s_process_is_gone(pair, parallel):
    (pair / "base.yaml").write_text(BASE.replace("tier: 1", "tier: one"), encoding="utf-8")
    (pair / "head.yaml").write_text(HEAD.replace("tier: 0", "tier: zero", 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        compare(_loader(pair / "base.yaml"), _loader(pair / "head.yaml"), _options(), parallel=parallel)
    (problem,) = raised.value.problems
    assert problem.location is not None and problem.location.file.endswith("base.yaml")
    assert (problem.location.line, problem.location.column) == (11, 11)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left running or unwaited


@pytest.mark.skipif(not CAN_FORK, reason="this platform does not fork")
def test_a_base_process_that_dies_or_raises_is_an_error_of_the_parent(pair):
    def dies():
        os._exit(3)

    def raises():
        raise ValueError("an unexpected state")

    with pytest.raises(RuntimeError, match=r"ended without an answer \(its process exited with 3\)"):
        compare(dies, _loader(pair / "head.yaml"), _options(), parallel=True)
    with pytest.raises(ValueError, match="an unexpected state"):
        compare(raises, _loader(pair / "head.yaml"), _options(), parallel=True)


@pytest.mark.skipif(not CAN_FORK or not Path("/proc/self/task").exists(), reason="needs fork and Linux's /proc")
def test_ctrl_c_ends_the_base_s_process_too(pair):
    # the base is read from standard input, which stays open: its process waits there until Ctrl-C
    exe = Path(sys.executable).parent / "drcheck"
    diff = subprocess.Popen([str(exe), "diff", "-", str(pair / "head.yaml")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=pair)
    children = Path(f"/proc/{diff.pid}/task/{diff.pid}/children")
    deadline = time.monotonic() + 30
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = map(int, children.read_text().split())
    time.sleep(0.5)  # the head's audit done: the parent waits for the base's answer
    diff.send_signal(signal.SIGINT)
    _, err = diff.communicate(timeout=30)
    diff.stdin.close()
    assert diff.returncode == 130 and "Traceback" not in err
    assert not Path(f"/proc/{child}").exists()  # ended and waited for


def test_a_policy_beside_the_inventory_in_git_is_left_out(repo):
    (repo / "dr" / "drcheck.yaml").write_text("fail_on: critical\n", encoding="utf-8")
    (repo / "dr" / "gate.yaml").write_text("min_score: 10\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "policies and the head's inventory")
    data = diff_json(repo, "dr", "--base", "HEAD", exit_code=0)
    assert data["base"]["files"] == ["HEAD:dr/inventory.yaml"] and data["head"]["files"] == ["dr/inventory.yaml"]
    assert data["net"] == "unchanged"


def test_a_blast_radius_finding_renamed_by_a_regrouping_is_not_a_new_subject(tmp_path):
    # before: losing building guro, site guro-idc or the area around either site all take everything (one group,
    # named building=guro); after monitoring's standby in Gasan, 2.8 km away, only the areas do (a group named
    # area=gasan-idc): the same loss, no worse
    base = ("version: 1\nsites:\n"
            "  guro-idc: {location: [37.5030, 126.8820], building: guro}\n"
            "  gasan-idc: {location: [37.4780, 126.8870], building: gasan}\n"
            "services:\n  monitoring:\n    tier: 0\n    placements: [{site: guro-idc}]\n")
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(base.replace("[{site: guro-idc}]", "[{site: guro-idc}, {site: gasan-idc, role: standby}]"),
                                        encoding="utf-8")
    result = drcheck("diff", "base.yaml", "head.yaml", "--select", "blast-radius,no-dr", "--as-of", "2026-11-01",
                     "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert [f["subject"] for f in data["removed"] if f["rule"] == "blast-radius"] == ["domain:building=guro"]
    (added,) = [f for f in data["added"] if f["rule"] == "blast-radius"]
    assert added["subject"] == "domain:area=gasan-idc" and "area=guro-idc" in added["evidence"]["equivalent_domains"]
    assert result.returncode == 0 and data["gate"]["blocking"] == [] and data["net"] == "better"
