"""Export and import: the whole store as one JSON document (see `document.py`), and that
document checked whole before anything is written.

`check_export` finds every problem at once, each at its place (`file:line:column` when the
export was read from a file, the path inside the data otherwise): the JSON Schema (built from
the declared acts), then what a schema cannot say (ids unique; each event's run present and
holding its authority and year; the levels, tiers and options an act names known to its run's
rulebook; real years, dates and times; no NUL character, which PostgreSQL cannot keep), then
the digest. An export written at a newer schema revision is refused first, on its own, naming
the version it needs. `import_document` then writes every run and event in one transaction.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..._version import __version__
from ...errors import Problem, Problems, SliRulesError
from ...rules.model import YEAR_PATTERN
from ...rules.source import Document, Where, load_documents, memory_document, path_text
from . import tables
from .checks import authority_key, verdict_rows
from .database import first_line, known_revisions, schema_head
from .document import DIGEST, EXPORT_FORMAT, content_digest, export_schema
from .errors import StoreError

_RUN_TEXT = ("id", "recorded_at", "recorded_by", "rulebook_digest", "rulebook_path", "package_version")
_EVENT_PLAIN = ("id", "kind", "run_id", "key", "authority", "code", "year", "by", "on", "at", "note")


class ExportError(StoreError):
    """An export that cannot be imported: every problem, each at its place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.reason = "\n".join(str(problem) for problem in sorted(set(problems), key=Problem.sort_key))
        SliRulesError.__init__(self, problems)


# --- export ------------------------------------------------------------------------------


def export_document(connection: sa.Connection) -> dict[str, Any]:
    """The whole store as JSON-ready data: every run and event with their ids, and the digest."""
    runs = connection.execute(sa.select(tables.runs).order_by(tables.runs.c.id)).mappings().all()
    events = connection.execute(sa.select(tables.events).order_by(tables.events.c.id)).mappings().all()
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "schema": schema_head(),
        "package_version": __version__,
        "runs": [
            {
                **{name: row[name] for name in _RUN_TEXT},
                "sources": json.loads(row["sources"]),
                "rulebook": json.loads(row["rulebook"]),
                "result": json.loads(row["result"]),
            }
            for row in runs
        ],
        "events": [{**{name: row[name] for name in _EVENT_PLAIN}, "data": json.loads(row["data"])} for row in events],
    }
    document[DIGEST] = content_digest(document)
    return document


# --- checking ----------------------------------------------------------------------------


def read_export(path: Path) -> dict[str, Any]:
    """An export file, checked whole: ExportError with every problem located in the file."""
    problems = Problems()
    documents = load_documents(path, problems, lazy=True)  # places are looked for only when wrong
    if problems.has_errors:
        raise ExportError(problems.items)
    if len(documents) != 1:
        raise StoreError(f"{path}: not a store export (one JSON document expected)")
    check_export(documents[0].data, documents[0])
    return documents[0].data  # type: ignore[no-any-return]


def check_export(data: Any, document: Document | None = None) -> None:
    """Raise ExportError, listing every problem, when `data` is not a whole, sound export."""
    in_file = document is not None  # a file's places are lines: the path inside is said too
    document = document or memory_document(data, "export")
    found = list(_refusal(data))
    if not found:
        found = [*_schema_problems(data)]
        if isinstance(data.get("runs"), list) and isinstance(data.get("events"), list):
            broken = {where[:2] for where, _ in found}  # the runs and events the schema found wrong
            found += _meaning_problems(data, broken)
        if not found and data[DIGEST] != content_digest(data):
            found.append(((DIGEST,), "the digest does not match the content: the export was changed after it "
                                      "was written"))
    if not found:
        return
    problems = Problems()
    for where, message in found:
        inside = path_text(where)
        shown = f"{inside}: {message}" if inside and in_file else message
        document.problem(problems, where, shown)
    raise ExportError(problems.items)


def _refusal(data: Any) -> Iterator[tuple[Where, str]]:
    """What stops the checks at once: not an export, or one written by a newer version."""
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        yield (), f"not a store export: 'format' must be {EXPORT_FORMAT!r}"
        return
    revision = data.get("schema")
    if isinstance(revision, str) and revision not in known_revisions():
        written = data.get("package_version")
        needs = f"sli-rules {written} or newer" if isinstance(written, str) else "a newer sli-rules"
        yield ("schema",), (
            f"the export was written at store schema revision {revision!r}, by a newer version: importing it "
            f"needs {needs}; this is sli-rules {__version__}, which knows revisions up to {schema_head()}"
        )


def _validator() -> Any:
    try:
        import jsonschema  # type: ignore[import-untyped]
    except ImportError:
        raise StoreError("checking an export needs jsonschema: pip install 'sli-rules[store]'") from None

    def whole_number(_: Any, instance: Any) -> bool:
        return isinstance(instance, int) and not isinstance(instance, bool)  # 3.0 days is not 3

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine("integer", whole_number)
    return jsonschema.validators.extend(base, type_checker=checker)(export_schema())


def _schema_problems(data: Any) -> Iterator[tuple[Where, str]]:
    for error in _validator().iter_errors(data):
        where = tuple(error.absolute_path)
        yield where, _schema_message(error)


def _schema_message(error: Any) -> str:
    instance, schema = error.instance, error.schema
    if error.validator == "type":
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return f"must be {' or '.join(wanted)}, not {_json_type(instance)} {_short(instance)}"
    if error.validator in ("pattern", "minLength") and "description" in schema:
        return f"{_short(instance)} is not {schema['description']}"
    if error.validator == "enum":
        return f"{_short(instance)} is not one of: {', '.join(str(item) for item in schema['enum'])}"
    if error.validator == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        return f"unknown field{'s' if len(extra) != 1 else ''} {', '.join(repr(name) for name in extra)}"
    if error.validator == "required":
        return error.message.replace(" is a required property", " is missing")  # type: ignore[no-any-return]
    return error.message  # type: ignore[no-any-return]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _meaning_problems(data: Mapping[str, Any], broken: set[Where]) -> list[tuple[Where, str]]:
    """What a schema cannot say, for every run and event the schema found whole."""
    found: list[tuple[Where, str]] = []
    found += [(where, "a NUL character, which a store cannot keep") for where in _nul_places(data, ())]
    runs = {}  # id -> (levels, tiers, options, areas, {(key, year)})
    unread = set()  # the ids of runs too broken to check acts against
    for index, run in enumerate(data["runs"]):
        where: Where = ("runs", index)
        if where in broken:
            if isinstance(run, Mapping) and isinstance(run.get("id"), int):
                unread.add(run["id"])
            continue
        if run["id"] in runs:
            found.append(((*where, "id"), f"run id {run['id']} is used twice"))
            continue
        found += _timestamp(run["recorded_at"], (*where, "recorded_at"))
        rules = run["rulebook"]
        verdicts = set()
        for position, item in enumerate(run["result"]["assessments"]):
            found += _year(item["year"], (*where, "result", "assessments", position, "year"))
            verdicts.add((authority_key(item["authority"], item.get("code")), item["year"]))
        runs[run["id"]] = (
            {level[0] for level in rules["levels"]},
            {tier["id"] for tier in rules["tiers"]},
            set(rules["options"]),
            set(rules["headings"]) | {t["area"] for t in rules["triggers"].values() if t.get("area")},
            verdicts,
        )
    known_keys = {key for *_, verdicts in runs.values() for key, _ in verdicts}
    all_options = {option for _, _, options, _, _ in runs.values() for option in options}
    all_areas = {area for *_, areas, _ in runs.values() for area in areas}
    seen: dict[int, int] = {}
    for index, event in enumerate(data["events"]):
        where = ("events", index)
        if where in broken or event["run_id"] in unread:
            continue
        if event["id"] in seen:
            found.append(((*where, "id"), f"event id {event['id']} is used twice (also events[{seen[event['id']]}])"))
        seen.setdefault(event["id"], index)
        found += _event_problems(event, where, runs, known_keys, all_options, all_areas)
    return found


def _event_problems(
    event: Mapping[str, Any],
    where: Where,
    runs: dict[int, tuple[set[str], set[str], set[str], set[str], set[tuple[str, str]]]],
    known_keys: set[str],
    all_options: set[str],
    all_areas: set[str],
) -> list[tuple[Where, str]]:
    found: list[tuple[Where, str]] = []
    kind, data, year = event["kind"], event["data"], event["year"]
    found += _year(year, (*where, "year"))
    found += _timestamp(event["at"], (*where, "at"))
    found += _date(event["on"], year, event["at"], (*where, "on"))
    if event["key"] != authority_key(event["authority"], event["code"]):
        found.append(((*where, "key"), f"the key {event['key']!r} is not the authority's code or name"))
    run = event["run_id"]
    if run is not None and run not in runs:
        found.append(((*where, "run_id"), f"the event names run {run}, which is not in the export"))
        return found
    if run is None:
        if event["key"] not in known_keys:
            found.append(((*where, "authority"), f"{event['authority']!r} is in no run of the export"))
        if kind == "offer":
            if data["option"] not in all_options:
                found.append(((*where, "data", "option"), f"option {data['option']!r} is in no run's rulebook"))
            if data["area"] not in all_areas:
                found.append(((*where, "data", "area"), f"area {data['area']!r} is in no run's rulebook"))
        return found
    levels, tiers, options, _, verdicts = runs[run]
    if (event["key"], year) not in verdicts:
        found.append(((*where, "run_id"), f"run {run} holds no verdict of {event['authority']!r} for {year}"))
    named = {"level": levels, "provisional_level": levels, "tier": tiers, "provisional_tier": tiers,
             "option": options if kind != "offer" else all_options}
    for field, known in named.items():
        if isinstance(data.get(field), str) and data[field] not in known:
            found.append(((*where, "data", field), f"{field.replace('_', ' ')} {data[field]!r} is not in run "
                                                   f"{run}'s rulebook"))
    return found


def _nul_places(value: Any, where: Where) -> Iterator[Where]:
    if isinstance(value, str):
        if "\x00" in value:
            yield where
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if "\x00" in key:
                yield where
            yield from _nul_places(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_places(item, (*where, index))


def _year(year: str, where: Where) -> list[tuple[Where, str]]:
    match = YEAR_PATTERN.match(year)
    if match and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
        return []
    return [(where, f"year {year!r} is not a financial year like 2013-14")]


def _timestamp(text: str, where: Where) -> list[tuple[Where, str]]:
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return [(where, f"{text!r} is not an ISO date and time")]
    return []


def _date(on: str, year: str, at: str, where: Where) -> list[tuple[Where, str]]:
    try:
        day = datetime.date.fromisoformat(on)
    except ValueError:
        return [(where, f"{on!r} is not a date like 2013-10-01")]
    match = YEAR_PATTERN.match(year)
    if match and day < datetime.date(int(match.group(1)), 4, 1):
        return [(where, f"{on} is before the year {year} began (1 April)")]
    try:
        written = datetime.datetime.fromisoformat(at).date()
    except ValueError:
        return []
    if day > written + datetime.timedelta(days=1):  # a day's grace for the time zones
        return [(where, f"{on} is after the act was written into the store ({at})")]
    return []


# --- import ------------------------------------------------------------------------------


def import_document(connection: sa.Connection, data: Mapping[str, Any]) -> tuple[int, int]:
    """Write a checked export into the empty store behind `connection`, in its transaction."""
    if connection.execute(sa.select(sa.func.count()).select_from(tables.runs)).scalar() or (
        connection.execute(sa.select(sa.func.count()).select_from(tables.events)).scalar()
    ):
        raise StoreError("the store to import into is not empty")
    try:
        for run in data["runs"]:
            connection.execute(
                tables.runs.insert().values(
                    **{name: run[name] for name in _RUN_TEXT},
                    sources=json.dumps(run["sources"]),
                    rulebook=json.dumps(run["rulebook"]),
                    result=json.dumps(run["result"], sort_keys=True),
                )
            )
            rows = verdict_rows(run["id"], run["result"])
            if rows:
                connection.execute(tables.verdicts.insert(), rows)
        if data["events"]:
            connection.execute(
                tables.events.insert(),
                [{**{name: event[name] for name in _EVENT_PLAIN}, "data": json.dumps(event["data"])}
                 for event in data["events"]],
            )
        if connection.dialect.name == "postgresql":
            # Ids were given, so the sequences did not move: move them past the ids restored.
            for table in (tables.runs, tables.events):
                connection.execute(
                    sa.text(
                        f"select setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce((select max(id) from {table.name}), 0) + 1, false)"
                    )
                )
    except sa.exc.DBAPIError as error:
        raise StoreError(f"the import was undone: {first_line(error)}") from None
    return len(data["runs"]), len(data["events"])


__all__ = ["EXPORT_FORMAT", "ExportError", "check_export", "export_document", "import_document", "read_export"]
