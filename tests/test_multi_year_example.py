"""The seven-year North West ASCOF example: the extract of the shared national file, byte for
byte; its councils year by year; and today's reader reading its latest year."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import sli_rules

from .conftest import REPO, run_cli

SHARED = Path("/work/shared/data/ascof")
if not SHARED.exists():
    SHARED = REPO.parent / "shared" / "data" / "ascof"
ASCOF = SHARED / "ascof-trend-2017-18-to-2023-24.csv"
ONS_CODES = SHARED / "ons-codes.csv"
EXAMPLE = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24"
EXAMPLE_CSV = EXAMPLE / "ascof-north-west.csv"
TWO_YEARS = REPO / "examples" / "north-west-ascof-2023-24"
YEARS = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
CUMBRIA, CUMBERLAND, WESTMORLAND = "E10000006", "E06000063", "E06000064"
needs_shared = pytest.mark.skipif(not ASCOF.exists(), reason="the shared ASCOF file is not here")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@needs_shared
def test_the_example_is_the_extract_of_the_national_file(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLE / "extract.py"), str(ASCOF), "--output", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.startswith("wrote 3993 rows for 2017-18 to 2023-24 to ")
    assert (tmp_path / "ascof-north-west.csv").read_bytes() == EXAMPLE_CSV.read_bytes()


@needs_shared
def test_a_range_of_years_and_bad_arguments(tmp_path: Path) -> None:
    def extract(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(EXAMPLE / "extract.py"), str(ASCOF), "--output", str(tmp_path), *arguments],
            capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )

    two = extract("--first", "2022-23", "--last", "2023-24")
    assert two.returncode == 0, two.stderr
    # The last two years: the two-year example's rows (which keep only 2023-24's councils in
    # both years), and Cumbria's 2022-23 rows besides, since it was North West that year.
    lines = (tmp_path / "ascof-north-west.csv").read_text(encoding="utf-8").splitlines()
    cumbria = [line for line in lines if f",{CUMBRIA}," in line]
    assert cumbria and all(line.startswith("2022-23,Cumbria,") for line in cumbria)
    rest = [line for line in lines if f",{CUMBRIA}," not in line]
    assert rest == (TWO_YEARS / "ascof-north-west.csv").read_text(encoding="utf-8").splitlines()
    missing = extract("--first", "2012-13")
    assert missing.returncode != 0 and "no 2012-13 rows in" in missing.stderr
    unknown = extract("--region", "Narnia")
    assert unknown.returncode != 0 and "unknown region 'Narnia'" in unknown.stderr


@needs_shared
def test_each_year_holds_that_years_north_west_councils_england_and_the_region() -> None:
    # Membership checked against the shared ONS list of today's councils (another source than
    # the package's table that the script reads), with Cumbria until 2022-23.
    today = {
        row["ONS Area Code"].strip()
        for row in _rows(ONS_CODES)
        if row["Council region"].strip() == "North West" and row["Council type"].strip()
    }
    assert len(today) == 24 and {CUMBERLAND, WESTMORLAND} <= today
    by_year: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = _rows(EXAMPLE_CSV)
    for row in rows:
        by_year[row["Year"]][row["Geographical Level"]].add(row["ONS Code"].strip())
    assert sorted(by_year) == YEARS
    for year in YEARS:
        expected = today if year == "2023-24" else (today - {CUMBERLAND, WESTMORLAND}) | {CUMBRIA}
        assert by_year[year]["Council"] == expected, year
        assert by_year[year]["England"] == {"E92000001"} and by_year[year]["Region"] == {"E12000002"}
        assert set(by_year[year]) == {"Council", "England", "Region"}
    # Every row is a row of the national file, in its order.
    national = [tuple(row.values()) for row in _rows(ASCOF)]
    position = {row: index for index, row in enumerate(national)}
    indexes = [position[tuple(row.values())] for row in rows]
    assert indexes == sorted(indexes)


def test_the_folder_reads_as_one_fact_file_in_its_latest_year() -> None:
    listed = sorted(path.name for path in EXAMPLE.iterdir() if not path.name.startswith("."))
    assert listed == ["README.md", "ascof-north-west.csv", "extract.py"]
    region = sli_rules.load_facts(EXAMPLE)
    assert len(region) == 24 and {item.year for item in region} == {"2023-24"}
    # 2023-24 with 2022-23 as the previous year: the same facts as the two-year example.
    two_years = {item.key: item for item in sli_rules.load_facts(TWO_YEARS)}
    for item in region:
        other = two_years[item.key]
        assert (item.authority, item.facts, item.previous) == (other.authority, other.facts, other.previous)
    assert not region["Cumberland"].previous


def test_an_earlier_year_is_assessed_with_todays_command_line() -> None:
    completed = run_cli("assess", str(EXAMPLE), "--year", "2019-20", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assessed = {item["code"] for item in result["assessments"]}
    assert len(assessed) == 23 and CUMBRIA in assessed and CUMBERLAND not in assessed
    assert {item["year"] for item in result["assessments"]} == {"2019-20"}


def test_the_licence_and_source_are_stated() -> None:
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in text
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in text
    assert "2017-18 to 2023-24" in text and "NHS England" in text


@needs_shared
def test_the_multi_year_benchmark_runs_and_prints_its_figures() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / "multi_year.py"), str(ASCOF), "--region", "North West", "--no-cli"],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("# ascof-trend-2017-18-to-2023-24.csv, North West; multi-year assessment: ")
    assert lines[1].split() == ["years", "authority-years", "load", "s", "assess", "s", "library", "s", "cli", "s"]
    # 23 councils a year to 2022-23, 24 in 2023-24: 162 authority-years, year by year or at once.
    assert lines[-1].split()[-5] == "162"


def test_the_worked_reading_of_seven_years_is_what_the_command_prints() -> None:
    """docs/real-data.md reads Manchester's seven years: its lines are the command's, in order."""
    text = (REPO / "docs" / "real-data.md").read_text(encoding="utf-8")
    block = text.split("```text years=all\n", 1)[1].split("```", 1)[0]
    completed = run_cli("assess", str(EXAMPLE), "--years", "all")
    assert completed.returncode == 0, completed.stderr
    printed = completed.stdout.splitlines()
    position = 0
    for line in block.splitlines():
        assert line in printed[position:], f"{line!r} is not printed (in this order) by assess --years all"
        position = printed.index(line, position) + 1
    verbose = run_cli("assess", str(EXAMPLE), "--years", "all", "-v").stdout
    assert "0 of the 29 facts with data are backed by counts (wanted below 10): true" in verbose
