"""Every condition form and test, from tests/cases/conditions.yaml, worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sli_rules import Engine

from .conftest import make_rulebook, outcomes_agree, region_of

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "conditions.yaml").read_text())
WORDS = {"true": True, "false": False, "unknown": None}


def _region(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    authorities: dict[str, dict[str, Any]] = {}
    for name, spec in CASES["region"].items():
        facts = {**spec["facts"], **case.get("facts", {}).get(name, {})}
        previous = {**spec.get("previous", {}), **case.get("previous", {}).get(name, {})}
        entry: dict[str, Any] = {"facts": facts, "previous": previous}
        if name in case.get("comparators", {}):
            entry["comparators"] = case["comparators"][name]
        authorities[name] = entry
    return authorities


@pytest.mark.parametrize("case", CASES["cases"], ids=[case["name"] for case in CASES["cases"]])
def test_condition(case: dict[str, Any], tmp_path: Path) -> None:
    trigger = {"id": "t", "title": "the condition", "sources": ["hand-built"], "when": case["when"]}
    engine = Engine(make_rulebook(tmp_path, {"outcomes": [trigger]}))
    region = region_of(_region(case))
    found = outcomes_agree(engine, region)
    names = [item.authority for item in region]
    got = {name: outcome[0] for name, outcome in zip(names, found, strict=True)}
    expected = {name: WORDS[str(value).lower()] for name, value in case["expect"].items()}
    assert got == expected

    # The assessment reports the same: true is a flag, unknown a gap, false neither.
    result = engine.assess(region)
    for name, outcome in expected.items():
        item = result[name]
        assert [flag.trigger for flag in item.flags] == (["t"] if outcome is True else [])
        assert [gap.trigger for gap in item.gaps] == (["t"] if outcome is None else [])
