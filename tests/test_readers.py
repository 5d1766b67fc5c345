"""Readers of spreadsheet-shaped facts: the official ASCOF CSV, wide and long CSV, Excel,
comparator-group files, and merging them, each through real files and the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sli_rules
from sli_rules import FactsError
from sli_rules.facts import (
    bind,
    match_region,
    read_ascof_csv,
    read_long_csv,
    read_wide_csv,
    read_xlsx,
    reader_for,
    region_members,
)

from .conftest import REPO, make_rulebook, run_cli, write_yaml

ASCOF = Path("/work/shared/data/ascof/ascof-trend-2017-18-to-2023-24.csv")
if not ASCOF.exists():  # the shared data folder sits beside the repository
    ASCOF = REPO.parent / "shared" / "data" / "ascof" / ASCOF.name
EXAMPLE = REPO / "examples" / "north-west-ascof-2023-24"
HEADER = (
    "Year,Geographical Description,ONS Code,Measure Group,Measure Group Description,"
    "Measure_Value,Geographical Level,Disaggregation Level,Measure Type\n"
)
needs_ascof = pytest.mark.skipif(not ASCOF.exists(), reason="the shared ASCOF file is not here")


def ascof_file(folder: Path, *rows: str, name: str = "ascof.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def problems_of(error: pytest.ExceptionInfo[FactsError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --- detection by header -------------------------------------------------------------------


def test_the_layout_is_told_by_the_header(tmp_path: Path) -> None:
    official = ascof_file(tmp_path, "2023-24,Halton,E06000006,1A,QoL,18.9,Council,,")
    long = tmp_path / "long.csv"
    long.write_text("authority,year,fact,value\nHalton,2023-24,finance.fac_eligibility,critical\n")
    wide = tmp_path / "wide.csv"
    wide.write_text("authority,year,finance.fac_eligibility\nHalton,2023-24,critical\n")
    assert reader_for(official) is read_ascof_csv
    assert reader_for(long) is read_long_csv
    assert reader_for(wide) is read_wide_csv
    assert reader_for(tmp_path / "book.xlsx") is read_xlsx
    assert reader_for(tmp_path / "facts.yaml") is None


# --- the official ASCOF CSV -------------------------------------------------------------------


@needs_ascof
def test_region_and_year_from_the_national_file(default_rulebook: sli_rules.Rulebook) -> None:
    region = sli_rules.load_facts(ASCOF, region="North West", year="2023-24", rulebook=default_rulebook)
    assert len(region) == 24
    assert {item.year for item in region} == {"2023-24"}
    codes = {item.code for item in region}
    assert "E06000063" in codes and "E06000064" in codes and "E10000006" not in codes
    halton = region["E06000006"]
    # Older people's admissions: 2C in 2023-24, 2A2 in 2022-23; one measure, found by alias.
    assert halton.facts["ascof.admissions_65_plus"] == 616.3
    assert halton.previous["ascof.admissions_65_plus"] == 347.5
    # 3A is control over daily life in 2023-24 and user satisfaction in 2022-23: each is
    # compared with its own measure's value of last year, never with the other's.
    assert halton.facts["ascof.control_over_daily_life"] == 72.9  # 3A in 2023-24
    assert halton.previous["ascof.control_over_daily_life"] == 78.4  # 1B in 2022-23
    assert halton.facts["ascof.user_satisfaction"] == 68.7  # 1D in 2023-24
    assert halton.previous["ascof.user_satisfaction"] == 70.4  # 3A in 2022-23
    assert halton.fact_locations["ascof.admissions_65_plus"][0].endswith(ASCOF.name)
    # Successor councils have no previous year: a gap, never a guess.
    assert region["Cumberland"].previous == {}
    assert region["Westmorland and Furness"].previous == {}


@needs_ascof
def test_membership_follows_the_year() -> None:
    before = sli_rules.load_facts(ASCOF, region="North West", year="2022-23")
    after = sli_rules.load_facts(ASCOF, region="North West", year="2023-24")
    assert len(before) == 23 and len(after) == 24
    assert "Cumbria" in {item.authority for item in before}
    assert "Cumbria" not in {item.authority for item in after}
    assert len(region_members("North West", "2022-23")) == 23
    assert len(region_members("North West", "2023-24")) == 24


@needs_ascof
def test_without_a_year_the_latest_is_taken_and_raw_ids_are_kept_without_a_rulebook() -> None:
    region = sli_rules.load_facts(ASCOF, region="North West")
    assert {item.year for item in region} == {"2023-24"}
    halton = region["Halton"]
    # Not bound to a rulebook: the file's codes, as published.
    assert halton.facts["ascof.2c"] == 616.3
    assert halton.previous["ascof.2a2"] == 347.5


@needs_ascof
@pytest.mark.parametrize("name", ["Yorkshire and the Humber", "Yorkshire and The Humber", "yorkshire AND the humber"])
def test_region_names_are_matched_loosely(name: str) -> None:
    assert match_region(name) == "Yorkshire and The Humber"
    region = sli_rules.load_facts(ASCOF, region=name, year="2023-24")
    assert len(region) == 15
    assert match_region("Eastern") == "East of England"


@needs_ascof
def test_england_and_region_rows_become_published_figures(default_rulebook: sli_rules.Rulebook) -> None:
    region = sli_rules.load_facts(ASCOF, region="North West", year="2023-24", rulebook=default_rulebook)
    national = region.references[("national", "2023-24")]
    assert national["ascof.admissions_65_plus"] == 566.0
    assert region.references[("national", "2022-23")]["ascof.admissions_65_plus"] == 560.8
    assert ("published_region", "2023-24") in region.references
    assert "ascof.admissions_65_plus" in region.references[("published_region", "2023-24")]


def ascof_rulebook(folder: Path, triggers: list[dict[str, object]]) -> Path:
    """A rulebook with the shipped ASCOF catalogue and the triggers given."""
    catalogue = yaml.safe_load((REPO / "triggers" / "measures-ascof.yaml").read_text(encoding="utf-8"))
    return make_rulebook(folder, {"outcomes": triggers}, measures=catalogue)


def test_published_figures_are_usable_by_triggers(tmp_path: Path) -> None:
    rules = ascof_rulebook(tmp_path / "rules", [{
        "id": "admissions-above-england", "title": "Admissions above England",
        "when": {"fact": "ascof.admissions_65_plus", "worse_than": {"national": "value"}},
        "says": "{value} against England's {reference}.",
    }])
    facts = ascof_file(
        tmp_path,
        "2023-24,Halton,E06000006,2C,Admissions,616.3,Council,,",
        "2023-24,Knowsley,E08000011,2C,Admissions,500.0,Council,,",
        "2023-24,England,E92000001,2C,Admissions,566.0,England,,",
    )
    completed = run_cli("assess", str(facts), "--rules", str(rules), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    flags = {item["authority"]: [flag["says"] for flag in item["flags"]] for item in result["assessments"]}
    assert flags == {"Halton": ["616.3 against England's 566."], "Knowsley": []}


def test_unknown_measures_are_left_out_with_one_warning(tmp_path: Path) -> None:
    facts = ascof_file(
        tmp_path,
        "2023-24,Halton,E06000006,1A,QoL,18.9,Council,,",
        "2023-24,Halton,E06000006,9Z,New measure,1.0,Council,,",
        "2023-24,Knowsley,E08000011,9Z,New measure,2.0,Council,,",
        "2023-24,Knowsley,E08000011,9Y,Another,2.0,Council,,",
        "2022-23,Halton,E06000006,1E,LD employment,5.0,Council,Total,Outcome",
    )
    completed = run_cli("assess", str(facts))
    assert completed.returncode == 0, completed.stderr
    warnings = [line for line in completed.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 1, completed.stderr
    assert "ascof.9y (2023-24)" in warnings[0] and "ascof.9z (2023-24)" in warnings[0]
    assert "ascof.1e" not in warnings[0]  # 1E was learning disability employment in 2022-23
    # Reading keeps every measure of the publication; binding leaves out what the rulebook
    # does not catalogue, with the one warning.
    region = sli_rules.load_facts(facts)
    assert region.warnings == () and region["Knowsley"].facts == {"ascof.9z": 2.0, "ascof.9y": 2.0}
    bound = bind(region, sli_rules.load_rulebook())
    assert len(bound.warnings) == 1 and bound.warnings[0].severity == "warning"
    assert bound["Knowsley"].facts == {}


def test_an_unknown_fact_in_a_hand_written_file_stays_an_error(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "halton.yaml", {
        "authority": "Halton", "year": "2023-24", "facts": {"ascof.9z": 1.0},
    })
    completed = run_cli("assess", str(facts))
    assert completed.returncode == 2
    assert f"{facts.relative_to(REPO) if facts.is_relative_to(REPO) else facts}:4:" in completed.stderr
    assert "unknown fact 'ascof.9z'" in completed.stderr


@needs_ascof
def test_unknown_region_and_year_are_errors_that_list_the_known_ones() -> None:
    completed = run_cli("assess", str(ASCOF), "--region", "Narnia")
    assert completed.returncode == 2
    assert "unknown region 'Narnia'" in completed.stderr
    assert "North West" in completed.stderr and "Yorkshire and The Humber" in completed.stderr
    completed = run_cli("assess", str(ASCOF), "--region", "North West", "--year", "2012-13")
    assert completed.returncode == 2
    assert "no figures for 2012-13" in completed.stderr and "2017-18, 2018-19" in completed.stderr


def test_bad_ascof_rows_are_rejected_with_line_and_column(tmp_path: Path) -> None:
    facts = ascof_file(
        tmp_path,
        "2023-24,Halton,E06000006,1A,QoL,18.9,Council,,",  # line 2: good
        "2023-24,Halton,E06000006,1D,Satisfaction,lots,Council,,",  # 3: value
        "2023-4,Halton,E06000006,2A,Short term,80,Council,,",  # 4: year
        "2023-24,Halton,Halton,2B,Admissions,8,Council,,",  # 5: code
        "2023-24,Halton,E06000006,1A,QoL,18.9,Council,,",  # 6: the same row again
        "2023-24,Halton,E06000006,1C,Carers,7.1,Council",  # 7: two fields short
        "2023-24,Halton,E06000006,1E,Carers,7.1,Ward,,",  # 8: unknown level
        "2023-24,Halton,E06000006,#,What,7.1,Council,,",  # 9: measure code
        "2023-24,Halton,E06000006,2C,Suppressed,[c],Council,,",  # 10: no figure, not an error
    )
    with pytest.raises(FactsError) as error:
        sli_rules.load_facts(facts)
    shown = str(facts)
    found = problems_of(error)
    assert f"{shown}:3:42: Measure_Value 'lots' is not a number" in found
    assert f"{shown}:4:1: year '2023-4' is not a financial year like 2023-24" in found
    assert any(line.startswith(f"{shown}:5:16: 'Halton' is not a council's ONS code") for line in found)
    assert f"{shown}:6:26: 1A for E06000006 in 2023-24 is given twice (also on line 2)" in found
    assert f"{shown}:7:1: row has 7 fields; the header (line 1) has 9" in found
    assert any(line.startswith(f"{shown}:8:40: unknown Geographical Level 'Ward'") for line in found)
    assert any(line.startswith(f"{shown}:9:26: '#' is not an ASCOF measure code") for line in found)
    assert len(found) == 7
    completed = run_cli("assess", shown)
    assert completed.returncode == 2 and f"{shown}:3:42:" in completed.stderr


# --- wide CSV, long CSV, Excel ----------------------------------------------------------------


def test_wide_csv_bad_rows(tmp_path: Path) -> None:
    facts = tmp_path / "wide.csv"
    facts.write_text(
        "authority,code,year,finance.unit_cost_homecare\n"
        "Halton,E06000006,2023-24,15.2\n"
        ",E08000011,2023-24,14\n"
        "Knowsley,E08000011,2023/24,14\n"
        "Sefton,E08000014,2023-24,cheap\n"
        "Wirral,E08000015,2023-24\n"
    )
    with pytest.raises(FactsError) as error:
        sli_rules.load_facts(facts, rulebook=sli_rules.load_rulebook())
    shown = str(facts)
    assert problems_of(error) == [
        f"{shown}:3:1: row has no authority",
        f"{shown}:4:20: year '2023/24' is not a financial year like 2013-14 (write '2023-24')",
        f"{shown}:5:26: 'finance.unit_cost_homecare': expected a number, got text 'cheap'",
        f"{shown}:6:1: row has 3 fields; the header has 4",
    ]


def test_long_csv(tmp_path: Path, default_rulebook: sli_rules.Rulebook) -> None:
    facts = tmp_path / "long.csv"
    facts.write_text(
        "authority,code,year,fact,value,source\n"
        "Halton,E06000006,2023-24,finance.unit_cost_homecare,15.2,Finance return\n"
        "Halton,E06000006,2023-24,finance.fac_eligibility,substantial,\n"
        "Halton,E06000006,2022-23,finance.unit_cost_homecare,14.1,\n"
        "Knowsley,,2023-24,intelligence.political_change,yes,\n"
    )
    region = sli_rules.load_facts(facts, rulebook=default_rulebook)
    halton = region["Halton"]
    assert halton.facts == {"finance.unit_cost_homecare": 15.2, "finance.fac_eligibility": "substantial"}
    assert halton.previous == {"finance.unit_cost_homecare": 14.1}
    assert halton.fact_locations["finance.unit_cost_homecare"] == (str(facts), 2, 53)
    assert halton.source_of("finance.unit_cost_homecare") == "Finance return"
    assert region["Knowsley"].facts == {"intelligence.political_change": True}


def test_long_csv_bad_rows(tmp_path: Path) -> None:
    facts = tmp_path / "long.csv"
    facts.write_text(
        "authority,year,fact,value,colour\n"
        "Halton,2023-24,finance.unit_cost_homecare,15.2,\n"
        "Halton,2023-24,finance.unit_cost_homecare,15.3,\n"
        "Halton,2023,finance.fac_eligibility,low,\n"
        "Halton,2023-24,,low,\n"
    )
    with pytest.raises(FactsError) as error:
        sli_rules.load_facts(facts)
    shown = str(facts)
    found = problems_of(error)
    assert any(line.startswith(f"{shown}:1:27: unknown column 'colour' in a long table") for line in found)
    assert f"{shown}:3:16: 'finance.unit_cost_homecare' for Halton 2023-24 is given twice (also on line 2)" in found
    assert f"{shown}:4:8: year '2023' is not a financial year like 2013-14 (write '2023-24')" in found
    assert f"{shown}:5:16: row has no fact id" in found


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_wide_and_long(tmp_path: Path, default_rulebook: sli_rules.Rulebook) -> None:
    wide = write_xlsx(tmp_path / "finance.xlsx", [
        ["authority", "code", "year", "finance.unit_cost_homecare", "finance.fac_eligibility"],
        ["Halton", "E06000006", "2023-24", 15.2, "substantial"],
        ["Halton", "E06000006", "2022-23", 14.1, None],
    ])
    region = sli_rules.load_facts(wide, rulebook=default_rulebook)
    assert region["Halton"].facts == {"finance.unit_cost_homecare": 15.2, "finance.fac_eligibility": "substantial"}
    assert region["Halton"].previous == {"finance.unit_cost_homecare": 14.1}
    assert region["Halton"].fact_locations["finance.unit_cost_homecare"] == (str(wide), 2, 4)
    long = write_xlsx(tmp_path / "long.xlsx", [
        ["authority", "year", "fact", "value"],
        ["Halton", "2023-24", "workforce.vacancy_rate_pct", 7.5],
    ])
    assert sli_rules.load_facts(long, rulebook=default_rulebook)["Halton"].facts == {"workforce.vacancy_rate_pct": 7.5}


def test_xlsx_bad_cells_are_located_by_row_and_column(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "finance.xlsx", [
        ["authority", "code", "year", "finance.unit_cost_homecare"],
        ["Halton", "E06000006", "2023-24", "cheap"],
        ["Knowsley", "E08000011", 2023, 14.0],
        ["Sefton", "E08000014", "2023-24", 14.0, "stray"],
    ])
    completed = run_cli("assess", str(book))
    assert completed.returncode == 2
    shown = str(book)
    assert f"{shown}:2:4: 'finance.unit_cost_homecare': expected a number, got text 'cheap'" in completed.stderr
    assert f"{shown}:3:3: year '2023' is not a financial year like 2013-14" in completed.stderr
    assert f"{shown}:4:5: a value in a column with no name" in completed.stderr
    not_a_book = tmp_path / "fake.xlsx"
    not_a_book.write_text("authority,year\n")
    completed = run_cli("assess", str(not_a_book))
    assert completed.returncode == 2 and f"{not_a_book}:1:1: cannot read as an Excel .xlsx workbook" in completed.stderr


def test_xlsx_without_openpyxl_names_the_extra(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "finance.xlsx", [["authority", "year"], ["Halton", "2023-24"]])
    # The real command line, in an interpreter where openpyxl cannot be imported.
    script = "import sys; sys.modules['openpyxl'] = None; from sli_rules.cli.main import main; sys.exit(main())"
    completed = subprocess.run(
        [sys.executable, "-c", script, "assess", str(book)],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "needs openpyxl" in completed.stderr and "pip install 'sli-rules[xlsx]'" in completed.stderr


# --- comparator groups ------------------------------------------------------------------------


COMPARATOR_RULES = {
    "outcomes": [{
        "id": "x-below-comparators", "title": "x below comparators",
        "when": {"fact": "x", "below": {"comparators": "mean"}},
        "says": "{authority}: {value} against {reference}.",
    }],
}


def comparator_region(folder: Path) -> Path:
    facts = folder / "facts.csv"
    facts.write_text(
        "authority,code,year,x\n"
        "Halton,E06000006,2023-24,10\n"
        "Knowsley,E08000011,2023-24,20\n"
        "St Helens,E08000013,2023-24,30\n"
        "Wirral,E08000015,2023-24,40\n"
    )
    return facts


@pytest.mark.parametrize("kind", ["yaml", "csv"])
def test_a_comparator_group_file_serves_every_authority(tmp_path: Path, kind: str) -> None:
    rules = make_rulebook(tmp_path / "rules", COMPARATOR_RULES)
    facts = comparator_region(tmp_path)
    if kind == "yaml":
        groups = write_yaml(tmp_path / "groups.yaml", {
            "E06000006": ["E08000011", "E08000013"],
            "Wirral": ["St. Helens", "E08000011"],
            "E09000001": ["E09000002"],  # a council not assessed: ignored
        })
    else:
        groups = tmp_path / "groups.csv"
        groups.write_text(
            "authority,comparators\nE06000006,E08000011;E08000013\nWirral,St. Helens\nWirral,E08000011\n"
        )
    completed = run_cli("assess", str(facts), "--rules", str(rules), "--comparators", str(groups), "--format", "json")
    assert completed.returncode == 0, completed.stderr
    says = {item["authority"]: [flag["says"] for flag in item["flags"]] for item in json.loads(completed.stdout)["assessments"]}
    # Halton: mean of 10, 20, 30 = 20. Wirral: mean of 40, 30, 20 = 30 (not below). Knowsley
    # and St Helens have no group: a gap, not a flag.
    assert says == {"Halton": ["Halton: 10 against 20."], "Knowsley": [], "St Helens": [], "Wirral": []}
    region = sli_rules.load_facts(facts, comparators=groups)
    assert region["Halton"].comparators == ("E08000011", "E08000013")


def test_comparator_files_add_to_the_fact_sets_own_lists_and_warn_about_strangers(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "facts" / "halton.yaml", {
        "authority": "Halton", "code": "E06000006", "year": "2023-24", "comparators": ["Wirral"], "facts": {"x": 1},
    })
    write_yaml(tmp_path / "facts" / "wirral.yaml", {"authority": "Wirral", "code": "E08000015", "year": "2023-24", "facts": {"x": 2}})
    groups = write_yaml(tmp_path / "groups.yaml", {"Halton": ["E08000015", "E09000033"]})
    region = sli_rules.load_facts(facts.parent, comparators=groups)
    assert region["Halton"].comparators == ("Wirral",)
    assert [str(problem) for problem in region.warnings] == [
        f"{groups}:1:1: warning: comparators not among the authorities assessed, left out of the "
        "comparator statistics: E09000033"
    ]


def test_bad_comparator_files(tmp_path: Path) -> None:
    facts = comparator_region(tmp_path)
    groups = tmp_path / "groups.yaml"
    groups.write_text("E06000006: E08000011\nWirral: [St Helens, 3]\n")
    with pytest.raises(FactsError) as error:
        sli_rules.load_facts(facts, comparators=groups)
    assert problems_of(error) == [
        f"{groups}:1:12: the comparators of E06000006 are a list of ONS codes or names",
        f"{groups}:2:9: the comparators of Wirral are a list of ONS codes or names",
    ]
    groups = tmp_path / "groups.csv"
    groups.write_text("authority,comparators\nHalton,\n,Wirral\n")
    with pytest.raises(FactsError) as error:
        sli_rules.load_facts(facts, comparators=groups)
    assert problems_of(error) == [
        f"{groups}:2:8: no comparators for Halton",
        f"{groups}:3:1: row has no authority",
    ]


# --- merging sources ---------------------------------------------------------------------


def test_three_sources_merge_from_the_command_line(tmp_path: Path) -> None:
    finance = tmp_path / "finance.csv"
    finance.write_text(
        "authority,year,finance.admissions_increase_explained,finance.prevention_budget_change_pct\n"
        "Halton,2023-24,yes,5\n"
        "St Helens,2023-24,no,-20\n"
        "St Helens,2022-23,,-3\n"
    )
    intelligence = write_yaml(tmp_path / "intelligence.yaml", [
        {"authority": "Halton", "code": "E06000006", "year": "2023-24", "facts": {"intelligence.political_change": True}},
    ])
    completed = run_cli(
        "assess", str(EXAMPLE), str(finance), str(intelligence), "--format", "json"
    )
    assert completed.returncode == 0, completed.stderr
    result = {item["authority"]: item for item in json.loads(completed.stdout)["assessments"]}
    assert len(result) == 24  # merged into the ASCOF councils, not added beside them
    halton = result["Halton"]
    # Halton's 77% rise in older people's admissions is explained in the finance sheet.
    assert "admissions-unexplained-increase" not in [flag["trigger"] for flag in halton["flags"]]
    # The intelligence file's political change counts, gated, beside Halton's other evidence.
    assert "political-change" in [flag["trigger"] for flag in halton["flags"]]
    saints = result["St. Helens"]  # 'St Helens' in the finance sheet, 'St. Helens' in ASCOF
    assert saints["code"] == "E08000013"
    # Its prevention budget cut, from the finance sheet, is below the two councils' mean.
    assert "prevention-budget-cuts" in [flag["trigger"] for flag in saints["flags"]]


def test_a_fact_given_twice_with_different_values_names_both_places(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("authority,code,year,ascof.2c\nHalton,E06000006,2023-24,600.0\n")
    completed = run_cli("assess", str(EXAMPLE), str(other))
    assert completed.returncode == 2
    example_csv = (EXAMPLE / "ascof-north-west.csv").relative_to(REPO)
    lines = [line for line in completed.stderr.splitlines() if "ascof.2c" in line]
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"{other}:2:26: 'ascof.2c' for Halton 2023-24 is 600.0 here but 616.3 at {example_csv}:")


def test_the_same_value_from_two_files_is_no_conflict(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("authority,code,year,ascof.2c\nHalton,E06000006,2023-24,616.3\n")
    completed = run_cli("assess", str(EXAMPLE), str(other))
    assert completed.returncode == 0, completed.stderr


def test_the_example_folder_reads_as_one_fact_file() -> None:
    # The extraction script and the README sit beside the data and are not read as facts.
    listed = sorted(path.name for path in EXAMPLE.iterdir() if not path.name.startswith("."))
    assert listed == ["README.md", "ascof-north-west.csv", "extract.py"]
    region = sli_rules.load_facts(EXAMPLE)
    assert len(region) == 24
    files = {Path(location[0]).name for item in region for location in item.fact_locations.values()}
    assert files == {"ascof-north-west.csv"}
