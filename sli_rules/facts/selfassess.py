"""Self-assessment (MoU 2.1h): each authority's own view of itself against the concern triggers.

`self_assessment_template` writes a form (Excel with a drop-down per trigger, CSV, or YAML)
listing every concern trigger under its heading, with its title, sources and the evidence it
reads; `load_self_assessment` reads a filled form back, reporting every problem at its place
(`path:line:column: message`), as every other reader does.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import attrs
import yaml

from ..errors import FactsError, Problem, Problems, did_you_mean
from ..output import check_output, write_file
from ..rules.model import (
    HEADINGS,
    YEAR_PATTERN,
    AllOf,
    AnyOf,
    Condition,
    Count,
    FactRef,
    FactTest,
    NotOf,
    Rulebook,
    Trigger,
)
from ..rules.source import display_path, load_documents, read_text
from .tabular import XLSX_HINT, open_workbook

View = Literal["concern", "no_concern", "unsure"]
VIEWS: tuple[View, ...] = ("concern", "no_concern", "unsure")
COLUMNS = ("authority", "code", "year", "heading", "trigger", "title", "sources", "evidence", "view", "comment")
SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")
SHEET = "self-assessment"
_FOLD = re.compile(r"[\s-]+")


@attrs.frozen
class OwnView:
    """An authority's own view on one concern trigger, with its comment."""

    view: View
    comment: str | None = None


@attrs.frozen
class SelfAssessment:
    """An authority's self-assessment for a year: its view per concern trigger answered."""

    authority: str
    code: str | None
    year: str
    views: dict[str, OwnView]


def facts_read(condition: Condition) -> Iterator[str]:
    if isinstance(condition, FactTest):
        yield condition.fact
        for ref in condition.test.refs:
            if isinstance(ref, FactRef):
                yield ref.fact
    elif isinstance(condition, Count):
        yield from condition.facts
    elif isinstance(condition, (AllOf, AnyOf)):
        for item in condition.items:
            yield from facts_read(item)
    elif isinstance(condition, NotOf):
        yield from facts_read(condition.item)


def evidence_of(rulebook: Rulebook, trigger: Trigger) -> list[str]:
    """The measures a trigger reads, by name: the evidence an authority looks at."""
    names: list[str] = []
    for fact in facts_read(trigger.when):
        measure = rulebook.measures.get(fact)
        name = measure.name if measure else fact
        if name not in names:
            names.append(name)
    return names


def concern_triggers(rulebook: Rulebook) -> list[Trigger]:
    """The concern triggers, heading by heading in the rulebook's order."""
    # Table 2's order (outcomes, resources, stakeholders, intelligence), then any other heading.
    known = [*HEADINGS, *(heading for heading in rulebook.headings if heading not in HEADINGS)]
    order = {heading: index for index, heading in enumerate(known)}
    concerns = [trigger for trigger in rulebook.triggers if trigger.is_concern]
    return sorted(concerns, key=lambda trigger: order.get(trigger.heading, len(order)))


def template_rows(rulebook: Rulebook, authority: str, year: str, code: str | None = None) -> list[dict[str, str]]:
    """One row per concern trigger, the view and comment left for the authority to fill."""
    return [
        {
            "authority": authority,
            "code": code or "",
            "year": year,
            "heading": trigger.heading_title,
            "trigger": trigger.id,
            "title": trigger.title,
            "sources": "; ".join(trigger.sources),
            "evidence": "; ".join(evidence_of(rulebook, trigger)),
            "view": "",
            "comment": "",
        }
        for trigger in concern_triggers(rulebook)
    ]


def self_assessment_template(
    rulebook: Rulebook,
    authority: str,
    year: str,
    path: str | Path,
    *,
    code: str | None = None,
    force: bool = False,
) -> Path:
    """Write a blank self-assessment form for an authority and year: `.xlsx` (a drop-down
    per trigger), `.csv` or `.yaml`, told by the file's suffix. A file that exists may be a
    filled form: it is replaced only with `force` (an `OSError` names it otherwise)."""
    path = Path(path)
    problems = Problems()
    if not YEAR_PATTERN.match(year):
        problems.add(str(path), 1, 1, f"year {year!r} is not a financial year like 2013-14")
    if not authority.strip():
        problems.add(str(path), 1, 1, "the authority is empty")
    if path.suffix.lower() not in SUFFIXES:
        wrong = path.suffix or "no suffix"
        problems.add(str(path), 1, 1, f"a template is written as {', '.join(SUFFIXES)}, not {wrong!r}")
    problems.raise_if_errors(FactsError)
    reads = [Path(rulebook.path) / "triggers", Path(rulebook.path) / "menus"]
    check_output(path, reads=reads, replace=force)  # before the form is made
    rows = template_rows(rulebook, authority.strip(), year, code)
    suffix = path.suffix.lower()
    data: str | bytes
    if suffix == ".xlsx":
        data = _xlsx_bytes(path, rows)
    elif suffix == ".csv":
        data = form_csv(COLUMNS, rows)
    else:
        document = {
            "kind": "self-assessment",
            "authority": authority.strip(),
            "code": code,
            "year": year,
            "views": [
                {
                    "trigger": row["trigger"],
                    "heading": row["heading"],
                    "title": row["title"],
                    "sources": row["sources"],
                    "evidence": row["evidence"],
                    "view": None,
                    "comment": None,
                }
                for row in rows
            ],
        }
        header = f"# Self-assessment: for each trigger, view is one of {', '.join(VIEWS)}.\n"
        data = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    write_file(path, data, reads=reads, replace=force)
    return path


def _xlsx_bytes(path: Path, rows: list[dict[str, str]]) -> bytes:
    return form_workbook(
        path, SHEET, COLUMNS, rows, choice=("view", VIEWS, "Own view"), widths=(22, 12, 9, 16, 30, 50, 40, 50, 12, 50)
    )


def form_csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    """A form as CSV: a header of `columns`, then a row each."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue()


def form_workbook(
    path: Path,
    sheet_name: str,
    columns: tuple[str, ...],
    rows: list[dict[str, str]],
    *,
    choice: tuple[str, tuple[str, ...], str],
    widths: tuple[int, ...],
) -> bytes:
    """A form as an Excel workbook: a header row, one row per item, and a drop-down of the
    allowed answers (`choice`: the column, the answers, the drop-down's title) on every row."""
    try:
        import openpyxl
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:
        message = "writing Excel .xlsx files needs openpyxl, which is not installed"
        raise FactsError([Problem(str(path), 1, 1, message, hint=XLSX_HINT)]) from None
    column_name, answers, title = choice
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row[column] for column in columns])
    letter = openpyxl.utils.get_column_letter(columns.index(column_name) + 1)
    drop_down = DataValidation(
        type="list",
        formula1='"' + ",".join(answers) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=f"Choose one of: {', '.join(answers)}",
    )
    sheet.add_data_validation(drop_down)
    if rows:
        drop_down.add(f"{letter}2:{letter}{len(rows) + 1}")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    made = io.BytesIO()
    workbook.save(made)
    return made.getvalue()


# --- reading ---------------------------------------------------------------------------

Cell = tuple[Any, int, int]  # value, line, column


def load_self_assessment(path: str | Path, rulebook: Rulebook | None = None) -> SelfAssessment:
    """Read a filled self-assessment (.xlsx, .csv or .yaml). Every problem is reported at
    once as FactsError: unknown triggers (with did-you-mean), unknown views, a missing or
    mixed authority or year, a trigger answered twice."""
    if rulebook is None:
        from ..rules.load import load_rulebook

        rulebook = load_rulebook()
    file = Path(path)
    shown = display_path(file)
    problems = Problems()
    rows = read_form(file, shown, problems, table=form_rows, yaml_rows=_yaml_rows, name="a self-assessment")
    if not rows:
        problems.raise_if_errors(FactsError)
    result = _assemble(shown, rows, rulebook, problems)
    problems.raise_if_errors(FactsError)
    assert result is not None
    return result


def _assemble(shown: str, rows: list[dict[str, Cell]], rulebook: Rulebook, problems: Problems) -> SelfAssessment | None:
    concerns = {trigger.id for trigger in rulebook.triggers if trigger.is_concern}
    excellence = {trigger.id for trigger in rulebook.triggers if not trigger.is_concern}
    authority: tuple[str, int, int] | None = None
    code: str | None = None
    year: tuple[str, int, int] | None = None
    views: dict[str, OwnView] = {}
    seen: dict[str, int] = {}
    if not rows:
        problems.add(shown, 1, 1, "the self-assessment lists no triggers")
    for row in rows:
        name, line, column = row.get("authority", ("", 1, 1))
        name = str(name or "").strip()
        if not name:
            problems.add(shown, line, column, "no authority given")
        elif authority is None:
            authority = (name, line, column)
        elif name != authority[0]:
            message = f"authority {name!r} differs from {authority[0]!r} at line {authority[1]}"
            problems.add(shown, line, column, message)
        code_value = str(row.get("code", ("", 1, 1))[0] or "").strip()
        code = code or code_value or None
        value, line, column = row.get("year", ("", 1, 1))
        text = str(value or "").strip()
        if not YEAR_PATTERN.match(text) or int(text[5:]) != (int(text[:4]) + 1) % 100:
            problems.add(shown, line, column, f"year {text!r} is not a financial year like 2013-14")
        elif year is None:
            year = (text, line, column)
        elif text != year[0]:
            problems.add(shown, line, column, f"year {text!r} differs from {year[0]!r} at line {year[1]}")
        trigger, line, column = row.get("trigger", ("", 1, 1))
        trigger = str(trigger or "").strip()
        view_value, view_line, view_column = row.get("view", ("", line, 1))
        if not trigger:
            problems.add(shown, line, column, "no trigger given")
            continue
        if trigger in excellence:
            problems.add(shown, line, column, f"{trigger!r} is an excellence signal, not a concern trigger")
            continue
        if trigger not in concerns:
            problems.add(shown, line, column, f"unknown trigger {trigger!r}", hint=did_you_mean(trigger, concerns))
            continue
        if trigger in seen:
            problems.add(shown, line, column, f"trigger {trigger!r} is answered twice (first at line {seen[trigger]})")
            continue
        seen[trigger] = line
        if view_value is None or str(view_value).strip() == "":
            continue  # not answered
        view = _FOLD.sub("_", str(view_value).strip().casefold())
        if view not in VIEWS:
            problems.add(
                shown,
                view_line,
                view_column,
                f"unknown view {view_value!r}; one of {', '.join(VIEWS)}",
                hint=did_you_mean(view, VIEWS),
            )
            continue
        comment = str(row.get("comment", ("", 1, 1))[0] or "").strip() or None
        views[trigger] = OwnView(view, comment)
    if authority is None or year is None:
        return None
    return SelfAssessment(authority[0], code, year[0], views)


def _table(
    shown: str,
    records: Iterable[tuple[int, list[tuple[Any, int]]]],
    problems: Problems,
    required: tuple[str, ...] = ("authority", "year", "trigger", "view"),
    columns: tuple[str, ...] = COLUMNS,
) -> list[dict[str, Cell]]:
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        problems.add(shown, 1, 1, "the file is empty")
        return []
    header_line, header = first
    names = [(str(name).strip().casefold(), column) for name, column in header]
    missing = [column for column in required if column not in {n for n, _ in names}]
    if missing:
        problems.add(shown, header_line, 1, f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
                     hint=f"columns: {', '.join(columns)}")
        return []
    rows = []
    for line, cells in iterator:
        if all(value in (None, "") for value, _ in cells):
            continue
        row: dict[str, Cell] = {}
        for index, (name, column) in enumerate(names):
            value, at = cells[index] if index < len(cells) else ("", column)
            row[name] = (value, line, at)
        rows.append(row)
    return rows


def read_form(
    file: Path,
    shown: str,
    problems: Problems,
    *,
    table: Callable[[Path, str, Problems], list[dict[str, Cell]]],
    yaml_rows: Callable[[Path, Problems], list[dict[str, Cell]]],
    name: str,
) -> list[dict[str, Cell]]:
    """A filled form's rows, read by its suffix: `table` reads .xlsx and .csv, `yaml_rows`
    .yaml (and .json); anything else is a problem naming the forms `name` takes."""
    suffix = file.suffix.lower()
    if not file.is_file():
        problems.add(shown, 1, 1, "no such file")
    elif suffix in (".xlsx", ".csv"):
        return table(file, shown, problems)
    elif suffix in (".yaml", ".yml", ".json"):
        return yaml_rows(file, problems)
    else:
        problems.add(shown, 1, 1, f"{name} is .xlsx, .csv or .yaml, not {suffix or 'no suffix'!r}")
    return []


def form_rows(
    file: Path,
    shown: str,
    problems: Problems,
    *,
    sheet_name: str = SHEET,
    required: tuple[str, ...] = ("authority", "year", "trigger", "view"),
    columns: tuple[str, ...] = COLUMNS,
) -> list[dict[str, Cell]]:
    """A filled form's rows (.csv, or .xlsx from the sheet `sheet_name`, else its first), each
    cell with its place, keyed by the header's column names; `required` columns must be there."""
    if file.suffix.lower() == ".csv":
        from .tabular import csv_rows

        text = read_text(file, problems)
        if text is None:
            return []
        return _table(shown, csv_rows(text), problems, required, columns)
    workbook = open_workbook(file, shown, problems)
    if workbook is None:
        return []
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        records = [
            (line, [("" if value is None else value, column) for column, value in enumerate(values, start=1)])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return _table(shown, records, problems, required, columns)


def _yaml_rows(file: Path, problems: Problems) -> list[dict[str, Cell]]:
    return form_yaml_rows(
        file, problems, kind="self-assessment", name="a self-assessment", list_key="views",
        list_says="a list of triggers with a view", top=("authority", "code", "year"),
        fields=("trigger", "view", "comment"), shown=("heading", "title", "sources", "evidence"),
    )


def form_yaml_rows(
    file: Path,
    problems: Problems,
    *,
    kind: str,
    name: str,
    list_key: str,
    list_says: str,
    top: tuple[str, ...],
    fields: tuple[str, ...],
    shown: tuple[str, ...],
    top_checked: bool = False,
) -> list[dict[str, Cell]]:
    """A YAML form's rows, as the table readers give them: each of its `list_key` items read
    for its `fields` (the answer, the last but one, placed at the item when it is missing),
    beside the form's `top` values; `shown` keys are the template's, read past. An unknown key
    is an error at its place (and at the top too where `top_checked`)."""
    documents = load_documents(file, problems)
    if not documents:
        return []
    document = documents[0]
    data = document.data
    if not isinstance(data, dict) or data.get("kind") != kind:
        document.problem(problems, (), f"not {name}: 'kind: {kind}' expected")
        return []
    if top_checked:
        for key in sorted(set(data) - {"kind", *top, list_key}):
            document.problem(problems, (key,), f"unknown key {key!r}", key=True,
                             hint=did_you_mean(key, [*top, list_key]))
    items = data.get(list_key)
    if not isinstance(items, list):
        document.problem(problems, (list_key,), f"'{list_key}' must be {list_says}")
        return []

    def cell(where: tuple[Any, ...], value: Any) -> Cell:
        line, column = document.at(where)
        return (value, line, column)

    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            document.problem(problems, (list_key, index), f"each of '{list_key}' is a mapping: {', '.join(fields)}")
            continue
        for key in sorted(set(item) - {*fields, *shown}):
            document.problem(problems, (list_key, index, key), f"unknown key {key!r}", key=True,
                             hint=did_you_mean(key, fields))
        row = {key: cell((key,), data.get(key)) for key in top}
        for key in fields:
            row[key] = cell((list_key, index, key) if key in item else (list_key, index), item.get(key))
        rows.append(row)
    return rows
