"""The state loading shares between its passes, and the checks every pass uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ...errors import Problems, did_you_mean
from ..convert import structure, type_name
from ..model import (
    ID_PATTERN,
    YEAR_PATTERN,
    Alias,
    Level,
    Measure,
    Option,
    Peers,
    Rulebook,
    Tier,
    Trigger,
    year_start,
)
from ..source import Document, Where
from ..specs import (
    MeasuresFile,
    MenuFile,
    TestsFile,
    TriggersFile,
    VerdictsFile,
)
from ..themes import Theme, ThemeFile

KINDS = {
    "measures": MeasuresFile,
    "triggers": TriggersFile,
    "verdicts": VerdictsFile,
    "menu": MenuFile,
    "tests": TestsFile,
    "theme": ThemeFile,
}


class Loading:
    """What loading a rulebook has found so far: the documents by kind, what they declare,
    what each pass has built, and every problem. Each pass reads and adds to it."""

    def __init__(self, problems: Problems, path: str = "", digest: str = "") -> None:
        self.problems = problems
        self.path = path
        self.digest = digest
        self.measure_docs: list[tuple[Document, MeasuresFile]] = []
        self.trigger_docs: list[tuple[Document, TriggersFile]] = []
        self.verdict_docs: list[tuple[Document, VerdictsFile]] = []
        self.menu_docs: list[tuple[Document, MenuFile]] = []
        self.test_files: list[str] = []
        self.theme_docs: list[tuple[Document, ThemeFile]] = []
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
        # What the passes build, in order.
        self.headings: dict[str, str] = {}
        self.triggers: list[Trigger] = []
        self.levels: list[Level] = []
        self.options: dict[str, Option] = {}
        self.tiers: list[Tier] = []
        self.peers = Peers()
        self.themes: dict[str, Theme] = {}
        self.rulebook: Rulebook | None = None

    # -- reading documents ------------------------------------------------------------

    def unreadable(self, text: str) -> None:
        """A file had problems: later checks of references into its kind are unreliable."""
        match = re.search(r"^kind:\s*[\"']?([a-z]+)", text, re.MULTILINE)
        self.incomplete.update([match.group(1)] if match and match.group(1) in KINDS else KINDS)

    def declare(self, kind: str, data: dict[str, Any]) -> None:
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
        self.declare(kind, data)
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
        elif kind == "theme":
            self.theme_docs.append((document, parsed))
        else:
            self.test_files.append(document.path)

    def check_id(self, document: Document, where: Where, value: str, what: str) -> None:
        if not ID_PATTERN.match(value):
            document.problem(
                self.problems, where,
                f"{what} id {value!r} is malformed",
                hint="lower-case letters and digits joined by '-', '_' or '.'",
            )

    def year(self, document: Document, where: Where, value: str | None) -> int | None:
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

    def resolve(self, fact_id: str) -> Measure | None:
        measure = self.measures.get(fact_id)
        if measure is not None:
            return measure
        owners = self.aliases.get(fact_id)
        if owners and len({owner.id for owner, _ in owners}) == 1:
            return owners[0][0]
        return None

    def known_ids(self) -> list[str]:
        return [*self.measures, *self.aliases]

    def combination(
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
                self.extra_keys(document, where, keys - {combinator}, f"'{combinator}'")
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
                self.extra_keys(document, where, keys - {"not"}, "'not'")
                return True, None
            inner = parse((*where, "not"), value["not"])
            return True, None if inner is None else kinds[2](inner)
        return False, None

    def extra_keys(self, document: Document, where: Where, keys: Iterable[str], beside: str) -> None:
        for key in sorted(keys):
            document.problem(
                self.problems, (*where, key), f"key '{key}' cannot stand beside {beside}", key=True,
                hint="wrap each condition in its own mapping under 'all' or 'any'",
            )

