"""How fast drcheck reads and audits a large estate, against plain PyYAML on the same file.

    python benchmarks/bench.py [--services 20000 100000] [--shape SHAPE ...] [--steps STEP ...] [--repeat N] [--keep]

For each size and shape it writes a synthetic inventory (benchmarks/synthetic.py: the benchmark's
own shape, or deep-random, many-sites or few-sites) and measures, each in a fresh process so that
every peak-memory figure belongs to one measurement:

  baseline       yaml.load(text, Loader=yaml.CSafeLoader): what any YAML-reading tool pays
  baseline-nogc  the same with Python's cyclic garbage collector off, as drcheck runs: the
                 fairer comparison, since turning the collector off speeds PyYAML up too
  validate       drcheck's loader + schema into the model (load_inventory)
  simulate       the N-1 failure simulation alone: Simulation over every domain group, then impacts()
  audit          the whole `drcheck audit FILE --as-of ...` (table report) through the installed
                 entry point: process wall clock (start-up and imports included), report discarded
  audit-FORMAT   the same with --format json, markdown, sarif, junit and html
  diff           `drcheck diff FILE CHANGED --as-of ...`: CHANGED is the file with a handful of
                 services changed (synthetic.changed_inventory), so both are audited and compared
  simulate-depth-2  `drcheck simulate FILE --depth 2`: every pair of failure domains (N-2)
  plan           `drcheck plan PLANNABLE --as-of ...`: the changes that would pass the gate, each step
                 audited.  PLANNABLE is an estate of the same size that the plan's changes can bring
                 through the gate (synthetic.plannable_inventory: on the other shapes, with dependency cycles
                 and tooling that depends on what it recovers, no change helps and the plan is empty);
                 timed against `plan-audit`, `drcheck audit PLANNABLE`, run just before it (not the
                 baseline); measured with the first shape only

The first four time only their step inside the child; peak memory is the
child process's maximum resident set size (read with os.wait4), so it
includes the interpreter and, for simulate, the loaded inventory; for the
commands, the larger of that and the peak of the process and its children
together (sampled, their proportional set sizes summed; `diff` audits its
base in a second process).  Beside the wall clock, the CPU time of the same
span (user + system).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import SHAPES, changed_inventory, plannable_inventory, shaped_inventory  # noqa: E402  (a sibling script, not a package)

FORMATS = ("json", "markdown", "sarif", "junit", "html")
AUDITS = ("audit", *(f"audit-{format}" for format in FORMATS))
# the steps that run the installed `drcheck` command, timed as whole processes
COMMANDS = (*AUDITS, "diff", "simulate-depth-2", "plan", "plan-audit")
BASELINES = ("baseline", "baseline-nogc")
STEPS = (*BASELINES, "validate", "simulate", *COMMANDS[:-1])  # plan-audit runs with plan
AS_OF = "2026-11-01"
# The targets each command is held to, as ratios to the baseline (see benchmarks/README.md).
MAX_TIME_VS_BASELINE = {**{step: 0.5 for step in AUDITS}, "diff": 0.5, "simulate-depth-2": 1.0}
MAX_MEMORY_VS_BASELINE = 1.0
MAX_GROWTH_100K_VS_20K = 6.0
# `plan` is held to the audit of the estate it plans, run just before it (issue 20): its time and its memory, and to
# an absolute time at the benchmark's 2,000 services
PLAN_VS_AUDIT = {"time": 20.0, "memory": 2.0}
PLAN_SECONDS_AT_2000 = 30.0


# ---- children: each measures one step and prints {"seconds": ..., "cpu": ...} -------------------

def _child(step: str, path: str) -> None:
    if step != "baseline":
        gc.disable()  # as the drcheck command does
    if step.startswith("baseline"):
        import yaml

        text = Path(path).read_text(encoding="utf-8")
        started, cpu = time.perf_counter(), time.process_time()
        yaml.load(text, Loader=yaml.CSafeLoader)
    elif step == "validate":
        from drcheck.audit.run import load_inventory

        started, cpu = time.perf_counter(), time.process_time()
        load_inventory([path])
    elif step == "simulate":
        from drcheck.audit.run import load_inventory
        from drcheck.failures.domains import DomainIndex
        from drcheck.failures.simulate import Simulation

        inventory = load_inventory([path])
        groups = DomainIndex(inventory).groups
        started, cpu = time.perf_counter(), time.process_time()
        Simulation(inventory, [g.failure for g in groups]).impacts()
    else:
        raise SystemExit(f"unknown step {step!r}")
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}))


# ---- parent ----------------------------------------------------------------------------------

def _peak_mb(usage) -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


class _TreeMemory(threading.Thread):
    """The peak memory of a process and its children together, sampled every 20 ms (Linux): the sum of their
    proportional set sizes, in which a page that processes share counts once, split between them.

    A process's own peak (ru_maxrss) covers one process: `diff` audits its base in a second one, and the
    two run at once."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()
        if Path("/proc/self/smaps_rollup").exists():
            self.start()

    def run(self) -> None:
        while not self._done.wait(0.02):
            self.peak_mb = max(self.peak_mb, sum(map(_pss_mb, _tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        if self.is_alive():
            self.join()


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid, *(p for child in children for p in _tree(int(child)))]


def _pss_mb(pid: int) -> float:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    line = next((line for line in rollup.splitlines() if line.startswith("Pss:")), "Pss: 0 kB")
    return int(line.split()[1]) / 1024


def _drcheck_command() -> str:
    beside = Path(sys.executable).parent / "drcheck"
    found = str(beside) if beside.exists() else shutil.which("drcheck")
    if not found:
        raise SystemExit("the drcheck entry point is not installed (pip install -e .)")
    return found


def _arguments(step: str, path: Path) -> list[str]:
    """The `drcheck` arguments of a command step."""
    if step == "diff":
        return ["diff", str(path), str(_changed_path(path)), "--as-of", AS_OF]
    if step == "simulate-depth-2":
        return ["simulate", str(path), "--depth", "2"]
    if step == "plan":
        return ["plan", str(_plannable_path(path)), "--as-of", AS_OF]
    if step == "plan-audit":
        return ["audit", str(_plannable_path(path)), "--as-of", AS_OF]
    report_format = step.removeprefix("audit").removeprefix("-") or "table"
    return ["audit", str(path), "--as-of", AS_OF, "--format", report_format]


def _changed_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-changed{path.suffix}")


def _plannable_path(path: Path) -> Path:
    """The estate `plan` plans beside the estate at `path` (of shape-SIZE.yaml): plannable-SIZE.yaml."""
    return path.with_name(f"plannable-{path.stem.rsplit('-', 1)[1]}{path.suffix}")


def measure(step: str, path: Path) -> tuple[float, float, float]:
    """(wall seconds, peak MB, CPU seconds) of one step, in its own process."""
    if step in COMMANDS:
        command = [_drcheck_command(), *_arguments(step, path)]
        stdout = subprocess.DEVNULL  # not `-o /dev/null`: -o replaces its target atomically
    else:
        command = [sys.executable, __file__, "--child", step, str(path)]
        stdout = subprocess.PIPE
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=stdout, text=True)
    tree = _TreeMemory(child.pid)
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, unlike RUSAGE_CHILDREN
    wall = time.perf_counter() - started
    tree.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.stdout:
        child.stdout.close()
    if step in COMMANDS:
        if child.returncode not in (0, 1):  # 1 = the gate failed: the command still ran
            raise SystemExit(f"{' '.join(command[1:])} exited {child.returncode}")
        return wall, max(_peak_mb(usage), tree.peak_mb), usage.ru_utime + usage.ru_stime
    if child.returncode != 0:
        raise SystemExit(f"step {step} exited {child.returncode} on {path}")
    measured = json.loads(output)
    return measured["seconds"], _peak_mb(usage), measured["cpu"]


def run(sizes: list[int], shapes: list[str], steps: list[str], repeat: int, directory: Path) -> None:
    print(f"drcheck benchmark, {date.today()}: Python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}; load average {os.getloadavg()[0]:.2f}")
    # each estate measured is a (shape, number of services)
    results: dict[tuple[str, int], dict[str, tuple[float, float, float]]] = {}
    ratios: dict[tuple[str, int], dict[str, list[float]]] = {}
    file_mb: dict[tuple[str, int], float] = {}
    for estate in ((shape, services) for shape in shapes for services in sizes):
        shape, services = estate
        path = directory / f"{shape}-{services}.yaml"
        text = shaped_inventory(services, shape)
        path.write_text(text, encoding="utf-8")
        _changed_path(path).write_text(changed_inventory(text), encoding="utf-8")
        # the plan is measured once a size, with the first shape
        estate_steps = [step for step in steps if step != "plan" or shape == shapes[0]]
        if "plan" in estate_steps:
            _plannable_path(path).write_text(plannable_inventory(services), encoding="utf-8")
            file_mb["plannable", services] = _plannable_path(path).stat().st_size / (1024 * 1024)
        file_mb[estate] = path.stat().st_size / (1024 * 1024)
        # A shared machine's speed drifts over minutes, by a third and more: every command runs right after a
        # run of the baseline, and its ratio is taken to that run; rounds of every step, not each step's runs
        # back to back, spread each step's runs over the whole time.
        runs: dict[str, list[tuple[float, float, float]]] = {step: [] for step in estate_steps}
        paired: dict[str, list[float]] = {step: [] for step in estate_steps if step in COMMANDS}
        for _ in range(repeat):
            for step in estate_steps:
                if step in paired:
                    reference = "plan-audit" if step == "plan" else "baseline"
                    before = measure(reference, path)
                    runs.setdefault(reference, []).append(before)
                    runs[step].append(measure(step, path))
                    paired[step].append(runs[step][-1][0] / before[0])
                elif step != "baseline" or not paired:
                    runs[step].append(measure(step, path))
                print(".", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        results[estate] = {step: tuple(min(r[n] for r in measured) for n in range(3))
                           for step, measured in runs.items() if measured}  # (a plan alone runs no baseline)
        ratios[estate] = paired
    print(f"{'shape':<12} {'services':>9} {'file MB':>8} {'step':<16} {'wall s':>8} {'peak MB':>8} {'CPU s':>8}  "
          "(fastest run, smallest peak)")
    for (shape, services), measured in results.items():
        for step, (wall, peak, cpu) in measured.items():
            estate = "plannable" if step in ("plan", "plan-audit") else shape
            print(f"{estate:<12} {services:>9} {file_mb[estate, services]:>8.1f} {step:<16} {wall:>8.2f} {peak:>8.0f} "
                  f"{cpu:>8.2f}")
    print()
    for (shape, services), measured in results.items():
        for step, paired in ratios[shape, services].items():
            if step == "plan":
                _plan_verdict(services, measured, paired)
                continue
            base_mb = measured["baseline"][1]
            target = MAX_TIME_VS_BASELINE[step]
            time_ratio, memory_ratio = statistics.median(paired), measured[step][1] / base_mb
            nogc = f"; {measured[step][0] / measured['baseline-nogc'][0]:.2f} of baseline-nogc's best" \
                if "baseline-nogc" in measured else ""
            print(f"{shape}, {services} services: {step} time {time_ratio:.2f} of the baseline run just before it "
                  f"(median of {len(paired)}, {min(paired):.2f} to {max(paired):.2f}; target <= {target:g}: "
                  f"{_verdict(time_ratio <= target)}{nogc}), memory {memory_ratio:.2f} "
                  f"(target <= {MAX_MEMORY_VS_BASELINE:g}: {_verdict(memory_ratio <= MAX_MEMORY_VS_BASELINE)})")
    for shape in (s for s in shapes if (s, 20_000) in results and (s, 100_000) in results):
        for audit in (s for s in AUDITS if s in results[shape, 20_000]):
            growth = results[shape, 100_000][audit][0] / results[shape, 20_000][audit][0]
            print(f"{shape}: {audit} time 100k/20k: {growth:.2f} (target <= {MAX_GROWTH_100K_VS_20K:g}: "
                  f"{_verdict(growth <= MAX_GROWTH_100K_VS_20K)})")


def _plan_verdict(services: int, measured: dict, paired: list[float]) -> None:
    time_ratio, memory_ratio = statistics.median(paired), measured["plan"][1] / measured["plan-audit"][1]
    seconds = measured["plan"][0]
    absolute = f"; {seconds:.1f} s (target <= {PLAN_SECONDS_AT_2000:g} s: {_verdict(seconds <= PLAN_SECONDS_AT_2000)})" \
        if services == 2000 else f"; {seconds:.1f} s"
    print(f"plannable, {services} services: plan time {time_ratio:.2f} of its audit run just before it (median of "
          f"{len(paired)}, {min(paired):.2f} to {max(paired):.2f}; target <= {PLAN_VS_AUDIT['time']:g}: "
          f"{_verdict(time_ratio <= PLAN_VS_AUDIT['time'])}{absolute}), memory {memory_ratio:.2f} of the audit's "
          f"(target <= {PLAN_VS_AUDIT['memory']:g}: {_verdict(memory_ratio <= PLAN_VS_AUDIT['memory'])})")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[20_000], metavar="N",
                        help="inventory sizes to measure (default: 20000; add 100000 to check the growth)")
    parser.add_argument("--shape", nargs="+", choices=SHAPES, default=["benchmark"], metavar="SHAPE",
                        help="shapes of estate to measure: " + "; ".join(f"{name}: {what}" for name, what in SHAPES.items())
                        + " (default: benchmark)")
    parser.add_argument("--steps", nargs="+", choices=STEPS, metavar="STEP",
                        help="measure only these steps, besides the two baselines (default: every step)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of runs of every step; the fastest and smallest of each are shown")
    parser.add_argument("--keep", action="store_true", help="keep the generated inventories and print where")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    directory = Path(tempfile.mkdtemp(prefix="drcheck-bench-"))
    try:
        steps = [s for s in STEPS if s in BASELINES or not args.steps or s in args.steps]
        run(args.services, args.shape, steps, max(1, args.repeat), directory)
    finally:
        if args.keep:
            print(f"inventories kept in {directory}")
        else:
            shutil.rmtree(directory)


if __name__ == "__main__":
    main()
