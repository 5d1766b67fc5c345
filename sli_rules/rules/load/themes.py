"""The themes pass: each `kind: theme` file (a thematic review, MoU 2.1 a) checked and built.

A theme names its levels, least developed first (the first is the minimum standard, Table 2
entry 16's "Level 1"), and its elements, each with a descriptor per level. `not-met` is the
answer below the minimum standard, so no level may take that name.
"""

from __future__ import annotations

from ...errors import Location, did_you_mean, place
from ..model import HEADINGS
from ..source import Where
from ..themes import NOT_MET, Element, Theme
from .measures import basis_of
from .state import Loading


def build_themes(state: Loading) -> None:
    first: dict[str, Location] = {}
    for document, parsed in state.theme_docs:
        line, column = document.at(("id",))
        state.check_id(document, ("id",), parsed.id, "theme")
        if parsed.id in first:
            message = f"duplicate theme id '{parsed.id}' (first defined at {place(first[parsed.id])})"
            document.problem(state.problems, ("id",), message)
            continue
        first[parsed.id] = Location(document.path, line, column)
        for index, year in enumerate(parsed.years):
            state.year(document, ("years", index), year)
        areas = set(HEADINGS) | {trigger.area for trigger in state.triggers if trigger.area}
        if parsed.area is not None and parsed.area not in areas and not state.known("areas", parsed.area):
            document.problem(
                state.problems, ("area",), f"'{parsed.area}' is neither a heading nor the area of any trigger",
                hint=did_you_mean(parsed.area, areas),
            )
        levels: list[str] = []
        for index, level in enumerate(parsed.levels):
            where: Where = ("levels", index)
            state.check_id(document, where, level, "level")
            if level == NOT_MET:
                document.problem(
                    state.problems, where, f"'{NOT_MET}' is the answer below the minimum standard, not a level",
                    hint="the first level is the minimum standard",
                )
            elif level in levels:
                document.problem(state.problems, where, f"duplicate level '{level}'")
            else:
                levels.append(level)
        if not parsed.levels:
            document.problem(state.problems, ("levels",), "a theme needs its levels, the minimum standard first")
        elements: list[Element] = []
        seen: dict[str, int] = {}
        for index, spec in enumerate(parsed.elements):
            where = ("elements", index)
            state.check_id(document, (*where, "id"), spec.id, "element")
            if spec.id in seen:
                at = document.at(("elements", seen[spec.id], "id"))[0]
                document.problem(
                    state.problems, (*where, "id"), f"duplicate element '{spec.id}' (first at line {at})"
                )
                continue
            seen[spec.id] = index
            for level in spec.descriptors:
                if level not in levels:
                    document.problem(
                        state.problems, (*where, "descriptors", level),
                        f"'{level}' is not one of the theme's levels", key=True,
                        hint=did_you_mean(level, levels) or f"levels: {', '.join(levels)}",
                    )
            line, column = document.at((*where, "id"))
            elements.append(
                Element(
                    id=spec.id,
                    title=spec.title,
                    key=spec.key,
                    descriptors=dict(spec.descriptors),
                    location=Location(document.path, line, column),
                    note=spec.note,
                    basis=basis_of(state, document, (*where, "basis"), spec.basis),
                )
            )
        if not parsed.elements:
            document.problem(state.problems, ("elements",), "a theme needs at least one element")
        state.themes[parsed.id] = Theme(
            id=parsed.id,
            title=parsed.title,
            levels=tuple(levels),
            elements=tuple(elements),
            years=tuple(parsed.years),
            location=first[parsed.id],
            area=parsed.area,
            note=parsed.note,
            basis=basis_of(state, document, ("basis",), parsed.basis),
        )
