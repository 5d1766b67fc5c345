"""The pieces every JSON Schema of `schema` is built from: ids, years, texts, objects that
allow no other key, and the test keys of the operator table."""

from __future__ import annotations

from typing import Any

from .model import BASES, HEADINGS
from .operators import OPERATORS
from .verdict_keys import MAX_YEARS, VerdictKey

Schema = dict[str, Any]

ID = {
    "type": "string",
    "pattern": "^[a-z0-9][a-z0-9._-]*$",
    "description": "an id: lower-case words joined by '-', '_' or '.'",
}
YEAR = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "a financial year such as 2013-14"}
TEXT = {"type": "string"}
TEXTS = {"type": "array", "items": TEXT}
IDS = {"type": "array", "items": ID}
NUMBER = {"type": "number"}
BASIS = {
    "enum": list(BASES),
    "description": "where the definition comes from: the seed's words, a reading of them, or invented for the example",
}
SCALAR = {"type": ["number", "string", "boolean"]}


def verdict_key(key: VerdictKey, test: Schema) -> Schema:
    """One verdict key's condition, with `in` and `years` where it takes them."""
    properties: Schema = {key.name: {**test, "description": key.meaning}}
    if key.by_heading:
        properties["in"] = {"enum": list(HEADINGS)}
    if key.years:
        properties["years"] = {"type": "integer", "minimum": 1, "maximum": MAX_YEARS}
    return json_object(properties, (key.name,))


def json_object(properties: Schema, required: tuple[str, ...] = (), **extra: Any) -> Schema:
    made: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        made["required"] = list(required)
    made.update(extra)
    return made


def kind(name: str) -> Schema:
    return {"const": name, "description": f"what the file holds: {name}"}


def tests(value: Schema, numbers_only: bool = False) -> dict[str, Schema]:
    """The test keys, each with the schema of its operand, from the operator table."""
    shapes: dict[str, Schema] = {
        "value": value,
        "pair": {"type": "array", "prefixItems": [value, value], "minItems": 2, "maxItems": 2},
        "list": {"type": "array", "items": value, "minItems": 1},
        "flag": {"type": "boolean"},
        "years": json_object(
            {
                "years": {"type": "integer", "minimum": 1, "maximum": MAX_YEARS},
                "significant": {"type": "boolean", "description": "a test of trend on each year's counts"},
                "confidence": {"enum": [95, 99.8], "description": "of a test of trend (default 99.8)"},
            },
            ("years",),
        ),
    }
    return {name: shapes[op.shape] for name, op in OPERATORS.items() if op.numeric or not numbers_only}


def one_test(tests: dict[str, Schema]) -> list[Schema]:
    """`oneOf` branches requiring exactly one of the test keys."""
    return [
        {
            "required": [name],
            "not": {"anyOf": [{"required": [other]} for other in tests if other != name]},
        }
        for name in tests
    ]
