"""JSON Schemas (draft 2020-12) for every file kind and for the JSON result, for editors.

Editors such as VS Code's YAML extension read a `# yaml-language-server: $schema=...` line at
the top of a file and then complete keys and underline mistakes as the analyst types. The
schemas describe the same format the loader accepts; the loader stays the authority (it also
checks references, types against the catalogue and the verdict policy, which a schema cannot).
"""

from __future__ import annotations

import json

from .model import BASES, CHANGES, HEADINGS, MEASURE_TYPES, METHODS, POLARITIES, SIGNALS, STATS
from .schema_parts import (
    BASIS,
    ID,
    IDS,
    NUMBER,
    SCALAR,
    TEXT,
    TEXTS,
    YEAR,
    Schema,
    json_object,
    kind,
    one_test,
    tests,
    verdict_key,
)
from .themes import NOT_MET
from .verdict_keys import KEYS

KINDS = ("measures", "triggers", "verdicts", "menu", "theme", "facts", "tests", "result")
DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://sli-rules.example/schemas/"



def _definitions() -> Schema:
    reference = json_object(
        {
            "region": {"enum": list(STATS)},
            "comparators": {"enum": list(STATS)},
            "council_type": {"enum": list(STATS)},
            "previous": {"const": True},
            "fact": ID,
            "national": {"const": "value"},
            "published_region": {"const": "value"},
            "plus": NUMBER,
            "times": NUMBER,
        },
        description="a reference: {region: STAT}, {comparators: STAT}, {previous: true}, "
        "{fact: ID}, {national: value} or {published_region: value}, optionally with plus/times",
        oneOf=[
            {"required": [key]}
            for key in ("region", "comparators", "council_type", "previous", "fact", "national", "published_region")
        ],
    )
    value = {"anyOf": [SCALAR, {"$ref": "#/$defs/reference"}]}
    fact_tests = tests(value)
    fact_test = json_object(
        {
            "fact": ID,
            "change": {"enum": list(CHANGES)},
            "confidence": {"enum": [95, 99.8], "description": "of a significance test or a test of trend"},
            **fact_tests,
        },
        ("fact",),
        description="a test of one fact: fact, an optional change, and exactly one test",
        oneOf=one_test(fact_tests),
    )
    number_tests = tests(NUMBER, numbers_only=True)
    number_test = json_object(
        number_tests, description="a test of a number, such as {at_least: 2}",
        oneOf=one_test(number_tests),
    )
    where_tests = tests(value)
    percent = {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$", "description": "a percentage such as 35%"}
    count_tests = tests({"anyOf": [NUMBER, percent, {"const": "all"}]}, numbers_only=True)
    count = json_object(
        {
            "count": json_object(
                {
                    "facts": {"anyOf": [{**IDS, "minItems": 1}, json_object({"group": TEXT}, ("group",))]},
                    "where": {
                        "anyOf": [
                            {"$ref": "#/$defs/where_test"},
                            json_object(
                                {"all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/where_test"}}},
                                ("all",),
                                description="tests each fact must pass together to be counted",
                            ),
                        ]
                    },
                    "change": {"enum": list(CHANGES)},
                    "min_data": {"type": "integer", "minimum": 1},
                },
                ("facts", "where"),
            ),
            **count_tests,
            "min_data": {"type": "integer", "minimum": 1},
        },
        ("count",),
        description="how many facts of a set pass a test (a number, a share such as 35%, or all), itself tested",
        oneOf=one_test(count_tests),
    )
    condition: Schema = {
        "description": "a condition: all, any, not, a test of one fact, or a count",
        "anyOf": [
            json_object({"all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}}, ("all",)),
            json_object({"any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}}, ("any",)),
            json_object({"not": {"$ref": "#/$defs/condition"}}, ("not",)),
            {"$ref": "#/$defs/count"},
            {"$ref": "#/$defs/fact_test"},
        ],
    }
    counter = {"$ref": "#/$defs/number_test"}
    share_tests = tests({"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, percent]}, numbers_only=True)
    share_test = json_object(
        share_tests, description="a test of a share: a number from 0 to 1 or a percentage", oneOf=one_test(share_tests)
    )
    verdict_list = {"type": "array", "items": {"$ref": "#/$defs/verdict_condition"}, "minItems": 1}
    verdict_condition: Schema = {
        "description": "a verdict condition: all, any, not, flagged, or a count of flags",
        "anyOf": [
            json_object({"all": verdict_list}, ("all",)),
            json_object({"any": verdict_list}, ("any",)),
            json_object({"not": {"$ref": "#/$defs/verdict_condition"}}, ("not",)),
            json_object({"flagged": ID}, ("flagged",)),
            *(verdict_key(key, share_test if key.share else counter) for key in KEYS),
        ],
    }
    fact_values = {
        "type": "object",
        "description": "fact ids and their values; nested mappings are joined with dots; null is missing",
        "additionalProperties": {
            "anyOf": [{"type": ["number", "string", "boolean", "null"]}, {"$ref": "#/$defs/fact_values"}]
        },
    }
    counts_of_fact = json_object(
        {"numerator": {"type": "integer", "minimum": 0}, "denominator": {"type": "integer", "minimum": 1}},
        ("numerator", "denominator"),
    )
    fact_set = json_object(
        {
            "authority": TEXT,
            "code": TEXT,
            "year": YEAR,
            "comparators": TEXTS,
            "facts": {"$ref": "#/$defs/fact_values"},
            "previous": {"$ref": "#/$defs/fact_values"},
            "notes": {"type": "object", "additionalProperties": TEXT},
            "sources": {"type": "object", "additionalProperties": TEXT},
            "counts": {
                "type": "object",
                "description": "the counts behind a fact's value, by fact id",
                "additionalProperties": counts_of_fact,
            },
            "previous_counts": {
                "type": "object",
                "description": "the counts behind last year's value, by fact id: for two-sample tests of the change",
                "additionalProperties": counts_of_fact,
            },
            "history_counts": {
                "type": "object",
                "description": "the counts behind earlier years' values, by fact id and year: for tests of trend",
                "additionalProperties": {"type": "object", "additionalProperties": counts_of_fact},
            },
            "history": {
                "type": "object",
                "description": "earlier years' values, by fact id and year",
                "additionalProperties": {
                    "type": "object", "additionalProperties": {"type": ["number", "string", "boolean", "null"]}
                },
            },
        },
        ("authority", "year"),
        description="one authority's facts for one year",
    )
    return {
        "reference": reference,
        "fact_test": fact_test,
        "number_test": number_test,
        "count": count,
        "where_test": json_object(where_tests, oneOf=one_test(where_tests)),
        "condition": condition,
        "verdict_condition": verdict_condition,
        "fact_values": fact_values,
        "fact_set": fact_set,
    }


def _measures() -> Schema:
    alias = {"anyOf": [ID, json_object({"id": ID, "since": YEAR, "until": YEAR}, ("id",))]}
    measure = json_object(
        {
            "id": ID,
            "name": TEXT,
            "type": {"enum": list(MEASURE_TYPES)},
            "unit": TEXT,
            "better": {"enum": list(POLARITIES)},
            "group": TEXT,
            "aliases": {"type": "array", "items": alias},
            "source": TEXT,
            "range": {"type": "array", "items": NUMBER, "minItems": 2, "maxItems": 2},
            "values": {"type": "array", "items": TEXT, "minItems": 1},
            "since": YEAR,
            "until": YEAR,
            "breaks": {"type": "array", "items": YEAR},
            "note": TEXT,
            "basis": BASIS,
            "method": {"enum": list(METHODS), "description": "how a confidence interval is taken"},
            "per": {"type": "number", "exclusiveMinimum": 0, "description": "100 for percentages, 100000 per 100,000"},
            "year_notes": {
                "type": "object", "propertyNames": YEAR, "additionalProperties": TEXT,
                "description": "what the publisher says of the measure in one year, shown beside its flags",
            },
        },
        ("id", "name"),
    )
    return json_object(
        {"kind": kind("measures"), "measures": {"type": "array", "items": measure}},
        ("kind", "measures"),
    )


def _triggers() -> Schema:
    trigger = json_object(
        {
            "id": ID,
            "title": TEXT,
            "signal": {"enum": list(SIGNALS)},
            "area": ID,
            "sources": TEXTS,
            "when": {"$ref": "#/$defs/condition"},
            "says": {
                "type": "string",
                "description": "placeholders: {value} {measure} {previous} {reference} {authority} {count} {fact:ID}",
            },
            "only_with_other_concerns": {"type": "boolean"},
            "note": TEXT,
            "entry": {**ID, "description": "the piece of evidence (Table 2 entry) it reads; its own id by default"},
            "basis": BASIS,
            "years": json_object(
                {"from": YEAR, "until": YEAR},
                description="the span of years it applies in (either end optional); outside it, not applicable",
                minProperties=1,
            ),
        },
        ("id", "title", "when"),
    )
    return json_object(
        {
            "kind": kind("triggers"),
            "heading": {"enum": list(HEADINGS)},
            "title": TEXT,
            "triggers": {"type": "array", "items": trigger},
        },
        ("kind", "heading", "triggers"),
    )


def _verdicts() -> Schema:
    level = json_object(
        {"id": ID, "title": TEXT, "when": {"$ref": "#/$defs/verdict_condition"}, "note": TEXT},
        ("id", "title"),
    )
    return json_object(
        {"kind": kind("verdicts"), "levels": {"type": "array", "items": level, "minItems": 1}},
        ("kind", "levels"),
    )


def _menu() -> Schema:
    option = json_object(
        {"id": ID, "title": TEXT, "via": TEXT, "suits": TEXTS, "note": TEXT}, ("id", "title")
    )
    tier = json_object(
        {
            "id": ID,
            "title": TEXT,
            "note": TEXT,
            "verdicts": IDS,
            "options": IDS,
            "corroboration": {"const": "required"},
        },
        ("id", "title", "verdicts", "options"),
    )
    return json_object(
        {
            "kind": kind("menu"),
            "options": {"type": "array", "items": option},
            "tiers": {"type": "array", "items": tier},
            "peers": json_object(
                {
                    "per_authority": {"type": "integer", "minimum": 1},
                    "cap": {"type": "integer", "minimum": 1},
                    "days_cap": {"type": "integer", "minimum": 1, "maximum": 365},
                }
            ),
        },
        ("kind", "options", "tiers"),
    )


def _theme() -> Schema:
    level = {
        **ID, "not": {"const": NOT_MET}, "description": f"a level's id ('{NOT_MET}' is the answer below the first)"
    }
    element = json_object(
        {
            "id": ID,
            "title": TEXT,
            "key": {"type": "boolean", "description": "failing its minimum standard is Table 2 entry 16"},
            "descriptors": {
                "type": "object", "propertyNames": level, "additionalProperties": TEXT,
                "description": "what each level looks like, shown in the form",
            },
            "note": TEXT,
            "basis": BASIS,
        },
        ("id", "title"),
    )
    return json_object(
        {
            "kind": kind("theme"),
            "id": ID,
            "title": TEXT,
            "years": {"type": "array", "items": YEAR, "description": "the years it runs in (none: any year)"},
            "area": {**ID, "description": "a heading or trigger area: where its strengths are offered to others"},
            "levels": {
                "type": "array", "items": level, "minItems": 1, "uniqueItems": True,
                "description": "least to most developed; the first is the minimum standard",
            },
            "elements": {"type": "array", "items": element, "minItems": 1},
            "note": TEXT,
            "basis": BASIS,
        },
        ("kind", "id", "title", "levels", "elements"),
    )


def _facts() -> Schema:
    region = json_object(
        {
            "kind": {"const": "region"},
            "name": TEXT,
            "year": YEAR,
            "authorities": {"type": "array", "items": {"$ref": "#/$defs/fact_set"}},
        },
        ("kind", "authorities"),
    )
    return {
        "description": "a fact set, a list of fact sets, or a region (kind: region)",
        "anyOf": [
            {"$ref": "#/$defs/fact_set"},
            {"type": "array", "items": {"$ref": "#/$defs/fact_set"}},
            region,
        ],
    }


def _tests_file() -> Schema:
    expect = json_object(
        {
            "level": ID,
            "tier": ID,
            "flags": IDS,
            "has_flags": IDS,
            "not_flags": IDS,
            "gaps": IDS,
        }
    )
    case = json_object(
        {
            "name": TEXT,
            "authority": TEXT,
            "facts": {"$ref": "#/$defs/fact_values"},
            "previous": {"$ref": "#/$defs/fact_values"},
            "remove": IDS,
            "flagged_before": {
                "type": "array", "items": IDS,
                "description": "the concerns counted in each year before, last year first (for persistent)",
            },
            "views": {
                "type": "object", "additionalProperties": {"enum": ["concern", "no_concern", "unsure"]},
                "description": "the authority's own view of its concern triggers (for unacknowledged)",
            },
            "expect": expect,
        },
        ("name", "authority", "expect"),
    )
    return json_object(
        {
            "kind": kind("tests"),
            "region": {
                "anyOf": [TEXT, {"type": "array", "items": {"$ref": "#/$defs/fact_set"}}],
                "description": "a path to fact files (relative to this file), or fact sets inline",
            },
            "rules": TEXT,
            "tests": {"type": "array", "items": case},
        },
        ("kind", "tests"),
    )


def _result() -> Schema:
    # Fields a result may leave out are null in the JSON, not absent.
    text = {"type": ["string", "null"]}
    text_list = TEXTS
    flag = json_object(
        {
            "trigger": ID,
            "heading": {"enum": list(HEADINGS)},
            "signal": {"enum": list(SIGNALS)},
            "counted": {"type": "boolean"},
            "title": text,
            "says": text,
            "area": text,
            "sources": text_list,
            "values": {"type": "object", "additionalProperties": {"type": ["number", "string", "boolean", "null"]}},
            "notes": {"type": "object", "additionalProperties": text},
            "provenance": {"type": "object", "additionalProperties": text},
            "evidence": {"type": "array", "items": json_object({"text": text, "outcome": text}, ("text", "outcome"))},
            "entry": text,
            "basis": {"enum": [*BASES, None]},
            "view": {"enum": ["concern", "no_concern", "unsure", None], "description": "the authority's own view"},
            "view_comment": text,
            "last_year": {"type": ["boolean", "null"], "description": "also flagged the year before; null: not known"},
            "year_notes": {
                "type": "object", "additionalProperties": text,
                "description": "the catalogue's note on a measure used, in the year assessed",
            },
        },
        ("trigger", "heading", "signal", "counted", "title"),
    )
    gap = json_object(
        {
            "trigger": ID, "heading": text, "title": text, "missing": text_list, "why": text_list,
            "known": text_list, "entry": text,
        },
        ("trigger", "missing"),
    )
    support = json_object(
        {"option": ID, "title": text, "via": text, "suits": text_list, "note": text},
        ("option", "title"),
    )
    judged = json_object({"judged": {"type": "integer"}, "total": {"type": "integer"}}, ("judged", "total"))
    peer = json_object(
        {"authority": text, "code": text, "area": text, "trigger": ID, "answers": text}, ("authority",)
    )
    assessment = json_object(
        {
            "authority": text,
            "code": {"type": ["string", "null"]},
            "year": YEAR,
            "level": ID,
            "level_title": text,
            "tier": ID,
            "tier_title": text,
            "tier_note": text,
            "status": {"enum": ["provisional", "confirmed"]},
            "flags": {"type": "array", "items": flag},
            "gaps": {"type": "array", "items": gap},
            "support": {"type": "array", "items": support},
            "reasons": text_list,
            "peers": {"type": "array", "items": peer},
            "coverage": {
                "anyOf": [
                    {"type": "null"},
                    json_object(
                        {
                            "judged": {"type": "integer"},
                            "total": {"type": "integer"},
                            "headings": {"type": "object", "additionalProperties": judged},
                        },
                        ("judged", "total", "headings"),
                    ),
                ],
                "description": "concern triggers judged (flagged or cleared) out of how many, overall and by heading",
            },
            "caveats": {
                "type": "array",
                "items": json_object({"id": ID, "text": TEXT}, ("id", "text")),
                "description": "what to know before relying on the verdict, e.g. ascof-alone: its counted "
                "concerns all come from ASCOF, whose measures alone cannot judge how effective an authority is",
            },
            "last_year": json_object(
                {
                    "year": YEAR,
                    "status": {"enum": ["provisional", "final"]},
                    "level": ID,
                    "tier": ID,
                    "concerns": {"type": "array", "items": ID},
                    "decision": {"type": ["string", "null"]},
                    "declined": {"type": "boolean"},
                    "support": {
                        "type": "array",
                        "items": json_object(
                            {
                                "option": ID, "provider": text, "days": {"type": ["integer", "null"]},
                                "status": text, "outcome": text,
                            },
                            ("option",),
                        ),
                    },
                },
                ("year", "status", "level", "tier", "concerns", "declined"),
                description="the year before as it stands in the store (present only when recorded from one): the "
                "final view (its level, tier and confirmed concerns), else the provisional verdict; the Board's "
                "decision, declined or not; the support given",
            ),
        },
        ("authority", "year", "level", "tier", "status", "flags", "gaps", "support", "reasons", "caveats"),
    )
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    return json_object(
        {
            "rulebook": json_object({"digest": text, "path": text}, ("digest",)),
            "summary": {
                "type": "object",
                "properties": {
                    "authorities": {"type": "integer"},
                    "levels": counts,
                    "tiers": counts,
                    "excellence": text_list,
                    "gaps": {"type": "integer"},
                },
            },
            "assessments": {"type": "array", "items": assessment},
            "warnings": text_list,
        },
        ("rulebook", "assessments"),
    )


_BUILDERS = {
    "measures": (_measures, "A catalogue of the facts triggers may read (kind: measures)"),
    "triggers": (_triggers, "The triggers of one Table 2 heading (kind: triggers)"),
    "verdicts": (_verdicts, "The 'in the round' verdict policy (kind: verdicts)"),
    "menu": (_menu, "The Table 1 support menu (kind: menu)"),
    "theme": (_theme, "A thematic review: its levels and elements (kind: theme)"),
    "facts": (_facts, "A fact set: one authority's facts for a year, a list, or a region"),
    "tests": (_tests_file, "Rule tests (kind: tests)"),
    "result": (_result, "The JSON result of `sli-rules assess --format json`"),
}


def schema(kind: str) -> Schema:
    """The JSON Schema of one file kind (or of the JSON result); ValueError for other kinds."""
    if kind not in _BUILDERS:
        raise ValueError(f"no schema for {kind!r}: one of {', '.join(KINDS)}")
    build, title = _BUILDERS[kind]
    made: Schema = {"$schema": DRAFT, "$id": f"{BASE_URI}{kind}.schema.json", "title": title}
    made.update(build())
    if kind != "result":
        made["$defs"] = _definitions()
    return made


def schema_text(kind: str) -> str:
    """The schema as the text written to `schemas/KIND.schema.json`."""
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"
