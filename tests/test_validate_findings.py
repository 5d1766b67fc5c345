"""What `validate` finds beyond errors: a rulebook that is valid but says what nobody meant
warns, each warning at its place (`--strict` fails on them, exit 1), and numbers out of their
bounds are errors. Each case through the real command line, with the exact lines printed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from .conftest import MENU, VERDICTS, make_rulebook, validate

PLAIN = [{"id": "low-x", "title": "Low x", "when": {"fact": "x", "below": 3}}]
# Enough other evidence for every level of the small policy to be reachable.
RESOURCES = [
    {"id": "high-y", "title": "High y", "when": {"fact": "y", "above": 3}},
    {"id": "high-z", "title": "High z", "when": {"fact": "z", "above": 3}},
]


def _findings(tmp_path: Path, triggers: list[dict[str, Any]] | None = None, *, verdicts: Any = None,
              menu: Any = None, strict: bool = True, resources: list[dict[str, Any]] = RESOURCES,
              ) -> tuple[int, list[str]]:
    headings = {"outcomes": triggers or PLAIN, "resources": resources}
    make_rulebook(tmp_path / "r", {h: items for h, items in headings.items() if items}, verdicts=verdicts, menu=menu)
    completed = validate(tmp_path, "--rules", "r", *(["--strict"] if strict else []))
    assert "Traceback" not in completed.stderr
    return completed.returncode, completed.stderr.splitlines()


def test_the_small_rulebook_has_nothing_to_say(tmp_path: Path) -> None:
    assert _findings(tmp_path) == (0, [])


def test_a_level_no_flag_can_reach_when_every_concern_is_gated(tmp_path: Path) -> None:
    gated = [
        {"id": "a", "title": "A", "only_with_other_concerns": True, "when": {"fact": "x", "below": 3}},
        {"id": "b", "title": "B", "entry": "e2", "only_with_other_concerns": True, "when": {"fact": "y", "below": 3}},
    ]
    why = ("its condition cannot hold (no concern can ever count: a concern with only_with_other_concerns counts "
           "only beside one without it from another entry)")
    assert _findings(tmp_path, gated, resources=[]) == (1, [
        f"r/triggers/in-the-round.yaml:3:7: warning: level 'serious' can never be reached: {why}",
        f"r/triggers/in-the-round.yaml:11:7: warning: level 'concerns' can never be reached: {why}",
        f"r/triggers/in-the-round.yaml:16:7: warning: level 'emerging' can never be reached: {why}",
        "0 errors, 3 warnings",
    ])


def test_one_ungated_concern_lets_a_gated_one_of_another_entry_count(tmp_path: Path) -> None:
    triggers = [
        {"id": "a", "title": "A", "when": {"fact": "x", "below": 3}},
        {"id": "b", "title": "B", "only_with_other_concerns": True, "when": {"fact": "y", "below": 3}},
    ]
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][0]["when"] = {"all": [{"concerns": {"at_least": 2}}, {"concern_entries": {"at_least": 2}}]}
    assert _findings(tmp_path, triggers, verdicts=verdicts, resources=[]) == (0, [])


@pytest.mark.parametrize(
    ("test", "line"),
    [
        ({"at_least": 0}, "r/triggers/in-the-round.yaml:15:17: warning: 'at_least' always holds on a number"
         " (from 0 up), so it tests nothing (give a bound that some authorities do not reach)"),
        ({"at_least": -0.5}, "r/triggers/in-the-round.yaml:15:17: warning: 'at_least' always holds on a number"
         " (from 0 up), so it tests nothing (give a bound that some authorities do not reach)"),
        ({"above": -1}, "r/triggers/in-the-round.yaml:15:14: warning: 'above' always holds on a number"
         " (from 0 up), so it tests nothing (give a bound that some authorities do not reach)"),
    ],
)
def test_a_verdict_count_that_always_holds(tmp_path: Path, test: dict[str, Any], line: str) -> None:
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"concerns": test}
    code, lines = _findings(tmp_path, verdicts=verdicts)
    assert code == 1
    assert line in lines, lines


def test_a_share_that_always_holds_in_a_count_and_in_coverage(tmp_path: Path) -> None:
    triggers = [{"id": "many", "title": "Many", "when": {
        "count": {"facts": ["x", "y"], "where": {"below": 3}}, "at_least": "0%"}}]
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"all": [{"concerns": {"at_least": 2}}, {"coverage": {"at_most": "100%"}}]}
    assert _findings(tmp_path, triggers, verdicts=verdicts) == (1, [
        "r/triggers/in-the-round.yaml:18:18: warning: 'at_most' always holds on a share (from 0 to 100%), so it "
        "tests nothing (give a bound that some authorities do not reach)",
        "r/triggers/outcomes.yaml:13:15: warning: 'at_least' always holds on a share (from 0 to 100%), so it "
        "tests nothing (give a bound that some authorities do not reach)",
        "0 errors, 2 warnings",
    ])


def test_a_share_or_count_that_can_fail_is_no_finding(tmp_path: Path) -> None:
    triggers = [{"id": "many", "title": "Many", "when": {
        "count": {"facts": ["x", "y"], "where": {"below": 3}}, "at_least": "1%"}}]
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"all": [{"concerns": {"at_least": 2}}, {"coverage": {"below": "100%"}}]}
    assert _findings(tmp_path, triggers, verdicts=verdicts) == (0, [])


def test_a_tier_with_no_options_and_an_intensive_tier_without_corroboration(tmp_path: Path) -> None:
    menu = copy.deepcopy(MENU)
    menu["tiers"][0]["options"] = []
    del menu["tiers"][2]["corroboration"]
    assert _findings(tmp_path, menu=menu) == (1, [
        "r/menus/support.yaml:19:12: warning: tier 'self_help' offers no support option (list the options an "
        "authority in this tier is offered)",
        "r/menus/support.yaml:27:7: warning: the most intensive tier 'intervention' does not require "
        "corroboration (add 'corroboration: required', so that no single piece of evidence can reach it)",
        "0 errors, 2 warnings",
    ])


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    menu = copy.deepcopy(MENU)
    menu["tiers"][0]["options"] = []
    code, lines = _findings(tmp_path, menu=menu, strict=False)
    assert code == 0
    assert "r/menus/support.yaml:19:12: warning: tier 'self_help' offers no support option (list the options an "\
        "authority in this tier is offered)" in lines


def test_a_fact_compared_with_itself(tmp_path: Path) -> None:
    triggers = [
        {"id": "self", "title": "Self", "when": {"fact": "x", "below": {"fact": "x"}}},
        {"id": "grew", "title": "Grew", "when": {"fact": "x", "change": "absolute", "above": {"fact": "x"}}},
    ]
    assert _findings(tmp_path, triggers) == (1, [
        "r/triggers/outcomes.yaml:9:13: warning: 'x' is compared with itself (compare it with another fact, a "
        "statistic, a figure or last year's value)",
        "0 errors, 1 warning",
    ])


@pytest.mark.parametrize("years", [0, 21, 100000000, True, 2.5])
def test_years_of_a_trend_are_1_to_20(tmp_path: Path, years: Any) -> None:
    triggers = [{"id": "worse", "title": "Worse", "when": {"fact": "x", "worsening": {"years": years}}}]
    code, lines = _findings(tmp_path, triggers)
    assert code == 1
    assert lines == [
        f"r/triggers/outcomes.yaml:9:14: 'worsening' takes {{years: N}}, N a whole number from 1 to 20, got "
        f"{{'years': {years!r}}} (a test of trend: {{years: N, significant: true}})",
        "1 error, 0 warnings",
    ]


@pytest.mark.parametrize("years", [0, 21, "3"])
def test_years_of_persistence_are_1_to_20(tmp_path: Path, years: Any) -> None:
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"persistent": {"at_least": 1}, "years": years}
    code, lines = _findings(tmp_path, verdicts=verdicts)
    assert code == 1
    assert lines == [
        f"r/triggers/in-the-round.yaml:16:12: years is a whole number from 1 to 20, got {years!r}",
        "1 error, 0 warnings",
    ]


def test_years_limit_only_persistence(tmp_path: Path) -> None:
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"concerns": {"at_least": 2}, "years": 2}
    code, lines = _findings(tmp_path, verdicts=verdicts)
    assert (code, lines) == (1, [
        "r/triggers/in-the-round.yaml:16:5: 'concerns' cannot be limited to a number of years",
        "1 error, 0 warnings",
    ])


@pytest.mark.parametrize(("share", "said"), [("101%", "a percentage is from 0% to 100%, got '101%'"),
                                             (1.5, "a share is from 0 to 1 (or 0% to 100%), got 1.5")])
def test_a_share_is_0_to_100_percent(tmp_path: Path, share: Any, said: str) -> None:
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"coverage": {"below": share}}
    assert _findings(tmp_path, verdicts=verdicts) == (1, [
        f"r/triggers/in-the-round.yaml:15:14: {said}",
        "1 error, 0 warnings",
    ])


def test_years_of_persistence_inside_the_test_and_not_twice(tmp_path: Path) -> None:
    verdicts = copy.deepcopy(VERDICTS)
    verdicts["levels"][1]["when"] = {"persistent": {"at_least": 1, "years": 0}}
    assert _findings(tmp_path, verdicts=verdicts) == (1, [
        "r/triggers/in-the-round.yaml:16:14: years is a whole number from 1 to 20, got 0",
        "1 error, 0 warnings",
    ])
    verdicts["levels"][1]["when"] = {"persistent": {"at_least": 1, "years": 2}, "years": 2}
    assert _findings(tmp_path, verdicts=verdicts) == (1, [
        "r/triggers/in-the-round.yaml:17:12: years is given twice (keep one)",
        "1 error, 0 warnings",
    ])
