"""Reading YAML and JSON safely while remembering where every key and value came from.

YAML is never constructed into objects by PyYAML (see `yamlread`), so that no tag can run
code, duplicate keys are caught and aliases cannot blow up memory; every value keeps its line
and column for the error messages of later stages: recorded as it is read, or (for fact files,
which may hold millions of values) found when asked for.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

from ..errors import Location, Place, Problems
from ..errors import Where as Where  # noqa: PLC0414 (readers import it from here)
from .jsonplaces import find_json_places
from .yamlread import LOADER, MAX_INT_DIGITS, EventBuilder, NodeBuilder, TooBig, find_places

Key = str | int

MEMORY = "<memory>"
MAX_FILE_BYTES = 256 * 1024 * 1024


class IndexLocator:
    """The places of a document recorded as it was read: every value's and key's."""

    def __init__(self, path: str, values: dict[Where, tuple[int, int]], keys: dict[Where, tuple[int, int]]) -> None:
        self.path = path
        self.values = values
        self.keys = keys

    def at(self, where: Where) -> tuple[int, int]:
        """The line and column of the value at `where`, or of its nearest located parent."""
        for size in range(len(where), -1, -1):
            spot = self.values.get(where[:size])
            if spot is not None:
                return spot
        return (1, 1)

    def key_at(self, where: Where) -> tuple[int, int]:
        return self.keys.get(where) or self.at(where)

    def locate(self, wanted: Collection[tuple[Where, bool]]) -> dict[tuple[Where, bool], Location]:
        return {
            (where, key): Location(self.path, *(self.key_at(where) if key else self.at(where)))
            for where, key in wanted
        }


class TextLocator(IndexLocator):
    """The places of a document read without them: found when asked for, by reading its text
    again (every place asked for at once in one reading), and remembered.

    Reading a fact file of tens of megabytes while recording where each of its millions of
    values was written takes gigabytes; a file is read that way only where a problem (or a
    caller) asks where something is. The places known without a second reading (recorded
    cheaply by the first one) are given as `values`.
    """

    def __init__(self, path: str, text: str, number: int, values: dict[Where, tuple[int, int]]) -> None:
        super().__init__(path, values, {})
        self.text = text
        self.number = number  # the document's position in its file (YAML has several)
        self.searched: set[Where] = set()

    def _search(self, wheres: Iterable[Where]) -> None:
        wanted = {where[:size] for where in wheres for size in range(len(where) + 1)}
        missing = wanted - self.searched
        if not missing:
            return
        values, keys = self._find(wanted)  # a place is found through its parents
        for where, spot in values.items():
            self.values.setdefault(where, spot)
        for where, spot in keys.items():
            self.keys.setdefault(where, spot)
        self.searched |= missing

    def _find(self, wanted: set[Where]) -> tuple[dict[Where, tuple[int, int]], dict[Where, tuple[int, int]]]:
        return find_places(self.text, self.number, wanted)

    def at(self, where: Where) -> tuple[int, int]:
        if where not in self.values:
            self._search([where])
        return super().at(where)

    def key_at(self, where: Where) -> tuple[int, int]:
        if where not in self.keys:
            self._search([where])
        return super().key_at(where)

    def locate(self, wanted: Collection[tuple[Where, bool]]) -> dict[tuple[Where, bool], Location]:
        # Every place already found (a region's fact sets, located together once, then each
        # asked for again as it is read): each is the spot recorded under it, as `at` and
        # `key_at` give it, without a search or a walk up its parents.
        values, keys, path = self.values, self.keys, self.path
        found: dict[tuple[Where, bool], Location] = {}
        for where, key in wanted:
            spot = (keys if key else values).get(where)
            if spot is None:
                break
            found[(where, key)] = Location(path, *spot)
        else:
            return found
        self._search(where for where, key in wanted if (key and where not in self.keys) or where not in self.values)
        return super().locate(wanted)


class JsonTextLocator(TextLocator):
    """A JSON document's places, found when asked for as `TextLocator` finds them, by a walk
    of the JSON text at the json module's speed (`find_json_places`) where it can follow it."""

    def _find(self, wanted: set[Where]) -> tuple[dict[Where, tuple[int, int]], dict[Where, tuple[int, int]]]:
        return find_json_places(self.text, wanted) or super()._find(wanted)


class MemoryLocator:
    """Data handed over in memory: no lines, so a place is the path inside the data."""

    def __init__(self, name: str) -> None:
        self.path = name

    def location(self, where: Where) -> Location:
        inner = path_text(where)
        return Location(f"{self.path}: {inner}" if inner else self.path, 0, 0)

    def locate(self, wanted: Collection[tuple[Where, bool]]) -> dict[tuple[Where, bool], Location]:
        return {(where, key): self.location(where) for where, key in wanted}


@attrs.frozen
class Document:
    """One YAML or JSON document: plain data, and a locator that tells where each value and
    key was written."""

    path: str
    data: Any
    locator: IndexLocator | MemoryLocator = attrs.field(repr=False)

    def at(self, where: Where) -> tuple[int, int]:
        """The line and column of the value at `where`, or of its nearest located parent."""
        if isinstance(self.locator, MemoryLocator):
            return (1, 1)
        return self.locator.at(where)

    def key_at(self, where: Where) -> tuple[int, int]:
        """The line and column of the key naming `where` (its value when it has no key)."""
        if isinstance(self.locator, MemoryLocator):
            return (1, 1)
        return self.locator.key_at(where)

    def location(self, where: Where) -> Location:
        """Where the value at `where` is, as a problem reports it."""
        return self.locator.locate([(where, False)])[(where, False)]

    def key_location(self, where: Where) -> Location:
        """Where the key naming `where` is (its value when it has no key)."""
        return self.locator.locate([(where, True)])[(where, True)]

    def locations(self, wheres: Iterable[Where]) -> list[Location]:
        """Where each of many values is, found together."""
        listed = list(wheres)
        found = self.locator.locate([(where, False) for where in listed])
        return [found[(where, False)] for where in listed]

    def place(self, where: Where, *, key: bool = False) -> Place:
        """The value (or key) at `where`, to be located when needed."""
        return Place(self.locator, where, key)

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
        problems.add_at(self.place(where, key=key), message, hint=hint, warning=warning)


def path_text(where: Where) -> str:
    """`authorities[3].facts.ascof.1a`: a place inside data, as people write it."""
    text = ""
    for key in where:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def memory_document(data: Any, name: str = MEMORY) -> Document:
    """In-memory data as a document, whose places are paths inside the data."""
    return Document(name, data, MemoryLocator(name))


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


def load_documents(
    path: Path, problems: Problems, text: str | None = None, *, lazy: bool = False
) -> list[Document]:
    """Every document of a YAML (or JSON) file; problems are collected, never raised.

    `lazy` reads without recording where each value was written (a fact file may hold
    millions of values): places are found when first asked for, by reading the text again.
    The same checks are made either way, and every place found is the same.
    """
    if text is None:
        text = read_text(path, problems)
        if text is None:
            return []
    shown = display_path(path)
    if path.suffix.lower() == ".json":
        return _load_json(shown, text, problems, lazy=lazy)
    return _load_yaml(shown, text, problems, lazy=lazy)


def _load_yaml(shown: str, text: str, problems: Problems, *, lazy: bool = False) -> list[Document]:
    documents: list[Document] = []
    try:
        if lazy:
            for data, number, spots in EventBuilder(shown, problems).documents(text):
                documents.append(Document(shown, data, TextLocator(shown, text, number, spots)))
            return documents
        for node in yaml.compose_all(text, Loader=LOADER):
            if node is None:
                continue
            builder = NodeBuilder(shown, problems)
            data = builder.build(node, ())
            if builder.rejected:
                continue  # a tag that would construct an object: the document is not used
            documents.append(Document(shown, data, IndexLocator(shown, builder.values, builder.keys)))
    except yaml.MarkedYAMLError as error:
        line, column, message, hint = syntax_cause(text, error)
        problems.add(shown, line, column, f"YAML syntax: {message}", hint=hint)
    except yaml.YAMLError as error:
        problems.add(shown, 1, 1, f"YAML syntax: {error}")
    except TooBig as too_big:
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


def _load_json(shown: str, text: str, problems: Problems, *, lazy: bool = False) -> list[Document]:
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
    if lazy:
        return [Document(shown, data, JsonTextLocator(shown, text, 0, {}))]
    located = Problems()
    yaml_view = _load_yaml(shown, text, located)
    if yaml_view and not located.has_errors:
        return [Document(shown, data, yaml_view[0].locator)]
    return [Document(shown, data, IndexLocator(shown, {(): (1, 1)}, {}))]


def _json_int(shown: str, problems: Problems, text: str) -> Any:
    def parse(digits: str) -> int | None:
        # The length first: no more characters than the limit is no more digits, at C speed.
        if len(digits) <= MAX_INT_DIGITS or sum(char.isdigit() for char in digits) <= MAX_INT_DIGITS:
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
        result: dict[str, Any] = dict(pairs)
        if len(result) == len(pairs):
            return result  # no key given twice: the mapping as written, made at C speed
        result = {}
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
