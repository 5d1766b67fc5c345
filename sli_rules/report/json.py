"""JSON: the documented contract, exactly as `to_dict()` gives it (deterministic, byte for byte)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..results import RegionAssessment


def render_json(result: RegionAssessment) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
