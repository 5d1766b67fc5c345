"""The one cattrs converter: strict structuring of rule documents, unstructuring of results.

Structuring is strict on purpose: cattrs would turn 5 into "5" or "yes" into True, and an
analyst's typo must be an error with a place, never a silent conversion.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from ..errors import did_you_mean
from .source import Where
from .specs import AliasSpec


def type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _expected(kind: str) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        ok = {
            "text": isinstance(value, str),
            "a number": isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value),
            "a whole number": isinstance(value, int) and not isinstance(value, bool),
            "true or false": isinstance(value, bool),
        }[kind]
        if not ok:
            raise TypeError(f"expected {kind}, got {type_name(value)}")
        return value

    return hook


def _list_hook(converter: cattrs.Converter) -> Callable[[type], Callable[[Any, Any], Any]]:
    def factory(list_type: type) -> Callable[[Any, Any], Any]:
        (item_type,) = get_args(list_type) or (Any,)
        item_hook = converter.get_structure_hook(item_type)

        def hook(value: Any, _: Any) -> Any:
            if not isinstance(value, list):
                raise TypeError(f"expected a list, got {type_name(value)}")
            errors = []
            items = []
            for index, item in enumerate(value):
                try:
                    items.append(item_hook(item, item_type))
                except Exception as error:
                    error.__notes__ = [*getattr(error, "__notes__", []), _Index(index)]
                    errors.append(error)
            if errors:
                raise IterableValidationError("invalid list", errors, list_type)
            return items

        return hook

    return factory


class _Index(str):
    """A note naming the position of a failed list item (cattrs' own list hook is replaced)."""

    position: int

    def __new__(cls, position: int) -> _Index:
        made = super().__new__(cls, f"index {position}")
        made.position = position
        return made


def _mapping_first(converter: cattrs.Converter) -> Callable[[type], Callable[[Any, Any], Any]]:
    def factory(cls: type) -> Callable[[Any, Any], Any]:
        base: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True)

        def hook(value: Any, _: Any) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"expected a mapping, got {type_name(value)}")
            return base(value, cls)

        return hook

    return factory


def _alias(value: Any, _: Any) -> str | AliasSpec:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return converter.structure(value, AliasSpec)
    raise TypeError(f"expected an id or a mapping with id, since and until, got {type_name(value)}")


def _dict_hook(value: Any, _: Any) -> Any:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping, got {type_name(value)}")
    return value


def make_converter() -> cattrs.Converter:
    made = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    made.register_structure_hook(str, _expected("text"))
    made.register_structure_hook(float, _expected("a number"))
    made.register_structure_hook(int, _expected("a whole number"))
    made.register_structure_hook(bool, _expected("true or false"))
    made.register_structure_hook(Any, lambda value, _: value)
    made.register_structure_hook_func(lambda t: get_origin(t) is dict, _dict_hook)  # type: ignore[comparison-overlap]
    made.register_structure_hook(Union[str, AliasSpec], _alias)  # noqa: UP007
    made.register_structure_hook_factory(attrs.has, _mapping_first(made))
    made.register_structure_hook_factory(lambda t: get_origin(t) is list, _list_hook(made))  # type: ignore[comparison-overlap]
    return made


converter = make_converter()


@attrs.frozen
class StructureProblem:
    where: Where
    message: str
    at_key: bool = False
    hint: str | None = None


def structure(data: Any, cls: type[Any]) -> tuple[Any, list[StructureProblem]]:
    """`data` as an instance of `cls`, or None with every problem at its path."""
    try:
        return converter.structure(data, cls), []
    except Exception as error:
        found: list[StructureProblem] = []
        _walk(error, (), cls, found)
        return None, found


def _fields(cls: Any) -> list[str]:
    return [field.name for field in attrs.fields(cls)] if attrs.has(cls) else []


def _walk(error: BaseException, where: Where, cls: Any, found: list[StructureProblem]) -> None:
    if isinstance(error, ClassValidationError):
        for sub in error.exceptions:
            notes = [n for n in getattr(sub, "__notes__", []) if hasattr(n, "name")]
            if notes:
                name = notes[-1].name
                field_type = attrs.fields_dict(error.cl)[name].type if attrs.has(error.cl) else None
                if isinstance(sub, KeyError):
                    found.append(StructureProblem(where, f"missing required key '{name}'"))
                else:
                    _walk(sub, (*where, name), _attrs_class(field_type), found)
            else:
                _walk(sub, where, error.cl, found)
        return
    if isinstance(error, IterableValidationError):
        for sub in error.exceptions:
            positions = [n.position for n in getattr(sub, "__notes__", []) if isinstance(n, _Index)]
            inner = (*where, positions[-1]) if positions else where
            _walk(sub, inner, cls, found)
        return
    if isinstance(error, ForbiddenExtraKeysError):
        known = _fields(error.cl)
        for key in sorted(error.extra_fields):
            found.append(
                StructureProblem(
                    (*where, key),
                    f"unknown key '{key}'",
                    at_key=True,
                    hint=did_you_mean(key, known) or f"allowed keys: {', '.join(known)}",
                )
            )
        return
    found.append(StructureProblem(where, str(error) or type(error).__name__))


def _attrs_class(field_type: Any) -> Any:
    """The attrs class inside a field type such as `list[TriggerSpec]`, for key hints."""
    if isinstance(field_type, str):
        return None
    if attrs.has(field_type):
        return field_type
    for arg in get_args(field_type):
        found = _attrs_class(arg)
        if found is not None:
            return found
    return None
