"""Every kind of unusable inventory, through the real command line: exit 2, a message
naming file:line:column with what was found and what was expected, never a traceback."""
from __future__ import annotations

import re
from dataclasses import dataclass
from textwrap import dedent

import pytest

from conftest import drcheck


@dataclass(frozen=True)
class Bad:
    """One broken inventory and the message it must give."""

    id: str
    text: str | bytes
    line: int
    column: int
    found: str  # a fragment naming what was found
    expected: str  # a fragment naming what was expected


SITE_A = "version: 1\nsites:\n  a: {location: [37.4, 127.1]}\n"

CASES = [
    Bad("malformed-yaml", """\
        version: 1
        sites:
          a: {location: [37.4, 127.1]
        services: {}
        """, 4, 1, "while parsing a flow mapping", "expected ',' or '}'"),
    Bad("tab-indentation", "version: 1\nsites:\n\ta: {}\n", 3, 1, "found a tab in the indentation",
        "YAML indents with spaces only"),
    Bad("tab-inside-indentation", "version: 1\nsites:\n  a:\n  \tbuilding: b\n", 4, 3, "found a tab",
        "indents with spaces only"),
    Bad("dedented-backups", SITE_A + dedent("""\
        services:
          ledger:
            kind: data
            placements: [{site: a}]
          backups:
            - {site: a}
        """), 8, 3, "service 'backups': found a list",
        "'backups' is a field of a service; if it belongs to the service above, indent it under that service's name"),
    Bad("missing-version", """\
        sites: {}
        services: {}
        """, 1, 1, "missing required field 'version'", "must be 1"),
    Bad("version-3", "version: 3\n", 1, 10, "found version '3'", "expected 1"),
    Bad("unknown-top-level-key", "version: 1\nextra: 1\n", 2, 1, "unknown field 'extra'",
        "expected one of: version, name, sites, services"),
    Bad("unknown-site-field", """\
        version: 1
        sites:
          a:
            colour: red
        """, 4, 5, "site 'a': unknown field 'colour'", "expected one of: kind, location"),
    Bad("unknown-service-field", SITE_A + dedent("""\
        services:
          s:
            placements: [{site: a}]
            colour: red
        """), 7, 5, "service 's': unknown field 'colour'", "expected one of: kind, tier"),
    Bad("tier-high", SITE_A + dedent("""\
        services:
          s:
            tier: high
            placements: [{site: a}]
        """), 6, 11, "found 'high'", "expected a tier 0, 1, 2 or 3"),
    Bad("location-word", """\
        version: 1
        sites:
          a:
            location: "north"
        """, 4, 15, "found 'north'", 'expected [lat, lon], {lat: .., lon: ..} or "lat, lon"'),
    Bad("latitude-91", """\
        version: 1
        sites:
          a:
            location: [91, 0]
        """, 4, 15, "found latitude 91", "expected latitude between -90 and 90"),
    Bad("longitude-181", """\
        version: 1
        sites:
          a:
            location: {lat: 0, lon: 181}
        """, 4, 15, "found longitude 181", "expected longitude between -180 and 180"),
    Bad("unknown-site-in-placement", SITE_A + dedent("""\
        services:
          s:
            placements:
              - {site: a}
              - {site: b}
        """), 8, 9, "unknown site 'b'", "expected one of the defined sites (a)"),
    Bad("unknown-service-in-depends-on", SITE_A + dedent("""\
        services:
          s:
            placements: [{site: a}]
            depends_on:
              - auth
              - nope
        """), 9, 9, "depends_on: unknown service 'nope'", "expected one of the defined services (s)"),
    Bad("unknown-service-in-recovery-needs", SITE_A + dedent("""\
        services:
          s:
            placements: [{site: a}]
            recovery_needs:
              - s
              - nope
        """), 9, 9, "recovery_needs: unknown service 'nope'", "expected one of the defined services (s)"),
    Bad("duplicate-service-key", SITE_A + dedent("""\
        services:
          s:
            placements: [{site: a}]
          s:
            placements: [{site: a}]
        """), 7, 3, "duplicate key 's' (first defined at {file}:5:3)", "may appear only once"),
    Bad("rto-soon", SITE_A + dedent("""\
        services:
          s:
            rto: soon
            placements: [{site: a}]
        """), 6, 10, "found 'soon'", "expected a duration such as 30s, 15m, 4h, 2d or PT4H"),
    Bad("bad-date", SITE_A + dedent("""\
        services:
          s:
            placements: [{site: a}, {site: a, role: standby}]
            dr: {strategy: warm-standby, last_tested: 2022-13-45}
        """), 7, 47, "found '2022-13-45'", "expected a date YYYY-MM-DD"),
    Bad("empty-file", "", 1, 1, "the file is empty", "expected an inventory starting with 'version: 1'"),
    Bad("only-a-comment", "# nothing here yet\n", 1, 1, "found nothing", "expected a mapping with 'version: 1'"),
    Bad("binary-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 3, 1, "found a NUL byte",
        "expected YAML text"),
    Bad("invalid-utf8", b'version: 1\nname: "caf\xe9"\n', 2, 11, "found byte 0xe9", "expected UTF-8"),
    Bad("raw-escape-character", 'version: 1\nname: "x\x1b[31m"\n', 2, 9, "found control character U+001B",
        "expected printable text"),
    Bad("python-tag", 'version: 1\nname: !!python/object/apply:os.system ["echo hi > executed.txt"]\n', 2, 7,
        "found YAML tag '!!python/object/apply:os.system'", "expected plain values"),
    Bad("custom-tag", "version: 1\nname: !vault secret\n", 2, 7, "found YAML tag '!vault'", "expected plain values"),
    Bad("second-document", "version: 1\n---\nversion: 1\n", 2, 1, "found a second YAML document",
        "expected one document per file"),
    Bad("top-level-list", "- version: 1\n", 1, 1, "found a list at the top of the file",
        "expected a mapping with 'version: 1'"),
    Bad("null-key", "version: 1\nsites:\n  ~: {}\n", 3, 3, "found a null mapping key", "expected a name"),
]


def _write(tmp_path, case: Bad):
    path = tmp_path / f"{case.id}.yaml"
    if isinstance(case.text, bytes):
        path.write_bytes(case.text)
    else:
        path.write_text(dedent(case.text), encoding="utf-8")
    return path


def assert_refused(result, where: str, *fragments: str) -> None:
    """Exit 2, the located message on stderr, nothing on stdout, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert f"error: {where}: " in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


@pytest.mark.parametrize("command", ["audit", "validate"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_inventory_is_refused_with_its_location(tmp_path, case, command):
    path = _write(tmp_path, case)
    options = ["--as-of", "2026-11-01"] if command == "audit" else []
    result = drcheck(command, path, *options, cwd=tmp_path)  # cwd: where an executed tag would write
    assert_refused(result, f"{path}:{case.line}:{case.column}", case.found.format(file=path), case.expected)


def test_python_tag_is_not_executed(tmp_path):
    case = next(c for c in CASES if c.id == "python-tag")
    path = _write(tmp_path, case)
    result = drcheck("audit", path, cwd=tmp_path)
    assert result.returncode == 2
    assert not (tmp_path / "executed.txt").exists()


def test_duplicate_site_across_files_names_both_places(tmp_path):
    (tmp_path / "estate").mkdir()
    first = tmp_path / "estate" / "one.yaml"
    second = tmp_path / "estate" / "two.yaml"
    first.write_text("version: 1\nsites:\n  pangyo: {location: [37.4, 127.1]}\n", encoding="utf-8")
    second.write_text("version: 1\nsites:\n  gasan: {}\n  pangyo: {}\n", encoding="utf-8")
    for command in ("audit", "validate"):
        result = drcheck(command, tmp_path / "estate")
        assert_refused(result, f"{second}:4:3", f"site 'pangyo' is defined twice: here and at {first}:3:3")


@pytest.mark.parametrize("command", ["audit", "validate"])
def test_directory_without_inventory_is_refused(tmp_path, command):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("version: 1\n")
    result = drcheck(command, tmp_path / "empty")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"error: {tmp_path / 'empty'}: directory holds no *.yaml or *.yml inventory files" in result.stderr


@pytest.mark.parametrize("command", ["audit", "validate"])
def test_missing_path_is_refused(tmp_path, command):
    result = drcheck(command, tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"error: {tmp_path / 'nope.yaml'}: no such file or directory" in result.stderr


def test_validate_prints_nothing_on_success(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(SITE_A + "services:\n  s:\n    tier: 0\n    placements: [{site: a}]\n", encoding="utf-8")
    result = drcheck("validate", path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_stdin_errors_are_located_in_stdin():
    result = drcheck("audit", "-", stdin="version: 1\nsites:\n  a:\n    colour: red\n")
    assert_refused(result, "<stdin>:4:5", "unknown field 'colour'", "expected one of: kind, location")


def test_every_problem_is_listed_at_once(tmp_path):
    path = tmp_path / "inventory.yaml"
    path.write_text(SITE_A + "services:\n  s:\n    tier: high\n    rto: soon\n    placements: [{site: a}]\n",
                    encoding="utf-8")
    result = drcheck("validate", path)
    assert result.returncode == 2
    assert re.findall(r"^error: (\S+?):(\d+):(\d+): ", result.stderr, re.M) == [
        (str(path), "6", "11"), (str(path), "7", "10")]
