"""`sli-rules report`: the regional Board report, as a self-contained HTML page or a PDF.

With `--db`, what the store holds (last year's verdict, the discussion and final view,
history) is added to the page; the store is an optional part of the package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..assessment.engine import Engine
from ..assessment.results import RegionAssessment
from ..output import check_output, emit
from ..report import ExtraMissing, render_bytes
from ..rules import workspace
from ..rules.model import previous_year
from ..words import visible
from .progress import Progress, rendering

BOARD_FORMATS = ("html", "pdf")
EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_report_parser(commands: Any, facts_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    report = commands.add_parser(
        "report",
        help="the regional Board report: one self-contained HTML page (or PDF)",
        description="Assess a region and write the Board report: banner, heat map, distribution, "
        "excellence, and every authority's verdict with its evidence.",
    )
    facts_arguments(report)
    report.add_argument(
        "--db", metavar="DB", help="the store (a path or URL) to add discussions, final views and history"
    )
    report.add_argument(
        "--format", choices=BOARD_FORMATS, help="html or pdf (default: pdf when FILE ends in .pdf, else html)"
    )
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def _store_extras(db: str, result: RegionAssessment) -> dict[str, dict[str, Any]]:
    """What the store holds of each authority assessed, by ONS code (or name): its verdicts
    over the years, last year's, the discussion and the final view of the year assessed.
    An authority the store does not know adds nothing."""
    from ..cycle.store import Store, StoreError

    extras: dict[str, dict[str, Any]] = {}
    store = Store(db)
    try:
        for item in result:
            try:
                history = store.history(item.code or item.authority)
            except StoreError:
                continue  # not on record yet
            points: list[dict[str, Any]] = []
            found: dict[str, Any] = {}
            for year in history.years:
                standing = [verdict for verdict in year.verdicts if verdict.latest] or list(year.verdicts[-1:])
                if not standing:
                    continue
                verdict = standing[-1]
                points.append({"year": year.year, "level": verdict.level, "status": verdict.status})
                if year.year == previous_year(item.year):
                    found["previous"] = {"year": year.year, "level": verdict.level, "tier": verdict.tier}
                if year.year == item.year:
                    found["discussion"] = [
                        {"note": event.note, "by": event.by, "when": event.on} for event in verdict.discussions
                    ]
                    if verdict.final is not None:
                        found["final"] = {
                            "level": verdict.level, "tier": verdict.tier, "by": verdict.final.by,
                            "when": verdict.final.on, "reason": verdict.final.note,
                        }
            found["history"] = points
            extras[item.code or item.authority] = found
    finally:
        store.close()
    return extras


def run_report(arguments: argparse.Namespace, region_of: Callable[[argparse.Namespace, Engine], object]) -> int:
    output: str | None = arguments.output
    form = arguments.format or ("pdf" if output and output.lower().endswith(".pdf") else "html")
    reads: list[Any] = workspace.inputs(arguments)
    if arguments.db:
        from ..cycle.store.location import store_files

        reads += store_files(arguments.db)
    if output:
        check_output(output, reads=reads)  # before the work, not only after it
    progress = Progress.for_arguments(arguments)
    with progress.step("loading the rules"):
        engine = Engine(arguments.rules)
    region = region_of(arguments, engine)
    result = engine.assess(region, progress=progress.counter("assessed"))  # type: ignore[arg-type]
    # Each assessment keeps what its words are written from until they are: the region itself
    # is let go, so that a large one is not held whole while the report is made.
    del region
    for warning in result.warnings:
        print(visible(str(warning)), file=sys.stderr)
    print(workspace.in_force(engine.rulebook), file=sys.stderr)  # which rules decided
    extras = None
    if arguments.db:
        with progress.step("reading the store"):
            extras = _store_extras(arguments.db, result)
    try:
        with progress.step(rendering(form)):
            data = render_bytes(result, form, extras=extras)
    except ExtraMissing as error:
        print(f"sli-rules: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # A file gets the bytes as they are (a second copy of a large report, as text, is not
    # made); standard output gets text, which a terminal shows.
    emit(data if form == "pdf" or output else data.decode("utf-8"), output, reads=reads)
    return EXIT_OK
