"""The Engine: a rulebook compiled once, then used to assess regions, from any thread."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from itertools import compress
from pathlib import Path
from typing import Any

import attrs

from ..facts import AuthorityFacts, Region, bind, load_facts, name_key
from ..facts.selfassess import SelfAssessment
from ..rules.load import load_rulebook, shipped
from ..rules.model import HEADINGS, Rulebook, Trigger, previous_year, year_start
from ..rules.plan import Plan, make_plan
from ..rules.policy import LevelChooser, Tally
from ..words import Part
from . import backends, judge, recommend
from .backends import BATCH, EngineFailure, Outcome, Program
from .backends.python import PythonProgram
from .derive import derive
from .derived import OUTCOME_CODES, OUTCOMES, Derived
from .explain import Explainer, Findings
from .results import AuthorityAssessment, Coverage, Flag, Gap, Judged, RegionAssessment, Summary

BACKENDS = backends.NAMES
Progress = Callable[[int, int], None]


@attrs.frozen(eq=False)
class _Compiled:
    """One rulebook ready to evaluate; replaced whole on reload, never changed in place."""

    rulebook: Rulebook
    plan: Plan
    program: Program  # the engine's backend's
    python: PythonProgram  # the oracle of `check`, and what `outcomes(backend="python")` asks
    explainer: Explainer
    choose: LevelChooser

    @classmethod
    def make(cls, rulebook: Rulebook, backend: str) -> _Compiled:
        plan = make_plan(rulebook)
        python = PythonProgram(plan)
        program = python if backend == "python" else backends.backend(backend).compile_plan(plan)
        return cls(
            rulebook, plan, program, python, Explainer(rulebook, plan),
            LevelChooser(rulebook.levels),
        )


def example_region_path() -> Path:
    return shipped("examples", "north-west-2013-14")


class Engine:
    """A rulebook compiled into durable-rules, reused for every assessment; thread-safe.

    `backend="python"` evaluates with the plain-Python evaluator instead (the same plan).
    With no backend named, durable-rules decides where its compiled module can be imported,
    else the Python evaluator, with an `EngineFallbackWarning` saying so; `backend="durable"`
    there raises `BackendUnavailable` (an SliRulesError) instead.
    `check=True` runs the Python evaluator beside durable-rules on every authority and raises
    EngineFailure if they disagree.
    """

    def __init__(
        self,
        rulebook: Rulebook | str | Path | None = None,
        *,
        backend: str | None = None,
        check: bool = False,
    ) -> None:
        self.backend = backends.choose(backend, stacklevel=2)  # a warning names the caller's line
        self.check = check
        self._lock = threading.Lock()
        self._compiled = _Compiled.make(_as_rulebook(rulebook), self.backend)
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
        """Each authority's trigger outcomes (True, False, None) in rulebook order, found by
        the engine's backend or (`backend="python"`) the Python evaluator."""
        if backend not in (None, self.backend, "python"):
            raise ValueError(f"this engine evaluates with {self.backend!r} (or 'python'), not {backend!r}")
        run = _Run(self, region, (), None)
        found: list[list[Outcome]] = [[] for _ in range(len(run))]
        for index, outcomes in run.decided(backend or self.backend):
            found[index] = outcomes
        return found

    def assess(
        self,
        region: Region | str | Path | Sequence[str | Path] | None = None,
        *,
        progress: Progress | None = None,
        self_assessments: Sequence[SelfAssessment] = (),
        last_year: Mapping[str, Collection[str]] | None = None,
        years_before: Mapping[str, Sequence[Collection[str]]] | None = None,
    ) -> RegionAssessment:
        """Assess every authority of a region (a Region, or paths to fact files).

        `self_assessments` set each authority's own view beside its flags (and give the
        verdict key `unacknowledged`); `last_year` gives, by ONS code (or name), the concerns
        counted for each authority the year before its earliest year here (from the store:
        `Store.flagged_last_year`), for the key `persistent`. Within a run of several years,
        each year's persistent concerns come from the year before in the same run.
        `years_before` gives, the same way, the concerns counted in each of the years before
        the earliest here, last year first (from the final view where one is on record), for
        `persistent` with `years`; its first year stands for `last_year` where that is not
        given.

        The region goes through each stage once, in order: read, bind, derive, evaluate,
        judge, recommend. Each authority's flags and gaps (with the record of what decided
        each trigger) and the words of the result (messages, evidence, reasons) are made when
        first read: a program that wants only the verdicts never pays for them.
        """
        run = _Run(self, region, self_assessments, last_year, years_before)
        judged = run.judge_all(progress)
        recommendations = recommend.recommend(run.rulebook, [verdict for verdict, _ in judged])
        return RegionAssessment(
            assessments=tuple(
                _assessment(verdict, recommendation, findings)
                for (verdict, findings), recommendation in zip(judged, recommendations, strict=True)
            ),
            **run.header(),
        )

    def assess_iter(
        self,
        region: Region | str | Path | Sequence[str | Path] | None = None,
        *,
        progress: Progress | None = None,
        self_assessments: Sequence[SelfAssessment] = (),
        last_year: Mapping[str, Collection[str]] | None = None,
        years_before: Mapping[str, Sequence[Collection[str]]] | None = None,
    ) -> AssessmentStream:
        """`assess`, one authority at a time, in bounded memory: the same assessments in the
        same order, each made as it is asked for and kept by no one but the caller.

        Every authority of a year must be judged before any is finished (the peers of one
        are chosen among all the others), so the region is judged first, keeping only what
        choosing peers needs; each assessment is then made again from the packed record of
        its outcomes when the stream reaches it. `progress` is called during the first pass.
        The stream's `rulebook_digest`, `levels`, `warnings` ... are known at once, and its
        `summary()` once it is exhausted.
        """
        return AssessmentStream(_Run(self, region, self_assessments, last_year, years_before), progress)

    def _decide(
        self,
        compiled: _Compiled,
        derived: Derived,
        block: int,
        start: int,
        indexes: Sequence[int],
        backend: str,
    ) -> list[list[Outcome]]:
        """The outcomes of `indexes`, the authorities from `start` of a year's block (at most
        a batch), read column by column from the derived values."""
        stop = start + len(indexes)

        def rows() -> list[tuple[float | None, ...]]:
            return [derived.row(index) for index in indexes]

        program: Program = compiled.python if backend == "python" else compiled.program
        found = program.run_batch(lambda slot: derived.column(block, slot, start, stop), stop - start, rows)
        if self.check and program is not compiled.python:
            for row, outcomes in zip(rows(), found, strict=True):
                expected = compiled.python.run(row)
                if expected != outcomes:
                    raise EngineFailure(
                        f"durable-rules and the Python evaluator disagree: {outcomes} != {expected}"
                    )
        return found


class _Run:
    """One assessment of a region: bound, derived, then judged authority by authority."""

    def __init__(
        self,
        engine: Engine,
        region: Region | str | Path | Sequence[str | Path] | None,
        self_assessments: Sequence[SelfAssessment],
        last_year: Mapping[str, Collection[str]] | None,
        years_before: Mapping[str, Sequence[Collection[str]]] | None = None,
    ) -> None:
        self.engine = engine
        self.compiled = engine._compiled  # one snapshot: a reload meanwhile does not mix rulebooks
        self.rulebook = self.compiled.rulebook
        self.bound = bind(_as_region(region), self.rulebook)
        self.derived = derive(self.compiled.plan, self.rulebook, self.bound)
        self.own = {(_key(view.code, view.authority), view.year): view for view in self_assessments}
        self.years_before = years_before
        if last_year is None and years_before is not None:
            last_year = {key: years[0] for key, years in years_before.items() if years}
        self.last_year = last_year
        # Each authority-year's counted concerns: a year's persistent concerns are the year before's.
        self.flagged: dict[tuple[str, str], frozenset[str]] = {}
        self._same: dict[frozenset[str], frozenset[str]] = {}
        self.outlines = _Outlines(self.rulebook.triggers)
        self._applying_in: dict[str, tuple[tuple[int, Flag, Gap], ...]] = {}
        self._out_of_span: dict[str, tuple[str, ...]] = {}  # by year
        self._years_before: dict[str, str] = {}
        # The years whose next year is in the run too.
        self._followed = frozenset(previous_year(year) for year in self.derived.years)
        # The year before the run's earliest: where the years given from outside begin.
        self._outside = previous_year(min(self.derived.years, key=year_start)) if self.derived.years else ""

    def __len__(self) -> int:
        return len(self.bound.authorities)

    def header(self) -> dict[str, Any]:
        """What a RegionAssessment says besides its assessments."""
        rulebook = self.rulebook
        return {
            "rulebook_digest": rulebook.digest,
            "rulebook_path": rulebook.path,
            "levels": tuple((level.id, level.title) for level in rulebook.levels),
            "tiers": tuple((tier.id, tier.title) for tier in rulebook.tiers),
            # Table 2's order, whatever order the rule files were read in.
            "headings": {heading: rulebook.headings[heading] for heading in HEADINGS if heading in rulebook.headings},
            "warnings": tuple(str(problem) for problem in self.bound.warnings),
        }

    def decided(self, backend: str | None = None) -> Iterator[tuple[int, list[Outcome]]]:
        """Each authority (index, outcomes), year by year: the engine asked a batch at a time."""
        derived = self.derived
        backend = backend or self.engine.backend
        # A year's block is its place in `years`; the years are judged in order.
        blocks = sorted(enumerate(derived.years.items()), key=lambda found: year_start(found[1][0]))
        for block, (_, indexes) in blocks:
            for start in range(0, len(indexes), BATCH):
                batch = indexes[start : start + BATCH]
                found = self.engine._decide(self.compiled, derived, block, start, batch, backend)
                yield from zip(batch, found, strict=True)

    def verdict(self, index: int, outcomes: Sequence[Outcome]) -> tuple[judge.Verdict, Findings]:
        """One authority judged from its outcomes (`outline`), and its flags and gaps in full,
        to be made when read, with what the judge decided of each flag carried over."""
        verdict = self.outline(index, outcomes)
        item = self.bound.authorities[index]
        return verdict, self.compiled.explainer.later(self.derived, index, item, tuple(outcomes), verdict.flags)

    def outline(self, index: int, outcomes: Sequence[Outcome]) -> judge.Verdict:
        """The verdict on one authority's outcomes, with its persistent concerns from the year
        before where that is known.

        The judge and the choice of peers read of a flag only its trigger, heading, area,
        signal and entry, and of a gap its trigger: they read one shared outline of each
        (no record, no values, no words). What the judge decides of each flag (counted, the
        authority's own view, flagged the year before) is on the verdict's outline flags."""
        outlines = self.outlines
        flags, gaps = [], []
        item = self.bound.authorities[index]
        if len(outcomes) != len(outlines.flags):
            raise ValueError(f"{len(outcomes)} outcomes for {len(outlines.flags)} triggers")
        if not self.rulebook.spans:
            for flag, gap, outcome in zip(outlines.flags, outlines.gaps, outcomes):  # noqa: B905 (checked above)
                if outcome is True:
                    flags.append(flag)
                elif outcome is None:
                    gaps.append(gap)
            return self._judged(item, flags, gaps)
        # Only the triggers that apply in the year: the others are neither flagged, cleared nor a gap.
        for position, flag, gap in self._applying(item.year):
            outcome = outcomes[position]
            if outcome is True:
                flags.append(flag)
            elif outcome is None:
                gaps.append(gap)
        return self._judged(item, flags, gaps)

    def _applying(self, year: str) -> tuple[tuple[int, Flag, Gap], ...]:
        """The triggers that apply in `year`, each with its position and outlines, worked out
        once a year (whether a trigger applies depends on the trigger and the year alone)."""
        found = self._applying_in.get(year)
        if found is None:
            outlines = self.outlines
            found = self._applying_in[year] = tuple(
                (position, outlines.flags[position], outlines.gaps[position])
                for position in compress(range(len(self.rulebook.triggers)), self.rulebook.applying_in(year))
            )
        return found

    def _span_words(self, year: str) -> tuple[str, ...]:
        """The triggers outside their span in `year`, in words, worked out once a year."""
        found = self._out_of_span.get(year)
        if found is None:
            found = self._out_of_span[year] = judge.out_of_span_words(self.rulebook, year)
        return found

    def _judged(self, item: AuthorityFacts, flags: Sequence[Flag], gaps: Sequence[Gap]) -> judge.Verdict:
        key = _key(item.code, item.authority)
        last = self._years_before.get(item.year)
        if last is None:
            last = self._years_before[item.year] = previous_year(item.year)
        before = self.flagged.get((key, last))
        if before is None and self.last_year is not None:  # an authority not in it: not known
            known = self.last_year.get(key, self.last_year.get(item.authority))
            before = frozenset(known) if known is not None else None
        view = self.own.get((key, item.year)) if self.own else None
        verdict = judge.judge(
            self.rulebook, item.authority, item.code, item.year, flags, gaps,
            views={trigger: found.view for trigger, found in view.views.items()} if view else None,
            comments={trigger: found.comment for trigger, found in view.views.items()} if view else None,
            last_year=before,
            years_before=self._years_before_of(key, item.authority, last),
            choose=self.compiled.choose,
            out_of_span=self._span_words(item.year),
        )
        if item.year in self._followed:  # a later year of the run reads this year's concerns
            flagged = verdict.tally.flagged & self.rulebook.concern_triggers  # the counted concerns
            self.flagged[(key, item.year)] = self._same.setdefault(flagged, flagged)  # one object per set
        return verdict

    def _years_before_of(self, key: str, authority: str, year: str) -> list[Collection[str]]:
        """The counted concerns of an authority in `year` and each year before it, as far back
        as they are known without a break: from this run, then from the years given."""
        found: list[Collection[str]] = []
        while (key, year) in self.flagged:
            found.append(self.flagged[(key, year)])
            year = previous_year(year)
        if year == self._outside:
            if self.years_before is not None:
                found.extend(self.years_before.get(key, self.years_before.get(authority, ())))
            elif self.last_year is not None:
                known = self.last_year.get(key, self.last_year.get(authority))
                if known is not None:
                    found.append(known)
        return found

    def judge_all(self, progress: Progress | None) -> list[tuple[judge.Verdict, Findings]]:
        """Every authority's verdict and findings, in the region's order (judged year by year)."""
        judged: list[tuple[judge.Verdict, Findings] | None] = [None] * len(self)
        for done, (index, outcomes) in enumerate(self.decided(), start=1):
            judged[index] = self.verdict(index, outcomes)
            _report(progress, done, len(self))
        return [found for found in judged if found is not None]


class AssessmentStream(Iterator[AuthorityAssessment]):
    """The assessments of a region one at a time, in the region's order (`Engine.assess_iter`).

    Made with the region judged once (a first pass keeping, per authority, its outcomes packed
    into a few bytes and what choosing peers reads); each assessment is then made again from
    those outcomes as the stream reaches it, and nothing holds it once the caller lets it go.
    """

    def __init__(self, run: _Run, progress: Progress | None) -> None:
        self._run = run
        header = run.header()
        self.rulebook_digest: str = header["rulebook_digest"]
        self.rulebook_path: str = header["rulebook_path"]
        self.levels: tuple[tuple[str, str], ...] = header["levels"]
        self.tiers: tuple[tuple[str, str], ...] = header["tiers"]
        self.headings: dict[str, str] = header["headings"]
        self.warnings: tuple[str, ...] = header["warnings"]
        self._summary = Summary(self.levels, self.tiers)
        self._outcomes: list[bytes] = [b""] * len(run)
        light: list[judge.Verdict | None] = [None] * len(run)
        for done, (index, outcomes) in enumerate(run.decided(), start=1):
            self._outcomes[index] = bytes(map(OUTCOME_CODES.__getitem__, outcomes))
            light[index] = _for_peers(run.outline(index, outcomes))
            _report(progress, done, len(run))
        self._ranked: recommend.Ranked = {}
        self._peers = recommend.match_all_peers(run.rulebook, [verdict for verdict in light if verdict is not None])
        self._next = 0

    def __len__(self) -> int:
        return len(self._run)

    def __iter__(self) -> AssessmentStream:
        return self

    def __next__(self) -> AuthorityAssessment:
        index = self._next
        if index >= len(self._outcomes):
            raise StopIteration
        self._next += 1
        run = self._run
        verdict, findings = run.verdict(index, list(map(OUTCOMES.__getitem__, self._outcomes[index])))
        peers = self._peers.get((verdict.authority, verdict.year), ())
        recommendation = recommend.recommendation(run.rulebook, verdict, peers, self._ranked)
        assessment = _assessment(verdict, recommendation, findings)
        # Counted from the verdict's outline, so that the summary does not make the flags.
        self._summary.count(
            assessment.authority, assessment.level, assessment.tier,
            any(flag.signal == "excellence" for flag in verdict.flags), len(verdict.gaps),
        )
        return assessment

    def summary(self) -> dict[str, Any]:
        """The summary of the assessments streamed so far: of the whole region once exhausted."""
        return self._summary.as_dict()


class _Outlines:
    """A flag and a gap per trigger (by position) with only what judging and choosing peers
    read: one object each for every authority that has it."""

    def __init__(self, triggers: Sequence[Trigger]) -> None:
        self.flags = tuple(
            Flag(
                trigger.id, trigger.heading, trigger.signal, True, trigger.title, "", (), {}, trigger.area,
                entry=trigger.entry, basis=trigger.basis,
            )
            for trigger in triggers
        )
        self.gaps = tuple(
            Gap(trigger.id, trigger.heading, trigger.title, (), entry=trigger.entry) for trigger in triggers
        )


def _for_peers(verdict: judge.Verdict) -> judge.Verdict:
    """A verdict cut down to what choosing peers reads: its level, flags, what was judged by
    heading and last year's concerns (no gaps, nothing else of the tally)."""
    judged = attrs.evolve(Tally.empty(), judged=verdict.tally.judged, totals=verdict.tally.totals)
    return judge.Verdict(
        verdict.authority, verdict.code, verdict.year, verdict.level, verdict.flags, (), judged, (),
        before=verdict.before,
    )


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done == total or done % 100 == 0):
        progress(done, total)


def _key(code: str | None, authority: str) -> str:
    """An authority as the store and self-assessments name it: its ONS code, else its name."""
    return code or name_key(authority)


def _assessment(
    verdict: judge.Verdict, recommendation: recommend.Recommendation, findings: Findings
) -> AuthorityAssessment:
    return AuthorityAssessment(
        authority=verdict.authority,
        code=verdict.code,
        year=verdict.year,
        level=verdict.level.id,
        level_title=verdict.level.title,
        tier=recommendation.tier.id,
        tier_title=recommendation.tier.title,
        status="provisional",
        flags=Part(findings, 0),
        gaps=Part(findings, 1),
        support=recommendation.support,
        reasons=verdict.deferred_reasons,  # made when read
        peers=recommendation.peers,
        tier_note=recommendation.tier.note,
        coverage=_coverage(verdict.tally),
        caveats=verdict.caveats,
    )


def _coverage(tally: Tally) -> Coverage:
    judged, totals = tally.judged, tally.totals
    return Coverage(
        judged=sum(judged.values()),
        total=sum(totals.values()),
        headings={
            heading: _judged_of(judged.get(heading, 0), total)
            for heading in HEADINGS
            if (total := totals.get(heading, 0))
        },
    )


@functools.lru_cache(maxsize=4096)
def _judged_of(judged: int, total: int) -> Judged:
    """One object for each pair of numbers (it is frozen and holds only them): a region's
    coverage by heading repeats the same few pairs for every authority."""
    return Judged(judged, total)


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
