"""Kept words are the words: a gap the explainer gives again (found by the situations of its
unknown tests) is the gap written straight from the authority's own facts
(`tests/reference_words.py`), on real data with facts, years, counts and comparators taken
away at random, and on random rulebooks; the JSON writer's kept text of a gap is
`json.dumps` of it.

One engine (one explainer) assesses every example in turn, so that its kept gaps are met
again by authorities other than the one each was written for: a key that missed something a
gap's words depend on gives one authority's words to another."""

from __future__ import annotations

import json
import random
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sli_rules import Engine, load_facts, load_rulebook
from sli_rules.assessment.explain import Explainer
from sli_rules.facts import AuthorityFacts, Region
from sli_rules.report.json import render_json
from sli_rules.rules.model import previous_year

from . import test_fuzz
from .conftest import REPO
from .reference_words import gap_words

NORTH_WEST = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24" / "ascof-north-west.csv"
LEFT_OUT = ["left out: the value is above 100%", "left out: the denominator is 0", ""]


@cache
def _north_west() -> Region:
    return load_facts(NORTH_WEST, years="all", rulebook=_engine().rulebook)


@cache
def _engine() -> Engine:
    return Engine(backend="python")


def _thinned(item: AuthorityFacts, rng: random.Random) -> AuthorityFacts:
    """An authority with some of what it gives taken away or changed: facts, last year's
    values (or 0), earlier years, counts, earlier counts, the comparator group; and values
    said to be left out, with or without a reason."""

    def keep(mapping: dict[str, Any], share: float) -> dict[str, Any]:
        return {key: value for key, value in mapping.items() if rng.random() > share}

    share = rng.choice([0.0, 0.1, 0.4, 0.9])
    facts = keep(item.facts, share)
    previous = keep(item.previous, share)
    for fact in list(previous)[: rng.randrange(3)]:
        if isinstance(previous[fact], float):
            previous[fact] = 0.0
    # A value taken away is sometimes one binding left out, with its reason (or none given).
    before = previous_year(item.year)
    left_out: dict[str, dict[str, str]] = {}
    for fact in sorted(set(item.facts) - set(facts)):
        if rng.random() < 0.5:
            left_out.setdefault(fact, {})[item.year] = rng.choice(LEFT_OUT)
    for fact in sorted(set(item.previous) - set(previous)):
        if rng.random() < 0.5:
            left_out.setdefault(fact, {})[before] = rng.choice(LEFT_OUT)
    return attrs.evolve(
        item,
        facts=facts,
        previous=previous,
        counts=keep(item.counts, share),
        history={fact: keep(years, share) for fact, years in keep(item.history, share / 2).items()},
        history_counts={fact: keep(years, share) for fact, years in keep(item.history_counts, share / 2).items()},
        comparators=item.comparators if rng.random() > 0.3 else (),
        left_out=left_out,
    )


def _gaps_match_the_reference(engine: Engine, region: Region) -> int:
    """Assess `region` with `engine`; each gap must be what the reference writes for it from
    the authority's own facts, and the flags and gaps what a new explainer writes. The number
    of gaps compared."""
    compared = 0
    for assessment in engine.assess(region):
        # What the gaps are written from, read before they are (then it is let go).
        make, (derived, index, item, outcomes, judged) = assessment._flags._whole._pending
        explainer = make.__self__
        record = explainer.recorder.record(outcomes, derived.row(index), derived.parts_of(index), (derived, index))
        # And the flags and gaps as an explainer that has kept nothing from any other
        # authority writes them (what a flag's words read of its tests is kept too).
        flags, gaps = Explainer(explainer.rulebook, explainer.plan).findings(item, record, derived.texts, judged)
        assert (assessment.flags, assessment.gaps) == (tuple(flags), tuple(gaps)), (item.authority, item.year)
        unknown = [
            trigger for trigger, outcome in zip(explainer.rulebook.triggers, outcomes, strict=True)
            if outcome is None and trigger.applies_in(item.year)
        ]
        assert [gap.trigger for gap in assessment.gaps] == [trigger.id for trigger in unknown]
        for gap, trigger in zip(assessment.gaps, unknown, strict=True):
            expected = gap_words(explainer, trigger, item, record, derived.texts)
            assert (gap.missing, gap.why, gap.known) == expected, (item.authority, item.year, trigger.id)
            compared += 1
    return compared


@settings(max_examples=12, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 2**32), st.integers(4, 40))
def test_kept_gaps_are_the_gaps_written_from_the_facts(seed: int, size: int) -> None:
    rng = random.Random(seed)
    chosen = rng.sample(list(_north_west().authorities), size)
    region = Region(tuple(_thinned(item, rng) for item in chosen))
    assert _gaps_match_the_reference(_engine(), region) > 0


def test_every_gap_of_the_seven_years_is_the_reference() -> None:
    """The whole example, as read: every gap of every council and year."""
    assert _gaps_match_the_reference(_engine(), _north_west()) > 1000


_RANDOM_ENGINES: dict[str, Engine] = {}


@settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    st.lists(test_fuzz.condition, min_size=1, max_size=6),
    st.lists(test_fuzz.authority, min_size=1, max_size=8),
    st.lists(test_fuzz.authority, min_size=1, max_size=8),
)
def test_kept_gaps_on_random_rulebooks(
    conditions: list[dict[str, Any]], people: list[dict[str, Any]], others: list[dict[str, Any]]
) -> None:
    """Two regions in turn through one engine: the second meets the gaps the first kept."""
    with tempfile.TemporaryDirectory() as folder:
        rulebook = load_rulebook(test_fuzz.write_rulebook(Path(folder) / "rules", conditions))
    engine = Engine(rulebook, backend="python")
    _gaps_match_the_reference(engine, test_fuzz.make_region(people))
    _gaps_match_the_reference(engine, test_fuzz.make_region(others))


def test_the_kept_text_of_a_gap_is_json_dumps_of_it() -> None:
    """Written twice, at two depths, each gap's text (kept after the first) is what json.dumps
    writes of the data `to_dict()` gives."""
    result = _engine().assess(_north_west())
    assert sum(len(item.gaps) for item in result) > 1000
    expected = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert render_json(result) == expected
    assert render_json(result) == expected  # every gap's text now kept


SIGNIFICANCE = REPO / "tests" / "cases" / "significance-rulebook"
YEARS = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
MEASURES = ("survey.feel_safe", "admissions.older")
maybe_counts = st.one_of(st.none(), st.tuples(st.integers(0, 60), st.sampled_from([60, 200, 5000])))


@cache
def _significance_engine() -> Engine:
    return Engine(load_rulebook(SIGNIFICANCE), backend="python")


@settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(YEARS[3:]),
            st.fixed_dictionaries({fact: st.lists(maybe_counts, min_size=7, max_size=7) for fact in MEASURES}),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_kept_gaps_of_tests_of_significance(people: list[tuple[str, dict[str, list[Any]], bool, bool]]) -> None:
    """Changes on last year and trends, tested as samples: what the words read of each year's
    counts (given or not, a test they cannot take), of the values and of the breaks."""
    authorities = []
    for number, (year, series, with_value, with_counts) in enumerate(people):
        facts: dict[str, Any] = {}
        counts: dict[str, Any] = {}
        history: dict[str, dict[str, Any]] = {}
        history_counts: dict[str, dict[str, Any]] = {}
        for fact, by_year in series.items():
            for each, pair in zip(YEARS[: YEARS.index(year) + 1], by_year, strict=False):
                if pair is None:
                    continue
                value = min(pair[0] / pair[1] * 100, 100.0)
                if each == year:
                    if with_value:
                        facts[fact] = value
                    if with_counts:
                        counts[fact] = {"numerator": pair[0], "denominator": pair[1]}
                else:
                    history.setdefault(fact, {})[each] = value
                    history_counts.setdefault(fact, {})[each] = {"numerator": pair[0], "denominator": pair[1]}
        authorities.append({
            "authority": f"Council {number}", "year": year, "facts": facts, "counts": counts,
            "history": history, "history_counts": history_counts,
        })
    region = load_facts({"kind": "region", "authorities": authorities}, rulebook=_significance_engine().rulebook)
    _gaps_match_the_reference(_significance_engine(), region)


def test_what_is_kept_is_bounded(monkeypatch: Any) -> None:
    """With room for a handful, the kept gaps and their texts are let go as more come, and
    the words and the text are the same."""
    from sli_rules.assessment import explain
    from sli_rules.report import json as json_writer

    monkeypatch.setattr(explain, "GAPS_KEPT", 5)
    monkeypatch.setattr(json_writer, "_GAP_TEXTS_KEPT", 3)
    engine = Engine(backend="python")
    assert _gaps_match_the_reference(engine, _north_west()) > 1000
    assert 0 < len(engine._compiled.explainer._gaps) <= 5
    result = engine.assess(_north_west())
    assert render_json(result) == json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert 0 < len(json_writer._GAP_TEXTS) <= 3
