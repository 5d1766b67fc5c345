"""Several years in one run: each authority-year judged against its own year, in order, so
that a concern flagged the year before too is marked, and counted by the policy's
`persistent`; last year's concerns can also come from outside the run (the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sli_rules
from sli_rules import Engine

from .conftest import make_rulebook, run_cli, write_yaml
from .test_real_data import ASCOF, needs_ascof

X_LOW = {"id": "x-low", "title": "x low", "entry": "e1", "when": {"fact": "x", "below": 30}}
Y_HIGH = {"id": "y-high", "title": "y high", "entry": "e2", "when": {"fact": "y", "above": 30}}
VERDICTS = {
    "kind": "verdicts",
    "levels": [
        {"id": "persisting", "title": "Persisting", "when": {"persistent": {"at_least": 1}}},
        {"id": "emerging", "title": "Emerging", "when": {"concerns": {"at_least": 1}}},
        {"id": "none", "title": "None"},
    ],
}
MENU = {
    "kind": "menu",
    "options": [{"id": "help", "title": "Help"}],
    "tiers": [
        {"id": "self_help", "title": "Self help", "verdicts": ["none", "emerging"], "options": ["help"]},
        {"id": "targeted", "title": "Targeted", "verdicts": ["persisting"], "options": ["help"]},
    ],
}


def _two_years(tmp_path: Path) -> Path:
    return write_yaml(
        tmp_path / "facts" / "region.yaml",
        [
            {"authority": "A", "year": "2012-13", "facts": {"x": 10, "y": 10}},
            {"authority": "A", "year": "2013-14", "facts": {"x": 10, "y": 10}},
            {"authority": "B", "year": "2012-13", "facts": {"x": 50, "y": 10}},
            {"authority": "B", "year": "2013-14", "facts": {"x": 10, "y": 10}},
        ],
    )


def _by_year(result: sli_rules.RegionAssessment) -> dict[tuple[str, str], Any]:
    return {(item.authority, item.year): item for item in result}


def test_a_concern_flagged_two_years_running_is_persistent(tmp_path: Path) -> None:
    engine = Engine(make_rulebook(tmp_path / "rules", {"outcomes": [X_LOW, Y_HIGH]}, verdicts=VERDICTS, menu=MENU))
    result = _by_year(engine.assess(sli_rules.load_facts(_two_years(tmp_path), years="all")))
    assert len(result) == 4
    first, second = result[("A", "2012-13")], result[("A", "2013-14")]
    assert first.level == "emerging" and [flag.last_year for flag in first.flags] == [None]
    assert second.level == "persisting" and second.tier == "targeted"
    assert [flag.last_year for flag in second.flags] == [True]
    assert any("counted concerns also flagged the year before ≥ 1 (found 1)" in reason for reason in second.reasons)
    fresh = result[("B", "2013-14")]  # flagged this year only
    assert fresh.level == "emerging" and [flag.last_year for flag in fresh.flags] == [False]


def test_last_year_can_come_from_outside_the_run(tmp_path: Path) -> None:
    engine = Engine(make_rulebook(tmp_path / "rules", {"outcomes": [X_LOW, Y_HIGH]}, verdicts=VERDICTS, menu=MENU))
    region = sli_rules.load_facts(_two_years(tmp_path), year="2013-14")
    alone = _by_year(engine.assess(region))
    assert alone[("A", "2013-14")].level == "emerging"
    assert [flag.last_year for flag in alone[("A", "2013-14")].flags] == [None]  # not known
    told = _by_year(engine.assess(region, last_year={"A": {"x-low"}, "B": set()}))
    assert told[("A", "2013-14")].level == "persisting"
    assert told[("B", "2013-14")].level == "emerging"
    assert [flag.last_year for flag in told[("B", "2013-14")].flags] == [False]


@needs_ascof
def test_seven_years_of_the_north_west_with_persistent_concerns_marked() -> None:
    completed = run_cli("assess", str(ASCOF), "--region", "North West", "--years", "all", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    data: dict[str, Any] = json.loads(completed.stdout)
    items = data["assessments"]
    years = sorted({item["year"] for item in items})
    assert years == ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
    assert len(items) == 23 * 6 + 24  # Cumbria until 2022-23; Cumberland, Westmorland and Furness after
    counted = {
        (item["code"], item["year"]): {f["trigger"] for f in item["flags"] if f["signal"] == "concern" and f["counted"]}
        for item in items
    }
    marked = 0
    for item in items:
        before = counted.get((item["code"], f"{int(item['year'][:4]) - 1}-{item['year'][2:4]}"))
        for flag in item["flags"]:
            if flag["signal"] != "concern":
                continue
            if before is None:
                assert flag["last_year"] is None, (item["authority"], item["year"])
            else:
                assert flag["last_year"] == (flag["trigger"] in before), (item["authority"], item["year"])
                marked += flag["last_year"]
    assert marked >= 5
    text = run_cli("assess", str(ASCOF), "--region", "North West", "--years", "all").stdout
    assert "Tameside over the years: 2017-18 " in text
    assert "(persistent: A pattern of poor ASCOF outcomes across the framework)" in text
