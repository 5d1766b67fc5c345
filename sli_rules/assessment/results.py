"""Result objects: frozen data, comparable, and turned into JSON-ready data by one converter.

A result holds what was decided. Its words (a flag's message and evidence, a gap's reasons,
a verdict's reasons) are written by the stages that own them (`explain`, `judge`) and the
report layer; nothing here imports or names them. An assessment's flags, gaps and reasons may
be handed over still to be written (`Later`): the stage that decided them passes an object
that writes them when first read, so that a program wanting only the verdicts never pays for
the words. `AuthorityAssessment.explain` is the report layer's `explain_text`, registered by
the package (`explain_with`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from ..facts import latest_named

_PROGRESS_EVERY = 50  # assessments between two reports of progress

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Later(Protocol[T_co]):
    """A part of a result still to be written: `get()` writes it the first time and keeps it.
    It must compare, hash and pickle as the value it gives (an assessment handed over with its
    flags still to be written equals one written at once)."""

    def get(self) -> T_co: ...


def written(value: tuple[T, ...] | Later[tuple[T, ...]]) -> tuple[T, ...]:
    """The value itself, written now if it was handed over still to be written (a sequence
    given whole, a tuple or a list, is the value)."""
    return value if isinstance(value, (tuple, list)) else value.get()


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
    says: str  # the trigger's message for people, with this authority's values
    sources: tuple[str, ...]
    values: dict[str, Any]
    area: str | None = None
    notes: dict[str, str] = attrs.Factory(dict)
    provenance: dict[str, str] = attrs.Factory(dict)  # the fact set's own sources, by fact
    evidence: tuple[Evidence, ...] = ()  # each test of the trigger: what was compared, the outcome
    entry: str | None = None  # the piece of evidence (Table 2 entry) it reads
    basis: str | None = None  # seed, interpretation or illustrative
    view: str | None = None  # the authority's own view in its self-assessment, where given
    view_comment: str | None = None
    last_year: bool | None = None  # also flagged the year before (None: last year not known)
    # The catalogue's note on a measure in the year assessed (the publisher's warning: a
    # voluntary survey, a change of method), by fact: read beside the value it qualifies.
    year_notes: dict[str, str] = attrs.Factory(dict)


@attrs.frozen
class Gap:
    """A trigger that could not be judged for want of data."""

    trigger: str
    heading: str
    title: str
    missing: tuple[str, ...]  # the facts whose absence left the trigger unjudged
    why: tuple[str, ...] = ()
    known: tuple[str, ...] = ()  # the tests that could be decided, with their values
    entry: str | None = None


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
class SupportGiven:
    """Support recorded for an authority: a menu option, who gave it, the days, how it stands."""

    option: str
    provider: str | None = None
    days: int | None = None
    status: str | None = None
    outcome: str | None = None


@attrs.frozen
class LastYear:
    """What an assessment remembers of the year before, from the store: the final view where
    one was taken (its level, tier and the concerns it confirmed), else the provisional verdict
    (`status` says which); the Board's decision, declined or not, and the support given."""

    year: str
    status: str  # final | provisional
    level: str
    tier: str
    concerns: tuple[str, ...]
    decision: str | None = None  # the tier the Board decided, where it decided
    declined: bool = False  # the authority declined the Board's decision (MoU 2.1i)
    support: tuple[SupportGiven, ...] = ()


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
    # Handed over by `Engine.assess` still to be written (`Later`: what decided each trigger,
    # the values, the words): a program that wants only the verdicts never pays for them.
    _flags: tuple[Flag, ...] | Later[tuple[Flag, ...]] = attrs.field(alias="flags")
    _gaps: tuple[Gap, ...] | Later[tuple[Gap, ...]] = attrs.field(alias="gaps")
    support: tuple[SupportOption, ...]
    _reasons: tuple[str, ...] | Later[tuple[str, ...]] = attrs.field(alias="reasons")
    peers: tuple[Peer, ...] = ()
    tier_note: str | None = None
    coverage: Coverage | None = None
    caveats: tuple[Caveat, ...] = ()
    last_year: LastYear | None = None  # the year before as it stands on record, where known

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why this verdict: the condition that held, the evidence seen, the flags behind it."""
        return written(self._reasons)

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The triggers that held: concerns (counted or not) and areas of excellence."""
        return written(self._flags)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """The triggers that could not be judged for want of data."""
        return written(self._gaps)

    @property
    def concerns(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.signal == "concern")

    @property
    def excellence(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.signal == "excellence")

    def explain(self) -> str:
        """Why this authority got its verdict, in plain English, with values and sources: the
        report layer's `explain_text` (registered by the package with `explain_with`)."""
        if not _EXPLAIN:
            raise RuntimeError("no explanation is registered: import sli_rules")
        return _EXPLAIN[0](self)

    def to_dict(self) -> dict[str, Any]:
        return _assessment_data(self)


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

    def to_dict(self, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """JSON-ready data, as in the documented contract. `progress` is called with (done,
        total) as the assessments are turned into data, where their words are written: the
        long part of recording a region."""
        total = len(self.assessments)
        assessments = []
        for done, item in enumerate(self.assessments, start=1):
            assessments.append(_assessment_data(item))
            if progress is not None and (done == total or done % _PROGRESS_EVERY == 0):
                progress(done, total)
        return {
            "rulebook": {"digest": self.rulebook_digest, "path": self.rulebook_path},
            "assessments": assessments,
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


_EXPLAIN: list[Callable[[AuthorityAssessment], str]] = []


def explain_with(explain: Callable[[AuthorityAssessment], str]) -> None:
    """Register what `AuthorityAssessment.explain` returns: the report layer's `explain_text`,
    registered by the package when it is imported (results import nothing above them)."""
    _EXPLAIN[:] = [explain]


# Results as JSON-ready data, every field under its public name, in the order declared, as
# cattrs would make them (tuples as lists, mappings copied), written out by hand: a large
# region's JSON is mostly this, and a generic converter spends more on dispatch than on data.
# A test holds these to cattrs' own output for every class (tests/test_results_data.py).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _value(value: Any) -> Any:
    """A value a fact set gave (a number, text, a truth value), as JSON-ready data."""
    return value if type(value) in _PLAIN else _converter().unstructure(value)


def _flag_data(flag: Flag) -> dict[str, Any]:
    return {
        "trigger": flag.trigger,
        "heading": flag.heading,
        "signal": flag.signal,
        "counted": flag.counted,
        "title": flag.title,
        "says": flag.says,
        "sources": list(flag.sources),
        "values": {fact: _value(value) for fact, value in flag.values.items()},
        "area": flag.area,
        "notes": dict(flag.notes),
        "provenance": dict(flag.provenance),
        "evidence": [{"text": item.text, "outcome": item.outcome} for item in flag.evidence],
        "entry": flag.entry,
        "basis": flag.basis,
        "view": flag.view,
        "view_comment": flag.view_comment,
        "last_year": flag.last_year,
        "year_notes": dict(flag.year_notes),
    }


def gap_data(gap: Gap) -> dict[str, Any]:
    """A gap as JSON-ready data (as in `AuthorityAssessment.to_dict`)."""
    return {
        "trigger": gap.trigger,
        "heading": gap.heading,
        "title": gap.title,
        "missing": list(gap.missing),
        "why": list(gap.why),
        "known": list(gap.known),
        "entry": gap.entry,
    }


def coverage_data(coverage: Coverage | None) -> dict[str, Any] | None:
    if coverage is None:
        return None
    return {
        "judged": coverage.judged,
        "total": coverage.total,
        "headings": {
            heading: {"judged": found.judged, "total": found.total} for heading, found in coverage.headings.items()
        },
    }


def shared_gaps_data(item: AuthorityAssessment) -> dict[str, Any]:
    """`item.to_dict()`, but with each gap left as the `Gap` itself (frozen, and often the
    same object for many authorities: see `Explainer.gap`), the support options as the tuple
    of `SupportOption`s and the coverage as the `Coverage` (a region's authorities share a
    few of each), for a writer that writes each distinct one's text once (`report.json`);
    `support_data` and `coverage_data` give their data."""
    data = _assessment_data(item, list, shared=True)
    data["support"] = item.support
    data["coverage"] = item.coverage
    return data


def support_data(support: tuple[SupportOption, ...]) -> list[dict[str, Any]]:
    """The support options as `to_dict()` gives them."""
    return [
        {"option": option.option, "title": option.title, "via": option.via, "suits": list(option.suits)}
        for option in support
    ]


def _assessment_data(
    item: AuthorityAssessment, gaps: Callable[[tuple[Gap, ...]], list[Any]] | None = None, *, shared: bool = False
) -> dict[str, Any]:
    return {
        "authority": item.authority,
        "code": item.code,
        "year": item.year,
        "level": item.level,
        "level_title": item.level_title,
        "tier": item.tier,
        "tier_title": item.tier_title,
        "status": item.status,
        "flags": [_flag_data(flag) for flag in item.flags],
        "gaps": [gap_data(gap) for gap in item.gaps] if gaps is None else gaps(item.gaps),
        "support": None if shared else support_data(item.support),  # (set by `shared_gaps_data`)
        "reasons": list(item.reasons),
        "peers": [
            {"authority": peer.authority, "code": peer.code, "area": peer.area, "trigger": peer.trigger,
             "answers": peer.answers}
            for peer in item.peers
        ],
        "tier_note": item.tier_note,
        "coverage": None if shared else coverage_data(item.coverage),
        "caveats": [{"id": caveat.id, "text": caveat.text} for caveat in item.caveats],
        # Only an assessment that read the store has it: other output stays as it was.
        **({"last_year": _last_year_data(item.last_year)} if item.last_year is not None else {}),
    }


def _last_year_data(last: LastYear) -> dict[str, Any]:
    return {
        "year": last.year,
        "status": last.status,
        "level": last.level,
        "tier": last.tier,
        "concerns": list(last.concerns),
        "decision": last.decision,
        "declined": last.declined,
        "support": [
            {"option": given.option, "provider": given.provider, "days": given.days, "status": given.status,
             "outcome": given.outcome}
            for given in last.support
        ],
    }


@functools.cache
def _converter() -> cattrs.Converter:
    """The generic converter, for a fact's value of a kind other than a number, text or a
    truth value, and the reference the hand-written converters are tested against."""
    converter = cattrs.Converter()

    def words(value: Any) -> Any:
        return converter.unstructure(written(value))

    deferred: dict[str, Any] = {
        field.name: override(rename=field.alias, unstruct_hook=words)
        for field in attrs.fields(AuthorityAssessment)
        if field.name != field.alias
    }
    # Only an assessment that read the store has it: other output stays as it was.
    deferred["last_year"] = override(omit_if_default=True)
    converter.register_unstructure_hook(
        AuthorityAssessment, make_dict_unstructure_fn(AuthorityAssessment, converter, **deferred)
    )
    return converter
