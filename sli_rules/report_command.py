"""`sli-rules report`: the regional Board report, as a self-contained HTML page or a PDF.

With `--db`, what the store holds (last year's verdict, the discussion and final view,
history) is added to the page; the store is an optional part of the package.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from typing import Any

from . import workspace
from .engine import Engine
from .output import emit
from .report import ExtraMissing, render_bytes

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


def _store_extras(db: str, names: list[tuple[str, str | None]]) -> Mapping[str, Mapping[str, Any]] | None:
    """What the store says of each authority, by name: None when there is no store to ask."""
    try:
        store_module = importlib.import_module("sli_rules.store")
    except ImportError:
        return None
    store_type = getattr(store_module, "Store", None)
    if store_type is None:
        return None
    store = store_type(db)
    return {name: {"history": store.history(code or name)} for name, code in names}


def run_report(arguments: argparse.Namespace, region_of: Callable[[argparse.Namespace, Engine], object]) -> int:
    output: str | None = arguments.output
    form = arguments.format or ("pdf" if output and output.lower().endswith(".pdf") else "html")
    if arguments.db and importlib.util.find_spec("sli_rules.store") is None:
        print(
            f"sli-rules: --db {arguments.db}: this installation of sli-rules has no store (sli_rules.store) "
            "to read discussions, final views and history from",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    engine = Engine(arguments.rules)
    result = engine.assess(region_of(arguments, engine))  # type: ignore[arg-type]
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    print(workspace.in_force(engine.rulebook), file=sys.stderr)  # which rules decided
    extras = None
    if arguments.db:
        extras = _store_extras(arguments.db, [(item.authority, item.code) for item in result])
        if extras is None:
            print(f"sli-rules: --db {arguments.db}: the store cannot be read by this version", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        data = render_bytes(result, form, extras=extras)
    except ExtraMissing as error:
        print(f"sli-rules: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    emit(data if form == "pdf" else data.decode("utf-8"), output)
    return EXIT_OK
