"""Every condition form and test, from tests/cases/conditions.yaml, worked out by hand, through
every path that decides a condition: the reference interpreter (written over the model, not the
plan), durable-rules, the scalar and column evaluators, and the record explanations read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sli_rules import Engine
from sli_rules.assessment.derive import derive
from sli_rules.assessment.evaluate import Recorder
from sli_rules.facts import bind
from sli_rules.rules.logic import evaluate_column
from sli_rules.rules.plan import leaves, make_plan

from .conftest import make_rulebook, region_of
from .reference_interpreter import Reference

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "conditions.yaml").read_text())
WORDS = {"true": True, "false": False, "unknown": None}


def _region(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    authorities: dict[str, dict[str, Any]] = {}
    for name, spec in CASES["region"].items():
        facts = {**spec["facts"], **case.get("facts", {}).get(name, {})}
        previous = {**spec.get("previous", {}), **case.get("previous", {}).get(name, {})}
        entry: dict[str, Any] = {"facts": facts, "previous": previous}
        for more in ("counts", "history", "previous_counts", "history_counts"):
            given = {**spec.get(more, {}), **case.get(more, {}).get(name, {})}
            if given:
                entry[more] = given
        if name in case.get("comparators", {}):
            entry["comparators"] = case["comparators"][name]
        authorities[name] = entry
    return authorities


@pytest.mark.parametrize("case", CASES["cases"], ids=[case["name"] for case in CASES["cases"]])
def test_condition(case: dict[str, Any], tmp_path: Path) -> None:
    trigger = {"id": "t", "title": "the condition", "sources": ["hand-built"], "when": case["when"]}
    engine = Engine(make_rulebook(tmp_path, {"outcomes": [trigger]}))
    rulebook = engine.rulebook
    region = region_of(_region(case))
    bound = bind(region, rulebook)
    names = [item.authority for item in bound.authorities]
    expected = {name: WORDS[str(value).lower()] for name, value in case["expect"].items()}
    condition = rulebook.triggers[0].when

    # The reference interpreter agrees with the hand-worked outcomes...
    reference = Reference(rulebook, bound.authorities, bound.references)
    assert {item.authority: reference.decide(condition, item) for item in bound.authorities} == expected

    # ...and so does every evaluator.
    for backend in ("durable", "python"):
        found = engine.outcomes(region, backend=backend)
        assert dict(zip(names, (outcome[0] for outcome in found), strict=True)) == expected, backend
    plan = make_plan(rulebook)
    derived = derive(plan, rulebook, bound)
    columns = [list(column) for column in zip(*derived.rows, strict=True)]
    column = evaluate_column(plan.trees[0], plan.atoms, columns, len(names))
    assert dict(zip(names, column, strict=True)) == expected, "column"

    # The record explanations read holds each test's outcome as the reference decides it.
    recorder = Recorder(plan)
    for index, (item, row) in enumerate(zip(bound.authorities, derived.rows, strict=True)):
        record = recorder.record([expected[item.authority]], row, derived.parts[index])
        if expected[item.authority] is False:
            continue  # nothing to explain
        for test in leaves(condition):
            assert record.tests[plan.test_index[test]] == reference.decide(test, item), (item.authority, test)

    # The assessment reports the same: true is a flag, unknown a gap, false neither.
    result = engine.assess(region)
    for name, outcome in expected.items():
        item = result[name]
        assert [flag.trigger for flag in item.flags] == (["t"] if outcome is True else [])
        assert [gap.trigger for gap in item.gaps] == (["t"] if outcome is None else [])
