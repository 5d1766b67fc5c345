"""JSON: the documented contract, exactly as `to_dict()` gives it (deterministic, byte for byte).

`json_chunks` writes the same text piece by piece from a stream of assessments
(`Engine.assess_iter`), so that a region of any size is written without being held whole.

The text is exactly what `json.dumps(value, indent=2, ensure_ascii=False)` writes; it is made
by `_indented`, because the standard library writes indented JSON with its pure-Python encoder
(its C encoder knows no indent), which spends more on dispatch than on data. `_indented`
knows only the kinds `to_dict()` gives (dicts with text keys, lists, tuples, text, whole
numbers, floats, truth values, None) and leaves anything else to `json.dumps`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from ..assessment.results import Coverage, Gap, SupportOption, coverage_data, gap_data, shared_gaps_data, support_data
from .common import Stream

if TYPE_CHECKING:
    from ..assessment.results import AuthorityAssessment, RegionAssessment

_INFINITY = float("inf")
# The text of each gap written lately, by the gap's identity and the indent it was written
# at: a region's gaps are a few hundred objects given again and again (`Explainer.gap`), so
# writing tens of thousands of gaps is joining a few hundred texts. A gap is frozen (its text
# cannot change) and is held with its text, so its identity is not reused while kept.
_GAP_TEXTS: dict[tuple[int, str], tuple[Gap, str]] = {}
_GAP_TEXTS_KEPT = 4096  # bounded, for a host that runs for ever
# The text of each region's support options and coverage written lately, by their value and
# the indent: most authorities of a region share one of a few of each. The key is complete:
# the text is made from the options' fields (option, title, via, suits) or the coverage's
# counts and headings' counts, all of which the key holds by value, and the indent.
_VALUE_TEXTS: dict[tuple[Any, ...], str] = {}
_VALUE_TEXTS_KEPT = 4096  # bounded, for a host that runs for ever


def render_json(result: RegionAssessment) -> str:
    value = {
        "rulebook": {"digest": result.rulebook_digest, "path": result.rulebook_path},
        "assessments": [shared_gaps_data(item) for item in result.assessments],
        "summary": result.summary(),
    }
    return _nested(value, 0) + "\n"


def json_chunks(stream: Stream, items: Iterable[AuthorityAssessment] | None = None) -> Iterator[str]:
    """The text `render_json` gives for the same region, one assessment at a time (`items`:
    the stream's assessments as the caller passes them on, by default the stream itself)."""
    rulebook = {"digest": stream.rulebook_digest, "path": stream.rulebook_path}
    yield '{\n  "rulebook": ' + _nested(rulebook, 1) + ',\n  "assessments": ['
    empty = True
    for item in stream if items is None else items:
        yield ("\n" if empty else ",\n") + "    " + _nested(shared_gaps_data(item), 2)
        empty = False
    yield ("]" if empty else "\n  ]") + ',\n  "summary": ' + _nested(stream.summary(), 1) + "\n}\n"


def _nested(value: Any, level: int) -> str:
    """`value` as json.dumps(indent=2) writes it `level` levels deep (its first line unindented)."""
    parts: list[str] = []
    try:
        _indented(value, "  " * level, parts)
    except _NotPlain:
        return json.dumps(value, indent=2, ensure_ascii=False, default=_gap_default).replace("\n", "\n" + "  " * level)
    return "".join(parts)


def _gap_default(value: Any) -> Any:
    """A gap, support option or coverage left as itself (`shared_gaps_data`) as the data
    `to_dict()` gives for it."""
    if type(value) is Gap:
        return gap_data(value)
    if type(value) is SupportOption:
        return support_data((value,))[0]
    if type(value) is Coverage:
        return coverage_data(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _NotPlain(Exception):
    """A value of a kind `_indented` leaves to `json.dumps`."""


def _indented(value: Any, pad: str, parts: list[str]) -> None:
    """Append to `parts` the text of `value` as json.dumps(indent=2, ensure_ascii=False) writes
    it, each line after the first starting with `pad`."""
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = pad + "  "
        lead = "{\n" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain  # json.dumps turns other keys into text its own way
            parts.append(lead + encode_basestring(key) + ": ")
            lead = ",\n" + inner
            _indented(item, inner, parts)
        parts.append("\n" + pad + "}")
    elif kind is list or kind is tuple:
        if kind is tuple and value and type(value[0]) is SupportOption:  # `shared_gaps_data`
            parts.append(_value_text((value, pad), support_data, value, pad))
            return
        if not value:
            parts.append("[]")
            return
        inner = pad + "  "
        lead = "[\n" + inner
        for item in value:
            parts.append(lead)
            lead = ",\n" + inner
            if type(item) is Gap:  # most of a region's text: written once, kept (`_gap_text`)
                parts.append(_gap_text(item, inner))
            else:
                _indented(item, inner, parts)
        parts.append("\n" + pad + "]")
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        parts.append(_float(value))
    elif kind is Gap:
        parts.append(_gap_text(value, pad))
    elif kind is Coverage:  # `shared_gaps_data`
        key = (value.judged, value.total, tuple(value.headings.items()), pad)
        parts.append(_value_text(key, coverage_data, value, pad))
    else:
        raise _NotPlain


def _gap_text(gap: Gap, pad: str) -> str:
    """A gap's text at an indent, written once and kept (`_GAP_TEXTS`)."""
    key = (id(gap), pad)
    found = _GAP_TEXTS.get(key)
    if found is not None and found[0] is gap:
        return found[1]
    parts: list[str] = []
    _indented(gap_data(gap), pad, parts)
    text = "".join(parts)
    if len(_GAP_TEXTS) >= _GAP_TEXTS_KEPT:
        _GAP_TEXTS.clear()
    _GAP_TEXTS[key] = (gap, text)
    return text


def _value_text(key: tuple[Any, ...], data: Callable[[Any], Any], value: Any, pad: str) -> str:
    """The text of `data(value)` at an indent, written once and kept under `key`, which
    holds all that text is made from (`_VALUE_TEXTS`)."""
    text = _VALUE_TEXTS.get(key)
    if text is None:
        parts: list[str] = []
        _indented(data(value), pad, parts)
        text = "".join(parts)
        if len(_VALUE_TEXTS) >= _VALUE_TEXTS_KEPT:
            _VALUE_TEXTS.clear()
        _VALUE_TEXTS[key] = text
    return text


def _float(value: float) -> str:
    """A float as json.dumps writes it (allow_nan: NaN and the infinities as JavaScript names)."""
    if math.isnan(value):
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)
