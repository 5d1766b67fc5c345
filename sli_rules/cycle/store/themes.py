"""Thematic reviews on record (MoU 2.1 a): the checks before one is written, and the latest
review of each theme for each authority and year.

A review is an event of kind `thematic_review` in the events table, holding the form as read
(the theme's levels and each element's level and evidence). At most two themes an authority a
year; a second form for a theme supersedes the first only with a reason; a review is recorded
by a named person and dated within its year.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import attrs
import sqlalchemy as sa

from ...facts.reference import council_code
from ...facts.themes import THEMES_A_YEAR
from ...rules.model import year_start
from . import lookup, tables
from .checks import check_date, check_year, required
from .errors import StoreError
from .records import Event

if TYPE_CHECKING:
    from ...facts.themes import ThematicReview

KIND = "thematic_review"


def target_of(connection: sa.Connection, review: ThematicReview) -> lookup.Target:
    """The authority a review is about: one the store knows from a recorded run (as for every
    act on no run, so that an export names it), by its code where the form gives one."""
    named = council_code(review.authority, review.year)
    if review.code and named and review.code != named:
        raise StoreError(
            f"the form names {review.authority!r} with code {review.code}, but {review.authority} is {named}"
        )
    target = lookup.known_authority(connection, review.code or review.authority, review.year)
    if review.code and target.code and review.code != target.code:
        raise StoreError(
            f"the form names {review.authority!r} with code {review.code}, but {target.authority} is {target.code}"
        )
    return target


def check_act(by: str, on: str | None, year: str) -> str:
    """A review is recorded by a named person and dated within its year: the date."""
    required(by, "who recorded the review ('by')")
    return dated_within(on, year)


def dated_within(on: str | None, year: str) -> str:
    """The review's date: within its financial year (1 April to 31 March) and not in the future."""
    date = check_date(on, year)
    start = datetime.date(year_start(year), 4, 1)
    end = datetime.date(year_start(year) + 1, 3, 31)
    day = datetime.date.fromisoformat(date)
    if not start <= day <= end:
        said = "today, " if on is None else ""
        raise StoreError(
            f"a review of {year} is dated within it ({start} to {end}), not {said}{date}: give the date it was made"
        )
    if day > datetime.datetime.now(datetime.timezone.utc).date():
        raise StoreError(f"the date {date} is in the future")
    return date


def latest(events: list[Event]) -> dict[tuple[str, str, str], Event]:
    """The review in force for each (authority key, year, theme): the latest event."""
    found: dict[tuple[str, str, str], Event] = {}
    for event in events:
        found[(event.code or event.authority, event.year, event.data["theme"])] = event
    return found


def check_order(connection: sa.Connection, target: lookup.Target, theme: str, supersede: str | None) -> int | None:
    """The event a new review of `theme` supersedes (None for the first), or a StoreError: a
    third theme in a year, or a second form for a theme without a reason."""
    events = lookup.read_events(
        connection,
        sa.and_(tables.events.c.key == target.key, tables.events.c.year == target.year, tables.events.c.kind == KIND),
    )
    in_force = {key[2]: event for key, event in latest(events).items()}
    if theme in in_force:
        before = in_force[theme]
        if supersede is None:
            raise StoreError(
                f"a review of {theme} for {target.authority} {target.year} is on record (event {before.id}, "
                f"{before.on}, by {before.by}): give --supersede REASON to replace it"
            )
        required(supersede, "the reason for superseding")
        return before.id
    if supersede is not None:
        raise StoreError(f"no review of {theme} for {target.authority} {target.year} is on record to supersede")
    if len(in_force) >= THEMES_A_YEAR:
        raise StoreError(
            f"{target.authority} has reviews of {' and '.join(sorted(in_force))} on record for {target.year}: "
            "at most two themes a year (MoU 2.1 a)"
        )
    return None


def reviews_of(connection: sa.Connection, year: str) -> list[ThematicReview]:
    """Every review in force in `year`, by authority then theme."""
    from ...facts.themes import ThematicReview

    check_year(year)
    events = lookup.read_events(
        connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == KIND)
    )
    return sorted(
        (
            ThematicReview.from_data(
                event.data, authority=event.authority, code=event.code, year=event.year,
                event=event.id, by=event.by, on=event.on,
            )
            for event in latest(events).values()
        ),
        key=lambda review: (review.authority, review.theme),
    )


@attrs.frozen
class ToConfirm:
    """Strengths a thematic review found (elements at the top level), offered to the excellence
    directory for the authority to confirm with the days and the option it can give."""

    authority: str
    code: str | None
    year: str
    area: str
    theme: str
    elements: tuple[str, ...]
    review: int  # the review's event


def offers_to_confirm(connection: sa.Connection, year: str) -> list[ToConfirm]:
    """Each authority's strengths in the year's reviews, in the theme's area, until it has
    an offer of its own in that area (`directory add`) that year."""
    offered = {
        (event.code or event.authority, event.data["area"])
        for event in lookup.read_events(
            connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == "offer")
        )
    }
    return [
        ToConfirm(review.authority, review.code, year, review.area, review.theme,
                  tuple(element.id for element in review.top_level), review.event or 0)
        for review in reviews_of(connection, year)
        if review.area and review.top_level and (review.key, review.area) not in offered
    ]
