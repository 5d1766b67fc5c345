"""Checking an export before it is imported: every problem at once, located in the file when
the export was read from one, so that a damaged file changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import Problems, SliRulesError
from ...rules.source import Document, Where, load_documents
from .errors import StoreError

EXPORT_FORMAT = "sli-rules store"
_RUN_FIELDS = {
    "id": int, "recorded_at": str, "recorded_by": str, "rulebook_digest": str, "rulebook_path": str,
    "package_version": str, "sources": list, "rulebook": dict, "result": dict,
}
_EVENT_FIELDS = {
    "id": int, "kind": str, "key": str, "authority": str, "year": str, "by": str, "on": str, "at": str,
    "data": dict,
}
_EVENT_OPTIONAL = {"run_id": int, "code": str, "note": str}


def read_export(path: Path) -> dict[str, Any]:
    """An export file, checked: SliRulesError with every problem located in the file."""
    problems = Problems()
    documents = load_documents(path, problems)
    problems.raise_if_errors(SliRulesError)
    if len(documents) != 1:
        raise StoreError(f"{path}: not a store export (one JSON document expected)")
    check_export(documents[0].data, documents[0])
    return documents[0].data  # type: ignore[no-any-return]


def check_export(data: Any, document: Document | None = None) -> None:
    """Raise when `data` is not a whole export of this format."""
    found: list[tuple[Where, str]] = []
    if not isinstance(data, Mapping) or data.get("format") != EXPORT_FORMAT:
        found.append(((), f"not a store export: 'format' must be {EXPORT_FORMAT!r}"))
    else:
        runs, events = data.get("runs"), data.get("events")
        if not isinstance(runs, list):
            found.append((("runs",), "'runs' must be a list"))
            runs = []
        if not isinstance(events, list):
            found.append((("events",), "'events' must be a list"))
            events = []
        run_ids = set()
        for index, run in enumerate(runs):
            found.extend(_fields(("runs", index), run, _RUN_FIELDS, {}))
            if isinstance(run, Mapping):
                run_ids.add(run.get("id"))
                result = run.get("result")
                if isinstance(result, Mapping) and not isinstance(result.get("assessments"), list):
                    found.append((("runs", index, "result"), "the result has no 'assessments' list"))
        for index, event in enumerate(events):
            found.extend(_fields(("events", index), event, _EVENT_FIELDS, _EVENT_OPTIONAL))
            if isinstance(event, Mapping) and event.get("run_id") is not None and event["run_id"] not in run_ids:
                message = f"event names run {event['run_id']}, which is not in the export"
                found.append((("events", index, "run_id"), message))
    if not found:
        return
    if document is not None:
        problems = Problems()
        for where, message in found:
            document.problem(problems, where, message)
        raise StoreError("\n".join(str(p) for p in sorted(problems.items, key=lambda p: p.sort_key())))
    raise StoreError("; ".join(f"$.{'.'.join(str(part) for part in where)}: {message}" for where, message in found))


def _fields(where: Where, item: Any, required: dict[str, type], optional: dict[str, type]) -> list[tuple[Where, str]]:
    if not isinstance(item, Mapping):
        return [(where, "must be an object")]
    found = []
    for name, kind in required.items():
        if name not in item:
            found.append((where, f"'{name}' is missing"))
        elif not isinstance(item[name], kind) or isinstance(item[name], bool):
            found.append(((*where, name), f"'{name}' must be {kind.__name__}"))
    for name, kind in optional.items():
        value = item.get(name)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            found.append(((*where, name), f"'{name}' must be {kind.__name__} or null"))
    return found
