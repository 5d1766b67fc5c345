"""Extract one region's rows from NHS England's ASCOF CSV, for a year and the year before.

    python examples/north-west-ascof-2023-24/extract.py ASCOF.csv [--year 2023-24]
        [--region "North West"] [--output FOLDER]

Keeps the official layout and the rows exactly as published (only the region's councils of
that year, England and the region itself), so that `sli-rules assess FOLDER` reads the result
with the same reader as the national file. Membership comes from the package's table
(sli_rules/reference/regions.csv): the councils of the region in the year assessed, and the
same councils in the year before (a council that replaced another has no earlier rows).
Run it again with next year's file to refresh the example (and name a new --output folder).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from sli_rules.facts.reference import match_region, region_codes, region_members
from sli_rules.rules.model import previous_year, year_start

OUTPUT_NAME = "ascof-north-west.csv"


def extract(source: Path, region: str, year: str | None, output: Path) -> tuple[str, int]:
    """Write the region's rows to output/OUTPUT_NAME; return the year and the row count."""
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
    chosen = year or years[-1]
    if chosen not in years:
        raise SystemExit(f"extract.py: no {chosen} rows in {source} (it has {', '.join(years)})")
    councils = set(region_members(region_name, chosen))
    region_code = region_codes()[region_name][0]
    wanted_years = {chosen, previous_year(chosen)}
    kept = []
    for row in rows:
        if row[year_at] not in wanted_years:
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
    parser.add_argument("--year", help="the year to assess (default: the file's latest)")
    parser.add_argument("--region", default="North West")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent,
                        help="folder to write to (default: this example's folder)")
    arguments = parser.parse_args(argv)
    year, count = extract(arguments.source, arguments.region, arguments.year, arguments.output)
    print(f"wrote {count} rows for {year} and {previous_year(year)} to "
          f"{arguments.output / OUTPUT_NAME}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
