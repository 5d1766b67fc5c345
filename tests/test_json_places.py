"""The JSON walk finds every place exactly where the YAML reading of the same text does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sli_rules.errors import Problems, Where
from sli_rules.rules.jsonplaces import find_json_places
from sli_rules.rules.source import load_documents
from sli_rules.rules.yamlread import LOADER, find_places

texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\t\x85\u2028\u2029"), max_size=6)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=25
)


def every_place(value: Any, where: Where = ()) -> set[Where]:
    places = {where}
    if isinstance(value, dict):
        for key, item in value.items():
            places |= every_place(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places |= every_place(item, (*where, index))
    return places


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from([None, 0, 1, 2]), st.booleans(), st.randoms(use_true_random=False))
def test_every_place_is_where_yaml_finds_it(value: Any, indent: int | None, ascii_only: bool, chooser: Any) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    places = every_place(value)
    # Some places, each with every place above it, as a locator asks for them.
    chosen = [where for where in sorted(places, key=repr) if chooser.random() < 0.5]
    wanted = {where[:size] for where in chosen for size in range(len(where) + 1)} or {()}
    found = find_json_places(text, wanted)
    assert found is not None
    try:
        list(yaml.parse(text, Loader=LOADER))
    except yaml.YAMLError:
        # PyYAML cannot read every JSON text (an escaped surrogate pair, a control character):
        # it then places only what it read before failing, the rest at the top of the file;
        # the walk still places everything.
        assert set(found[0]) == wanted
        return
    by_yaml = find_places(text, 0, wanted)
    assert found == by_yaml


def test_texts_whose_lines_yaml_counts_otherwise_are_left_to_it() -> None:
    assert find_json_places('{\r\n  "a": 1\r\n}', {(), ("a",)}) is None
    assert find_json_places('{\t"a": 1}', {(), ("a",)}) is None
    assert find_json_places('{"a": "\u2028", "b": 2}', {(), ("b",)}) is None


def test_a_region_file_s_fact_sets_are_found_in_place() -> None:
    text = '{"kind": "region",\n "authorities": [\n  {"authority": "A", "comparators": ["B", "C"]},\n' \
           '  {"authority": "B", "facts": {"x": [1, {"y": 2}]}, "comparators": []}\n ]\n}\n'
    wanted = {(), ("authorities",), ("authorities", 0), ("authorities", 1), ("authorities", 0, "comparators"),
              ("authorities", 0, "comparators", 1)}
    values, keys = find_json_places(text, wanted) or ({}, {})
    assert values[("authorities", 1)] == (4, 3)
    assert values[("authorities", 0, "comparators", 1)] == (3, 43)
    assert keys[("authorities",)] == (2, 2)
    assert (values, keys) == find_places(text, 0, wanted)


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([None, 2]), st.lists(st.lists(st.tuples(st.integers(0, 10**6), st.booleans()),
                                                             max_size=6), max_size=5))
def test_places_asked_again_are_those_found_afresh(value: Any, indent: int | None, batches: list[Any]) -> None:
    # A locator answers places it has already found without searching (keys apart from
    # values: a value found says nothing of its key): batch after batch, each answer is the
    # answer of a locator that has found nothing yet.
    text = json.dumps(value, indent=indent)
    places = sorted(every_place(value), key=repr)

    def document() -> Any:
        problems = Problems()
        (read,) = load_documents(Path("facts.json"), problems, text=text, lazy=True)
        assert not problems.items
        return read

    kept = document()
    for batch in batches:
        wanted = [(places[index % len(places)], key) for index, key in batch]
        assert kept.locator.locate(wanted) == document().locator.locate(wanted)
