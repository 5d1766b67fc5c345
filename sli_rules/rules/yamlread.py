"""YAML built into plain data safely: no tag constructs an object, duplicate keys are caught,
aliases cannot blow up memory, and integers too long for Python are refused at their place.

Two builders make the same data with the same checks. `NodeBuilder` builds composed nodes and
records the line and column of every value and key (rule files: small, read once, asked
about often). `EventBuilder` builds straight from the parser's events and records almost no
place (fact files, which may hold millions of values); `find_places` finds the places of the
values asked for later, by reading the events again.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problems, Where

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
# A fact file of tens of megabytes has a few million nodes; an alias bomb has billions.
_NODE_BUDGET = 5_000_000
# Aliases in rule and fact files stand for small repeated snippets. What they expand to is
# measured before it is built, so a bomb is refused at once, in no memory to speak of.
_ALIAS_BUDGET = 200_000
# Python refuses to turn longer digit strings into integers (CVE-2020-10735); such a number is
# reported at its place rather than left to raise.
MAX_INT_DIGITS = 4300
# YAML 1.1 reads `1e3` as text (it wants `1.0e3`); people, JSON and YAML 1.2 read a number.
_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+\Z")


class TooBig(Exception):
    pass


class NodeBuilder:
    """Turns composed nodes into plain data, recording locations and rejecting unsafe input."""

    def __init__(self, path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems
        self.values: dict[Where, tuple[int, int]] = {}
        self.keys: dict[Where, tuple[int, int]] = {}
        self.visited = 0
        self.built: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.aliased = 0
        self.rejected = False
        self.building_key = False
        self.constructor = yaml.constructor.SafeConstructor()

    def _spot(self, node: Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def _size(self, node: Node) -> int:
        """How many nodes `node` stands for once every alias inside it is expanded."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        self.sizes[id(node)] = 1  # a recursive alias counts once while it is being measured
        if isinstance(node, SequenceNode):
            size = 1 + sum(self._size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            size = 1 + sum(self._size(key) + self._size(value) for key, value in node.value)
        else:
            size = 1
        self.sizes[id(node)] = size
        return size

    def build(self, node: Node, where: Where) -> Any:
        self.visited += 1
        if self.visited > _NODE_BUDGET:
            raise TooBig(self._spot(node), f"more than {_NODE_BUDGET} values")
        if not isinstance(node, ScalarNode):
            if id(node) in self.built:  # an alias: measure what it expands to first
                self.aliased += self._size(node)
                if self.aliased > _ALIAS_BUDGET:
                    raise TooBig(self._spot(node), "aliases that expand to more than "
                                  f"{_ALIAS_BUDGET} values (an alias bomb?)")
            else:
                self.built.add(id(node))
        self.values[where] = self._spot(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._bad_tag(node)
                return None
            return [self.build(item, (*where, index)) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self._bad_tag(node)
                return None
            return self._mapping(node, where)
        self._bad_tag(node)
        return None

    def _mapping(self, node: MappingNode, where: Where) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, column = self._spot(key_node)
                self.problems.add(self.path, line, column, "YAML merge keys ('<<') are not supported")
                continue
            self.building_key = True
            try:
                key = self.build(key_node, (*where, "\x00key"))
            finally:
                self.building_key = False
            self.values.pop((*where, "\x00key"), None)
            spot = self._spot(key_node)
            if not isinstance(key, str):
                if isinstance(key, bool) or key is None:
                    self.problems.add(
                        self.path, *spot, f"key {key_node.value!r} must be a text key",
                        hint="put it in quotes",
                    )
                    continue
                key = str(key)
            if key in first_seen:
                line, column = first_seen[key]
                self.problems.add(
                    self.path, *spot,
                    f"duplicate key '{key}' (first given at line {line}, column {column})",
                )
                continue
            first_seen[key] = spot
            self.keys[(*where, key)] = spot
            result[key] = self.build(value_node, (*where, key))
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node)
            return None
        if node.tag == "tag:yaml.org,2002:timestamp":
            # Dates are not a type of the rule format; keep what was written.
            return node.value
        if node.tag == "tag:yaml.org,2002:int" and sum(char.isdigit() for char in node.value) > MAX_INT_DIGITS:
            self._too_many_digits(node)
            return None
        plain_text = node.tag == "tag:yaml.org,2002:str" and not node.style and not self.building_key
        if plain_text and _EXPONENT.match(node.value):
            return float(node.value)
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, float) and not math.isfinite(value) and node.tag.endswith("float"):
            return value  # caught later with the field's meaning; NaN is never silently used
        return value

    def _too_many_digits(self, node: Node) -> None:
        line, column = self._spot(node)
        self.problems.add(
            self.path, line, column,
            f"a whole number of {sum(char.isdigit() for char in node.value)} digits; the limit is {MAX_INT_DIGITS}",
        )

    def _bad_tag(self, node: Node) -> None:
        self.rejected = True
        line, column = self._spot(node)
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.problems.add(
            self.path, line, column, f"YAML tag '{tag}' is not allowed",
            hint="rule and fact files hold plain values, lists and mappings only",
        )


_MERGE_TAG = "tag:yaml.org,2002:merge"
_UNSET: Any = object()  # a mapping's next node is a key


def _spot_of(event: Any) -> tuple[int, int]:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


class _Frame:
    """A mapping or sequence being built from the parser's events."""

    __slots__ = ("anchor", "key", "mapping", "mark", "raw_key", "result", "seen", "skip", "spot", "visited", "where")

    def __init__(self, mapping: bool, where: Where | None, spot: tuple[int, int], mark: Any, visited: int) -> None:
        self.mapping = mapping
        self.where = where
        self.result: Any = {} if mapping else []
        self.seen: dict[str, tuple[int, int]] = {}
        self.key: Any = _UNSET
        self.raw_key: str | None = None
        self.skip = False
        self.anchor: str | None = None
        self.spot = spot
        self.mark = mark
        self.visited = visited


class EventBuilder(NodeBuilder):
    """Plain data built straight from the parser's events, with the checks of `NodeBuilder`.

    Composing a whole document into nodes first (as `NodeBuilder` needs) takes about 25 times
    the file's size; from events, only the data is kept. The places recorded are the cheap
    few that readers ask for at once (every mapping, every sequence and every sequence
    item); the rest are found later by `TextLocator` when asked for.
    """

    def __init__(self, path: str, problems: Problems) -> None:
        super().__init__(path, problems)
        self.resolver: Any = yaml.resolver.Resolver()
        self._reset()

    def _reset(self) -> None:
        self.values = {}
        self.visited = 0
        self.aliased = 0
        self.rejected = False
        self.stack: list[_Frame] = []
        self.root: Any = _UNSET
        self.anchors: dict[str, tuple[Any, int, tuple[int, int], Any, str | None]] = {}
        self.open: dict[str, Any] = {}
        self.muted = 0  # depth inside a collection with a refused tag: nothing in it is built

    def documents(self, text: str) -> Iterator[tuple[Any, int, dict[Where, tuple[int, int]]]]:
        """(data, its position in the file, the places recorded) for each document."""
        number = -1
        for event in yaml.parse(text, Loader=LOADER):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self._scalar_event(event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._start(event, kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self._end()
            elif kind is yaml.AliasEvent:
                self._alias(event)
            elif kind is yaml.DocumentStartEvent:
                number += 1
                self._reset()
            elif kind is yaml.DocumentEndEvent and self.root is not _UNSET and not self.rejected:
                yield self.root, number, self.values

    def _next(self) -> tuple[Where | None, bool]:
        """The place of the next node (None inside keys and left-out values), and whether it
        is a key."""
        if not self.stack:
            return (), False
        top = self.stack[-1]
        if not top.mapping:
            return (None if top.where is None else (*top.where, len(top.result))), False
        if top.key is _UNSET:
            return None, True
        if top.skip or top.where is None:
            return None, False
        return (*top.where, top.key), False

    def _count(self, spot: tuple[int, int], size: int = 1) -> None:
        self.visited += size
        if self.visited > _NODE_BUDGET:
            raise TooBig(spot, f"more than {_NODE_BUDGET} values")

    def _anchor(self, event: Any) -> None:
        name = event.anchor
        if name is None:
            return
        first = self.anchors.get(name, (None, 0, None, self.open.get(name), None))[3]
        if first is not None:
            raise yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence", first, "second occurrence", event.start_mark
            )

    def _scalar_event(self, event: Any) -> None:
        if self.muted:
            return
        where, is_key = self._next()
        spot = _spot_of(event)
        self._count(spot)
        self._anchor(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        if is_key and tag == _MERGE_TAG:
            self.problems.add(self.path, *spot, "YAML merge keys ('<<') are not supported")
            top = self.stack[-1]
            top.key, top.skip = "", True
            return
        self.building_key = is_key
        value = self._scalar(ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style))
        self.building_key = False
        self.constructor.constructed_objects.clear()  # it would keep every node it was given
        if where is not None and (not self.stack or not self.stack[-1].mapping):
            self.values[where] = spot
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, spot, event.start_mark, event.value)
        self._deliver(value, spot, event.value)

    def _start(self, event: Any, mapping: bool) -> None:
        if self.muted:
            self.muted += 1
            return
        where, _ = self._next()
        spot = _spot_of(event)
        self._count(spot)
        self._anchor(event)
        default = "tag:yaml.org,2002:map" if mapping else "tag:yaml.org,2002:seq"
        tag = event.tag
        if tag is not None and tag not in ("!", default):
            self._bad_tag(ScalarNode(tag, "", event.start_mark, event.end_mark))
            self.muted = 1
            self.muted_at = spot
            return
        if where is not None:
            self.values[where] = spot
        frame = _Frame(mapping, where, spot, event.start_mark, self.visited)
        if event.anchor is not None:
            frame.anchor = event.anchor
            self.open[event.anchor] = event.start_mark
        self.stack.append(frame)

    def _end(self) -> None:
        if self.muted:
            self.muted -= 1
            if not self.muted:
                self._deliver(None, self.muted_at, None)
            return
        frame = self.stack.pop()
        if frame.anchor is not None:
            del self.open[frame.anchor]
            size = self.visited - frame.visited + 1
            self.anchors[frame.anchor] = (frame.result, size, frame.spot, frame.mark, None)
        self._deliver(frame.result, frame.spot, None)

    def _alias(self, event: Any) -> None:
        if self.muted:
            return
        where, _ = self._next()
        spot = _spot_of(event)
        name = event.anchor
        if name in self.open:  # an alias inside its own anchor: it expands without end
            raise TooBig(spot, f"aliases that expand to more than {_ALIAS_BUDGET} values (an alias bomb?)")
        if name not in self.anchors:
            raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
        value, size, anchor_spot, _, raw = self.anchors[name]
        self._count(anchor_spot, size)
        if isinstance(value, (dict, list)):
            self.aliased += size
            if self.aliased > _ALIAS_BUDGET:
                raise TooBig(anchor_spot, f"aliases that expand to more than {_ALIAS_BUDGET} values (an alias bomb?)")
            value = copy.deepcopy(value)
            if where is not None:
                self.values[where] = anchor_spot
        elif where is not None and (not self.stack or not self.stack[-1].mapping):
            self.values[where] = anchor_spot
        self._deliver(value, anchor_spot, raw)

    def _deliver(self, value: Any, spot: tuple[int, int], raw: str | None) -> None:
        """A finished node into its parent: the document, a sequence, or a mapping's key or value."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if not top.mapping:
            top.result.append(value)
            return
        if top.key is not _UNSET:
            if not top.skip:
                top.result[top.key] = value
            top.key, top.skip = _UNSET, False
            return
        top.key, top.skip = "", True  # unless it proves a good key, the value is left out
        if not isinstance(value, str):
            if isinstance(value, bool) or value is None:
                self.problems.add(self.path, *spot, f"key {raw!r} must be a text key", hint="put it in quotes")
                return
            value = str(value)
        if value in top.seen:
            line, column = top.seen[value]
            self.problems.add(
                self.path, *spot, f"duplicate key '{value}' (first given at line {line}, column {column})"
            )
            return
        top.seen[value] = spot
        top.key, top.skip = value, False


def find_places(
    text: str, number: int, wanted: set[Where], anchor: str | None = None, depth: int = 0
) -> tuple[dict[Where, tuple[int, int]], dict[Where, tuple[int, int]]]:
    """Where the values (and the keys naming them) at the places `wanted` (each with every
    place above it) were written in the `number`th document of `text`: one reading of its
    events, nothing kept but what was asked for. With `anchor`, the places are inside the
    node that anchor names (the places below an alias are those of its anchor's node)."""
    values: dict[Where, tuple[int, int]] = {}
    keys: dict[Where, tuple[int, int]] = {}
    aliases: dict[Where, str] = {}  # wanted places that are aliases: their insides are the anchor's
    resolver: Any = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()
    anchors: dict[str, tuple[int, int]] = {}
    # Each open collection: [is a mapping, its place (None: nothing wanted inside), next
    # index, the key awaiting its value (_UNSET: the next node is a key), that key's place].
    stack: list[list[Any]] = []
    current = -1
    started = anchor is None
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    nodes = (yaml.ScalarEvent, yaml.AliasEvent, *starts)
    try:
        event: Any
        for event in yaml.parse(text, Loader=LOADER):
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                current += 1
                continue
            if current < number:
                continue
            if current > number:
                break
            if not started:
                if kind in nodes and kind is not yaml.AliasEvent and event.anchor is not None:
                    started = event.anchor == anchor
                    if not started:
                        anchors[event.anchor] = _spot_of(event)
                        continue
                else:
                    continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                if not stack and anchor is not None:
                    break
                continue
            if kind not in nodes:
                continue
            spot = _spot_of(event)
            where: Where | None = ()
            if stack:
                top = stack[-1]
                if top[0] and top[3] is _UNSET:  # a key: its value's place comes next
                    top[3] = _key_text(event, resolver, constructor) if kind is yaml.ScalarEvent else None
                    top[4] = spot
                    if kind in starts:
                        stack.append([kind is yaml.MappingStartEvent, None, 0, _UNSET, None])
                    continue
                if top[0]:
                    key, top[3] = top[3], _UNSET
                    where = None if top[1] is None or key is None else (*top[1], key)
                    if where is not None and where in wanted and where not in keys:
                        keys[where] = top[4]
                else:
                    where = None if top[1] is None else (*top[1], top[2])
                    top[2] += 1
            if where is not None and where not in wanted:
                where = None
            if kind is yaml.AliasEvent:
                spot = anchors.get(event.anchor, spot)
                if where is not None:
                    aliases.setdefault(where, event.anchor)
            elif event.anchor is not None:
                anchors[event.anchor] = spot
            if where is not None and where not in values:
                values[where] = spot
            if kind in starts:
                stack.append([kind is yaml.MappingStartEvent, where, 0, _UNSET, None])
            elif not stack and anchor is not None:
                break
    except yaml.YAMLError:
        pass  # the places before the mistake are found; the rest fall back to their parents
    if depth < 20:  # aliases are not recursive in a document that was read: this is a guard
        for at, name in aliases.items():
            below = {where[len(at):] for where in wanted if len(where) > len(at) and where[: len(at)] == at}
            if not below:
                continue
            inner_values, inner_keys = find_places(text, number, below | {()}, name, depth + 1)
            for inner, spot in inner_values.items():
                if inner:
                    values.setdefault((*at, *inner), spot)
            for inner, spot in inner_keys.items():
                keys.setdefault((*at, *inner), spot)
    return values, keys


def _key_text(event: Any, resolver: Any, constructor: yaml.constructor.SafeConstructor) -> str | None:
    """A key as the builders make it: text as written, other scalars as their value's text."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = resolver.resolve(ScalarNode, event.value, event.implicit)
    if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp") or tag not in _SCALAR_TAGS:
        return str(event.value)
    if tag == "tag:yaml.org,2002:int" and sum(char.isdigit() for char in event.value) > MAX_INT_DIGITS:
        return None
    value = constructor.construct_object(ScalarNode(tag, event.value), deep=True)
    constructor.constructed_objects.clear()
    return None if isinstance(value, bool) or value is None else str(value)
