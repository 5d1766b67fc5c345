"""`sli-rules data-return template|collate`: a workbook per authority out, a region fact file
back (see `sli_rules.facts.datareturn`)."""

from __future__ import annotations

import argparse
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from ..errors import FactsError, Problems
from ..facts import load_facts
from ..facts.datareturn import last_year_values, read_data_return, returns_in, template_bytes, template_rows
from ..facts.factset import Record
from ..facts.loading import reader_for
from ..facts.reference import council_code, council_name, region_of
from ..output import write_file
from ..rules import workspace
from ..rules.load import load_rulebook
from ..rules.model import YEAR_PATTERN, previous_year
from ..rules.source import display_path

COMMAND = "data-return"


def add_commands(commands: Any) -> None:
    command = commands.add_parser(
        COMMAND, help="the data return: a workbook per authority out, a region fact file back"
    )
    actions = command.add_subparsers(dest="return_command", required=True, metavar="template|collate")
    template = actions.add_parser("template", help="write an authority's data return workbook (.xlsx)")
    template.add_argument("authority", metavar="AUTHORITY", help="name or ONS code")
    template.add_argument("--year", metavar="YYYY-YY", required=True)
    template.add_argument("--code", metavar="CODE", help="the authority's ONS code (default: from its name)")
    template.add_argument("-o", "--output", metavar="FILE.xlsx", required=True)
    template.add_argument("--have", metavar="PUBLIC_FILE", nargs="+", default=[],
                          help="public files (ASCOF, Oflog): the facts they give are left out of the return")
    template.add_argument("--last-year", metavar="PATH", nargs="+", default=[],
                          help="last year's facts (files or folders): shown beside each fact")
    template.add_argument("--rules", metavar="DIR", help="rulebook folder (default: the shipped rulebook)")
    template.add_argument("--force", action="store_true", help="replace an existing file")

    collate = actions.add_parser("collate", help="read filled returns into one region fact file")
    collate.add_argument("returns", metavar="FILE", nargs="+", help="filled returns (.xlsx), or folders of them")
    collate.add_argument("--year", metavar="YYYY-YY", required=True, help="the year the returns are for")
    collate.add_argument("-o", "--output", metavar="FILE.yaml", required=True)
    collate.add_argument("--with", dest="public", metavar="PUBLIC_FILE", nargs="+", default=[],
                         help="public files (ASCOF, Oflog) whose values for the same authorities and year are "
                         "added, each with its source; a return that contradicts one is refused")
    collate.add_argument("--rules", metavar="DIR", help="rulebook folder (default: the shipped rulebook)")
    collate.add_argument("--force", action="store_true", help="replace an existing file")


def main(arguments: argparse.Namespace) -> int:
    if arguments.return_command == "template":
        return _template(arguments)
    return _collate(arguments)


def _refuse_existing(output: Path, force: bool, what: str, problems: Problems) -> None:
    if output.exists() and not force and output.is_file():
        problems.add(str(output), 0, 0, f"the file exists: a {what} is never written over without --force")


def _template(arguments: argparse.Namespace) -> int:
    problems = Problems()
    output = Path(arguments.output)
    year = arguments.year
    if not YEAR_PATTERN.match(year):
        problems.add("<arguments>", 0, 0, f"--year {year!r} is not a financial year like 2013-14")
    if output.suffix.lower() != ".xlsx":
        wrong = output.suffix or "no suffix"
        problems.add(str(output), 0, 0, f"a data return is an Excel workbook (.xlsx), not {wrong!r}")
    _refuse_existing(output, arguments.force, "data return", problems)
    problems.raise_if_errors(FactsError)
    rulebook = load_rulebook(arguments.rules)
    authority = arguments.authority.strip()
    code = arguments.code
    if code is None and council_name(authority) is not None:
        code, authority = authority, council_name(authority) or authority  # given by its ONS code
    if code is None:
        code = council_code(authority, year)
    if code is not None and council_name(code) is None:
        problems.add("<arguments>", 0, 0, f"{code} is not a known council's ONS code")
    problems.raise_if_errors(FactsError)
    have: set[str] = set()
    if arguments.have:
        public = load_facts(*arguments.have, year=year, rulebook=rulebook)
        for facts in public.authorities:
            have.update(facts.facts)
    last: dict[str, Any] = {}
    if arguments.last_year:
        earlier = load_facts(*arguments.last_year, years=[previous_year(year), year], rulebook=rulebook)
        last = last_year_values(earlier, authority, code, year)
    asked = template_rows(rulebook, year, last_year=last)
    rows = [row for row in asked if row.fact not in have]
    reads = [*(arguments.have or []), *(arguments.last_year or []), *workspace.rulebook_inputs(arguments.rules)]
    write_file(output, template_bytes(rulebook, authority, code, year, rows), reads=reads, replace=arguments.force)
    given = len(asked) - len(rows)
    left_out = f", {given} left out as a public file gives them" if have else ""
    print(f"wrote {output}: {len(rows)} facts for {authority} {year}{left_out}")
    return 0


def _collate(arguments: argparse.Namespace) -> int:
    problems = Problems()
    output = Path(arguments.output)
    year = arguments.year
    if not YEAR_PATTERN.match(year):
        problems.add("<arguments>", 0, 0, f"--year {year!r} is not a financial year like 2013-14")
    if output.suffix.lower() not in (".yaml", ".yml"):
        problems.add(str(output), 0, 0, f"the region fact file is YAML (.yaml), not {output.suffix or 'no suffix'!r}")
    _refuse_existing(output, arguments.force, "region fact file", problems)
    files = list(returns_in([Path(path) for path in arguments.returns]))
    if not files:
        problems.add("<arguments>", 0, 0, "no returns (.xlsx) found")
    for file in files:
        if not file.exists():
            problems.add(str(file), 0, 0, "no such file")
    problems.raise_if_errors(FactsError)
    rulebook = load_rulebook(arguments.rules)
    records: list[Record] = []
    by_authority: dict[tuple[str, str], str] = {}
    for file in files:
        for record in read_data_return(file, problems):
            key = (record.code or record.authority.casefold(), record.year)
            if record.year != year:
                problems.add_at(record.location, f"this return is for {record.year}, not {year}")
                continue
            if key in by_authority:
                problems.add_at(
                    record.location,
                    f"a second return for {record.authority} {record.year} (the first is {by_authority[key]})",
                )
                continue
            by_authority[key] = str(file)
            records.append(record)
    problems.raise_if_errors(FactsError)
    # Every value checked against the catalogue, each problem at its cell, before anything is
    # written: the returns read again as `assess` reads them, beside the public files, so that
    # a return contradicting a publication is refused naming both places.
    load_facts(*files, *arguments.public, year=year, rulebook=rulebook,
               region=_region_of(records) if arguments.public else None)
    for path in arguments.public:
        _add_public(Path(path), records, year, problems)
    problems.raise_if_errors(FactsError)
    document = {"kind": "region", "year": year, "authorities": [_document(record) for record in records]}
    text = "# Collated by sli-rules data-return collate: each value's source is the return and cell it came from.\n"
    reads = [*files, *arguments.public, *workspace.rulebook_inputs(arguments.rules)]
    write_file(output, text + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), reads=reads,
               replace=arguments.force)
    print(f"wrote {output}: {len(records)} return{'s' if len(records) != 1 else ''} for {year}")
    return 0


def _region_of(records: list[Record]) -> str | None:
    """The one region every returned authority belongs to, for reading a national file; None
    (every council of the file) where they span regions or a code is unknown."""
    regions = {region_of(record.code, record.year) if record.code else None for record in records}
    return regions.pop() if len(regions) == 1 else None


def _add_public(path: Path, records: list[Record], year: str, problems: Problems) -> None:
    """The public file's values of the returned authorities in the year, written under the ids
    the file uses (so that the collated file and the publication read together merge as equal
    values), each with the publication as its source."""
    reader = reader_for(path) if path.is_file() else None
    if reader is None:
        problems.add(str(path), 0, 0, "--with takes a public data file (the ASCOF or Oflog CSV)")
        return
    by_code = {record.code: record for record in records if record.code}
    for found in reader(path, problems, year=year):
        if not isinstance(found, Record) or found.year != year or found.code not in by_code:
            continue
        into = by_code[found.code]
        for fact, value in found.facts.items():
            into.facts.setdefault(fact, value)
            into.sources[fact] = next(
                (text for pattern, text in found.sources.items() if fact == pattern or fnmatch(fact, pattern)),
                display_path(path),
            )
        for fact, count in found.counts.items():
            into.counts.setdefault(fact, count)


def _document(record: Record) -> dict[str, Any]:
    document: dict[str, Any] = {"authority": record.authority}
    if record.code:
        document["code"] = record.code
    document["year"] = record.year
    document["facts"] = dict(record.facts)
    if record.counts:
        document["counts"] = {
            fact: {"numerator": count.numerator, "denominator": count.denominator}
            for fact, count in record.counts.items()
        }
    if record.notes:
        document["notes"] = dict(record.notes)
    if record.sources:
        document["sources"] = dict(record.sources)
    return document
