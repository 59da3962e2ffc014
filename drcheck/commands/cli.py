"""The command line.  The only module that prints; everything else returns data."""
from __future__ import annotations

import contextlib
import errno
import functools
import gc
import inspect
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
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from .. import __version__
from ..rule_api.findings import SEVERITIES
from ..errors import InputError, Problem, did_you_mean, path_error, unknown_rule
from ..reporters import FORMATS, formats, need
from ..inventory.scalars import parse_date
from ..reporters.safe import terminal


def _examples(*lines: str) -> str:
    """A command's help ends with examples, one a line ("\\b" keeps the lines as they are)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


class _Argument(TyperArgument):
    def display_type_rich(self, ctx) -> None:
        return None  # its METAVAR already says what is expected; typer would add a Python type, <list[str]>

    def _usage_display_name(self) -> str:
        """PATH, [DIR], PATH...; a METAVAR of several words ("BASE [HEAD]") already says how many."""
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 and " " not in name else "")


class _Option(TyperOption):
    def display_type_rich(self, ctx) -> str | None:
        return None if self.is_flag else self.metavar


def _readable(params: list) -> list:
    """typer builds the parameters itself (the --help option too): give them the help display above."""
    classes = {TyperArgument: _Argument, TyperOption: _Option}
    for param in params:
        param.__class__ = classes.get(type(param), type(param))
    return params


class _Command(TyperCommand):
    """A command whose help names what each parameter expects (FILE, FORMAT, RULE...), never a Python type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.help:  # a docstring's paragraphs, each one flowing to the terminal's width
            self.help = "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(self.help).split("\n\n"))

    def get_params(self, ctx) -> list:
        return _readable(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx) -> list:
        return _readable(super().get_params(ctx))


app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True, cls=_Group,
                  help="Audit disaster-recovery readiness from a YAML inventory of sites, services and backups.",
                  epilog=_examples("drcheck init dr/", "drcheck audit dr/inventory.yaml",
                                   "drcheck explain dr-site-too-close", "drcheck audit --help"),
                  context_settings={"help_option_names": ["-h", "--help"]})


def main() -> None:
    # A short batch run that builds hundreds of thousands of small objects and no
    # garbage cycles worth collecting: the collector's rescans of that growing heap
    # cost about a third of a large audit, for nothing.
    gc.disable()
    _exit_now(run())


def run(args: list[str] | None = None, prog_name: str | None = None) -> int:
    """Run the command `args` name (by default the command line's) and return its exit code (0, 1 or 2; 130 on
    Ctrl-C); usage messages call the program `prog_name` (by default, how it was started)."""
    _outliving.clear()  # an earlier command's, when called more than once in a process
    try:
        app(args=args, prog_name=prog_name)  # standalone: always ends in SystemExit
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - a bug of drcheck's own: exit 2 (never 1, a failed gate), no traceback
        frames = traceback.extract_tb(error.__traceback__)
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        typer.echo(f"error: internal error{where}: {type(error).__name__}: {terminal(str(error))[:500]}; "
                   "please report it with the input that caused it", err=True)
        return 2
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        return done.code or 0
    return 0  # pragma: no cover - a standalone typer app raises SystemExit


# What a command made, kept to the end of the process: `main` leaves with os._exit, and without a reference a
# large audit's report and inventory would be freed object by object on the way out (0.08 s at 20,000 services).
_outliving: list = []


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


def _view(path: Optional[str], color: str = "auto", quiet: bool = False, full_report: Optional[str] = None):
    """How the reader sees an output: a terminal wraps at its width and may be coloured; a file or a pipe
    is never wrapped (grep and CI logs want whole lines) and coloured only when asked."""
    from ..reporters import View

    to_terminal = path in (None, "-") and sys.stdout.isatty()
    colored = color == "always" or color == "auto" and to_terminal and "NO_COLOR" not in os.environ
    return View(color=colored, width=shutil.get_terminal_size().columns if to_terminal else None, quiet=quiet,
                full_report=full_report)


def _choice(option: str, value: str, allowed: Iterable[str]) -> str:
    if value not in allowed:
        raise InputError(f"{option}: found {value!r}{did_you_mean(value, allowed)}; expected one of: {', '.join(allowed)}")
    return value


def _outputs(formats: list[str], files: list[str], allowed: tuple[str, ...], default: str) -> list[tuple[str, Optional[str]]]:
    """Pair each --format with its -o FILE, in order; `-o FORMAT=FILE` pairs itself.  One output at most may
    go to standard output (no FILE, or FILE `-`)."""
    pairs: list[tuple[str, Optional[str]]] = []
    plain = []
    for value in files:
        fmt, sep, path = value.partition("=")
        if sep and fmt in allowed and path:
            pairs.append((fmt, path))
        else:
            plain.append(value)
    for fmt in formats:
        _choice("--format", fmt, allowed)
    if len(plain) > max(len(formats), 1):
        raise InputError(f"-o: found {len(plain)} files for {len(formats)} --format(s); "
                         "give one --format per -o FILE, in the same order, or -o FORMAT=FILE")
    unpaired = formats[len(plain):]
    pairs += [(fmt, path) for fmt, path in zip(formats or [default], plain)]
    if len(unpaired) > 1:
        raise InputError(f"--format: {', '.join(unpaired)} have no -o FILE; only one output can go to standard "
                         "output: give the others -o FILE (in the same order as their --format) or -o FORMAT=FILE")
    pairs += [(fmt, None) for fmt in unpaired]
    if not pairs:
        pairs.append((default, None))
    if sum(path in (None, "-") for _, path in pairs) > 1:
        raise InputError("only one output can go to standard output; give the others -o FILE")
    return pairs


# A failing audit's table and Markdown end with what the plan takes when the plan needs at most this many
# service-audits (its audits times the estate's services: 6,000 keep it within a few seconds here); otherwise they
# point to `drcheck plan`.
AUDIT_PLAN_WORK = 6_000
PROGRESS_FROM = 500  # services: a plan of a smaller estate takes seconds at most, and shows no progress bar

PATHS = typer.Argument(..., metavar="PATH", help="inventory files or directories; - reads stdin", show_default=False)
PATH = typer.Argument(..., metavar="PATH", help="inventory file or directory; - reads stdin", show_default=False)

# The options `audit` and `diff` share, declared once.
POLICY = typer.Option(None, "--policy", metavar="FILE", help="policy file (default: ./drcheck.yaml if present)")
PROFILE = typer.Option(None, "--profile", metavar="NAME",
                       help="built-in rule pack: default, dora, kr-telecom, nist-800-34")
FAIL_ON = typer.Option(None, "--fail-on", metavar="SEVERITY",
                       help="lowest severity that fails the gate: critical, high, medium, low or info (default high; "
                            "for diff: that the change may not add)")
SELECT = typer.Option(None, "--select", metavar="RULE,...", help="run only these rules, e.g. --select no-dr,dr-untested")
IGNORE = typer.Option(None, "--ignore", metavar="RULE,...", help="skip these rules, e.g. --ignore provider-concentration")
RULES_DIR = typer.Option(None, "--rules-dir", metavar="DIR", help="load more rules from this directory (repeatable)")
NO_WAIVERS = typer.Option(False, "--no-waivers", help="ignore every waiver in the policy")
AS_OF = typer.Option(None, "--as-of", metavar="YYYY-MM-DD",
                     help="judge evidence ages and waiver expiry as of this date (default today)")
OUTPUT = typer.Option(None, "-o", "--output", metavar="FILE",
                      help="write to FILE (atomically) instead of standard output; repeat with one --format each, "
                           "in order, or give FORMAT=FILE, e.g. -o sarif=drcheck.sarif")
QUIET = typer.Option(False, "--quiet", "-q", help="terminal report: only the summary and the gate")
COLOR = typer.Option("auto", "--color", metavar="WHEN",
                     help="colour the terminal report: auto (on a terminal, unless NO_COLOR is set), always or never")


def _audit_options(policy_file, profile, fail_on, select, ignore, rules_dir, no_waivers, as_of, **more):
    from ..audit.run import AuditOptions
    from ..audit.policy import load_policy

    policy = load_policy(policy_file, profile)
    if fail_on is not None:
        policy.fail_on = _choice("--fail-on", fail_on, SEVERITIES)
    return AuditOptions(policy=policy, as_of=_as_of(as_of), select=_split(select) or None, ignore=_split(ignore),
                        rules_dirs=rules_dir or [], use_waivers=not no_waivers, **more)


def _write_all(what: str, data, outputs: list[tuple[str, Optional[str]]], color: str, quiet: bool = False) -> None:
    from ..reporters import render

    # the JSON report lists everything: the outputs that must be cut short point to it
    full_report = next((path for fmt, path in outputs if fmt == "json" and path not in (None, "-")), None)
    _outliving.append(data)
    for fmt, path in outputs:
        write_output(render(what, fmt, data, _view(path, color, quiet, full_report)), path)


@app.command(cls=_Command, epilog=_examples(
    "drcheck audit inventory.yaml",
    "drcheck audit estate/ --policy drcheck.yaml --fail-on critical --quiet",
    "drcheck audit estate/ -f json -o report.json -f sarif -o drcheck.sarif"))
@_errors_exit_2
def audit(
    paths: list[str] = PATHS,
    fmt: Optional[list[str]] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                            help=f"one of {', '.join(FORMATS)} (default table; github inside GitHub "
                                                 "Actions); repeat with one -o FILE each to write several reports"),
    output: Optional[list[str]] = OUTPUT,
    policy_file: Optional[str] = POLICY,
    profile: Optional[str] = PROFILE,
    fail_on: Optional[str] = FAIL_ON,
    min_score: Optional[float] = typer.Option(None, "--min-score", metavar="N",
                                              help="fail the gate below this score (0..100)"),
    fail_on_unknown: bool = typer.Option(False, "--fail-on-unknown", help="unknown results fail the gate too"),
    select: Optional[list[str]] = SELECT,
    ignore: Optional[list[str]] = IGNORE,
    rules_dir: Optional[list[str]] = RULES_DIR,
    baseline: Optional[str] = typer.Option(None, "--baseline", metavar="FILE",
                                           help="earlier JSON report, or fingerprint file (--format fingerprints): "
                                                "its findings do not fail the gate"),
    no_waivers: bool = NO_WAIVERS,
    as_of: Optional[str] = AS_OF,
    color: str = COLOR,
    quiet: bool = QUIET,
) -> None:
    """Audit inventories; exit 0 if the gate passes, 1 if it fails, 2 if drcheck could not run."""
    from ..audit.run import audit as run_audit, require_services
    from ..inventory.schema import build_inventory

    default = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "table"
    outputs = _outputs(fmt or [], output or [], FORMATS, default)
    _choice("--color", color, ("auto", "always", "never"))
    options = _audit_options(policy_file, profile, fail_on, select, ignore, rules_dir, no_waivers, as_of,
                             baseline=baseline, split_rules=True)
    if min_score is not None:
        if not 0 <= min_score <= 100:
            raise InputError(f"--min-score: found {min_score:g}; expected a number from 0 to 100")
        options.policy.min_score = min_score
    options.policy.fail_on_unknown = options.policy.fail_on_unknown or fail_on_unknown
    documents = _documents_saying_what_is_skipped(paths)
    inventory = require_services(build_inventory(documents))
    plan_audits = AUDIT_PLAN_WORK // len(inventory.services)
    if not plan_audits:
        documents = None  # no plan is made (below): the parsed files, 70 MB at 20,000 services, need not stay
    report = run_audit(inventory, options, needs=need("audit", [fmt for fmt, _ in outputs]))
    _outliving.append(inventory)
    for note in report.notes:
        typer.echo(f"note: {terminal(note)}", err=True)
    for waiver, suggestion in report.stray_waivers:
        # a warning, not an error: a policy outlives the services it names and may serve several inventories,
        # and a waiver that matches nothing hides nothing (the finding it meant still shows and still counts)
        where = f"{waiver.location}: " if waiver.location else ""
        typer.echo(terminal(f"warning: {where}waiver for {waiver.rule} on {waiver.subject}: no such subject in the "
                            f"inventory{suggestion}; it waives nothing"), err=True)
    if documents is not None and not report.passed and not report.errors and not quiet \
            and any(fmt in ("table", "markdown", "html") for fmt, _ in outputs):
        from .plan import OverBudget, make_plan

        try:
            report.plan = make_plan(documents, options, max_audits=plan_audits, inventory=inventory, audited=report)
        except OverBudget:
            pass  # no plan in the report: its last line points to `drcheck plan`
    _write_all("audit", report, outputs, color, quiet)
    if all(path not in (None, "-") for _, path in outputs):
        from ..reporters.summary import summary_line

        written = ", ".join(terminal(path) for _, path in outputs)
        typer.echo(f"{terminal(summary_line(report))}; report in {written}", err=True)
    for error in report.errors:
        typer.echo(f"error: {terminal(error.message)}", err=True)
    raise typer.Exit(2 if report.errors else 0 if report.passed else 1)


@app.command(cls=_Command, epilog=_examples("drcheck validate estate/", "cat inventory.yaml | drcheck validate -"))
@_errors_exit_2
def validate(paths: list[str] = PATHS) -> None:
    """Only check the inventory: print nothing but errors (and the policy files a directory holds); exit 0 or 2."""
    from ..inventory.schema import build_inventory

    build_inventory(_documents_saying_what_is_skipped(paths))


def _documents_saying_what_is_skipped(paths: list[str]):
    """The inventory's documents in `paths`, after a note on stderr for each policy file left out of a directory."""
    from ..audit.run import inventory_documents

    skipped: list[str] = []
    documents = inventory_documents(paths, skipped=skipped)
    for path in skipped:
        typer.echo(f"note: skipped {terminal(path)}: a policy file, not part of the inventory (a policy is read "
                   "with --policy FILE, or from drcheck.yaml in the working directory)", err=True)
    return documents


@app.command(cls=_Command, epilog=_examples(
    "drcheck simulate estate/ --fail building=pangyo-a",
    "drcheck simulate estate/ --fail site=anyang --fail service=payments-saas",
    "drcheck simulate estate/ --depth 2 --top 10 -f json"))
@_errors_exit_2
def simulate(
    path: str = PATH,
    fail: Optional[list[str]] = typer.Option(None, "--fail", metavar="DOMAIN=VALUE", help="lose DOMAIN=VALUE (site, building, campus, operator, region, power, network, hazard, area, service); repeat to combine"),
    policy_file: Optional[str] = typer.Option(None, "--policy", metavar="FILE", help="policy file, for its area_radius_km (default: ./drcheck.yaml if present)"),
    depth: int = typer.Option(1, "--depth", metavar="1|2", help="without --fail: 1 = every single domain (N-1), 2 = every pair (N-2)"),
    rank_by: str = typer.Option("excess", "--rank", metavar="excess|impact", help="--depth 2: rank pairs by what the combination adds to the worse of its two failures alone (excess), or by impact"),
    top: int = typer.Option(20, "--top", metavar="N", help="show the N worst scenarios (0 = all)"),
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT", help="table or json"),
    color: str = COLOR,
) -> None:
    """Blast radius of losing failure domains: what goes down, why, and which data is lost."""
    from ..audit.run import load_inventory
    from ..audit.policy import load_policy
    from ..audit.report import EVERY, Simulated
    from .scenarios import RANKINGS, scenarios_for

    _choice("--format", fmt, formats("simulate"))
    if depth not in (1, 2):
        raise InputError(f"--depth: found {depth}; expected 1 or 2")
    if top < 0:
        raise InputError(f"--top: found {top}; expected 0 (all) or more")
    _choice("--rank", rank_by, RANKINGS)
    inventory = load_inventory([path])
    radius = load_policy(policy_file).area_radius_km
    why = EVERY if fail else need("simulate", [fmt]).why
    simulated = Simulated(scenarios_for(inventory, fail or [], depth, top, radius, rank_by, why), chosen=bool(fail))
    _write_all("simulate", simulated, [(fmt, None)], color)


@app.command("rules", cls=_Command, epilog=_examples("drcheck rules", "drcheck rules --rules-dir ./org_rules"))
@_errors_exit_2
def list_rules(rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", metavar="DIR", help="also list rules from this directory")) -> None:
    """List rules: id, default severity, title, where it comes from."""
    from ..audit.engine import discover

    sources = discover(rules_dir or [])
    width = max(len(i) for i in sources)
    for rule_id, source in sources.items():
        rule = source.rule
        typer.echo(f"{rule_id:<{width}}  {rule.severity:<8}  {terminal(rule.title)}  [{terminal(source.origin)}]")


@app.command(cls=_Command, epilog=_examples("drcheck explain dr-site-too-close", "drcheck explain no-dr -f json"))
@_errors_exit_2
def explain(rule_id: str = typer.Argument(..., metavar="RULE", help="a rule id, e.g. dr-site-too-close",
                                          show_default=False),
            rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", metavar="DIR",
                                                          help="also look in this directory"),
            fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT",
                                    help="text, json or markdown (the page of the documentation site)")) -> None:
    """What a rule does, why it matters, when it fires, an example that fires and one that passes, how to fix
    it, its parameters, references and the standards that map to it."""
    from ..audit.engine import discover
    from .explain import explain_rule, rule_documentation, rule_markdown

    if fmt not in ("text", "json", "markdown"):
        raise InputError(f"--format: found {fmt!r}; expected text, json or markdown")
    sources = discover(rules_dir or [])
    if rule_id not in sources:
        raise InputError(unknown_rule(rule_id, sources))
    if fmt == "json":
        write_output(json.dumps(rule_documentation(sources[rule_id]), indent=2, ensure_ascii=False) + "\n", None)
    elif fmt == "markdown":
        write_output(rule_markdown(sources[rule_id]), None)
    else:
        write_output(explain_rule(sources[rule_id]), None)


@app.command(cls=_Command, epilog=_examples(
    "drcheck graph estate/ | dot -Tsvg -o estate.svg",
    "drcheck graph estate/ -f mermaid --fail site=pangyo -o estate.mmd"))
@_errors_exit_2
def graph(
    path: str = PATH,
    fmt: str = typer.Option("dot", "--format", "-f", metavar="FORMAT", help="dot or mermaid"),
    fail: Optional[list[str]] = typer.Option(None, "--fail", metavar="DOMAIN=VALUE", help="highlight what losing DOMAIN=VALUE takes down; repeat to combine"),
    policy_file: Optional[str] = typer.Option(None, "--policy", metavar="FILE", help="policy file, for its area_radius_km (default: ./drcheck.yaml if present)"),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE", help="write to FILE"),
) -> None:
    """Draw services, dependencies and sites grouped by failure domain (Graphviz dot or Mermaid)."""
    from ..audit.run import load_inventory
    from ..failures.graph import inventory_graph
    from ..audit.policy import load_policy
    from ..audit.report import Drawing
    from .scenarios import scenarios_for

    _choice("--format", fmt, formats("graph"))
    inventory = load_inventory([path])
    loss = scenarios_for(inventory, fail, 1, 0, load_policy(policy_file).area_radius_km)[0] if fail else None
    _write_all("graph", Drawing(inventory_graph(inventory), loss), [(fmt, output)], "never")


@app.command(cls=_Command, epilog=_examples("drcheck schema > drcheck-schema.json",
                                            "drcheck schema --policy > drcheck-policy-schema.json"))
@_errors_exit_2
def schema(
    policy: bool = typer.Option(False, "--policy", help="the policy file's (drcheck.yaml) instead of the inventory's"),
    rules_dir: Optional[list[str]] = typer.Option(None, "--rules-dir", metavar="DIR",
                                                  help="--policy: also know the rules of this directory (repeatable)"),
) -> None:
    """Print the JSON Schema of the inventory format, or of the policy (for editors and the YAML language server)."""
    if not policy:
        if rules_dir:
            raise InputError("--rules-dir: found a rules directory for the inventory's schema; expected it with --policy")
        from ..inventory.schema import json_schema

        typer.echo(json.dumps(json_schema(), indent=2))
        return
    from ..audit.engine import discover
    from ..audit.policy import json_schema as policy_schema

    typer.echo(json.dumps(policy_schema({rule_id: source.rule for rule_id, source in discover(rules_dir or []).items()}),
                          indent=2))


@app.command(cls=_Command, epilog=_examples("drcheck version"))
def version() -> None:
    """Print drcheck's version."""
    typer.echo(f"drcheck {__version__}")


@app.command(cls=_Command, epilog=_examples(
    "drcheck diff old.yaml new.yaml",
    "drcheck diff inventory.yaml --base origin/main -f markdown -o diff.md"))
@_errors_exit_2
def diff(
    paths: list[str] = typer.Argument(..., metavar="BASE [HEAD]", help="BASE HEAD (two inventories), or one inventory with --base REV",
                                      show_default=False),
    base: Optional[str] = typer.Option(None, "--base", metavar="REV",
                                       help="compare with the inventory as it was in this git revision, e.g. origin/main"),
    fmt: Optional[list[str]] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                            help="table, markdown or json (default table); repeat with one -o FILE each"),
    output: Optional[list[str]] = OUTPUT,
    policy_file: Optional[str] = POLICY,
    profile: Optional[str] = PROFILE,
    fail_on: Optional[str] = FAIL_ON,
    select: Optional[list[str]] = SELECT,
    ignore: Optional[list[str]] = IGNORE,
    rules_dir: Optional[list[str]] = RULES_DIR,
    no_waivers: bool = NO_WAIVERS,
    as_of: Optional[str] = AS_OF,
    color: str = COLOR,
    quiet: bool = QUIET,
) -> None:
    """What a change makes better or worse: findings added and removed, score, failures that take down more.
    Exit 1 if it adds a finding at or above --fail-on."""
    from ..audit.run import load_inventory
    from .diff import compare, git_documents
    from ..inventory.schema import build_inventory

    outputs = _outputs(fmt or [], output or [], formats("diff"), "table")
    _choice("--color", color, ("auto", "always", "never"))
    if base is not None and len(paths) != 1:
        raise InputError(f"--base compares one inventory with its own past; found {len(paths)} paths")
    if base is None and len(paths) != 2:
        raise InputError(f"diff needs BASE and HEAD inventories, or one inventory and --base REV; found {len(paths)} path(s)")
    if paths == ["-", "-"]:
        raise InputError("diff - -: BASE and HEAD cannot both be standard input; write one of them to a file")
    options = _audit_options(policy_file, profile, fail_on, select, ignore, rules_dir, no_waivers, as_of)
    load_base = ((lambda: build_inventory(git_documents(paths[0], base))) if base is not None
                 else (lambda: load_inventory([paths[0]])))
    comparison = compare(load_base, lambda: load_inventory([paths[-1]]), options)
    _write_all("diff", comparison, outputs, color, quiet)
    for error in comparison.errors:
        typer.echo(f"error: {terminal(error.message)}", err=True)
    raise typer.Exit(2 if comparison.errors else 0 if comparison.passed else 1)


@app.command(cls=_Command, epilog=_examples(
    "drcheck plan inventory.yaml --policy drcheck.yaml",
    "drcheck plan estate/ --overlay fix.yaml && drcheck audit estate/ fix.yaml",
    "drcheck plan estate/ -f markdown -o plan.md"))
@_errors_exit_2
def plan(
    paths: list[str] = PATHS,
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT", help="table, json or markdown"),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE", help="write the plan to FILE"),
    overlay: Optional[str] = typer.Option(None, "--overlay", metavar="FILE",
                                          help="write the plan's changes as YAML to FILE: `drcheck audit PATH... FILE` "
                                               "then gives the plan's score and gate"),
    policy_file: Optional[str] = POLICY,
    profile: Optional[str] = PROFILE,
    fail_on: Optional[str] = FAIL_ON,
    min_score: Optional[float] = typer.Option(None, "--min-score", metavar="N",
                                              help="fail the gate below this score (0..100)"),
    select: Optional[list[str]] = SELECT,
    ignore: Optional[list[str]] = IGNORE,
    rules_dir: Optional[list[str]] = RULES_DIR,
    no_waivers: bool = NO_WAIVERS,
    as_of: Optional[str] = AS_OF,
    color: str = COLOR,
) -> None:
    """The cheapest changes after which the gate passes, each step verified by the audit; exit 0 if the plan
    passes the gate, 1 if no plan does, 2 if drcheck could not run."""
    from ..audit.run import require_services
    from .plan import planner
    from ..inventory.schema import build_inventory

    _choice("--format", fmt, formats("plan"))
    _choice("--color", color, ("auto", "always", "never"))
    options = _audit_options(policy_file, profile, fail_on, select, ignore, rules_dir, no_waivers, as_of)
    if min_score is not None:
        if not 0 <= min_score <= 100:
            raise InputError(f"--min-score: found {min_score:g}; expected a number from 0 to 100")
        options.policy.min_score = min_score
    documents = _documents_saying_what_is_skipped(paths)
    inventory = require_services(build_inventory(documents))
    with _progress_bar(len(inventory.services) > PROGRESS_FROM) as progress:
        search = planner(documents, options, progress, inventory)
        del documents, inventory  # read into the planner: a large estate's parsed files need not stay
        planned = search.plan()
    for note in search.notes(planned):
        typer.echo(f"note: {terminal(note)}", err=True)
    for error in planned.errors:
        typer.echo(f"error: {terminal(error)}", err=True)
    if planned.errors:
        raise typer.Exit(2)
    _write_all("plan", planned, [(fmt, output)], color)
    if overlay is not None:
        write_output(planned.overlay, overlay)
    raise typer.Exit(0 if planned.passed_after else 1)


@contextlib.contextmanager
def _progress_bar(wanted: bool):
    """A progress bar on a terminal (standard error), for the plans of large estates; elsewhere nothing."""
    if not wanted or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("auditing the estate as it is", total=None, count="")

        def update(done: int, total: int, what: str) -> None:  # a total of 0: not known (the bar pulses)
            bar.update(task, completed=done, total=total or None, description=what,
                       count=f"{done}/{total}" if total else "")

        yield update


@app.command(cls=_Command, epilog=_examples("drcheck init", "drcheck init dr/ --force"))
@_errors_exit_2
def init(
    directory: str = typer.Argument(".", metavar="DIR", help="where to write the starter files (created if missing)"),
    force: bool = typer.Option(False, "--force", help="overwrite files that already exist"),
) -> None:
    """Write a commented starter inventory.yaml, a drcheck.yaml policy and the schemas editors check them with."""
    from .starter import write_starter

    for path in write_starter(directory, force):
        typer.echo(f"wrote {terminal(str(path))}")
    typer.echo("next: fill in inventory.yaml, then run `drcheck validate` and `drcheck audit` on it")


@app.command(cls=_Command, epilog=_examples("drcheck locations aws", "drcheck locations -f json"))
@_errors_exit_2
def locations(
    provider: Optional[str] = typer.Argument(None, metavar="PROVIDER", help="aws, gcp or azure (default: all)",
                                             show_default=False),
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT", help="table or json"),
) -> None:
    """List the named cloud locations (`location: aws:eu-west-1`): metro, country, point, and its source."""
    from ..inventory.locations import regions_of

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


@app.command("import", cls=_Command, epilog=_examples(
    "drcheck import backstage catalog-info.yaml -o catalogue.yaml",
    "drcheck import terraform terraform.json --onto catalogue.yaml -o aws.yaml",
    "drcheck import csv services.csv --mapping mapping.yaml -o inventory.yaml",
    "drcheck import kubernetes prod.json --cluster prod=velero.json -o k8s.yaml"))
@_errors_exit_2
def import_(
    source: str = typer.Argument(..., metavar="SOURCE", help="backstage, terraform, netbox, csv or kubernetes",
                                 show_default=False),
    paths: Optional[list[str]] = typer.Argument(None, metavar="PATH", help="files or directories to read (netbox: none reads "
                                                           "NETBOX_URL with NETBOX_TOKEN)", show_default=False),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE",
                                         help="write the inventory to FILE (atomically)"),
    mapping: Optional[str] = typer.Option(None, "--mapping", metavar="FILE", help="csv: the mapping file naming the columns"),
    service_tag: str = typer.Option("drcheck:service", "--service-tag", metavar="TAG",
                                    help="terraform: the tag naming each resource's service"),
    onto: Optional[str] = typer.Option(None, "--onto", metavar="FILE", help="an inventory this import adds to (say, a catalogue "
                                                            "import): what it defines is patched under overrides:"),
    clusters: Optional[list[str]] = typer.Option(None, "--cluster", metavar="NAME=FILE",
                                                 help="kubernetes: a cluster's file or directory (repeat, also with "
                                                      "the same NAME); a PATH alone is a cluster named by its file"),
    tooling_labels: Optional[list[str]] = typer.Option(None, "--tooling-label", metavar="KEY=VALUE",
                                                       help="kubernetes: a label marking recovery tooling besides "
                                                            "Argo CD, Flux and Harbor (repeat)"),
) -> None:
    """Write an inventory from another system's data; what the source could not say is listed at the top."""
    from ..importers import ImportOptions, run_import
    from ..importers.writer import render
    from ..inventory.loader import load_documents, parse
    from ..inventory.schema import build_inventory

    imported = run_import(source, paths or [], ImportOptions(mapping=mapping, service_tag=service_tag,
                                                             clusters=tuple(clusters or ()),
                                                             tooling_labels=tuple(tooling_labels or ())))
    base = load_documents([onto]) if onto is not None else []
    if onto is not None:
        existing = build_inventory(base)
        text = render(imported, onto, (set(existing.sites), set(existing.services)))
    else:
        text = render(imported)
    try:  # what an importer writes must pass `drcheck validate` (with the inventory it was written onto)
        build_inventory([*base, parse(output or "<import>", text)])
    except InputError as invalid:  # the source contradicts itself (say, active-active on one site), or drcheck erred
        raise InputError([Problem(None, f"drcheck import {source}: the inventory it would write is not valid, so "
                                        "nothing was written:"), *invalid.problems]) from None
    write_output(text, output)
