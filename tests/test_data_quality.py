"""Data quality: the catalogue's notes on a measure in one year, shown beside the flags that use
it; values of a national file outside their measure's plausible range left out as gaps that say
why, while a hand-written fact file keeps the error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sli_rules

from .conftest import REPO, make_rulebook, run_cli

EXAMPLE = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24"
ASCOF = Path("/work/shared/data/ascof/ascof-trend-2017-18-to-2023-24.csv")
if not ASCOF.exists():  # the shared data folder sits beside the repository
    ASCOF = REPO.parent / "shared" / "data" / "ascof" / ASCOF.name
needs_ascof = pytest.mark.skipif(not ASCOF.exists(), reason="the shared ASCOF file is not here")

PAUSED = (
    "Eleven months only: the monthly collection was paused in March 2020, so 2019-20 covers "
    "April 2019 to February 2020."
)


# --- year notes in the catalogue ---------------------------------------------------------------


def test_the_catalogue_notes_the_years_the_publisher_flags() -> None:
    measures = sli_rules.load_rulebook().measures
    assert measures["ascof.delayed_transfers"].note_in("2019-20") == PAUSED
    assert measures["ascof.delayed_transfers"].note_in("2018-19") is None
    assert "Voluntary survey year" in (measures["ascof.feel_safe"].note_in("2020-21") or "")
    assert "Mental Health Services Data Set" in (measures["ascof.mh_employment"].note_in("2021-22") or "")
    assert "New framework" in (measures["ascof.admissions_65_plus"].note_in("2023-24") or "")


def test_a_flag_carries_the_note_on_each_measure_it_uses_in_that_year() -> None:
    result = sli_rules.Engine(sli_rules.load_rulebook()).assess(sli_rules.load_facts(EXAMPLE, years="all"))
    noted = [
        (item, flag) for item in result for flag in item.flags if "ascof.delayed_transfers" in flag.values
    ]
    assert {item.year for item, _ in noted} >= {"2018-19", "2019-20"}
    for item, flag in noted:
        if item.year == "2019-20":
            assert flag.year_notes["ascof.delayed_transfers"] == PAUSED
        else:
            assert "ascof.delayed_transfers" not in flag.year_notes
        # Only the measures the flag used, and only where the catalogue has a note that year.
        assert set(flag.year_notes) <= set(flag.values)


@pytest.mark.parametrize(
    ("form", "wanted"),
    [
        ("json", '"ascof.delayed_transfers": "' + PAUSED + '"'),
        ("text", "    data note on ascof.delayed_transfers in 2019-20: " + PAUSED),
        ("markdown", "- Data note on ascof.delayed\\_transfers in 2019-20: " + PAUSED),
        ("html", "Data note, 2019-20: " + PAUSED),
    ],
)
def test_every_output_shows_the_note_beside_the_flag(form: str, wanted: str) -> None:
    extra = ["-v"] if form == "text" else []
    completed = run_cli("assess", str(EXAMPLE), "--year", "2019-20", "--format", form, *extra)
    assert completed.returncode == 0, completed.stderr
    assert wanted in completed.stdout
    if form == "json":
        flags = [flag for item in json.loads(completed.stdout)["assessments"] for flag in item["flags"]]
        assert any(flag["year_notes"].get("ascof.delayed_transfers") == PAUSED for flag in flags)


def test_bad_year_notes_are_located_errors(tmp_path: Path) -> None:
    make_rulebook(tmp_path / "r", {"outcomes": [{"id": "a", "title": "A", "sources": ["s"],
                                                 "when": {"fact": "x", "below": 1}}]})
    (tmp_path / "r" / "triggers" / "more.yaml").write_text(
        "kind: measures\nmeasures:\n  - id: m1\n    name: M1\n    since: 2014-15\n    until: 2019-20\n"
        "    year_notes:\n      2013-14: before it was published\n      2020-2021: a bad year\n"
        "      2021-22: after\n      2016-17: 5\n      2017-18: a good note\n",
        encoding="utf-8",
    )
    completed = run_cli("validate", "--rules", "r", cwd=tmp_path)
    assert completed.returncode == 1
    assert completed.stderr.splitlines()[:4] == [
        "r/triggers/more.yaml:8:16: a note for 2013-14, a year in which 'm1' is not published "
        "(it is published 2014-15 to 2019-20)",
        "r/triggers/more.yaml:9:18: year '2020-2021' is not like 2013-14",
        "r/triggers/more.yaml:10:16: a note for 2021-22, a year in which 'm1' is not published "
        "(it is published 2014-15 to 2019-20)",
        "r/triggers/more.yaml:11:16: the note for 2016-17 is text, got 5",
    ]
    (tmp_path / "r" / "triggers" / "more.yaml").write_text(
        "kind: measures\nmeasures:\n  - id: m1\n    name: M1\n    year_note: {2017-18: a typo}\n",
        encoding="utf-8",
    )
    typo = run_cli("validate", "--rules", "r", cwd=tmp_path)
    assert "more.yaml:5:5: unknown key 'year_note' (did you mean 'year_notes'?)" in typo.stderr


# --- implausible values in a national file -----------------------------------------------------


def _edited_copy(folder: Path) -> tuple[Path, int]:
    """The shared ASCOF file with Knowsley's 2019-20 "feel safe" (4A) set to 130%."""
    lines = ASCOF.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines):
        if line.startswith("2019-20,Knowsley,") and ",4A," in line:
            cells = line.split(",")
            cells[5] = "130"
            lines[number] = ",".join(cells)
            break
    else:
        raise AssertionError("Knowsley's 2019-20 4A row is not in the shared file")
    path = folder / "ascof-edited.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, number + 1


REASON = "ascof.feel_safe for 2019-20 is 130, outside its plausible range 0 to 100: left out"


@needs_ascof
def test_a_national_files_implausible_value_is_a_gap_that_says_why(tmp_path: Path) -> None:
    path, line = _edited_copy(tmp_path)
    completed = run_cli("assess", str(path), "--region", "North West", "--year", "2019-20", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    # One warning, at the cell, naming the code as the file gives it.
    assert completed.stderr.count(REASON) == 1
    assert f"ascof-edited.csv:{line}:" in completed.stderr and "(given as ascof.4a)" in completed.stderr
    knowsley = next(item for item in json.loads(completed.stdout)["assessments"] if item["authority"] == "Knowsley")
    # Each trigger left unjudged that reads the value names the reason: the trend, over years
    # of which this is the last.
    said = {gap["trigger"] for gap in knowsley["gaps"] if REASON in gap["why"]}
    assert "ascof-sustained-decline" in said
    assert all("ascof.feel_safe" in gap["missing"] for gap in knowsley["gaps"] if gap["trigger"] in said)
    # The value is out, not replaced: the safety trigger is judged on the measure that remains
    # ("services made them feel safe" is not in the worst quarter, so every-measure fails).
    assert "ascof-safety-outcomes" not in [gap["trigger"] for gap in knowsley["gaps"]]
    # The other councils are assessed as before, with no such reason.
    others = [item for item in json.loads(completed.stdout)["assessments"] if item["authority"] != "Knowsley"]
    assert len(others) == 22
    assert not any(REASON in gap["why"] for item in others for gap in item["gaps"])

    # Read as last year's value, it makes the change unknown with the same reason, said once.
    region = sli_rules.load_facts(path, region="North West", year="2020-21", rulebook=sli_rules.load_rulebook())
    knowsley_next = region["Knowsley"]
    assert "ascof.feel_safe" not in knowsley_next.previous
    assert knowsley_next.left_out == {"ascof.feel_safe": {"2019-20": REASON}}
    assert [str(problem) for problem in region.warnings].count(
        f"{path}:{line}:83: warning: {REASON} (given as ascof.4a)"
    ) == 1


def test_a_hand_written_implausible_value_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(
        "authority: Halton\nyear: 2019-20\nfacts:\n  ascof.feel_safe: 130\n", encoding="utf-8"
    )
    completed = run_cli("assess", "facts.yaml", cwd=tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr.startswith("facts.yaml:4:20: 'ascof.feel_safe': 130 is outside the measure's range [0, 100]")
