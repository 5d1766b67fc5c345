"""The rulebook as frozen attrs objects: measures, triggers with their condition trees,
the verdict policy, the support menu and rule tests."""

from __future__ import annotations

import functools
import re
from itertools import compress
from typing import Literal, Union, get_args

import attrs

from ..errors import Location, Problem
from .themes import Theme

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
YEAR_PATTERN = re.compile(r"(\d{4})-(\d{2})\Z")
# The closed vocabularies: the types say what a field holds, the tuples list the words.
Stat = Literal["mean", "median", "min", "max", "q1", "q3", "worst_quartile", "best_quartile"]
Heading = Literal["outcomes", "resources", "stakeholders", "intelligence"]
MeasureType = Literal["number", "boolean", "category", "text"]
Polarity = Literal["higher", "lower", "none"]
Signal = Literal["concern", "excellence"]
Change = Literal["absolute", "percent"]
CountScale = Literal["number", "share", "all"]
Method = Literal["proportion", "rate"]
Scalar = bool | int | float | str  # a value written in a rule
METHODS: tuple[Method, ...] = ("proportion", "rate")
STATS: tuple[Stat, ...] = get_args(Stat)
HEADINGS: tuple[Heading, ...] = get_args(Heading)
MEASURE_TYPES: tuple[MeasureType, ...] = get_args(MeasureType)
POLARITIES: tuple[Polarity, ...] = get_args(Polarity)
SIGNALS: tuple[Signal, ...] = get_args(Signal)
CHANGES: tuple[Change, ...] = get_args(Change)
PLACEHOLDER_NAMES = ("value", "measure", "previous", "reference", "authority", "count")  # in `says`, beside {fact:ID}
BASES = ("seed", "interpretation", "illustrative")

@functools.lru_cache(maxsize=1024)  # asked for every authority and fact: the same few years
def year_start(year: str) -> int:
    """2013 for '2013-14': years order by their first calendar year."""
    match = YEAR_PATTERN.match(year)
    if not match:
        raise ValueError(f"not a year like 2013-14: {year!r}")
    return int(match.group(1))


@functools.lru_cache(maxsize=1024)
def previous_year(year: str) -> str:
    start = year_start(year) - 1
    return f"{start}-{(start + 1) % 100:02d}"


# --- the compiled rulebook ------------------------------------------------------------


@attrs.frozen
class Alias:
    id: str
    since: int | None = None  # first calendar year of the first valid year
    until: int | None = None

    def valid_in(self, start: int) -> bool:
        return (self.since is None or start >= self.since) and (
            self.until is None or start <= self.until
        )


@attrs.frozen
class Measure:
    """A fact that triggers may read, with its type, polarity and the ids it goes by."""

    id: str
    name: str
    type: MeasureType
    unit: str | None
    better: Polarity
    group: str | None
    aliases: tuple[Alias, ...]
    source: str | None
    range: tuple[float, float] | None
    values: tuple[str, ...] | None
    since: int | None
    until: int | None
    breaks: frozenset[int]
    location: Location
    basis: str | None = None
    method: Method | None = None
    per: float = 1.0
    # What the publisher says of the measure in one year (a voluntary survey, a change of
    # method), by first calendar year: shown beside every flag that uses the value of that year.
    year_notes: tuple[tuple[int, str], ...] = ()

    def note_in(self, year: str) -> str | None:
        """The catalogue's note on this measure in `year`, or None."""
        start = _safe_start(year)
        return next((note for when, note in self.year_notes if when == start), None)


# The right-hand side of a test: a value written in the rule, or a reference to another
# value, each kind holding only what it needs. A reference may be scaled: `times` and `plus`
# apply to the value referred to (x * times + plus).


@attrs.frozen
class LiteralRef:
    """A value written in the rule: a number, true or false, a category or a text."""

    value: Scalar


@attrs.frozen
class RegionRef:
    """A statistic of the region's authorities that year."""

    stat: Stat
    plus: float = 0.0
    times: float = 1.0


@attrs.frozen
class ComparatorsRef:
    """A statistic of the authority's comparator group (itself included)."""

    stat: Stat
    plus: float = 0.0
    times: float = 1.0


@attrs.frozen
class CouncilTypeRef:
    """A statistic of every council of the authority's type in the facts read that year."""

    stat: Stat
    plus: float = 0.0
    times: float = 1.0


@attrs.frozen
class PreviousRef:
    """The same fact's value the year before."""

    plus: float = 0.0
    times: float = 1.0


@attrs.frozen
class FactRef:
    """Another fact of the same authority, of the same type."""

    fact: str
    plus: float = 0.0
    times: float = 1.0


@attrs.frozen
class NationalRef:
    """The published national figure of the same measure."""

    plus: float = 0.0
    times: float = 1.0


@attrs.frozen
class PublishedRegionRef:
    """The published figure of the same measure for the region."""

    plus: float = 0.0
    times: float = 1.0


StatRef = RegionRef | ComparatorsRef | CouncilTypeRef
Reference = RegionRef | ComparatorsRef | CouncilTypeRef | PreviousRef | FactRef | NationalRef | PublishedRegionRef
Ref = LiteralRef | Reference


@attrs.frozen
class Test:
    op: str  # equals ... present, as written
    refs: tuple[Ref, ...] = ()
    present: bool = True
    confidence: float = 95.0  # of an interval (significantly_worse_than ...), or of a trend's test
    years: int = 0  # of a trend (worsening, improving)
    significant: bool = False  # a trend judged by a test of trend on the counts, not a run of years


@attrs.frozen
class NumberTest:
    """A test of a number counted (by a count, or by the verdict policy) against numbers
    written in the rule; shares are kept as fractions."""

    op: str  # one of the operators that may test a number (`Operator.numeric`)
    numbers: tuple[float, ...]


@attrs.frozen
class FactTest:
    fact: str
    change: Change | None
    test: Test
    location: Location


@attrs.frozen
class Count:
    """How many facts of a set pass a test (`scale: number`), what share of the facts decided
    pass it (`share`, literals as fractions), or whether all that exist that year pass it
    (`all`); unknown when fewer than `min_data` facts could be decided."""

    facts: tuple[str, ...]
    change: Change | None
    where: Test
    test: NumberTest  # on the number counted (or the share)
    location: Location
    scale: CountScale = "number"
    min_data: int = 1
    # Further tests each fact must pass too (`where: {all: [...]}`): a measure in the region's
    # worst quarter counts as poor only when it is also worse than England, say.
    also: tuple[Test, ...] = ()

    @property
    def wheres(self) -> tuple[Test, ...]:
        """Every test a fact must pass to be counted, in the order written."""
        return (self.where, *self.also)


@attrs.frozen
class AllOf:
    items: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    items: tuple[Condition, ...]


@attrs.frozen
class NotOf:
    item: Condition


Condition = Union[FactTest, Count, AllOf, AnyOf, NotOf]  # noqa: UP007 (recursive alias)


@attrs.frozen
class Trigger:
    """One Table 2 risk trigger (or excellence signal) with its condition."""

    id: str
    heading: str
    heading_title: str
    title: str
    signal: Signal
    area: str | None
    sources: tuple[str, ...]
    when: Condition
    says: str | None
    gated: bool
    location: Location
    entry: str = ""  # the piece of evidence it reads (a Table 2 entry); its own id by default
    basis: str | None = None
    # The span of years it applies in (first calendar years, either end open): outside it the
    # trigger is not applicable, neither flagged, cleared nor a gap, and out of coverage.
    since: int | None = None
    until: int | None = None

    @property
    def is_concern(self) -> bool:
        return self.signal == "concern"

    def applies_in(self, year: str) -> bool:
        """Whether the trigger applies in `year` (always, without a span)."""
        if self.since is None and self.until is None:
            return True
        return _in_years(self.since, self.until, _safe_start(year))

    @property
    def span(self) -> str | None:
        """Its span of years in words (`2011-12 to 2014-15`, `until 2014-15`), or None."""
        if self.since is None and self.until is None:
            return None
        first = f"{self.since}-{(self.since + 1) % 100:02d}" if self.since is not None else None
        last = f"{self.until}-{(self.until + 1) % 100:02d}" if self.until is not None else None
        if first and last:
            return f"{first} to {last}"
        return f"from {first}" if first else f"until {last}"


@attrs.frozen
class Counter:
    """A verdict test on what the policy counts: `what` is a key of `verdict_keys.VERDICT_KEYS`
    (concerns, coverage, ...), limited to a heading (`in:`) or a number of years (`years:`)
    where the key takes one."""

    what: str
    heading: str | None
    test: NumberTest
    # `persistent` with `years: N`: the pieces of evidence (entries) with a counted concern
    # this year and in each of the N-1 years before; 0 for the older reading (by trigger,
    # this year and the year before).
    years: int = 0


@attrs.frozen
class Flagged:
    trigger: str


@attrs.frozen
class VerdictAll:
    items: tuple[VerdictCondition, ...]


@attrs.frozen
class VerdictAny:
    items: tuple[VerdictCondition, ...]


@attrs.frozen
class VerdictNot:
    item: VerdictCondition


VerdictCondition = Union[Counter, Flagged, VerdictAll, VerdictAny, VerdictNot]  # noqa: UP007


@attrs.frozen
class Level:
    id: str
    title: str
    when: VerdictCondition | None
    location: Location
    note: str | None = None  # shown with the verdict: e.g. what evidence to gather


@attrs.frozen
class Option:
    id: str
    title: str
    via: str | None
    suits: tuple[str, ...]
    note: str | None


@attrs.frozen
class Tier:
    id: str
    title: str
    note: str | None
    verdicts: tuple[str, ...]
    options: tuple[str, ...]
    corroboration: bool
    location: Location


@attrs.frozen
class Peers:
    """How peers are suggested: at most `per_authority` to one authority, and no authority
    named more than `cap` times in one year (MoU 2.1g); `days_cap`, where set, bounds the days
    of support one authority provides in a year (the store refuses more without a reason)."""

    per_authority: int = 3
    cap: int = 3
    days_cap: int | None = None


@attrs.frozen
class Rulebook:
    """Everything needed to assess: the catalogue, the triggers, the policy and the menu."""

    path: str
    digest: str
    measures: dict[str, Measure] = attrs.field(repr=False)
    triggers: tuple[Trigger, ...] = attrs.field(repr=False)
    headings: dict[str, str] = attrs.field(repr=False)
    levels: tuple[Level, ...] = attrs.field(repr=False)
    options: dict[str, Option] = attrs.field(repr=False)
    tiers: tuple[Tier, ...] = attrs.field(repr=False)
    peers: Peers = attrs.field(repr=False, factory=Peers)
    test_files: tuple[str, ...] = attrs.field(repr=False, default=())
    warnings: tuple[Problem, ...] = attrs.field(repr=False, default=())  # as loaded
    themes: dict[str, Theme] = attrs.field(repr=False, factory=dict)  # the thematic reviews, by id

    # Indexes built once, when the rulebook is made: a fact id or trigger id is found in
    # constant time however large the catalogue.
    _triggers_by_id: dict[str, Trigger] = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: {trigger.id: trigger for trigger in self.triggers}, takes_self=True),
    )
    _names: dict[str, tuple[tuple[str, Alias | None], ...]] = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: _name_index(self.measures), takes_self=True),
    )
    # What the judge reads for every authority: the gated triggers, the concern triggers, and
    # how many concern triggers each heading has.
    gated: frozenset[str] = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: frozenset(t.id for t in self.triggers if t.gated), takes_self=True),
    )
    concern_triggers: frozenset[str] = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: frozenset(t.id for t in self.triggers if t.is_concern), takes_self=True),
    )
    entries: dict[str, str] = attrs.field(  # trigger → the Table 2 entry it reads
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: {t.id: t.entry for t in self.triggers}, takes_self=True),
    )
    concern_totals: dict[str, int] = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: _concern_totals(self.triggers), takes_self=True),
    )
    # The concern triggers that read ASCOF measures alone (group `ascof`): a verdict whose
    # counted concerns all come from them carries the Department's caveat.
    ascof_only: frozenset[str] = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(lambda self: _reading_group_only(self, "ascof"), takes_self=True),
    )

    # Concern triggers by heading in a year where some triggers have a span of years: the
    # totals of coverage leave out what does not apply that year.
    _totals_by_year: dict[str, dict[str, int]] = attrs.field(init=False, repr=False, eq=False, factory=dict)
    # Whether each trigger applies in a year, in the rulebook's order: the trigger and the year
    # are all it depends on, so it is worked out once a year for every reader.
    _applying_by_year: dict[str, tuple[bool, ...]] = attrs.field(init=False, repr=False, eq=False, factory=dict)
    spans: bool = attrs.field(
        init=False, repr=False, eq=False,
        default=attrs.Factory(
            lambda self: any(t.since is not None or t.until is not None for t in self.triggers), takes_self=True
        ),
    )

    def applying_in(self, year: str) -> tuple[bool, ...]:
        """Whether each trigger, in the rulebook's order, applies in `year` (its span)."""
        found = self._applying_by_year.get(year)
        if found is None:
            found = self._applying_by_year[year] = tuple(trigger.applies_in(year) for trigger in self.triggers)
        return found

    def not_applicable_in(self, year: str) -> tuple[Trigger, ...]:
        """The triggers outside their span of years in `year`."""
        if not self.spans:
            return ()
        return tuple(trigger for trigger in self.triggers if not trigger.applies_in(year))

    def concern_totals_in(self, year: str | None) -> dict[str, int]:
        """How many concern triggers each heading has that apply in `year` (all without one)."""
        if not self.spans or year is None:
            return self.concern_totals
        found = self._totals_by_year.get(year)
        if found is None:
            found = self._totals_by_year[year] = _concern_totals(
                tuple(compress(self.triggers, self.applying_in(year)))
            )
        return found

    def tier_for(self, level: str) -> Tier:
        for tier in self.tiers:
            if level in tier.verdicts:
                return tier
        raise KeyError(level)

    def trigger(self, trigger_id: str) -> Trigger:
        return self._triggers_by_id[trigger_id]

    def resolve(self, fact_id: str, year: str | None) -> str | None:
        """The catalogue id that `fact_id` names in `year` (through aliases), or None."""
        start = _safe_start(year)
        measure = self.measures.get(fact_id)
        if measure is not None and _in_years(measure.since, measure.until, start):
            return measure.id
        for candidate, alias in self._names.get(fact_id, ()):
            if alias is not None and (start is None or alias.valid_in(start)):
                return candidate
        if measure is not None and start is None:
            return measure.id
        return None


def _reading_group_only(rulebook: Rulebook, group: str) -> frozenset[str]:
    """The concern triggers every fact of whose condition is a measure of `group`."""
    return frozenset(
        trigger.id
        for trigger in rulebook.triggers
        if trigger.is_concern
        and all(
            (measure := rulebook.measures.get(fact)) is not None and measure.group == group
            for fact in facts_read(trigger.when)
        )
    )


def facts_read(condition: Condition) -> set[str]:
    """Every fact a condition reads (its tests' facts and its counts' facts)."""
    if isinstance(condition, (AllOf, AnyOf)):
        return {fact for item in condition.items for fact in facts_read(item)}
    if isinstance(condition, NotOf):
        return facts_read(condition.item)
    if isinstance(condition, Count):
        tests, found = condition.wheres, set(condition.facts)
    else:
        tests, found = (condition.test,), {condition.fact}
    return found | {ref.fact for test in tests for ref in test.refs if isinstance(ref, FactRef)}


def _concern_totals(triggers: tuple[Trigger, ...]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for trigger in triggers:
        if trigger.is_concern:
            totals[trigger.heading] = totals.get(trigger.heading, 0) + 1
    return totals


def _name_index(measures: dict[str, Measure]) -> dict[str, tuple[tuple[str, Alias | None], ...]]:
    """Each alias with the measures it names, in catalogue order."""
    found: dict[str, list[tuple[str, Alias | None]]] = {}
    for measure in measures.values():
        for alias in measure.aliases:
            found.setdefault(alias.id, []).append((measure.id, alias))
    return {name: tuple(owners) for name, owners in found.items()}


def _safe_start(year: str | None) -> int | None:
    if year is None:
        return None
    try:
        return year_start(year)
    except ValueError:
        return None


def _in_years(since: int | None, until: int | None, start: int | None) -> bool:
    if start is None:
        return True
    return (since is None or start >= since) and (until is None or start <= until)
