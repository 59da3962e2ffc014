"""The audit pipeline: files -> inventory -> rules -> findings -> waivers/baseline -> score -> report."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date

from .. import __version__
from ..rule_api.context import Context
from ..rule_api.findings import SEVERITIES, Finding
from .engine import configure, discover, run
from ..errors import InputError, Location, did_you_mean
from ..failures.causes import Explanations
from ..inventory.loader import STDIN_NAME, Document, collect_sources, parse, read_source
from ..inventory.model import DEFAULT_TIER, Inventory
from .policy import DEFAULT_POLICY_FILE, Policy, Waiver, holds_only_policy
from .report import FINGERPRINTS_HEADER, Needs, Report, RuleInfo, Scenario, ServiceSummary, percent
from ..inventory.schema import build_inventory
from .scoring import compute, grade

SCENARIOS_IN_REPORT = 5


@dataclass
class AuditOptions:
    policy: Policy
    as_of: date
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    rules_dirs: list[str] = field(default_factory=list)
    use_waivers: bool = True
    baseline: str | None = None
    split_rules: bool = False  # run half the rules in a second process (`engine.run`); `diff` has its own


def load_inventory(paths: list[str], stdin=None, skipped: list[str] | None = None) -> Inventory:
    """The inventory in `paths`; the policy files found in a directory are left out and added to `skipped`."""
    return build_inventory(inventory_documents(paths, stdin, skipped))


def inventory_documents(paths: list[str], stdin=None, skipped: list[str] | None = None) -> list[Document]:
    """The inventory's files, parsed.  A directory often holds the policy beside the inventory (`drcheck init`
    writes both): there a file named drcheck.yaml, or one whose keys are all policy keys, is no part of the
    inventory, and is left out (its path added to `skipped`); named on its own, it is an error."""
    documents, left_out = [], []
    for path, listed in collect_sources(paths):
        if listed and os.path.basename(path) == DEFAULT_POLICY_FILE:
            left_out.append(path)
            continue
        document = parse(*read_source(path, stdin))
        if not policy_document(document, listed, left_out):
            documents.append(document)
    if not documents:
        raise InputError(f"{', '.join(paths)}: holds no inventory files, only the policy file(s) {', '.join(left_out)}")
    if skipped is not None:
        skipped.extend(left_out)
    return documents


def policy_document(document: Document, listed: bool, skipped: list[str] | None) -> bool:
    """Whether the document is a policy, to be left out of the inventory (and its file added to `skipped`); an
    error if it was named on its own."""
    if not holds_only_policy(document.root):
        return False
    if not listed:
        raise InputError.at(
            Location(document.file, 1, 1),
            f"found a policy (keys {', '.join(document.root)}), not an inventory; give a policy with --policy "
            f"{document.file}" if document.file != STDIN_NAME else "found a policy, not an inventory; give a policy "
            "with --policy FILE")
    if skipped is not None:
        skipped.append(document.file)
    return True


def require_services(inventory: Inventory) -> Inventory:
    """What an audit gates on: nothing audited would score 100 and pass every gate.  (A file of sites alone, a
    NetBox import say, is still a valid part of an inventory: `validate` and `diff` take it.)"""
    if not inventory.services:
        where = Location(inventory.files[0], 1, 1) if inventory.files else None
        raise InputError.at(where, "found no services; expected at least one under 'services:' (an inventory with "
                                   "nothing to audit would pass every gate)")
    return inventory


def audit(inventory: Inventory, options: AuditOptions, ctx: Context | None = None, needs: Needs = Needs()) -> Report:
    """The audit of `inventory`, with what the formats to be written `needs` beyond the findings; `ctx`, when given,
    is a context of it to reuse (`diff` reads its simulation too)."""
    policy = options.policy
    sources = discover([*policy.rules_dirs, *options.rules_dirs])
    notes: list[str] = []
    rules = configure(policy, sources, options.select, options.ignore, notes)
    ctx = ctx or Context(inventory, options.as_of, policy.area_radius_km)
    failures = ctx.failures
    # before the rules: the simulation the scenarios read is then built once, for the rules of both processes
    worst = [(group, k) for group, k in failures.ranked_single_failures if failures.impacts[k] > 0][:SCENARIOS_IN_REPORT]
    told: dict = {}

    def tell_failures() -> None:  # what the report says of failures, worked out while a second process runs rules
        told["scenarios"] = [scenario(failures.explanations, k, [group.domain], list(group.domains[1:]),
                                      failures.impacts[k], why=needs.why) for group, k in worst]
        told["impacts"] = failures.subject_impacts() if needs.impacts else {}

    outcomes = run(rules, ctx, trusted={rule_id for rule_id, source in sources.items() if source.origin == "builtin"},
                   split=options.split_rules, meanwhile=tell_failures)
    findings = [f for o in outcomes for f in o.findings]
    expired, unused = _apply_waivers(findings, policy.waivers if options.use_waivers else [], options.as_of)
    baseline = _apply_baseline(findings, options.baseline) if options.baseline else None
    score = compute(outcomes, sum(s.weight for s in inventory.services.values()))
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.status != "fail", f.rule, f.subject, f.cause))
    unplaced = sum(not s.placements and s.kind != "external" for s in inventory.services.values())
    covered = coverage(inventory)
    gate = _gate(findings, score.value, policy) + _coverage_gate(covered, unplaced, len(inventory.services),
                                                                 policy.min_coverage)
    score.grade = grade(score.value, passed=not gate)
    return Report(
        version=__version__,
        inventory_name=inventory.name,
        files=inventory.files,
        service_count=len(inventory.services),
        site_count=len(inventory.sites),
        unplaced_count=unplaced,
        coverage=covered,
        as_of=options.as_of,
        profile=policy.profile,
        fail_on=policy.fail_on,
        min_score=policy.min_score,
        score=score,
        passed=not gate,
        gate=gate,
        findings=findings,
        scenarios=told["scenarios"],
        expired_waivers=expired,
        unused_waivers=unused,
        stray_waivers=_stray_waivers(unused, inventory, ctx),
        baseline=baseline,
        rules=[RuleInfo.of(rule, builtin=sources[rule.id].origin == "builtin") for rule in rules],
        notes=notes,
        services=_service_summaries(inventory, findings),
        computed=needs,
        impacts=told["impacts"],
        inventory=inventory if needs.inventory else None,
        graph=failures.graph if needs.graph_up_to and len(inventory.services) <= needs.graph_up_to else None,
        **_untiered(inventory, rules),
    )


def _untiered(inventory: Inventory, rules: list) -> dict:
    """The services no file gives a tier, and the rules that skip them at the default tier (their max_tier is
    lower): an imported estate is all tier 2, so no-dr would quietly pass a single-zone database."""
    untiered = [s.name for s in inventory.services.values() if not s.tier_given]
    skipping = sorted(rule.id for rule in rules if isinstance(rule.values.get("max_tier"), int)
                      and rule.values["max_tier"] < DEFAULT_TIER) if untiered else []
    return {"untiered": untiered if skipping else [], "not_applied_untiered": skipping}


def coverage(inventory: Inventory) -> float:
    """The tier-weighted share (0..1) of the services that are placed somewhere.  An external service without
    placements is left out (where a third party runs is its own business), unless nothing at all is placed:
    then there is nothing audited, and the share is 0."""
    placed = sum(s.weight for s in inventory.services.values() if s.placements)
    awaited = sum(s.weight for s in inventory.services.values() if not s.placements and s.kind != "external")
    return placed / (placed + awaited) if placed else 0.0


def _coverage_gate(covered: float, unplaced: int, services: int, minimum: float) -> list[str]:
    """Why the gate fails on what is placed: below `minimum`, or nothing placed at all (whatever the minimum:
    an audit of nothing passes nothing)."""
    if covered == 0:
        return [f"nothing is placed: none of the {services} service(s) is placed on any site, so no placement could "
                "be judged"]
    if covered < minimum:
        return [f"coverage {percent(covered)} is below the minimum {percent(minimum)}: {unplaced} service(s) not "
                "placed on any site"]
    return []


def _service_summaries(inventory: Inventory, findings: list[Finding]) -> list[ServiceSummary]:
    failing: dict[str, list[str]] = {}
    for f in findings:
        if f.status == "fail" and not f.waived and f.subject.startswith("service:"):
            rules = failing.setdefault(f.subject[len("service:"):], [])
            if f.rule not in rules:
                rules.append(f.rule)
    return [ServiceSummary(s.name, s.kind, s.tier, s.owner, s.sites, s.effective_strategy, failing.get(s.name, []))
            for s in inventory.services.values()]


def scenario(explanations: Explanations, k: int, lost, same_as, impact: float, excess: float | None = None,
             why: int = 0) -> Scenario:
    """Scenario k of the simulation that `explanations` explains, as reports tell it, with why each of the first
    `why` services down in it is down."""
    simulation = explanations.simulation
    failure = simulation.scenarios[k]
    down = simulation.down_in(k)
    return Scenario(lost=lost, same_as=same_as, sites=sorted(failure.sites), loss=failure.loss,
                    destroyed=sorted(failure.destroyed), down=down, data_lost=simulation.data_lost_in(k), impact=impact,
                    excess=excess, why=explanations.causes_in(k, down[:why]) if why else {})


def _apply_waivers(findings: list[Finding], waivers: list[Waiver], as_of: date) -> tuple[list[Waiver], list[Waiver]]:
    active = {(w.rule, w.subject): w for w in waivers if w.expires >= as_of}
    expired = [w for w in waivers if w.expires < as_of]
    used = set()
    for f in findings:
        waiver = active.get((f.rule, f.subject))
        if waiver is not None:
            f.waived, f.waiver_reason = True, waiver.reason
            used.add((waiver.rule, waiver.subject))
    unused = [w for key, w in active.items() if key not in used]
    return expired, unused


def _stray_waivers(unused: list[Waiver], inventory: Inventory, ctx: Context) -> list[tuple[Waiver, str]]:
    """The unused waivers whose subject names nothing in the inventory (a typo, or a service since removed), each
    with a suggestion of the subject it may have meant (" (did you mean 'service:kafka'?)" or "")."""
    if not unused:
        return []
    # names by kind of subject: "service:kafak" is compared with the services' names only
    known = {"service": list(inventory.services), "site": list(inventory.sites),
             "domain": [str(domain) for group in ctx.domains.groups for domain in group.domains]}
    strays = []
    for waiver in unused:
        kind, _, name = waiver.subject.partition(":")
        if waiver.subject != "inventory" and name not in known.get(kind, ()):
            strays.append((waiver, did_you_mean(waiver.subject, known.get(kind, ()), prefix=f"{kind}:")))
    return strays


_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def _apply_baseline(findings: list[Finding], path: str) -> dict:
    name, text = read_source(path, role="baseline")
    known = _fingerprints(name, text) if text.startswith(FINGERPRINTS_HEADER) else _report_fingerprints(name, text)
    current = set()
    for f in findings:
        if f.status == "fail":
            current.add(f.fingerprint)
            f.baseline = f.fingerprint in known
    return {"file": path, "matched": sum(f.baseline for f in findings), "fixed": len(known - current)}


def _report_fingerprints(name: str, text: str) -> set[str]:
    if not text.strip():
        raise InputError(f"--baseline {name}: the file is empty; expected a drcheck JSON report or a fingerprints "
                         "file (`--format fingerprints`)")
    try:
        old = json.loads(text)
        return {f["fingerprint"] for f in old["findings"] if f.get("status", "fail") == "fail"}
    except RecursionError:
        raise InputError(f"--baseline {name}: JSON nested too deeply; expected a drcheck JSON report") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"--baseline {name}: not a drcheck JSON report (expected 'findings' with fingerprints) "
                         f"nor a fingerprints file (`--format fingerprints`): {exc}") from None


def _fingerprints(name: str, text: str) -> set[str]:
    """A `--format fingerprints` file: a header line, then a fingerprint at the start of each line."""
    known = set()
    for number, line in enumerate(text.splitlines()[1:], 2):
        first = line.split(maxsplit=1)[0] if line.strip() else ""
        if not first or first.startswith("#"):
            continue
        if not _FINGERPRINT.fullmatch(first):
            raise InputError(f"--baseline {name}:{number}: found {first[:40]!r}; expected a fingerprint of 16 "
                             "hexadecimal digits at the start of the line")
        known.add(first)
    return known


def _gate(findings: list[Finding], score: float, policy: Policy) -> list[str]:
    threshold = SEVERITIES.index(policy.fail_on)
    reasons = []
    errors = sum(f.status == "error" for f in findings)
    if errors:
        reasons.append(f"{errors} check(s) could not be made (a rule failed)")
    blocking = [f for f in findings if f.status == "fail" and not f.waived and not f.baseline
                and SEVERITIES.index(f.severity) <= threshold]
    if blocking:
        reasons.append(f"{len(blocking)} finding(s) at or above {policy.fail_on}")
    if policy.fail_on_unknown:
        unknown = [f for f in findings if f.status == "unknown" and not f.waived and not f.baseline]
        if unknown:
            reasons.append(f"{len(unknown)} unknown result(s) and fail_on_unknown is set")
    if policy.min_score is not None and score < policy.min_score:
        reasons.append(f"score {score} is below the minimum {policy.min_score:g}")
    return reasons
