"""The data return: a workbook per authority out (`data-return template`), the filled returns
read back at their cells (`data-return collate`, and `assess` directly). Each bad return is
refused with its cell named, exit 2, and nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

import sli_rules
from sli_rules.facts.datareturn import template_bytes, template_rows

from .conftest import REPO, run_cli

EXAMPLE = REPO / "examples" / "north-west-2013-14"
YEAR = "2013-14"


def example_facts(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((EXAMPLE / f"{name}.yaml").read_text(encoding="utf-8"))
    return document


def fill(template: Path, facts: dict[str, Any], target: Path, comments: dict[str, str] | None = None) -> Path:
    """The authority's part: a value (and a comment) typed into each open cell it can answer."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Facts"]
    for line in range(2, sheet.max_row + 1):
        fact = sheet.cell(line, 1).value
        if fact in facts:
            value = facts[fact]
            sheet.cell(line, 3).value = ("yes" if value else "no") if isinstance(value, bool) else value
        if comments and fact in comments:
            sheet.cell(line, 4).value = comments[fact]
    workbook.save(target)
    return target


def write_template(rulebook: sli_rules.Rulebook, authority: str, code: str, path: Path) -> Path:
    path.write_bytes(template_bytes(rulebook, authority, code, YEAR, template_rows(rulebook, YEAR)))
    return path


@pytest.fixture(scope="module")
def region_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every authority of the example region sends its return, filled from its fact set."""
    folder = tmp_path_factory.mktemp("returns")
    rulebook = sli_rules.load_rulebook()
    for file in sorted(EXAMPLE.glob("*.yaml")):
        document = example_facts(file.stem)
        blank = write_template(rulebook, document["authority"], document["code"], folder / f"{file.stem}-blank.xlsx")
        fill(blank, document["facts"], folder / f"{file.stem}.xlsx")
        blank.unlink()
    return folder


def test_the_template_asks_each_fact_once_with_what_is_needed_to_answer_it(tmp_path: Path) -> None:
    output = tmp_path / "halton.xlsx"
    completed = run_cli("data-return", "template", "Halton", "--year", YEAR, "-o", str(output),
                        "--last-year", str(EXAMPLE))
    assert completed.returncode == 0, completed.stderr
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["Facts", "About"]
    sheet = workbook["Facts"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["fact", "title", "value", "comment"]
    rows = {sheet.cell(line, 1).value: line for line in range(2, sheet.max_row + 1)}
    assert len(rows) == sheet.max_row - 1  # each fact once
    rulebook = sli_rules.load_rulebook()
    assert set(rows) <= set(rulebook.measures)
    fac = rows["finance.fac_eligibility"]
    assert sheet.cell(fac, 7).value == "low, moderate, substantial, critical"
    validations = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert validations[f"C{fac}"].formula1 == '"low,moderate,substantial,critical"'
    # Last year's value, from the region's `previous` (Halton 2012-13 was 'moderate').
    halton = example_facts("halton")
    assert sheet.cell(fac, 9).value == halton["previous"]["finance.fac_eligibility"]
    # Only the value and comment cells are open; the structure is protected.
    assert sheet.protection.sheet and workbook.security.lockStructure
    assert not sheet.cell(fac, 3).protection.locked and not sheet.cell(fac, 4).protection.locked
    assert sheet.cell(fac, 1).protection.locked and sheet.cell(fac, 7).protection.locked
    about = workbook["About"]
    assert [about.cell(line, 2).value for line in range(2, 5)] == ["Halton", "E06000006", YEAR]
    assert "authority=Halton" in workbook.properties.keywords


@pytest.mark.skipif(not (REPO.parent / "shared" / "data" / "ascof").exists(), reason="the shared ASCOF file is not here")
def test_have_leaves_out_what_a_public_file_gives(tmp_path: Path) -> None:
    ascof = REPO.parent / "shared" / "data" / "ascof" / "ascof-trend-2017-18-to-2023-24.csv"
    full, short = tmp_path / "full.xlsx", tmp_path / "short.xlsx"
    assert run_cli("data-return", "template", "Halton", "--year", "2022-23", "-o", str(full)).returncode == 0
    completed = run_cli("data-return", "template", "Halton", "--year", "2022-23", "-o", str(short), "--have", str(ascof))
    assert completed.returncode == 0, completed.stderr
    asked = {row[0] for row in openpyxl.load_workbook(full)["Facts"].iter_rows(min_row=2, values_only=True)}
    left = {row[0] for row in openpyxl.load_workbook(short)["Facts"].iter_rows(min_row=2, values_only=True)}
    assert left < asked
    assert all(fact.startswith("ascof.") for fact in asked - left)
    # What stays asked of ASCOF is what the file does not publish that year (the carers' survey
    # runs every other year, and did not run in 2022-23).
    public = sli_rules.load_facts(ascof, year="2022-23", rulebook=sli_rules.load_rulebook())
    published = {fact for facts in public.authorities for fact in facts.facts}
    assert not {fact for fact in left if fact.startswith("ascof.")} & published


def test_returns_collate_into_the_regions_facts_with_each_values_cell(region_returns: Path, tmp_path: Path) -> None:
    output = tmp_path / "region.yaml"
    completed = run_cli("data-return", "collate", str(region_returns), "--year", YEAR, "-o", str(output))
    assert completed.returncode == 0, completed.stderr
    collated = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert collated["kind"] == "region"
    assert len(collated["authorities"]) == 23
    halton = next(item for item in collated["authorities"] if item["authority"] == "Halton")
    expected = example_facts("halton")["facts"]
    assert {fact: value for fact, value in halton["facts"].items()} == {
        fact: (float(value) if isinstance(value, int) and not isinstance(value, bool) else value)
        for fact, value in expected.items() if fact in halton["facts"]
    }
    assert halton["sources"]["finance.fac_eligibility"].startswith("data return halton.xlsx, Facts!C")


def test_assess_reads_the_returns_as_it_reads_the_collated_file(region_returns: Path, tmp_path: Path) -> None:
    output = tmp_path / "region.yaml"
    assert run_cli("data-return", "collate", str(region_returns), "--year", YEAR, "-o", str(output)).returncode == 0
    direct = run_cli("assess", str(region_returns), "--format", "json")
    collated = run_cli("assess", str(output), "--format", "json")
    assert direct.returncode == 0, direct.stderr
    assert collated.returncode == 0, collated.stderr

    def verdicts(text: str) -> list[tuple[str, str, list[str]]]:
        return [
            (item["authority"], item["level"], sorted(flag["trigger"] for flag in item["flags"]))
            for item in json.loads(text)["assessments"]
        ]

    assert verdicts(direct.stdout) == verdicts(collated.stdout)
    assert any(level != "insufficient_evidence" for _, level, _ in verdicts(direct.stdout))


def _refused(tmp_path: Path, *files: Path) -> str:
    output = tmp_path / "out" / "region.yaml"
    output.parent.mkdir(exist_ok=True)
    completed = run_cli("data-return", "collate", *map(str, files), "--year", YEAR, "-o", str(output))
    assert completed.returncode == 2, completed.stdout
    assert "Traceback" not in completed.stderr
    assert not output.exists()
    return completed.stderr


def _halton(tmp_path: Path, name: str = "halton.xlsx", **facts: Any) -> tuple[Path, Any]:
    rulebook = sli_rules.load_rulebook()
    blank = write_template(rulebook, "Halton", "E06000006", tmp_path / f"blank-{name}")
    filled = fill(blank, {**example_facts("halton")["facts"], **facts}, tmp_path / name)
    return filled, openpyxl.load_workbook(filled)


def _line_of(workbook: Any, fact: str) -> int:
    sheet = workbook["Facts"]
    return next(line for line in range(2, sheet.max_row + 1) if sheet.cell(line, 1).value == fact)


def test_a_value_of_the_wrong_type_or_out_of_range_is_refused_at_its_cell(tmp_path: Path) -> None:
    path, workbook = _halton(tmp_path, **{"finance.prevention_budget_change_pct": "a lot",
                                          "workforce.vacancy_rate_pct": 140.0, "finance.fac_eligibility": "severe"})
    stderr = _refused(tmp_path, path)
    name = f"{path}:Facts!C"
    assert f"{name}{_line_of(workbook, 'finance.prevention_budget_change_pct')}: " in stderr
    assert "expected a number" in stderr
    assert f"{name}{_line_of(workbook, 'workforce.vacancy_rate_pct')}: " in stderr and "outside the measure's range" in stderr
    assert f"{name}{_line_of(workbook, 'finance.fac_eligibility')}: " in stderr and "not one of the measure's values" in stderr


def test_an_unknown_fact_or_an_added_row_is_refused(tmp_path: Path) -> None:
    path, workbook = _halton(tmp_path)
    sheet = workbook["Facts"]
    sheet.cell(sheet.max_row + 1, 1).value = "finance.prevention_budget_change"
    sheet.cell(sheet.max_row, 3).value = 5
    workbook.save(path)
    stderr = _refused(tmp_path, path)
    assert f"{path}:Facts!A{sheet.max_row}: row {sheet.max_row} was added: 'finance.prevention_budget_change' is not a fact" in stderr
    assert "did you mean 'finance.prevention_budget_change_pct'" in stderr


def test_a_removed_row_is_refused(tmp_path: Path) -> None:
    path, workbook = _halton(tmp_path)
    sheet = workbook["Facts"]
    line = _line_of(workbook, "workforce.vacancy_rate_pct")
    sheet.delete_rows(line)
    workbook.save(path)
    assert "the template's rows for workforce.vacancy_rate_pct were removed" in _refused(tmp_path, path)


def test_a_formula_without_a_saved_value_is_refused(tmp_path: Path) -> None:
    path, workbook = _halton(tmp_path)
    line = _line_of(workbook, "workforce.vacancy_rate_pct")
    workbook["Facts"].cell(line, 3).value = "=4+5"
    workbook.save(path)  # openpyxl saves no computed value, as a file never opened in Excel
    stderr = _refused(tmp_path, path)
    assert f"{path}:Facts!C{line}: workforce.vacancy_rate_pct: the cell holds a formula (=4+5) with no saved value" in stderr


def test_a_renamed_sheet_is_refused(tmp_path: Path) -> None:
    path, workbook = _halton(tmp_path)
    workbook["Facts"].title = "Data"
    workbook.save(path)
    stderr = _refused(tmp_path, path)
    assert f"{path}: a data return has a sheet named 'Facts'; this workbook's sheets are 'Data', 'About'" in stderr


def test_a_return_for_the_wrong_year_is_refused(tmp_path: Path) -> None:
    path, workbook = _halton(tmp_path)
    workbook["About"]["B4"].value = "2014-15"
    workbook.save(path)
    assert f"{path}:About!B2: this return is for 2014-15, not 2013-14" in _refused(tmp_path, path)


def test_two_returns_for_one_authority_are_refused(tmp_path: Path) -> None:
    first, _ = _halton(tmp_path, "halton.xlsx")
    second, _ = _halton(tmp_path, "halton-again.xlsx")
    stderr = _refused(tmp_path, first, second)
    assert "a second return for Halton 2013-14 (the first is" in stderr


def test_a_template_is_never_written_over_a_filled_return_without_force(tmp_path: Path) -> None:
    path, _ = _halton(tmp_path)
    before = path.read_bytes()
    completed = run_cli("data-return", "template", "Halton", "--year", YEAR, "-o", str(path))
    assert completed.returncode == 2
    assert "never written over without --force" in completed.stderr
    assert path.read_bytes() == before
    forced = run_cli("data-return", "template", "Halton", "--year", YEAR, "-o", str(path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert path.read_bytes() != before


ASCOF = REPO.parent / "shared" / "data" / "ascof" / "ascof-trend-2017-18-to-2023-24.csv"


@pytest.mark.skipif(not ASCOF.exists(), reason="the shared ASCOF file is not here")
def test_collate_with_a_public_file_adds_its_values_and_refuses_a_contradiction(tmp_path: Path) -> None:
    rulebook = sli_rules.load_rulebook()
    public = sli_rules.load_facts(ASCOF, region="North West", year="2022-23", rulebook=rulebook)
    halton_public = next(facts for facts in public.authorities if facts.code == "E06000006")
    own = {fact: value for fact, value in example_facts("halton")["facts"].items() if not fact.startswith("ascof.")}
    returns = tmp_path / "returns"
    returns.mkdir()
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(template_bytes(rulebook, "Halton", "E06000006", "2022-23", template_rows(rulebook, "2022-23")))
    # The authority repeats one published figure, as published: no contradiction.
    quality = halton_public.facts["ascof.quality_of_life"]
    fill(blank, {**own, "ascof.quality_of_life": quality}, returns / "halton.xlsx")
    output = tmp_path / "region.yaml"
    completed = run_cli("data-return", "collate", str(returns), "--year", "2022-23", "--with", str(ASCOF), "-o", str(output))
    assert completed.returncode == 0, completed.stderr
    halton = yaml.safe_load(output.read_text(encoding="utf-8"))["authorities"][0]
    assert halton["facts"]["ascof.1a"] == quality  # under the publication's own id
    assert halton["sources"]["ascof.1a"].startswith("NHS England, Adult Social Care Outcomes Framework")
    assert halton["sources"]["finance.prevention_budget_change_pct"].startswith("data return halton.xlsx, Facts!C")
    # The collated file and the publication read together merge as equal values.
    both = run_cli("assess", str(output), str(ASCOF), "--region", "North West", "--year", "2022-23", "--format", "json")
    assert both.returncode == 0, both.stderr
    # A return that contradicts the publication is refused, nothing written.
    fill(blank, {**own, "ascof.quality_of_life": quality - 1}, returns / "halton.xlsx")
    output.unlink()
    refused = run_cli("data-return", "collate", str(returns), "--year", "2022-23", "--with", str(ASCOF), "-o", str(output))
    assert refused.returncode == 2
    assert "the same measure, is" in refused.stderr and "halton.xlsx:Facts!C" in refused.stderr
    assert not output.exists()


def test_the_board_report_reads_the_returns(region_returns: Path, tmp_path: Path) -> None:
    """The worked example's last step (docs/data-return.md): from the returns to a Board paper."""
    pytest.importorskip("jinja2", reason="the Board report needs the report extra")
    board = tmp_path / "board.html"
    completed = run_cli("report", str(region_returns), "-o", str(board))
    assert completed.returncode == 0, completed.stderr
    page = board.read_text(encoding="utf-8")
    direct = json.loads(run_cli("assess", str(region_returns), "--format", "json").stdout)
    for item in direct["assessments"]:
        assert item["authority"] in page
    # The returns' facts reach every heading, not only what public data can.
    judged = {name for item in direct["assessments"] for name, heading in item["coverage"]["headings"].items()
              if heading["judged"]}
    assert judged == {"outcomes", "resources", "stakeholders", "intelligence"}
