"""The region's picture of one theme (MoU 2.1 a): the recorded reviews of a theme pulled
together for the Board, element by element, with strengths and areas for development in words.
Data only: `sli_rules.report.themes` renders it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ..rules.themes import NOT_MET, Theme
from .factset import name_key
from .themes import ThematicReview, answers_of


@attrs.frozen
class ElementPicture:
    """One element over the region: how many authorities answered each level, who is at the
    top level (a strength) and who is below the minimum standard."""

    id: str
    title: str
    key: bool
    counts: tuple[tuple[str, int], ...]  # (answer, authorities), `not-met` first, then the levels
    top: tuple[str, ...]
    below: tuple[str, ...]


@attrs.frozen
class ThemePicture:
    """One theme's reviews pulled together for the Board (MoU 2.1 a): the spread of levels per
    element, strengths (offered to the excellence directory) and areas for development."""

    theme: str
    title: str
    year: str
    levels: tuple[str, ...]
    reviewed: tuple[str, ...]  # the authorities with a review on record, by name
    elements: tuple[ElementPicture, ...]
    strengths: tuple[tuple[str, tuple[str, ...]], ...]  # authority → elements at the top level
    development: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # authority → key, other elements below
    summary: tuple[str, ...]  # the picture in words, a sentence each

    @property
    def answers(self) -> tuple[str, ...]:
        return (NOT_MET, *self.levels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "title": self.title,
            "year": self.year,
            "levels": list(self.levels),
            "reviewed": list(self.reviewed),
            "elements": [
                {"id": item.id, "title": item.title, "key": item.key, "counts": dict(item.counts),
                 "top": list(item.top), "below": list(item.below)}
                for item in self.elements
            ],
            "strengths": [{"authority": name, "elements": list(found)} for name, found in self.strengths],
            "development": [
                {"authority": name, "key_elements": list(key), "other_elements": list(other)}
                for name, key, other in self.development
            ],
            "summary": list(self.summary),
        }


def regional_picture(theme: Theme, year: str, reviews: Sequence[ThematicReview]) -> ThemePicture:
    """The reviews of one theme in one year pulled together; read against the theme as each
    review recorded it (its levels then), the elements in the theme's order now."""
    mine = sorted(
        (review for review in reviews if review.theme == theme.id), key=lambda review: name_key(review.authority)
    )
    elements = []
    for element in theme.elements:
        rated = [(review.authority, found.level, review.levels[-1]) for review in mine
                 for found in review.elements if found.id == element.id]
        counts = tuple((answer, sum(1 for _, level, _ in rated if level == answer)) for answer in answers_of(theme))
        elements.append(
            ElementPicture(
                id=element.id,
                title=element.title,
                key=element.key,
                counts=counts,
                top=tuple(name for name, level, top in rated if level == top),
                below=tuple(name for name, level, _ in rated if level == NOT_MET),
            )
        )
    strengths = tuple(
        (review.authority, tuple(found.id for found in review.top_level)) for review in mine if review.top_level
    )
    development = tuple(
        (
            review.authority,
            tuple(found.id for found in review.elements if found.level == NOT_MET and found.key),
            tuple(found.id for found in review.elements if found.level == NOT_MET and not found.key),
        )
        for review in mine
        if any(found.level == NOT_MET for found in review.elements)
    )
    # Key elements first: failing one is Table 2 entry 16, a risk trigger in itself.
    development = tuple(sorted(development, key=lambda item: (not item[1], name_key(item[0]))))
    return ThemePicture(
        theme=theme.id,
        title=theme.title,
        year=year,
        levels=theme.levels,
        reviewed=tuple(review.authority for review in mine),
        elements=tuple(elements),
        strengths=strengths,
        development=development,
        summary=_summary(theme, year, mine, tuple(elements), development),
    )


def _names(names: Sequence[str]) -> str:
    shown = list(names)
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _summary(
    theme: Theme, year: str, reviews: Sequence[ThematicReview], elements: tuple[ElementPicture, ...],
    development: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...],
) -> tuple[str, ...]:
    if not reviews:
        return (f"No authority's review of {theme.title.lower()} is on record for {year}: the region's picture is "
                "not known yet.",)
    count = len(reviews)
    said = [f"{count} authorit{'y' if count == 1 else 'ies'} reviewed {theme.title.lower()} in {year}."]
    failing = [name for name, key, _ in development if key]
    if failing:
        said.append(
            f"{_names(failing)} fall{'s' if len(failing) == 1 else ''} short of the minimum standard on a key element: "
            "a risk trigger in itself (Table 2 entry 16)."
        )
    else:
        said.append("No authority falls short of the minimum standard on a key element.")
    by_top = max(elements, key=lambda item: len(item.top))
    if by_top.top:
        said.append(
            f"The region is strongest on {by_top.title.lower()}: {len(by_top.top)} at the top level, "
            "to share through the excellence directory."
        )
    by_below = max(elements, key=lambda item: (len(item.below), item.key))
    if by_below.below:
        said.append(
            f"It most needs to develop {by_below.title.lower()}: {len(by_below.below)} below the minimum standard."
        )
    return tuple(said)
