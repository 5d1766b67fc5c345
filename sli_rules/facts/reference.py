"""Reference data shipped with the package (sli_rules/reference/): which region each English
council belongs to, year by year, the regions' ONS codes and other names, councils' names."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import attrs

from ..errors import Problems
from ..rules.model import year_start
from .factset import COUNCIL_TYPES

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
COUNCIL_TYPE_GROUPS = REFERENCE / "comparators-council-type.yaml"
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
    """The region of a council (its ONS code) in a year, or None."""
    for member in _by_code().get(code, ()):
        if member.in_year(year):
            return member.region
    return None


@functools.lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[Member, ...]]:
    found: dict[str, list[Member]] = {}
    for member in membership():
        for key in {_fold(member.name), _fold(member.name.split(",")[0])}:
            found.setdefault(key, []).append(member)
    return {key: tuple(members) for key, members in found.items()}


@functools.lru_cache(maxsize=1)
def _by_code() -> dict[str, tuple[Member, ...]]:
    found: dict[str, list[Member]] = {}
    for member in membership():
        found.setdefault(member.code, []).append(member)
    return {key: tuple(members) for key, members in found.items()}


def council_code(name: str, year: str) -> str | None:
    """The ONS code of a council in a year by its name, compared loosely ('Bristol' is
    'Bristol, City of'), or None."""
    for member in _by_name().get(_fold(name), ()):
        if member.in_year(year):
            return member.code
    return None


def council_name(code: str) -> str | None:
    """A council's name by its ONS code: the latest the membership table gives, or None."""
    members = _by_code().get(code)
    return members[-1].name if members else None


# --- the official ASCOF CSV ------------------------------------------------------------


def council_type_groups() -> dict[str, list[str]]:
    """Each council's comparators by council type: the councils of the same type (from the
    ONS code) in the same region, in years that overlap its own. The shipped file
    `comparators-council-type.yaml` is this, written out by `council_type_groups_text`."""
    members = membership()
    groups: dict[str, list[str]] = {}
    for member in members:
        kind = COUNCIL_TYPES.get(member.code[:3])
        groups[member.code] = [
            other.code for other in members
            if other.code != member.code and other.region == member.region
            and COUNCIL_TYPES.get(other.code[:3]) == kind and _overlap(member, other)
        ]
    return groups


def _overlap(one: Member, other: Member) -> bool:
    low = max(one.since or 0, other.since or 0)
    high = min(one.until or 9999, other.until or 9999)
    return low <= high


def council_type_groups_text() -> str:
    """The shipped comparator-group file by council type, as YAML with each council's name."""
    names = {member.code: member.name for member in membership()}
    lines = [
        "# Comparator groups by council type: each council is compared with the councils of the",
        "# same type (unitary, metropolitan district, London borough, county: from the ONS code)",
        "# in its region. Generated from regions.csv by",
        "# sli_rules.facts.reference.council_type_groups_text(); use with --comparators council-type.",
        "kind: comparators",
    ]
    for code, group in council_type_groups().items():
        kind = COUNCIL_TYPES.get(code[:3], "other")
        listed = ", ".join(group)
        lines.append(f"{code}: [{listed}]  # {names[code]} ({kind.replace('_', ' ')})")
    return "\n".join(lines) + "\n"


def region_asked(region: str | None, problems: Problems) -> str | None:
    """The ONS name of the region a national file is read for (None: every council), with an
    unknown region reported against the arguments; check `problems` before reading on."""
    if region is None:
        return None
    found = match_region(region)
    if found is None:
        problems.add(
            "<arguments>", 1, 1, f"unknown region {region!r}", hint=f"known regions: {', '.join(known_regions())}"
        )
    return found
