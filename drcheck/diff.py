"""`drcheck diff`: what a change to an inventory makes better or worse.

Both inventories are audited with the same options; findings are matched by
fingerprint, so moving lines changes nothing.  The comparison is data
(`Comparison`); `reporters.diff` renders it as a table, Markdown or JSON.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from .context import Context
from .findings import SEVERITIES
from .audit import AuditOptions, audit
from .domains import Domain
from .errors import InputError
from .loader import Document, parse
from .model import Inventory
from .report import Comparison, ScenarioChange, SeverityChange

GIT_TIMEOUT_SECONDS = 60


def compare(base: Inventory, head: Inventory, options: AuditOptions) -> Comparison:
    base_ctx, head_ctx = Context(base, options.as_of), Context(head, options.as_of)
    before, after = audit(base, options, base_ctx), audit(head, options, head_ctx)
    old = {(f.fingerprint, f.status): f for f in before.findings}
    new = {(f.fingerprint, f.status): f for f in after.findings}
    added = [f for key, f in new.items() if key not in old]
    removed = [f for key, f in old.items() if key not in new]
    rank = SEVERITIES.index
    changed = [SeverityChange(old[key], f) for key, f in new.items() if key in old and old[key].severity != f.severity]
    raised = [c for c in changed if rank(c.after.severity) < rank(c.before.severity) and c.after.status == "fail"]
    lowered = [c for c in changed if c not in raised]
    policy = options.policy
    threshold = rank(policy.fail_on)
    blocking = [f for f in [*added, *(c.after for c in raised)]
                if not f.waived and (f.status == "fail" and rank(f.severity) <= threshold
                                     or f.status == "unknown" and policy.fail_on_unknown)]
    return Comparison(before, after, added, removed, raised, lowered, _worse_scenarios(base_ctx, head_ctx),
                      policy.fail_on, blocking)


def _worse_scenarios(base: Context, head: Context) -> list[ScenarioChange]:
    """Single-domain losses that take down, or lose the data of, services they did not before."""
    # Each scenario's services as one bitset in the head's numbering of services: a change is a difference of
    # two integers, not of two sets of 20,000 names per domain.
    before, after = base.simulation, head.simulation
    numbering = after.index
    was_down, was_lost = before.down_by_scenario(numbering), before.data_lost_by_scenario(numbering)
    now_down, now_lost = after.down_by_scenario(), after.data_lost_by_scenario()
    past = {domain: k for k, group in enumerate(base.domains.groups) for domain in group.domains}
    changes = []
    for k, group in enumerate(head.domains.groups):
        down, lost = now_down[k], now_lost[k]
        if not down and not lost:
            continue
        # a group's domains may have held different sites before the change: compare each with its own past
        by_past: dict[tuple[float, int, int], list[Domain]] = {}
        for domain in group.domains:
            j = past.get(domain)
            outcome = (0.0, 0, 0) if j is None else (base.impacts[j], was_down[j], was_lost[j])
            by_past.setdefault(outcome, []).append(domain)
        for (impact, down_before, lost_before), domains in by_past.items():
            newly_down, newly_lost = after.names(down & ~down_before), after.names(lost & ~lost_before)
            if newly_down or newly_lost:
                changes.append(ScenarioChange(domains, impact, head.impacts[k], newly_down, newly_lost))
    return sorted(changes, key=lambda c: (-(c.impact_after - c.impact_before), -c.impact_after, c.lost))


# --- the base inventory from git ----------------------------------------------------------------------------

def git_documents(path: str, revision: str) -> list[Document]:
    """The inventory at PATH (a file or a directory) as it was in git revision REV."""
    target = Path(path)
    if not target.exists():
        raise InputError(f"{path}: no such file or directory")
    directory = target if target.is_dir() else target.parent
    _git(directory, "rev-parse", "--is-inside-work-tree", failure=f"{path}: not inside a git repository")
    _git(directory, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}",
         failure=f"--base: {revision!r} is not a commit in the repository of {path}")
    if target.is_dir():
        listed = _git(directory, "ls-tree", "-r", "--name-only", "-z", revision, "--", ".",
                      failure=f"{path}: cannot list {revision}").decode("utf-8", "surrogateescape")
        names = sorted(n for n in listed.split("\0") if n.endswith((".yaml", ".yml")))
        if not names:
            raise InputError(f"{path}: holds no *.yaml or *.yml inventory files in {revision}")
        shown = [(name, str(target / name)) for name in names]
    else:
        shown = [(target.name, path)]
    documents = []
    for name, display in shown:
        data = _git(directory, "show", f"{revision}:./{name}", failure=f"{display}: not in {revision}")
        label = f"{revision}:{display}"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{label}: found byte 0x{data[exc.start]:02x} that is not UTF-8; expected UTF-8 text") from None
        documents.append(parse(label, text))
    return documents


def _git(directory: Path, *args: str, failure: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=directory, capture_output=True, timeout=GIT_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise InputError("--base needs git, and no git command was found") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{failure}: git did not answer within {GIT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(failure + (f" (git: {said[-1]})" if said else ""))
    return done.stdout
