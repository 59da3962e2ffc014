"""The command line.  The only module that prints; everything else returns data."""
from __future__ import annotations

import errno
import functools
import gc
import json
import os
import shutil
import sys
import tempfile
import traceback
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

import typer

from . import __version__
from .findings import SEVERITIES
from .errors import InputError, Problem, path_error
from .reporters import FORMATS, renderer
from .scalars import parse_date
from .reporters.safe import terminal

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Audit disaster-recovery readiness from a YAML inventory of sites, services and backups.",
                  context_settings={"help_option_names": ["-h", "--help"]})


def main() -> None:
    # A short batch run that builds hundreds of thousands of small objects and no
    # garbage cycles worth collecting: the collector's rescans of that growing heap
    # cost about a third of a large audit, for nothing.
    gc.disable()
    try:
        app()  # standalone: always ends in SystemExit
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - a bug of drcheck's own: exit 2 (never 1, a failed gate), no traceback
        frames = traceback.extract_tb(error.__traceback__)
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        typer.echo(f"error: internal error{where}: {type(error).__name__}: {terminal(str(error))[:500]}; "
                   "please report it with the input that caused it", err=True)
        _exit_now(2)
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        _exit_now(done.code or 0)


def _exit_now(code: int) -> None:
    """Leave without the interpreter's teardown: freeing a large audit's millions of objects one by
    one, and a last full garbage collection, is a twentieth of its run and serves nothing.  Every
    report file is written and closed by now; only the standard streams need flushing."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            code = code or 120  # what Python itself exits with when stdout cannot be flushed
    os._exit(code)


@app.callback(invoke_without_command=True)
def _options(ctx: typer.Context,
             version: bool = typer.Option(False, "--version", help="print drcheck's version and exit")) -> None:
    if version:
        typer.echo(f"drcheck {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


def _errors_exit_2(command):
    """A user's mistake is a located message on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            for problem in error.problems:
                typer.echo(f"error: {terminal(str(problem))}", err=True)
            raise typer.Exit(2)
        except OSError as error:  # on a path the user named (-o, --rules-dir, init DIR, ...)
            where = error.filename if error.filename is not None else "drcheck"
            typer.echo(f"error: {terminal(str(path_error(os.fsdecode(where), error)))}", err=True)
            raise typer.Exit(2)

    return wrapper


def _as_of(value: Optional[str]) -> date:
    if value is None:
        return date.today()
    try:
        return parse_date(value)
    except ValueError:
        raise InputError(f"--as-of: found {value!r}; expected a date YYYY-MM-DD") from None


def _split(values: Optional[list[str]]) -> list[str]:
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def write_output(text: str | Iterable[str], path: Optional[str]) -> None:
    """Print, or replace FILE atomically: a crash or a full disk never leaves half a report.
    `text` may come in pieces (large JSON reports do), written as they come."""
    pieces = [text] if isinstance(text, str) else text
    if path is None or path == "-":
        try:
            sys.stdout.writelines(pieces)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader has gone (`| head`) and took what it wanted: not an error, and the exit code
            # must still say whether the gate passed.  What is left unwritten goes nowhere.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError as exc:  # a full disk behind a redirection
            raise InputError(f"cannot write report to standard output: {exc.strerror or exc}") from None
        return
    target = Path(path)
    try:
        if target.exists() and not target.is_file():
            # /dev/null, /dev/stdout, a FIFO: renaming over them would replace the device
            with open(target, "w", encoding="utf-8") as handle:
                handle.writelines(pieces)
            return
        try:
            target = target.resolve()  # replace what a symlink points at, not the link
        except RuntimeError:  # how Python before 3.13 reports a symbolic link loop
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path) from None
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(pieces)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise InputError(f"{path}: cannot write report: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _width(output: Optional[str]) -> Optional[int]:
    """Wrap for a terminal; never wrap what goes to a file or a pipe (grep and CI logs want whole lines)."""
    return shutil.get_terminal_size().columns if output in (None, "-") and sys.stdout.isatty() else None


def _color(output: Optional[str]) -> bool:
    return output in (None, "-") and sys.stdout.isatty() and "NO_COLOR" not in os.environ


PATHS = typer.Argument(..., help="inventory files or directories; - reads stdin", show_default=False)


@app.command()
@_errors_exit_2
def audit(
    paths: list[str] = PATHS,
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help=f"one of {', '.join(FORMATS)} (default table; github inside GitHub Actions)"),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="write the report to FILE (atomically)"),
    policy_file: Optional[str] = typer.Option(None, "--policy", help="policy file (default: ./drcheck.yaml if present)"),
    profile: Optional[str] = typer.Option(None, "--profile", help="built-in rule pack: default, dora, kr-telecom, nist-800-34"),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="lowest severity that fails the gate (default high)"),
    min_score: Optional[float] = typer.Option(None, "--min-score", help="fail the gate below this score (0..100)"),
    fail_on_unknown: bool = typer.Option(False, "--fail-on-unknown", help="unknown results fail the gate too"),
    select: Optional[list[str]] = typer.Option(None, "--select", help="run only these rules (comma-separated)"),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="skip these rules (comma-separated)"),
    rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", help="load more rules from this directory"),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="earlier JSON report: its findings do not fail the gate"),
    no_waivers: bool = typer.Option(False, "--no-waivers", help="ignore every waiver in the policy"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge evidence ages and waiver expiry as of this date (default today)"),
) -> None:
    """Audit inventories; exit 0 if the gate passes, 1 if it fails, 2 if drcheck could not run."""
    from .audit import AuditOptions, audit as run_audit, load_inventory
    from .policy import load_policy

    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "table"
    if fmt not in FORMATS:
        raise InputError(f"--format: found {fmt!r}; expected one of: {', '.join(FORMATS)}")
    policy = load_policy(policy_file, profile)
    if fail_on is not None:
        if fail_on not in SEVERITIES:
            raise InputError(f"--fail-on: found {fail_on!r}; expected one of: {', '.join(SEVERITIES)}")
        policy.fail_on = fail_on
    if min_score is not None:
        if not 0 <= min_score <= 100:
            raise InputError(f"--min-score: found {min_score:g}; expected a number from 0 to 100")
        policy.min_score = min_score
    policy.fail_on_unknown = policy.fail_on_unknown or fail_on_unknown
    options = AuditOptions(policy=policy, as_of=_as_of(as_of), select=_split(select) or None, ignore=_split(ignore),
                           rules_dirs=rules_dir or [], use_waivers=not no_waivers, baseline=baseline)
    report = run_audit(load_inventory(paths), options)
    render = renderer(fmt)
    text = render(report, color=_color(output), width=_width(output)) if fmt == "table" else render(report)
    write_output(text, output)
    for error in report.errors:
        typer.echo(f"error: {terminal(error.message)}", err=True)
    raise typer.Exit(2 if report.errors else 0 if report.passed else 1)


@app.command()
@_errors_exit_2
def validate(paths: list[str] = PATHS) -> None:
    """Only check the inventory: print nothing but errors; exit 0 or 2."""
    from .audit import load_inventory

    load_inventory(paths)


@app.command()
@_errors_exit_2
def simulate(
    path: str = typer.Argument(..., help="inventory file or directory; - reads stdin"),
    fail: Optional[list[str]] = typer.Option(None, "--fail", help="lose DOMAIN=VALUE (site, building, campus, operator, region, power, network, hazard); repeat to combine"),
    depth: int = typer.Option(1, "--depth", help="without --fail: 1 = every single domain (N-1), 2 = every pair (N-2)"),
    top: int = typer.Option(20, "--top", help="show the N worst scenarios (0 = all)"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Blast radius of losing failure domains: what goes down, why, and which data is lost."""
    from .audit import load_inventory
    from .scenarios import scenarios_for, render_table

    if fmt not in ("table", "json"):
        raise InputError(f"--format: found {fmt!r}; expected table or json")
    if depth not in (1, 2):
        raise InputError(f"--depth: found {depth}; expected 1 or 2")
    if top < 0:
        raise InputError(f"--top: found {top}; expected 0 (all) or more")
    inventory = load_inventory([path])
    scenarios = scenarios_for(inventory, fail or [], depth, top)
    if fmt == "json":
        from .reporters.json import chunks

        write_output(chunks({"scenarios": [s.as_json() for s in scenarios]}), None)
    else:
        write_output(render_table(scenarios, detailed=bool(fail), color=_color(None), width=_width(None)), None)


@app.command("rules")
@_errors_exit_2
def list_rules(rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", help="also list rules from this directory")) -> None:
    """List rules: id, default severity, title, where it comes from."""
    from .engine import discover

    sources = discover(rules_dir or [])
    width = max(len(i) for i in sources)
    for rule_id, source in sources.items():
        rule = source.rule
        typer.echo(f"{rule_id:<{width}}  {rule.severity:<8}  {terminal(rule.title)}  [{terminal(source.origin)}]")


@app.command()
@_errors_exit_2
def explain(rule_id: str = typer.Argument(..., help="a rule id, e.g. dr-site-too-close"),
            rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", help="also look in this directory")) -> None:
    """A rule's rationale, parameters, remediation, references and the standards that map to it."""
    from .engine import discover
    from .explain import explain_rule

    sources = discover(rules_dir or [])
    if rule_id not in sources:
        raise InputError(f"unknown rule {rule_id!r}; `drcheck rules` lists the known ones")
    write_output(explain_rule(sources[rule_id]), None)


@app.command()
@_errors_exit_2
def graph(
    path: str = typer.Argument(..., help="inventory file or directory; - reads stdin"),
    fmt: str = typer.Option("dot", "--format", "-f", help="dot or mermaid"),
    fail: Optional[list[str]] = typer.Option(None, "--fail", help="highlight what losing DOMAIN=VALUE takes down; repeat to combine"),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="write to FILE"),
) -> None:
    """Draw services, dependencies and sites grouped by failure domain (Graphviz dot or Mermaid)."""
    from .audit import load_inventory
    from .export import render_graph

    if fmt not in ("dot", "mermaid"):
        raise InputError(f"--format: found {fmt!r}; expected dot or mermaid")
    inventory = load_inventory([path])
    write_output(render_graph(inventory, fmt, fail or []), output)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the inventory format (for editors and the YAML language server)."""
    from .schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


@app.command()
def version() -> None:
    """Print drcheck's version."""
    typer.echo(f"drcheck {__version__}")


@app.command()
@_errors_exit_2
def diff(
    paths: list[str] = typer.Argument(..., help="BASE HEAD (two inventories), or one inventory with --base REV",
                                      show_default=False),
    base: Optional[str] = typer.Option(None, "--base", help="compare with the inventory as it was in this git revision"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, markdown or json"),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="write the comparison to FILE (atomically)"),
    policy_file: Optional[str] = typer.Option(None, "--policy", help="policy file (default: ./drcheck.yaml if present)"),
    profile: Optional[str] = typer.Option(None, "--profile", help="built-in rule pack: default, dora, kr-telecom, nist-800-34"),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="fail if the change adds a finding this severe or worse (default high)"),
    select: Optional[list[str]] = typer.Option(None, "--select", help="run only these rules (comma-separated)"),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="skip these rules (comma-separated)"),
    rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", help="load more rules from this directory"),
    no_waivers: bool = typer.Option(False, "--no-waivers", help="ignore every waiver in the policy"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge evidence ages and waiver expiry as of this date (default today)"),
) -> None:
    """What a change makes better or worse: findings added and removed, score, failures that take down more.
    Exit 1 if it adds a finding at or above --fail-on."""
    from .audit import AuditOptions, load_inventory
    from .diff import compare, git_documents, render_markdown, render_table
    from .policy import load_policy
    from .schema import build_inventory

    if fmt not in ("table", "markdown", "json"):
        raise InputError(f"--format: found {fmt!r}; expected table, markdown or json")
    if base is not None and len(paths) != 1:
        raise InputError(f"--base compares one inventory with its own past; found {len(paths)} paths")
    if base is None and len(paths) != 2:
        raise InputError(f"diff needs BASE and HEAD inventories, or one inventory and --base REV; found {len(paths)} path(s)")
    policy = load_policy(policy_file, profile)
    if fail_on is not None:
        if fail_on not in SEVERITIES:
            raise InputError(f"--fail-on: found {fail_on!r}; expected one of: {', '.join(SEVERITIES)}")
        policy.fail_on = fail_on
    options = AuditOptions(policy=policy, as_of=_as_of(as_of), select=_split(select) or None, ignore=_split(ignore),
                           rules_dirs=rules_dir or [], use_waivers=not no_waivers)
    before = build_inventory(git_documents(paths[0], base)) if base is not None else load_inventory([paths[0]])
    after = load_inventory([paths[-1]])
    comparison = compare(before, after, options)
    if fmt == "json":
        from .reporters.json import chunks

        text = chunks(comparison.as_json())
    else:
        text = render_markdown(comparison) if fmt == "markdown" else render_table(comparison)
    write_output(text, output)
    for error in comparison.errors:
        typer.echo(f"error: {terminal(error.message)}", err=True)
    raise typer.Exit(2 if comparison.errors else 0 if comparison.passed else 1)


@app.command()
@_errors_exit_2
def init(
    directory: str = typer.Argument(".", help="where to write the starter files (created if missing)"),
    force: bool = typer.Option(False, "--force", help="overwrite files that already exist"),
) -> None:
    """Write a commented starter inventory.yaml, a drcheck.yaml policy and the schema editors use."""
    from .starter import write_starter

    for path in write_starter(directory, force):
        typer.echo(f"wrote {terminal(str(path))}")
    typer.echo("next: fill in inventory.yaml, then run `drcheck validate` and `drcheck audit` on it")


@app.command()
@_errors_exit_2
def locations(
    provider: Optional[str] = typer.Argument(None, help="aws, gcp or azure (default: all)"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """List the named cloud locations (`location: aws:eu-west-1`): metro, country, point, and its source."""
    from .locations import regions_of

    if fmt not in ("table", "json"):
        raise InputError(f"--format: found {fmt!r}; expected table or json")
    try:
        regions = regions_of(provider)
    except ValueError as bad:
        raise InputError(f"PROVIDER: {bad}") from None
    if fmt == "json":
        write_output(json.dumps({"locations": [r.as_json() for r in regions]}, indent=2, ensure_ascii=False) + "\n", None)
        return
    rows = [("NAME", "PUBLISHED AS", "METRO", "COUNTRY", "LAT", "LON", "PRECISION", "SOURCE")]
    rows += [(r.name, r.published_location, r.metro, r.country, f"{r.lat:g}", f"{r.lon:g}", r.precision, r.source)
             for r in regions]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    write_output("".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n" for row in rows), None)


@app.command("import")
@_errors_exit_2
def import_(
    source: str = typer.Argument(..., help="backstage, terraform, netbox or csv"),
    paths: Optional[list[str]] = typer.Argument(None, help="files or directories to read (netbox: none reads "
                                                           "NETBOX_URL with NETBOX_TOKEN)", show_default=False),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="write the inventory to FILE (atomically)"),
    mapping: Optional[str] = typer.Option(None, "--mapping", help="csv: the mapping file naming the columns"),
    service_tag: str = typer.Option("drcheck:service", "--service-tag",
                                    help="terraform: the tag naming each resource's service"),
    onto: Optional[str] = typer.Option(None, "--onto", help="an inventory this import adds to (say, a catalogue "
                                                            "import): what it defines is patched under overrides:"),
) -> None:
    """Write an inventory from another system's data; what the source could not say is listed at the top."""
    from .importers import ImportOptions, run_import
    from .importers.writer import render
    from .loader import load_documents, parse
    from .schema import build_inventory

    imported = run_import(source, paths or [], ImportOptions(mapping=mapping, service_tag=service_tag))
    base = load_documents([onto]) if onto is not None else []
    if onto is not None:
        existing = build_inventory(base)
        text = render(imported, onto, (set(existing.sites), set(existing.services)))
    else:
        text = render(imported)
    try:  # what an importer writes must pass `drcheck validate` (with the inventory it was written onto)
        build_inventory([*base, parse(output or "<import>", text)])
    except InputError as invalid:
        raise InputError([Problem(None, f"drcheck import {source} wrote an invalid inventory, which is a bug in "
                                        "drcheck; please report it with these messages:"), *invalid.problems]) from None
    write_output(text, output)
