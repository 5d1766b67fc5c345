"""What the default rulebook claims on the real, published ASCOF file, checked against the file
itself: England is the yardstick of "poor", peers are not in difficulty under the heading they
would help with, verdicts that rest on ASCOF alone say so, and a problem that persists is
escalated (within limits). Each run is the real command line on the shared national file."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any

import pytest

import sli_rules

from .conftest import run_cli
from .test_real_data import ASCOF, assess_json, needs_ascof

POOR = {"ascof-worst-quartile", "ascof-below-comparators", "ascof-safety-outcomes"}
CAVEAT_WORDS = "ASCOF measures alone cannot be used to judge how effective an authority is"
YEARS = ("2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24")


@functools.cache
def _run(*arguments: str) -> dict[str, Any]:
    """One real run, kept for the module: a national run of seven years takes a while."""
    return assess_json(str(ASCOF), *arguments)


def _england() -> dict[tuple[str, str], float]:
    """England's published figure of each measure and year, read from the file by hand:
    (fact id, year) → value, the fact id through the catalogue's code of that year."""
    rulebook = sli_rules.load_rulebook()
    found: dict[tuple[str, str], float] = {}
    with ASCOF.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            # 2023-24 rows leave the disaggregation empty; earlier ones say Total.
            if row["Geographical Level"] != "England" or row["Disaggregation Level"] not in ("", "Total"):
                continue
            fact = rulebook.resolve(f"ascof.{row['Measure Group'].lower()}", row["Year"])
            if fact is not None and row["Measure_Value"] not in ("", "-"):
                found[(fact, row["Year"])] = float(row["Measure_Value"])
    return found


def _no_measure_better_than_england_is_poor(result: dict[str, Any]) -> int:
    """Every measure counted by a pattern of poor outcomes is worse than England's figure that
    year, by the measure's polarity; the number of measures checked."""
    rulebook = sli_rules.load_rulebook()
    england = _england()
    checked = 0
    for item in result["assessments"]:
        for flag in item["flags"]:
            if flag["trigger"] not in POOR:
                continue
            for fact, value in flag["values"].items():
                figure = england.get((fact, item["year"]))
                assert figure is not None, (fact, item["year"])  # the file gives England every year
                better = rulebook.measures[fact].better
                worse = value < figure if better == "higher" else value > figure
                assert worse, f"{item['authority']} {item['year']}: {fact} {value} is not worse than England's {figure}"
                checked += 1
    return checked


@needs_ascof
def test_no_measure_better_than_england_is_called_poor_in_the_north_west() -> None:
    result = _run("--region", "North West", "--year", "2023-24")
    assert _no_measure_better_than_england_is_poor(result) > 20


@needs_ascof
def test_no_measure_better_than_england_is_called_poor_anywhere_in_any_year() -> None:
    result = _run("--years", "all")
    assert {item["year"] for item in result["assessments"]} == set(YEARS)
    assert _no_measure_better_than_england_is_poor(result) > 1000


@needs_ascof
def test_city_of_london_is_not_poor_on_measures_above_england() -> None:
    # It was counted poor on 10 measures in 2023-24, three of them above England (self-directed
    # support 95.1 against 92.2, carers' 96.9 against 89.7, carers' direct payments 93.8
    # against 77.4): London's worst quarter is not poor where it is better than England.
    city = {item["authority"]: item for item in _run("--region", "London", "--year", "2023-24")["assessments"]}[
        "City of London"
    ]
    counted = {
        fact for flag in city["flags"] if flag["trigger"] in POOR for fact in flag["values"]
    }
    assert not counted & {"ascof.self_directed_support", "ascof.self_directed_support_carers", "ascof.direct_payments_carers"}
    assert "ascof-worst-quartile" not in {flag["trigger"] for flag in city["flags"]}


@needs_ascof
def test_one_survey_figure_is_not_a_pattern_of_poor_safety() -> None:
    # 2023-24 publishes one safety measure: Warrington's feel-safe figure alone (68.2 against
    # England's 71.1) made it "an emerging concern"; one figure is not a pattern.
    # Where the one figure is better than England it is not poor, and the trigger is cleared.
    result = {item["authority"]: item for item in _run("--region", "North West", "--year", "2023-24")["assessments"]}
    gaps = 0
    for item in result.values():
        assert "ascof-safety-outcomes" not in {flag["trigger"] for flag in item["flags"]}
        for gap in item["gaps"]:
            if gap["trigger"] == "ascof-safety-outcomes":
                assert any("fewer than the 2 the count needs" in why for why in gap["why"]), gap["why"]
                gaps += 1
    assert gaps >= 5
    assert "ascof-safety-outcomes" in {gap["trigger"] for gap in result["Warrington"]["gaps"]}
    assert result["Warrington"]["level"] == "insufficient_evidence"


def _peers_are_fit(result: dict[str, Any]) -> int:
    """Every peer suggested is fit for the concern it answers: no concern of its own under that
    heading (nor in its area), judged on at least half of the heading's concern triggers, and no
    concern there the year before (where the run holds it); the number of peers checked."""
    by_key = {(item["code"] or item["authority"], item["year"]): item for item in result["assessments"]}
    checked = 0
    for item in result["assessments"]:
        concerns = {flag["trigger"]: flag for flag in item["flags"] if flag["signal"] == "concern" and flag["counted"]}
        for peer in item["peers"]:
            concern = concerns[peer["answers"]]
            helper = by_key[(peer["code"] or peer["authority"], item["year"])]
            assert helper["tier"] == "self_help"
            own = [flag for flag in helper["flags"] if flag["signal"] == "concern"]
            assert not [flag for flag in own if flag["heading"] == concern["heading"]], (item["authority"], peer)
            assert not [flag for flag in own if concern["area"] and flag["area"] == concern["area"]], (item["authority"], peer)
            seen = helper["coverage"]["headings"][concern["heading"]]
            assert seen["judged"] * 2 >= seen["total"], (item["authority"], peer, seen)
            before = by_key.get((peer["code"] or peer["authority"], _year_before(item["year"])))
            if before is not None:
                assert not [
                    flag for flag in before["flags"]
                    if flag["signal"] == "concern" and flag["counted"]
                    and (flag["heading"] == concern["heading"] or (concern["area"] and flag["area"] == concern["area"]))
                ], (item["authority"], item["year"], peer)
            checked += 1
    return checked


def _year_before(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


@needs_ascof
@pytest.mark.parametrize("region", ["North West", "London", "South East"])
def test_no_peer_is_in_difficulty_under_the_heading_it_would_help_with(region: str) -> None:
    assert _peers_are_fit(_run("--region", region, "--years", "all")) > 0


@needs_ascof
def test_no_peer_is_in_difficulty_anywhere_in_any_year() -> None:
    assert _peers_are_fit(_run("--years", "all")) > 50


@needs_ascof
@pytest.mark.parametrize(
    ("region", "peer", "helped", "years"),
    [
        # Flagged for poor outcomes, offered for an outcomes concern through the fallback from
        # area to heading: never, in any year (poor the year before where not this year).
        ("London", "City of London", {"Brent", "Ealing", "Hammersmith and Fulham"}, YEARS),
        # Flagged itself in 2023-24 (in 2022-23, with no concern and judged on enough, it may be).
        ("South East", "Windsor and Maidenhead", {"Slough"}, ("2023-24",)),
        # Judged on 6% of its triggers.
        ("North West", "Cumberland", {"Manchester"}, YEARS),
    ],
)
def test_the_peers_the_issue_named_are_gone(region: str, peer: str, helped: set[str], years: tuple[str, ...]) -> None:
    result = _run("--region", region, "--years", "all")
    names = {item["authority"] for item in result["assessments"]}
    assert peer in names and helped <= names
    for item in result["assessments"]:
        if item["authority"] in helped and item["year"] in years:
            assert peer not in {found["authority"] for found in item["peers"]}, (item["authority"], item["year"])


@needs_ascof
def test_a_concern_and_a_strength_of_one_entry_are_told_and_the_strength_not_offered() -> None:
    result = _run("--region", "South East", "--year", "2023-24")
    by_name = {item["authority"]: item for item in result["assessments"]}
    windsor = by_name["Windsor and Maidenhead"]  # poor on some ASCOF measures, best on others
    triggers = {flag["trigger"] for flag in windsor["flags"]}
    assert {"ascof-worst-quartile", "ascof-best-quartile"} <= triggers
    assert any(reason.startswith("Mixed evidence from t2-01") for reason in windsor["reasons"])
    for item in result["assessments"]:
        assert "Windsor and Maidenhead" not in {peer["authority"] for peer in item["peers"]}


@needs_ascof
def test_verdicts_on_ascof_alone_carry_the_departments_caveat() -> None:
    rulebook = sli_rules.load_rulebook()
    result = _run("--years", "all")
    carried = 0
    for item in result["assessments"]:
        counted = [flag["trigger"] for flag in item["flags"] if flag["signal"] == "concern" and flag["counted"]]
        caveats = {caveat["id"]: caveat["text"] for caveat in item["caveats"]}
        if counted and all(trigger in rulebook.ascof_only for trigger in counted):
            assert CAVEAT_WORDS in caveats["ascof-alone"], item["authority"]
            assert "Department of Health and Social Care" in caveats["ascof-alone"]
            carried += 1
        else:
            assert "ascof-alone" not in caveats
    assert carried > 100


@needs_ascof
@pytest.mark.parametrize("output", ["text", "markdown", "html", "csv"])
def test_every_format_shows_the_caveat_and_the_run_says_it_once(output: str) -> None:
    completed = run_cli("assess", str(ASCOF), "--region", "North West", "--year", "2023-24", "--format", output)
    assert completed.returncode == 0, completed.stderr
    result = _run("--region", "North West", "--year", "2023-24")
    with_caveat = [item for item in result["assessments"] if item["caveats"]]
    assert with_caveat  # Manchester, Trafford, ... flagged on ASCOF alone
    if output == "csv":
        rows = [row for row in csv.reader(completed.stdout.splitlines()) if row[6] == "caveat"]
        assert {row[0] for row in rows} == {item["authority"] for item in with_caveat}
        assert all(row[7] == "ascof-alone" and CAVEAT_WORDS in row[11] for row in rows)
    else:
        # One per authority carrying it, and once for the run (every concern here is ASCOF's).
        assert completed.stdout.count(CAVEAT_WORDS) == len(with_caveat) + 1


@needs_ascof
def test_the_board_report_banner_says_the_run_rests_on_ascof(tmp_path: Path) -> None:
    report = tmp_path / "board.html"
    completed = run_cli("report", str(ASCOF), "--region", "North West", "--year", "2023-24", "-o", str(report))
    assert completed.returncode == 0, completed.stderr
    html = report.read_text(encoding="utf-8")
    banner = html[html.index('<section class="banner"'):html.index("</section>")]
    assert 'data-caveat="ascof-alone"' in banner and CAVEAT_WORDS in banner


@needs_ascof
def test_a_council_flagged_on_one_entry_every_year_reaches_targeted_support_and_no_more() -> None:
    result = _run("--region", "North West", "--years", "all")
    manchester = {item["year"]: item for item in result["assessments"] if item["authority"] == "Manchester"}
    assert set(manchester) == set(YEARS)
    for position, year in enumerate(YEARS):
        item = manchester[year]
        counted = {flag["trigger"] for flag in item["flags"] if flag["signal"] == "concern" and flag["counted"]}
        # Flagged every year on entry 1 alone (ASCOF), and nothing else.
        assert "ascof-worst-quartile" in counted
        assert {flag["entry"] for flag in item["flags"] if flag["signal"] == "concern" and flag["counted"]} == {"t2-01"}
        if position < 2:
            assert (item["level"], item["tier"]) == ("emerging_concerns", "self_help"), year
        else:  # the third year running and after
            assert (item["level"], item["tier"]) == ("concerns", "targeted_support"), year
            assert any("in each of the last 3 years" in reason for reason in item["reasons"]), item["reasons"]
    # Never more than targeted support on one entry, however long it persists, anywhere.
    every = _run("--years", "all")
    for item in every["assessments"]:
        entries = {flag["entry"] for flag in item["flags"] if flag["signal"] == "concern" and flag["counted"]}
        if len(entries) == 1:
            assert item["tier"] in ("self_help", "targeted_support")


@needs_ascof
def test_fac_is_not_applicable_after_the_care_act() -> None:
    result = _run("--region", "North West", "--year", "2023-24")
    for item in result["assessments"]:
        assert "fac-eligibility-raised" not in json.dumps(item["gaps"]) + json.dumps(item["flags"])
        # Ten resources triggers: FAC out of its span, and the care workforce's turnover (Oflog)
        # in its span, a gap without the Oflog file.
        assert item["coverage"]["headings"]["resources"]["total"] == 9
        assert any("fac-eligibility-raised (until 2014-15)" in reason for reason in item["reasons"])
