"""Find rule plugins, configure them from the policy, and run them over an inventory.

Built-in rules, installed rule packs and a user's --rules-dir are found the
same way: an entry point in the `drcheck.rules` group names a module or
package, a rules directory holds Python files; every `Rule` subclass defined
there with an `id` is a rule.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import math
import os
import pkgutil
import re
import sys
import traceback
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from itertools import islice
from multiprocessing.connection import Pipe
from pathlib import Path
from types import ModuleType
from typing import Callable, Collection, Iterator

from ..rule_api.context import Context
from ..rule_api.findings import NOT_APPLICABLE, PASSED, SEVERITIES, Finding, Subject, subject_id
from ..rule_api.params import Param
from .policy import RULE_KEYS, Policy, RuleSettings
from ..processes import CAN_FORK, fork, reap
from ..rule_api.rule import CATEGORIES, LIFECYCLES, SCOPES, Rule
from ..rule_api.ruledoc import example_problem
from ..errors import InputError, Location, Problem, did_you_mean, unknown_rule
from ..inventory.loader import plain

ENTRY_POINT_GROUP = "drcheck.rules"
# below this many services an audit takes well under a second, and a second process would only add its start
SPLIT_FROM_SERVICES = 2_000
# a pipe holds a turn for each rule, a byte each, written before anyone reads: 4 KiB fit in any pipe
SPLIT_UP_TO_RULES = 4_096
_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


@dataclass
class RuleSource:
    rule: type[Rule]
    origin: str  # "builtin", an installed package's entry point, or a file path


def discover(rules_dirs: list[str] = ()) -> dict[str, RuleSource]:
    found: dict[str, RuleSource] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name != "builtin", e.name)):
        origin = "builtin" if ep.name == "builtin" else f"entry point {ep.name} ({ep.value})"
        try:
            module = ep.load()
        except Exception as exc:
            raise InputError(f"cannot load rule plugin {origin}: {type(exc).__name__}: {exc}") from None
        for module_ in _package_modules(module, origin):
            _collect(module_, origin, found)
    for directory in rules_dirs:
        path = Path(directory)
        if not path.is_dir():
            raise InputError(f"{directory}: rules directory not found")
        package = _rules_package(path)
        for file in sorted(path.glob("*.py")):
            if file.name.startswith("_"):
                continue
            _collect(_load_file(package, file), str(file), found)
    former = {}
    for rule_id, source in found.items():
        for alias in source.rule.aliases:
            if alias in found or alias in former:
                other = found[alias].origin if alias in found else found[former[alias]].origin
                raise InputError(f"rule {rule_id!r} from {source.origin}: alias {alias!r} is already a rule id or "
                                 f"alias in {other}")
            former[alias] = rule_id
    return dict(sorted(found.items()))


def _package_modules(module: ModuleType, origin: str) -> list[ModuleType]:
    modules = [module]
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        name = f"{module.__name__}.{info.name}"
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            raise InputError(f"cannot load rule module {name} from {origin}: {type(exc).__name__}: {exc}") from None
    return modules


def _rules_package(directory: Path) -> str:
    """A rules directory as a package of its own (a name no other directory has), so that its files import the
    modules beside them as `from . import helpers` or `from .helpers import name`."""
    name = "drcheck_user_rules_" + hashlib.sha1(str(directory.resolve()).encode()).hexdigest()[:12]
    if name not in sys.modules:
        package = importlib.util.module_from_spec(importlib.machinery.ModuleSpec(name, None, is_package=True))
        package.__path__ = [str(directory)]
        sys.modules[name] = package
    return name


def _load_file(package: str, file: Path) -> ModuleType:
    name = f"{package}.{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        hint = ""
        if isinstance(exc, ModuleNotFoundError) and exc.name and (file.parent / f"{exc.name}.py").is_file():
            hint = f" (a module beside the rule is imported as: from . import {exc.name})"
        raise InputError(f"cannot load rule file {file}: {type(exc).__name__}: {exc}{hint}") from None
    return module


def _collect(module: ModuleType, origin: str, found: dict[str, RuleSource]) -> None:
    for value in vars(module).values():
        if not (isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__):
            continue
        if "id" not in vars(value):
            continue  # an abstract helper base class
        problem = _metadata_problem(value)
        if problem:
            raise InputError(f"rule {getattr(value, 'id', value.__name__)!r} from {origin}: {problem}")
        if value.id in found and found[value.id].rule is not value:
            raise InputError(f"rule id {value.id!r} is defined twice: in {found[value.id].origin} and in {origin}")
        found[value.id] = RuleSource(value, origin)


def _metadata_problem(rule: type[Rule]) -> str | None:
    if not isinstance(rule.id, str) or not _ID.fullmatch(rule.id):
        return f"id {rule.id!r} is not kebab-case (like 'dr-site-too-close')"
    if rule.id in CATEGORIES:
        return f"id {rule.id!r} is the name of a category of rules"
    for attribute in ("title", "remediation"):
        if not isinstance(getattr(rule, attribute, None), str) or not getattr(rule, attribute).strip():
            return f"missing {attribute}"
    try:
        rule.doc()
    except ValueError as exc:
        return str(exc)
    for name, fires in (("example_fires", True), ("example_passes", False)):
        problem = example_problem(name, getattr(rule, name), fires)
        if problem:
            return problem
    if getattr(rule, "severity", None) not in SEVERITIES:
        return f"severity must be one of {', '.join(SEVERITIES)}"
    if rule.scope not in SCOPES:
        return f"scope must be one of {', '.join(SCOPES)}"
    if not isinstance(rule.categories, tuple) or not set(rule.categories) <= set(CATEGORIES):
        return f"categories must be a tuple of: {', '.join(CATEGORIES)}"
    if not isinstance(rule.aliases, tuple) or not all(isinstance(a, str) and _ID.fullmatch(a) for a in rule.aliases):
        return "aliases must be a tuple of kebab-case ids (the rule's former ids)"
    if rule.lifecycle not in LIFECYCLES:
        return f"lifecycle must be one of {', '.join(LIFECYCLES)}"
    for flag in ("needs_placements", "needs_dr"):
        if getattr(rule, flag) and rule.scope != "service":
            return f"{flag} is for rules of scope service"
    for name, param in rule.params.items():
        if not isinstance(param, Param):
            return f"parameter {name!r} is a {type(param).__name__}; expected a Param"
        try:
            param.validate(param.default)
        except (TypeError, ValueError) as exc:
            return f"parameter {name!r}: its default does not pass its own checks: {exc}"
    return None


@dataclass
class RuleOutcome:
    """What one rule found, and how many subjects it evaluated (the report's per-rule counts)."""

    rule: Rule
    evaluated: int = 0  # subjects with a known result
    unknown: int = 0
    findings: list[Finding] = field(default_factory=list)


def run(rules: list[Rule], ctx: Context, trusted: Collection[str] = (), split: bool = False,
        meanwhile: Callable[[], None] | None = None) -> list[RuleOutcome]:
    """Every rule on every subject of its scope.  Each finding is checked to be one the reports can carry
    (`_finding_problem`), except those of the rules in `trusted` (drcheck's own, whose tests check them): a
    plugin's number for a message, or set in its evidence, would otherwise break a report far from the rule
    that made it.  With `split`, on a large estate, a forked second process runs some of the rules
    (`_run_split`: the same outcomes, in the same order).  `meanwhile`, the caller's own work, is done in this
    process, first, or after its first rule when a second process runs rules, which takes more of them
    meanwhile."""
    large = len(ctx.inventory.services) >= SPLIT_FROM_SERVICES
    if split and CAN_FORK and large and 1 < len(rules) <= SPLIT_UP_TO_RULES:
        return _run_split(rules, ctx, trusted, meanwhile)
    if meanwhile is not None:
        meanwhile()
    subjects: dict[str, list[Subject]] = {}
    return [_run_rule(rule, ctx, trusted, subjects) for rule in rules]


def _run_split(rules: list[Rule], ctx: Context, trusted: Collection[str],
               meanwhile: Callable[[], None] | None) -> list[RuleOutcome]:
    """The rules shared between this process, which takes them from the first on, and a forked child, which
    takes them from the last back, until the two meet: neither waits while the other has a slow rule (on some
    estates one rule takes half the time).  The rules marked `slow` come first, so this process starts with
    them while the child takes the others.  The first rules stay here, the last go to the child, which sends
    back what each found (a slow rule's findings would take long to send).  Should it fail (it died, or what
    it found cannot be sent), the rules it took are run here too.  The outcomes are those of one process, in
    the same order, whichever ran each rule."""
    pipe, child_end = Pipe(duplex=False)
    turns = _Turns(len(rules))
    order = sorted(range(len(rules)), key=lambda n: not rules[n].slow)  # the slow rules first, else as given

    def work() -> int:
        pipe.close()
        subjects: dict[str, list[Subject]] = {}
        found = []
        for taken in turns:
            n = order[len(rules) - taken]
            found.append((n, _run_rule(rules[n], ctx, trusted, subjects)))
        for n, outcome in found:  # one message a rule, never one pickle of everything
            child_end.send((n, outcome.evaluated, outcome.unknown, outcome.findings))
        child_end.send(None)
        return 0

    pid = fork(work)
    child_end.close()
    outcomes: list[RuleOutcome | None] = [None] * len(rules)
    try:
        subjects: dict[str, list[Subject]] = {}

        def take(taken: int) -> None:
            n = order[taken - 1]
            outcomes[n] = _run_rule(rules[n], ctx, trusted, subjects)

        mine = iter(turns)
        for taken in islice(mine, 1):  # the first rule (a slow one): the caller's work must not leave it to the child
            take(taken)
        if meanwhile is not None:
            meanwhile()
        for taken in mine:
            take(taken)
        try:
            for n, *outcome in iter(pipe.recv, None):
                outcomes[n] = RuleOutcome(rules[n], *outcome)
        except (EOFError, OSError):
            pass
        for n, outcome in enumerate(outcomes):
            if outcome is None:  # taken by a child that failed
                outcomes[n] = _run_rule(rules[n], ctx, trusted, subjects)
    finally:
        turns.close()
        pipe.close()
        reap(pid, end=True)
    return outcomes


class _Turns:
    """`count` turns shared by this process and those forked after it was made: iterating takes one turn
    after the other, and yields how many this process has taken so far (1, 2, ...), until all are gone.
    The turns wait in a pipe that nobody writes to any more, a byte each: reading a byte takes one, and an
    empty pipe reads as its end."""

    def __init__(self, count: int):
        self._read, write = os.pipe()
        try:
            os.write(write, bytes(count))
        finally:
            os.close(write)

    def __iter__(self) -> Iterator[int]:
        taken = 0
        while os.read(self._read, 1):
            taken += 1
            yield taken

    def close(self) -> None:
        os.close(self._read)


def _run_rule(rule: Rule, ctx: Context, trusted: Collection[str], subjects_of: dict[str, list[Subject]]) -> RuleOutcome:
    subjects = subjects_of.get(rule.scope)
    if subjects is None:
        subjects = subjects_of[rule.scope] = list(_subjects(rule.scope, ctx))
    # the hot loop of an audit: 20,000 services times every rule
    # most rules keep the base class's `applies` (always true): not calling it saves 20,000 calls per rule
    applies = rule.applies if type(rule).applies is not Rule.applies else None
    check = rule.check
    needs_placements = rule.needs_placements and rule.scope == "service"
    needs_dr = rule.needs_dr and rule.scope == "service"
    check_findings = rule.id not in trusted
    evaluated = unknown = 0
    findings: list[Finding] = []
    for subject in subjects:
        # A rule that raises, or returns something else than findings or a verdict, fails this one check:
        # the audit goes on, and the report and the exit code say which check could not be made.
        try:
            if applies is not None and not applies(ctx, subject):
                continue
            if needs_placements and not subject.placements:
                found = [_unplaced(rule, subject)]
            elif needs_dr and (not subject.has_dr or subject.strategy == "none"):
                continue  # not applicable: no DR, or its other placements declared high availability only
            else:
                result = check(ctx, subject)
                if result is PASSED:
                    evaluated += 1
                    continue
                if result is NOT_APPLICABLE:
                    continue
                found = _findings(result)
        except Exception as exc:  # noqa: BLE001 - any failure of a rule is reported, never a traceback
            findings.append(_error(rule, subject, exc, own=not check_findings))
            continue
        if check_findings:
            problem = next(filter(None, map(_finding_problem, found)), None)
            if problem:
                findings.append(_error(rule, subject, TypeError(problem), own=False))
                continue
        if found and all(f.status == "unknown" for f in found):
            unknown += 1
        else:  # failed, or passed with an empty list of findings
            evaluated += 1
        findings += found
    return RuleOutcome(rule, evaluated, unknown, findings)


def _findings(result) -> list[Finding]:
    """What `check` returned, as a list of findings; TypeError if it is not one of the results a check may give."""
    if isinstance(result, Finding):
        return [result]
    if result is None or isinstance(result, (str, bytes, dict)) or not hasattr(result, "__iter__"):
        raise TypeError(f"check returned {_clipped(repr(result))}; expected a Finding (from self.fail or "
                        "self.unknown), a list of them, PASSED or NOT_APPLICABLE")
    found = list(result)
    for f in found:
        if not isinstance(f, Finding):
            raise TypeError(f"check returned {type(f).__name__} {_clipped(repr(f))}; expected a "
                            "Finding (from self.fail or self.unknown), a list of them, PASSED or NOT_APPLICABLE")
    return found


def _finding_problem(finding: Finding) -> str | None:
    """What in a finding the reports cannot carry, or None."""
    for name in ("message", "cause"):
        value = getattr(finding, name)
        if not isinstance(value, str):
            return f"the finding's {name} is {_clipped(repr(value), 60)}; expected text"
    if finding.severity not in SEVERITIES:
        return f"the finding's severity is {_clipped(repr(finding.severity), 60)}; expected one of {', '.join(SEVERITIES)}"
    if finding.location is not None and not isinstance(finding.location, Location):
        return f"the finding's location is {_clipped(repr(finding.location), 60)}; expected a Location or None"
    try:
        problem = _not_json(finding.evidence)
    except RecursionError:
        return "the finding's evidence holds itself, or nests a thousand levels deep; expected JSON data"
    if problem:
        return (f"evidence{problem}; a finding's evidence must be JSON data: text, numbers, true, false, null, "
                "lists, and mappings with text keys")
    return None


def _not_json(value) -> str | None:
    """What in `value` a JSON report cannot hold, as where and what ("['sites'] is a set"), or None.  The
    path is written only on the way back from a problem: most evidence has none."""
    if isinstance(value, float):
        return None if math.isfinite(value) else f" is {value}"
    if value is None or isinstance(value, (str, int)):
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f" has the key {key!r}, which is not text"
            found = _not_json(item)
            if found:
                return f"[{key!r}]{found}"
        return None
    if isinstance(value, (list, tuple)):
        for n, item in enumerate(value):
            found = _not_json(item)
            if found:
                return f"[{n}]{found}"
        return None
    return f" is a {type(value).__name__}"


def _unplaced(rule: Rule, service) -> Finding:
    """A rule that needs placements, on a service that has none: unknown, without asking the rule."""
    why = ("it is an external service whose sites are not known" if service.kind == "external"
           else "it has no placements yet")
    return rule.unknown(service, f"cannot check {rule.id} for {service.name}: {why}",
                        {"placements": [], "kind": service.kind})


def _error(rule: Rule, subject: Subject, exc: Exception, own: bool) -> Finding:
    """The check of `rule` on `subject` failed: a finding with status `error` that names both, and the line of the
    rule's own code where it broke.  A rule of drcheck's `own` that fails is an internal error of drcheck; a
    plugin's is a rule error, for its author to fix."""
    where = _where_in_rule(rule, exc)
    detail = _clipped(f"{type(exc).__name__}: {exc}")
    subject_name = subject_id(subject)
    return Finding(
        rule=rule.id,
        severity=rule.effective_severity,
        subject=subject_name,
        message=f"{'internal error: rule' if own else 'rule error:'} {rule.id} failed on {subject_name} at {where}: "
                f"{detail}",
        location=getattr(subject, "location", None),
        evidence={"error": detail, "at": where},
        status="error",
        weight=getattr(subject, "weight", 8),
    )


def _where_in_rule(rule: Rule, exc: Exception) -> str:
    """FILE:LINE of the last line of the rule's own code that `exc` went through: the rule's class and its
    bases, not drcheck's rule API.  Where none did (what `check` returned was refused), the rule's `check`."""
    files = {getattr(sys.modules.get(c.__module__), "__file__", None) for c in type(rule).__mro__
             if c.__module__.startswith("drcheck.rules.") or not c.__module__.startswith(("drcheck.", "builtins"))}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}"
    code = type(rule).check.__code__
    return f"{code.co_filename}:{code.co_firstlineno}"


def _clipped(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _subjects(scope: str, ctx: Context):
    if scope == "service":
        return ctx.inventory.services.values()
    if scope == "site":
        return ctx.inventory.sites.values()
    if scope == "domain":
        return ctx.failures.single_failures
    return [ctx.inventory]


def configure(policy: Policy, sources: dict[str, RuleSource], select: list[str] | None, ignore: list[str],
              notes: list[str] | None = None) -> list[Rule]:
    """The rules to run: the enabled ones, instantiated with the policy's checked parameters and severity;
    unknown rule ids, parameters and values are errors naming the policy line.  A rule's former id (an alias)
    stands for it, and --select and --ignore take categories too; what the user should know about the rules
    they named (a rule renamed, one deprecated) is added to `notes`."""
    notes = [] if notes is None else notes
    renamed = {alias: rule_id for rule_id, source in sources.items() for alias in source.rule.aliases}

    def current(name: str) -> str:
        if name in renamed:
            notes.append(f"rule {name!r} is now called {renamed[name]!r}; {name!r} still works, but use the new id")
            return renamed[name]
        return name

    policy.rules = {current(rule_id): settings for rule_id, settings in policy.rules.items()}
    for waiver in policy.waivers:
        waiver.rule = current(waiver.rule)
    select = None if select is None else [current(name) for name in select]
    ignore = [current(name) for name in ignore]
    problems: list[Problem] = []
    for rule_id, settings in policy.rules.items():
        where = settings.location
        if rule_id not in sources:
            problems.append(Problem(where, f"rules: {unknown_rule(rule_id, sources)}"))
            continue
        declared = sources[rule_id].rule.params
        for key, (raw, at) in settings.raw.items():
            if key not in declared:
                known = ", ".join(list(declared) + list(RULE_KEYS))
                problems.append(Problem(at or where, f"rules.{rule_id}: unknown parameter {key!r}"
                                                     f"{did_you_mean(key, [*declared, *RULE_KEYS])}; expected one of: {known}"))
                continue
            try:
                settings.values[key] = declared[key].convert(plain(raw))
            except ValueError as exc:
                problems.append(Problem(at or where, f"rules.{rule_id}.{key}: {exc}"))
    for rule_id in [*(select or []), *ignore]:
        if rule_id not in sources and rule_id not in CATEGORIES:
            problems.append(Problem(None, unknown_rule(rule_id, sources)))
    for waiver in policy.waivers:
        if waiver.rule not in sources:
            problems.append(Problem(waiver.location, f"waiver: {unknown_rule(waiver.rule, sources)}"))
    if problems:
        raise InputError(problems)
    rules = []
    for rule_id, source in sources.items():
        rule, settings = source.rule, policy.rules.get(rule_id, RuleSettings())
        if rule.lifecycle == "preview":  # a rule still being tried out runs only when asked for by its id
            chosen = bool(select) and rule_id in select
        else:
            chosen = _named(rule, select) if select else settings.enabled is not False
        if chosen and not _named(rule, ignore):
            rules.append(rule(settings.values, settings.severity))
            if rule.lifecycle == "deprecated":
                notes.append(f"rule {rule_id!r} is deprecated: a later version of drcheck will not have it")
    return rules


def _named(rule: type[Rule], names: list[str]) -> bool:
    """Whether --select or --ignore names the rule, by its id or by one of its categories."""
    return rule.id in names or any(category in names for category in rule.categories)
