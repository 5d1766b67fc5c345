"""The acts the store records, declared once: each kind of event, whether it is made on a run's
verdict, whether it carries a note, and the fields of its data with the JSON Schema of each.

Everything that must know the kinds reads this table: the writer (`lookup.append_event`
refuses a kind or a field not declared here), the export's JSON Schema (`sli-rules schema
export`) and the import's checks. A new kind of act, or a new field of one, is one entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ...facts.selfassess import VIEWS

Schema = dict[str, Any]

SUPPORT_STATUSES = ("planned", "under_way", "delivered", "cancelled")
MAX_DAYS = 365

TEXT: Schema = {"type": "string", "minLength": 1}
TEXT_OR_NULL: Schema = {"type": ["string", "null"]}
ID: Schema = {"type": "string", "minLength": 1}
YES_NO: Schema = {"type": "boolean"}
DAYS: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_DAYS}
DAYS_OR_NULL: Schema = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_DAYS}
EVENT_ID: Schema = {"type": "integer", "minimum": 1}
COUNT: Schema = {"type": "integer", "minimum": 1}


@attrs.frozen
class EventKind:
    """One kind of act: what it is, what it needs, and its data's fields."""

    title: str
    on_run: bool  # made on a run's verdict: the event names its run
    note: Literal["required", "optional", "none"]  # the `note` column: a discussion's note, a reason
    data: Mapping[str, Schema]  # every field the act writes, each with its JSON Schema
    optional: frozenset[str] = frozenset()  # fields older records may lack

    @property
    def required(self) -> list[str]:
        return [name for name in self.data if name not in self.optional]


EVENT_KINDS: dict[str, EventKind] = {
    "discuss": EventKind("a discussion of the verdict with the authority (MoU 2.1b)", True, "required", {}),
    "finalise": EventKind(
        "the final view: the verdict confirmed or overridden, the reason in the note",
        True,
        "optional",
        {
            "level": ID,
            "tier": ID,
            "overridden": YES_NO,
            "provisional_level": ID,
            "provisional_tier": ID,
            "concerns": {"type": "array", "items": ID},  # the concern triggers the final view confirmed
        },
        optional=frozenset({"concerns"}),  # final views taken before it was kept: the counted ones
    ),
    "decide": EventKind(
        "the Board's decision of a tier, accepted or declined (MoU 2.1i)",
        True,
        "optional",
        {"tier": ID, "accepted": YES_NO, "reason": TEXT},  # why a tier other than the final view's
        optional=frozenset({"reason"}),
    ),
    "support": EventKind(
        "support given: a menu option, its provider, days, status and outcome",
        True,
        "optional",
        {
            "option": ID,
            "provider": TEXT_OR_NULL,
            "provider_code": TEXT_OR_NULL,
            "days": DAYS_OR_NULL,
            "status": {"enum": list(SUPPORT_STATUSES)},
            "outcome": TEXT_OR_NULL,
            # Past the menu's days cap for the provider's year (MoU 2.1g): the total, the cap, why.
            "over_cap": {
                "type": "object",
                "properties": {"total": COUNT, "cap": COUNT, "reason": TEXT},
                "required": ["total", "cap", "reason"],
                "additionalProperties": False,
            },
        },
        optional=frozenset({"over_cap"}),
    ),
    "self_assessment": EventKind(
        "an authority's own view of each concern trigger (MoU 2.1h); a second form of a year names the "
        "one it supersedes, the reason in the note",
        False,
        "optional",
        {
            "views": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {
                    "type": "object",
                    "properties": {"view": {"enum": list(VIEWS)}, "comment": TEXT_OR_NULL},
                    "required": ["view", "comment"],
                    "additionalProperties": False,
                },
            },
            "supersedes": EVENT_ID,
        },
        optional=frozenset({"supersedes"}),
    ),
    "thematic_review": EventKind(
        "an authority's review of itself against a theme (MoU 2.1 a); a second form for a theme "
        "names the review it supersedes, the reason in the note",
        False,
        "optional",
        {
            "theme": ID,
            "theme_title": TEXT,
            "levels": {"type": "array", "items": ID, "minItems": 1},
            "area": {"type": ["string", "null"]},
            "elements": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "id": ID, "title": TEXT, "key": YES_NO, "level": ID, "evidence": TEXT_OR_NULL,
                    },
                    "required": ["id", "title", "key", "level", "evidence"],
                    "additionalProperties": False,
                },
            },
            "supersedes": {"type": ["integer", "null"], "description": "the event of the review it replaces"},
        },
        optional=frozenset({"area"}),
    ),
    "offer": EventKind(
        "an entry of the excellence directory: days an authority gives to others (MoU 2.1f)",
        False,
        "optional",
        {"area": ID, "option": ID, "days": DAYS, "contact": TEXT_OR_NULL},
    ),
    "supersede": EventKind(
        "a year recorded again over a final view or Board decision: on the new run, naming the run and the "
        "acts it supersedes, the reason in the note",
        True,
        "required",
        {"run": EVENT_ID, "events": {"type": "array", "items": EVENT_ID, "minItems": 1}},
    ),
    "challenge": EventKind(
        "support given past the menu's days cap (MoU 2.1g), on the provider's record for the sub-regional "
        "DASS to see, the reason in the note",
        True,
        "required",
        {"total": COUNT, "cap": COUNT, "support": EVENT_ID, "recipient": TEXT, "recipient_code": TEXT_OR_NULL},
    ),
}


def data_schema(kind: EventKind) -> Schema:
    """The JSON Schema of one kind's data."""
    return {
        "type": "object",
        "properties": dict(kind.data),
        "required": kind.required,
        "additionalProperties": False,
    }


def undeclared(kind: str, data: Mapping[str, Any]) -> str | None:
    """Why an act about to be written does not match its declaration, or None: a guard on the
    writer, so that every act the store holds can be exported and imported again."""
    declared = EVENT_KINDS.get(kind)
    if declared is None:
        return f"the store has no kind of act {kind!r}: declare it in sli_rules/cycle/store/kinds.py"
    unknown = sorted(set(data) - set(declared.data))
    missing = [name for name in declared.required if name not in data]
    if unknown or missing:
        return f"the act {kind!r} does not match its declaration: unknown {unknown}, missing {missing}"
    return None
