"""Every command's --help, as a user reads it in a terminal 80 columns wide: what each parameter expects,
never a Python type, and examples that drcheck itself accepts."""
import re
import shlex

import pytest
import typer
from rich.cells import cell_len

from conftest import drcheck
from drcheck.commands.cli import app

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)


def help_text(*args: str) -> str:
    result = drcheck(*args, "--help", env={"COLUMNS": "80", "TERM": "dumb", "NO_COLOR": None, "FORCE_COLOR": None})
    assert result.returncode == 0, result.stderr
    return result.stdout


def examples(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Examples:")
    return [line.strip() for line in lines[start + 1:] if line.strip()]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_80_columns_names_what_is_expected_and_shows_examples(command):
    text = help_text(*([command] if command else []))
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert not re.search(r"[{}]|[a-z]+\.\.\.", usage), usage  # PATH..., never {paths}...
    assert not re.search(r"<(bool|str|int|float|list\[\w+\]|path)>", text), "a Python type name in the help"
    assert examples(text), "no example"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_example_is_a_command_line_drcheck_accepts(command):
    for example in examples(help_text(command)):
        words = shlex.split(example.split("|")[-1] if example.startswith("cat ") else example.split("|")[0])
        words = words[:words.index(">")] if ">" in words else words
        assert words[:2] == ["drcheck", command], example
        context = GROUP.commands[command].make_context(command, words[2:])  # raises on an unknown option
        assert context.params is not None


def test_parameters_show_their_metavars():
    audit = help_text("audit")
    for option, metavar in (("--format", "FORMAT"), ("--output", "FILE"), ("--select", "RULE,..."),
                            ("--as-of", "YYYY-MM-DD"), ("--rules-dir", "DIR")):
        assert re.search(rf"{re.escape(option)}\s.*\s{re.escape(metavar)}\s", audit), option
    assert "Usage: drcheck diff [OPTIONS] BASE [HEAD]" in help_text("diff")
    assert "Usage: drcheck import [OPTIONS] SOURCE [PATH]..." in help_text("import")
    assert re.search(r"--fail\s+DOMAIN=VALUE\s", help_text("simulate"))
