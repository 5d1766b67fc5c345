"""The checks every act passes before anything is written, and the small conversions shared by
the store's modules: dates, who acted, sources with their digests, the rulebook's summary."""

from __future__ import annotations

import datetime
import getpass
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ...assessment.results import RegionAssessment
from ...errors import did_you_mean
from ...rules.model import YEAR_PATTERN, Rulebook
from .errors import StoreError
from .records import Source

SourceLike = Source | tuple[str, str] | str | Path
Row = Mapping[Any, Any]  # a result row's mapping, by column name


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")


def today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def digest_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sources_of(items: Iterable[SourceLike]) -> tuple[Source, ...]:
    """Sources as recorded: given (path, sha256) pairs kept as they are; a file path read and
    hashed; a folder: every file below it."""
    found: list[Source] = []
    for item in items:
        if isinstance(item, Source):
            found.append(item)
        elif isinstance(item, tuple):
            found.append(Source(str(item[0]), str(item[1])))
        else:
            path = Path(item)
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            found.extend(Source(str(file), digest_of(file)) for file in files)
    return tuple(found)


def rulebook_summary(rulebook: Rulebook) -> dict[str, Any]:
    """What later acts on a run are checked against: its levels, tiers, options, areas, in the
    rulebook's own order (kept unsorted, so that messages list them as the rulebook does)."""
    return {
        "digest": rulebook.digest,
        "levels": [[level.id, level.title] for level in rulebook.levels],
        "tiers": [
            {"id": tier.id, "title": tier.title, "verdicts": list(tier.verdicts), "options": list(tier.options)}
            for tier in rulebook.tiers
        ],
        "options": {option.id: option.title for option in rulebook.options.values()},
        "headings": dict(rulebook.headings),
        "triggers": {
            trigger.id: {"heading": trigger.heading, "area": trigger.area, "signal": trigger.signal}
            for trigger in rulebook.triggers
        },
        "peers": {"cap": rulebook.peers.cap, "per_authority": rulebook.peers.per_authority},
    }


def rulebook_for(result: RegionAssessment, rulebook: Rulebook | None) -> Rulebook:
    if rulebook is None:
        from ...rules.load import load_rulebook

        path = Path(result.rulebook_path)
        if not path.is_dir():
            raise StoreError(
                f"the rulebook that made this result ({result.rulebook_path}) is not at hand: pass rulebook="
            )
        rulebook = load_rulebook(path)
    if rulebook.digest != result.rulebook_digest:
        raise StoreError(
            f"the rulebook given ({rulebook.digest}) is not the one that made this result ({result.rulebook_digest})"
        )
    return rulebook


def authority_key(authority: str, code: str | None) -> str:
    return code or authority


def check_year(year: str) -> None:
    match = YEAR_PATTERN.match(year)
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise StoreError(f"year {year!r} is not a financial year like 2013-14")


def check_date(on: str | None) -> str:
    if on is None:
        return today()
    try:
        return datetime.date.fromisoformat(on).isoformat()
    except ValueError:
        raise StoreError(f"date {on!r} is not a date like 2013-10-01") from None


def who(by: str | None) -> str:
    if by is None:
        try:
            return getpass.getuser()
        except Exception:  # no user name in this environment (a container without one)
            return "unknown"
    if not by.strip():
        raise StoreError("say who acted: 'by' is empty")
    return by.strip()


def required(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise StoreError(f"{what} is required")
    return text.strip()


def choose(value: str, choices: Iterable[str], what: str) -> None:
    known = list(choices)
    if value not in known:
        hint = did_you_mean(value, known)
        raise StoreError(f"unknown {what} {value!r}" + (f" ({hint})" if hint else "") + f"; known: {', '.join(known)}")


def counted_concerns(item: Row) -> list[str]:
    return [
        flag["trigger"] for flag in item.get("flags", ()) if flag.get("signal") == "concern" and flag.get("counted")
    ]


def verdict_rows(run_id: int, data: Row) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "position": position,
            "key": authority_key(item["authority"], item.get("code")),
            "authority": item["authority"],
            "code": item.get("code"),
            "year": item["year"],
            "level": item["level"],
            "tier": item["tier"],
        }
        for position, item in enumerate(data["assessments"])
    ]
