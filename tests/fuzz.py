"""The fuzz run: generated and mutated inventories through every command and output format.

    python tests/fuzz.py --cases 20000 --seconds 3600

Each case is an inventory from `strategies.py` (valid or mutated).  In-process, for speed, it is
validated, audited (every rule) and rendered in every audit format, simulated (N-1, one --fail and
N-2) and drawn (dot, mermaid); a sample also goes through the installed `drcheck` command.  What must
hold, whatever the input:
- only a located InputError (exit 2, naming file:line) or a result: never another exception, never a
  rule reporting an internal error;
- JSON and SARIF output parse, and hold no NaN or Infinity;
- the same input gives the same bytes twice;
- through the real entry point: exit 0, 1 or 2 only, never a traceback, and exit 2 names file:line.
The run stops at the first broken case and prints it (hypothesis shrinks it first).  It runs in batches,
each a fresh Hypothesis run in a fresh process.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from strategies import as_yaml, inventories, mutated  # noqa: E402

from drcheck.audit.run import AuditOptions, audit  # noqa: E402
from drcheck.errors import InputError  # noqa: E402
from drcheck.failures.graph import inventory_graph  # noqa: E402
from drcheck.inventory.loader import parse  # noqa: E402
from drcheck.audit.policy import default_policy  # noqa: E402
from drcheck.audit.report import Drawing, Simulated  # noqa: E402
from drcheck.reporters import formats, need, render  # noqa: E402
from drcheck.commands.scenarios import scenarios_for  # noqa: E402
from drcheck.inventory.schema import build_inventory  # noqa: E402

FILE = "fuzz.yaml"
AS_OF = date(2026, 11, 1)
LOCATED = re.compile(rf"^{re.escape(FILE)}:\d+:\d+: ")
EXE = Path(sys.executable).parent / "drcheck"
BATCH = 200
_POLICY = default_policy()


def cases():
    """Valid and mutated inventories, as YAML text."""
    return st.one_of(inventories().map(as_yaml), mutated())


def check(text: str) -> None:
    """Run one inventory through every command and format in-process; AssertionError says what broke."""
    first, second = _outputs(text), _outputs(text)
    assert first == second, "two runs of the same input gave different output"


def _outputs(text: str) -> dict[str, str]:
    try:
        inventory = build_inventory([parse(FILE, text)])
    except InputError as refused:
        for problem in refused.problems:
            shown = str(problem)
            assert LOCATED.match(shown) or shown.startswith("stopped after"), f"error without file:line: {shown}"
        return {"error": str(refused)}
    out: dict[str, str] = {}
    if inventory.services:
        report = audit(inventory, AuditOptions(policy=_POLICY, as_of=AS_OF), needs=need("audit", formats("audit")))
        assert not report.errors, f"a rule failed: {report.errors[0].message}"
        for fmt in formats("audit"):
            out[f"audit {fmt}"] = _text(render("audit", fmt, report))
        for fmt in ("json", "sarif", "gitlab"):
            _parses(out[f"audit {fmt}"], f"audit {fmt}")
    for depth in (1, 2):
        simulated = Simulated(scenarios_for(inventory, [], depth, 20), chosen=False)
        for fmt in formats("simulate"):
            out[f"simulate depth {depth} {fmt}"] = _text(render("simulate", fmt, simulated))
        _parses(out[f"simulate depth {depth} json"], "simulate json")
    if inventory.sites:
        lost = scenarios_for(inventory, [f"site={next(iter(inventory.sites))}"], 1, 0)
        out["simulate --fail"] = _text(render("simulate", "json", Simulated(lost, chosen=True)))
        _parses(out["simulate --fail"], "simulate --fail json")
        for fmt in formats("graph"):
            out[f"graph {fmt}"] = _text(render("graph", fmt, Drawing(inventory_graph(inventory), lost[0])))
    return out


def _text(rendered) -> str:
    return rendered if isinstance(rendered, str) else "".join(rendered)


def _parses(text: str, what: str) -> None:
    def refuse(constant):
        raise AssertionError(f"{what}: {constant} in the output, which JSON does not allow")

    json.loads(text, parse_constant=refuse)


def check_command(text: str, folder: str) -> None:
    """The same inventory through the installed entry point: exit 0/1/2, no traceback, exit 2 located."""
    path = os.path.join(folder, FILE)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    for args in (["validate", path], ["audit", path, "--format", "json", "--as-of", AS_OF.isoformat()],
                 ["simulate", path, "--format", "json"]):
        result = subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=300, cwd=folder,
                                env=dict(os.environ, NO_COLOR="1"))
        assert result.returncode in (0, 1, 2), f"drcheck {args[0]} exited {result.returncode}: {result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, f"drcheck {args[0]}: {result.stderr[-2000:]}"
        if result.returncode == 2:
            assert f"{path}:" in result.stderr, f"drcheck {args[0]} exit 2 without file:line: {result.stderr[:500]}"
        elif args[0] != "validate":
            _parses(result.stdout, f"drcheck {args[0]}")


ENGINE_OUT_OF_MEMORY = 3  # a batch's exit code when Hypothesis's engine, not drcheck, ran out of memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="how many inventories to try (default 20000)")
    parser.add_argument("--seconds", type=float, default=3600, help="stop after this long (default 3600)")
    parser.add_argument("--every", type=int, default=100,
                        help="also run every Nth case through the installed drcheck command (default 100)")
    parser.add_argument("--memory-mb", type=int, default=4096,
                        help="address-space limit of each batch's process, so that a blow-up stops it with a "
                             "MemoryError instead of exhausting the machine (default 4096)")
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)  # run one batch of this many cases, here
    options = parser.parse_args()
    if options.batch:
        return _batch(options)
    # Hypothesis keeps what it learns of every case of a run in memory, and its engine has outgrown a 4 GB
    # limit within one run of a few hundred cases, leaving the process too fragmented to go on: each batch
    # of cases is a fresh run in a fresh process.
    started = time.monotonic()
    tried = dropped = 0
    while tried < options.cases and time.monotonic() - started < options.seconds:
        batch = min(BATCH, options.cases - tried)
        left = options.seconds - (time.monotonic() - started)
        done = subprocess.run([sys.executable, __file__, "--batch", str(batch), "--seconds", str(left),
                               "--every", str(options.every), "--memory-mb", str(options.memory_mb)],
                              stdout=subprocess.PIPE, text=True)
        *said, count = done.stdout.splitlines() or ["0"]
        print("\n".join(said), end="\n" if said else "", flush=True)
        if done.returncode == ENGINE_OUT_OF_MEMORY:
            dropped += 1
            print(f"{tried} cases: Hypothesis's engine ran out of memory; the batch is dropped", flush=True)
            continue
        tried += int(count)
        if done.returncode != 0:
            print(f"broken after {tried} cases ({time.monotonic() - started:.0f} s); the case is shown above",
                  flush=True)
            return 1
        if tried // 1000 > (tried - int(count)) // 1000:  # (a dropped batch's 4 GB counts in the peak too)
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{tried} cases, peak memory of a batch {peak_mb:.0f} MB", flush=True)
    dropped_note = f" ({dropped} batch(es) dropped when Hypothesis ran out of memory)" if dropped else ""
    print(f"{tried} cases in {time.monotonic() - started:.0f} s: nothing broke{dropped_note}")
    return 0


def _batch(options) -> int:
    """One batch of cases, in this process: prints what it has to say, then how many cases it tried."""
    limit = options.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    deadline = time.monotonic() + options.seconds
    tried = 0
    folder = tempfile.mkdtemp(prefix="drcheck-fuzz-")

    def one_case(text: str) -> None:
        nonlocal tried
        if time.monotonic() > deadline:
            return
        tried += 1
        try:
            check(text)
            if tried % options.every == 0:
                check_command(text, folder)
        except MemoryError:  # drcheck's: a broken case, shrunk like any other
            raise AssertionError(f"out of memory (over {options.memory_mb} MB) on this case") from None

    try:
        settings(max_examples=options.batch, deadline=None, database=None, derandomize=False,
                 suppress_health_check=list(HealthCheck))(given(cases())(one_case))()
    except MemoryError:  # Hypothesis's own: one_case turns drcheck's into a failing case
        return ENGINE_OUT_OF_MEMORY
    except Exception as exc:
        if _ran_out_of_memory(exc):  # Hypothesis ran out while drawing a case, and then found its replay flaky
            return ENGINE_OUT_OF_MEMORY
        traceback.print_exc(file=sys.stdout)
        print(tried)
        return 1
    print(tried)
    return 0


def _ran_out_of_memory(exc: BaseException | None) -> bool:
    """Whether a MemoryError is behind `exc`: never drcheck's, which one_case turns into an AssertionError."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ if exc.__cause__ is not None or exc.__suppress_context__ else exc.__context__
    return False


if __name__ == "__main__":
    sys.exit(main())
