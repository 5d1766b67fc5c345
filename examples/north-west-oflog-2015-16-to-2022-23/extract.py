"""Extract one region's rows from Oflog's adult social care metrics CSV, with every council's
rows of the metrics that are compared across England.

    python examples/north-west-oflog-2015-16-to-2022-23/extract.py OFLOG.csv
        [--region "North West"] [--output FOLDER]

Keeps Oflog's layout and the rows exactly as published, in the file's order: every metric of
the region's councils (the file names each council's region), and every English council's rows
of the metrics that the default rulebook compares with councils of the same type in England
(ASC7, the care workforce's turnover rate): without them `{council_type: ...}` would be the
region's councils only.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from sli_rules.facts.reference import match_region

OUTPUT_NAME = "oflog-north-west.csv"
COMPARED_ACROSS_ENGLAND = {"ASC7"}


def extract(source: Path, region: str, output: Path) -> int:
    """Write the kept rows to output/OUTPUT_NAME; return how many."""
    region_name = match_region(region)
    if region_name is None:
        raise SystemExit(f"extract.py: unknown region {region!r}")
    with source.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        rows = list(reader)
    column = {name.strip(): position for position, name in enumerate(header)}
    region_at, code_at = column["Region"], column["Code"]
    kept = [row for row in rows if row[region_at] == region_name or row[code_at] in COMPARED_ACROSS_ENGLAND]
    output.mkdir(parents=True, exist_ok=True)
    with (output / OUTPUT_NAME).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(kept)
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("source", type=Path, help="Oflog's adult social care metrics CSV")
    parser.add_argument("--region", default="North West")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent,
                        help="folder to write to (default: this example's folder)")
    arguments = parser.parse_args(argv)
    count = extract(arguments.source, arguments.region, arguments.output)
    print(f"wrote {count} rows to {arguments.output / OUTPUT_NAME}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
