"""`drcheck plan`: the cheapest set of changes after which the gate passes, every step verified by the audit.

The planner does not reason about rules: it asks the audit "what if".  A set of
changes is written as an overlay (candidate sites under `sites:`, changes under
`overrides:`), read beside the inventory's own files by the same loader and
audited with the same policy, so that what the plan promises is what
`drcheck audit PATH... overlay.yaml` says.

1. The vocabulary: from each failing finding that stands in the way of the
   gate, the changes that could clear it (`vocabulary`): a standby of the
   service (or of the dependency, tooling or concentrated services the finding
   names) on the best existing site and the best candidate site (where none
   fits, the existing site that survives the most), a stronger strategy, a
   backup, a second power feed or carrier, a drill, a restore test,
   `dr.automatic` where the service is already active-active.
2. The search: with at most EXACT_LIMIT changes, every subset in order of cost
   until one passes (exact).  Otherwise (the heuristic) up to ROUNDS rounds
   that cover what fails the gate with the changes made for it, most findings
   per unit of cost first, each round audited, keeping the closest round; then
   every change the plan does without is dropped, the costliest first, each
   drop audited, until none can be.  Above STEP_LIMIT changes a step is every
   change of one kind, and whole steps are dropped.  Where nothing passes,
   "closest" is the highest score, then the fewest findings failing the gate.
3. The steps: in order of score gained per unit of cost, each audited with the
   steps before it: what it removes, the score and the gate after it.
"""
from __future__ import annotations

import gc
import heapq
import itertools
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Iterable

import yaml

from ..audit.run import AuditOptions, audit
from ..rule_api.context import Context
from ..inventory.geo import great_circle_km
from ..audit.engine import configure, discover
from ..rule_api.findings import SEVERITIES, Finding
from ..inventory.loader import Document, parse
from ..inventory.locations import catalogue
from ..inventory.model import Inventory, Service, Site
from ..audit.policy import STRATEGY_FACTORS
from ..audit.report import PlanChange, PlanReport, PlanStep, Remaining, Report
from ..inventory.scalars import format_amount, parse_duration
from ..inventory.schema import ReadDocuments, build_inventory, read_documents

EXACT_LIMIT = 12  # vocabularies this small are searched over every subset
STEP_LIMIT = 60  # up to this many changes, a step is one change; above, one kind of change
ORDER_BY_AUDIT = 60  # up to this many steps, each one's gain is audited to order them; above, foreseen
LARGE_ESTATE = 500  # services: above, memory is kept to about one audit's
ROUNDS = 6  # large estates: rounds of cover-and-audit before giving up on passing
OVERLAY_NAME = "<plan>"
# the strategies a standby may run, cheapest first by the default factors; active-active needs two primaries
_STANDBY_STRATEGIES = ("backup-restore", "pilot-light", "warm-standby", "active-active")
_HOLDS_NO_STANDBY = ("vault", "office")  # site kinds that keep backups or people, not running services
# where a backup goes first, among sites that fit as well and cost as much: a vault is there to keep them, an
# office keeps people (a backup may still go there, last)
_BACKUP_KIND_ORDER = {"vault": 0, "office": 2}
_SITE_RULES = ("no-dr", "dr-site-too-close", "dr-shares-building", "dr-shares-campus", "dr-shares-region",
               "dr-shares-utility", "dr-shares-hazard", "provider-concentration")
_BACKUP_RULES = ("no-backup", "backup-colocated", "backup-shares-region", "backup-3-2-1")
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Change:
    """One change of the vocabulary; `site` is where a standby or backup goes (or the site a feed is added to)."""

    kind: str  # standby | strategy | backup | power | network | drill | restore-test | automatic
    subject: str  # the service (the site, for power and network)
    site: str | None = None
    strategy: str | None = None
    monthly: float = 0.0
    one_off: float = 0.0
    basis: str = "unpriced"
    priced: bool = False
    drill: bool = False  # a standby of a service that must be drill-tested records its first drill too
    restore_test: bool = False  # a backup of a service that must be restore-tested records a test restore too

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject, self.site or "")

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """The (section, field) the overlay patches for this change."""
        section = "sites" if self.kind in ("power", "network") else "services"
        touched = {"standby": ("placements", "dr.strategy") + (("dr.last_tested",) if self.drill else ()),
                   "strategy": ("dr.strategy",) + (("placements",) if self.strategy == "active-active" else ()),
                   "backup": ("backups",), "restore-test": ("backups",), "drill": ("dr.last_tested",),
                   "automatic": ("dr.automatic",), "power": ("power",), "network": ("network",)}[self.kind]
        return tuple((section, f) for f in touched)

    def describe(self) -> str:
        if self.kind == "standby":
            role = {"active-active": "second running copy (active-active)", "warm-standby": "warm standby",
                    }.get(self.strategy, f"{self.strategy} standby")
            return f"add a {role} of {self.subject} on {self.site}" + (" and drill its failover" if self.drill else "")
        if self.kind == "strategy":
            return f"run the standby of {self.subject} as {self.strategy}"
        if self.kind == "backup":
            return f"back up {self.subject} to {self.site}" + (" and test a restore" if self.restore_test else "")
        if self.kind == "power":
            return f"add a second power feed to site {self.subject}"
        if self.kind == "network":
            return f"add a second network carrier to site {self.subject}"
        if self.kind == "drill":
            return f"drill the failover of {self.subject}"
        if self.kind == "restore-test":
            return f"test a restore of the backups of {self.subject}"
        return f"make the failover of {self.subject} automatic (dr.automatic)"


@dataclass
class Outcome:
    """What the audit says of the inventory with a set of changes."""

    score: float
    passed: bool
    gate: list[str]
    failing: frozenset[str]  # fingerprints of the open failing findings (not waived, not in the baseline)
    blocking: frozenset[str]  # those that fail the gate by their severity
    errors: list[str]  # checks that could not be made (a rule raised): the plan stops at exit 2
    # the open failing findings themselves, evidence and all, which the vocabulary is made from; on large
    # estates kept for the latest audit only (memory)
    findings: dict[str, Finding] | None = None


@dataclass
class _Setup:
    inventory: Inventory
    options: AuditOptions
    candidates: dict[str, Site]  # the policy's candidate sites and the cloud regions the estate could use
    params: dict[str, dict]  # rule id -> its parameter values as the policy sets them, for the rules that run
    split: bool  # audits run half their rules in a second process (`engine.run`)
    large: bool  # keep one audit's findings at a time, and collect each audit's garbage
    # (section, name, field) the inventory's own files override already -> the file: an overlay may not patch
    # them again
    overridden: dict[tuple[str, str, str], str] = field(default_factory=dict)
    read: ReadDocuments | None = None  # the inventory's documents read once, for each overlay to be built onto


class OverBudget(Exception):
    """The plan needs more audits than it was given (`make_plan`'s `max_audits`)."""


def make_plan(documents: list[Document], options: AuditOptions, progress: Progress | None = None,
              max_audits: int | None = None, inventory: Inventory | None = None,
              audited: Report | None = None) -> PlanReport:
    """The plan for the inventory of `documents`, audited with `options`; `OverBudget` when it would take more
    than `max_audits` audits (a count, not a time, so that whether a plan is made does not depend on the machine).
    `inventory` and `audited`: the inventory of `documents` and its audit with `options`, made already (`drcheck
    audit`), which the plan starts from."""
    search = planner(documents, options, progress, inventory, max_audits)
    if audited is not None:
        search.start_from(audited)
    return search.plan()


def planner(documents: list[Document], options: AuditOptions, progress: Progress | None = None,
            inventory: Inventory | None = None, max_audits: int | None = None) -> "Planner":
    """A planner of the inventory of `documents` (`inventory`, when it is built already); once made, it needs
    the documents no more."""
    inventory = inventory or build_inventory(documents)
    policy = options.policy
    sources = discover([*policy.rules_dirs, *options.rules_dirs])
    params = {rule.id: rule.values for rule in configure(policy, sources, options.select, options.ignore)}
    setup = _Setup(inventory, options, _candidate_sites(inventory, policy.plan.candidate_sites),
                   params, split=len(inventory.services) > 2000, large=len(inventory.services) > LARGE_ESTATE,
                   overridden=_overridden(documents),
                   read=read_documents(documents))
    return Planner(setup, progress or (lambda done, total, what: None), max_audits)


def _overridden(documents: list[Document]) -> dict[tuple[str, str, str], str]:
    """The fields the inventory's files patch under `overrides:` ("dr.strategy" for a field of dr), each with
    the file that patches it."""
    found: dict[tuple[str, str, str], str] = {}
    for document in documents:
        root = document.root
        sections = root.get("overrides") if isinstance(root, dict) else None
        for section, entries in (sections.items() if isinstance(sections, dict) else ()):
            for name, patch in (entries.items() if isinstance(entries, dict) else ()):
                for field_name, value in (patch.items() if isinstance(patch, dict) else ()):
                    if field_name == "dr" and isinstance(value, dict):
                        found.update(((section, name, f"dr.{k}"), document.file) for k in value)
                    else:
                        found[(section, name, field_name)] = document.file
    return found


def _candidate_sites(inventory: Inventory, listed: dict[str, Site]) -> dict[str, Site]:
    """The policy's candidate sites, and, for each cloud provider the inventory places sites at, its other regions.
    A candidate the inventory defines as the policy does has been added (a plan's overlay kept): it is a site."""
    from ..errors import InputError, Problem

    clashes = [Problem(site.location, f"plan.candidate_sites: site {name!r} is already defined in the inventory, "
                                      "differently; expected a new site (a site the organisation could add), or the "
                                      "inventory's definition of it")
               for name, site in listed.items() if name in inventory.sites and _as_built(site) != _as_built(
                   inventory.sites[name])]
    if clashes:
        raise InputError(clashes)
    candidates = {name: site for name, site in listed.items() if name not in inventory.sites}
    used = {s.cloud_location for s in inventory.sites.values() if s.cloud_location}
    providers = {name.split(":", 1)[0]: next(s for s in inventory.sites.values() if s.cloud_location == name)
                 for name in sorted(used)}
    for region in catalogue().values():
        example = providers.get(region.provider)
        if example is None or region.name in used or region.name in inventory.sites or region.name in candidates:
            continue
        candidates[region.name] = Site(name=region.name, location=example.location, kind="cloud-region",
                                       coordinates=region.coordinates, cloud_location=region.name,
                                       operator=example.operator, region=region.name)
    return candidates


class Planner:
    """Searches the vocabulary of changes for a plan, asking the audit what each set of changes gives."""

    def __init__(self, setup: _Setup, progress: Progress, max_audits: int | None = None):
        self.setup = setup
        self.progress = progress
        self.max_audits = max_audits
        self.plan_settings = setup.options.policy.plan
        self.cache: dict[frozenset, Outcome] = {}
        self.audits = 0
        self.sources: dict[Change, set[str]] = {}  # each change -> the findings it was made for
        self.fits: dict[tuple, float | None] = {}  # (primary, site, for a backup, operator too) -> `_Vocabulary._fit`
        self._built: tuple[frozenset, Inventory | None] = (frozenset(), None)
        self.left_out: set[tuple[str, str, str]] = set()  # fields a change would patch that an override sets
        self._latest: Outcome | None = None

    # ---- what the audit says --------------------------------------------------------------------

    def start_from(self, audited: Report) -> None:
        """Takes the audit of the unchanged inventory, made already, instead of making it again."""
        self.cache[frozenset()] = self._latest = _outcome(audited)

    def outcome(self, changes: Iterable[Change], findings: bool = False) -> Outcome:
        """The audit of the inventory with these changes; `findings`: with the findings themselves."""
        chosen = frozenset(changes)
        cached = self.cache.get(chosen)
        if cached is None or findings and cached.findings is None:
            if self.max_audits is not None and self.audits >= self.max_audits:
                raise OverBudget(self.max_audits)
            report = audit(self.inventory_with(chosen), replace(self.setup.options, split_rules=self.setup.split))
            self.audits += 1
            cached = _outcome(report)
            if self.setup.large and self._latest is not None:  # large estates: one audit's findings at a time
                self._latest.findings = None
            self._latest = self.cache[chosen] = cached
            if self.setup.large:
                # drcheck runs without the cycle collector (cli.main): an audit's context and simulation are
                # cycles, and a plan makes tens of them
                del report
                gc.collect()
        return cached

    def inventory_with(self, changes: Iterable[Change]) -> Inventory:
        chosen = frozenset(changes)
        if not chosen:
            return self.setup.inventory
        if self._built[0] != chosen:  # the search asks for the inventory it has just audited
            text = overlay_text(self.setup.inventory, self.setup.candidates, list(chosen), self.setup.options.as_of)
            self._built = (chosen, build_inventory([parse(OVERLAY_NAME, text)], onto=self.setup.read))
        return self._built[1]

    def cost(self, changes: Iterable[Change]) -> tuple[float, float, float]:
        """(what the search minimises, monthly, one-off): a candidate site is paid once, however many use it."""
        changes = list(changes)
        monthly = sum(c.monthly for c in changes)
        monthly += sum(self.setup.candidates[s].monthly_cost or 0.0 for s in self._new_sites(changes))
        one_off = sum(c.one_off for c in changes)
        return monthly + one_off / self.plan_settings.amortise_months, monthly, one_off

    def _new_sites(self, changes: Iterable[Change]) -> list[str]:
        return sorted({c.site for c in changes if c.site in self.setup.candidates})

    # ---- the search -----------------------------------------------------------------------------

    def plan(self) -> PlanReport:
        before = self.outcome((), findings=True)
        if before.passed or before.errors:
            return self._report(before, [], [], before, priced=False)
        self.progress(0, 0, "finding the changes that could help")
        vocabulary = self.vocabulary(self.setup.inventory, before, self.sources)
        priced = any(c.priced for c in vocabulary) or any(
            self.setup.candidates[s].monthly_cost is not None for s in self._new_sites(vocabulary))
        key = self._objective(priced)
        if len(vocabulary) <= EXACT_LIMIT and not self._hopeless(vocabulary, before):
            chosen = self._exact(vocabulary, key)
            if not self.outcome(chosen).passed:  # the rounds reach changes the first vocabulary lacks (the
                # dependency that a new standby brings out): the closer of the two
                rounds = [c for g in self._prune([[c] for c in self._rounds()]) for c in g]
                chosen = rounds if self._better(self.outcome(rounds), self.outcome(chosen)) else chosen
            groups = [[c] for c in chosen]
        else:  # up to STEP_LIMIT changes a step is one change, above it every change of one kind
            chosen = self._rounds()
            groups = self._prune([[c] for c in chosen] if len(chosen) <= STEP_LIMIT else _by_kind(chosen))
        steps, chosen, after = self._steps(groups, before, by_audit=len(groups) <= ORDER_BY_AUDIT)
        return self._report(before, chosen, steps, after, priced)

    def notes(self, plan: PlanReport) -> list[str]:
        """What a user should know of what the plan could not consider."""
        notes = []
        by_file: dict[str, dict[str, list[str]]] = {}
        for section, name, field_name in sorted(self.left_out):
            file = self.setup.overridden[(section, name, field_name)]
            by_file.setdefault(file, {}).setdefault(field_name, []).append(name)
        for file, fields in by_file.items():
            what = "; ".join(f"{f} of {', '.join(names)}" for f, names in fields.items())
            notes.append(f"the plan leaves out changes to what {file} sets under overrides: ({what}): no file may "
                         "patch a field twice, so the plan cannot write such a change beside it")
        if not plan.passed_after and not plan.errors and not self.setup.options.policy.plan.candidate_sites:
            notes.append("the plan chose among the inventory's own sites (and other regions of the clouds it uses); "
                         "sites you could add, listed under plan.candidate_sites in the policy, may let it pass")
        return notes

    def _objective(self, priced: bool) -> Callable[[Iterable[Change]], tuple]:
        if priced:
            return lambda changes: (round(self.cost(changes)[0], 6), len(list(changes)))
        return lambda changes: (len(list(changes)), round(self.cost(changes)[0], 6))

    def _better(self, outcome: Outcome, than: Outcome) -> bool:
        """Closer to passing: the gate passes; else a higher score (the audit's own measure, weighted by severity
        and tier: a critical finding that becomes a high one is progress); else as high a score and fewer findings
        failing the gate."""
        return (outcome.passed, outcome.score, -len(outcome.blocking)) > (than.passed, than.score, -len(than.blocking))

    def _hopeless(self, vocabulary: list[Change], before: Outcome) -> bool:
        """A blocking finding that the whole vocabulary together leaves, and that no change was made for or no
        change alone clears (an operator's blast radius, when every site is that operator's): no subset is
        searched for a pass then (the closest plan is found as on larger estates).  The single changes are the
        first subsets the exact search would audit anyway."""
        stays = before.blocking & self.outcome(vocabulary).blocking
        made_for = set().union(*self.sources.values()) if self.sources else set()
        if stays - made_for:
            return True
        for change in vocabulary:
            stays &= self.outcome([change]).blocking
            if not stays:
                return False
        return bool(stays)

    def _exact(self, vocabulary: list[Change], key) -> list[Change]:
        """Every subset, cheapest first: the first that passes is the cheapest plan; if none does, the subset
        that comes closest (fewest blocking findings, then the highest score), cheapest among those."""
        subsets = [list(s) for n in range(len(vocabulary) + 1) for s in itertools.combinations(vocabulary, n)]
        subsets.sort(key=lambda s: (key(s), sorted(c.key for c in s)))
        best, best_outcome = [], self.outcome(())
        for done, subset in enumerate(subsets, 1):
            self.progress(done, len(subsets), "searching every set of changes")
            outcome = self.outcome(subset)
            if outcome.passed:
                return subset
            if self._better(outcome, best_outcome):
                best, best_outcome = subset, outcome
        return best

    def _ratio(self, gain: float, cost: float) -> float:
        return gain / cost if cost > 0 else gain * 1e12  # a free change that helps goes before any paid one

    def _rounds(self) -> list[Change]:
        """Cover what fails the gate with the changes made for it (most findings per unit of cost first), audit,
        and again with what the changes so far leave, for up to ROUNDS rounds: how larger estates are planned.  A
        round may leave the estate farther from passing (new standbys not yet drilled, or bringing out the
        dependencies that defeat them) and the next bring it closer: the closest point on the way is kept, and
        the search stops after two rounds in a row that do not get closer."""
        chosen: list[Change] = []
        current = best = self.outcome(chosen)
        best_chosen: list[Change] = []
        first: list[Change] = []  # the first round's changes
        stalled = False
        for round_number in range(ROUNDS):
            if current.passed:
                break
            self.progress(round_number, ROUNDS, "covering the findings that fail the gate")
            if chosen:
                sources: dict[Change, set[str]] = {}
                self.vocabulary(self.inventory_with(chosen), self.outcome(chosen, findings=True), sources)
            else:  # the vocabulary of the inventory as it is, made already
                sources = {c: set(covers) for c, covers in self.sources.items()}
            for change in chosen:
                sources.pop(change, None)
            for change, covers in sources.items():
                self.sources.setdefault(change, set()).update(covers)
            added = self._cover(sources, set(_targets(current)), set(self._new_sites(chosen)))
            if not added:
                break
            first = first or added
            chosen = [*chosen, *added]
            current = self.outcome(chosen)
            if self._better(current, best):
                best, best_chosen, stalled = current, chosen, False
            elif stalled:
                break
            else:
                stalled = True
        if not best_chosen:  # no round came closer as a whole: the kinds of change of the first that do
            for group in _by_kind(first):
                outcome = self.outcome([*best_chosen, *group])
                if self._better(outcome, best):
                    best, best_chosen = outcome, [*best_chosen, *group]
        return best_chosen

    def _cover(self, sources: dict[Change, set[str]], uncovered: set[str], paid: set[str]) -> list[Change]:
        """Greedy set cover, most findings per unit of cost first (lazily: a change's count only falls as others
        are taken, so one re-counted and still on top is the best)."""
        def extra(change: Change) -> float:
            site = change.site if change.site in self.setup.candidates and change.site not in paid else None
            return change.monthly + change.one_off / self.plan_settings.amortise_months + (
                (self.setup.candidates[site].monthly_cost or 0.0) if site else 0.0)

        order = {change: n for n, change in enumerate(sources)}
        heap = [(-self._ratio(len(covers & uncovered), extra(c)), order[c], c) for c, covers in sources.items()]
        heapq.heapify(heap)
        added = []
        while heap and uncovered:
            rank, n, change = heapq.heappop(heap)
            hits = len(sources[change] & uncovered)
            if not hits:
                continue
            fresh = -self._ratio(hits, extra(change))
            if fresh > rank:  # fewer hits, or its site was paid by another: put back with its true rank
                heapq.heappush(heap, (fresh, n, change))
                continue
            added.append(change)
            paid.update(self._new_sites([change]))
            uncovered -= sources[change]
        return added

    def _prune(self, groups: list[list[Change]]) -> list[list[Change]]:
        """Drop every group of changes the plan does without: the gate still passes without it (or, short of
        passing, the plan comes as close), the costliest tried first.  A drop can make a group kept before it
        unneeded, so those are tried again, until none can be dropped.  A group is one change, or on large
        estates every change of a kind."""
        flat = lambda kept: [c for g in kept for c in g]
        final = self.outcome(flat(groups))
        trying = sorted(groups, key=lambda g: (-self.cost(g)[0], sorted(c.key for c in g)))
        while trying:
            kept: list[list[Change]] = []
            again: list[list[Change]] = []  # kept before the latest drop
            for group in trying:
                self.progress(0, 0, "dropping changes the plan does not need")
                rest = [g for g in groups if g is not group]
                outcome = self.outcome(flat(rest))
                if outcome.passed if final.passed else not self._better(final, outcome):
                    groups, final, again = rest, outcome, list(kept)
                else:
                    kept.append(group)
            trying = again
        return groups

    def _steps(self, groups: list[list[Change]], before: Outcome, by_audit: bool
               ) -> tuple[list[PlanStep], list[Change], Outcome]:
        """The steps in order of score gained per unit of cost (each step's gain audited alone where there are
        few, else foreseen from the findings its changes were made for), each audited after the ones before it."""
        def rank(group: list[Change]) -> tuple:
            if by_audit:
                gain = self.outcome(group).score - before.score
            else:
                gain = len(set().union(*(self.sources.get(c, set()) for c in group)) & before.failing)
            return (-self._ratio(gain, self.cost(group)[0]), sorted(c.key for c in group))

        ordered = sorted(groups, key=rank)
        steps = []
        done: list[Change] = []
        current = before
        for group in ordered:
            self.progress(len(steps), len(groups), "verifying each step")
            paid = set(self._new_sites(done))
            done += group
            after = self.outcome(done)
            steps.append(self._step(group, paid, current, after))
            current = after
        return steps, done, current

    def _step(self, group: list[Change], paid: set[str], before: Outcome, after: Outcome) -> PlanStep:
        changes = []
        for change in group:
            new_sites = [name for name in self._new_sites([change]) if name not in paid]
            paid.update(new_sites)
            monthly, basis = change.monthly, change.basis
            for name in new_sites:
                site_cost = self.setup.candidates[name].monthly_cost
                monthly += site_cost or 0.0
                basis += f"; new site {name}: " + (
                    f"{format_amount(site_cost)}/month" if site_cost is not None else "unpriced")
            changes.append(PlanChange(kind=change.kind, subject=change.subject, site=change.site,
                                      strategy=change.strategy, new_sites=new_sites, monthly_cost=round(monthly, 2),
                                      one_off_cost=round(change.one_off, 2), basis=basis))
        return PlanStep(
            change=group[0].describe() if len(group) == 1 else _describe_many(group),
            changes=changes,
            monthly_cost=round(sum(c.monthly_cost for c in changes), 2),
            one_off_cost=round(sum(c.one_off_cost for c in changes), 2),
            basis=changes[0].basis if len(changes) == 1 else f"the sum of its {len(changes)} changes, each priced "
                                                             "in the JSON report",
            removes=sorted(before.failing - after.failing), adds=sorted(after.failing - before.failing),
            score_after=after.score, passed_after=after.passed)

    def _report(self, before: Outcome, chosen: list[Change], steps: list[PlanStep], after: Outcome,
                priced: bool) -> PlanReport:
        if after.findings is None:  # (large estates keep the latest audit's findings only)
            after = self.outcome(chosen, findings=True)
        _, monthly, one_off = self.cost(chosen)
        return PlanReport(
            objective="monthly cost" if priced else "changes", currency=self.setup.options.policy.currency,
            amortise_months=self.plan_settings.amortise_months,
            score_before=before.score, passed_before=before.passed, score_after=after.score,
            passed_after=after.passed, gate_after=after.gate, monthly_cost=round(monthly, 2),
            one_off_cost=round(one_off, 2), steps=steps,
            remaining=sorted((_remaining(after.findings[fp]) for fp in after.blocking),
                             key=lambda r: (SEVERITIES.index(r.severity), r.rule, r.subject)),
            overlay=overlay_text(self.setup.inventory, self.setup.candidates, chosen, self.setup.options.as_of),
            errors=before.errors or after.errors, changes=list(chosen), audits=self.audits)

    # ---- the vocabulary ---------------------------------------------------------------------------

    def vocabulary(self, inventory: Inventory, outcome: Outcome,
                   sources: dict[Change, set[str]] | None = None) -> list[Change]:
        """The changes that could clear the findings that stand in the way of the gate (every open failing
        finding when the score is what fails it); `sources` gets, for each change, the findings it was made for."""
        vocabulary = _Vocabulary(inventory, self.setup, self.plan_settings, self.fits)
        findings = outcome.findings or {}
        targets = {fp: findings[fp] for fp in _targets(outcome)}
        found: dict[Change, None] = {}
        overridden = self.setup.overridden
        for fingerprint, finding in sorted(targets.items(), key=lambda item: (item[1].rule, item[1].subject)):
            for change in vocabulary.for_finding(finding):
                patched = [(section, change.subject, f) for section, f in change.fields
                           if (section, change.subject, f) in overridden]
                if patched:  # a field the inventory's own overrides set: no file may patch it twice
                    self.left_out.update(patched)
                    continue
                found.setdefault(change)
                if sources is not None:
                    sources.setdefault(change, set()).add(fingerprint)
        return list(found)


_KINDS = ("standby", "strategy", "backup", "power", "network", "drill", "restore-test", "automatic")


def _outcome(report: Report) -> Outcome:
    threshold = SEVERITIES.index(report.fail_on)
    failing = {f.fingerprint: f for f in report.findings if f.status == "fail" and not f.waived and not f.baseline}
    blocking = frozenset(fp for fp, f in failing.items() if SEVERITIES.index(f.severity) <= threshold)
    return Outcome(report.score.value, report.passed, report.gate, frozenset(failing), blocking,
                   [f.message for f in report.errors], failing)


def _targets(outcome: Outcome) -> frozenset[str]:
    """The findings that stand in the way of the gate: every failing one when the score fails it, else those
    that fail it by their severity."""
    return outcome.failing if any(g.startswith("score ") for g in outcome.gate) else outcome.blocking


def _by_kind(changes: list[Change]) -> list[list[Change]]:
    return [group for kind in _KINDS if (group := [c for c in changes if c.kind == kind])]


def _describe_many(group: list[Change]) -> str:
    n, kind = f"{len(group):,}", group[0].kind
    return {"standby": f"add a standby of each of {n} services on another site",
            "strategy": f"run the standbys of {n} services on a strategy that meets their RTO and RPO",
            "backup": f"back up {n} services to another site",
            "power": f"add a second power feed to {n} sites",
            "network": f"add a second network carrier to {n} sites",
            "drill": f"drill the failover of {n} services",
            "restore-test": f"test a restore of the backups of {n} services",
            "automatic": f"make the failover of {n} active-active services automatic"}[kind]


def _remaining(finding: Finding) -> Remaining:
    return Remaining(fingerprint=finding.fingerprint, rule=finding.rule, severity=finding.severity,
                     subject=finding.subject, message=finding.message)


class _Vocabulary:
    """The changes that answer one finding, priced, on the inventory as it stands."""

    def __init__(self, inventory: Inventory, setup: _Setup, settings, fits: dict):
        self.fits = fits
        self.inventory = inventory
        self.setup = setup
        self.settings = settings
        self.params = setup.params
        self.all_sites = {**setup.candidates, **inventory.sites}
        self.ctx = Context(Inventory(None, [], self.all_sites, {}), setup.options.as_of)
        self._targets: dict[tuple[str, str], list[str]] = {}
        self._ops: list[Service] | None = None

    def param(self, rule: str, name: str, default=None):
        return (self.params.get(rule) or {}).get(name, default)

    def for_finding(self, finding: Finding) -> list[Change]:
        kind, _, name = finding.subject.partition(":")
        rule, evidence = finding.rule, finding.evidence
        service = self.inventory.services.get(name) if kind == "service" else None
        if rule in ("rto-infeasible", "rpo-infeasible") and service is not None:
            return self.strategy(service) if service.has_dr else self.standbys(service)
        if rule in _SITE_RULES and service is not None:
            changes = self.standbys(service)
            if rule == "dr-shares-utility":
                changes += self.feeds(service)
            return changes
        if rule == "recovery-tooling-colocated" and service is not None:
            changes = [c for tool in evidence.get("tooling_down", []) for c in self.standbys_of(tool)]
            if service.strategy == "active-active" and not service.automatic:
                changes.append(Change("automatic", service.name, basis="configuration only", priced=True))
            return changes
        if rule == "dr-depends-on-single-site":
            chains = [d.get("chain", []) for d in evidence.get("dependencies", [])] or [evidence.get("chain", [])]
            names = dict.fromkeys(n for chain in chains for n in chain[1:])
            # a dependency on a single site needs a standby; one with DR that cannot fail over, running tooling
            tools = dict.fromkeys(t for chain in chains if chain for t in self.tooling(chain[-1]))
            return [*(c for n in names for c in self.standbys_of(n, only_without_dr=True)),
                    *(c for t in tools for c in self.standbys_of(t, only_without_dr=False))]
        if rule in ("blast-radius", "single-site-concentration"):
            names = evidence.get("down") or evidence.get("services") or []
            changes = [c for n in names for c in self.standbys_of(n, only_without_dr=True)]
            if kind == "domain" and name.split("=", 1)[0] in ("power", "network"):
                changes += self.site_feeds(name.split("=", 1)[0], name.split("=", 1)[1])
            return changes
        if rule in _BACKUP_RULES and service is not None:
            return self.backups(service, finding)
        if rule == "restore-untested" and service is not None:
            return [self.priced_once(Change("restore-test", service.name), self.settings.restore_test, "test restore")]
        if rule == "dr-untested" and service is not None:
            return [self.priced_once(Change("drill", service.name), self.settings.drill, "failover drill")]
        return []

    # -- standbys

    def tooling(self, name: str) -> list[str]:
        """The services a service needs up to be failed over (its `recovery_needs`, as section 1 defaults them)."""
        service = self.inventory.services.get(name)
        if service is None or not service.has_dr:
            return []
        if service.recovery_needs is not None:
            return list(service.recovery_needs)
        if service.automatic:
            return []
        if self._ops is None:
            self._ops = [s for s in self.inventory.services.values() if s.kind == "ops"]
        return [s.name for s in self._ops if s.tier <= service.tier and s.name != name]

    def standbys_of(self, name: str, only_without_dr: bool = False) -> list[Change]:
        service = self.inventory.services.get(name)
        if service is None or not service.placements or service.kind == "external":
            return []
        if service.strategy == "active-active" or (
                only_without_dr and service.has_dr and service.effective_strategy not in (None, "none")):
            return []
        return self.standbys(service)

    def standbys(self, service: Service) -> list[Change]:
        if not service.placements:
            return []
        # Recovery tooling that waits as a standby needs the tooling to fail it over: itself and the other
        # tools, lost together.  A second running copy needs nobody.
        strategy = "active-active" if service.kind == "ops" else self.cheapest_strategy(service)
        if strategy is None:
            return []
        changes = []
        for site in self.targets(service, backup=False):
            change = Change("standby", service.name, site=site, strategy=strategy)
            changes.append(self.price_standby(service, change))
        return changes

    def cheapest_strategy(self, service: Service, backups_added: bool = False) -> str | None:
        """The cheapest strategy (by the plan's factors) whose achievable RTO and RPO meet the service's (with
        its `dr.replication`); at least as strong as the one it has."""
        factors = self.settings.strategy_factor
        rto_table = self.param("rto-infeasible", "achievable_rto", {})
        rpo_table = self.param("rpo-infeasible", "achievable_rpo", {})
        current = service.strategy if service.strategy in factors else None
        for strategy in sorted(_STANDBY_STRATEGIES, key=lambda s: (factors[s], _STANDBY_STRATEGIES.index(s))):
            if current is not None and factors[strategy] < factors[current]:
                continue
            if service.rto is not None and strategy in rto_table and parse_duration(rto_table[strategy]) > service.rto:
                continue
            if service.rpo is not None:
                if strategy == "backup-restore":
                    timed = [b.frequency for b in service.backups if b.frequency is not None]
                    if not timed or min(timed) > service.rpo:
                        continue
                elif service.replication != "synchronous" and strategy in rpo_table \
                        and parse_duration(rpo_table[strategy]) > service.rpo:
                    continue  # (synchronous replication loses nothing: its achievable RPO is 0)
            return strategy
        return None

    def price_standby(self, service: Service, change: Change) -> Change:
        factor = self.settings.strategy_factor[change.strategy]
        monthly, basis, priced = 0.0, "unpriced", False
        if service.monthly_cost is not None:
            monthly = factor * service.monthly_cost
            basis = f"{change.strategy}: {factor:g} × the service's {format_amount(service.monthly_cost)}/month"
            priced = True
        drill = self._needs_drill(service)
        one_off = self.settings.drill if drill else 0.0
        if drill:
            basis += f"; failover drill: {format_amount(self.settings.drill)} once"
            priced = priced or self.settings.drill > 0
        return replace(change, monthly=monthly, basis=basis, priced=priced, drill=drill, one_off=one_off)

    def _needs_drill(self, service: Service) -> bool:
        if "dr-untested" not in self.params or service.tier > self.param("dr-untested", "max_tier", 1):
            return False
        tested = service.last_tested
        return tested is None or (self.setup.options.as_of - tested).days > self.param("dr-untested", "max_age_days", 365)

    def strategy(self, service: Service) -> list[Change]:
        strategy = self.cheapest_strategy(service)
        if strategy is None or strategy == service.strategy:
            return self.standbys(service) if strategy is None else []
        standbys = sum(p.role == "standby" for p in service.placements) or 1
        factors = self.settings.strategy_factor
        old = factors.get(service.strategy, 0.0) if service.strategy else 0.0
        change = Change("strategy", service.name, strategy=strategy)
        if service.monthly_cost is None:
            return [change]
        extra = max(0.0, factors[strategy] - old)
        return [replace(change, monthly=extra * service.monthly_cost * standbys, priced=True,
                        basis=f"{strategy}: ({factors[strategy]:g} − {old:g}) × the service's "
                              f"{format_amount(service.monthly_cost)}/month × {standbys} standby(s)")]

    def targets(self, service: Service, backup: bool) -> list[str]:
        """The best existing site and the best candidate site for a standby (or a backup) of the service: the
        cheapest, then (for a backup) a vault before other kinds and an office last, then the nearest."""
        key = (service.name, "backup" if backup else "standby")
        found = self._targets.get(key)
        if found is None:
            primaries = [p.site for p in service.primaries] or service.sites
            taken = set(service.sites) if not backup else {b.site for b in service.backups} | set(primaries)
            ranked = []
            for name, site in self.all_sites.items():
                if name in taken or not backup and site.kind in _HOLDS_NO_STANDBY:
                    continue
                fit = self._fit(service, primaries, name, backup)
                if fit is not None:
                    new = name not in self.inventory.sites
                    price = site.monthly_cost if new else 0.0
                    kind = _BACKUP_KIND_ORDER.get(site.kind, 1) if backup else 0
                    ranked.append((new, price is None, price or 0.0, kind, fit, name))
            ranked.sort()
            existing = next((r[-1] for r in ranked if not r[0]), None)
            candidate = next((r[-1] for r in ranked if r[0]), None)
            found = [s for s in (existing, candidate) if s is not None]
            if not found:
                found = self._survivor(primaries, taken, backup)
            self._targets[key] = found
        return found

    def _survivor(self, primaries: list[str], taken: set[str], backup: bool) -> list[str]:
        """Where no site fits, the existing site whose standby (or backup) survives the most: the loss of a
        primary's site, building or campus, at least (a fire); then the fewest failure domains shared with the
        primaries, then the farthest.  It leaves lesser findings (too close, same region), which the plan names
        as what stays."""
        ranked = []
        for name, site in self.inventory.sites.items():
            if name in taken or not backup and site.kind in _HOLDS_NO_STANDBY:
                continue
            shared = [d for p in primaries for d in self.ctx.shared_domains(p, name)]
            if any(d.kind in ("site", "building", "campus") for d in shared):
                continue
            points = [(self.all_sites[p].coordinates, self.all_sites[name].coordinates) for p in primaries]
            nearest = min((great_circle_km(a, b) for a, b in points if a is not None and b is not None), default=0.0)
            ranked.append((len(shared), -nearest, name))
        return [min(ranked)[-1]] if ranked else []

    def _fit(self, service: Service, primaries: list[str], name: str, backup: bool) -> float | None:
        """None when the site shares a failure domain with a primary or is too near it; else how far it is
        from the nearest primary (nearer is better: latency), unknown distances last."""
        rule = "backup-colocated" if backup else "dr-site-too-close"
        # far enough for the distance rule, and outside the area disaster around each primary
        minimum = max(self.param(rule, "min_distance_km", 40.0), self.setup.options.policy.area_radius_km)
        operator_too = not backup and "provider-concentration" in self.params and service.tier <= self.param(
            "provider-concentration", "max_tier", 0)
        nearest = None
        for primary in primaries:
            key = (primary, name, backup, operator_too)
            if key not in self.fits:
                self.fits[key] = self._pair_fit(primary, name, minimum, operator_too)
            distance = self.fits[key]
            if distance is None:
                return None
            nearest = distance if nearest is None else min(nearest, distance)
        return nearest if nearest is not None else 1e9

    def _pair_fit(self, primary: str, name: str, minimum: float, operator_too: bool) -> float | None:
        """How far the site is from one primary, or None when it shares a failure domain with it or is too near."""
        shared = self.ctx.shared_domains(primary, name)
        for domain in shared:
            if domain.kind in ("site", "building", "campus", "region", "hazard") or (
                    domain.kind == "operator" and operator_too):
                return None
            if domain.kind in ("power", "network") and len(getattr(self.all_sites[primary], domain.kind)) == 1 \
                    and len(getattr(self.all_sites[name], domain.kind)) == 1:
                return None
        if self.ctx.same_named_region(primary, name):
            return None
        if self.ctx.within_km(primary, name, minimum):
            return None
        # the rank only needs the nearest, not the last metre: a great circle, not the (slow) geodesic
        a, b = self.all_sites[primary].coordinates, self.all_sites[name].coordinates
        return great_circle_km(a, b) if a is not None and b is not None else 1e9

    # -- backups, feeds, tests

    def backups(self, service: Service, finding: Finding) -> list[Change]:
        if not service.placements:
            return []
        changes = []
        for site in self.targets(service, backup=True):
            change = Change("backup", service.name, site=site)
            monthly, basis, priced = 0.0, "unpriced", False
            if service.monthly_cost is not None:
                share = self.settings.backup_monthly
                monthly, priced = share * service.monthly_cost, True
                basis = f"backup: {share:g} × the service's {format_amount(service.monthly_cost)}/month"
            test = "restore-untested" in self.params and service.tier <= self.param("restore-untested", "max_tier", 1)
            if test:
                basis += f"; test restore: {format_amount(self.settings.restore_test)} once"
                priced = priced or self.settings.restore_test > 0
            changes.append(replace(change, monthly=monthly, basis=basis, priced=priced, restore_test=test,
                                   one_off=self.settings.restore_test if test else 0.0))
        return changes

    def feeds(self, service: Service) -> list[Change]:
        return [c for p in service.primaries for kind in ("power", "network")
                if len(getattr(self.inventory.sites[p.site], kind)) == 1 for c in self._feed(kind, p.site)]

    def site_feeds(self, kind: str, value: str) -> list[Change]:
        return [c for name, site in self.inventory.sites.items() if getattr(site, kind) == [value]
                for c in self._feed(kind, name)]

    def _feed(self, kind: str, site: str) -> list[Change]:
        price = self.settings.power_feed_monthly if kind == "power" else self.settings.carrier_monthly
        what = "power feed" if kind == "power" else "carrier"
        if price is None:
            return [Change(kind, site, basis=f"{what}: unpriced (plan.{kind}_feed_monthly)" if kind == "power"
                           else f"{what}: unpriced (plan.carrier_monthly)")]
        return [Change(kind, site, monthly=price, priced=True, basis=f"{what}: {format_amount(price)}/month")]

    def priced_once(self, change: Change, amount: float, what: str) -> Change:
        return replace(change, one_off=amount, priced=amount > 0, basis=f"{what}: {format_amount(amount)} once")


# ---- the overlay ----------------------------------------------------------------------------------

def overlay_text(inventory: Inventory, candidates: dict[str, Site], changes: list[Change], as_of: date) -> str:
    """The YAML file that, read beside the inventory, makes these changes: the candidate sites they use under
    `sites:`, and the services and sites they change, whole fields at a time, under `overrides:`."""
    return yaml.dump(overlay(inventory, candidates, changes, as_of), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=1000, default_flow_style=None)


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: large overlays are written many times


def overlay(inventory: Inventory, candidates: dict[str, Site], changes: list[Change], as_of: date) -> dict:
    today = as_of.isoformat()
    services: dict[str, dict] = {}
    sites: dict[str, dict] = {}
    for change in sorted(changes, key=lambda c: (c.subject, c.kind, c.site or "")):
        if change.kind in ("power", "network"):
            site = inventory.sites[change.subject]
            feeds = sites.setdefault(change.subject, {}).setdefault(change.kind, list(getattr(site, change.kind)))
            feeds.append(f"{change.subject} {'feed' if change.kind == 'power' else 'carrier'} {len(feeds) + 1}")
            continue
        service = inventory.services[change.subject]
        patch = services.setdefault(change.subject, {})
        dr = patch.setdefault("dr", {})
        if change.kind == "standby":
            placements = patch.setdefault("placements", [_placement(p.site, p.role) for p in service.placements])
            active = change.strategy == "active-active"
            placements.append(_placement(change.site, "primary" if active else "standby"))
            dr["strategy"] = change.strategy
            if change.drill:
                dr["last_tested"] = today
        elif change.kind == "strategy":
            dr["strategy"] = change.strategy
            if change.strategy == "active-active":
                patch["placements"] = [_placement(p.site, "primary") for p in service.placements]
        elif change.kind == "backup":
            backups = patch.setdefault("backups", [_backup(b) for b in service.backups])
            frequency = min([service.rpo or 3600.0, 3600.0])
            media = {b.media for b in service.backups}
            backups.append({"site": change.site, "frequency": _duration(frequency),
                            "media": "object" if "object" not in media else "tape", "immutable": True,
                            **({"restore_tested": today} if change.restore_test else {})})
        elif change.kind == "restore-test":
            backups = patch.setdefault("backups", [_backup(b) for b in service.backups])
            for backup in backups:
                backup["restore_tested"] = today
        elif change.kind == "drill":
            dr["last_tested"] = today
        elif change.kind == "automatic":
            dr["automatic"] = True
        if not dr:
            del patch["dr"]
    document: dict = {"version": 1}
    new_sites = sorted({c.site for c in changes if c.site in candidates and c.site not in inventory.sites})
    if new_sites:
        document["sites"] = {name: _site(candidates[name]) for name in new_sites}
    if services or sites:
        document["overrides"] = {k: v for k, v in (("sites", sites), ("services", services)) if v}
    return document


def _placement(site: str, role: str) -> dict:
    return {"site": site, "role": role}


def _duration(seconds: float) -> str:
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds}s"


def _backup(backup) -> dict:
    out: dict = {"site": backup.site}
    if backup.frequency is not None:
        out["frequency"] = _duration(backup.frequency)
    if backup.media is not None:
        out["media"] = backup.media
    out["immutable"], out["offline"] = backup.immutable, backup.offline
    if backup.restore_tested is not None:
        out["restore_tested"] = backup.restore_tested.isoformat()
    return out


def _as_built(site: Site) -> dict:
    """What makes a site the site it is, as the overlay writes it (not its cost or description)."""
    return {k: v for k, v in _site(site).items() if k not in ("cost", "description")}


def _site(site: Site) -> dict:
    out: dict = {"kind": site.kind}
    if site.cloud_location is not None:
        out["location"] = site.cloud_location
    elif site.coordinates is not None:
        out["location"] = list(site.coordinates)
    for name in ("building", "campus", "operator", "region"):
        if getattr(site, name) is not None:
            out[name] = getattr(site, name)
    for name in ("power", "network", "hazards"):
        if getattr(site, name):
            out[name] = list(getattr(site, name))
    if site.monthly_cost is not None:
        out["cost"] = {"monthly": site.monthly_cost}
    if site.metadata.description:
        out["description"] = site.metadata.description
    return out
