"""The engine's promises: gating, corroboration, isolation, reload, threads."""

from __future__ import annotations

from pathlib import Path

import pytest

import sli_rules
from sli_rules import Engine, RulebookError

from .conftest import VERDICTS, make_rulebook, region_of

CONCERN_X = {"id": "x-low", "title": "x low", "sources": ["s"], "when": {"fact": "x", "below": 10}}
CONCERN_Y = {"id": "y-high", "title": "y high", "sources": ["s"], "when": {"fact": "y", "above": 10}}
GATED_FLAG = {
    "id": "flag-set",
    "title": "flag set",
    "sources": ["s"],
    "only_with_other_concerns": True,
    "when": {"fact": "flag", "equals": True},
}
GATED_CAT = {
    "id": "cat-critical",
    "title": "cat critical",
    "sources": ["s"],
    "only_with_other_concerns": True,
    "when": {"fact": "cat", "equals": "critical"},
}
EXCELLENT = {
    "id": "x-high",
    "title": "x high",
    "signal": "excellence",
    "sources": ["s"],
    "when": {"fact": "x", "above": 90},
}


def _gating_engine(tmp_path: Path) -> Engine:
    rules = {"outcomes": [CONCERN_X, EXCELLENT], "resources": [CONCERN_Y], "intelligence": [GATED_FLAG, GATED_CAT]}
    return Engine(make_rulebook(tmp_path, rules), check=True)


def test_a_gated_trigger_alone_is_reported_but_not_counted(tmp_path: Path) -> None:
    engine = _gating_engine(tmp_path)
    region = region_of({"A": {"facts": {"x": 50, "y": 5, "flag": True}}, "B": {"facts": {"x": 50, "y": 5}}})
    item = engine.assess(region)["A"]
    assert [(flag.trigger, flag.counted) for flag in item.flags] == [("flag-set", False)]
    assert item.level == "none"
    assert any("not counted" in reason for reason in item.reasons)


def test_two_gated_triggers_do_not_vouch_for_each_other(tmp_path: Path) -> None:
    engine = _gating_engine(tmp_path)
    region = region_of({"A": {"facts": {"x": 50, "y": 5, "flag": True, "cat": "critical"}}, "B": {"facts": {"x": 50}}})
    item = engine.assess(region)["A"]
    assert sorted((flag.trigger, flag.counted) for flag in item.flags) == [("cat-critical", False), ("flag-set", False)]
    assert item.level == "none"


def test_a_gated_trigger_counts_beside_another_concern(tmp_path: Path) -> None:
    engine = _gating_engine(tmp_path)
    region = region_of({"A": {"facts": {"x": 5, "y": 5, "flag": True}}, "B": {"facts": {"x": 50}}})
    item = engine.assess(region)["A"]
    assert sorted((flag.trigger, flag.counted) for flag in item.flags) == [("flag-set", True), ("x-low", True)]
    assert item.level == "concerns"  # two counted concerns
    assert item.tier == "targeted"


def test_excellence_is_reported_and_not_a_concern(tmp_path: Path) -> None:
    engine = _gating_engine(tmp_path)
    region = region_of({"A": {"facts": {"x": 95, "y": 5}}, "B": {"facts": {"x": 50}}})
    item = engine.assess(region)["A"]
    assert [(flag.trigger, flag.signal) for flag in item.flags] == [("x-high", "excellence")]
    assert item.level == "none"


def test_the_corroboration_invariant_rejects_a_policy_one_trigger_can_reach(tmp_path: Path) -> None:
    verdicts = {
        "kind": "verdicts",
        "levels": [
            {"id": "serious", "title": "Serious", "when": {"concerns": {"at_least": 1}}},
            {"id": "concerns", "title": "Concerns", "when": {"concerns": {"at_least": 2}}},
            {"id": "emerging", "title": "Emerging", "when": {"gaps": {"at_least": 100}}},
            {"id": "none", "title": "None"},
        ],
    }
    folder = make_rulebook(
        tmp_path, {"outcomes": [CONCERN_X, EXCELLENT], "intelligence": [GATED_FLAG]}, verdicts=verdicts
    )
    with pytest.raises(RulebookError) as raised:
        sli_rules.load_rulebook(folder)
    (problem,) = [found for found in raised.value.problems if found.severity == "error"]
    assert "entry 'x-low' (x-low;" in problem.message
    assert "reaches verdict 'serious' and tier 'intervention'" in problem.message
    assert "corroboration" in problem.message
    assert problem.path.endswith(".yaml") and problem.line >= 1 and problem.column >= 1


def test_the_corroboration_invariant_names_a_flagged_rule(tmp_path: Path) -> None:
    verdicts = {
        "kind": "verdicts",
        "levels": [
            {
                "id": "serious",
                "title": "Serious",
                "when": {"any": [{"flagged": "y-high"}, {"concerns": {"at_least": 3}}]},
            },
            *VERDICTS["levels"][1:],
        ],
    }
    folder = make_rulebook(tmp_path, {"outcomes": [CONCERN_X], "resources": [CONCERN_Y]}, verdicts=verdicts)
    with pytest.raises(RulebookError, match=r"entry 'y-high'.*reaches verdict 'serious'"):
        sli_rules.load_rulebook(folder)


def test_two_engines_with_the_same_trigger_ids_and_different_thresholds(tmp_path: Path) -> None:
    low = dict(CONCERN_X, when={"fact": "x", "below": 10})
    high = dict(CONCERN_X, when={"fact": "x", "below": 60})
    first = Engine(make_rulebook(tmp_path / "one", {"outcomes": [low]}))
    second = Engine(make_rulebook(tmp_path / "two", {"outcomes": [high]}))
    region = region_of({"A": {"facts": {"x": 50}}, "B": {"facts": {"x": 5}}})
    for _ in range(3):  # interleaved, repeatedly: neither engine sees the other's rules
        assert [len(item.flags) for item in first.assess(region)] == [0, 1]
        assert [len(item.flags) for item in second.assess(region)] == [1, 1]


def test_a_count_that_cannot_be_judged_says_why_once(tmp_path: Path) -> None:
    count = {"count": {"facts": {"group": "g"}, "where": {"worse_than": {"comparators": "mean"}}}, "at_least": 1}
    trigger = {"id": "below-peers", "title": "below peers", "sources": ["s"], "when": count}
    engine = Engine(make_rulebook(tmp_path, {"outcomes": [trigger]}), check=True)
    region = region_of({"A": {"facts": {"x": 5, "y": 5}}, "B": {"facts": {"x": 6}, "comparators": ["A"]}})
    result = engine.assess(region)
    (gap,) = result["A"].gaps
    assert gap.why == (
        "none of the 2 counted facts could be judged",
        "A has no comparator group: give one with --comparators FILE, or list 'comparators' in its fact set",
    )
    assert result["B"].gaps == ()  # B's group (B, A) decides x; y is unknown but x counts
