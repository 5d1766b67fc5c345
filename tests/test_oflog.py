"""Oflog's adult social care metrics, the second public source: read by region from the file's
own Region column, ASC1 to ASC5 agreeing with the ASCOF file, ASC7 (the care workforce's
turnover) read by Table 2 entry 8 against England's councils of the same type."""

from __future__ import annotations

import csv
import json
import re
import statistics
from pathlib import Path
from typing import Any

import pytest

import sli_rules

from .conftest import REPO, run_cli

SHARED = REPO.parent / "shared" / "data"
OFLOG = SHARED / "oflog" / "oflog-asc-metrics-2015-16-to-2022-23.csv"
ASCOF = SHARED / "ascof" / "ascof-trend-2017-18-to-2023-24.csv"
EXAMPLE = REPO / "examples" / "north-west-oflog-2015-16-to-2022-23"
ASCOF_EXAMPLE = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24"
needs_files = pytest.mark.skipif(not (OFLOG.exists() and ASCOF.exists()), reason="the shared data files are not here")


def oflog_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def assess_json(*arguments: str) -> dict[str, Any]:
    completed = run_cli("assess", *arguments, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


@needs_files
def test_the_region_is_read_from_the_file_and_turnover_is_the_published_figure() -> None:
    region = sli_rules.load_facts(OFLOG, region="North West", year="2022-23", rulebook=sli_rules.load_rulebook())
    expected = {
        row["Local authority code"]: float(row["Value"])
        for row in oflog_rows(OFLOG)
        if row["Region"] == "North West" and row["Financial year"] == "2022-23" and row["Code"] == "ASC7"
    }
    assert len(expected) == 23
    found = {authority.code: authority.facts["workforce.care_turnover_pct"] for authority in region.authorities}
    assert found == expected


@needs_files
def test_the_ascof_metrics_agree_with_the_ascof_file_given_beside_it() -> None:
    rulebook = sli_rules.load_rulebook()
    both = sli_rules.load_facts(ASCOF, OFLOG, region="North West", year="2022-23", rulebook=rulebook)
    ascof_alone = sli_rules.load_facts(ASCOF, region="North West", year="2022-23", rulebook=rulebook)
    alone = {authority.code: authority.facts for authority in ascof_alone.authorities}
    for authority in both.authorities:
        for fact in ("ascof.short_term_outcome", "ascof.quality_of_life_impact", "ascof.information_easy_users"):
            if fact in alone[authority.code]:
                assert authority.facts[fact] == alone[authority.code][fact]


@needs_files
def test_a_metric_that_disagrees_with_ascof_is_an_error_naming_both_places(tmp_path: Path) -> None:
    rows = oflog_rows(OFLOG)
    changed = next(
        index for index, row in enumerate(rows)
        if row["Code"] == "ASC5" and row["Local authority name"] == "Bolton" and row["Financial year"] == "2022-23"
    )
    rows[changed]["Value"] = str(float(rows[changed]["Value"]) + 1)
    tampered = tmp_path / "oflog.csv"
    with tampered.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    completed = run_cli("assess", str(ASCOF), str(tampered), "--region", "North West", "--year", "2022-23")
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    line = changed + 2  # the header is line 1
    value = float(rows[changed]["Value"])
    assert re.search(
        rf"oflog\.csv:{line}:\d+: 'ascof\.2d' for Bolton 2022-23 is {value} here but {value - 1} at "
        r"\S*ascof-trend-2017-18-to-2023-24\.csv:\d+:\d+",
        completed.stderr,
    ), completed.stderr


@needs_files
def test_the_two_public_files_judge_two_headings_for_every_north_west_council() -> None:
    result = assess_json(str(ASCOF), str(OFLOG), "--region", "North West", "--year", "2022-23")
    assert len(result["assessments"]) == 23
    for item in result["assessments"]:
        judged = {name for name, heading in item["coverage"]["headings"].items() if heading["judged"]}
        assert judged == {"outcomes", "resources"}, item["authority"]
    # On ASCOF alone Resources is judged only through the admissions trigger, and only where a
    # rise is flagged (clearing it needs the council's own word that the rise is explained);
    # Oflog adds the care workforce's turnover for every council.
    ascof_only = {item["authority"]: item for item in assess_json(str(ASCOF), "--region", "North West", "--year", "2022-23")["assessments"]}
    assert any(not item["coverage"]["headings"]["resources"]["judged"] for item in ascof_only.values())
    for item in result["assessments"]:
        before = ascof_only[item["authority"]]["coverage"]["headings"]["resources"]["judged"]
        assert item["coverage"]["headings"]["resources"]["judged"] == before + 1, item["authority"]


@needs_files
def test_turnover_is_flagged_against_englands_councils_of_the_same_type_counted_by_hand() -> None:
    rows = [row for row in oflog_rows(OFLOG) if row["Code"] == "ASC7" and row["Financial year"] == "2022-23" and row["Value"]]
    by_type: dict[str, list[float]] = {}
    for row in rows:
        by_type.setdefault(row["Local authority code"][:3], []).append(float(row["Value"]))
    upper = {prefix: statistics.quantiles(values, n=4, method="inclusive")[2] for prefix, values in by_type.items()}
    expected = {
        row["Local authority name"].replace("St. Helens", "St Helens")
        for row in rows
        if row["Region"] == "North West" and float(row["Value"]) > upper[row["Local authority code"][:3]] + 5
    }
    assert expected  # the North West has councils well above England's upper quartile
    result = assess_json(str(OFLOG), "--region", "North West", "--year", "2022-23")
    flagged = set()
    for item in result["assessments"]:
        for flag in item["flags"]:
            if flag["trigger"] == "care-workforce-turnover":
                assert flag["entry"] == "t2-08"
                assert flag["basis"] == "interpretation"
                flagged.add(item["authority"].replace("St. Helens", "St Helens"))
    assert flagged == expected


@needs_files
def test_the_shipped_example_gives_the_verdicts_of_the_national_file() -> None:
    national = assess_json(str(ASCOF), str(OFLOG), "--region", "North West", "--year", "2022-23")
    example = assess_json(str(ASCOF_EXAMPLE), str(EXAMPLE), "--region", "North West", "--year", "2022-23")
    assert [(item["authority"], item["level"], [flag["trigger"] for flag in item["flags"]]) for item in example["assessments"]] == [
        (item["authority"], item["level"], [flag["trigger"] for flag in item["flags"]]) for item in national["assessments"]
    ]


def test_a_year_oflog_has_not_published_reads_its_earlier_years_as_history() -> None:
    completed = run_cli(
        "assess", str(ASCOF_EXAMPLE), str(EXAMPLE), "--region", "North West", "--year", "2023-24", "--format", "json"
    )
    assert completed.returncode == 0, completed.stderr
    assert "warning: the Oflog file has no figures for 2023-24" in completed.stderr
    assert "its earlier years are read as history" in completed.stderr
    assert len(json.loads(completed.stdout)["assessments"]) == 24


def test_bad_rows_are_reported_at_their_places_every_one(tmp_path: Path) -> None:
    header = "Financial year,Local authority code,Local authority name,Grouping,Entity_Name,Region,Measure,Code,Value,MEDIAN,MADs_from_median,rank_order"
    bad = tmp_path / "oflog.csv"
    bad.write_text(
        "\n".join([
            header,
            "2022-23,E08000001,Bolton,LA_Raw,Metropolitan Districts,North West,\"Outcome, x\",ASC9,1,1,0,None",
            "2022/23,E08000001,Bolton,LA_Raw,Metropolitan Districts,North West,\"Outcome, x\",ASC7,20,28,0,None",
            "2022-23,X08000001,Bolton,LA_Raw,Metropolitan Districts,North West,\"Outcome, x\",ASC7,20,28,0,None",
            "2022-23,E08000001,Bolton,LA_Raw,Metropolitan Districts,North West,\"Outcome, x\",ASC7,lots,28,0,None",
            "2022-23,E08000001,Bolton,LA_Raw,Metropolitan Districts,North West,\"Outcome, x\",ASC7,20,28,0,None",
            "2022-23,E08000001,Bolton,LA_Raw,Metropolitan Districts,North West,\"Outcome, x\",ASC7,21,28,0,None",
        ]) + "\n",
        encoding="utf-8",
    )
    completed = run_cli("assess", str(bad))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    lines = [line for line in completed.stderr.splitlines() if "oflog.csv:" in line]
    assert lines == [
        f"{bad}:2:80: unknown Oflog metric 'ASC9' (the adult social care metrics are ASC1, ASC2, ASC3, ASC4, ASC5, ASC6, ASC7)",
        f"{bad}:3:1: year '2022/23' is not a financial year like 2022-23",
        f"{bad}:4:9: 'X08000001' is not a council's ONS code (E06, E08, E09 or E10 and six digits)",
        f"{bad}:5:85: Value 'lots' is not a number",
        f"{bad}:7:80: ASC7 for E08000001 in 2022-23 is given twice (also on line 6)",
    ], completed.stderr
