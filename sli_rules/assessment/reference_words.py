"""A reference of a test (a region statistic, last year, England's figure...) as a reason
names it, in the explainer's words."""

from __future__ import annotations

from typing import assert_never

from ..rules.model import (
    ComparatorsRef,
    CouncilTypeRef,
    FactRef,
    NationalRef,
    PreviousRef,
    PublishedRegionRef,
    Reference,
    RegionRef,
    StatRef,
)
from ..words import show

# The statistics' scopes as a reason names them.
STAT_SCOPES: dict[type[StatRef], str] = {
    RegionRef: "region", ComparatorsRef: "comparators", CouncilTypeRef: "council type",
}


def ref_words(ref: Reference) -> str:
    match ref:
        case RegionRef():
            text = f"the region {ref.stat}"
        case ComparatorsRef():
            text = f"the comparators' {ref.stat}"
        case CouncilTypeRef():
            text = f"the council type {ref.stat}"
        case PreviousRef():
            text = "the previous year"
        case NationalRef():
            text = "the national figure"
        case PublishedRegionRef():
            text = "the published region figure"
        case FactRef():
            text = ref.fact
        case _:
            assert_never(ref)
    if ref.times != 1.0:
        text += f" × {show(ref.times)}"
    if ref.plus != 0.0:
        text += f" {'+' if ref.plus > 0 else '−'} {show(abs(ref.plus))}"
    return text.replace("_", " ") if not isinstance(ref, FactRef) else text
