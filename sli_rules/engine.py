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
from .facts import Region, bind, load_facts
from .load import load_rulebook, shipped
from .model import Rulebook
from .plan import Plan, make_plan
from .results import AuthorityAssessment, Flag, Gap, RegionAssessment

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

    @property
    def rulebook(self) -> Rulebook:
        return self._compiled.rulebook

    def reload(self, rulebook: Rulebook | str | Path | None = None) -> Rulebook:
        """Replace the rules in force. A rulebook with problems raises RulebookError and the
        previous rules stay in force; assessments already running finish with the old ones."""
        path = rulebook if rulebook is not None else self._compiled.rulebook.path
        compiled = _Compiled.make(_as_rulebook(path), self.backend)
        with self._lock:
            self._compiled = compiled
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
        drafts = []
        total = len(bound.authorities)
        for index, (item, row) in enumerate(zip(bound.authorities, derived.rows)):
            outcomes = self._run(compiled, row)
            drafts.append(self._draft(compiled, item, row, outcomes, derived))
            if progress is not None and (index + 1 == total or (index + 1) % 1000 == 0):
                progress(index + 1, total)
        return _finish(compiled, drafts, loaded)

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
        item: object,
        row: Sequence[float | None],
        outcomes: list[Outcome],
        derived: Derived,
    ) -> tuple[object, list[Flag], list[Gap]]:
        from .facts import AuthorityFacts

        assert isinstance(item, AuthorityFacts)
        triggers = compiled.rulebook.triggers
        explainer = compiled.explainer
        held = [trigger for trigger, outcome in zip(triggers, outcomes) if outcome is True]
        others = any(trigger.is_concern and not trigger.gated for trigger in held)
        flags = []
        for trigger in held:
            counted = not trigger.gated or others
            flag = explainer.flag(trigger, item, row, derived.texts, counted)
            flags.append(flag)
        gaps = [
            explainer.gap(trigger, item, row)
            for trigger, outcome in zip(triggers, outcomes)
            if outcome is None
        ]
        return item, flags, gaps


def _finish(compiled: _Compiled, drafts: list[tuple[object, list[Flag], list[Gap]]], region: Region) -> RegionAssessment:
    from .facts import AuthorityFacts

    rulebook = compiled.rulebook
    judged = []
    for item, flags, gaps in drafts:
        assert isinstance(item, AuthorityFacts)
        tally = judge.Tally.of_flags(flags, len(gaps))
        level = judge.choose_level(rulebook.levels, tally)
        tier = rulebook.tier_for(level.id)
        judged.append((item, flags, gaps, tally, level, tier))
    severity = {level.id: position for position, level in enumerate(rulebook.levels)}
    peers: dict[tuple[str, str], tuple] = {}  # type: ignore[type-arg]
    for year in sorted({item.year for item, *_ in judged}):
        same_year = [entry for entry in judged if entry[0].year == year]
        level_of: dict[str, str] = {}
        for entry in same_year:
            level_of.setdefault(entry[0].authority, entry[4].id)
        needs = sorted(
            ((entry[0].authority, entry[1]) for entry in same_year),
            key=lambda need: severity[level_of[need[0]]],
        )
        strengths = [
            (entry[0].authority, entry[0].code, [flag for flag in entry[1] if flag.signal == "excellence"])
            for entry in same_year
        ]
        for name, found in recommend.match_peers(needs, strengths).items():
            peers[(name, year)] = found
    assessments = []
    for item, flags, gaps, tally, level, tier in judged:
        assessments.append(
            AuthorityAssessment(
                authority=item.authority,
                code=item.code,
                year=item.year,
                level=level.id,
                level_title=level.title,
                tier=tier.id,
                tier_title=tier.title,
                status="provisional",
                flags=tuple(flags),
                gaps=tuple(gaps),
                support=recommend.support_options(rulebook, tier, flags),
                reasons=tuple(judge.reasons(level, tally, flags, len(gaps), rulebook.headings)),
                peers=peers.get((item.authority, item.year), ()),
                tier_note=tier.note,
            )
        )
    return RegionAssessment(
        rulebook_digest=rulebook.digest,
        rulebook_path=rulebook.path,
        assessments=tuple(assessments),
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
