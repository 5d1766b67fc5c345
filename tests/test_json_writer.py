"""The JSON writer's text is json.dumps(indent=2, ensure_ascii=False)'s, byte for byte."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sli_rules.report.json import _nested

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400)
@given(values, st.integers(min_value=0, max_value=3))
def test_the_text_is_json_dumps_at_any_depth(value: Any, level: int) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert _nested(value, level) == expected


def test_kinds_it_does_not_know_are_left_to_json_dumps() -> None:
    class Count(int):
        pass

    value = {"a": [1, {2: "whole-number key"}], "b": Count(3), "c": float("nan"), "d": "é\n\"quoted\""}
    assert _nested(value, 1) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
