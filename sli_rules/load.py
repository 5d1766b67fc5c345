"""Load: rule files into a checked Rulebook, every problem in every file reported at once."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from . import judge
from .convert import structure, type_name
from .errors import Problems, RulebookError, did_you_mean
from .model import (
    BASES,
    CHANGES,
    HEADINGS,
    ID_PATTERN,
    MEASURE_TYPES,
    POLARITIES,
    SIGNALS,
    STATS,
    YEAR_PATTERN,
    Alias,
    AliasSpec,
    AllOf,
    AnyOf,
    Condition,
    Count,
    Counter,
    FactTest,
    Flagged,
    Level,
    Location,
    Measure,
    MeasuresFile,
    MenuFile,
    NotOf,
    Option,
    Peers,
    Ref,
    Rulebook,
    Test,
    TestsFile,
    Tier,
    Trigger,
    TriggersFile,
    VerdictAll,
    VerdictAny,
    VerdictCondition,
    VerdictNot,
    VerdictsFile,
    place,
    year_start,
)
from .source import Document, Where, display_path, load_documents, walk_files

RULE_SUFFIXES = (".yaml", ".yml")
KINDS = {
    "measures": MeasuresFile,
    "triggers": TriggersFile,
    "verdicts": VerdictsFile,
    "menu": MenuFile,
    "tests": TestsFile,
}
COMPARISONS = ("above", "below", "at_least", "at_most")
EQUALITY = ("equals", "not_equals")
RANGES = ("between", "outside")
MEMBERSHIP = ("one_of", "none_of")
POLARITY_TESTS = ("worse_than", "better_than")
TESTS = (*EQUALITY, *COMPARISONS, *RANGES, *MEMBERSHIP, *POLARITY_TESTS, "present")
NUMERIC_TESTS = (*EQUALITY, *COMPARISONS, *RANGES, *MEMBERSHIP)
REFERENCE_KEYS = ("region", "comparators", "previous", "fact", "national", "published_region")
PUBLISHED = ("national", "published_region")
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
PLACEHOLDER_NAMES = ("value", "previous", "reference", "authority", "count")
VERDICT_COUNTERS = ("concerns", "concern_headings", "excellence", "gaps")
MAX_DEPTH = 64  # far beyond any rule a person writes; keeps recursion well inside Python's


def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent


def shipped(*parts: str) -> Path:
    """A folder shipped with the package: inside the wheel, or at the repository's top."""
    inside = Path(__file__).resolve().parent / "_shipped" / Path(*parts)
    return inside if inside.exists() else repository_root().joinpath(*parts)


def default_rulebook_path() -> Path:
    return shipped("triggers").parent


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load and check a rulebook folder (holding triggers/ and menus/); default: the shipped one.

    Raises RulebookError with every problem found, each with its file, line and column.
    """
    root = Path(path) if path is not None else default_rulebook_path()
    problems = Problems()
    if not root.exists():
        problems.add(display_path(root), 1, 1, "no such rulebook folder")
        raise RulebookError(problems.items)
    if root.is_file():
        problems.add(
            display_path(root), 1, 1,
            "a rulebook is a folder holding triggers/ and menus/, not a single file",
        )
        raise RulebookError(problems.items)
    folders = [root / "triggers", root / "menus"]
    if not any(folder.is_dir() for folder in folders):
        problems.add(
            display_path(root), 1, 1,
            "not a rulebook folder: expected triggers/ and menus/ inside it",
        )
        raise RulebookError(problems.items)
    files = [file for folder in folders if folder.is_dir() for file in walk_files(folder, RULE_SUFFIXES)]
    texts: list[tuple[Path, str]] = []
    for file in files:
        from .source import read_text

        text = read_text(file, problems)
        if text is not None:
            texts.append((file, text))
    digest = hashlib.sha256()
    for file, text in texts:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0" + text.encode() + b"\0")
    builder = _RulebookBuilder(problems)
    for file, text in texts:
        before = len(problems.items)
        for document in load_documents(file, problems, text):
            builder.texts[document.path] = text
            builder.add_document(document)
        if len(problems.items) > before:
            builder.unreadable(text)
    rulebook = builder.build(display_path(root), "sha256:" + digest.hexdigest())
    if problems.has_errors or rulebook is None:
        raise RulebookError(problems.items)
    return rulebook


def rulebook_warnings(path: str | Path | None = None) -> list[Any]:
    """The warnings a rulebook loads with (unreachable levels and the like)."""
    root = Path(path) if path is not None else default_rulebook_path()
    problems = Problems()
    builder = _RulebookBuilder(problems)
    for folder in (root / "triggers", root / "menus"):
        if folder.is_dir():
            for file in walk_files(folder, RULE_SUFFIXES):
                for document in load_documents(file, problems):
                    builder.add_document(document)
    builder.build(display_path(root), "")
    return [problem for problem in problems.items if problem.severity == "warning"]


class _RulebookBuilder:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.measure_docs: list[tuple[Document, MeasuresFile]] = []
        self.trigger_docs: list[tuple[Document, TriggersFile]] = []
        self.verdict_docs: list[tuple[Document, VerdictsFile]] = []
        self.menu_docs: list[tuple[Document, MenuFile]] = []
        self.test_files: list[str] = []
        self.texts: dict[str, str] = {}  # each file's text, to place problems inside a value
        self.measures: dict[str, Measure] = {}
        self.aliases: dict[str, list[tuple[Measure, Alias]]] = {}
        self.groups: dict[str, list[str]] = {}
        # What the files declare, read from the raw data even where a file fails to
        # structure, and the kinds of file that could not be read whole: a reference to
        # something declared in a broken file is not reported again as unknown.
        self.incomplete: set[str] = set()
        self.declared: dict[str, set[str]] = {
            "measures": set(), "groups": set(), "triggers": set(), "areas": set(), "levels": set(),
        }

    # -- reading documents ------------------------------------------------------------

    def unreadable(self, text: str) -> None:
        """A file had problems: later checks of references into its kind are unreliable."""
        match = re.search(r"^kind:\s*[\"']?([a-z]+)", text, re.MULTILINE)
        self.incomplete.update([match.group(1)] if match and match.group(1) in KINDS else KINDS)

    def _declare(self, kind: str, data: dict[str, Any]) -> None:
        def items(key: str) -> list[dict[str, Any]]:
            found = data.get(key)
            if not isinstance(found, list):
                return []
            return [item for item in found if isinstance(item, dict)]

        for item in items("measures") if kind == "measures" else []:
            self.declared["measures"].add(str(item.get("id")))
            self.declared["groups"].add(str(item.get("group")))
            for alias in item.get("aliases") or []:
                alias_id = alias.get("id") if isinstance(alias, dict) else alias
                self.declared["measures"].add(str(alias_id))
        for item in items("triggers") if kind == "triggers" else []:
            self.declared["triggers"].add(str(item.get("id")))
            self.declared["areas"].add(str(item.get("area")))
        for item in items("levels") if kind == "verdicts" else []:
            self.declared["levels"].add(str(item.get("id")))

    def known(self, kind: str, name: Any) -> bool:
        """True where an unresolved reference is explained by a problem already reported."""
        store = {"measures": "measures", "groups": "measures", "triggers": "triggers",
                 "areas": "triggers", "levels": "verdicts"}[kind]
        return store in self.incomplete or str(name) in self.declared[kind]

    def add_document(self, document: Document) -> None:
        data = document.data
        if not isinstance(data, dict):
            document.problem(
                self.problems, (), f"expected a mapping with a 'kind', got {type_name(data)}"
            )
            return
        kind = data.get("kind")
        if kind not in KINDS:
            if "kind" not in data:
                document.problem(
                    self.problems, (), "missing 'kind'",
                    hint=f"one of: {', '.join(KINDS)}",
                )
            else:
                document.problem(
                    self.problems, ("kind",), f"unknown kind {kind!r}",
                    hint=did_you_mean(str(kind), KINDS) or f"one of: {', '.join(KINDS)}",
                )
            return
        self._declare(kind, data)
        parsed, found = structure(data, KINDS[kind])
        for item in found:
            document.problem(self.problems, item.where, item.message, key=item.at_key, hint=item.hint)
        if parsed is None:
            self.incomplete.add(kind)
            return
        if kind == "measures":
            self.measure_docs.append((document, parsed))
        elif kind == "triggers":
            self.trigger_docs.append((document, parsed))
        elif kind == "verdicts":
            self.verdict_docs.append((document, parsed))
        elif kind == "menu":
            self.menu_docs.append((document, parsed))
        else:
            self.test_files.append(document.path)

    def _check_id(self, document: Document, where: Where, value: str, what: str) -> None:
        if not ID_PATTERN.match(value):
            document.problem(
                self.problems, where,
                f"{what} id {value!r} is malformed",
                hint="lower-case letters and digits joined by '-', '_' or '.'",
            )

    def _year(self, document: Document, where: Where, value: str | None) -> int | None:
        if value is None:
            return None
        if not YEAR_PATTERN.match(value):
            document.problem(self.problems, where, f"year {value!r} is not like 2013-14")
            return None
        start = year_start(value)
        if int(value[5:]) != (start + 1) % 100:
            document.problem(
                self.problems, where,
                f"year {value!r} does not run into the next calendar year",
                hint=f"did you mean '{start}-{(start + 1) % 100:02d}'?",
            )
            return None
        return start

    # -- building ---------------------------------------------------------------------

    def build(self, path: str, digest: str) -> Rulebook | None:
        self._build_measures()
        headings, triggers = self._build_triggers()
        levels = self._build_levels(triggers, headings)
        options, tiers = self._build_menu(levels, triggers)
        if not triggers and not self.trigger_docs and "triggers" not in self.incomplete:
            self.problems.add(path, 1, 1, "the rulebook has no triggers")
        if not levels and not self.verdict_docs and "verdicts" not in self.incomplete:
            self.problems.add(path, 1, 1, "the rulebook has no verdict policy (kind: verdicts)")
        if not tiers and not self.menu_docs and "menu" not in self.incomplete:
            self.problems.add(path, 1, 1, "the rulebook has no support menu (kind: menu)")
        if self.problems.has_errors:
            return None
        rulebook = Rulebook(
            path=path,
            digest=digest,
            measures=dict(self.measures),
            triggers=tuple(triggers),
            headings=headings,
            levels=tuple(levels),
            options=options,
            tiers=tuple(tiers),
            peers=self._peers(),
            test_files=tuple(self.test_files),
        )
        self._check_corroboration(rulebook)
        self._check_reachable(rulebook.levels)
        return None if self.problems.has_errors else rulebook

    def _build_measures(self) -> None:
        first: dict[str, Location] = {}
        for document, parsed in self.measure_docs:
            for index, spec in enumerate(parsed.measures):
                where: Where = ("measures", index)
                line, column = document.at((*where, "id"))
                self._check_id(document, (*where, "id"), spec.id, "measure")
                if spec.id in first:
                    other = first[spec.id]
                    document.problem(
                        self.problems, (*where, "id"),
                        f"duplicate measure id '{spec.id}' (first defined at "
                        f"{place(other)})",
                    )
                    continue
                first[spec.id] = (document.path, line, column)
                measure = self._measure(document, where, spec)
                if measure is not None:
                    self.measures[measure.id] = measure
        for measure in self.measures.values():
            if measure.group:
                self.groups.setdefault(measure.group, []).append(measure.id)
            for alias in measure.aliases:
                self.aliases.setdefault(alias.id, []).append((measure, alias))
        self._check_alias_clashes()

    def _measure(self, document: Document, where: Where, spec: Any) -> Measure | None:
        ok = True
        if spec.type not in MEASURE_TYPES:
            document.problem(
                self.problems, (*where, "type"), f"unknown measure type {spec.type!r}",
                hint=did_you_mean(spec.type, MEASURE_TYPES) or f"one of: {', '.join(MEASURE_TYPES)}",
            )
            ok = False
        if spec.better not in POLARITIES:
            document.problem(
                self.problems, (*where, "better"), f"unknown polarity {spec.better!r}",
                hint=did_you_mean(spec.better, POLARITIES) or "one of: higher, lower, none",
            )
            ok = False
        if spec.better != "none" and spec.type not in ("number", "category"):
            document.problem(
                self.problems, (*where, "better"),
                f"a {spec.type} measure cannot have a polarity", hint="use better: none",
            )
        values = None
        if spec.type == "category":
            if not spec.values:
                document.problem(
                    self.problems, where, "a category measure needs its 'values', in order"
                )
                ok = False
            else:
                if len(set(spec.values)) != len(spec.values):
                    document.problem(self.problems, (*where, "values"), "category values repeat")
                values = tuple(spec.values)
        elif spec.values is not None:
            document.problem(
                self.problems, (*where, "values"), "only a category measure has 'values'"
            )
        value_range = None
        if spec.range is not None:
            if spec.type != "number":
                document.problem(self.problems, (*where, "range"), "only a number measure has a range")
            elif len(spec.range) != 2 or spec.range[0] > spec.range[1]:
                document.problem(
                    self.problems, (*where, "range"), "range must be [LOW, HIGH] with LOW <= HIGH"
                )
            else:
                value_range = (float(spec.range[0]), float(spec.range[1]))
        aliases = []
        for alias_index, alias in enumerate(spec.aliases):
            alias_where = (*where, "aliases", alias_index)
            if isinstance(alias, str):
                self._check_id(document, alias_where, alias, "alias")
                aliases.append(Alias(alias))
            else:
                assert isinstance(alias, AliasSpec)
                self._check_id(document, (*alias_where, "id"), alias.id, "alias")
                since = self._year(document, (*alias_where, "since"), alias.since)
                until = self._year(document, (*alias_where, "until"), alias.until)
                if since is not None and until is not None and since > until:
                    document.problem(self.problems, alias_where, "alias 'since' is after 'until'")
                aliases.append(Alias(alias.id, since, until))
        breaks = frozenset(
            start
            for break_index, year in enumerate(spec.breaks)
            if (start := self._year(document, (*where, "breaks", break_index), year)) is not None
        )
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
            since=self._year(document, (*where, "since"), spec.since),
            until=self._year(document, (*where, "until"), spec.until),
            breaks=breaks,
            location=(document.path, line, column),
            basis=self._basis(document, (*where, "basis"), spec.basis),
        )

    def _basis(self, document: Document, where: Where, basis: str | None) -> str | None:
        if basis is not None and basis not in BASES:
            document.problem(
                self.problems, where, f"unknown basis {basis!r}",
                hint=did_you_mean(basis, BASES) or f"one of: {', '.join(BASES)}",
            )
            return None
        return basis

    def _check_alias_clashes(self) -> None:
        for alias_id, owners in self.aliases.items():
            for index, (measure, alias) in enumerate(owners):
                for other, other_alias in owners[:index]:
                    if _overlap(alias, other_alias) and other.id != measure.id:
                        path, line, column = measure.location
                        self.problems.add(
                            path, line, column,
                            f"alias '{alias_id}' of '{measure.id}' also names '{other.id}' in "
                            "the same years",
                            hint="give the aliases 'since'/'until' years that do not overlap",
                        )
            direct = self.measures.get(alias_id)
            if direct is not None:
                for measure, alias in owners:
                    if _overlap(alias, Alias(alias_id, direct.since, direct.until)):
                        path, line, column = measure.location
                        self.problems.add(
                            path, line, column,
                            f"alias '{alias_id}' of '{measure.id}' is also the id of a measure "
                            "in the same years",
                        )

    # -- triggers ---------------------------------------------------------------------

    def _build_triggers(self) -> tuple[dict[str, str], list[Trigger]]:
        headings: dict[str, str] = {}
        triggers: list[Trigger] = []
        first: dict[str, Location] = {}
        for document, parsed in self.trigger_docs:
            if parsed.heading not in HEADINGS:
                document.problem(
                    self.problems, ("heading",), f"unknown heading {parsed.heading!r}",
                    hint=did_you_mean(parsed.heading, HEADINGS)
                    or f"one of: {', '.join(HEADINGS)}",
                )
                continue
            headings.setdefault(parsed.heading, parsed.title or parsed.heading.title())
            for index, spec in enumerate(parsed.triggers):
                where: Where = ("triggers", index)
                self._check_id(document, (*where, "id"), spec.id, "trigger")
                line, column = document.at((*where, "id"))
                if spec.id in first:
                    other = first[spec.id]
                    document.problem(
                        self.problems, (*where, "id"),
                        f"duplicate trigger id '{spec.id}' (first defined at "
                        f"{place(other)})",
                    )
                    duplicate = True  # still checked below, so every problem shows at once
                else:
                    duplicate = False
                    first[spec.id] = (document.path, line, column)
                if spec.signal not in SIGNALS:
                    document.problem(
                        self.problems, (*where, "signal"), f"unknown signal {spec.signal!r}",
                        hint=did_you_mean(spec.signal, SIGNALS) or "concern or excellence",
                    )
                    continue
                if spec.only_with_other_concerns and spec.signal != "concern":
                    document.problem(
                        self.problems, (*where, "only_with_other_concerns"),
                        "only a concern can wait for other concerns",
                    )
                if spec.area is not None:
                    self._check_id(document, (*where, "area"), spec.area, "area")
                if spec.entry is not None:
                    self._check_id(document, (*where, "entry"), spec.entry, "entry")
                basis = self._basis(document, (*where, "basis"), spec.basis)
                condition = _ConditionParser(self, document).condition((*where, "when"), spec.when)
                if spec.says is not None:
                    self._check_says(document, (*where, "says"), spec.says)
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
                        location=(document.path, line, column),
                        entry=spec.entry or spec.id,
                        basis=basis,
                    )
                )
        return headings, triggers

    def _check_says(self, document: Document, where: Where, says: str) -> None:
        line, column = document.at(where)
        text = self.texts.get(document.path)
        source_lines = text.splitlines() if text is not None else []
        columns = (
            _scalar_columns(source_lines[line - 1], column, says) if 0 < line <= len(source_lines) else None
        )

        def report(start: int, message: str, hint: str | None) -> None:
            # At the placeholder itself when the text is on one line; else where the text starts.
            self.problems.add(document.path, line, columns[start] if columns else column, message, hint=hint)

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
                if self._resolve(fact) is None and not self.known("measures", fact):
                    report(
                        match.start(), f"placeholder '{{{name}}}' names an unknown fact",
                        did_you_mean(fact, self._known_ids()),
                    )
                continue
            report(
                match.start(), f"placeholder '{{{name}}}' is not allowed",
                "use {value}, {previous}, {reference}, {authority}, {count} or {fact:ID}",
            )

    def _resolve(self, fact_id: str) -> Measure | None:
        measure = self.measures.get(fact_id)
        if measure is not None:
            return measure
        owners = self.aliases.get(fact_id)
        if owners and len({owner.id for owner, _ in owners}) == 1:
            return owners[0][0]
        return None

    def _known_ids(self) -> list[str]:
        return [*self.measures, *self.aliases]

    # -- verdicts ---------------------------------------------------------------------

    def _build_levels(self, triggers: list[Trigger], headings: dict[str, str]) -> list[Level]:
        levels: list[Level] = []
        if len(self.verdict_docs) > 1:
            document = self.verdict_docs[1][0]
            document.problem(
                self.problems, ("kind",),
                f"a second verdict policy (the first is in {self.verdict_docs[0][0].path})",
                hint="a rulebook has one ordered list of verdict levels",
            )
        if not self.verdict_docs:
            return levels
        document, parsed = self.verdict_docs[0]
        trigger_ids = {trigger.id for trigger in triggers}
        seen: set[str] = set()
        for index, spec in enumerate(parsed.levels):
            where: Where = ("levels", index)
            self._check_id(document, (*where, "id"), spec.id, "verdict level")
            if spec.id in seen:
                document.problem(self.problems, (*where, "id"), f"duplicate verdict level '{spec.id}'")
                continue
            seen.add(spec.id)
            condition = None
            if spec.when is not None:
                condition = self._verdict_condition(document, (*where, "when"), spec.when, trigger_ids)
                if condition is None:
                    continue
            elif index != len(parsed.levels) - 1:
                document.problem(
                    self.problems, where,
                    f"level '{spec.id}' has no 'when', so the levels after it can never be reached",
                    hint="only the last level may be the fallback",
                    warning=True,
                )
            line, column = document.at((*where, "id"))
            levels.append(Level(spec.id, spec.title, condition, (document.path, line, column)))
        if not parsed.levels:
            document.problem(self.problems, ("levels",), "the verdict policy has no levels")
        elif parsed.levels[-1].when is not None:
            document.problem(
                self.problems, ("levels", len(parsed.levels) - 1),
                "the last level must have no 'when': it is the fallback when nothing else holds",
            )
        return levels

    def _combination(
        self,
        document: Document,
        where: Where,
        value: dict[str, Any],
        parse: Callable[[Where, Any], Any],
        kinds: tuple[Callable[[Any], Any], Callable[[Any], Any], Callable[[Any], Any]],
    ) -> tuple[bool, Any]:
        """`all`, `any` and `not` over conditions that `parse` reads, for triggers and
        verdicts alike: (True, the node or None when it has problems), or (False, None) when
        `value` is not a combination."""
        keys = set(value)
        for combinator, build in (("all", kinds[0]), ("any", kinds[1])):
            if combinator not in keys:
                continue
            if keys != {combinator}:
                self._extra_keys(document, where, keys - {combinator}, f"'{combinator}'")
                return True, None
            items = value[combinator]
            if not isinstance(items, list) or not items:
                document.problem(
                    self.problems, (*where, combinator), f"'{combinator}' takes a non-empty list of conditions"
                )
                return True, None
            parsed = [parse((*where, combinator, index), item) for index, item in enumerate(items)]
            if any(item is None for item in parsed):
                return True, None
            return True, build(tuple(parsed))
        if "not" in keys:
            if keys != {"not"}:
                self._extra_keys(document, where, keys - {"not"}, "'not'")
                return True, None
            inner = parse((*where, "not"), value["not"])
            return True, None if inner is None else kinds[2](inner)
        return False, None

    def _verdict_condition(
        self, document: Document, where: Where, value: Any, trigger_ids: set[str], depth: int = 0
    ) -> VerdictCondition | None:
        if depth > MAX_DEPTH:
            document.problem(self.problems, where, f"conditions nested more than {MAX_DEPTH} deep")
            return None
        if not isinstance(value, dict) or not value:
            document.problem(
                self.problems, where,
                f"a verdict condition is a mapping, got {type_name(value)}",
            )
            return None
        keys = set(value)
        handled, combined = self._combination(
            document, where, value,
            lambda inner, item: self._verdict_condition(document, inner, item, trigger_ids, depth + 1),
            (VerdictAll, VerdictAny, VerdictNot),
        )
        if handled:
            return combined  # type: ignore[no-any-return]
        if "flagged" in keys:
            if keys != {"flagged"}:
                self._extra_keys(document, where, keys - {"flagged"}, "'flagged'")
                return None
            trigger_id = value["flagged"]
            if isinstance(trigger_id, str) and trigger_id not in trigger_ids and self.known(
                "triggers", trigger_id
            ):
                return None
            if not isinstance(trigger_id, str) or trigger_id not in trigger_ids:
                document.problem(
                    self.problems, (*where, "flagged"), f"unknown trigger {trigger_id!r}",
                    hint=did_you_mean(str(trigger_id), trigger_ids),
                )
                return None
            return Flagged(trigger_id)
        counters = keys & set(VERDICT_COUNTERS)
        if len(counters) != 1:
            unknown = sorted(keys - {"in"})
            for key in unknown:
                document.problem(
                    self.problems, (*where, key), f"unknown verdict condition '{key}'", key=True,
                    hint=did_you_mean(key, (*VERDICT_COUNTERS, "flagged", "all", "any", "not")),
                )
            if not unknown:
                document.problem(self.problems, where, "a verdict condition needs what to count")
            return None
        (what,) = counters
        extra = keys - {what, "in"}
        if extra:
            self._extra_keys(document, where, extra, f"'{what}'")
            return None
        heading = value.get("in")
        if heading is not None:
            if what not in ("concerns", "excellence"):
                document.problem(self.problems, (*where, "in"), f"'{what}' cannot be limited to a heading")
                return None
            if heading not in HEADINGS:
                document.problem(
                    self.problems, (*where, "in"), f"unknown heading {heading!r}",
                    hint=did_you_mean(str(heading), HEADINGS),
                )
                return None
        test = _ConditionParser(self, document).number_test((*where, what), value[what])
        return None if test is None else Counter(what, heading, test)

    def _extra_keys(self, document: Document, where: Where, keys: Iterable[str], beside: str) -> None:
        for key in sorted(keys):
            document.problem(
                self.problems, (*where, key), f"key '{key}' cannot stand beside {beside}", key=True,
                hint="wrap each condition in its own mapping under 'all' or 'any'",
            )

    # -- menu -------------------------------------------------------------------------

    def _peers(self) -> Peers:
        if not self.menu_docs:
            return Peers()
        document, parsed = self.menu_docs[0]
        spec = parsed.peers
        if spec is None:
            return Peers()
        for key in ("per_authority", "cap"):
            value = getattr(spec, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                document.problem(self.problems, ("peers", key), f"peers {key} is a whole number of 1 or more")
        return Peers(per_authority=spec.per_authority, cap=spec.cap)

    def _build_menu(
        self, levels: list[Level], triggers: list[Trigger]
    ) -> tuple[dict[str, Option], list[Tier]]:
        options: dict[str, Option] = {}
        tiers: list[Tier] = []
        if len(self.menu_docs) > 1:
            self.menu_docs[1][0].problem(
                self.problems, ("kind",),
                f"a second menu (the first is in {self.menu_docs[0][0].path})",
            )
        if not self.menu_docs:
            return options, tiers
        document, parsed = self.menu_docs[0]
        suits_known = set(HEADINGS) | {trigger.area for trigger in triggers if trigger.area}
        for index, option_spec in enumerate(parsed.options):
            where: Where = ("options", index)
            self._check_id(document, (*where, "id"), option_spec.id, "option")
            if option_spec.id in options:
                document.problem(self.problems, (*where, "id"), f"duplicate option '{option_spec.id}'")
                continue
            for suit_index, suit in enumerate(option_spec.suits):
                if suit not in suits_known and not self.known("areas", suit):
                    document.problem(
                        self.problems, (*where, "suits", suit_index),
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
            self._check_id(document, (*where, "id"), spec.id, "tier")
            if spec.id in tier_ids:
                document.problem(self.problems, (*where, "id"), f"duplicate tier '{spec.id}'")
                continue
            tier_ids.add(spec.id)
            for option_index, option in enumerate(spec.options):
                if option not in options:
                    document.problem(
                        self.problems, (*where, "options", option_index),
                        f"unknown option '{option}'", hint=did_you_mean(option, options),
                    )
            for verdict_index, verdict in enumerate(spec.verdicts):
                if verdict not in level_ids and self.known("levels", verdict):
                    continue
                if verdict not in level_ids:
                    unknown_levels += 1
                    document.problem(
                        self.problems, (*where, "verdicts", verdict_index),
                        f"unknown verdict level '{verdict}'", hint=did_you_mean(verdict, level_ids),
                    )
                elif verdict in chosen:
                    document.problem(
                        self.problems, (*where, "verdicts", verdict_index),
                        f"verdict level '{verdict}' already selects tier '{chosen[verdict]}'",
                        hint="every verdict level selects exactly one tier",
                    )
                else:
                    chosen[verdict] = spec.id
            if spec.corroboration not in (None, "required"):
                document.problem(
                    self.problems, (*where, "corroboration"),
                    f"corroboration is 'required' or absent, not {spec.corroboration!r}",
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
                    location=(document.path, line, column),
                )
            )
        for level in levels:
            # A misspelt level in the menu is reported there, with did-you-mean; the level it
            # meant is not reported again as selecting no tier.
            if level.id not in chosen and "menu" not in self.incomplete and not unknown_levels:
                path, line, column = level.location
                self.problems.add(
                    path, line, column, f"verdict level '{level.id}' selects no tier",
                    hint=f"list it under 'verdicts' of one tier in {document.path}",
                )
        return options, tiers

    def _check_corroboration(self, rulebook: Rulebook) -> None:
        """No tier that needs corroboration may be reached by one trigger on its own."""
        required = {tier.id for tier in rulebook.tiers if tier.corroboration}
        if not required:
            return
        alone: list[tuple[Trigger | None, judge.Tally]] = [(None, judge.Tally.empty())]
        for single in rulebook.triggers:
            alone.append((single, judge.Tally.of_single(single)))
        # One problem per level, at the level (where the fix goes), naming the triggers.
        reached: dict[str, list[Trigger]] = {}
        for trigger, tally in alone:
            level = judge.choose_level(rulebook.levels, tally)
            tier = rulebook.tier_for(level.id)
            if tier.id not in required:
                continue
            if trigger is None:
                path, line, column = level.location
                self.problems.add(
                    path, line, column,
                    f"with nothing flagged the verdict is '{level.id}', whose tier "
                    f"'{tier.id}' requires corroboration",
                )
                continue
            reached.setdefault(level.id, []).append(trigger)
        for level in rulebook.levels:
            found = reached.get(level.id)
            if not found or level.when is None:
                continue
            tier = rulebook.tier_for(level.id)
            first = found[0]
            place = f"{first.location[0]}:{first.location[1]}:{first.location[2]}"
            if len(found) == 1:
                named = f"trigger '{first.id}' ({place}), flagged on its own, reaches"
            else:
                named = (
                    f"{len(found)} triggers, each flagged on its own, reach (the first: "
                    f"'{first.id}' at {place})"
                )
            path, line, column = level.location
            self.problems.add(
                path, line, column,
                f"{named} verdict '{level.id}' and tier '{tier.id}', which requires "
                "corroboration",
                hint="no single trigger is a sign of failure: tighten this level's condition",
            )

    def _check_reachable(self, levels: Sequence[Level]) -> None:
        """Warn of a level that can never be chosen: an earlier level always holds first."""
        tallies = _verdict_tallies(levels)
        if tallies is None or len(levels) < 2:
            return
        chosen: set[str] = set()
        holding: dict[str, list[judge.Tally]] = {level.id: [] for level in levels}
        for tally in tallies:
            choice = judge.choose_level(levels, tally)
            chosen.add(choice.id)
            for level in levels:
                if level.when is None or judge.holds(level.when, tally):
                    holding[level.id].append(tally)
        for index, level in enumerate(levels):
            if level.id in chosen:
                continue
            path, line, column = level.location
            if not holding[level.id]:
                self.problems.add(
                    path, line, column, f"level '{level.id}' can never be reached: its "
                    "condition cannot hold", hint="check its numbers", warning=True,
                )
                continue
            cover = next(
                (
                    earlier
                    for earlier in levels[:index]
                    if earlier.when is None
                    or all(judge.holds(earlier.when, tally) for tally in holding[level.id])
                ),
                None,
            )
            because = (
                f"whenever its condition holds, the earlier level '{cover.id}' holds too"
                if cover is not None
                else "whenever its condition holds, an earlier level holds too"
            )
            self.problems.add(
                path, line, column, f"level '{level.id}' can never be reached: {because}",
                hint="levels are tried in order, most serious first: give the earlier level a "
                "narrower condition, or this one a condition the earlier levels do not cover",
                warning=True,
            )


_TALLY_BUDGET = 20_000


def _verdict_tallies(levels: Sequence[Level]) -> list[judge.Tally] | None:
    """Every distinct situation the verdict policy can tell apart, or None when too many.

    Verdict tests compare counts with literal numbers, so counts above the largest literal
    behave alike: counts from 0 to one past it cover every case exactly.
    """
    literals: list[float] = [0.0]
    flagged: set[str] = set()
    concern_in: set[str] = set()
    excellence_in: set[str] = set()
    counters: set[str] = set()

    def visit(condition: VerdictCondition) -> None:
        if isinstance(condition, (VerdictAll, VerdictAny)):
            for item in condition.items:
                visit(item)
        elif isinstance(condition, VerdictNot):
            visit(condition.item)
        elif isinstance(condition, Flagged):
            flagged.add(condition.trigger)
        else:
            counters.add(condition.what)
            literals.extend(float(ref.literal) for ref in condition.test.refs)
            if condition.heading is not None:
                named = concern_in if condition.what == "concerns" else excellence_in
                named.add(condition.heading)

    for level in levels:
        if level.when is not None:
            visit(level.when)
    values = range(math.floor(max(literals)) + 2)
    rows = itertools.product(values, repeat=len(HEADINGS)) if concern_in else (
        itertools.combinations_with_replacement(values, len(HEADINGS))
    )
    concern_rows = [dict(zip(HEADINGS, row, strict=True)) for row in rows]
    if "excellence" in counters:
        buckets = [*sorted(excellence_in), "\x00other"]
        excellence_rows = [
            dict(zip(buckets, row, strict=True))
            for row in itertools.product(values, repeat=len(buckets))
        ]
    else:
        excellence_rows = [{}]
    gap_values = list(values) if "gaps" in counters else [0]
    flag_sets = [
        frozenset(chosen)
        for size in range(len(flagged) + 1)
        for chosen in itertools.combinations(sorted(flagged), size)
    ]
    total = len(concern_rows) * len(excellence_rows) * len(gap_values) * len(flag_sets)
    if total > _TALLY_BUDGET:
        return None
    return [
        judge.Tally(concerns, excellence, gaps, flags)
        for concerns in concern_rows
        for excellence in excellence_rows
        for gaps in gap_values
        for flags in flag_sets
    ]


def _overlap(one: Alias, other: Alias) -> bool:
    low = max(one.since if one.since is not None else -math.inf, other.since if other.since is not None else -math.inf)
    high = min(one.until if one.until is not None else math.inf, other.until if other.until is not None else math.inf)
    return low <= high


class _ConditionParser:
    """Parses `when` trees into Condition objects, type-checking every test it can."""

    def __init__(self, builder: _RulebookBuilder, document: Document) -> None:
        self.builder = builder
        self.document = document
        self.problems = builder.problems

    def fail(self, where: Where, message: str, *, key: bool = False, hint: str | None = None) -> None:
        self.document.problem(self.problems, where, message, key=key, hint=hint)

    def location(self, where: Where) -> Location:
        line, column = self.document.at(where)
        return (self.document.path, line, column)

    def condition(self, where: Where, value: Any, depth: int = 0) -> Condition | None:
        if depth > MAX_DEPTH:
            self.fail(where, f"conditions nested more than {MAX_DEPTH} deep")
            return None
        if not isinstance(value, dict) or not value:
            self.fail(where, f"a condition is a mapping, got {type_name(value)}",
                      hint="e.g. {fact: ID, above: 3} or {all: [...]}")
            return None
        keys = set(value)
        handled, combined = self.builder._combination(
            self.document, where, value,
            lambda inner, item: self.condition(inner, item, depth + 1),
            (AllOf, AnyOf, NotOf),
        )
        if handled:
            return combined  # type: ignore[no-any-return]
        if "count" in keys:
            return self.count(where, value)
        if "fact" in keys:
            return self.fact_test(where, value)
        for key in sorted(keys):
            self.fail(
                (*where, key), f"unknown key '{key}' in a condition", key=True,
                hint=did_you_mean(key, ("all", "any", "not", "count", "fact", "change", *TESTS)),
            )
        if keys <= set(TESTS) | {"change"}:
            self.fail(where, "a test needs the fact it tests", hint="add 'fact: ID'")
        return None

    def _one_test(self, where: Where, value: dict[str, Any], allowed: set[str]) -> str | None:
        unknown = sorted(set(value) - allowed - set(TESTS))
        for key in unknown:
            self.fail(
                (*where, key), f"unknown key '{key}'", key=True,
                hint=did_you_mean(key, (*allowed, *TESTS)),
            )
        tests = [key for key in value if key in TESTS]
        if unknown:
            return None
        if len(tests) != 1:
            if tests:
                self.fail(
                    (*where, tests[1]),
                    f"one test per condition, found {', '.join(tests)}", key=True,
                    hint="combine several tests with 'all'",
                )
            else:
                self.fail(where, "the condition has no test", hint=f"one of: {', '.join(TESTS)}")
            return None
        return tests[0]

    def _measure(self, where: Where, fact: Any) -> Measure | None:
        if not isinstance(fact, str):
            self.fail(where, f"a fact id is text, got {type_name(fact)}")
            return None
        measure = self.builder._resolve(fact)
        if measure is None and self.builder.known("measures", fact):
            return None
        if measure is None:
            self.fail(
                where, f"unknown fact '{fact}'",
                hint=did_you_mean(fact, self.builder._known_ids()) or "add it to a measures file",
            )
        return measure

    def fact_test(self, where: Where, value: dict[str, Any]) -> FactTest | None:
        op = self._one_test(where, value, {"fact", "change"})
        measure = self._measure((*where, "fact"), value["fact"])
        change = self._change(where, value, measure)
        if op is None or measure is None or change is False:
            return None
        test = self.test((*where, op), op, value[op], measure, change)
        if test is None:
            return None
        return FactTest(measure.id, change if isinstance(change, str) else None, test, self.location(where))

    def _change(self, where: Where, value: dict[str, Any], measure: Measure | None) -> str | bool | None:
        change = value.get("change")
        if change is None:
            return None
        if change not in CHANGES:
            self.fail(
                (*where, "change"), f"unknown change {change!r}",
                hint=did_you_mean(str(change), CHANGES) or "absolute or percent",
            )
            return False
        if measure is not None and measure.type != "number":
            self.fail((*where, "change"), f"'change' needs a number measure; '{measure.id}' is a {measure.type}")
            return False
        return str(change)

    def count(self, where: Where, value: dict[str, Any]) -> Count | None:
        op = self._one_test(where, value, {"count"})
        spec = value["count"]
        if not isinstance(spec, dict):
            self.fail((*where, "count"), f"'count' takes a mapping with facts and where, got {type_name(spec)}")
            return None
        known = {"facts", "where", "change"}
        for key in sorted(set(spec) - known):
            self.fail((*where, "count", key), f"unknown key '{key}' in a count", key=True,
                      hint=did_you_mean(key, known))
        if "facts" not in spec or "where" not in spec:
            self.fail((*where, "count"), "a count needs 'facts' and 'where'")
            return None
        facts = self._fact_set((*where, "count", "facts"), spec["facts"])
        where_spec = spec["where"]
        if not isinstance(where_spec, dict):
            self.fail((*where, "count", "where"), f"'where' takes one test, got {type_name(where_spec)}")
            return None
        where_op = self._one_test((*where, "count", "where"), where_spec, set())
        if op is None or facts is None or where_op is None:
            return None
        change = spec.get("change")
        if change is not None and change not in CHANGES:
            self.fail((*where, "count", "change"), f"unknown change {change!r}",
                      hint=did_you_mean(str(change), CHANGES))
            return None
        tests = []
        for fact in facts:
            measure = self.builder.measures[fact]
            if change is not None and measure.type != "number":
                self.fail((*where, "count", "change"), f"'change' needs number measures; '{fact}' is a {measure.type}")
                return None
            spot = (*where, "count", "where", where_op)
            tests.append(self.test(spot, where_op, where_spec[where_op], measure, change, about=fact))
        if any(test is None for test in tests):
            return None
        outer = self.number_test(where, {op: value[op]})
        if outer is None:
            return None
        return Count(tuple(facts), change, tests[0], outer, self.location(where))  # type: ignore[arg-type]

    def _fact_set(self, where: Where, value: Any) -> list[str] | None:
        if isinstance(value, dict):
            if set(value) != {"group"}:
                self.fail(where, "facts is a list of ids or {group: NAME}")
                return None
            group = value["group"]
            members = self.builder.groups.get(group) if isinstance(group, str) else None
            if not members and self.builder.known("groups", group):
                return None
            if not members:
                self.fail((*where, "group"), f"unknown group {group!r}",
                          hint=did_you_mean(str(group), self.builder.groups))
                return None
            return list(members)
        if isinstance(value, list) and value:
            found = []
            for index, fact in enumerate(value):
                measure = self._measure((*where, index), fact)
                if measure is None:
                    return None
                found.append(measure.id)
            return found
        self.fail(where, f"facts is a non-empty list of ids or {{group: NAME}}, got {type_name(value)}")
        return None

    def number_test(self, where: Where, value: Any) -> Test | None:
        """A numeric test with literal numbers, as used on counts and in verdicts."""
        if not isinstance(value, dict):
            self.fail(where, f"expected a numeric test such as {{at_least: 2}}, got {type_name(value)}")
            return None
        op = self._one_test(where, value, set())
        if op is None:
            return None
        if op not in NUMERIC_TESTS:
            self.fail((*where, op), f"'{op}' cannot test a number of flags or facts", key=True,
                      hint="use at_least, at_most, above, below, equals, between...")
            return None
        operands = self._operands((*where, op), op, value[op])
        if operands is None:
            return None
        refs = []
        for index, operand in enumerate(operands):
            spot = (*where, op, index) if op in (*RANGES, *MEMBERSHIP) else (*where, op)
            if not _is_number(operand):
                self.fail(spot, f"expected a number, got {type_name(operand)}")
                return None
            refs.append(Ref("literal", literal=operand))
        return Test(op, tuple(refs))

    def _operands(self, where: Where, op: str, value: Any) -> list[Any] | None:
        if op in RANGES:
            if not isinstance(value, list) or len(value) != 2:
                self.fail(where, f"'{op}' takes [LOW, HIGH], got {type_name(value)}")
                return None
            return list(value)
        if op in MEMBERSHIP:
            if not isinstance(value, list) or not value:
                self.fail(where, f"'{op}' takes a non-empty list, got {type_name(value)}")
                return None
            return list(value)
        return [value]

    def test(
        self,
        where: Where,
        op: str,
        value: Any,
        measure: Measure,
        change: str | bool | None,
        about: str | None = None,
    ) -> Test | None:
        subject = f"'{measure.id}'" + (f" ({change} change)" if change else "")
        if op == "present":
            if not isinstance(value, bool):
                self.fail(where, f"'present' takes true or false, got {type_name(value)}")
                return None
            return Test("present", (), value)
        if op in POLARITY_TESTS and measure.better == "none":
            self.fail(
                where, f"'{op}' needs a polarity, but {subject} has better: none",
                hint=f"set 'better' on measure '{measure.id}', or use above/below",
            )
            return None
        kind = "number" if change else measure.type
        if kind in ("boolean", "text") and op not in (*EQUALITY, *MEMBERSHIP):
            self.fail(
                where, f"'{op}' cannot apply to {subject}, a {kind}",
                hint="use equals, not_equals, one_of or none_of",
            )
            return None
        operands = self._operands(where, op, value)
        if operands is None:
            return None
        refs = []
        for index, operand in enumerate(operands):
            spot = (*where, index) if op in (*RANGES, *MEMBERSHIP) else where
            ref = self.ref(spot, operand, measure, kind, change)
            if ref is None:
                return None
            refs.append(ref)
        if op in RANGES and all(ref.kind == "literal" for ref in refs):
            low, high = (_order(measure, ref.literal) for ref in refs)
            if low is not None and high is not None and low > high:
                self.fail(where, f"'{op}' takes [LOW, HIGH] with LOW <= HIGH")
                return None
        return Test(op, tuple(refs))

    def ref(self, where: Where, value: Any, measure: Measure, kind: str, change: str | bool | None) -> Ref | None:
        if isinstance(value, dict):
            return self._reference(where, value, measure, kind, change)
        if kind == "number":
            if not _is_number(value):
                self.fail(where, f"expected a number for '{measure.id}', got {type_name(value)}")
                return None
            if measure.range is not None and not change and not (measure.range[0] <= value <= measure.range[1]):
                self.fail(
                    where, f"{value} is outside the range of '{measure.id}' "
                    f"[{_plain(measure.range[0])}, {_plain(measure.range[1])}]",
                )
                return None
            return Ref("literal", literal=value)
        if kind == "boolean":
            if not isinstance(value, bool):
                self.fail(where, f"expected true or false for '{measure.id}', got {type_name(value)}")
                return None
            return Ref("literal", literal=value)
        if kind == "category":
            assert measure.values is not None
            if value not in measure.values:
                self.fail(
                    where, f"{value!r} is not a value of '{measure.id}'",
                    hint=did_you_mean(str(value), measure.values)
                    or f"one of: {', '.join(measure.values)}",
                )
                return None
            return Ref("literal", literal=value)
        if not isinstance(value, str):
            self.fail(where, f"expected text for '{measure.id}', got {type_name(value)}")
            return None
        return Ref("literal", literal=value)

    def _reference(
        self, where: Where, value: dict[str, Any], measure: Measure, kind: str, change: str | bool | None
    ) -> Ref | None:
        known = (*REFERENCE_KEYS, "plus", "times")
        for key in sorted(set(value) - set(known)):
            self.fail((*where, key), f"unknown key '{key}' in a reference", key=True,
                      hint=did_you_mean(key, known))
            return None
        chosen = [key for key in REFERENCE_KEYS if key in value]
        if len(chosen) != 1:
            self.fail(where, "a reference names exactly one of: " + ", ".join(REFERENCE_KEYS))
            return None
        (what,) = chosen
        plus, times = value.get("plus", 0.0), value.get("times", 1.0)
        for name, number in (("plus", plus), ("times", times)):
            if not _is_number(number):
                self.fail((*where, name), f"'{name}' takes a number, got {type_name(number)}")
                return None
        if (plus != 0 or times != 1) and kind != "number":
            self.fail(where, "'plus' and 'times' apply only to numbers")
            return None
        target = value[what]
        if what in ("region", "comparators"):
            if target not in STATS:
                self.fail((*where, what), f"unknown statistic {target!r}",
                          hint=did_you_mean(str(target), STATS) or f"one of: {', '.join(STATS)}")
                return None
            if kind != "number":
                self.fail((*where, what), f"a {what} statistic needs a number; '{measure.id}' is a {kind}")
                return None
            if target in ("worst_quartile", "best_quartile") and measure.better == "none":
                self.fail(
                    (*where, what), f"'{target}' needs a polarity, but '{measure.id}' has better: none",
                    hint=f"set 'better' on measure '{measure.id}'",
                )
                return None
            return Ref(what, stat=target, plus=float(plus), times=float(times))
        if what in PUBLISHED:
            if target != "value":
                self.fail((*where, what), f"write {{{what}: value}}: the published figure of the same measure")
                return None
            if kind != "number":
                self.fail(
                    (*where, what),
                    f"a published {what.replace('_', ' ')} figure needs a number; '{measure.id}' is a {kind}",
                )
                return None
            return Ref(what, plus=float(plus), times=float(times))
        if what == "previous":
            if target is not True:
                self.fail((*where, what), "write {previous: true}")
                return None
            if change:
                self.fail(where, "'previous' cannot be used with 'change': the change already uses it")
                return None
            return Ref("previous", plus=float(plus), times=float(times))
        other = self._measure((*where, "fact"), target)
        if other is None:
            return None
        if other.type != measure.type or (other.type == "category" and other.values != measure.values):
            self.fail(
                (*where, "fact"), f"'{other.id}' ({other.type}) cannot be compared with "
                f"'{measure.id}' ({measure.type})",
            )
            return None
        return Ref("fact", fact=other.id, plus=float(plus), times=float(times))


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _order(measure: Measure, value: Any) -> float | None:
    if measure.type == "category" and measure.values and value in measure.values:
        return float(measure.values.index(value))
    return float(value) if _is_number(value) else None


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
