"""Comparator groups: a file mapping each authority to the authorities it is compared with,
applied to every authority assessed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from ..errors import Location, Problems
from ..rules.source import display_path, load_documents, read_text
from .factset import AuthorityFacts
from .tabular import blank, csv_rows, fit, fold, read_header

Groups = dict[str, list[tuple[str, Location]]]


def read_comparator_groups(file: Path, problems: Problems) -> Groups:
    """A comparator-group file: an authority (ONS code or name) → the authorities it is
    compared with. YAML: a mapping of lists. CSV: columns `authority` and `comparators`
    (several separated by ';'), an authority on as many rows as wanted."""
    shown = display_path(file)
    groups: Groups = {}
    if not file.exists():
        problems.add(shown, 1, 1, "no such comparator-group file")
        return groups
    if file.suffix.lower() == ".csv":
        text = read_text(file, problems)
        if text is None:
            return groups
        started = read_header(shown, csv_rows(text), problems)
        if started is None:
            return groups
        header_line, header, body = started
        names = [fold(name) for name, _ in header]
        key_name = next((name for name in ("authority", "code") if name in names), None)
        list_name = next((name for name in ("comparators", "comparator") if name in names), None)
        if key_name is None or list_name is None:
            problems.add(
                shown,
                header_line,
                1,
                "a comparator-group CSV needs columns 'authority' and 'comparators'",
            )
            return groups
        for line, raw in body:
            if all(blank(value) for value, _ in raw):
                continue
            fields = fit(shown, line, raw, len(names), problems, strict=True)
            if fields is None:
                continue
            row = dict(zip(names, fields, strict=True))
            key = str(row[key_name][0]).strip()
            if not key:
                problems.add(shown, line, row[key_name][1], "row has no authority")
                continue
            cell, column = row[list_name]
            members = [part.strip() for part in str(cell).split(";")]
            if not any(members):
                problems.add(shown, line, column, f"no comparators for {key}")
                continue
            for member in members:
                if member:
                    groups.setdefault(key, []).append((member, Location(shown, line, column)))
        return groups
    for document in load_documents(file, problems):
        data = document.data
        if not isinstance(data, dict):
            document.problem(
                problems,
                (),
                "a comparator-group file maps each authority (ONS code or name) to a list "
                "of comparators",
            )
            continue
        for key, members in data.items():
            if key == "kind":
                if members != "comparators":
                    document.problem(
                        problems,
                        ("kind",),
                        f"a comparator-group file's kind is 'comparators', not {members!r}",
                    )
                continue
            if not isinstance(members, list) or not all(
                isinstance(member, str) and member.strip() for member in members
            ):
                document.problem(
                    problems, (key,), f"the comparators of {key} are a list of ONS codes or names"
                )
                continue
            for position, member in enumerate(members):
                groups.setdefault(str(key).strip(), []).append(
                    (member.strip(), Location(shown, *document.at((key, position))))
                )
    return groups


def apply_comparators(
    authorities: Sequence[AuthorityFacts], file: str | Path, problems: Problems
) -> tuple[AuthorityFacts, ...]:
    """Each authority's comparator group from a file, added to any listed in its fact set.

    Groups of authorities not being assessed are ignored (a national file covers every
    council); comparators that are not assessed in the same year are left out, with one
    warning naming them, since their statistics cannot be taken.
    """
    path = Path(file)
    groups = read_comparator_groups(path, problems)
    if not groups:
        return tuple(authorities)
    by_year: dict[str, dict[str, AuthorityFacts]] = {}
    for item in authorities:
        lookup = by_year.setdefault(item.year, {})
        lookup[fold(item.authority)] = item
        if item.code:
            lookup[item.code] = item
    left_out: dict[str, set[str]] = {}
    result = []
    for item in authorities:
        lookup = by_year[item.year]
        entries = (
            groups.get(item.code or "", [])
            or groups.get(item.authority, [])
            or next(
                (members for key, members in groups.items() if fold(key) == fold(item.authority)),
                [],
            )
        )
        comparators = list(item.comparators)
        locations = list(item.comparator_locations)
        for member, location in entries:
            other = lookup.get(member) or lookup.get(fold(member))
            if other is None:
                left_out.setdefault(member, set()).add(item.authority)
                continue
            name = other.code or other.authority
            if other is not item and name not in comparators and other.authority not in comparators:
                comparators.append(name)
                locations.append(location)
        result.append(
            attrs.evolve(
                item, comparators=tuple(comparators), comparator_locations=tuple(locations)
            )
        )
    if left_out:
        listed = ", ".join(sorted(left_out))
        problems.add(
            display_path(path),
            1,
            1,
            "comparators not among the authorities assessed, left out of the comparator "
            f"statistics: {listed}",
            warning=True,
        )
    return tuple(result)
