"""The store's one error: a reason in one line, raised before anything is written."""

from __future__ import annotations

from ...errors import Problem, SliRulesError

STORE_HINT = "pip install 'sli-rules[store]'"
POSTGRES_HINT = "pip install 'sli-rules[postgres]'"


class StoreError(SliRulesError):
    """An act the store refuses (an unknown authority, year, level, tier or option, an
    override without a reason, a store too new), or a store it cannot open."""

    def __init__(self, message: str, *, where: str = "store") -> None:
        self.reason = message
        super().__init__([Problem(where, 1, 1, message)])

    def __str__(self) -> str:
        return self.reason


def require_store_extra() -> None:
    """Raise StoreError naming the extra to install when SQLAlchemy or Alembic is missing."""
    try:
        import alembic  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as error:
        raise StoreError(
            f"the store needs SQLAlchemy and Alembic ({error.name} is not installed): {STORE_HINT}"
        ) from None
