"""The Engine: a rulebook compiled once, then used to assess regions, from any thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from . import judge, recommend
from .derive import Derived, derive
from .evaluate import DurableProgram, EngineFailure, Outcome, PythonProgram
from .explain import Explainer
from .facts import AuthorityFacts, Region, bind, load_facts
from .load import load_rulebook, shipped
from .model import Level, Rulebook, Tier
from .plan import Plan, make_plan
from .results import AuthorityAssessment, Flag, Gap, Peer, RegionAssessment

BACKENDS = ("durable", "python")
Progress = Callable[[int, int], None]


@attrs.frozen(eq=False)
class _Compiled:
    """One rulebook ready to evaluate; replaced whole on reload, never changed in place."""

    rulebook: Rulebook
    plan: Plan
    python: PythonProgram
    durable: DurableProgram | None
    explainer: Explainer

    @classmethod
    def make(cls, rulebook: Rulebook, backend: str) -> _Compiled:
        plan = make_plan(rulebook)
        durable = DurableProgram(plan) if backend == "durable" else None
        return cls(rulebook, plan, PythonProgram(plan), durable, Explainer(rulebook, plan))


def example_region_path() -> Path:
    return shipped("examples", "north-west-2013-14")


class Engine:
    """A rulebook compiled into durable-rules, reused for every assessment; thread-safe.

    `backend="python"` evaluates with the plain-Python evaluator instead (the same plan).
    `check=True` runs both on every authority and raises EngineFailure if they disagree.
    """

    def __init__(
        self,
        rulebook: Rulebook | str | Path | None = None,
        *,
        backend: str = "durable",
        check: bool = False,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend is one of {BACKENDS}, not {backend!r}")
        self.backend = backend
        self.check = check
        self._lock = threading.Lock()
        self._compiled = _Compiled.make(_as_rulebook(rulebook), backend)
        # Where reload() with no argument reads from: absolute, so that a change of working
        # folder in the host program does not make it read another rulebook.
        self._source = (
            Path(rulebook).resolve() if isinstance(rulebook, (str, Path))
            else Path(self._compiled.rulebook.path).resolve()
        )

    @property
    def rulebook(self) -> Rulebook:
        return self._compiled.rulebook

    def reload(self, rulebook: Rulebook | str | Path | None = None) -> Rulebook:
        """Replace the rules in force. A rulebook with problems raises RulebookError and the
        previous rules stay in force; assessments already running finish with the old ones."""
        compiled = _Compiled.make(_as_rulebook(rulebook if rulebook is not None else self._source), self.backend)
        with self._lock:
            self._compiled = compiled
            if isinstance(rulebook, (str, Path)):
                self._source = Path(rulebook).resolve()
        return compiled.rulebook

    def outcomes(self, region: Region, *, backend: str | None = None) -> list[list[Outcome]]:
        """Each authority's trigger outcomes (True, False, None) in rulebook order."""
        compiled = self._compiled
        bound = bind(region, compiled.rulebook)
        derived = derive(compiled.plan, compiled.rulebook, bound)
        program = compiled.python if (backend or self.backend) == "python" else compiled.durable
        assert program is not None
        return [program.run(row) for row in derived.rows]

    def assess(
        self,
        region: Region | str | Path | Sequence[str | Path] | None = None,
        *,
        progress: Progress | None = None,
    ) -> RegionAssessment:
        """Assess every authority of a region (a Region, or paths to fact files)."""
        compiled = self._compiled  # one snapshot: a reload meanwhile does not mix rulebooks
        rulebook = compiled.rulebook
        loaded = _as_region(region)
        bound = bind(loaded, rulebook)
        derived = derive(compiled.plan, rulebook, bound)
        judged = []
        total = len(bound.authorities)
        for index, (item, row) in enumerate(zip(bound.authorities, derived.rows, strict=False)):
            outcomes = self._run(compiled, row)
            judged.append(self._draft(compiled, item, row, outcomes, derived))
            if progress is not None and (index + 1 == total or (index + 1) % 1000 == 0):
                progress(index + 1, total)
        return _finish(compiled, judged, loaded)

    def _run(self, compiled: _Compiled, row: Sequence[float | None]) -> list[Outcome]:
        if compiled.durable is None:
            return compiled.python.run(row)
        outcomes = compiled.durable.run(row)
        if self.check:
            expected = compiled.python.run(row)
            if expected != outcomes:
                raise EngineFailure(
                    f"durable-rules and the Python evaluator disagree: {outcomes} != {expected}"
                )
        return outcomes

    def _draft(
        self,
        compiled: _Compiled,
        item: AuthorityFacts,
        row: Sequence[float | None],
        outcomes: list[Outcome],
        derived: Derived,
    ) -> _Judged:
        """Flags and gaps from the outcomes, then the verdict they lead to."""
        rulebook = compiled.rulebook
        explainer = compiled.explainer
        held = [trigger for trigger, outcome in zip(rulebook.triggers, outcomes, strict=True) if outcome is True]
        flags = [
            explainer.flag(trigger, item, row, derived.texts, counted=counts)
            for trigger, counts in zip(held, judge.counted(held), strict=True)
        ]
        gaps = [
            explainer.gap(trigger, item, row)
            for trigger, outcome in zip(rulebook.triggers, outcomes, strict=True)
            if outcome is None
        ]
        tally = judge.tally(flags, len(gaps))
        level = judge.choose_level(rulebook.levels, tally)
        return _Judged(item, flags, gaps, tally, level, rulebook.tier_for(level.id))


@attrs.frozen
class _Judged:
    """One authority judged, before peers are matched across the region."""

    item: AuthorityFacts
    flags: list[Flag]
    gaps: list[Gap]
    tally: judge.Tally
    level: Level
    tier: Tier


def _finish(compiled: _Compiled, judged: list[_Judged], region: Region) -> RegionAssessment:
    rulebook = compiled.rulebook
    severity = {level.id: position for position, level in enumerate(rulebook.levels)}
    by_year: dict[str, list[_Judged]] = {}
    for entry in judged:
        by_year.setdefault(entry.item.year, []).append(entry)
    peers: dict[tuple[str, str], tuple[Peer, ...]] = {}
    for year in sorted(by_year):
        same_year = by_year[year]
        # The most serious are served first; sorting is stable, so ties keep the region's order.
        needs = [
            (entry.item.authority, entry.flags)
            for entry in sorted(same_year, key=lambda entry: severity[entry.level.id])
        ]
        strengths = [
            (entry.item.authority, entry.item.code, [flag for flag in entry.flags if flag.signal == "excellence"])
            for entry in same_year
        ]
        for name, found in recommend.match_peers(needs, strengths).items():
            peers[(name, year)] = found
    assessments = tuple(
        AuthorityAssessment(
            authority=entry.item.authority,
            code=entry.item.code,
            year=entry.item.year,
            level=entry.level.id,
            level_title=entry.level.title,
            tier=entry.tier.id,
            tier_title=entry.tier.title,
            status="provisional",
            flags=tuple(entry.flags),
            gaps=tuple(entry.gaps),
            support=recommend.support_options(rulebook, entry.tier, entry.flags),
            reasons=tuple(judge.reasons(entry.level, entry.tally, entry.flags, len(entry.gaps), rulebook.headings)),
            peers=peers.get((entry.item.authority, entry.item.year), ()),
            tier_note=entry.tier.note,
        )
        for entry in judged
    )
    return RegionAssessment(
        rulebook_digest=rulebook.digest,
        rulebook_path=rulebook.path,
        assessments=assessments,
        levels=tuple((level.id, level.title) for level in rulebook.levels),
        tiers=tuple((tier.id, tier.title) for tier in rulebook.tiers),
        headings=dict(rulebook.headings),
        warnings=tuple(str(problem) for problem in region.warnings),
    )


def _as_rulebook(rulebook: Rulebook | str | Path | None) -> Rulebook:
    if isinstance(rulebook, Rulebook):
        return rulebook
    return load_rulebook(rulebook)


def _as_region(region: Region | str | Path | Sequence[str | Path] | None) -> Region:
    if isinstance(region, Region):
        return region
    if region is None:
        return load_facts(example_region_path())
    if isinstance(region, (str, Path)):
        return load_facts(region)
    return load_facts(*region)


def assess(
    region: Region | str | Path | Sequence[str | Path] | None = None,
    rules: Rulebook | str | Path | None = None,
) -> RegionAssessment:
    """Assess a region with a rulebook; with no arguments, the shipped example and rules."""
    return Engine(rules).assess(region)
