"""A trigger's span of years (`years: {from: ..., until: ...}`): outside it the trigger is not
applicable, neither flagged, cleared nor a gap, and not counted in coverage's total; a wrong
span is a located load error."""

from __future__ import annotations

import json
from pathlib import Path

import sli_rules
from sli_rules import Engine

from .conftest import make_rulebook, run_cli, write_yaml

X_LOW = {"id": "x-low", "title": "x low", "entry": "e1", "when": {"fact": "x", "below": 30}}
Y_HIGH = {
    "id": "y-high", "title": "y high", "entry": "e2", "years": {"from": "2012-13", "until": "2013-14"},
    "when": {"fact": "y", "above": 30},
}


def _region(tmp_path: Path) -> Path:
    """A, B and C in three years: y above 30 (the spanned trigger's test) for A every year, y
    missing for C every year."""
    documents = [
        {"authority": name, "year": year, "facts": facts}
        for year in ("2011-12", "2012-13", "2014-15")
        for name, facts in (("A", {"x": 50, "y": 40}), ("B", {"x": 50, "y": 10}), ("C", {"x": 50}))
    ]
    return write_yaml(tmp_path / "facts" / "region.yaml", documents)


def test_a_trigger_outside_its_span_is_neither_flagged_cleared_nor_a_gap(tmp_path: Path) -> None:
    engine = Engine(make_rulebook(tmp_path / "rules", {"outcomes": [X_LOW, Y_HIGH]}))
    result = {(item.authority, item.year): item for item in engine.assess(sli_rules.load_facts(_region(tmp_path), years="all"))}
    # In its span: flagged for A, cleared for B, a gap for C; two concern triggers in the total.
    assert [flag.trigger for flag in result[("A", "2012-13")].flags] == ["y-high"]
    assert result[("B", "2012-13")].flags == () and result[("B", "2012-13")].coverage.judged == 2
    assert [gap.trigger for gap in result[("C", "2012-13")].gaps] == ["y-high"]
    assert result[("A", "2012-13")].coverage.total == 2
    # Before and after it: not applicable, whatever the facts say, and out of the total.
    for year in ("2011-12", "2014-15"):
        a, b, c = (result[(name, year)] for name in "ABC")
        assert a.flags == () and a.level != result[("A", "2012-13")].level
        assert c.gaps == ()
        for item in (a, b, c):
            assert item.coverage.total == 1
            assert item.coverage.headings["outcomes"].total == 1
        assert b.coverage.judged == 1


def test_the_default_rulebook_ends_fac_eligibility_at_2014_15(default_rulebook: sli_rules.Rulebook) -> None:
    fac = default_rulebook.trigger("fac-eligibility-raised")
    assert fac.applies_in("2013-14") and fac.applies_in("2014-15")
    assert not fac.applies_in("2015-16") and not fac.applies_in("2023-24")
    assert fac.span == "until 2014-15"
    resources = sum(1 for t in default_rulebook.triggers if t.heading == "resources" and t.is_concern)
    assert default_rulebook.concern_totals_in("2013-14")["resources"] == resources
    assert default_rulebook.concern_totals_in("2023-24")["resources"] == resources - 1


def test_fac_is_judged_in_2013_14_on_the_example(default_engine: Engine, example_region: sli_rules.Region) -> None:
    cumbria = default_engine.assess(example_region)["Cumbria"]
    assert "fac-eligibility-raised" in {flag.trigger for flag in cumbria.flags}


def test_a_wrong_span_is_a_located_error_with_every_problem(tmp_path: Path) -> None:
    bad = [
        {**X_LOW, "years": {"from": "2014-15", "until": "2012-13"}},
        {**Y_HIGH, "id": "y-odd", "years": {"form": "2012-13", "until": "2013-15"}},
        {**Y_HIGH, "id": "y-list", "years": ["2012-13"]},
    ]
    rules = make_rulebook(tmp_path / "rules", {"outcomes": bad})
    completed = run_cli("validate", "--rules", str(rules), check_traceback=True)
    assert completed.returncode == 1, completed.stdout + completed.stderr  # validate's findings
    text = completed.stdout + completed.stderr
    assert "outcomes.yaml:" in text
    assert "years 'from' is after 'until'" in text
    assert "unknown key 'form' in years" in text and "did you mean 'from'" in text
    assert "year '2013-15' does not run into the next calendar year" in text
    assert "years takes {from: YEAR, until: YEAR}, got a list" in text
    assert "4 errors" in text
    # Each problem at its line and column.
    lines = [line for line in text.splitlines() if "years" in line or "2013-15" in line]
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines), lines


def test_the_json_result_of_a_year_out_of_span_has_no_trace_of_the_trigger(tmp_path: Path) -> None:
    rules = make_rulebook(tmp_path / "rules", {"outcomes": [X_LOW, Y_HIGH]})
    completed = run_cli("assess", str(_region(tmp_path)), "--rules", str(rules), "--years", "all", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    found = {(item["authority"], item["year"]): item for item in json.loads(completed.stdout)["assessments"]}
    late = found[("A", "2014-15")]
    assert "y-high" not in json.dumps(late["flags"]) + json.dumps(late["gaps"])
    assert late["coverage"]["total"] == 1
