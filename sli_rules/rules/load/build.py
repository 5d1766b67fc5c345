"""The passes that build the rulebook's parts from its documents: the triggers, the verdict
levels and the menu, each checked against what came before (the catalogue is `measures`)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ...errors import Location, did_you_mean, place
from ..convert import type_name
from ..model import (
    HEADINGS,
    PLACEHOLDER_NAMES,
    SIGNALS,
    Level,
    Option,
    Peers,
    Rulebook,
    Tier,
    Trigger,
)
from ..source import Document, Where
from .conditions import ConditionParser
from .measures import basis_of
from .state import Loading
from .verdicts import VerdictParser

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


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
            basis = basis_of(state, document, (*where, "basis"), spec.basis)
            since, until = _span(state, document, (*where, "years"), spec.years)
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
                    since=since,
                    until=until,
                )
            )


def _span(state: Loading, document: Document, where: Where, value: Any) -> tuple[int | None, int | None]:
    """A trigger's span of years, `{from: YEAR, until: YEAR}` (either end optional), as first
    calendar years; (None, None) without one, or where it is wrong (the problem reported)."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or not value:
        document.problem(
            state.problems, where, f"years takes {{from: YEAR, until: YEAR}}, got {type_name(value)}",
            hint="either end may be left out, e.g. years: {until: 2014-15}",
        )
        return None, None
    for key in sorted(set(value) - {"from", "until"}, key=str):
        document.problem(
            state.problems, (*where, key), f"unknown key '{key}' in years", key=True,
            hint=did_you_mean(str(key), ("from", "until")) or "from or until",
        )
    ends: list[int | None] = []
    for end in ("from", "until"):
        given = value.get(end)
        if given is not None and not isinstance(given, str):
            document.problem(state.problems, (*where, end), f"year {given!r} is not like 2013-14")
            ends.append(None)
        else:
            ends.append(state.year(document, (*where, end), given))
    since, until = ends
    if since is not None and until is not None and since > until:
        document.problem(state.problems, where, "years 'from' is after 'until'")
        return None, None
    return since, until


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
    days_cap = spec.days_cap  # MoU 2.1g: the days one authority gives in a year, where capped
    whole = isinstance(days_cap, int) and not isinstance(days_cap, bool)
    if days_cap is not None and not (whole and 1 <= days_cap <= 365):
        document.problem(state.problems, ("peers", "days_cap"), "peers days_cap is a whole number from 1 to 365")
    return Peers(per_authority=spec.per_authority, cap=spec.cap, days_cap=days_cap)


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
        themes=dict(state.themes),
    )


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


