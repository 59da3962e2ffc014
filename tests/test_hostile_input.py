"""Inputs written to hurt: alias bombs, deep nesting, huge files, and names that try to
restyle a terminal, break a Markdown table or inject HTML."""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import re
import time

import pytest
from typer.testing import CliRunner

from conftest import drcheck, drcheck_installed
from drcheck.inventory import loader
from drcheck.commands.cli import app
from drcheck.errors import InputError
from drcheck.inventory.loader import MAX_DEPTH, load_documents

HANG_GUARD_S = 5.0  # generous: these must fail in well under a second; this only catches a hang
UNSAFE_CHARACTERS = ("\x1b", "\x9b", "\u202e")


def test_alias_bomb_is_refused_at_the_first_alias(tmp_path):
    lines = ["version: 1", 'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):  # 9 levels of 9 aliases: 9**9 strings once expanded
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = drcheck("audit", path)
    assert time.monotonic() - started < HANG_GUARD_S
    assert result.returncode == 2
    assert f"error: {path}:3:14: found alias *lol0; aliases are not supported" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("depth, message", [
    (10_000, "exceeded maximum nesting depth"),  # libyaml's own limit
    (MAX_DEPTH + 1, f"found nesting deeper than {MAX_DEPTH} levels"),  # drcheck's, well below it
])
def test_deep_nesting_is_refused_without_recursion(tmp_path, depth, message):
    path = tmp_path / "deep.yaml"
    path.write_text("[" * depth + "]" * depth + "\n", encoding="utf-8")
    started = time.monotonic()
    result = drcheck("validate", path)
    assert time.monotonic() - started < HANG_GUARD_S
    assert result.returncode == 2
    assert re.search(rf"^error: {re.escape(str(path))}:1:\d+: .*{message}", result.stderr, re.M), result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "deep.yaml"
    # the root mapping and MAX_DEPTH - 1 lists: exactly the limit
    path.write_text("name: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", encoding="utf-8")
    [document] = load_documents([str(path)])
    depth, node = 1, document.root["name"]
    while isinstance(node, list):
        depth, node = depth + 1, (node[0] if node else None)
    assert depth == MAX_DEPTH


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(loader, "MAX_INPUT_BYTES", 1000)


def test_file_over_the_size_limit_is_refused(tmp_path, small_limit):
    path = tmp_path / "big.yaml"
    path.write_text("version: 1\nname: " + "x" * 1000 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_documents([str(path)])
    assert str(refused.value) == (f"{path}:1:1: file is larger than the limit of 1000 bytes; "
                                  "expected a YAML inventory")


def test_stdin_over_the_size_limit_is_refused(small_limit):
    with pytest.raises(InputError, match=r"^<stdin>:1:1: file is larger than the limit of 1000 bytes"):
        load_documents(["-"], stdin=io.BytesIO(b"version: 1\nname: " + b"x" * 1000 + b"\n"))


def test_file_at_the_size_limit_is_read(tmp_path, small_limit):
    path = tmp_path / "just.yaml"
    text = "version: 1\nname: " + "x" * 100
    path.write_text(text + " " * (1000 - len(text) - 1) + "\n", encoding="utf-8")
    assert load_documents([str(path)])[0].root["name"] == "x" * 100


def test_cli_refuses_a_file_over_the_limit_with_exit_2(tmp_path, small_limit):
    path = tmp_path / "big.yaml"
    path.write_text("version: 1\nname: " + "x" * 1000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"error: {path}:1:1: file is larger than the limit of 1000 bytes" in result.output


# Each hostile name as YAML source and as the string it must stay.
HOSTILE = {
    '"[bold red]x[/]"': "[bold red]x[/]",
    r'"\e[31mred\e[0m"': "\x1b[31mred\x1b[0m",
    r'"c1\x9b31m"': "c1\x9b31m",
    r'"bidi\u202Eevil"': "bidi\u202eevil",
    '"a|b"': "a|b",
    '"<img src=x onerror=alert(1)>"': "<img src=x onerror=alert(1)>",
    '"`tick`"': "`tick`",
    r'"a\nb"': "a\nb",
}


@pytest.fixture(scope="module")
def hostile_inventory(tmp_path_factory):
    """Every hostile name is a tier-0 service alone on a site of the same name, so no-dr names both."""
    lines = ["version: 1", r'name: "[bold red]x[/] \e[31mred\e[0m"', "sites:"]
    lines += [f"  {source}: {{location: [{37 + i * 0.5}, 127.0]}}" for i, source in enumerate(HOSTILE)]
    lines.append("services:")
    lines += [f"  {source}: {{tier: 0, placements: [{{site: {source}}}]}}" for source in HOSTILE]
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audit_output(path, fmt: str) -> str:
    result = drcheck("audit", path, "--format", fmt, "--as-of", "2026-11-01")
    assert result.returncode == 1, result.stderr  # no-dr fails the gate: the audit ran
    return result.stdout


def test_json_round_trips_hostile_names_exactly(hostile_inventory):
    text = audit_output(hostile_inventory, "json")
    for character in UNSAFE_CHARACTERS:
        assert character not in text
    report = json.loads(text)
    names = set(HOSTILE.values())
    assert report["inventory"]["name"] == "[bold red]x[/] \x1b[31mred\x1b[0m"
    no_dr = [f for f in report["findings"] if f["rule"] == "no-dr"]
    assert {f["subject"] for f in no_dr} == {f"service:{name}" for name in names}
    assert {f["evidence"]["sites"][0] for f in no_dr} == names
    # the report's five worst scenarios (of eight alike): losing a site takes down its service, and nothing else
    shown = [(s["lost"], s["down"]) for s in report["scenarios"]]
    assert len(shown) == 5 and len({down[0] for _, down in shown} & names) == 5
    assert shown == [([{"domain": "site", "value": down[0]}], [down[0]]) for _, down in shown]


def test_junit_details_show_hostile_names_visibly(hostile_inventory):
    text = audit_output(hostile_inventory, "junit")
    for character in UNSAFE_CHARACTERS:
        assert character not in text
    details = {case.get("name"): case.find("failure").text for case in ET.fromstring(text).iter("testcase")
               if case.get("classname") == "drcheck.no-dr"}
    # each line of a finding's details is made visible on its own: the other lines stay as they are
    escaped = details["service:\\x1b[31mred\\x1b[0m"].split("\n")
    assert escaped[0] == "critical no-dr service:\\x1b[31mred\\x1b[0m"
    assert escaped[-1].startswith("fingerprint: ") and len(escaped) == 5
    assert "service:bidi\\u202eevil" in details and "service:c1\\x9b31m" in details
    assert details["service:a|b"].split("\n")[0] == "critical no-dr service:a|b"


def test_table_shows_hostile_names_visibly_and_inertly(hostile_inventory):
    text = audit_output(hostile_inventory, "table")
    for character in UNSAFE_CHARACTERS:
        assert character not in text
    for visible in (r"service:\x1b[31mred\x1b[0m", r"service:c1\x9b31m", r"service:bidi\u202eevil",
                    r"service:a\x0ab", "service:[bold red]x[/]", "service:`tick`", "service:a|b"):
        assert visible in text, visible
    assert "drcheck [bold red]x[/] \\x1b[31mred" in text  # the inventory name, markup printed literally


def _markdown_tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_keeps_hostile_names_inside_their_cells(hostile_inventory):
    text = audit_output(hostile_inventory, "markdown")
    for character in UNSAFE_CHARACTERS:
        assert character not in text
    assert "<img" not in text and "&lt;img src=x onerror=alert\\(1\\)&gt;" in text
    tables = _markdown_tables(text)
    findings_table = next(t for t in tables if t[0].startswith("| | Rule |"))
    no_dr_rows = [row for row in findings_table if "`no-dr`" in row]
    assert len(no_dr_rows) == len(HOSTILE)  # one row each: no row was split by a newline in a name
    for table in tables:
        for row in table:
            assert row.endswith("|"), row
            assert _cells(row) == _cells(table[0]), row
    rows = "\n".join(no_dr_rows)
    for shown in (r"service:a\|b", r"service:a\\x0ab", r"service:\`tick\`", r"service:\[bold red\]x\[/\]"):
        assert shown in rows, shown


def test_html_shows_hostile_names_escaped_in_text_and_pictures(hostile_inventory):
    text = audit_output(hostile_inventory, "html")
    for character in UNSAFE_CHARACTERS:
        assert character not in text
    assert "<img" not in text and "onerror=alert(1)&gt;" in text
    assert text.count("<script>") == 1  # the page's own sorting script, nothing a name brought in
    for shown in (r"service:\x1b[31mred\x1b[0m", r"service:a\x0ab", r"bidi\u202eevil", "[bold red]x[/]"):
        assert shown in text, shown
    # sites are drawn on the map with their names as SVG text, escaped the same way
    assert "&lt;img src=x onerror=alert(1)&gt;</tspan>" in text


@pytest.mark.parametrize("inventory, message", [
    ('sites:\n  "\\e[31mred\\e[0m":\n    colour: x\n', r"4:5: site '\x1b[31mred\x1b[0m': unknown field 'colour'"),
    ('sites:\n  a: {}\nservices:\n  s:\n    placements: [{site: "\\e]8;;http://x\\a\\x9b\\u202E"}]\n',
     r"6:18: service 's' placement: unknown site '\x1b]8;;http://x\x07\x9b\u202e'"),
])
def test_error_messages_quote_hostile_names_inertly(tmp_path, inventory, message):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\n" + inventory, encoding="utf-8")
    result = drcheck("validate", path)
    assert result.returncode == 2
    for character in (*UNSAFE_CHARACTERS, "\x07"):
        assert character not in result.stderr
    assert f"error: {path}:{message}" in result.stderr, result.stderr


def test_a_file_name_that_is_not_utf8_is_written_visibly_in_every_format(tmp_path):
    """Python carries a name's bytes that are not UTF-8 as lone surrogates: no output may crash on them or
    write them raw (a report that is not UTF-8 is no JSON, SARIF or XML)."""
    from drcheck.reporters import FORMATS

    name = "k\udcff.yaml"  # the bytes b"k\xff.yaml"
    (tmp_path / name).write_text("version: 1\nsites: {a: {}}\nservices:\n  web: {tier: 0, placements: [{site: a}]}\n",
                                 encoding="utf-8")
    for fmt in FORMATS:  # through the real entry point: the name comes as bytes, the report goes out as bytes
        result = drcheck_installed("audit", name, "--format", fmt, "--as-of", "2026-11-01", cwd=tmp_path, text=False)
        assert result.returncode == 1, (fmt, result.stderr)
        text = result.stdout.decode("utf-8")  # strictly UTF-8
        if fmt == "json":
            report = json.loads(text)
            assert report["inventory"]["files"] == [name]  # JSON's \udcff escape gives the name back as it was
            assert report["findings"][0]["location"]["file"] == name
        elif fmt == "sarif":
            location = json.loads(text)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uri"] == "k%FF.yaml"
        elif fmt == "markdown":
            assert "k\\\\udcff.yaml" in text  # Markdown shows a backslash written twice once
        elif fmt != "fingerprints":
            assert "k\\udcff.yaml" in text, fmt
