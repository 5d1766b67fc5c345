"""JSON: the documented contract, exactly as `to_dict()` gives it (deterministic, byte for byte).

`json_chunks` writes the same text piece by piece from a stream of assessments
(`Engine.assess_iter`), so that a region of any size is written without being held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .common import Stream

if TYPE_CHECKING:
    from ..assessment.results import AuthorityAssessment, RegionAssessment


def render_json(result: RegionAssessment) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def json_chunks(stream: Stream, items: Iterable[AuthorityAssessment] | None = None) -> Iterator[str]:
    """The text `render_json` gives for the same region, one assessment at a time (`items`:
    the stream's assessments as the caller passes them on, by default the stream itself)."""
    rulebook = {"digest": stream.rulebook_digest, "path": stream.rulebook_path}
    yield '{\n  "rulebook": ' + _nested(rulebook, 1) + ',\n  "assessments": ['
    empty = True
    for item in stream if items is None else items:
        yield ("\n" if empty else ",\n") + "    " + _nested(item.to_dict(), 2)
        empty = False
    yield ("]" if empty else "\n  ]") + ',\n  "summary": ' + _nested(stream.summary(), 1) + "\n}\n"


def _nested(value: Any, level: int) -> str:
    """`value` as json.dumps(indent=2) writes it `level` levels deep (its first line unindented)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
