"""The data return: the annual risk assessment is made "mostly from data obtained directly" from
the authorities. `data_return_template` writes one workbook per authority and year listing every
fact the rulebook reads (less those a public file already gives), with its definition, unit,
allowed values as a drop-down, valid range, sources and last year's value; only the value and
comment cells are open. `read_data_return` reads a filled workbook back as a fact set, every
problem at its cell (`halton.xlsx:Facts!C12: ...`), so that `assess` reads returns directly and
`collate` turns a region's returns into one fact file.

The workbook: a sheet `Facts` (a header row, then a row per fact: `fact`, `title`, `value`,
`comment`, then what the authority needs to fill it in) and a sheet `About` (what the return is
for, and the template's own list of facts, so that a row added or removed is found); the
authority, code and year are in the file's properties too.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import FactsError, Location, Problem, Problems, did_you_mean
from ..rules.model import HEADINGS, YEAR_PATTERN, Measure, Rulebook, previous_year, year_start
from ..rules.source import display_path
from .factset import Record, new_record
from .reference import council_code, council_name
from .selfassess import facts_read
from .tabular import XLSX_HINT

FACTS_SHEET = "Facts"
ABOUT_SHEET = "About"
MARK = "sli-rules data return"
COLUMNS = (
    "fact", "title", "value", "comment", "unit", "type", "allowed values", "valid range", "last year",
    "definition", "sources",
)
VALUE_COLUMN = COLUMNS.index("value") + 1
COMMENT_COLUMN = COLUMNS.index("comment") + 1
TYPE_COLUMN = COLUMNS.index("type") + 1
# The About sheet: a label and a value per row, then the template's facts from LIST_ROW on.
ABOUT_ROWS = ("return", "authority", "code", "year", "rulebook", "facts")
LIST_ROW = len(ABOUT_ROWS) + 2
BOOLEAN_WORDS = {"yes": True, "true": True, "no": False, "false": False}


@attrs.frozen
class ReturnRow:
    """One fact asked for in a return, with what the authority needs to answer it."""

    fact: str
    title: str
    unit: str
    type: str
    allowed: str
    valid_range: str
    last_year: Any
    definition: str
    sources: str


def facts_asked(rulebook: Rulebook, year: str) -> list[Measure]:
    """The catalogued measures the rulebook's triggers read in a year, in the order the
    triggers read them (Table 2's order), each once."""
    start = year_start(year)
    found: dict[str, Measure] = {}
    known = [*HEADINGS, *(heading for heading in rulebook.headings if heading not in HEADINGS)]
    order = {heading: index for index, heading in enumerate(known)}
    for trigger in sorted(rulebook.triggers, key=lambda trigger: order.get(trigger.heading, len(order))):
        if not trigger.applies_in(year):  # a trigger outside its span of years reads nothing
            continue
        for fact in facts_read(trigger.when):
            measure = rulebook.measures.get(fact)
            if measure is None or measure.id in found:
                continue
            if (measure.since is not None and start < measure.since) or (
                measure.until is not None and start > measure.until
            ):
                continue
            found[measure.id] = measure
    return list(found.values())


def template_rows(
    rulebook: Rulebook,
    year: str,
    *,
    last_year: dict[str, Any] | None = None,
) -> list[ReturnRow]:
    """A row per fact asked for, with what the authority needs to answer it."""
    rows = []
    for measure in facts_asked(rulebook, year):
        allowed = ""
        if measure.type == "category" and measure.values:
            allowed = ", ".join(measure.values)
        elif measure.type == "boolean":
            allowed = "yes, no"
        valid = f"{_number(measure.range[0])} to {_number(measure.range[1])}" if measure.range else ""
        rows.append(
            ReturnRow(
                fact=measure.id,
                title=measure.name,
                unit=measure.unit or "",
                type=measure.type,
                allowed=allowed,
                valid_range=valid,
                last_year=(last_year or {}).get(measure.id),
                definition=" ".join(part for part in (measure.note_in(year) or "", _basis(measure)) if part),
                sources=measure.source or "",
            )
        )
    return rows


def _basis(measure: Measure) -> str:
    return f"(definition: {measure.basis})" if measure.basis else ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def rows_digest(facts: Sequence[str]) -> str:
    return "sha256:" + hashlib.sha256("\n".join(facts).encode()).hexdigest()


def template_bytes(
    rulebook: Rulebook, authority: str, code: str | None, year: str, rows: Sequence[ReturnRow]
) -> bytes:
    """The workbook of a data return, ready to send."""
    try:
        import openpyxl
        from openpyxl.styles import Font, PatternFill, Protection
        from openpyxl.workbook.protection import WorkbookProtection
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:
        message = "writing Excel .xlsx files needs openpyxl, which is not installed"
        raise FactsError([Problem("<arguments>", 0, 0, message, hint=XLSX_HINT)]) from None
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = FACTS_SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    open_fill = PatternFill("solid", fgColor="FFF7D6")
    for row in rows:
        sheet.append([
            row.fact, row.title, None, None, row.unit, row.type, row.allowed, row.valid_range,
            row.last_year, row.definition, row.sources,
        ])
        line = sheet.max_row
        for column in (VALUE_COLUMN, COMMENT_COLUMN):
            cell = sheet.cell(line, column)
            cell.protection = Protection(locked=False)
            cell.fill = open_fill
        _validate(sheet, DataValidation, rulebook.measures[row.fact], f"C{line}")
    for letter, width in zip("ABCDEFGHIJK", (34, 50, 14, 40, 14, 10, 30, 14, 12, 60, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may change; rows and cells may not

    about = workbook.create_sheet(ABOUT_SHEET)
    facts = [row.fact for row in rows]
    for label, value in zip(
        ABOUT_ROWS,
        (MARK, authority, code or "", year, rulebook.digest, f"{len(facts)} ({rows_digest(facts)})"),
        strict=True,
    ):
        about.append([label, value])
    about.append([])
    about.append(["facts asked, in order", None])
    for fact in facts:
        about.append([None, fact])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    about.protection.sheet = True
    workbook.security = WorkbookProtection(lockStructure=True)  # no sheet renamed, added or removed
    workbook.properties.title = f"Data return: {authority} {year}"
    workbook.properties.subject = f"{authority} ({code or 'no code'}), {year}"
    workbook.properties.keywords = f"{MARK}; authority={authority}; code={code or ''}; year={year}"
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _validate(sheet: Any, validation: Any, measure: Measure, cell: str) -> None:
    """The cell's drop-down or range, as Excel enforces it while the authority types."""
    rule = None
    if measure.type == "category" and measure.values:
        rule = validation(type="list", formula1='"' + ",".join(measure.values) + '"', allow_blank=True)
    elif measure.type == "boolean":
        rule = validation(type="list", formula1='"yes,no"', allow_blank=True)
    elif measure.type == "number" and measure.range is not None:
        low, high = measure.range
        rule = validation(type="decimal", operator="between", formula1=_number(low), formula2=_number(high),
                          allow_blank=True)
    elif measure.type == "number":
        rule = validation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300", allow_blank=True)
    if rule is None:
        return
    rule.showErrorMessage = True
    rule.errorTitle = measure.id
    rule.error = f"{measure.name}: {_expected(measure)}"
    sheet.add_data_validation(rule)
    rule.add(cell)


def _expected(measure: Measure) -> str:
    if measure.type == "category":
        return f"one of {', '.join(measure.values or ())}"
    if measure.type == "boolean":
        return "yes or no"
    if measure.range is not None:
        return f"a number from {_number(measure.range[0])} to {_number(measure.range[1])}"
    return "a number"


# --- reading ---------------------------------------------------------------------------


def is_data_return(workbook: Any) -> bool:
    """A workbook made by `data_return_template`, told by its properties or its About sheet
    (so that a renamed sheet is still read as a return, and reported as renamed)."""
    keywords = str(workbook.properties.keywords or "")
    if keywords.startswith(MARK):
        return True
    return ABOUT_SHEET in workbook.sheetnames and workbook[ABOUT_SHEET]["B1"].value == MARK


def _where(shown: str, sheet: str, line: int, column: int) -> Location:
    from openpyxl.utils import get_column_letter

    return Location(f"{shown}:{sheet}!{get_column_letter(column)}{line}", 0, 0)


def read_data_return(file: Path, problems: Problems, **_: Any) -> list[Record]:
    """A filled return as the authority's fact set for its year; every problem at its cell.
    A value is read in the type its row states (a drop-down's yes or no is a boolean); the
    binding that follows checks every value against the catalogue, at its cell."""
    shown = display_path(file)
    try:
        import openpyxl
    except ImportError:
        problems.add(shown, 0, 0, "reading Excel .xlsx files needs openpyxl, which is not installed", hint=XLSX_HINT)
        return []
    try:
        values = openpyxl.load_workbook(file, data_only=True)
        formulas = openpyxl.load_workbook(file, data_only=False)
    except Exception as error:  # openpyxl raises many types for a file that is not a workbook
        problems.add(shown, 0, 0, f"cannot read as an Excel .xlsx workbook: {error}")
        return []
    renamed = [name for name in (FACTS_SHEET, ABOUT_SHEET) if name not in values.sheetnames]
    for name in renamed:
        problems.add(
            shown, 0, 0,
            f"a data return has a sheet named {name!r}; this workbook's sheets are "
            f"{', '.join(repr(sheet) for sheet in values.sheetnames)}",
            hint="a sheet was renamed: use the template as sent, or write a new one with data-return template",
        )
    if renamed:
        return []
    about = _read_about(shown, values[ABOUT_SHEET], problems)
    if about is None:
        return []
    authority, code, year, asked = about
    record = new_record(authority, code, year, Location(f"{shown}:{ABOUT_SHEET}!B2", 0, 0))
    record.origin = shown
    sheet, formula_sheet = values[FACTS_SHEET], formulas[FACTS_SHEET]
    header = [str(cell.value or "").strip() for cell in sheet[1]][: len(COLUMNS)]
    if header != list(COLUMNS):
        problems.add_at(
            _where(shown, FACTS_SHEET, 1, 1),
            f"the header row is {', '.join(header)}, not the template's {', '.join(COLUMNS)}",
            hint="a column was added, removed or renamed: use the template as sent",
        )
        return []
    seen: dict[str, int] = {}
    rows_found: list[str] = []
    for line in range(2, sheet.max_row + 1):
        fact = sheet.cell(line, 1).value
        value = sheet.cell(line, VALUE_COLUMN).value
        comment = sheet.cell(line, COMMENT_COLUMN).value
        if fact is None and value is None and comment is None:
            continue
        fact = str(fact or "").strip()
        if fact not in asked:
            hint = did_you_mean(fact, asked) if fact else None
            problems.add_at(
                _where(shown, FACTS_SHEET, line, 1),
                f"row {line} was added: {fact!r} is not a fact of this return's template" if fact
                else f"row {line} has a value but no fact",
                hint=hint,
            )
            continue
        if fact in seen:
            problems.add_at(_where(shown, FACTS_SHEET, line, 1), f"{fact} is given twice (also on row {seen[fact]})")
            continue
        seen[fact] = line
        rows_found.append(fact)
        written = formula_sheet.cell(line, VALUE_COLUMN).value
        if isinstance(written, str) and written.startswith("=") and value is None:
            problems.add_at(
                _where(shown, FACTS_SHEET, line, VALUE_COLUMN),
                f"{fact}: the cell holds a formula ({written}) with no saved value",
                hint="open the file in Excel and save it, or type the value",
            )
            continue
        if comment is not None and str(comment).strip():
            record.notes[fact] = str(comment).strip()
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # not answered: a gap, not a value
        record.facts[fact] = _typed(value, str(sheet.cell(line, TYPE_COLUMN).value or ""))
        record.fact_locations[fact] = _where(shown, FACTS_SHEET, line, VALUE_COLUMN)
        record.sources[fact] = f"data return {Path(shown).name}, {FACTS_SHEET}!C{line}"
    missing = [fact for fact in asked if fact not in seen]
    if missing:
        problems.add_at(
            _where(shown, FACTS_SHEET, sheet.max_row, 1),
            f"the template's rows for {', '.join(missing)} were removed",
            hint="use the template as sent: leave a value empty rather than remove its row",
        )
    if [fact for fact in rows_found if fact in asked] != [fact for fact in asked if fact in seen]:
        problems.add_at(_where(shown, FACTS_SHEET, 2, 1), "the rows were reordered from the template's order")
    return [record]


def _read_about(shown: str, sheet: Any, problems: Problems) -> tuple[str, str | None, str, list[str]] | None:
    labels = {str(sheet.cell(line, 1).value or "").strip(): line for line in range(1, len(ABOUT_ROWS) + 1)}
    if any(labels.get(label) != line for line, label in enumerate(ABOUT_ROWS, start=1)):
        problems.add_at(_where(shown, ABOUT_SHEET, 1, 1), "the About sheet is not the template's")
        return None

    def value(label: str) -> str:
        return str(sheet.cell(ABOUT_ROWS.index(label) + 1, 2).value or "").strip()

    authority, code, year = value("authority"), value("code") or None, value("year")
    ok = True
    if not authority:
        problems.add_at(_where(shown, ABOUT_SHEET, 2, 2), "the return names no authority")
        ok = False
    if not YEAR_PATTERN.match(year):
        problems.add_at(_where(shown, ABOUT_SHEET, 4, 2), f"year {year!r} is not a financial year like 2013-14")
        ok = False
    if code is not None and authority:
        named = council_name(code)
        known = council_code(authority, year) if YEAR_PATTERN.match(year) else None
        if named is not None and known is not None and known != code:
            problems.add_at(
                _where(shown, ABOUT_SHEET, 3, 2),
                f"code {code} is {named}'s, not {authority}'s ({known})",
            )
            ok = False
    asked = [
        str(sheet.cell(line, 2).value).strip()
        for line in range(LIST_ROW + 1, sheet.max_row + 1)
        if sheet.cell(line, 2).value is not None
    ]
    count = value("facts")
    if not count.startswith(f"{len(asked)} (") or rows_digest(asked) not in count:
        problems.add_at(_where(shown, ABOUT_SHEET, LIST_ROW, 1), "the template's list of facts was changed")
        ok = False
    return (authority, code, year, asked) if ok else None


def _typed(value: Any, kind: str) -> Any:
    """A cell's value in its row's type where the sheet's own is another (a drop-down's yes or
    no is text, a number may be typed as text); anything else is left as it is for the
    catalogue check to report."""
    if isinstance(value, str):
        value = value.strip()
        if kind == "boolean" and value.casefold() in BOOLEAN_WORDS:
            return BOOLEAN_WORDS[value.casefold()]
        if kind == "number":
            try:
                return float(value.replace(",", ""))
            except ValueError:
                return value
    if isinstance(value, int) and not isinstance(value, bool) and kind == "number":
        return float(value)
    return value


def last_year_values(region: Any, authority: str, code: str | None, year: str) -> dict[str, Any]:
    """An authority's values of the year before `year` from a loaded region, by fact id."""
    before = previous_year(year)
    found: dict[str, Any] = {}
    for facts in region.authorities:
        same = (code is not None and facts.code == code) or facts.authority.casefold() == authority.casefold()
        if not same:
            continue
        if facts.year == before:
            found.update(facts.facts)
        elif facts.year == year:
            for fact, value in facts.previous.items():
                found.setdefault(fact, value)
    return found


def returns_in(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.xlsx"))
        else:
            yield path
