"""Thematic reviews (MoU 2.1 a, Table 2 entry 16): themes as rulebook files, the form in three
forms, recording into the store with the cycle's order, the facts entry 16 reads, and the
region's picture per theme. Through the real command line and the real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import sli_rules
from sli_rules.cycle.store.api import Store
from sli_rules.errors import RulebookError
from sli_rules.facts.themes import load_thematic_review
from sli_rules.rules.load import default_rulebook_path, load_rulebook

from .conftest import run_cli
from .storage import db, snapshot  # noqa: F401 (fixtures)

openpyxl = pytest.importorskip("openpyxl")
EXAMPLE = Path(sli_rules.example_path())
# Halton's market review: a key element not met, two at the top level.
HALTON_MARKET = ["not-met", "level-4", "level-2", "level-4", "level-1"]
WIGAN_MARKET = ["level-4", "level-4", "level-3", "level-4", "level-4"]


def _fill_yaml(path: Path, levels: list[str], target: Path | None = None) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for element, level in zip(data["elements"], levels, strict=True):
        element["level"] = level
        element["evidence"] = f"evidence for {element['element']}"
    out = target or path
    out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return out


def _fill_xlsx(path: Path, levels: list[str]) -> Path:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["thematic-review"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("level") + 1
    for row, level in enumerate(levels, start=2):
        sheet.cell(row=row, column=column, value=level)
    workbook.save(path)
    return path


def _template(tmp_path: Path, theme: str, authority: str, name: str) -> Path:
    target = tmp_path / name
    done = run_cli("theme", "template", theme, authority, "--year", "2013-14", "-o", str(target))
    assert done.returncode == 0, done.stderr
    return target


def _known(db: str, region: Path | None = None) -> None:  # noqa: F811 (a store's address, not the fixture)
    """A store that knows the region's authorities: a review, like every act on no run, is of
    an authority on record."""
    done = run_cli("record", *([str(region)] if region else []), "--db", db, "--by", "Assessor")
    assert done.returncode == 0, done.stderr


def _region_without_thematic_facts(tmp_path: Path) -> Path:
    """The example region with the thematic facts taken out: the store's reviews give them."""
    folder = tmp_path / "region"
    folder.mkdir()
    for file in EXAMPLE.glob("*.yaml"):
        lines = [line for line in file.read_text(encoding="utf-8").splitlines(keepends=True)
                 if "intelligence.thematic_" not in line]
        (folder / file.name).write_text("".join(lines), encoding="utf-8")
    return folder


# --- themes in the rulebook ----------------------------------------------------------------------


def test_the_default_rulebook_ships_the_two_2013_14_themes(default_rulebook: sli_rules.Rulebook) -> None:
    assert sorted(default_rulebook.themes) == ["market", "workforce"]
    for theme in default_rulebook.themes.values():
        assert theme.years == ("2013-14",)
        assert theme.levels[0] == "level-1"
        assert any(element.key for element in theme.elements)
        assert any(not element.key for element in theme.elements)
        for element in theme.elements:
            assert element.basis == "illustrative"
            assert set(element.descriptors) == set(theme.levels)


def _rulebook_with(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "rules"
    for folder in ("triggers", "menus"):
        shutil.copytree(default_rulebook_path() / folder, root / folder)
    (root / "themes").mkdir()
    (root / "themes" / "bad.yaml").write_text(text, encoding="utf-8")
    return root


def test_a_bad_theme_file_is_reported_at_its_places_all_at_once(tmp_path: Path) -> None:
    root = _rulebook_with(tmp_path, (
        "kind: theme\n"
        "id: market\n"
        "title: Market\n"
        "years: [2013-15]\n"
        "levels: [level-1, not-met, level-1]\n"
        "elements:\n"
        "  - id: one\n"
        "    title: One\n"
        "    basis: ilustrative\n"
        "    descriptors: {level-1: fine, levl-2: better}\n"
        "  - id: one\n"
        "    title: Again\n"
    ))
    with pytest.raises(RulebookError) as raised:
        load_rulebook(root)
    shown = [str(problem) for problem in raised.value.problems]
    assert any(line.endswith("themes/bad.yaml:4:9: year '2013-15' does not run into the next calendar year "
                             "(did you mean '2013-14'?)") for line in shown), shown
    assert any("bad.yaml:5:19: 'not-met' is the answer below the minimum standard, not a level" in line for line in shown)
    assert any("bad.yaml:5:28: duplicate level 'level-1'" in line for line in shown)
    assert any("bad.yaml:9:12: unknown basis 'ilustrative' (did you mean 'illustrative'?)" in line for line in shown)
    assert any("bad.yaml:10:34: 'levl-2' is not one of the theme's levels (did you mean 'level-1'?)" in line
               for line in shown), shown
    assert any("bad.yaml:11:9: duplicate element 'one' (first at line 7)" in line for line in shown)
    validated = run_cli("validate", "--rules", str(root))
    assert validated.returncode == 1  # validate's findings
    assert "duplicate element 'one'" in validated.stderr


def test_init_copies_the_themes_and_the_schema_command_prints_theirs(tmp_path: Path) -> None:
    done = run_cli("init", str(tmp_path / "copy"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "copy" / "themes" / "market.yaml").is_file()
    assert (tmp_path / "copy" / "schemas" / "theme.schema.json").is_file()
    assert sorted(load_rulebook(tmp_path / "copy").themes) == ["market", "workforce"]
    schema = json.loads(run_cli("schema", "theme").stdout)
    assert schema["properties"]["kind"] == {"const": "theme", "description": "what the file holds: theme"}


# --- the form --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".yaml"])
def test_a_filled_form_reads_back_in_every_form(tmp_path: Path, suffix: str,
                                                default_rulebook: sli_rules.Rulebook) -> None:
    path = _template(tmp_path, "market", "Halton", f"halton{suffix}")
    if suffix == ".yaml":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert (data["kind"], data["theme"], data["authority"], data["code"], data["year"]) == (
            "thematic-review", "market", "Halton", "E06000006", "2013-14")
        assert data["elements"][0] == {"element": "market-position-statement",
                                       "title": "A published market position statement, shared with providers",
                                       "key": True, "level": None, "evidence": None}
        _fill_yaml(path, HALTON_MARKET)
    elif suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path)["thematic-review"]
        (validation,) = sheet.data_validations.dataValidation
        assert validation.formula1 == '"not-met,level-1,level-2,level-3,level-4"'
        assert str(validation.sqref) == "I2:I6"
        _fill_xlsx(path, HALTON_MARKET)
    else:
        lines = path.read_text(encoding="utf-8").splitlines()
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
        for row, level in zip(rows, HALTON_MARKET, strict=True):
            row["level"] = level
        stream = io.StringIO()
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(stream.getvalue(), encoding="utf-8")
    review = load_thematic_review(path, default_rulebook)
    assert (review.authority, review.code, review.theme, review.year) == ("Halton", "E06000006", "market", "2013-14")
    assert [element.level for element in review.elements] == HALTON_MARKET
    assert [element.id for element in review.failures] == ["market-position-statement"]
    assert [element.id for element in review.top_level] == ["provider-failure", "personal-budget-market"]


def test_a_template_is_never_written_over_a_filled_form_without_force(tmp_path: Path) -> None:
    path = _fill_yaml(_template(tmp_path, "market", "Halton", "halton.yaml"), HALTON_MARKET)
    filled = path.read_text(encoding="utf-8")
    again = run_cli("theme", "template", "market", "Halton", "--year", "2013-14", "-o", "halton.yaml", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr == "sli-rules: the file exists and may hold answers: give --force to replace it: halton.yaml\n"
    assert path.read_text(encoding="utf-8") == filled
    forced = run_cli("theme", "template", "market", "Halton", "--year", "2013-14", "-o", str(path), "--force")
    assert forced.returncode == 0
    assert "level: null" in path.read_text(encoding="utf-8")


def test_a_template_of_an_unknown_theme_or_a_year_it_does_not_run_in_is_refused(tmp_path: Path) -> None:
    unknown = run_cli("theme", "template", "markt", "Halton", "--year", "2013-14", "-o", str(tmp_path / "x.xlsx"))
    assert unknown.returncode == 2
    assert "<arguments>:1:1: unknown theme 'markt' (did you mean 'market'?)" in unknown.stderr
    misspelt = run_cli("theme", "template", "market", "Haltn", "--year", "2013-14", "-o", str(tmp_path / "x.csv"))
    assert misspelt.returncode == 2
    assert "<arguments>:1:1: no council named 'Haltn' in 2013-14 (did you mean 'Halton'?)" in misspelt.stderr
    other_year = run_cli("theme", "template", "market", "Halton", "--year", "2014-15", "-o", str(tmp_path / "x.csv"))
    assert other_year.returncode == 2
    assert "theme 'market' runs in 2013-14, not 2014-15" in other_year.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_answers_are_reported_at_their_places_and_nothing_is_recorded(tmp_path: Path, db: str) -> None:  # noqa: F811
    path = _fill_yaml(_template(tmp_path, "market", "Halton", "halton.yaml"), HALTON_MARKET)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["elements"][1]["level"] = "levle-4"
    data["elements"][2]["element"] = "quality-of-cares"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    done = run_cli("theme", "record", str(bad), "--db", db, "--by", "Jo Bloggs", "--date", "2013-10-01",
                   cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert "bad.yaml:15:10: unknown level 'levle-4'; one of not-met, level-1, level-2, level-3, level-4 " \
           "(did you mean 'level-4'?)" in lines
    assert "bad.yaml:17:12: unknown element 'quality-of-cares' of theme 'market' (did you mean 'quality-of-care'?)" \
           in lines
    assert "bad.yaml:1:1: the form leaves out element quality-of-care (write a fresh form with " \
           "`sli-rules theme template`)" in lines
    wrong_theme = dict(data, theme="workfroce")
    bad.write_text(yaml.safe_dump(wrong_theme, sort_keys=False), encoding="utf-8")
    done = run_cli("theme", "record", str(bad), "--db", db, "--by", "Jo Bloggs", "--date", "2013-10-01",
                   cwd=tmp_path)
    assert done.returncode == 2
    assert "bad.yaml:2:8: unknown theme 'workfroce' (did you mean 'workforce'?)" in done.stderr.splitlines()
    blank = _template(tmp_path, "workforce", "Halton", "blank.xlsx")
    done = run_cli("theme", "record", str(blank), "--db", db, "--by", "Jo Bloggs", "--date", "2013-10-01",
                   cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("blank.xlsx:1:1: no level answered")
    if "://" not in db:
        assert not Path(db).exists()  # nothing written, not even an empty store


def test_a_third_theme_is_refused_and_a_second_form_supersedes_only_with_a_reason(
    tmp_path: Path, db: str, default_rulebook: sli_rules.Rulebook  # noqa: F811
) -> None:
    _known(db)
    market = _fill_yaml(_template(tmp_path, "market", "Halton", "market.yaml"), HALTON_MARKET)
    workforce = _fill_yaml(_template(tmp_path, "workforce", "Halton", "workforce.yaml"), ["level-1"] * 5)
    for form in (market, workforce):
        done = run_cli("theme", "record", str(form), "--db", db, "--by", "Jo Bloggs", "--date", "2013-10-01")
        assert done.returncode == 0, done.stderr
    # A third theme in the year: a rulebook with one more theme, its form refused by the store.
    root = tmp_path / "rules"
    for folder in ("triggers", "menus", "themes"):
        shutil.copytree(default_rulebook_path() / folder, root / folder)
    third = (root / "themes" / "market.yaml").read_text(encoding="utf-8").replace("id: market", "id: prevention")
    (root / "themes" / "prevention.yaml").write_text(third, encoding="utf-8")
    run_cli("theme", "template", "prevention", "Halton", "--year", "2013-14", "-o", str(tmp_path / "p.yaml"),
            "--rules", str(root))
    _fill_yaml(tmp_path / "p.yaml", HALTON_MARKET)
    before = snapshot(db)
    done = run_cli("theme", "record", str(tmp_path / "p.yaml"), "--db", db, "--by", "Jo Bloggs",
                   "--date", "2013-10-01", "--rules", str(root))
    assert done.returncode == 2
    assert done.stderr == ("sli-rules: Halton has reviews of market and workforce on record for 2013-14: "
                           "at most two themes a year (MoU 2.1 a)\n")
    assert snapshot(db) == before
    again = run_cli("theme", "record", str(market), "--db", db, "--by", "Jo Bloggs", "--date", "2013-10-02")
    assert again.returncode == 2
    assert "give --supersede REASON to replace it" in again.stderr
    assert snapshot(db) == before
    _fill_yaml(market, WIGAN_MARKET)
    replaced = run_cli("theme", "record", str(market), "--db", db, "--by", "Jo Bloggs", "--date", "2013-10-02",
                       "--supersede", "the first form was a draft")
    assert replaced.returncode == 0, replaced.stderr
    with Store(db) as store:
        reviews = store.thematic_reviews("2013-14")
    assert [(review.theme, [element.level for element in review.elements]) for review in reviews] == [
        ("market", WIGAN_MARKET), ("workforce", ["level-1"] * 5)]
    # Dated within the year, by a named person.
    late = run_cli("theme", "record", str(workforce), "--db", db, "--by", "Jo Bloggs", "--date", "2014-04-01",
                   "--supersede", "late")
    assert late.returncode == 2
    assert "a review of 2013-14 is dated within it (2013-04-01 to 2014-03-31), not 2014-04-01" in late.stderr
    with pytest.raises(sli_rules.StoreError, match="who recorded the review"), Store(db) as store:
        store.thematic_review(load_thematic_review(workforce, default_rulebook), by=" ", on="2013-10-01",
                              supersede="again")


# --- into the facts, end to end ------------------------------------------------------------------


def test_a_failed_key_element_flags_entry_16_through_record_and_the_board_report(
    tmp_path: Path, db: str  # noqa: F811
) -> None:
    region = _region_without_thematic_facts(tmp_path)
    _known(db, region)
    halton = _fill_xlsx(_template(tmp_path, "market", "Halton", "halton.xlsx"), HALTON_MARKET)
    wigan = _fill_yaml(_template(tmp_path, "market", "Wigan", "wigan.yaml"), WIGAN_MARKET)
    wigan_workforce = _fill_yaml(_template(tmp_path, "workforce", "Wigan", "wigan-w.yaml"), ["level-4"] * 5)
    for form in (halton, wigan, wigan_workforce):
        done = run_cli("theme", "record", str(form), "--db", db, "--by", "SLI lead", "--date", "2013-09-30")
        assert done.returncode == 0, done.stderr
    assert "key elements below the minimum standard: market-position-statement" in run_cli(
        "theme", "record", str(halton), "--db", db, "--by", "SLI lead", "--date", "2013-09-30",
        "--supersede", "same again").stdout
    assessed = run_cli("assess", str(region), "--db", db, "--format", "json")
    assert assessed.returncode == 0, assessed.stderr
    by_name = {item["authority"]: item for item in json.loads(assessed.stdout)["assessments"]}
    assert "thematic-review-level-1" in {flag["trigger"] for flag in by_name["Halton"]["flags"]}
    with Store(db) as store:
        assert len(store.runs()) == 1  # assess --db reads the store, records nothing
    recorded = run_cli("record", str(region), "--db", db, "--by", "Assessor")
    assert recorded.returncode == 0, recorded.stderr
    with Store(db) as store:
        result = store.result(store.runs()[-1].id)
    items = {item["authority"]: item for item in result["assessments"]}
    flags = {name: {flag["trigger"] for flag in item["flags"]} for name, item in items.items()}
    assert "thematic-review-level-1" in flags["Halton"]
    assert "thematic-review-level-1" not in flags["Wigan"]
    assert "thematic-review-excellence" in flags["Wigan"]  # ten elements at the top level
    gaps = {name: {gap["trigger"] for gap in item["gaps"]} for name, item in items.items()}
    assert "thematic-review-level-1" in gaps["Bolton"]  # no review: unknown, never a clean bill
    assert "thematic-review-level-1" not in gaps["Halton"]
    history = run_cli("history", "Halton", "--db", db).stdout
    assert ("  thematic review of market 2013-09-30 by SLI lead: 1 key element below the minimum standard, "
            "2 at the top level (replacing review 1: same again)") in history
    # Wigan's strengths wait in the excellence directory until it confirms them as an offer.
    listing = run_cli("directory", "list", "--year", "2013-14", "--db", db)
    assert ("  Wigan, market: market-position-statement, provider-failure, personal-budget-market, "
            "fair-price-for-care at the top level of market (review 2)") in listing.stdout
    assert "Wigan, workforce: workforce-strategy, safe-recruitment" in listing.stdout
    added = run_cli("directory", "add", "Wigan", "--year", "2013-14", "--area", "market", "--option", "buddying",
                    "--days", "3", "--by", "Wigan DASS", "--on", "2013-10-01", "--db", db)
    assert added.returncode == 0, added.stderr
    listing = run_cli("directory", "list", "--year", "2013-14", "--db", db)
    assert "Wigan, market:" not in listing.stdout and "Wigan, workforce:" in listing.stdout
    # The Board report from the store: entry 16 on Halton, a section per theme reviewed.
    page = tmp_path / "board.html"
    board = run_cli("report", str(region), "--db", db, "-o", str(page))
    assert board.returncode == 0, board.stderr
    html = page.read_text(encoding="utf-8")
    assert 'id="theme-market"' in html and 'id="theme-workforce"' in html
    assert "Halton falls short of the minimum standard on a key element" in html
    # A fact file that says otherwise than the record is an error naming both.
    clash = run_cli("record", str(EXAMPLE), "--db", db, "--by", "Assessor")
    assert clash.returncode == 2
    assert "halton.yaml:83:" in clash.stderr
    assert "intelligence.thematic_level1_failures is 0 here but 1 by the store's thematic reviews on record" \
           in clash.stderr


def test_the_theme_report_in_every_format(tmp_path: Path, db: str) -> None:  # noqa: F811
    _known(db, _region_without_thematic_facts(tmp_path))
    for authority, levels in (("Halton", HALTON_MARKET), ("Wigan", WIGAN_MARKET)):
        form = _fill_yaml(_template(tmp_path, "market", authority, f"{authority}.yaml"), levels)
        assert run_cli("theme", "record", str(form), "--db", db, "--by", "SLI lead", "--date",
                       "2013-09-30").returncode == 0
    json_out = run_cli("theme", "report", "market", "--year", "2013-14", "--db", db, "--format", "json")
    assert json_out.returncode == 0, json_out.stderr
    data: dict[str, Any] = json.loads(json_out.stdout)
    assert data["reviewed"] == ["Halton", "Wigan"]
    first = data["elements"][0]
    assert first["id"] == "market-position-statement"
    assert first["counts"] == {"not-met": 1, "level-1": 0, "level-2": 0, "level-3": 0, "level-4": 1}
    assert first["top"] == ["Wigan"] and first["below"] == ["Halton"]
    assert data["development"] == [{"authority": "Halton", "key_elements": ["market-position-statement"],
                                    "other_elements": []}]
    assert data["summary"][0] == "2 authorities reviewed the social care market in 2013-14."
    markdown = run_cli("theme", "report", "market", "--year", "2013-14", "--db", db)
    assert "| ◆ A published market position statement, shared with providers | 1 | 0 | 0 | 0 | 1 |" \
           in markdown.stdout
    assert "- Halton: **key: A published market position statement, shared with providers**" in markdown.stdout
    page = tmp_path / "market.html"
    html = run_cli("theme", "report", "market", "--year", "2013-14", "--db", db, "-o", str(page))
    assert html.returncode == 0, html.stderr
    text = page.read_text(encoding="utf-8")
    assert "<svg class=\"spread-bar\"" in text and "http" not in text.split("</head>")[1]
    none = run_cli("theme", "report", "workforce", "--year", "2013-14", "--db", db)
    assert "No authority's review of workforce development is on record for 2013-14" in none.stdout
    unknown = run_cli("theme", "report", "markt", "--year", "2013-14", "--db", db)
    assert unknown.returncode == 2 and "unknown theme 'markt' (did you mean 'market'?)" in unknown.stderr


def test_reviews_survive_export_and_import(tmp_path: Path, db: str) -> None:  # noqa: F811
    _known(db, _region_without_thematic_facts(tmp_path))
    form = _fill_yaml(_template(tmp_path, "market", "Halton", "h.yaml"), HALTON_MARKET)
    assert run_cli("theme", "record", str(form), "--db", db, "--by", "SLI lead", "--date", "2013-09-30").returncode == 0
    exported = tmp_path / "export.json"
    assert run_cli("export", "--db", db, "-o", str(exported)).returncode == 0
    other = str(tmp_path / "restored.db")
    done = run_cli("import", str(exported), "--db", other)
    assert done.returncode == 0, done.stderr
    with Store(db) as first, Store(other) as second:
        assert first.thematic_reviews("2013-14") == second.thematic_reviews("2013-14")
        assert second.thematic_reviews("2013-14")[0].failures[0].id == "market-position-statement"
