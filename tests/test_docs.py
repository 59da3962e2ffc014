"""The documentation cannot go stale: every `console` example in README.md and docs/ is run and compared with
what drcheck prints, the site builds with `mkdocs build --strict` (a broken link or anchor fails), and the
rule pages are the rules' own documentation.

The convention (docs/development.md): a fenced block with the info string `console` whose first line is
`$ drcheck ARGS`, run from the repository root with NO_COLOR=1 and its output to a pipe (nothing wrapped),
followed by exactly what it prints, stdout and stderr together.  A line holding only `...` stands for any number of lines; `...` inside a line
for any text.  `<!-- console: not run -->` on the line before the fence marks a block that cannot run here.
DRCHECK_UPDATE_DOCS=1 rewrites the output of every block without `...` from what drcheck prints now.
"""
from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, drcheck

NOT_RUN = "<!-- console: not run -->"
COLUMNS = 80  # what help text is wrapped to
UPDATE = bool(os.environ.get("DRCHECK_UPDATE_DOCS"))


@dataclass(frozen=True)
class Example:
    path: Path
    line: int  # of the command, 1-based
    indent: str
    command: str  # what follows `$ drcheck `
    expected: tuple[str, ...]
    run: bool

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def examples(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    i = 0
    while i < len(lines):
        fence = re.fullmatch(r"(\s*)(`{3,})console\s*", lines[i])
        if not fence:
            i += 1
            continue
        indent, ticks = fence.group(1), fence.group(2)
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks)
        body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[i + 1:end]]
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        command = body[0] if body else ""
        found.append(Example(path, i + 2, indent, command.removeprefix("$ drcheck").strip(), tuple(body[1:]),
                             before != NOT_RUN))
        i = end + 1
    return found


ALL = [example for path in documents() for example in examples(path)]


def printed(args: list[str]) -> str:
    """What `drcheck ARGS` prints, stdout and stderr together as a shell's `2>&1` shows them, run from the
    repository root without a terminal (so nothing is wrapped) and without colour."""
    exe = Path(sys.executable).parent / "drcheck"
    env = dict(os.environ, NO_COLOR="1", COLUMNS=str(COLUMNS))
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([str(exe), *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, cwd=ROOT, env=env, text=True, timeout=300).stdout


def matches(expected: tuple[str, ...], output: str) -> bool:
    pattern = "".join(r"(?:.*\n)*?" if line.strip() == "..." else
                      ".*".join(map(re.escape, line.rstrip().split("..."))) + r"[ \t]*\n" for line in expected)
    text = "\n".join(line.rstrip() for line in output.rstrip("\n").splitlines()) + "\n"
    return re.fullmatch(pattern, text) is not None


def test_the_documents_hold_console_examples_in_the_convention():
    assert len([e for e in ALL if e.path.name == "README.md"]) >= 1
    bad = [e.name for e in ALL if not re.fullmatch(r"\S.*", e.command) or not e.expected]
    assert not bad, f"a console block starts with `$ drcheck ARGS` and shows what it prints: {bad}"


@pytest.mark.parametrize("example", [e for e in ALL if e.run], ids=lambda e: e.name)
def test_every_console_example_prints_what_the_documentation_shows(example):
    output = printed(shlex.split(example.command))
    if UPDATE and not any("..." in line for line in example.expected):
        old = "\n".join(example.indent + line if line else "" for line in example.expected)
        new = "\n".join(example.indent + line.rstrip() if line.strip() else "" for line in output.rstrip("\n").split("\n"))
        head = f"{example.indent}$ drcheck {example.command}\n"
        with open(example.path, "r+", encoding="utf-8") as page:
            fcntl.flock(page, fcntl.LOCK_EX)  # test workers rewrite the examples of one page one at a time
            text = page.read()
            page.seek(0)
            page.write(text.replace(head + old, head + new, 1))
            page.truncate()
        return
    assert matches(example.expected, output), (
        f"{example.name}: `drcheck {example.command}` now prints:\n{output}")


def test_the_matcher_reads_ellipses_as_the_documentation_says():
    assert matches(("a", "...", "d"), "a\nb\nc\nd\n") and matches(("a", "...", "d"), "a\nd\n")
    assert matches(("score ... (F)",), "score 5.5/100 (F)\n")
    assert not matches(("a", "d"), "a\nb\nd\n") and not matches(("score ... (F)",), "score 5.5/100 (E)\n")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None,
                    reason="mkdocs is not installed (pip install -e '.[test]')")
def test_the_documentation_site_builds_strictly(tmp_path):
    """A broken link, a missing anchor or a page named in nav that does not exist fails the build."""
    result = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-q",
                             "-d", str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "rules" / "no-backup" / "index.html").read_text(encoding="utf-8")
    assert "Why it matters" in page and "g-drive" in page  # the rule's own documentation and example
    table = (tmp_path / "site" / "rules" / "index.html").read_text(encoding="utf-8")
    rules = drcheck("rules").stdout
    builtin = re.findall(r"^([a-z0-9-]+)\s.*\[builtin\]$", rules, re.M)
    assert builtin and all(f'href="{rule}/"' in table for rule in builtin)


def test_a_rule_page_is_what_explain_prints_as_markdown():
    explained = drcheck("explain", "dr-site-too-close", "--format", "markdown")
    assert explained.returncode == 0, explained.stderr
    page = explained.stdout
    for heading in ("# dr-site-too-close", "## What it does", "## Why it matters", "## When it fires",
                    "## Example that fires (on `service:", "## Example that passes", "## How to fix it",
                    "## Parameters (set under `rules.dr-site-too-close` in the policy file)", "## References"):
        assert heading in page, heading
    assert "| `min_distance_km` | `40` |" in page
