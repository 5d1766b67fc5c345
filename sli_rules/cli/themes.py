"""`sli-rules theme template | record | report`: thematic reviews from the command line.

A bad form prints every problem as `path:line:column: message` and exits 2 with nothing
written; a refused act (a third theme, a second form without a reason) prints why and exits 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cycle.store.api import Store

REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".pdf": "pdf"}


def run_theme(arguments: argparse.Namespace, open_store: Callable[[argparse.Namespace], Store]) -> int:
    from ..facts.themes import load_thematic_review, thematic_review_template
    from ..rules.load import load_rulebook

    rulebook = load_rulebook(arguments.rules)
    if arguments.theme_command == "template":
        path = thematic_review_template(
            rulebook, arguments.theme, arguments.authority, arguments.year, arguments.output,
            code=arguments.code, force=arguments.force,
        )
        print(f"wrote {path}")
        return 0
    if arguments.theme_command == "record":
        from ..cycle.store.themes import check_act

        review = load_thematic_review(arguments.file, rulebook)
        check_act(arguments.by, arguments.on, review.year)  # before the store is opened: a refusal writes nothing
        with open_store(arguments) as store:
            event = store.thematic_review(review, by=arguments.by, on=arguments.on, supersede=arguments.supersede)
        failing = ", ".join(element.id for element in review.failures) or "none"
        top = ", ".join(element.id for element in review.top_level) or "none"
        print(
            f"recorded {review.authority}'s review of {review.theme} for {review.year} (event {event}): "
            f"key elements below the minimum standard: {failing}; at the top level: {top}"
        )
        return 0
    return _report(arguments, open_store)


def _report(arguments: argparse.Namespace, open_store: Callable[[argparse.Namespace], Store]) -> int:
    from ..errors import FactsError, Location, Problems
    from ..facts.picture import regional_picture
    from ..facts.themes import choose_theme
    from ..output import emit
    from ..report.themes import theme_bytes
    from ..rules.load import load_rulebook

    problems = Problems()
    rulebook = load_rulebook(arguments.rules)
    theme = choose_theme(rulebook, arguments.theme, arguments.year, Location("<arguments>", 1, 1), problems)
    output_format = arguments.format
    if output_format is None and arguments.output:
        output_format = REPORT_SUFFIXES.get(Path(arguments.output).suffix.lower())
    output_format = output_format or "markdown"
    if output_format == "pdf" and not arguments.output:
        problems.add("<arguments>", 1, 1, "a PDF is written to a file: give -o FILE.pdf")
    problems.raise_if_errors(FactsError)
    assert theme is not None
    with open_store(arguments) as store:
        reviews = store.thematic_reviews(arguments.year)
    picture = regional_picture(theme, arguments.year, [review for review in reviews if review.theme == theme.id])
    data = theme_bytes(picture, output_format)
    emit(data if output_format == "pdf" else data.decode("utf-8"), arguments.output)
    if arguments.output:
        print(f"wrote {arguments.output}")
    return 0


def review_text(event: Any) -> str:
    """A thematic review on record, in one line of an authority's history."""
    data = event.data
    top = data["levels"][-1]
    below = sum(1 for element in data["elements"] if element["key"] and element["level"] == "not-met")
    at_top = sum(1 for element in data["elements"] if element["level"] == top)
    replaces = f" (replacing review {data['supersedes']}: {event.note})" if data.get("supersedes") else ""
    return (f"thematic review of {data['theme']} {event.on} by {event.by}: {below} key element"
            f"{'s' if below != 1 else ''} below the minimum standard, {at_top} at the top level{replaces}")
