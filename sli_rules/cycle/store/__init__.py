"""The SLI cycle on record: a store of runs and of every act on their verdicts.

    store = sli_rules.Store("sli.db")        # or a SQLAlchemy URL
    run = store.record(result)
    store.finalise("Halton", "2013-14", by="Assessor", reason="...")

The store needs the `store` extra (SQLAlchemy, Alembic, SciPy); `Store` is imported only when
first used, so that the rest of the package works without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import StoreError, require_store_extra
from .records import Event, History, Match, MatchPlan, Need, Offer, Run, Source, Verdict, YearRecord

if TYPE_CHECKING:
    from .api import Store

__all__ = [
    "Event",
    "History",
    "Match",
    "MatchPlan",
    "Need",
    "Offer",
    "Run",
    "Source",
    "Store",
    "StoreError",
    "Verdict",
    "YearRecord",
    "require_store_extra",
]


def __getattr__(name: str) -> Any:
    if name == "Store":
        require_store_extra()
        from .api import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
