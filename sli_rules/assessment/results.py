"""Result objects: frozen, comparable, and turned into JSON-ready data by the one converter."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from ..facts import latest_named

T = TypeVar("T")


class Deferred(Generic[T]):
    """A value made when first read, then kept: the prose of a result (a flag's message and
    evidence, a gap's reasons, a verdict's reasons). Nothing is decided on it, so a program
    that only wants the verdicts never pays for the words; a report that reads them gets
    exactly what an eager result would hold. Compares, prints and pickles as its value."""

    __slots__ = ("_pending", "_value")

    def __init__(self, make: Callable[..., T], *args: Any) -> None:
        # A function and its arguments rather than a closure: fewer objects for each of the
        # many results a large region makes. Kept as one attribute, read in one step, so that
        # a thread never sees the function without its arguments.
        self._pending: tuple[Callable[..., T], tuple[Any, ...]] | None = (make, args)
        self._value: T | None = None

    def get(self) -> T:
        pending = self._pending
        if pending is not None:
            # Another thread may make it too: the same value, so either result is kept. The
            # value is set before the work is let go, so no thread reads it unset.
            make, args = pending
            self._value = make(*args)
            self._pending = None  # the function and what it reads (the record) are let go
        return self._value  # type: ignore[return-value]

    @property
    def is_made(self) -> bool:
        """Whether the value has been made (read at least once)."""
        return self._pending is None

    def __eq__(self, other: object) -> bool:
        return self.get() == (other.get() if isinstance(other, Deferred) else other)

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return repr(self.get())

    def __reduce__(self) -> tuple[Callable[[T], T], tuple[T]]:
        return (_made, (self.get(),))


class Part(Deferred[T]):
    """One item of a deferred tuple, made when the whole is: an assessment's flags and its
    gaps, made together from one record."""

    __slots__ = ("_position", "_whole")

    def __init__(self, whole: Deferred[Any], position: int) -> None:
        self._whole = whole
        self._position = position

    def get(self) -> T:
        return self._whole.get()[self._position]  # type: ignore[no-any-return]

    @property
    def is_made(self) -> bool:
        return self._whole.is_made


def _made(value: T) -> T:
    return value


def made(value: T | Deferred[T]) -> T:
    """The value itself, made now if it was deferred."""
    return value.get() if isinstance(value, Deferred) else value


@attrs.frozen
class Evidence:
    """One test of a trigger: what was compared with what, and the outcome."""

    text: str
    outcome: str  # "true", "false" or "unknown"


@attrs.frozen
class Judged:
    """Concern triggers judged (flagged or cleared) out of how many."""

    judged: int
    total: int

    @property
    def share(self) -> float:
        return self.judged / self.total if self.total else 0.0


@attrs.frozen
class Coverage:
    """How much of the evidence the verdict saw: concern triggers judged, overall and by
    heading. A verdict on little evidence says so."""

    judged: int
    total: int
    headings: dict[str, Judged]

    @property
    def share(self) -> float:
        return self.judged / self.total if self.total else 0.0


@attrs.frozen
class Flag:
    """A trigger that held for an authority: a concern or an area of excellence."""

    trigger: str
    heading: str
    signal: str
    counted: bool
    title: str
    _says: str | Deferred[str] = attrs.field(alias="says")
    sources: tuple[str, ...]
    values: dict[str, Any]
    area: str | None = None
    notes: dict[str, str] = attrs.Factory(dict)
    provenance: dict[str, str] = attrs.Factory(dict)  # the fact set's own sources, by fact
    _evidence: tuple[Evidence, ...] | Deferred[tuple[Evidence, ...]] = attrs.field(default=(), alias="evidence")
    entry: str | None = None  # the piece of evidence (Table 2 entry) it reads
    basis: str | None = None  # seed, interpretation or illustrative
    view: str | None = None  # the authority's own view in its self-assessment, where given
    view_comment: str | None = None
    last_year: bool | None = None  # also flagged the year before (None: last year not known)
    # The catalogue's note on a measure in the year assessed (the publisher's warning: a
    # voluntary survey, a change of method), by fact: read beside the value it qualifies.
    year_notes: dict[str, str] = attrs.Factory(dict)

    @property
    def says(self) -> str:
        """The trigger's message for people, with this authority's values."""
        return made(self._says)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Each test of the trigger: what was compared with what, and the outcome."""
        return made(self._evidence)


@attrs.frozen
class Gap:
    """A trigger that could not be judged for want of data."""

    trigger: str
    heading: str
    title: str
    _missing: tuple[str, ...] | Deferred[tuple[str, ...]] = attrs.field(alias="missing")
    _why: tuple[str, ...] | Deferred[tuple[str, ...]] = attrs.field(default=(), alias="why")
    # The tests that could be decided, with their values.
    _known: tuple[str, ...] | Deferred[tuple[str, ...]] = attrs.field(default=(), alias="known")
    entry: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The facts whose absence left the trigger unjudged."""
        return made(self._missing)

    @property
    def why(self) -> tuple[str, ...]:
        return made(self._why)

    @property
    def known(self) -> tuple[str, ...]:
        return made(self._known)


@attrs.frozen
class SupportOption:
    option: str
    title: str
    via: str | None = None
    suits: tuple[str, ...] = ()  # the authority's concern headings and areas it suits


@attrs.frozen
class Peer:
    """An authority with excellence where this one has a concern: a possible helper."""

    authority: str
    code: str | None
    area: str
    trigger: str  # its excellence trigger
    answers: str | None = None  # the concern (trigger) it could help with


@attrs.frozen
class Caveat:
    """What a reader must know before relying on a verdict (e.g. `ascof-alone`)."""

    id: str
    text: str


@attrs.frozen
class AuthorityAssessment:
    """One authority's assessment for one year: flags, gaps, verdict, tier and support."""

    authority: str
    code: str | None
    year: str
    level: str
    level_title: str
    tier: str
    tier_title: str
    status: str
    # Made when first read by an assessment from the engine (what decided each trigger, the
    # values, the words): a program that wants only the verdicts never pays for them.
    _flags: tuple[Flag, ...] | Deferred[tuple[Flag, ...]] = attrs.field(alias="flags")
    _gaps: tuple[Gap, ...] | Deferred[tuple[Gap, ...]] = attrs.field(alias="gaps")
    support: tuple[SupportOption, ...]
    _reasons: tuple[str, ...] | Deferred[tuple[str, ...]] = attrs.field(alias="reasons")
    peers: tuple[Peer, ...] = ()
    tier_note: str | None = None
    coverage: Coverage | None = None
    caveats: tuple[Caveat, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why this verdict: the condition that held, the evidence seen, the flags behind it."""
        return made(self._reasons)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The triggers that held: concerns (counted or not) and areas of excellence."""
        return made(self._flags)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """The triggers that could not be judged for want of data."""
        return made(self._gaps)

    @property
    def concerns(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.signal == "concern")

    @property
    def excellence(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.signal == "excellence")

    def explain(self) -> str:
        """Why this authority got its verdict, in plain English, with values and sources."""
        from ..report import explain_text

        return explain_text(self)

    def to_dict(self) -> dict[str, Any]:
        return _output().unstructure(self)  # type: ignore[no-any-return]


@attrs.frozen
class RegionAssessment:
    """The assessment of every authority of a region, in a stable order."""

    rulebook_digest: str
    rulebook_path: str
    assessments: tuple[AuthorityAssessment, ...]
    levels: tuple[tuple[str, str], ...] = ()  # (id, title), most serious first
    tiers: tuple[tuple[str, str], ...] = ()
    headings: dict[str, str] = attrs.Factory(dict)
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.assessments)

    def __iter__(self) -> Iterator[AuthorityAssessment]:
        return iter(self.assessments)

    def __getitem__(self, name_or_code: str) -> AuthorityAssessment:
        """An authority's assessment by name or ONS code (the latest year when several)."""
        found = latest_named(self.assessments, name_or_code)
        if found is None:
            raise KeyError(f"no authority {name_or_code!r} in this assessment")
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, as in the documented contract."""
        output = _output()
        return {
            "rulebook": {"digest": self.rulebook_digest, "path": self.rulebook_path},
            "assessments": [output.unstructure(item) for item in self.assessments],
            "summary": self.summary(),
        }

    def summary(self) -> dict[str, Any]:
        summary = Summary(self.levels, self.tiers)
        for item in self.assessments:
            summary.add(item)
        return summary.as_dict()


class Summary:
    """A region's summary, added to one assessment at a time (so a stream can end with it)."""

    def __init__(self, levels: tuple[tuple[str, str], ...], tiers: tuple[tuple[str, str], ...]) -> None:
        self.authorities = 0
        self.by_level = {level: 0 for level, _ in levels}
        self.by_tier = {tier: 0 for tier, _ in tiers}
        self.excellence: set[str] = set()
        self.gaps = 0

    def add(self, item: AuthorityAssessment) -> None:
        self.count(item.authority, item.level, item.tier, bool(item.excellence), len(item.gaps))

    def count(self, authority: str, level: str, tier: str, excellence: bool, gaps: int) -> None:
        """One assessment, told by what the summary counts of it."""
        self.authorities += 1
        self.by_level[level] = self.by_level.get(level, 0) + 1
        self.by_tier[tier] = self.by_tier.get(tier, 0) + 1
        if excellence:
            self.excellence.add(authority)
        self.gaps += gaps

    def as_dict(self) -> dict[str, Any]:
        return {
            "authorities": self.authorities,
            "levels": dict(self.by_level),
            "tiers": dict(self.by_tier),
            "excellence": sorted(self.excellence),
            "gaps": self.gaps,
        }


@functools.cache
def _output() -> cattrs.Converter:
    """Results as JSON-ready data: every field under its public name, deferred prose made."""
    converter = cattrs.Converter()

    def words(value: Any) -> Any:
        return converter.unstructure(made(value))

    for cls in (Flag, Gap, AuthorityAssessment):
        deferred: dict[str, Any] = {
            field.name: override(unstruct_hook=words)
            for field in attrs.fields(cls)
            if field.name != field.alias
        }
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, _cattrs_use_alias=True, **deferred)
        )
    return converter
