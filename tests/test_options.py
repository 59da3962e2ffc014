"""Bad command-line options: exit 2 with a message that names the option, what was found and what
was expected, through the real entry point, never a traceback and never a report on stdout."""
from __future__ import annotations

import pytest

from conftest import SAMPLES, drcheck

SAMPLE = str(SAMPLES / "naver-2022.yaml")
SEVERITY_LIST = "critical, high, medium, low, info"


@pytest.mark.parametrize("args, message", [
    (["audit", SAMPLE, "--format", "bogus"], "--format: found 'bogus'; expected one of: table, json, markdown, sarif, junit"),
    (["audit", SAMPLE, "--fail-on", "urgent"], f"--fail-on: found 'urgent'; expected one of: {SEVERITY_LIST}"),
    (["audit", SAMPLE, "--min-score", "101"], "--min-score: found 101; expected a number from 0 to 100"),
    (["audit", SAMPLE, "--min-score", "-1"], "--min-score: found -1; expected a number from 0 to 100"),
    (["audit", SAMPLE, "--select", "no-such-rule"], "unknown rule 'no-such-rule'; `drcheck rules` lists the known ones"),
    (["audit", SAMPLE, "--ignore", "no-dr,no-such-rule"], "unknown rule 'no-such-rule'; `drcheck rules` lists the known ones"),
    (["audit", SAMPLE, "--as-of", "2026-13-01"], "--as-of: found '2026-13-01'; expected a date YYYY-MM-DD"),
    (["audit", SAMPLE, "--profile", "nope"], "unknown profile 'nope'; expected one of: default, dora, kr-telecom, nist-800-34"),
    (["simulate", SAMPLE, "--top", "-1"], "--top: found -1; expected 0 (all) or more"),
    (["simulate", SAMPLE, "--format", "sarif"], "--format: found 'sarif'; expected one of: table, json"),
    (["graph", SAMPLE, "--format", "png"], "--format: found 'png'; expected one of: dot, mermaid"),
    (["diff", SAMPLE, SAMPLE, "--as-of", "yesterday"], "--as-of: found 'yesterday'; expected a date YYYY-MM-DD"),
])
def test_a_bad_option_value_is_exit_2_with_a_message(args, message):
    result = drcheck(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["audit", SAMPLE, "--bogus-option"], "No such option: --bogus-option"),
    (["audit"], "Missing argument 'PATH'."),
    (["audit", SAMPLE, "--quite"], "No such option: --quite (Possible options: --quiet)"),
    (["audit", SAMPLE, "--min-score", "many"], "Invalid value for '--min-score'"),
    (["explain"], "Missing argument 'RULE'."),
    (["no-such-command"], "No such command 'no-such-command'."),
])
def test_a_usage_error_is_exit_2_with_usage(args, message):
    result = drcheck(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith(f"Usage: drcheck {args[0] if args[0] != 'no-such-command' else '[OPTIONS]'}")
    assert message in result.stderr and "Traceback" not in result.stderr


def test_options_that_are_fine_pass_the_gate_with_exit_0():
    """The other side: the same options with good values run, and Naver's estate passes."""
    result = drcheck("audit", SAMPLE, "--format", "json", "--fail-on", "critical", "--min-score", "90",
                     "--select", "no-dr,dr-site-too-close", "--as-of", "2026-11-01", "--profile", "default")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
