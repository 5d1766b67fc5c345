"""The passes that build the rulebook's parts from its documents: the catalogue of measures,
the triggers, the verdict levels and the menu, each checked against what came before."""

from __future__ import annotations

import math
import re
from typing import Any, cast

import yaml

from ...errors import Location, did_you_mean, place
from ..model import (
    BASES,
    HEADINGS,
    MEASURE_TYPES,
    METHODS,
    PLACEHOLDER_NAMES,
    POLARITIES,
    SIGNALS,
    Alias,
    AliasSpec,
    Level,
    Measure,
    Method,
    Option,
    Peers,
    Rulebook,
    Tier,
    Trigger,
)
from ..source import Document, Where
from .conditions import ConditionParser
from .state import Loading
from .verdicts import VerdictParser

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def build_measures(state: Loading) -> None:
    first: dict[str, Location] = {}
    for document, parsed in state.measure_docs:
        for index, spec in enumerate(parsed.measures):
            where: Where = ("measures", index)
            line, column = document.at((*where, "id"))
            state.check_id(document, (*where, "id"), spec.id, "measure")
            if spec.id in first:
                other = first[spec.id]
                document.problem(
                    state.problems, (*where, "id"),
                    f"duplicate measure id '{spec.id}' (first defined at "
                    f"{place(other)})",
                )
                continue
            first[spec.id] = Location(document.path, line, column)
            measure = _measure(state, document, where, spec)
            if measure is not None:
                state.measures[measure.id] = measure
    for measure in state.measures.values():
        if measure.group:
            state.groups.setdefault(measure.group, []).append(measure.id)
        for alias in measure.aliases:
            state.aliases.setdefault(alias.id, []).append((measure, alias))
    check_alias_clashes(state)


def _measure(state: Loading, document: Document, where: Where, spec: Any) -> Measure | None:
    ok = True
    if spec.type not in MEASURE_TYPES:
        document.problem(
            state.problems, (*where, "type"), f"unknown measure type {spec.type!r}",
            hint=did_you_mean(spec.type, MEASURE_TYPES) or f"one of: {', '.join(MEASURE_TYPES)}",
        )
        ok = False
    if spec.better not in POLARITIES:
        document.problem(
            state.problems, (*where, "better"), f"unknown polarity {spec.better!r}",
            hint=did_you_mean(spec.better, POLARITIES) or "one of: higher, lower, none",
        )
        ok = False
    if spec.better != "none" and spec.type not in ("number", "category"):
        document.problem(
            state.problems, (*where, "better"),
            f"a {spec.type} measure cannot have a polarity", hint="use better: none",
        )
    values = None
    if spec.type == "category":
        if not spec.values:
            document.problem(
                state.problems, where, "a category measure needs its 'values', in order"
            )
            ok = False
        else:
            if len(set(spec.values)) != len(spec.values):
                document.problem(state.problems, (*where, "values"), "category values repeat")
            values = tuple(spec.values)
    elif spec.values is not None:
        document.problem(
            state.problems, (*where, "values"), "only a category measure has 'values'"
        )
    value_range = None
    if spec.range is not None:
        if spec.type != "number":
            document.problem(state.problems, (*where, "range"), "only a number measure has a range")
        elif len(spec.range) != 2 or spec.range[0] > spec.range[1]:
            document.problem(
                state.problems, (*where, "range"), "range must be [LOW, HIGH] with LOW <= HIGH"
            )
        else:
            value_range = (float(spec.range[0]), float(spec.range[1]))
    aliases = []
    for alias_index, alias in enumerate(spec.aliases):
        alias_where = (*where, "aliases", alias_index)
        if isinstance(alias, str):
            state.check_id(document, alias_where, alias, "alias")
            aliases.append(Alias(alias))
        else:
            assert isinstance(alias, AliasSpec)
            state.check_id(document, (*alias_where, "id"), alias.id, "alias")
            since = state.year(document, (*alias_where, "since"), alias.since)
            until = state.year(document, (*alias_where, "until"), alias.until)
            if since is not None and until is not None and since > until:
                document.problem(state.problems, alias_where, "alias 'since' is after 'until'")
            aliases.append(Alias(alias.id, since, until))
    breaks = frozenset(
        start
        for break_index, year in enumerate(spec.breaks)
        if (start := state.year(document, (*where, "breaks", break_index), year)) is not None
    )
    since = state.year(document, (*where, "since"), spec.since)
    until = state.year(document, (*where, "until"), spec.until)
    year_notes = _year_notes(state, document, where, spec, since, until)
    if not ok:
        return None
    line, column = document.at((*where, "id"))
    return Measure(
        id=spec.id,
        name=spec.name,
        type=spec.type,
        unit=spec.unit,
        better=spec.better,
        group=spec.group,
        aliases=tuple(aliases),
        source=spec.source,
        range=value_range,
        values=values,
        since=since,
        until=until,
        breaks=breaks,
        location=Location(document.path, line, column),
        basis=_basis(state, document, (*where, "basis"), spec.basis),
        method=_method(state, document, where, spec),
        per=float(spec.per) if isinstance(spec.per, (int, float)) and spec.per > 0 else 1.0,
        year_notes=year_notes,
    )


def _year_notes(
    state: Loading, document: Document, where: Where, spec: Any, since: int | None, until: int | None
) -> tuple[tuple[int, str], ...]:
    """`year_notes: {2020-21: TEXT}`: each year real and within the years the measure is
    published, each note text."""
    found = []
    for year, note in spec.year_notes.items():
        spot = (*where, "year_notes", year)
        start = state.year(document, spot, str(year))
        if start is None:
            continue
        if (since is not None and start < since) or (until is not None and start > until):
            document.problem(
                state.problems, spot, f"a note for {year}, a year in which '{spec.id}' is not published",
                hint=f"it is published {spec.since or 'from the start'} to {spec.until or 'today'}",
            )
            continue
        if not isinstance(note, str) or not note.strip():
            document.problem(state.problems, spot, f"the note for {year} is text, got {note!r}")
            continue
        found.append((start, note.strip()))
    return tuple(sorted(found))


def _method(state: Loading, document: Document, where: Where, spec: Any) -> Method | None:
    if spec.per is not None and not spec.per > 0:
        document.problem(state.problems, (*where, "per"), f"per is a number above 0, got {spec.per!r}")
    if spec.method is None:
        if spec.per is not None:
            document.problem(state.problems, (*where, "per"), "'per' goes with a method: proportion or rate")
        return None
    if spec.method not in METHODS:
        document.problem(
            state.problems, (*where, "method"), f"unknown method {spec.method!r}",
            hint=did_you_mean(str(spec.method), METHODS) or "proportion or rate",
        )
        return None
    if spec.type != "number":
        document.problem(state.problems, (*where, "method"), f"a {spec.type} measure has no confidence interval")
        return None
    return cast(Method, spec.method)


def _basis(state: Loading, document: Document, where: Where, basis: str | None) -> str | None:
    if basis is not None and basis not in BASES:
        document.problem(
            state.problems, where, f"unknown basis {basis!r}",
            hint=did_you_mean(basis, BASES) or f"one of: {', '.join(BASES)}",
        )
        return None
    return basis


def check_alias_clashes(state: Loading) -> None:
    for alias_id, owners in state.aliases.items():
        for index, (measure, alias) in enumerate(owners):
            for other, other_alias in owners[:index]:
                if _overlap(alias, other_alias) and other.id != measure.id:
                    path, line, column = measure.location
                    state.problems.add(
                        path, line, column,
                        f"alias '{alias_id}' of '{measure.id}' also names '{other.id}' in "
                        "the same years",
                        hint="give the aliases 'since'/'until' years that do not overlap",
                    )
        direct = state.measures.get(alias_id)
        if direct is not None:
            for measure, alias in owners:
                if _overlap(alias, Alias(alias_id, direct.since, direct.until)):
                    path, line, column = measure.location
                    state.problems.add(
                        path, line, column,
                        f"alias '{alias_id}' of '{measure.id}' is also the id of a measure "
                        "in the same years",
                    )


def build_triggers(state: Loading) -> None:
    headings = state.headings
    triggers = state.triggers
    first: dict[str, Location] = {}
    for document, parsed in state.trigger_docs:
        if parsed.heading not in HEADINGS:
            document.problem(
                state.problems, ("heading",), f"unknown heading {parsed.heading!r}",
                hint=did_you_mean(parsed.heading, HEADINGS)
                or f"one of: {', '.join(HEADINGS)}",
            )
            continue
        headings.setdefault(parsed.heading, parsed.title or parsed.heading.title())
        for index, spec in enumerate(parsed.triggers):
            where: Where = ("triggers", index)
            state.check_id(document, (*where, "id"), spec.id, "trigger")
            line, column = document.at((*where, "id"))
            if spec.id in first:
                other = first[spec.id]
                document.problem(
                    state.problems, (*where, "id"),
                    f"duplicate trigger id '{spec.id}' (first defined at "
                    f"{place(other)})",
                )
                duplicate = True  # still checked below, so every problem shows at once
            else:
                duplicate = False
                first[spec.id] = Location(document.path, line, column)
            if spec.signal not in SIGNALS:
                document.problem(
                    state.problems, (*where, "signal"), f"unknown signal {spec.signal!r}",
                    hint=did_you_mean(spec.signal, SIGNALS) or "concern or excellence",
                )
                continue
            if spec.only_with_other_concerns and spec.signal != "concern":
                document.problem(
                    state.problems, (*where, "only_with_other_concerns"),
                    "only a concern can wait for other concerns",
                )
            if spec.area is not None:
                state.check_id(document, (*where, "area"), spec.area, "area")
            if spec.entry is not None:
                state.check_id(document, (*where, "entry"), spec.entry, "entry")
            basis = _basis(state, document, (*where, "basis"), spec.basis)
            condition = ConditionParser(state, document).condition((*where, "when"), spec.when)
            if spec.says is not None:
                _check_says(state, document, (*where, "says"), spec.says)
            if condition is None or duplicate:
                continue
            triggers.append(
                Trigger(
                    id=spec.id,
                    heading=parsed.heading,
                    heading_title=headings[parsed.heading],
                    title=spec.title,
                    signal=spec.signal,
                    area=spec.area,
                    sources=tuple(spec.sources),
                    when=condition,
                    says=spec.says,
                    gated=spec.only_with_other_concerns,
                    location=Location(document.path, line, column),
                    entry=spec.entry or spec.id,
                    basis=basis,
                )
            )


def _check_says(state: Loading, document: Document, where: Where, says: str) -> None:
    line, column = document.at(where)
    text = state.texts.get(document.path)
    source_lines = text.splitlines() if text is not None else []
    columns = (
        _scalar_columns(source_lines[line - 1], column, says) if 0 < line <= len(source_lines) else None
    )

    def report(start: int, message: str, hint: str | None) -> None:
        # At the placeholder itself when the text is on one line; else where the text starts.
        state.problems.add(document.path, line, columns[start] if columns else column, message, hint=hint)

    for match in PLACEHOLDER.finditer(says):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            report(match.start(), f"unmatched '{token}' in says", "write '{{' or '}}' for a literal brace")
            continue
        if name in PLACEHOLDER_NAMES:
            continue
        if name.startswith("fact:"):
            fact = name[5:]
            if state.resolve(fact) is None and not state.known("measures", fact):
                report(
                    match.start(), f"placeholder '{{{name}}}' names an unknown fact",
                    did_you_mean(fact, state.known_ids()),
                )
            continue
        report(
            match.start(), f"placeholder '{{{name}}}' is not allowed",
            "use {value}, {measure}, {previous}, {reference}, {authority}, {count} or {fact:ID}",
        )


def build_levels(state: Loading) -> None:
    triggers = state.triggers
    levels = state.levels
    if len(state.verdict_docs) > 1:
        document = state.verdict_docs[1][0]
        document.problem(
            state.problems, ("kind",),
            f"a second verdict policy (the first is in {state.verdict_docs[0][0].path})",
            hint="a rulebook has one ordered list of verdict levels",
        )
    if not state.verdict_docs:
        return
    document, parsed = state.verdict_docs[0]
    trigger_ids = {trigger.id for trigger in triggers}
    seen: set[str] = set()
    for index, spec in enumerate(parsed.levels):
        where: Where = ("levels", index)
        state.check_id(document, (*where, "id"), spec.id, "verdict level")
        if spec.id in seen:
            document.problem(state.problems, (*where, "id"), f"duplicate verdict level '{spec.id}'")
            continue
        seen.add(spec.id)
        condition = None
        if spec.when is not None:
            condition = VerdictParser(state, document).verdict_condition((*where, "when"), spec.when, trigger_ids)
            if condition is None:
                continue
        elif index != len(parsed.levels) - 1:
            document.problem(
                state.problems, where,
                f"level '{spec.id}' has no 'when', so the levels after it can never be reached",
                hint="only the last level may be the fallback",
                warning=True,
            )
        line, column = document.at((*where, "id"))
        levels.append(Level(spec.id, spec.title, condition, Location(document.path, line, column), spec.note))
    if not parsed.levels:
        document.problem(state.problems, ("levels",), "the verdict policy has no levels")
    elif parsed.levels[-1].when is not None:
        document.problem(
            state.problems, ("levels", len(parsed.levels) - 1),
            "the last level must have no 'when': it is the fallback when nothing else holds",
        )


def _peers(state: Loading) -> Peers:
    document, parsed = state.menu_docs[0]
    spec = parsed.peers
    if spec is None:
        return Peers()
    for key in ("per_authority", "cap"):
        value = getattr(spec, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            document.problem(state.problems, ("peers", key), f"peers {key} is a whole number of 1 or more")
    return Peers(per_authority=spec.per_authority, cap=spec.cap)


def build_menu(state: Loading) -> None:
    levels, triggers = state.levels, state.triggers
    options = state.options
    tiers = state.tiers
    if len(state.menu_docs) > 1:
        state.menu_docs[1][0].problem(
            state.problems, ("kind",),
            f"a second menu (the first is in {state.menu_docs[0][0].path})",
        )
    if not state.menu_docs:
        return
    state.peers = _peers(state)
    document, parsed = state.menu_docs[0]
    suits_known = set(HEADINGS) | {trigger.area for trigger in triggers if trigger.area}
    for index, option_spec in enumerate(parsed.options):
        where: Where = ("options", index)
        state.check_id(document, (*where, "id"), option_spec.id, "option")
        if option_spec.id in options:
            document.problem(state.problems, (*where, "id"), f"duplicate option '{option_spec.id}'")
            continue
        for suit_index, suit in enumerate(option_spec.suits):
            if suit not in suits_known and not state.known("areas", suit):
                document.problem(
                    state.problems, (*where, "suits", suit_index),
                    f"'{suit}' is neither a heading nor the area of any trigger",
                    hint=did_you_mean(suit, suits_known),
                )
        options[option_spec.id] = Option(
            option_spec.id, option_spec.title, option_spec.via, tuple(option_spec.suits), option_spec.note
        )
    level_ids = [level.id for level in levels]
    unknown_levels = 0
    chosen: dict[str, str] = {}
    tier_ids: set[str] = set()
    for index, spec in enumerate(parsed.tiers):
        where = ("tiers", index)
        state.check_id(document, (*where, "id"), spec.id, "tier")
        if spec.id in tier_ids:
            document.problem(state.problems, (*where, "id"), f"duplicate tier '{spec.id}'")
            continue
        tier_ids.add(spec.id)
        for option_index, option in enumerate(spec.options):
            if option not in options:
                document.problem(
                    state.problems, (*where, "options", option_index),
                    f"unknown option '{option}'", hint=did_you_mean(option, options),
                )
        for verdict_index, verdict in enumerate(spec.verdicts):
            if verdict not in level_ids and state.known("levels", verdict):
                continue
            if verdict not in level_ids:
                unknown_levels += 1
                document.problem(
                    state.problems, (*where, "verdicts", verdict_index),
                    f"unknown verdict level '{verdict}'", hint=did_you_mean(verdict, level_ids),
                )
            elif verdict in chosen:
                document.problem(
                    state.problems, (*where, "verdicts", verdict_index),
                    f"verdict level '{verdict}' already selects tier '{chosen[verdict]}'",
                    hint="every verdict level selects exactly one tier",
                )
            else:
                chosen[verdict] = spec.id
        if spec.corroboration not in (None, "required"):
            document.problem(
                state.problems, (*where, "corroboration"),
                f"corroboration is 'required' or absent, not {spec.corroboration!r}",
            )
        if not spec.options:
            document.problem(
                state.problems, (*where, "options"), f"tier '{spec.id}' offers no support option",
                hint="list the options an authority in this tier is offered", warning=True,
            )
        if index == len(parsed.tiers) - 1 and index > 0 and spec.corroboration is None:
            document.problem(
                state.problems, (*where, "id"),
                f"the most intensive tier '{spec.id}' does not require corroboration",
                hint="add 'corroboration: required', so that no single piece of evidence can reach it",
                warning=True,
            )
        line, column = document.at((*where, "id"))
        tiers.append(
            Tier(
                id=spec.id,
                title=spec.title,
                note=spec.note,
                verdicts=tuple(spec.verdicts),
                options=tuple(spec.options),
                corroboration=spec.corroboration == "required",
                location=Location(document.path, line, column),
            )
        )
    for level in levels:
        # A misspelt level in the menu is reported there, with did-you-mean; the level it
        # meant is not reported again as selecting no tier.
        if level.id not in chosen and "menu" not in state.incomplete and not unknown_levels:
            path, line, column = level.location
            state.problems.add(
                path, line, column, f"verdict level '{level.id}' selects no tier",
                hint=f"list it under 'verdicts' of one tier in {document.path}",
            )


def check_complete(state: Loading) -> None:
    """A rulebook needs triggers, a verdict policy and a menu (unless a file holding one of
    them could not be read: that problem is reported already)."""
    if not state.triggers and not state.trigger_docs and "triggers" not in state.incomplete:
        state.problems.add(state.path, 1, 1, "the rulebook has no triggers")
    if not state.levels and not state.verdict_docs and "verdicts" not in state.incomplete:
        state.problems.add(state.path, 1, 1, "the rulebook has no verdict policy (kind: verdicts)")
    if not state.tiers and not state.menu_docs and "menu" not in state.incomplete:
        state.problems.add(state.path, 1, 1, "the rulebook has no support menu (kind: menu)")


def assemble(state: Loading) -> None:
    """The rulebook itself, once everything it is made of was built without an error."""
    if state.problems.has_errors:
        return
    state.rulebook = Rulebook(
        path=state.path,
        digest=state.digest,
        measures=dict(state.measures),
        triggers=tuple(state.triggers),
        headings=state.headings,
        levels=tuple(state.levels),
        options=state.options,
        tiers=tuple(state.tiers),
        peers=state.peers,
        test_files=tuple(state.test_files),
    )


def _overlap(one: Alias, other: Alias) -> bool:
    low = max(one.since if one.since is not None else -math.inf, other.since if other.since is not None else -math.inf)
    high = min(one.until if one.until is not None else math.inf, other.until if other.until is not None else math.inf)
    return low <= high


def _scalar_columns(source_line: str, column: int, value: str) -> list[int] | None:
    """The column of each character of `value`, a scalar written on `source_line` from
    `column` on, plain or quoted; None when it is not all on that line (a folded or literal
    block, a plain or quoted text running over several lines), or cannot be matched up."""
    raw = source_line[column - 1 :]
    if not raw or not value:
        return None
    quote = raw[0]
    if quote not in "'\"":
        if raw[0] in "|>" or not raw.startswith(value):
            return None
        return [column + index for index in range(len(value))]
    decoded: list[str] = []
    columns: list[int] = []
    index = 1
    while index < len(raw):
        char = raw[index]
        if char == quote and quote == "'" and raw[index + 1 : index + 2] == "'":
            decoded.append("'")
            columns.append(column + index)
            index += 2
            continue
        if char == quote:
            break
        if char == "\\" and quote == '"':
            width = 2 + {"x": 2, "u": 4, "U": 8}.get(raw[index + 1 : index + 2], 0)
            try:
                escaped = yaml.safe_load('"' + raw[index : index + width] + '"')
            except yaml.YAMLError:
                return None
            if not isinstance(escaped, str):
                return None
            decoded.append(escaped)
            columns.extend([column + index] * len(escaped))
            index += width
            continue
        decoded.append(char)
        columns.append(column + index)
        index += 1
    else:
        return None  # the quote is not closed on this line
    return columns if "".join(decoded) == value else None


