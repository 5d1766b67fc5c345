"""Reading YAML and JSON safely while remembering where every key and value came from.

YAML is composed into nodes (never constructed into objects by PyYAML), so that no tag can
run code, duplicate keys are caught, aliases cannot blow up memory, and every value keeps its
line and column for the error messages of later stages.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problems

Key = str | int
Where = tuple[Key, ...]
Location = tuple[str, int, int]  # path, line, column
MEMORY = "<memory>"

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
MAX_FILE_BYTES = 256 * 1024 * 1024
# Python refuses to turn longer digit strings into integers (CVE-2020-10735); such a number is
# reported at its place rather than left to raise.
MAX_INT_DIGITS = 4300
# YAML 1.1 reads `1e3` as text (it wants `1.0e3`); people, JSON and YAML 1.2 read a number.
_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+\Z")


@attrs.frozen
class Document:
    """One YAML or JSON document: plain data plus the place of every value and key."""

    path: str
    data: Any
    values: dict[Where, tuple[int, int]] = attrs.field(repr=False)
    keys: dict[Where, tuple[int, int]] = attrs.field(repr=False)

    def at(self, where: Where) -> tuple[int, int]:
        """The line and column of the value at `where`, or of its nearest located parent."""
        for size in range(len(where), -1, -1):
            spot = self.values.get(where[:size])
            if spot is not None:
                return spot
        return (1, 1)

    def key_at(self, where: Where) -> tuple[int, int]:
        """The line and column of the key naming `where` (its value when it has no key)."""
        return self.keys.get(where) or self.at(where)

    def location(self, where: Where) -> Location:
        """Where the value at `where` is, as a problem reports it."""
        return (self.path, *self.at(where))

    def key_location(self, where: Where) -> Location:
        """Where the key naming `where` is, as a problem reports it."""
        return (self.path, *self.key_at(where))

    def problem(
        self,
        problems: Problems,
        where: Where,
        message: str,
        *,
        key: bool = False,
        hint: str | None = None,
        warning: bool = False,
    ) -> None:
        path, line, column = self.key_location(where) if key else self.location(where)
        problems.add(path, line, column, message, hint=hint, warning=warning)


def path_text(where: Where) -> str:
    """`authorities[3].facts.ascof.1a`: a place inside data, as people write it."""
    text = ""
    for key in where:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


@attrs.frozen
class MemoryDocument(Document):
    """Data handed over in memory: no lines, so a place is the path inside the data."""

    name: str = MEMORY

    def location(self, where: Where) -> Location:
        inner = path_text(where)
        return (f"{self.name}: {inner}" if inner else self.name, 0, 0)

    def key_location(self, where: Where) -> Location:
        return self.location(where)


def memory_document(data: Any, name: str = MEMORY) -> MemoryDocument:
    """In-memory data as a document; keys other than text are made text, as in a file."""
    return MemoryDocument(name, data, {}, {}, name)


def display_path(path: Path) -> str:
    """A path as people typed it: relative to the working folder when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, problems: Problems) -> str | None:
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(shown, 1, 1, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
            return None
        data = path.read_bytes()
    except OSError as error:
        problems.add(shown, 1, 1, f"cannot read file: {error.strerror or error}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.add(shown, line, column, "file is not UTF-8 text")
        return None


def load_documents(path: Path, problems: Problems, text: str | None = None) -> list[Document]:
    """Every document of a YAML (or JSON) file; problems are collected, never raised."""
    if text is None:
        text = read_text(path, problems)
        if text is None:
            return []
    shown = display_path(path)
    if path.suffix.lower() == ".json":
        return _load_json(shown, text, problems)
    return _load_yaml(shown, text, problems)


def _load_yaml(shown: str, text: str, problems: Problems) -> list[Document]:
    documents: list[Document] = []
    try:
        for node in yaml.compose_all(text, Loader=_LOADER):
            if node is None:
                continue
            builder = _Builder(shown, problems)
            data = builder.build(node, ())
            if builder.rejected:
                continue  # a tag that would construct an object: the document is not used
            documents.append(Document(shown, data, builder.values, builder.keys))
    except yaml.MarkedYAMLError as error:
        line, column, message, hint = syntax_cause(text, error)
        problems.add(shown, line, column, f"YAML syntax: {message}", hint=hint)
    except yaml.YAMLError as error:
        problems.add(shown, 1, 1, f"YAML syntax: {error}")
    except _TooBig as too_big:
        (line, column), what = too_big.args
        problems.add(shown, line, column, f"document too large: {what}")
    except RecursionError:
        problems.add(shown, 1, 1, "document nested too deeply")
    except MemoryError:
        problems.add(shown, 1, 1, "document too large to load in the memory available")
    return documents


def syntax_cause(text: str, error: yaml.MarkedYAMLError) -> tuple[int, int, str, str | None]:
    """Where a YAML syntax error really starts, what it is, and how to fix it.

    PyYAML reports where parsing gave up, often lines after the mistake: an unclosed quote
    or bracket swallows what follows, a key without its ':' runs on into the next line.
    """
    problem, context = error.problem or "", error.context or ""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    if mark is not None and 0 <= mark.line < len(lines) and (
        "tab" in problem or lines[mark.line][mark.column : mark.column + 1] == "\t"
    ):
        hint = "YAML does not allow tabs for indentation: use spaces"
        return line, column, "a tab character", hint
    opened = error.context_mark
    scalar = _last_scalar_before(text, mark)
    if scalar is not None and scalar.style in ("'", '"') and scalar.start_mark.line < line - 1:
        start = scalar.start_mark
        return (
            start.line + 1, start.column + 1,
            f"the quote {scalar.style} opened here is not closed on its line",
            f"close it with {scalar.style} on the same line, or use '>-' for text "
            "running over several lines",
        )
    if opened is not None and context.startswith("while parsing a flow"):
        bracket = "[" if "sequence" in context else "{"
        closer = "]" if bracket == "[" else "}"
        return (
            opened.line + 1, opened.column + 1,
            f"'{bracket}' is not closed (parsing gave up at line {line}, column {column})",
            f"add the missing '{closer}', or a ',' between items",
        )
    if opened is not None and context.startswith("while scanning a quoted scalar"):
        quote = text[opened.index : opened.index + 1]
        return (
            opened.line + 1, opened.column + 1,
            f"the quote {quote} opened here is never closed",
            f"close it with {quote} on the same line",
        )
    if scalar is not None and scalar.start_mark.line < line - 1:
        start = scalar.start_mark
        if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
            # The text ran on from the last line before the ':' that is not blank or a comment.
            cause, cause_column = start.line, start.column
            for index in range(line - 2, start.line, -1):
                stripped = lines[index].strip() if index < len(lines) else ""
                if stripped and not stripped.startswith("#"):
                    cause, cause_column = index, len(lines[index]) - len(lines[index].lstrip())
                    break
            return (
                cause + 1, cause_column + 1,
                f"this line runs on to line {line}, where ':' is not allowed",
                "a key is missing its ':' here, or the next line is indented too far",
            )
    if "could not find expected ':'" in problem and error.context_mark is not None:
        start = error.context_mark
        return start.line + 1, start.column + 1, "a key without its ':'", "write 'key: value'"
    if "expected '-' indicator" in problem or "did not find expected key" in problem:
        return (
            line, column, "this line is not indented like the lines before it",
            "indent it with spaces like the other keys of its mapping or items of its list",
        )
    message = " ".join(part for part in (context, problem) if part)
    return line, column, message, None


def _last_scalar_before(text: str, mark: Any) -> Any:
    """The last scalar token that starts before `mark`, read with the pure-Python scanner."""
    if mark is None:
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        pass
    return last


class _TooBig(Exception):
    pass


class _Builder:
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
            raise _TooBig(self._spot(node), f"more than {_NODE_BUDGET} values")
        if not isinstance(node, ScalarNode):
            if id(node) in self.built:  # an alias: measure what it expands to first
                self.aliased += self._size(node)
                if self.aliased > _ALIAS_BUDGET:
                    raise _TooBig(self._spot(node), "aliases that expand to more than "
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


def _load_json(shown: str, text: str, problems: Problems) -> list[Document]:
    # JSON is YAML 1.2, but PyYAML follows YAML 1.1: parse with the json module and
    # recover locations by reading the same text through the YAML composer.
    try:
        data = json.loads(
            text, object_pairs_hook=_json_pairs(shown, problems, text), parse_int=_json_int(shown, problems, text)
        )
    except json.JSONDecodeError as error:
        problems.add(shown, error.lineno, error.colno, f"JSON syntax: {error.msg}")
        return []
    except RecursionError:
        problems.add(shown, 1, 1, "document nested too deeply")
        return []
    located = Problems()
    yaml_view = _load_yaml(shown, text, located)
    if yaml_view and not located.has_errors:
        return [Document(shown, data, yaml_view[0].values, yaml_view[0].keys)]
    return [Document(shown, data, {(): (1, 1)}, {})]


def _json_int(shown: str, problems: Problems, text: str) -> Any:
    def parse(digits: str) -> int | None:
        if sum(char.isdigit() for char in digits) <= MAX_INT_DIGITS:
            return int(digits)
        offset = text.find(digits)  # json gives no position here: the first such number
        line = text.count("\n", 0, max(offset, 0)) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1 if offset >= 0 else 1
        problems.add(shown, line, column, f"a whole number of {len(digits.lstrip('-'))} digits; "
                     f"the limit is {MAX_INT_DIGITS}")
        return None

    return parse


def _json_pairs(shown: str, problems: Problems, text: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                # json gives no position here; the YAML pass locates the duplicate key.
                needle = json.dumps(key)
                offset = text.rfind(needle)
                line = text.count("\n", 0, max(offset, 0)) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1 if offset >= 0 else 1
                problems.add(shown, line, column, f"duplicate key '{key}'")
                continue
            result[key] = value
        return result

    return hook


def walk_files(path: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """The files below a folder with one of the suffixes, in a stable order."""
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if child.is_file() and child.suffix.lower() in suffixes and not any(
            part.startswith(".") for part in child.relative_to(path).parts
        ):
            yield child
