"""Binding and merging decide the common case at once: a fact set whose ids all name measures
and whose values all plainly suit them is bound without looking at a value's place, and an
authority's earlier years are gathered once for all the years it is assessed in. These
properties hold the quick ways to the careful ones: the same fact sets, the same places, the
same problems, for random fact sets over the shipped rulebook's measures, aliases and years.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sli_rules
from sli_rules.errors import Location, Problems
from sli_rules.facts import AuthorityFacts, Region, bind
from sli_rules.facts.binding import _Binder
from sli_rules.facts.factset import Record
from sli_rules.facts.merge import assemble
from sli_rules.facts.places import DeferredPlaces, placed, spot_of

ROOT = Path(__file__).resolve().parent.parent
RULEBOOK = sli_rules.load_rulebook()
YEARS = [f"{start}-{(start + 1) % 100:02d}" for start in range(2012, 2025)]
PUBLICATION = "national.csv"
NOWHERE = Location("-", 0, 0)
ASCOF = Path(os.environ.get("SLI_RULES_ASCOF", ROOT.parent / "shared" / "data" / "ascof" / "ascof-trend-2017-18-to-2023-24.csv"))

# Ids of every kind: catalogue ids, aliases (some only for some years, one of them an id of
# two measures in different years), and ids the catalogue does not know.
IDS = [
    *sorted({*RULEBOOK.measures, *(alias.id for measure in RULEBOOK.measures.values() for alias in measure.aliases)}),
    "made.up",
    "ascof.9z",
]
# Ids that name one measure in every year: a history of them binds the quick way when its
# values suit.
STEADY = [fact for fact in IDS if len({RULEBOOK.resolve(fact, year) for year in YEARS} - {None}) == 1
          and None not in {RULEBOOK.resolve(fact, year) for year in YEARS}]


def _values_for(fact: str, clean: bool) -> st.SearchStrategy[Any]:
    """Values that suit the id's measure, and unless `clean` sometimes anything at all."""
    measure = RULEBOOK.measures.get(RULEBOOK.resolve(fact, None) or "")
    odd = st.sampled_from([None, math.nan, math.inf, -1.0, 1e9, 2**60, True, "text", "low", 3, -0.0])
    if measure is None:
        return odd
    if measure.type == "number":
        low, high = measure.range or (-1e6, 1e6)
        suits: st.SearchStrategy[Any] = st.one_of(
            st.floats(low, high, allow_nan=False), st.integers(math.ceil(low), math.floor(high))
        )
    elif measure.type == "boolean":
        suits = st.booleans()
    elif measure.type == "category":
        suits = st.sampled_from(list(measure.values or ["x"]))
    else:
        suits = st.text(max_size=5)
    return suits if clean else st.one_of(suits, odd)


@st.composite
def _values(draw: st.DrawFn, ids: list[str], clean: bool) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(ids), max_size=6, unique=True))
    return {fact: draw(_values_for(fact, clean)) for fact in chosen}


@st.composite
def fact_sets(draw: st.DrawFn) -> AuthorityFacts:
    """An authority-year with facts, previous values and history, placed in a file."""
    # Mostly the ids of a few measures, as a real file gives them, so that the quick way is
    # taken often; sometimes any id at all.
    steady_aliases = [fact for fact in STEADY if fact not in RULEBOOK.measures]
    ids = draw(st.sampled_from([IDS[:12], IDS[-20:], IDS, STEADY[:15], steady_aliases]))
    year = draw(st.sampled_from(YEARS[3:]))
    before = [one for one in YEARS if one < year]
    path = draw(st.sampled_from([PUBLICATION, "return.csv"]))
    clean = draw(st.booleans())  # half the fact sets without an odd value
    facts, previous = draw(_values(ids, clean)), draw(_values(ids, clean))
    history: dict[str, dict[str, Any]] = {}
    for fact in draw(st.lists(st.sampled_from(ids), max_size=5, unique=True)):
        years = draw(st.lists(st.sampled_from(before), min_size=1, max_size=4, unique=True))
        history[fact] = {when: draw(_values_for(fact, clean)) for when in sorted(years)}
    line = iter(range(2, 10_000))
    return AuthorityFacts(
        authority="Town",
        code="E06000001",
        year=year,
        facts=facts,
        previous=previous,
        location=Location(path, 1, 1),
        fact_locations={fact: Location(path, next(line), 3) for fact in facts},
        previous_locations={fact: Location(path, next(line), 4) for fact in previous},
        history=history,
        history_locations={
            fact: {when: Location(path, next(line), 5) for when in by_year} for fact, by_year in history.items()
        },
    )


def _shown(value: Any) -> Any:
    """A value with its type and order, so that 1, 1.0 and True, or reordered keys, differ."""
    if isinstance(value, dict):
        return [(key, _shown(inner)) for key, inner in value.items()]
    return (type(value).__name__, repr(value))


def _same(quick: AuthorityFacts, careful: AuthorityFacts) -> None:
    for field in attrs.fields(AuthorityFacts):
        got, wanted = getattr(quick, field.name), getattr(careful, field.name)
        if field.name.endswith("locations") and field.name != "comparator_locations":
            nested = field.name.startswith("history")
            assert _spots(got, nested) == _spots(wanted, nested), field.name
        else:
            assert _shown(got) == _shown(wanted), field.name


def _spots(locations: Any, nested: bool = False) -> list[Any]:
    """Every place of a fact set's mapping of places (one mapping a fact for history), each as
    the spot the careful way would report a problem at."""
    locations = placed(locations)
    if nested:
        return [(fact, _spots(locations[fact])) for fact in locations]
    return [(fact, spot_of(locations, fact, NOWHERE)) for fact in locations]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fact_sets(), min_size=1, max_size=4))
def test_the_quick_way_binds_as_the_careful_way(items: list[AuthorityFacts]) -> None:
    publications = frozenset([PUBLICATION])
    for item in items:
        quick = _Binder(RULEBOOK, Problems(), publications).plainly(item)
        problems = Problems()
        binder = _Binder(RULEBOOK, problems, publications)
        careful = binder.carefully(item)
        if quick is None:
            continue
        assert problems.items == [] and binder.warnings() == [], "the quick way took a fact set with a problem"
        _same(quick, careful)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fact_sets(), min_size=1, max_size=5))
def test_a_region_binds_with_the_same_problems_either_way(items: list[AuthorityFacts]) -> None:
    """Whichever way each fact set is bound, the region's problems (messages, places, order)
    and fact sets are those of binding every one carefully."""
    items = [attrs.evolve(item, year=YEARS[3 + position]) for position, item in enumerate(items)]
    region = Region(tuple(items), publications=(PUBLICATION,))
    found = Problems()
    bound = bind(region, RULEBOOK, found)
    wanted = Problems()
    binder = _Binder(RULEBOOK, wanted, frozenset(region.publications))
    carefully = [binder.carefully(item) for item in region.authorities]
    wanted.extend(binder.warnings())
    assert [str(problem) for problem in found.items] == [str(problem) for problem in wanted.items]
    for quick, careful in zip(bound.authorities, carefully, strict=True):
        _same(quick, careful)


@st.composite
def authority_years(draw: st.DrawFn) -> list[Record]:
    """One authority's fact sets over some years, as a reader gives them."""
    years = sorted(draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=6, unique=True)))
    records = []
    for line, year in enumerate(years, start=2):
        facts = draw(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 9) | st.none(), max_size=4))
        records.append(Record(
            authority="Town", code="E06000001", year=year, facts=facts,
            fact_locations={fact: Location("f.csv", line, column) for column, fact in enumerate(facts, start=3)},
            previous={}, previous_locations={}, comparators=[], comparator_locations=[], notes={}, sources={},
            location=Location("f.csv", line, 1), origin="f.csv",
        ))
    draw(st.randoms()).shuffle(records)
    return records


@settings(max_examples=200, deadline=None)
@given(authority_years())
def test_each_year_assessed_has_every_earlier_year_as_history(records: list[Record]) -> None:
    """The history gathered once for an authority's years is, for each year assessed, every
    earlier year's values fact by fact (in the order the facts first appear, year by year)
    with the place of each."""
    assessed = assemble(records, Problems(), years=["all"])
    by_year = {record.year: record for record in records}
    assert [item.year for item in assessed] == sorted(by_year)
    for item in assessed:
        history: dict[str, dict[str, Any]] = {}
        places: dict[str, dict[str, Location]] = {}
        for when in sorted(by_year):
            if when >= item.year:
                continue
            for fact, value in by_year[when].facts.items():
                history.setdefault(fact, {})[when] = value
                places.setdefault(fact, {})[when] = by_year[when].fact_locations[fact]
        assert _shown(item.history) == _shown(history)
        assert isinstance(item.history_locations, DeferredPlaces)
        assert {fact: dict(years) for fact, years in item.history_locations.items()} == places
        assert list(item.history_locations) == list(places)


def test_deferred_places_are_worked_out_once() -> None:
    calls: list[int] = []

    def make() -> dict[str, Location]:
        calls.append(1)
        return {"a": Location("f.csv", 2, 3)}

    deferred = DeferredPlaces(make)
    assert "not yet" in repr(deferred) and calls == []
    assert deferred["a"] == Location("f.csv", 2, 3) and "b" not in deferred and len(deferred) == 1
    assert spot_of(deferred, "a", NOWHERE) == Location("f.csv", 2, 3)
    assert dict(deferred.items()) == {"a": Location("f.csv", 2, 3)} and calls == [1]


@pytest.mark.skipif(not ASCOF.exists(), reason="the shared ASCOF file is not here")
def test_the_ascof_files_fact_sets_bind_the_quick_way_as_the_careful_way() -> None:
    """Every authority-year of England's seven years binds the same either way (most of them
    the quick way)."""
    region = sli_rules.load_facts(ASCOF, years="all")
    binder = _Binder(RULEBOOK, Problems(), frozenset(region.publications))
    careful_problems = Problems()
    careful = _Binder(RULEBOOK, careful_problems, frozenset(region.publications))
    quick_ones = 0
    for item in region.authorities:
        quick = binder.plainly(item)
        if quick is not None:
            quick_ones += 1
            _same(quick, careful.carefully(item))
    assert quick_ones > len(region.authorities) // 2
    assert careful_problems.items == []
