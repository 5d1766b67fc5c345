"""The fact-set model: each authority's facts for a year, the region they are assessed in,
the same region bound to a rulebook's catalogue, and the shapes readers produce on the way."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from ..errors import FactsError, Location, Problem, Problems
from ..rules.model import YEAR_PATTERN, Rulebook, previous_year, year_start

IN_MEMORY = Location("<memory>", 1, 1)  # where facts made in Python, not read from a file, are

_NAME_FOLD = re.compile(r"[^a-z0-9]+")
ALL_YEARS = "all"  # as the one item of a list of years to assess: every year the facts hold


def name_key(name: str) -> str:
    """Names compared loosely: 'St. Helens', 'St Helens' and 'st helens ' are one council."""
    return _NAME_FOLD.sub(" ", name.casefold()).strip()


def name_keys(name: str) -> set[str]:
    """The loose forms a council's name is known by: ONS names such as 'Bristol, City of' are
    also known by what comes before the comma."""
    return {name_key(name), name_key(name.split(",", 1)[0])}


def year_problem(year: Any) -> tuple[str, str | None] | None:
    """Why `year` is not a financial year like 2013-14, with a suggestion; None when it is."""
    if isinstance(year, str) and YEAR_PATTERN.match(year) and int(year[5:]) == (year_start(year) + 1) % 100:
        return None
    text = year.strip() if isinstance(year, str) else year
    suggestion = None
    if isinstance(text, int) and not isinstance(text, bool) and 1900 <= text <= 2999:
        suggestion = text
    elif isinstance(text, str) and (found := re.fullmatch(r"(\d{4})(?:\s*[-/]\s*(?:\d{2}|\d{4}))?", text)):
        suggestion = int(found.group(1))
    hint = f"write '{suggestion}-{(suggestion + 1) % 100:02d}'" if suggestion is not None else None
    if isinstance(year, str):
        return f"year {year!r} is not a financial year like 2013-14", hint
    what = "a number" if isinstance(year, (int, float)) and not isinstance(year, bool) else type(year).__name__
    return f"year {year!r} is {what}, not a financial year written like '2013-14'", hint


class _Named(Protocol):
    @property
    def authority(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def year(self) -> str: ...


NamedT = TypeVar("NamedT", bound=_Named)


def latest_named(items: Iterable[NamedT], name_or_code: str) -> NamedT | None:
    """The item of an authority, by ONS code or by name loosely compared, latest year first."""
    wanted = name_key(name_or_code)
    code = name_or_code.strip().upper()
    matches = [item for item in items if item.code == code or name_key(item.authority) == wanted]
    if not matches:
        matches = [item for item in items if wanted in name_keys(item.authority)]
    return max(matches, key=lambda item: year_start(item.year)) if matches else None


@attrs.frozen
class Count:
    """The counts behind a proportion or a rate: events (or people) over the population."""

    numerator: int
    denominator: int


def count_problem(numerator: Any, denominator: Any) -> str | None:
    """Why a numerator and denominator cannot be counts; None when they can."""
    for name, value in (("numerator", numerator), ("denominator", denominator)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"the {name} is not a number"
        if isinstance(value, float) and not math.isfinite(value):
            return f"the {name} is not a finite number"
        if value < 0:
            return f"the {name} {value:g} is negative"
        if value != int(value):
            return f"the {name} {value:g} is not a whole number"
    if denominator == 0:
        return "the denominator is 0"
    if numerator > denominator:
        return f"the numerator {numerator:g} is above its denominator {denominator:g}"
    return None


# The type of council an ONS code names, by its prefix.
COUNCIL_TYPES = {
    "E06": "unitary",
    "E07": "district",
    "E08": "metropolitan_district",
    "E09": "london_borough",
    "E10": "county",
}


def council_type_of(code: str | None) -> str | None:
    """'unitary', 'metropolitan_district', 'london_borough', 'county' or 'district' for an
    English council's ONS code, else None."""
    return COUNCIL_TYPES.get(code[:3]) if code and len(code) == 9 else None


@attrs.frozen
class AuthorityFacts:
    """One authority's facts for one year, with the place each fact came from."""

    authority: str
    code: str | None
    year: str
    facts: dict[str, Any] = attrs.field(repr=False)
    previous: dict[str, Any] = attrs.field(repr=False, factory=dict)
    comparators: tuple[str, ...] = ()
    notes: dict[str, str] = attrs.field(repr=False, factory=dict)
    sources: dict[str, str] = attrs.field(repr=False, factory=dict)
    location: Location = IN_MEMORY
    # Where each value was written (read from a file: found when first looked up).
    fact_locations: Mapping[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    previous_locations: Mapping[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    comparator_locations: tuple[Location, ...] = attrs.field(repr=False, default=(), eq=False)
    # Where each fact's id is written, where it differs from its value's place (a YAML key):
    # a problem with the id itself, such as an unknown fact, is reported there.
    fact_key_locations: Mapping[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    previous_key_locations: Mapping[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    # The counts behind a fact's value (a published numerator and denominator).
    counts: dict[str, Count] = attrs.field(repr=False, factory=dict)
    count_locations: Mapping[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    # Values of earlier years: fact id → year → value (the year before included).
    history: dict[str, dict[str, Any]] = attrs.field(repr=False, factory=dict)
    history_locations: Mapping[str, Mapping[str, Location]] = attrs.field(repr=False, factory=dict, eq=False)
    council_type: str | None = None  # from the ONS code: see COUNCIL_TYPES
    # The counts behind earlier years' values: fact id → year → counts (the year before
    # included), for the tests that compare two years or judge a trend as samples.
    history_counts: dict[str, dict[str, Count]] = attrs.field(repr=False, factory=dict)
    history_count_locations: Mapping[str, Mapping[str, Location]] = attrs.field(repr=False, factory=dict, eq=False)
    # Values of a national file that binding left out as implausible, with why: fact id →
    # year → reason. A trigger that cannot be judged without one names the reason in its gap.
    left_out: dict[str, dict[str, str]] = attrs.field(repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        # Built by hand in a host program as often as by the readers: a bad field is a located
        # FactsError, never a ValueError from deep inside the engine.
        found = []
        path, line, column = self.location
        if not isinstance(self.authority, str) or not self.authority.strip():
            found.append(Problem(path, line, column, f"authority {self.authority!r} is not a name"))
        if self.code is not None and not isinstance(self.code, str):
            found.append(Problem(path, line, column, f"code {self.code!r} is not an ONS code as text"))
        wrong_year = year_problem(self.year)
        if wrong_year is not None:
            found.append(Problem(path, line, column, wrong_year[0], hint=wrong_year[1]))
        for name in ("facts", "previous", "notes", "sources", "counts", "history", "history_counts"):
            value = getattr(self, name, {})
            if not isinstance(value, dict):
                shown = type(value).__name__
                found.append(Problem(path, line, column, f"{name} is a mapping of fact ids, not {shown}"))
        if found:
            raise FactsError(found)

    @property
    def key(self) -> str:
        return self.code or self.authority

    @property
    def previous_counts(self) -> dict[str, Count]:
        """The counts behind last year's values, by fact id."""
        before = previous_year(self.year)
        return {fact: years[before] for fact, years in self.history_counts.items() if before in years}

    def source_of(self, fact_id: str) -> str | None:
        """The provenance given for a fact: by its id, or by the longest matching prefix."""
        if fact_id in self.sources:
            return self.sources[fact_id]
        best = None
        for pattern, source in self.sources.items():
            matches = pattern.endswith("*") and fact_id.startswith(pattern[:-1])
            if matches and (best is None or len(pattern) > len(best[0])):
                best = (pattern, source)
        return best[1] if best else None


@attrs.frozen
class Region:
    """The authorities to assess together: statistics are taken over them, year by year."""

    authorities: tuple[AuthorityFacts, ...]
    paths: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # Published figures that are not any one authority's: ("national" or "published_region",
    # year) → {fact id: value}, e.g. the England and region rows of the official ASCOF file.
    references: dict[tuple[str, str], dict[str, Any]] = attrs.Factory(dict)
    # The files read that are national publications (shown paths): their facts and published
    # figures bind to any rulebook, measures it does not catalogue left out with a warning.
    publications: tuple[str, ...] = ()
    reference_paths: dict[tuple[str, str], str] = attrs.Factory(dict)  # (scope, year) → its file
    # Every council's values in a national file, by (council type, year) → fact id → values:
    # the statistics of `{council_type: STAT}` are taken over them, not only over the region.
    council_type_values: dict[tuple[str, str], dict[str, tuple[float, ...]]] = attrs.Factory(dict)

    def __len__(self) -> int:
        return len(self.authorities)

    def __iter__(self) -> Iterator[AuthorityFacts]:
        return iter(self.authorities)

    def __getitem__(self, name_or_code: str) -> AuthorityFacts:
        found = latest_named(self.authorities, name_or_code)
        if found is None:
            raise KeyError(name_or_code)
        return found

    @property
    def years(self) -> list[str]:
        return sorted({item.year for item in self.authorities}, key=year_start)


@attrs.frozen
class FactSetSpec:
    authority: str
    year: str
    facts: dict[str, Any] = attrs.Factory(dict)
    code: str | None = None
    comparators: list[str] = attrs.Factory(list)
    previous: dict[str, Any] = attrs.Factory(dict)
    notes: dict[str, str] = attrs.Factory(dict)
    sources: dict[str, str] = attrs.Factory(dict)
    counts: dict[str, Any] = attrs.Factory(dict)
    history: dict[str, Any] = attrs.Factory(dict)
    previous_counts: dict[str, Any] = attrs.Factory(dict)
    history_counts: dict[str, Any] = attrs.Factory(dict)


@attrs.frozen
class RegionSpec:
    kind: str
    authorities: list[Any]
    name: str | None = None
    year: str | None = None


@attrs.frozen
class PublishedFigures:
    """Figures a reader found that belong to no authority: England's or the region's."""

    scope: str  # "national" or "published_region"
    year: str
    values: dict[str, Any]
    path: str = "<memory>"  # the publication, where a warning about its measures is reported


@attrs.frozen
class TypeFigures:
    """Every council's values of one council type and year in a national file."""

    council_type: str
    year: str
    values: dict[str, tuple[float, ...]]
    path: str = "<memory>"


@attrs.define
class Record:
    """A fact set as read from one place, before merging and year selection."""

    authority: str
    code: str | None
    year: str
    facts: dict[str, Any]
    fact_locations: MutableMapping[str, Location]
    previous: dict[str, Any]
    previous_locations: MutableMapping[str, Location]
    comparators: list[str]
    comparator_locations: list[Location]
    notes: dict[str, str]
    sources: dict[str, str]
    location: Location
    fact_key_locations: MutableMapping[str, Location] = attrs.Factory(dict)
    previous_key_locations: MutableMapping[str, Location] = attrs.Factory(dict)
    counts: dict[str, Count] = attrs.Factory(dict)
    count_locations: MutableMapping[str, Location] = attrs.Factory(dict)
    history: dict[str, dict[str, Any]] = attrs.Factory(dict)
    history_locations: dict[str, MutableMapping[str, Location]] = attrs.Factory(dict)
    history_counts: dict[str, dict[str, Count]] = attrs.Factory(dict)
    history_count_locations: dict[str, MutableMapping[str, Location]] = attrs.Factory(dict)
    # The file or in-memory argument the record came from: a fact set twice in one origin is
    # an error, from two origins a merge.
    origin: str = ""
    # Read from a national publication: measures a rulebook does not catalogue are left out
    # at binding, not errors (a publication holds more than any one rulebook reads).
    published: bool = False


def new_record(authority: str, code: str | None, year: str, location: Location, *, published: bool = False) -> Record:
    """An empty record, for readers that fill it fact by fact."""
    return Record(
        authority=authority,
        code=code,
        year=year,
        facts={},
        fact_locations={},
        previous={},
        previous_locations={},
        comparators=[],
        comparator_locations=[],
        notes={},
        sources={},
        location=location,
        origin=location[0],
        published=published,
    )


@attrs.frozen
class BoundRegion(Region):
    """A region bound to one rulebook: fact ids are catalogue ids, every value checked.

    Binding happens once: `bind` returns a bound region as it is for the rulebook it was
    bound to. `unbound` keeps the region as read where binding left facts out (those of a
    national publication that the rulebook does not catalogue), so that another rulebook can
    bind it afresh.
    """

    rulebook: Rulebook = attrs.field(kw_only=True, eq=False, repr=False)
    unbound: Region | None = attrs.field(kw_only=True, default=None, eq=False, repr=False)


def years_to_read(
    shown: str,
    publication: str,
    present: Sequence[str],
    year: str | None,
    years: Sequence[str] | None,
    problems: Problems,
    *,
    history_beyond: bool = False,
) -> list[str] | None:
    """The years a national file is read for: `years` (all of the file's with ALL_YEARS), or
    the one `year`, or the file's latest; None when there is nothing to read. A year the file
    does not hold is an error, or with `history_beyond` (a publication that comes out later
    than the others) a warning, its earlier years still read as history."""
    if years is not None and ALL_YEARS in years:
        return list(present)
    wanted = list(years) if years is not None else [year] if year is not None else [present[-1]]
    if not wanted:
        return None  # the years asked for were not years: reported where they were read
    absent = [one for one in wanted if one not in present]
    if absent:
        first_absent = min(year_start(one) for one in absent)
        earlier = history_beyond and any(year_start(one) < first_absent for one in present)
        problems.add(
            shown, 1, 1, f"the {publication} file has no figures for {', '.join(absent)}",
            hint=f"years in the file: {', '.join(present)}"
            + ("; its earlier years are read as history" if earlier else ""),
            warning=earlier,
        )
        if not earlier:
            return None
    return wanted
