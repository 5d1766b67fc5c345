"""Thematic reviews (MoU 2.1 a, Table 2 entry 16): each authority's self-assessment against
up to two themes a year, the facts they give the assessment, and the region's picture per theme.

`thematic_review_template` writes a form (Excel with a drop-down of `not-met` and the theme's
levels, CSV, or YAML) with one row per element; `load_thematic_review` reads a filled form
back, every problem at its place, as the self-assessment's reader does (it shares its table
machinery). `thematic_facts` turns recorded reviews into the facts entry 16 reads
(`sli_rules.facts.picture` pulls one theme's reviews together for the Board).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from ..errors import FactsError, Location, Problems, did_you_mean
from ..output import check_output, write_file
from ..rules.model import YEAR_PATTERN, Rulebook
from ..rules.source import display_path
from ..rules.themes import NOT_MET, Theme
from .factset import AuthorityFacts, Region, name_key
from .reference import council_code, membership
from .selfassess import Cell, form_csv, form_rows, form_workbook, form_yaml_rows, read_form

COLUMNS = ("authority", "code", "year", "theme", "element", "title", "key", "descriptors", "level", "evidence")
REQUIRED = ("authority", "year", "theme", "element", "level")
SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")
SHEET = "thematic-review"
THEMES_A_YEAR = 2  # MoU 2.1 a: "self-assessments (up to two per year)"
FAILURES = "intelligence.thematic_level1_failures"
TOP_LEVEL = "intelligence.thematic_top_level_elements"


@attrs.frozen
class ReviewedElement:
    """One element of a theme as an authority rated it: a level of the theme, or `not-met`."""

    id: str
    title: str
    key: bool
    level: str
    evidence: str | None = None


@attrs.frozen
class ThematicReview:
    """An authority's self-assessment against one theme in a year, with the theme's levels as
    they stood when it was read (so that a record reads the same after the theme is edited)."""

    theme: str
    theme_title: str
    levels: tuple[str, ...]  # least to most developed; the first is the minimum standard
    authority: str
    code: str | None
    year: str
    elements: tuple[ReviewedElement, ...]
    area: str | None = None  # the theme's area in the excellence directory
    event: int | None = None  # where it is on record: the store's event, who and when
    by: str | None = None
    on: str | None = None

    @property
    def key(self) -> str:
        return self.code or self.authority

    @property
    def failures(self) -> tuple[ReviewedElement, ...]:
        """Key elements below the minimum standard: Table 2 entry 16."""
        return tuple(element for element in self.elements if element.key and element.level == NOT_MET)

    @property
    def top_level(self) -> tuple[ReviewedElement, ...]:
        """Elements at the theme's top level: strengths to offer to others."""
        return tuple(element for element in self.elements if element.level == self.levels[-1])

    def to_data(self) -> dict[str, Any]:
        """What the store keeps of it."""
        return {
            "theme": self.theme,
            "theme_title": self.theme_title,
            "levels": list(self.levels),
            "area": self.area,
            "elements": [attrs.asdict(element) for element in self.elements],
        }

    @classmethod
    def from_data(
        cls, data: dict[str, Any], *, authority: str, code: str | None, year: str,
        event: int | None = None, by: str | None = None, on: str | None = None,
    ) -> ThematicReview:
        return cls(
            theme=data["theme"],
            theme_title=data["theme_title"],
            levels=tuple(data["levels"]),
            authority=authority,
            code=code,
            year=year,
            elements=tuple(ReviewedElement(**element) for element in data["elements"]),
            area=data.get("area"),
            event=event,
            by=by,
            on=on,
        )


# --- the form ----------------------------------------------------------------------------


def answers_of(theme: Theme) -> tuple[str, ...]:
    """What the form's drop-down offers: below the minimum, then the theme's levels."""
    return (NOT_MET, *theme.levels)


def choose_theme(rulebook: Rulebook, theme_id: str, year: str, where: Location, problems: Problems) -> Theme | None:
    """The rulebook's theme of that id running in `year`, or None with the problem added."""
    theme = rulebook.themes.get(theme_id)
    if theme is None:
        known = sorted(rulebook.themes)
        hint = did_you_mean(theme_id, known) or (f"themes: {', '.join(known)}" if known else "the rulebook has none")
        problems.add(*where, f"unknown theme {theme_id!r}", hint=hint)
        return None
    if not theme.runs_in(year):
        problems.add(*where, f"theme {theme_id!r} runs in {', '.join(theme.years)}, not {year}")
        return None
    return theme


def template_rows(theme: Theme, authority: str, year: str, code: str | None) -> list[dict[str, str]]:
    return [
        {
            "authority": authority,
            "code": code or "",
            "year": year,
            "theme": theme.id,
            "element": element.id,
            "title": element.title,
            "key": "yes" if element.key else "",
            "descriptors": "\n".join(f"{level}: {element.descriptors[level]}" for level in theme.levels
                                     if level in element.descriptors),
            "level": "",
            "evidence": "",
        }
        for element in theme.elements
    ]


def thematic_review_template(
    rulebook: Rulebook,
    theme_id: str,
    authority: str,
    year: str,
    path: str | Path,
    *,
    code: str | None = None,
    force: bool = False,
) -> Path:
    """Write a blank thematic review form for an authority, theme and year: `.xlsx` (a
    drop-down of `not-met` and the theme's levels), `.csv` or `.yaml`, told by the suffix. An
    existing file is never written over unless `force` (it may be a filled form)."""
    path = Path(path)
    shown = display_path(path)
    problems = Problems()
    here = Location("<arguments>", 1, 1)
    if not YEAR_PATTERN.match(year) or int(year[5:]) != (int(year[:4]) + 1) % 100:
        problems.add(*here, f"year {year!r} is not a financial year like 2013-14")
        theme = None
    else:
        theme = choose_theme(rulebook, theme_id, year, here, problems)
    if not authority.strip():
        problems.add(*here, "the authority is empty")
    if path.suffix.lower() not in SUFFIXES:
        problems.add(shown, 1, 1, f"a form is written as {', '.join(SUFFIXES)}, not {path.suffix or 'no suffix'!r}")
    if theme is not None and authority.strip() and not code and council_code(authority, year) is None:
        councils = [member.name for member in membership() if member.in_year(year)]
        problems.add(*here, f"no council named {authority.strip()!r} in {year}",
                     hint=did_you_mean(authority.strip(), councils) or "give its ONS code with --code")
    problems.raise_if_errors(FactsError)
    assert theme is not None
    reads = [Path(rulebook.path) / "themes"]
    check_output(path, reads=reads, replace=force)  # before the form is made: it may be a filled one
    authority = authority.strip()
    code = code or council_code(authority, year)
    rows = template_rows(theme, authority, year, code)
    suffix = path.suffix.lower()
    data: str | bytes
    if suffix == ".xlsx":
        data = form_workbook(
            path, SHEET, COLUMNS, rows, choice=("level", answers_of(theme), theme.title),
            widths=(22, 12, 9, 12, 28, 50, 6, 70, 12, 60),
        )
    elif suffix == ".csv":
        data = form_csv(COLUMNS, rows)
    else:
        document = {
            "kind": "thematic-review",
            "theme": theme.id,
            "authority": authority,
            "code": code,
            "year": year,
            "elements": [
                {"element": row["element"], "title": row["title"], "key": bool(row["key"]), "level": None,
                 "evidence": None}
                for row in rows
            ],
        }
        header = (
            f"# Thematic review: {theme.title}. For each element, level is one of {', '.join(answers_of(theme))}\n"
            f"# ({theme.levels[0]} is the minimum standard; {NOT_MET}: below it). What each level looks like:\n"
            + "".join(
                f"#   {element.id}, {level}: {element.descriptors[level]}\n"
                for element in theme.elements for level in theme.levels if level in element.descriptors
            )
        )
        data = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    write_file(path, data, reads=reads, replace=force)
    return path


# --- reading a filled form ------------------------------------------------------------------


def load_thematic_review(path: str | Path, rulebook: Rulebook | None = None) -> ThematicReview:
    """Read a filled thematic review form (.xlsx, .csv or .yaml). Every problem is reported at
    once as FactsError: an unknown theme, element or level (with did-you-mean), an element
    answered twice or not at all, a missing or mixed authority, theme or year."""
    if rulebook is None:
        from ..rules.load import load_rulebook

        rulebook = load_rulebook()
    file = Path(path)
    shown = display_path(file)
    problems = Problems()
    rows = read_form(file, shown, problems, table=_table_rows, yaml_rows=_yaml_rows, name="a thematic review")
    if not rows:
        if not problems.has_errors:
            problems.add(shown, 1, 1, "the form lists no elements")
        problems.raise_if_errors(FactsError)
    review = _assemble(shown, rows, rulebook, problems)
    problems.raise_if_errors(FactsError)
    assert review is not None
    return review


def _same(
    shown: str, problems: Problems, row: dict[str, Cell], name: str, first: tuple[str, int, int] | None
) -> tuple[str, int, int] | None:
    """A value every row must give alike (the authority, the year, the theme): the first one."""
    value, line, column = row.get(name, ("", 1, 1))
    text = str(value or "").strip()
    if not text:
        problems.add(shown, line, column, f"no {name} given")
        return first
    if first is None:
        return (text, line, column)
    if text != first[0]:
        problems.add(shown, line, column, f"{name} {text!r} differs from {first[0]!r} at line {first[1]}")
    return first


def _assemble(shown: str, rows: list[dict[str, Cell]], rulebook: Rulebook, problems: Problems) -> ThematicReview | None:
    authority = year = theme_at = None
    code: str | None = None
    for row in rows:
        authority = _same(shown, problems, row, "authority", authority)
        year = _same(shown, problems, row, "year", year)
        theme_at = _same(shown, problems, row, "theme", theme_at)
        code = code or str(row.get("code", ("", 1, 1))[0] or "").strip() or None
    if year is not None and (not YEAR_PATTERN.match(year[0]) or int(year[0][5:]) != (int(year[0][:4]) + 1) % 100):
        problems.add(shown, year[1], year[2], f"year {year[0]!r} is not a financial year like 2013-14")
        return None
    if authority is None or year is None or theme_at is None:
        return None
    theme = choose_theme(rulebook, theme_at[0], year[0], Location(shown, theme_at[1], theme_at[2]), problems)
    if theme is None:
        return None
    known = {element.id: element for element in theme.elements}
    answers = answers_of(theme)
    rated: dict[str, ReviewedElement] = {}
    seen: dict[str, int] = {}
    for row in rows:
        element_id, line, column = row.get("element", ("", 1, 1))
        element_id = str(element_id or "").strip()
        if not element_id:
            problems.add(shown, line, column, "no element given")
            continue
        element = known.get(element_id)
        if element is None:
            problems.add(shown, line, column, f"unknown element {element_id!r} of theme {theme.id!r}",
                         hint=did_you_mean(element_id, known))
            continue
        if element_id in seen:
            message = f"element {element_id!r} is answered twice (first at line {seen[element_id]})"
            problems.add(shown, line, column, message)
            continue
        seen[element_id] = line
        value, level_line, level_column = row.get("level", ("", line, 1))
        level = str(value or "").strip().casefold().replace(" ", "-")
        if not level:
            continue  # told below, once for the whole form or element by element
        if level not in answers:
            problems.add(shown, level_line, level_column, f"unknown level {value!r}; one of {', '.join(answers)}",
                         hint=did_you_mean(level, answers))
            continue
        evidence = str(row.get("evidence", ("", 1, 1))[0] or "").strip() or None
        rated[element_id] = ReviewedElement(element.id, element.title, element.key, level, evidence)
    unanswered = [row for row in rows if str(row.get("element", ("",))[0] or "").strip() in known
                  and str(row.get("level", ("",))[0] or "").strip() == ""]
    if seen and len(unanswered) == len(seen):
        problems.add(shown, 1, 1, "no level answered: rate each element (or not-met below the minimum standard)")
        return None
    for row in unanswered:
        element_id = str(row["element"][0]).strip()
        _, line, column = row.get("level", ("", row["element"][1], row["element"][2]))
        problems.add(shown, line, column, f"no level given for element {element_id!r}",
                     hint=f"one of {', '.join(answers)}")
    missing = [element.id for element in theme.elements if element.id not in seen]
    if missing:
        problems.add(shown, 1, 1, f"the form leaves out element{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                     hint="write a fresh form with `sli-rules theme template`")
    return ThematicReview(
        theme=theme.id,
        theme_title=theme.title,
        levels=theme.levels,
        authority=authority[0],
        code=code,
        year=year[0],
        elements=tuple(rated[element.id] for element in theme.elements if element.id in rated),
        area=theme.area,
    )


def _table_rows(file: Path, shown: str, problems: Problems) -> list[dict[str, Cell]]:
    return form_rows(file, shown, problems, sheet_name=SHEET, required=REQUIRED, columns=COLUMNS)


def _yaml_rows(file: Path, problems: Problems) -> list[dict[str, Cell]]:
    return form_yaml_rows(
        file, problems, kind="thematic-review", name="a thematic review", list_key="elements",
        list_says="a list of elements with a level", top=("authority", "code", "year", "theme"),
        fields=("element", "level", "evidence"), shown=("title", "key"), top_checked=True,
    )


# --- into the facts -------------------------------------------------------------------------


def thematic_facts(reviews: Iterable[ThematicReview]) -> dict[tuple[str, str], tuple[dict[str, int], str]]:
    """What recorded reviews tell the assessment, by (authority key, year): the facts entry 16
    and the excellence signal read, and where they come from. Without a review an authority
    has none: a gap, never a clean bill."""
    by_authority: dict[tuple[str, str], list[ThematicReview]] = {}
    for review in reviews:
        by_authority.setdefault((review.key, review.year), []).append(review)
    found = {}
    for key, of_year in by_authority.items():
        facts = {
            FAILURES: sum(len(review.failures) for review in of_year),
            TOP_LEVEL: sum(len(review.top_level) for review in of_year),
        }
        source = "thematic reviews on record: " + ", ".join(
            f"{review.theme}" + (f" (event {review.event}, {review.on}, by {review.by})" if review.event else "")
            for review in sorted(of_year, key=lambda review: review.theme)
        )
        found[key] = (facts, source)
    return found


def with_thematic_facts(region: Region, reviews: Sequence[ThematicReview]) -> Region:
    """The region with each reviewed authority's thematic facts added. A fact file giving one
    of them already must agree with the record: a different value is an error naming both."""
    found = thematic_facts(reviews)
    by_name = {(name_key(review.authority), review.year): (review.key, review.year) for review in reviews}
    problems = Problems()
    authorities = []
    for item in region.authorities:
        key = (item.code, item.year) if item.code and (item.code, item.year) in found else None
        key = key or by_name.get((name_key(item.authority), item.year))
        if key is None or key not in found:
            authorities.append(item)
            continue
        facts, source = found[key]
        for fact, value in facts.items():
            given = item.facts.get(fact)
            if given is not None and given != value:
                path, line, column = item.fact_locations.get(fact, item.location)
                problems.add(path, line, column,
                             f"{fact} is {given!r} here but {value!r} by the store's {source}",
                             hint="the recorded reviews are the record: remove the value from the fact file")
        authorities.append(_evolved(item, facts, source))
    problems.raise_if_errors(FactsError)
    return attrs.evolve(region, authorities=tuple(authorities))


def _evolved(item: AuthorityFacts, facts: dict[str, int], source: str) -> AuthorityFacts:
    return attrs.evolve(
        item,
        facts={**item.facts, **facts},
        sources={**item.sources, **dict.fromkeys(facts, source)},
    )
