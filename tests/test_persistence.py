"""`persistent` with `years: N`: the entries with a counted concern this year and in each of the
N-1 years before, from the run's earlier years or from the years given (the final views on
record); checked where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sli_rules
from sli_rules import Engine

from .conftest import make_rulebook, run_cli, write_yaml

# Two triggers of one entry (e1) and one of another (e2).
X_LOW = {"id": "x-low", "title": "x low", "entry": "e1", "when": {"fact": "x", "below": 30}}
X_VERY_LOW = {"id": "x-very-low", "title": "x very low", "entry": "e1", "when": {"fact": "x", "below": 5}}
Y_HIGH = {"id": "y-high", "title": "y high", "entry": "e2", "when": {"fact": "y", "above": 30}}
MENU = {
    "kind": "menu",
    "options": [{"id": "help", "title": "Help"}],
    "tiers": [
        {"id": "self_help", "title": "Self help", "verdicts": ["none", "emerging"], "options": ["help"]},
        {"id": "targeted", "title": "Targeted", "verdicts": ["persisting"], "options": ["help"]},
    ],
}


def _verdicts(persistent: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "verdicts",
        "levels": [
            {"id": "persisting", "title": "Persisting", "when": persistent},
            {"id": "emerging", "title": "Emerging", "when": {"concerns": {"at_least": 1}}},
            {"id": "none", "title": "None"},
        ],
    }


def _engine(tmp_path: Path, persistent: dict[str, Any]) -> Engine:
    rules = make_rulebook(
        tmp_path / "rules", {"outcomes": [X_LOW, X_VERY_LOW, Y_HIGH]}, verdicts=_verdicts(persistent), menu=MENU
    )
    return Engine(rules)


def _years(tmp_path: Path, xs: dict[str, list[float]]) -> sli_rules.Region:
    """Each authority's x in 2011-12 .. 2014-15 (y always 10)."""
    years = ("2011-12", "2012-13", "2013-14", "2014-15")
    documents = [
        {"authority": name, "year": year, "facts": {"x": x, "y": 10}}
        for name, values in xs.items()
        for year, x in zip(years, values, strict=True)
    ]
    return sli_rules.load_facts(write_yaml(tmp_path / "facts" / "region.yaml", documents), years="all")


def test_an_entry_flagged_three_years_running_persists_over_three_years(tmp_path: Path) -> None:
    engine = _engine(tmp_path, {"persistent": {"at_least": 1}, "years": 3})
    region = _years(tmp_path, {
        "A": [10, 10, 10, 10],  # e1 every year
        "B": [10, 50, 10, 10],  # a break in 2012-13
    })
    levels = {(item.authority, item.year): item.level for item in engine.assess(region)}
    assert [levels[("A", year)] for year in ("2011-12", "2012-13", "2013-14", "2014-15")] == [
        "emerging", "emerging", "persisting", "persisting",
    ]
    assert [levels[("B", year)] for year in ("2013-14", "2014-15")] == ["emerging", "emerging"]


def test_years_may_be_written_inside_the_test_or_beside_it(tmp_path: Path) -> None:
    region = _years(tmp_path, {"A": [10, 10, 10, 10]})
    beside = _engine(tmp_path / "beside", {"persistent": {"at_least": 1}, "years": 4}).assess(region)
    inside = _engine(tmp_path / "inside", {"persistent": {"at_least": 1, "years": 4}}).assess(region)
    assert [item.level for item in beside] == [item.level for item in inside] == [
        "emerging", "emerging", "emerging", "persisting",
    ]
    assert "in each of the last 4 years ≥ 1 (found 1)" in next(iter(reversed(inside.assessments))).reasons[0]


def test_the_years_before_can_come_from_the_record(tmp_path: Path) -> None:
    engine = _engine(tmp_path, {"persistent": {"at_least": 1}, "years": 3})
    one_year = sli_rules.load_facts(
        write_yaml(tmp_path / "one.yaml", [{"authority": "A", "year": "2014-15", "facts": {"x": 10, "y": 10}}])
    )
    # Last year by a sibling trigger, the year before by this one: entry e1 both years.
    found = engine.assess(one_year, years_before={"A": [["x-very-low"], ["x-low"]]})
    assert found["A"].level == "persisting"
    assert engine.assess(one_year, years_before={"A": [["x-low"], ["y-high"]]})["A"].level == "emerging"
    assert engine.assess(one_year, years_before={"A": [["x-low"]]})["A"].level == "emerging"
    # Without them, nothing is known of the years before: 0, as the contract says.
    assert engine.assess(one_year)["A"].level == "emerging"
    # The first year given stands for last_year too (the flag says it was flagged last year).
    assert [flag.last_year for flag in found["A"].flags] == [False]


def test_years_out_of_bounds_is_an_error_at_its_place(tmp_path: Path) -> None:
    for persistent, where in (
        ({"persistent": {"at_least": 1}, "years": 0}, "years is a whole number from 1 to 20, got 0"),
        ({"persistent": {"at_least": 1, "years": 21}}, "years is a whole number from 1 to 20, got 21"),
        ({"persistent": {"at_least": 1, "years": 2}, "years": 3}, "years is given twice"),
        ({"concerns": {"at_least": 1}, "years": 3}, "'concerns' cannot be limited to a number of years"),
    ):
        rules = make_rulebook(tmp_path / str(len(where)), {"outcomes": [X_LOW]}, verdicts=_verdicts(persistent), menu=MENU)
        completed = run_cli("validate", "--rules", str(rules))
        assert completed.returncode in (1, 2), completed.stdout
        lines = [line for line in completed.stderr.splitlines() if "in-the-round.yaml:" in line]
        assert any(where in line for line in lines), completed.stderr
        assert all(line.split(":")[1].isdigit() for line in lines)
