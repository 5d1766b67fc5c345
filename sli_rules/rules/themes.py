"""Themes of the thematic reviews (MoU 2.1 a) as written (`kind: theme`) and as built: levels
from the minimum standard up, elements with what each level looks like."""

from __future__ import annotations

import attrs

from ..errors import Location

NOT_MET = "not-met"  # a theme's element below its minimum standard (its first level)


@attrs.frozen
class ElementSpec:
    id: str
    title: str
    key: bool = False
    descriptors: dict[str, str] = attrs.Factory(dict)  # level → what it looks like
    note: str | None = None
    basis: str | None = None


@attrs.frozen
class ThemeFile:
    kind: str
    id: str
    title: str
    levels: list[str]
    elements: list[ElementSpec]
    years: list[str] = attrs.Factory(list)
    area: str | None = None
    note: str | None = None
    basis: str | None = None


@attrs.frozen
class Element:
    """One element of a theme, rated at one of the theme's levels (or `not-met`)."""

    id: str
    title: str
    key: bool  # failing a key element's minimum standard is Table 2 entry 16
    descriptors: dict[str, str]
    location: Location
    note: str | None = None
    basis: str | None = None


@attrs.frozen
class Theme:
    """A thematic review (MoU 2.1 a): its levels, least developed first (the first is the
    minimum standard), and its elements."""

    id: str
    title: str
    levels: tuple[str, ...]
    elements: tuple[Element, ...]
    years: tuple[str, ...]  # the years it runs in; empty: any year
    location: Location
    area: str | None = None  # where its strengths are offered in the excellence directory
    note: str | None = None
    basis: str | None = None

    def element(self, element_id: str) -> Element:
        return next(element for element in self.elements if element.id == element_id)

    def runs_in(self, year: str) -> bool:
        return not self.years or year in self.years
