"""`sli-rules report`: the regional Board report, as a self-contained HTML page or a PDF.

With `--db`, the region is assessed with what the store knows (as `record` does), and what it
holds (last year's verdict, the discussion and final view, history, a section per theme
reviewed) is added to the page; the store is an optional part of the package.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..assessment.engine import Engine, example_region_path
from ..assessment.results import RegionAssessment
from ..output import check_output, emit
from ..report import ExtraMissing, render_bytes
from ..rules import workspace
from ..rules.model import previous_year
from ..words import visible
from .progress import FILES_READ, Progress, rendering

if TYPE_CHECKING:
    from ..cycle.store import Verdict
    from ..facts.picture import ThemePicture

BOARD_FORMATS = ("html", "pdf")
EXIT_OK, EXIT_BAD_INPUT = 0, 2
COLLECT_EVERY = 50_000  # net allocations between the cycle collector's youngest passes (Python's own: 700)


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
                    # The record as it stands: the final view's level and tier where one was
                    # taken, the provisional verdict beside it, the Board's decision.
                    found["standing"] = _standing(verdict, result)
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


def _standing(verdict: Verdict, result: RegionAssessment) -> dict[str, Any]:
    """A year as it stands on record, in the report's words: the final view's level and tier
    with the provisional verdict beside it as such, and the Board's decision, declined or not.
    Where the tier is not the assessment's own, its recommended options and note are not shown."""
    levels, tiers = dict(result.levels), dict(result.tiers)
    status = verdict.status
    if status == "final":
        status += f"; provisional verdict: {levels.get(verdict.provisional_level, verdict.provisional_level)}"
    if verdict.decision is not None:
        decided = str(verdict.decision.data["tier"])
        answer = "declined by the authority" if verdict.declined else "accepted"
        status += f"; Board decision: {tiers.get(decided, decided)}, {answer}"
    words: dict[str, Any] = {
        "level": verdict.level,
        "level_title": levels.get(verdict.level, verdict.level),
        "tier": verdict.tier,
        "tier_title": tiers.get(verdict.tier, verdict.tier),
        "status": status,
    }
    if verdict.tier != verdict.provisional_tier:
        words.update(tier_note=None, support=[])
    return words


def _assess_with_store(
    arguments: argparse.Namespace, engine: Engine, progress: Progress
) -> tuple[RegionAssessment, list[ThemePicture]]:
    """The region assessed with what the store knows (thematic reviews, own views, last
    year's concerns, as `record` does), and each theme's regional picture of the years."""
    from ..cycle.store import Store
    from ..facts import load_facts
    from ..facts.picture import regional_picture
    from .stored import known_to_store

    paths = arguments.paths or [example_region_path()]
    with progress.step("loading the facts"):
        region = load_facts(*paths, year=arguments.year, region=arguments.region,
                            comparators=arguments.comparators, years=arguments.years,
                            progress=progress.counter(FILES_READ))
        with Store(arguments.db) as store:
            region, known = known_to_store(store, region)
            reviews = {year: store.thematic_reviews(year) for year in region.years}
    result = engine.assess(region, **known, progress=progress.counter("assessed"))
    pictures = [
        regional_picture(theme, year, reviews[year])
        for year in region.years
        for theme in engine.rulebook.themes.values()
        if theme.runs_in(year) and any(review.theme == theme.id for review in reviews[year])
    ]
    return result, pictures


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The cycle collector run less often while a report is made, as it was after.

    A Board report holds millions of objects that live until it is written (the facts, the
    assessments, their words, the page's view), and makes almost no reference cycles (a test
    holds reading a region file to none). The collector's full passes, which come more often
    the more objects are made, went over all of them again and again for nothing: a fifth of
    the report's time (a region of 5,000 authorities: nine full passes, 1.6 s of 8 s). Every
    50,000 net allocations rather than 700, there are none and the collector takes about
    0.5 s in all; whatever cycles there are are still found, and memory is as it was."""
    before = gc.get_threshold()
    gc.set_threshold(COLLECT_EVERY, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_report(arguments: argparse.Namespace, region_of: Callable[[argparse.Namespace, Engine], object]) -> int:
    with fewer_collections():
        return _report(arguments, region_of)


def _report(arguments: argparse.Namespace, region_of: Callable[[argparse.Namespace, Engine], object]) -> int:
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
    themes: list[ThemePicture] = []
    if arguments.db:
        result, themes = _assess_with_store(arguments, engine, progress)
    else:
        region = region_of(arguments, engine)
        result = engine.assess(region, progress=progress.counter("assessed"))  # type: ignore[arg-type]
        # Each assessment keeps what its words are written from until they are: the region
        # itself is let go, so that a large one is not held whole while the report is made.
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
            data = render_bytes(result, form, extras=extras, themes=themes)
    except ExtraMissing as error:
        print(f"sli-rules: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # A file gets the bytes as they are (a second copy of a large report, as text, is not
    # made); standard output gets text, which a terminal shows.
    emit(data if form == "pdf" or output else data.decode("utf-8"), output, reads=reads)
    return EXIT_OK
