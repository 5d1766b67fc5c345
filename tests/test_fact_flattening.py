"""A fact set's flat mapping of facts is taken as it is, at C speed; it must give exactly what
walking every value gives: the same ids, the same nested places, the same problems."""

from __future__ import annotations

import datetime
import gc
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sli_rules.errors import Problems
from sli_rules.facts.documents import _flat, _flatten, _flatten_walk, read_documents
from sli_rules.rules.source import memory_document

from .conftest import run_cli

KEYS = st.one_of(st.text(alphabet="ab.c1", max_size=4), st.integers(-2, 2), st.booleans())
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2030, 1, 1)),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=2),
                                                        st.dictionaries(KEYS, inner, max_size=3)), max_leaves=8)
FLAT = st.dictionaries(st.text(max_size=6), st.one_of(st.none(), st.booleans(), st.integers(),
                                                      st.floats(allow_nan=False), st.text(max_size=5)), max_size=8)


def _both(mapping: dict[Any, Any]) -> None:
    where = ("authorities", 3, "facts")
    document = memory_document({"facts": mapping})
    fast_problems, walked_problems = Problems(), Problems()
    fast = _flatten(document, where, mapping, fast_problems)
    walked = _flatten_walk(document, where, mapping, walked_problems)
    assert fast == walked
    assert list(fast[0]) == list(walked[0])  # the order of the ids too
    assert fast_problems.items == walked_problems.items


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_mapping_of_facts_flattens_as_the_walk_does(mapping: dict[Any, Any]) -> None:
    _both(mapping)


@settings(max_examples=200, deadline=None)
@given(FLAT)
def test_a_flat_mapping_takes_the_fast_way_and_gives_the_same(mapping: dict[str, Any]) -> None:
    assert _flat(mapping)
    _both(mapping)


def test_what_is_not_flat_is_walked() -> None:
    for mapping in ({"a": {"b": 1}}, {"a": [1]}, {1: 2}, {"a": datetime.date(2020, 1, 1)}, {"a": 1, True: 2}):
        assert not _flat(mapping)  # type: ignore[arg-type]
    problems = Problems()
    facts, nested = _flatten(memory_document({}), ("facts",), {"a": {"b": 1}, "a.b": 2, "c": [1]}, problems)
    assert facts == {"a.b": 1} and nested == {"a.b": ("facts", "a", "b")}
    assert [problem.message for problem in problems.items] == [
        "fact 'a.b' is given twice", "fact 'c' is a list; a fact holds one value",
    ]


def test_reading_a_region_file_makes_no_reference_cycles(tmp_path: Path) -> None:
    # A region file read leaves nothing for the cycle collector: what it read is freed as soon
    # as it is let go (the Board report collects cycles seldom, counting on this).
    facts = {"ascof": {"quality_of_life": 18.8, "feel_safe": 60.1}, "finance.fac_eligibility": "substantial"}
    counts = {"ascof": {"feel_safe": {"numerator": 3, "denominator": 5}}}
    authorities = [
        {"authority": f"Authority {index}", "code": f"E0{index}", "year": "2013-14", "comparators": ["Authority 0"],
         "facts": facts, "previous": facts, "counts": counts, "previous_counts": counts,
         "history": {"ascof": {"feel_safe": {"2011-12": 58.0}}},
         "history_counts": {"ascof": {"feel_safe": {"2011-12": {"numerator": 2, "denominator": 5}}}}}
        for index in range(3)
    ]
    path = tmp_path / "region.json"
    path.write_text(json.dumps({"kind": "region", "authorities": authorities}))
    gc.collect()
    gc.disable()
    try:
        problems = Problems()
        records = list(read_documents(path, problems))
        assert [record.facts["ascof.feel_safe"] for record in records] == [60.1] * 3
        assert [(count.numerator, count.denominator) for count in records[0].history_counts["ascof.feel_safe"].values()] \
            == [(3, 5), (2, 5)]
        assert not problems.items
        del records, problems
        assert gc.collect() == 0
    finally:
        gc.enable()


BAD_NESTING = """\
kind: region
authorities:
  - authority: Halton
    code: E06000006
    year: 2013-14
    facts:
      ascof:
        feel_safe: 60.1
        quality_of_life: [1, 2]
      ascof.feel_safe: 61
    counts:
      ascof:
        feel_safe: {numerator: 3}
        quality_of_life: 7
      nw.carers_assessed_pct: {numerator: 9, denominator: 4, extra: 1}
    history:
      ascof:
        feel_safe: {2011-12: 58.0, 2014-15: 70, 2010-11: [1]}
        quality_of_life: 3
      nw.carers_assessed_pct: {20x: 1}
    previous_counts:
      ascof.feel_safe: {numerator: 2, denominator: 5}
    history_counts:
      ascof:
        feel_safe:
          2012-13: {numerator: 1, denominator: 5}
          2015-16: {numerator: 1, denominator: 5}
          2011-12: {numerator: 1}
        quality_of_life: 4
      nw.carers_assessed_pct: {bad-year: {numerator: 1, denominator: 2}}
"""


def test_every_problem_of_nested_ids_keeps_its_place(tmp_path: Path) -> None:
    # Nested facts, counts, histories and counts of earlier years, wrong in every way the walk
    # reports: the messages and places the reading gave before its walks were made one.
    path = tmp_path / "facts.yaml"
    path.write_text(BAD_NESTING)
    completed = run_cli("assess", str(path))
    assert completed.returncode == 2
    shown = str(path)
    assert completed.stderr.splitlines()[:-1] == [
        f"{shown}:9:26: fact 'ascof.quality_of_life' is a list; a fact holds one value",
        f"{shown}:10:24: fact 'ascof.feel_safe' is given twice",
        f"{shown}:13:20: the counts of 'ascof.feel_safe' have no denominator",
        f"{shown}:14:26: the counts of 'ascof.quality_of_life' are a mapping: numerator and denominator",
        f"{shown}:15:62: unknown key 'extra' in the counts of 'nw.carers_assessed_pct' (numerator, denominator)",
        f"{shown}:18:9: year 'feel_safe' is not a financial year like 2013-14",
        f"{shown}:19:9: year 'quality_of_life' is not a financial year like 2013-14",
        f"{shown}:20:32: year '20x' is not a financial year like 2013-14",
        f"{shown}:26:20: the counts of 'ascof.feel_safe' in 2012-13 differ from its previous_counts",
        f"{shown}:27:11: history_counts hold earlier years than 2013-14, not 2015-16",
        f"{shown}:28:20: the counts of 'ascof.feel_safe' in 2011-12 have no denominator",
        f"{shown}:29:26: the history_counts of 'ascof.quality_of_life' are a mapping of years to counts",
        f"{shown}:30:54: the history_counts of 'nw.carers_assessed_pct.bad-year.numerator' are a mapping of years to counts",
        f"{shown}:30:70: the history_counts of 'nw.carers_assessed_pct.bad-year.denominator' are a mapping of years to counts",
    ]
