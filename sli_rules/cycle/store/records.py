"""What the store gives back: frozen records of runs, acts, verdicts as they stand, and the
matching plan. Each turns into JSON-ready data with `to_dict()`."""

from __future__ import annotations

from typing import Any

import attrs

from .kinds import EVENT_KINDS as DECLARED_KINDS
from .kinds import SUPPORT_STATUSES as SUPPORT_STATUSES  # noqa: PLC0414 (read from here by the store)

EVENT_KINDS = tuple(DECLARED_KINDS)  # declared once, in kinds.py


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return {field.name: _plain(getattr(value, field.name)) for field in attrs.fields(type(value))}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class _Plain:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: every field, nested records as objects."""
        return _plain(self)  # type: ignore[no-any-return]


@attrs.frozen
class Source:
    """A file a run read, with its SHA-256, so that the run can be reproduced."""

    path: str
    sha256: str


@attrs.frozen
class Event(_Plain):
    """One act on the record: who did what, on which date, why, and on which run."""

    id: int
    kind: str
    authority: str
    code: str | None
    year: str
    by: str
    on: str  # the date of the act
    at: str  # when it was written into the store
    run: int | None
    note: str | None
    data: dict[str, Any]


@attrs.frozen
class Run(_Plain):
    """A recorded assessment: the whole result and what made it."""

    id: int
    recorded_at: str
    recorded_by: str
    rulebook_digest: str
    rulebook_path: str
    package_version: str
    sources: tuple[Source, ...]
    years: tuple[str, ...]
    authorities: int


@attrs.frozen
class Verdict(_Plain):
    """An authority's verdict for a year on one run, as it stands after every act on it.

    `status` is `provisional` until a final view is taken (`final`); `overridden` says the
    final view differs from the provisional one. `provisional` holds the run's own result
    for the authority (flags, gaps, reasons), as recorded.
    """

    authority: str
    code: str | None
    year: str
    run: int
    latest: bool  # the latest run for this authority and year
    status: str
    level: str
    tier: str
    provisional_level: str
    provisional_tier: str
    overridden: bool
    discussions: tuple[Event, ...]
    final: Event | None
    finals: tuple[Event, ...]  # every final view taken on this run, the last in force
    decision: Event | None
    decisions: tuple[Event, ...]
    support: tuple[Event, ...]
    flags: tuple[str, ...]  # counted concern triggers
    provisional: dict[str, Any] = attrs.field(repr=False)
    # The concerns as they stand: those the final view confirmed, else the counted ones.
    concerns: tuple[str, ...] = ()
    supersedes: Event | None = None  # why this run replaced a final view or decision on an earlier one
    superseded_by: Event | None = None  # the later run's `supersede` event, when this run's acts were

    @property
    def declined(self) -> bool:
        """The Board's decision in force was declined by the authority (MoU 2.1i)."""
        return self.decision is not None and not self.decision.data["accepted"]

    @property
    def decided_tier(self) -> str:
        """The tier support is given under: the Board's decision, else the verdict's tier."""
        return str(self.decision.data["tier"]) if self.decision is not None else self.tier


@attrs.frozen
class YearRecord(_Plain):
    """One year of an authority's record: a verdict per run, and the acts on no run."""

    year: str
    verdicts: tuple[Verdict, ...]  # one per run, oldest first
    self_assessments: tuple[Event, ...]
    offers: tuple[Event, ...]
    challenges: tuple[Event, ...] = ()  # support this authority gave beyond the menu's days cap
    thematic_reviews: tuple[Event, ...] = ()  # every form recorded, a superseding one naming the one before


@attrs.frozen
class History(_Plain):
    """Everything on record for one authority, year by year."""

    authority: str
    code: str | None
    years: tuple[YearRecord, ...]


@attrs.frozen
class Need(_Plain):
    """A counted concern of an authority, in an area where an offer may answer it."""

    authority: str
    code: str | None
    tier: str
    trigger: str
    heading: str
    area: str


@attrs.frozen
class Offer(_Plain):
    """An entry of the excellence directory: time an authority gives to others."""

    id: int
    authority: str
    code: str | None
    year: str
    area: str
    option: str
    days: int
    contact: str | None


@attrs.frozen
class Match(_Plain):
    """An offer matched to a need: who gives what to whom, for which concern."""

    offer: int
    provider: str
    provider_code: str | None
    recipient: str
    recipient_code: str | None
    option: str
    area: str
    trigger: str  # the concern it answers
    days: int
    contact: str | None


@attrs.frozen
class MatchPlan(_Plain):
    """The matching of a year: the matches, the needs left unanswered, and the offers that
    could not be used, with why."""

    year: str
    days_each: int
    matches: tuple[Match, ...]
    unanswered: tuple[Need, ...]
    excluded: tuple[tuple[int, str], ...]  # (offer id, reason)
