"""The verdict keys, declared once: every key the loader accepts is read from a tally by its
declaration, a key the table lacks is an error (never read as another), and `persistent`
with `years` reads the entries persisting that many years."""

from __future__ import annotations

import json

import pytest

from sli_rules.rules.policy import Tally
from sli_rules.rules.schema import schema_text
from sli_rules.rules.verdict_keys import KEYS, VERDICT_KEYS, key_words

TALLY = Tally(
    concerns={"outcomes": 2, "resources": 1},
    excellence={"outcomes": 1},
    gaps=4,
    flagged=frozenset({"a", "b", "c", "x"}),
    entries={"outcomes": frozenset({"e1"}), "resources": frozenset({"e1", "e2"})},
    judged={"outcomes": 3, "resources": 1, "stakeholders": 0},
    totals={"outcomes": 4, "resources": 2, "stakeholders": 2},
    unacknowledged=1,
    persistent=2,
    persisting=(2, 1),
)


@pytest.mark.parametrize(
    ("what", "heading", "years", "expected"),
    [
        ("concerns", None, 0, 3), ("concerns", "resources", 0, 1),
        ("concern_headings", None, 0, 2),
        ("concern_entries", None, 0, 2), ("concern_entries", "outcomes", 0, 1),  # e1 spans two headings
        ("excellence", None, 0, 1), ("excellence", "resources", 0, 0),
        ("gaps", None, 0, 4),
        ("coverage", None, 0, 0.5), ("coverage", "outcomes", 0, 0.75),
        ("judged_headings", None, 0, 2),
        ("unacknowledged", None, 0, 1),
        ("persistent", None, 0, 2), ("persistent", None, 1, 2), ("persistent", None, 2, 1),
        ("persistent", None, 3, 0),  # years not known that far back
    ],
)
def test_each_key_reads_the_tally(what: str, heading: str | None, years: int, expected: float) -> None:
    assert TALLY.number(what, heading, years) == expected


def test_an_unknown_key_is_an_error_not_gaps() -> None:
    with pytest.raises(ValueError, match="unknown verdict key 'concerns_entries'"):
        TALLY.number("concerns_entries", None)


def test_every_key_is_in_the_schema_with_its_meaning() -> None:
    schema = json.loads(schema_text("verdicts"))
    offered = {
        name: option["properties"]
        for option in schema["$defs"]["verdict_condition"]["anyOf"]
        for name in option.get("required", ())
    }
    assert set(VERDICT_KEYS) <= set(offered)
    for key in KEYS:
        assert offered[key.name][key.name]["description"] == key.meaning
        assert ("in" in offered[key.name]) == key.by_heading
        assert ("years" in offered[key.name]) == key.years


def test_words_with_years() -> None:
    assert key_words("persistent", 0) == "counted concerns also flagged the year before"
    assert key_words("persistent", 3) == "pieces of evidence with a counted concern in each of the last 3 years"
