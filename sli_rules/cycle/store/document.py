"""The export document: its JSON Schema (`sli-rules schema export`) and its digest.

An export is one JSON object: `format`, the store's schema revision (`schema`), the package
version that wrote it, every run, every event, and `sha256`, the SHA-256 of the content (the
document without `sha256`, as canonical JSON: keys sorted, no spaces, UTF-8). The schema is
built from the declaration of the acts (`kinds.py`), so a new kind of act is covered when it is
declared. Runs keep what the store's readers rely on (the rulebook's levels, tiers and options,
each verdict's authority, year, level, tier and flags) and may carry more: a run recorded by an
older version is still imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ...rules.schema import BASE_URI, DRAFT
from .kinds import EVENT_KINDS, ID, TEXT, TEXT_OR_NULL, Schema, data_schema

EXPORT_FORMAT = "sli-rules store"
DIGEST = "sha256"
YEAR: Schema = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "a financial year like 2013-14"}
DATE: Schema = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "a date like 2013-10-01"}
TIMESTAMP: Schema = {"type": "string", "minLength": 10, "description": "an ISO date and time"}
RUN_ID: Schema = {"type": "integer", "minimum": 1}


def _object(properties: Schema, required: list[str] | None = None, *, closed: bool = True) -> Schema:
    made: Schema = {"type": "object", "properties": properties, "required": required or list(properties)}
    if closed:
        made["additionalProperties"] = False
    return made


def _run() -> Schema:
    tier = _object(
        {"id": ID, "title": {"type": "string"}, "verdicts": {"type": "array", "items": ID},
         "options": {"type": "array", "items": ID}},
        closed=False,
    )
    rulebook = _object(
        {
            "levels": {
                "type": "array", "minItems": 1,
                "items": {"type": "array", "prefixItems": [ID, {"type": "string"}], "minItems": 2, "maxItems": 2},
            },
            "tiers": {"type": "array", "minItems": 1, "items": tier},
            "options": {"type": "object", "additionalProperties": {"type": "string"}},
            "headings": {"type": "object", "additionalProperties": {"type": "string"}},
            "triggers": {
                "type": "object",
                "additionalProperties": _object(
                    {"heading": {"type": "string"}, "area": TEXT_OR_NULL, "signal": {"type": "string"}},
                    ["heading", "signal"], closed=False,
                ),
            },
            "peers": _object({"cap": {"type": "integer", "minimum": 0},
                              "per_authority": {"type": "integer", "minimum": 0}}, closed=False),
        },
        closed=False,
    )
    flag = _object(
        {"trigger": ID, "heading": {"type": "string"}, "signal": {"type": "string"}, "counted": {"type": "boolean"},
         "area": TEXT_OR_NULL, "last_year": {"type": ["boolean", "null"]}},
        ["trigger", "heading", "signal"], closed=False,
    )
    assessment = _object(
        {"authority": TEXT, "code": TEXT_OR_NULL, "year": YEAR, "level": ID, "tier": ID,
         "flags": {"type": "array", "items": flag}},
        ["authority", "year", "level", "tier"], closed=False,
    )
    return _object(
        {
            "id": RUN_ID,
            "recorded_at": TIMESTAMP,
            "recorded_by": TEXT,
            "rulebook_digest": {"type": "string"},
            "rulebook_path": {"type": "string"},
            "package_version": {"type": "string"},
            "sources": {"type": "array", "items": _object({"path": {"type": "string"}, "sha256": {"type": "string"}})},
            "rulebook": rulebook,
            "result": _object({"assessments": {"type": "array", "items": assessment}}, closed=False),
        }
    )


def _event() -> Schema:
    event = _object(
        {
            "id": RUN_ID,
            "kind": {"enum": list(EVENT_KINDS), "description": "the kind of act"},
            "run_id": {"type": ["integer", "null"], "minimum": 1, "description": "the run the act was made on"},
            "key": TEXT,
            "authority": TEXT,
            "code": TEXT_OR_NULL,
            "year": YEAR,
            "by": TEXT,
            "on": DATE,
            "at": TIMESTAMP,
            "note": TEXT_OR_NULL,
            "data": {"type": "object"},
        }
    )
    notes = {"required": TEXT, "optional": TEXT_OR_NULL, "none": {"type": "null"}}
    event["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {
                "properties": {
                    "data": data_schema(kind),
                    "note": notes[kind.note],
                    **({"run_id": RUN_ID} if kind.on_run else {}),
                },
                "description": kind.title,
            },
        }
        for name, kind in EVENT_KINDS.items()
    ]
    return event


def export_schema() -> Schema:
    """The JSON Schema of an export (without its `$schema`, `$id` and title)."""
    return _object(
        {
            "format": {"const": EXPORT_FORMAT},
            "schema": {"type": "string", "description": "the store's schema revision the export was written at"},
            "package_version": {"type": "string", "description": "the sli-rules that wrote it"},
            "runs": {"type": "array", "items": _run()},
            "events": {"type": "array", "items": _event()},
            DIGEST: {"type": "string", "pattern": "^[0-9a-f]{64}$",
                     "description": "64 hex digits: the SHA-256 of the document without this field, as canonical JSON"},
        }
    )


def export_schema_text() -> str:
    """The schema as `sli-rules schema export` prints it and `schemas/export.schema.json` keeps it."""
    made: Schema = {
        "$schema": DRAFT,
        "$id": f"{BASE_URI}export.schema.json",
        "title": "A store's export: `sli-rules export`, read back by `sli-rules import`",
    }
    made.update(export_schema())
    return json.dumps(made, indent=2, ensure_ascii=False) + "\n"


def content_digest(document: Mapping[str, Any]) -> str:
    """The SHA-256 of an export's content: every field but the digest, as canonical JSON."""
    content = {key: value for key, value in document.items() if key != DIGEST}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
