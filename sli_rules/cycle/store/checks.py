"""The checks every act passes before anything is written, and the small conversions shared by
the store's modules: dates, who acted, sources with their digests, the rulebook's summary."""

from __future__ import annotations

import datetime
import getpass
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ...assessment.results import RegionAssessment
from ...errors import did_you_mean
from ...rules.model import YEAR_PATTERN, Rulebook, year_start
from .errors import StoreError
from .records import Source

SourceLike = Source | tuple[str, str] | str | Path
Row = Mapping[Any, Any]  # a result row's mapping, by column name


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")


def digest_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sources_of(items: Iterable[SourceLike]) -> tuple[Source, ...]:
    """Sources as recorded: given (path, sha256) pairs kept as they are; a file path read and
    hashed; a folder: every file below it. Anything else, or a path not there, is refused."""
    if isinstance(items, (str, Path)):
        items = [items]
    found: list[Source] = []
    for item in items:
        if isinstance(item, Source):
            found.append(item)
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(part, str) for part in item):
            found.append(Source(item[0], item[1]))
        elif isinstance(item, (str, os.PathLike)):
            path = Path(item)
            if not path.exists():
                raise StoreError(f"no such source file or folder: {path}")
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            found.extend(Source(str(file), digest_of(file)) for file in files)
        else:
            raise StoreError(f"a source is a path or a (path, sha256) pair, not {type(item).__name__} {item!r}")
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
        "peers": {
            "cap": rulebook.peers.cap,
            "per_authority": rulebook.peers.per_authority,
            "days_cap": rulebook.peers.days_cap,
        },
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


def check_year(year: object) -> str:
    """A financial year like 2013-14, or StoreError."""
    if not isinstance(year, str):
        raise StoreError(f"year must be text like 2013-14, not {type(year).__name__} {year!r}")
    match = YEAR_PATTERN.match(year)
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise StoreError(f"year {year!r} is not a financial year like 2013-14")
    return year


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def latest_today() -> datetime.date:
    """Today where it is latest, here or in UTC: a date a person writes for today is never
    refused as in the future because the clock of the store's machine is behind theirs."""
    return max(datetime.date.today(), datetime.datetime.now(datetime.timezone.utc).date())


def check_date(on: object, year: str) -> str:
    """The date of an act in `year`: a `date` or an ISO date (YYYY-MM-DD), not before the
    year begins (1 April) and not in the future; today when None."""
    if on is None:
        return latest_today().isoformat()
    if isinstance(on, datetime.datetime):
        raise StoreError(f"date {on!r} is a date and time: give the date alone, like 2013-10-01")
    if isinstance(on, datetime.date):
        day = on
    elif isinstance(on, str):
        try:
            if not _ISO_DATE.match(on):
                raise ValueError(on)
            day = datetime.date.fromisoformat(on)
        except ValueError:
            raise StoreError(f"date {on!r} is not a date like 2013-10-01 (YYYY-MM-DD)") from None
    else:
        raise StoreError(f"date must be a date or text like 2013-10-01, not {type(on).__name__} {on!r}")
    begins = datetime.date(year_start(year), 4, 1)
    if day < begins:
        raise StoreError(f"date {day.isoformat()} is before {year} begins ({begins.isoformat()})")
    if day > latest_today():
        raise StoreError(f"date {day.isoformat()} is in the future")
    return day.isoformat()


def check_days(days: object, what: str = "days") -> int:
    """A whole number of days from 1 to 365 (a year's worth); `True` is not a number of days."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise StoreError(f"{what} must be a whole number from 1 to 365, not {days!r}")
    return days


def check_flag(value: object, what: str) -> bool:
    """A real bool: "no" or 0 is not taken for an answer."""
    if not isinstance(value, bool):
        raise StoreError(f"{what} must be True or False, not {type(value).__name__} {value!r}")
    return value


def _no_nul(text: str, what: str) -> str:
    if "\x00" in text:
        raise StoreError(f"{what} holds a NUL character (\\x00), which a store cannot keep: {text!r}")
    return text


def optional_text(value: object, what: str) -> str | None:
    """Text as given (None or blank: none), or StoreError for anything that is not text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise StoreError(f"{what} must be text, not {type(value).__name__} {value!r}")
    return _no_nul(value, what).strip() or None


def who(by: object) -> str:
    if by is None:
        try:
            return getpass.getuser()
        except Exception:  # no user name in this environment (a container without one)
            return "unknown"
    if not isinstance(by, str):
        raise StoreError(f"'by' must be text naming who acted, not {type(by).__name__} {by!r}")
    if not by.strip():
        raise StoreError("say who acted: 'by' is empty")
    return _no_nul(by, "'by'").strip()


def required(text: object, what: str) -> str:
    if text is not None and not isinstance(text, str):
        raise StoreError(f"{what} must be text, not {type(text).__name__} {text!r}")
    if text is None or not text.strip():
        raise StoreError(f"{what} is required")
    return _no_nul(text, what).strip()


def choose(value: object, choices: Iterable[str], what: str) -> None:
    known = list(choices)
    if not isinstance(value, str):
        raise StoreError(f"{what} must be text, one of {', '.join(known)}; not {type(value).__name__} {value!r}")
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
