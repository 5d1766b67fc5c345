"""Benchmark: every English council over all seven years of the official ASCOF file.

    python bench/multi_year.py [FILE] [--region NAME] [--no-cli] [--markdown]

With multi-year assessment (`load_facts(..., years=...)`, `sli-rules assess --years all`) it
times one run over every year; until then it assesses each year on its own, as today's
`--year Y` does, and adds the years up. Either way it times the library in this process (load
the facts, assess them) and the command line as a user runs it (a whole `sli-rules assess`
process, JSON written to a file), and prints the figures. It asserts nothing about time: the
target (a seven-year England run under 5 seconds, end to end) is read off the table.
"""

from __future__ import annotations

import argparse
import inspect
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import sli_rules  # noqa: E402  (after the path, so that the repository's package is timed)

SHARED = Path("/work/shared/data/ascof/ascof-trend-2017-18-to-2023-24.csv")
YEARS = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]


def multi_year_available() -> bool:
    return "years" in inspect.signature(sli_rules.load_facts).parameters


def _cli(arguments: list[str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sli_rules", "assess", *arguments, "--format", "json", "-o",
             str(Path(folder) / "result.json")],
            check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return time.perf_counter() - started


def run(path: Path, region: str | None, with_cli: bool) -> list[dict[str, object]]:
    engine = sli_rules.Engine()
    options = {"region": region} if region else {}
    rows: list[dict[str, object]] = []
    where = ["--region", region] if region else []
    if multi_year_available():
        started = time.perf_counter()
        facts = sli_rules.load_facts(path, years="all", **options)  # type: ignore[call-arg]
        loaded = time.perf_counter()
        result = engine.assess(facts)
        done = time.perf_counter()
        rows.append({
            "years": "all, one run", "authority-years": len(result.assessments),
            "load s": loaded - started, "assess s": done - loaded, "library s": done - started,
            "cli s": _cli([str(path), "--years", "all", *where]) if with_cli else None,
        })
        return rows
    for year in YEARS:
        started = time.perf_counter()
        facts = sli_rules.load_facts(path, year=year, **options)
        loaded = time.perf_counter()
        result = engine.assess(facts)
        done = time.perf_counter()
        rows.append({
            "years": year, "authority-years": len(result.assessments),
            "load s": loaded - started, "assess s": done - loaded, "library s": done - started,
            "cli s": _cli([str(path), "--year", year, *where]) if with_cli else None,
        })
    total: dict[str, object] = {"years": "all, year by year"}
    for key in ("authority-years", "load s", "assess s", "library s", "cli s"):
        values = [row[key] for row in rows]
        total[key] = None if None in values else sum(values)  # type: ignore[arg-type]
    rows.append(total)
    return rows


def _shown(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=SHARED, help="the official ASCOF CSV")
    parser.add_argument("--region", help="one region instead of all of England")
    parser.add_argument("--no-cli", action="store_true", help="time the library only")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    arguments = parser.parse_args()
    if not arguments.file.exists():
        print(f"multi_year.py: no such file: {arguments.file}", file=sys.stderr)
        return 2
    rows = run(arguments.file, arguments.region, not arguments.no_cli)
    columns = list(rows[0])
    print(f"# {arguments.file.name}, {arguments.region or 'England'}; multi-year assessment: "
          f"{'yes' if multi_year_available() else 'not yet, each year on its own'}; "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if arguments.markdown:
        print("| " + " | ".join(columns) + " |")
        print("| " + " | ".join("---" for _ in columns) + " |")
        for row in rows:
            print("| " + " | ".join(_shown(row[column]) for column in columns) + " |")
    else:
        widths = [max(len(column), *(len(_shown(row[column])) for row in rows)) for column in columns]
        print("  ".join(column.rjust(width) for column, width in zip(columns, widths, strict=True)))
        for row in rows:
            print("  ".join(_shown(row[column]).rjust(width) for column, width in zip(columns, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
