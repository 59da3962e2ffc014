"""One place for "what happens if this fails": `FailureQuestions`, which rules reach as `ctx.failures`."""
from __future__ import annotations

import re

from conftest import AS_OF, ROOT, SAMPLES
from drcheck import api
from drcheck.audit.run import load_inventory
from drcheck.failures.domains import Domain
from drcheck.rule_api.context import Context


def kakao_context() -> Context:
    return Context(load_inventory([str(SAMPLES / "kakao-2022.yaml")]), AS_OF)


def test_the_context_leaves_every_failure_question_to_the_failure_questions():
    ctx = kakao_context()
    assert isinstance(ctx.failures, api.FailureQuestions)
    assert ctx.domains is ctx.failures.domains
    assert ctx.graph is ctx.failures.graph
    assert ctx.dependency_cycles() == ctx.failures.dependency_cycles()


def test_a_single_failure_says_what_goes_down_heaviest_first_and_what_data_is_lost():
    failures = kakao_context().failures
    building = next(g for g in failures.single_failures if g.domain == Domain("building", "skcc-pangyo-bldg-a"))
    lost = failures.single_failure(building, listed=3)
    assert lost.impact == failures.impact_of(building) == 1.0
    assert lost.down_count == 15 and len(lost.down) == 3
    weights = {s.name: s.weight for s in failures.inventory.services.values()}
    assert [weights[name] for name in lost.down] == [max(weights.values())] * 3  # tier 0 first
    assert lost.data_lost == []  # every data service has a copy outside Pangyo


def test_defeated_dr_tells_the_chain_and_the_worst_scenario_in_the_domain_s_words():
    defeated = kakao_context().failures.defeated_dr("kakaotalk")
    assert defeated is not None
    worst = defeated.defeats[0]
    assert worst.chain == ("kakaotalk", "kakao-auth") and worst.root.kind == "placements"
    assert worst.scenarios.worst.domains[0] == Domain("building", "skcc-pangyo-bldg-a")


def test_the_built_in_rules_ask_questions_and_never_read_the_simulation_s_numbers():
    for path in sorted((ROOT / "rules").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\.simulation\b|scenario_of|\.impacts\[|\.down\[", source), path.name
