"""Reference data shipped with the package (sli_rules/reference/): which region each English
council belongs to, year by year, the regions' ONS codes and other names, councils' names."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import attrs

from ..model import year_start

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
_FOLD = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    return _FOLD.sub(" ", text.casefold()).strip()


@attrs.frozen
class Member:
    region: str
    code: str
    name: str
    since: int | None
    until: int | None

    def in_year(self, year: str) -> bool:
        start = year_start(year)
        return (self.since is None or start >= self.since) and (
            self.until is None or start <= self.until
        )


@functools.lru_cache(maxsize=1)
def membership() -> tuple[Member, ...]:
    """Every council's region, with the years it belonged (sli_rules/reference/regions.csv)."""
    members = []
    with (REFERENCE / "regions.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            members.append(
                Member(
                    region=row["region"].strip(),
                    code=row["code"].strip(),
                    name=row["name"].strip(),
                    since=year_start(row["since"]) if row["since"].strip() else None,
                    until=year_start(row["until"]) if row["until"].strip() else None,
                )
            )
    return tuple(members)


@functools.lru_cache(maxsize=1)
def region_codes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Region name → (its ONS E12 code, the names it is known by)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    with (REFERENCE / "region-codes.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            others = tuple(name.strip() for name in row["also_known_as"].split(";") if name.strip())
            found[row["name"].strip()] = (row["code"].strip(), others)
    return found


def known_regions() -> list[str]:
    return sorted({member.region for member in membership()})


def match_region(name: str) -> str | None:
    """The region's ONS name for a name given loosely ('north west', 'Yorkshire and the
    Humber', 'Eastern', or its E12 code), or None."""
    wanted = _fold(name)
    for region, (code, others) in region_codes().items():
        if wanted in {_fold(region), code.casefold(), *(_fold(other) for other in others)}:
            return region
    for region in known_regions():
        if _fold(region) == wanted:
            return region
    return None


def region_members(region: str, year: str) -> dict[str, str]:
    """The councils of a region (its ONS name) in a year: ONS code → name."""
    return {
        member.code: member.name
        for member in membership()
        if member.region == region and member.in_year(year)
    }


def region_of(code: str, year: str) -> str | None:
    for member in membership():
        if member.code == code and member.in_year(year):
            return member.region
    return None


def council_code(name: str, year: str) -> str | None:
    """The ONS code of a council in a year by its name, compared loosely ('Bristol' is
    'Bristol, City of'), or None."""
    wanted = _fold(name)
    for member in membership():
        if member.in_year(year) and wanted in (_fold(member.name), _fold(member.name.split(",")[0])):
            return member.code
    return None


def council_name(code: str) -> str | None:
    names = [member.name for member in membership() if member.code == code]
    return names[-1] if names else None


# --- the official ASCOF CSV ------------------------------------------------------------
