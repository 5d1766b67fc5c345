"""Extract one region's rows from NHS England's ASCOF CSV for every year it holds (or a range).

    python examples/north-west-ascof-2017-18-to-2023-24/extract.py ASCOF.csv
        [--first 2017-18] [--last 2023-24] [--region "North West"] [--output FOLDER]

Keeps the official layout and the rows exactly as published, in the file's order: for each
year, the councils that belonged to the region that year, the region's own row and England's.
Membership comes from the package's table (sli_rules/reference/regions.csv), year by year:
in the North West, Cumbria until 2022-23, Cumberland and Westmorland and Furness from 2023-24.
`sli-rules assess FOLDER` reads the result with the same reader as the national file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from sli_rules.facts.reference import match_region, region_codes, region_members
from sli_rules.rules.model import year_start

OUTPUT_NAME = "ascof-north-west.csv"


def extract(source: Path, region: str, first: str | None, last: str | None, output: Path) -> tuple[list[str], int]:
    """Write the region's rows of the years from `first` to `last` (default: all the file's
    years) to output/OUTPUT_NAME; return the years written and the row count."""
    region_name = match_region(region)
    if region_name is None:
        raise SystemExit(f"extract.py: unknown region {region!r}")
    with source.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        rows = list(reader)
    column = {name.strip(): position for position, name in enumerate(header)}
    year_at, code_at = column["Year"], column["ONS Code"]
    level_at = column["Geographical Level"]
    years = sorted({row[year_at] for row in rows}, key=year_start)
    for bound in (first, last):
        if bound is not None and bound not in years:
            raise SystemExit(f"extract.py: no {bound} rows in {source} (it has {', '.join(years)})")
    low = year_start(first or years[0])
    high = year_start(last or years[-1])
    chosen = [year for year in years if low <= year_start(year) <= high]
    if not chosen:
        raise SystemExit(f"extract.py: no years from {first} to {last}")
    members = {year: set(region_members(region_name, year)) for year in chosen}
    region_code = region_codes()[region_name][0]
    kept = []
    for row in rows:
        councils = members.get(row[year_at])
        if councils is None:
            continue
        level = row[level_at].strip().casefold()
        code = row[code_at].strip()
        if (
            (level == "council" and code in councils)
            or (level == "region" and code == region_code)
            or level == "england"
        ):
            kept.append(row)
    output.mkdir(parents=True, exist_ok=True)
    with (output / OUTPUT_NAME).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(kept)
    return chosen, len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the official ASCOF CSV")
    parser.add_argument("--first", help="the first year to keep (default: the file's first)")
    parser.add_argument("--last", help="the last year to keep (default: the file's latest)")
    parser.add_argument("--region", default="North West")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent,
                        help="folder to write to (default: this example's folder)")
    arguments = parser.parse_args(argv)
    years, count = extract(arguments.source, arguments.region, arguments.first, arguments.last, arguments.output)
    print(f"wrote {count} rows for {years[0]} to {years[-1]} to {arguments.output / OUTPUT_NAME}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
