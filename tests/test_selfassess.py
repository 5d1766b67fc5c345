"""Self-assessment forms (MoU 2.1h): the template in three forms, read back, and every bad
answer reported at its place."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

import sli_rules
from sli_rules import FactsError, OwnView, SelfAssessment
from sli_rules.facts.selfassess import COLUMNS, VIEWS, concern_triggers

from .conftest import run_cli

openpyxl = pytest.importorskip("openpyxl")


def _concern_ids(rulebook: sli_rules.Rulebook) -> list[str]:
    return [trigger.id for trigger in rulebook.triggers if trigger.is_concern]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".yaml"])
def test_the_template_lists_every_concern_trigger_under_its_heading_and_reads_back_blank(
    default_rulebook: sli_rules.Rulebook, tmp_path: Path, suffix: str
) -> None:
    path = sli_rules.self_assessment_template(default_rulebook, "Halton", "2013-14", tmp_path / f"h{suffix}",
                                              code="E06000006")
    own = sli_rules.load_self_assessment(path, default_rulebook)
    assert own == SelfAssessment("Halton", "E06000006", "2013-14", {})
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    elif suffix == ".yaml":
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))["views"]
    else:
        sheet = openpyxl.load_workbook(path).active
        header = [cell.value for cell in sheet[1]]
        rows = [dict(zip(header, [cell.value for cell in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert sorted(row["trigger"] for row in rows) == sorted(_concern_ids(default_rulebook))
    assert [row["trigger"] for row in rows] == [trigger.id for trigger in concern_triggers(default_rulebook)]
    headings = [default_rulebook.trigger(row["trigger"]).heading for row in rows]
    assert headings == sorted(headings, key=["outcomes", "resources", "stakeholders", "intelligence"].index)
    staff = next(row for row in rows if row["trigger"] == "staff-survey")
    trigger = default_rulebook.trigger("staff-survey")
    assert staff["title"] == trigger.title and staff["heading"] == trigger.heading_title
    assert staff["sources"] == "; ".join(trigger.sources)
    assert staff["evidence"], "the evidence a trigger needs is listed"


def test_the_excel_template_has_a_drop_down_of_the_three_views_on_every_trigger(
    default_rulebook: sli_rules.Rulebook, tmp_path: Path
) -> None:
    path = sli_rules.self_assessment_template(default_rulebook, "Halton", "2013-14", tmp_path / "h.xlsx")
    sheet = openpyxl.load_workbook(path).active
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"' + ",".join(VIEWS) + '"'
    view_column = "ABCDEFGHIJ"[COLUMNS.index("view")]
    count = len(_concern_ids(default_rulebook))
    assert str(validation.sqref) == f"{view_column}2:{view_column}{count + 1}"


def test_a_filled_form_reads_back_in_every_form(default_rulebook: sli_rules.Rulebook, tmp_path: Path) -> None:
    expected = {
        "staff-survey": OwnView("concern", "Survey response fell"),
        "complaints": OwnView("no_concern", None),
        "market-position": OwnView("unsure", "Awaiting the market position statement"),
    }
    csv_path = sli_rules.self_assessment_template(default_rulebook, "Halton", "2013-14", tmp_path / "h.csv")
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    for row in rows:
        if row["trigger"] in expected:
            row["view"] = {"no_concern": "No concern"}.get(expected[row["trigger"]].view, expected[row["trigger"]].view)
            row["comment"] = expected[row["trigger"]].comment or ""
    with csv_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    assert sli_rules.load_self_assessment(csv_path, default_rulebook).views == expected

    xlsx_path = sli_rules.self_assessment_template(default_rulebook, "Halton", "2013-14", tmp_path / "h.xlsx")
    workbook = openpyxl.load_workbook(xlsx_path)
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        trigger = row[COLUMNS.index("trigger")].value
        if trigger in expected:
            row[COLUMNS.index("view")].value = expected[trigger].view
            row[COLUMNS.index("comment")].value = expected[trigger].comment
    workbook.save(xlsx_path)
    assert sli_rules.load_self_assessment(xlsx_path, default_rulebook).views == expected

    yaml_path = sli_rules.self_assessment_template(default_rulebook, "Halton", "2013-14", tmp_path / "h.yaml")
    document = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    for item in document["views"]:
        if item["trigger"] in expected:
            item["view"] = expected[item["trigger"]].view
            item["comment"] = expected[item["trigger"]].comment
    yaml_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert sli_rules.load_self_assessment(yaml_path, default_rulebook).views == expected


def test_bad_answers_are_reported_at_their_places_all_at_once(default_rulebook: sli_rules.Rulebook,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "authority,code,year,trigger,view,comment\n"
        "Halton,,2013-14,staff-survey,concern,\n"
        "Halton,,2013-14,staff-survy,concern,\n"
        "Halton,,2013-14,complaints,worried,\n"
        "Halton,,2013-14,staff-survey,unsure,\n"
        "Halton,,2013-14,workforce-strength,concern,\n"
        "Widnes,,2013-15,political-change,unsure,\n",
        encoding="utf-8",
    )
    with pytest.raises(FactsError) as raised:
        sli_rules.load_self_assessment(path, default_rulebook)
    shown = str(raised.value).replace(str(path), "h.csv")
    assert shown.splitlines() == [
        "h.csv:3:17: unknown trigger 'staff-survy' (did you mean 'staff-survey'?)",
        "h.csv:4:28: unknown view 'worried'; one of concern, no_concern, unsure",
        "h.csv:5:17: trigger 'staff-survey' is answered twice (first at line 2)",
        "h.csv:6:17: 'workforce-strength' is an excellence signal, not a concern trigger",
        "h.csv:7:1: authority 'Widnes' differs from 'Halton' at line 2",
        "h.csv:7:9: year '2013-15' is not a financial year like 2013-14",
    ]


def test_a_yaml_form_locates_its_problems_and_a_missing_column_is_named(
    default_rulebook: sli_rules.Rulebook, tmp_path: Path
) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(
        "kind: self-assessment\nauthority: Halton\nyear: 2013-14\nviews:\n"
        "  - trigger: complaints\n    view: concerned\n  - trigger: complaint\n    veiw: concern\n",
        encoding="utf-8",
    )
    with pytest.raises(FactsError) as raised:
        sli_rules.load_self_assessment(path, default_rulebook)
    messages = [f"{p.line}:{p.column}: {p.message}" for p in raised.value.problems]
    assert messages == [
        "6:11: unknown view 'concerned'; one of concern, no_concern, unsure",
        "7:14: unknown trigger 'complaint'",
        "8:5: unknown key 'veiw'",
    ]
    assert raised.value.problems[0].hint == "did you mean 'concern'?"
    assert raised.value.problems[1].hint == "did you mean 'complaints'?"
    table = tmp_path / "t.csv"
    table.write_text("authority,year,trigger\nHalton,2013-14,complaints\n", encoding="utf-8")
    with pytest.raises(FactsError, match=r"t\.csv:1:1: missing column: view"):
        sli_rules.load_self_assessment(table, default_rulebook)


def test_the_command_writes_a_template_and_refuses_a_bad_year(tmp_path: Path) -> None:
    done = run_cli("self-assessment", "template", "Halton", "--year", "2013-14", "-o", str(tmp_path / "h.xlsx"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {tmp_path / 'h.xlsx'}"
    refused = run_cli("self-assessment", "template", "Halton", "--year", "2013", "-o", str(tmp_path / "x.csv"))
    assert refused.returncode == 2
    assert "year '2013' is not a financial year like 2013-14" in refused.stderr
    assert not (tmp_path / "x.csv").exists()
