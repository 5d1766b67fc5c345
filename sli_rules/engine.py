"""The Engine: a rulebook compiled once, then used to assess regions, from any thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from . import judge, recommend
from .derive import OUTCOME_CODES, OUTCOMES, derive
from .evaluate import DurableProgram, EngineFailure, Outcome, PythonProgram, Recorder
from .explain import Explainer
from .facts import AuthorityFacts, Region, bind, load_facts, name_key
from .load import load_rulebook, shipped
from .model import HEADINGS, Rulebook, Trigger, previous_year, year_start
from .plan import Plan, make_plan
from .policy import Tally
from .results import AuthorityAssessment, Coverage, Flag, Gap, Judged, RegionAssessment, Summary
from .selfassess import SelfAssessment

BACKENDS = ("durable", "python")
Progress = Callable[[int, int], None]


@attrs.frozen(eq=False)
class _Compiled:
    """One rulebook ready to evaluate; replaced whole on reload, never changed in place."""

    rulebook: Rulebook
    plan: Plan
    python: PythonProgram
    durable: DurableProgram | None
    recorder: Recorder
    explainer: Explainer

    @classmethod
    def make(cls, rulebook: Rulebook, backend: str) -> _Compiled:
        plan = make_plan(rulebook)
        durable = DurableProgram(plan) if backend == "durable" else None
        return cls(rulebook, plan, PythonProgram(plan), durable, Recorder(plan), Explainer(rulebook, plan))


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
        return [program.run(derived.row(index)) for index in range(len(derived))]

    def assess(
        self,
        region: Region | str | Path | Sequence[str | Path] | None = None,
        *,
        progress: Progress | None = None,
        self_assessments: Sequence[SelfAssessment] = (),
        last_year: Mapping[str, Collection[str]] | None = None,
    ) -> RegionAssessment:
        """Assess every authority of a region (a Region, or paths to fact files).

        `self_assessments` set each authority's own view beside its flags (and give the
        verdict key `unacknowledged`); `last_year` gives, by ONS code (or name), the concerns
        counted for each authority the year before its earliest year here (from the store:
        `Store.flagged_last_year`), for the key `persistent`. Within a run of several years,
        each year's persistent concerns come from the year before in the same run.

        The region goes through each stage once, in order: read, bind, derive, evaluate
        (with the record of what decided each trigger), judge, recommend. The words of the
        result (messages, evidence, reasons) are written when first read.
        """
        run = _Run(self, region, self_assessments, last_year)
        verdicts = run.judge_all(progress)
        recommendations = recommend.recommend(run.rulebook, verdicts)
        return RegionAssessment(
            assessments=tuple(
                _assessment(verdict, recommendation)
                for verdict, recommendation in zip(verdicts, recommendations, strict=True)
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
        return AssessmentStream(_Run(self, region, self_assessments, last_year), progress)

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


class _Run:
    """One assessment of a region: bound, derived, then judged authority by authority."""

    def __init__(
        self,
        engine: Engine,
        region: Region | str | Path | Sequence[str | Path] | None,
        self_assessments: Sequence[SelfAssessment],
        last_year: Mapping[str, Collection[str]] | None,
    ) -> None:
        self.engine = engine
        self.compiled = engine._compiled  # one snapshot: a reload meanwhile does not mix rulebooks
        self.rulebook = self.compiled.rulebook
        self.bound = bind(_as_region(region), self.rulebook)
        self.derived = derive(self.compiled.plan, self.rulebook, self.bound)
        self.own = {(_key(view.code, view.authority), view.year): view for view in self_assessments}
        self.last_year = last_year
        # Each authority-year's counted concerns: a year's persistent concerns are the year before's.
        self.flagged: dict[tuple[str, str], frozenset[str]] = {}
        self._same: dict[frozenset[str], frozenset[str]] = {}

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

    def year_order(self) -> list[int]:
        authorities = self.bound.authorities
        return sorted(range(len(authorities)), key=lambda index: year_start(authorities[index].year))

    def outcomes(self, row: tuple[float | None, ...]) -> list[Outcome]:
        return self.engine._run(self.compiled, row)

    def verdict(
        self, index: int, outcomes: Sequence[Outcome], row: tuple[float | None, ...] | None = None
    ) -> judge.Verdict:
        """One authority judged from its outcomes: flags and gaps (their words deferred), then
        the verdict, with its persistent concerns from the year before where that is known."""
        compiled, derived = self.compiled, self.derived
        item = self.bound.authorities[index]
        row = derived.row(index) if row is None else row
        record = compiled.recorder.record(outcomes, row, derived.parts_of(index), (derived, index))
        flags, gaps = compiled.explainer.findings(item, record, derived.texts)
        return self._judged(item, flags, gaps)

    def level_only(self, index: int, outcomes: Sequence[Outcome], skeletons: _Skeletons) -> judge.Verdict:
        """The verdict the same outcomes give, judged on flags and gaps that carry only what
        the judge and the choice of peers read (each one object for every authority that
        has it): no record, no values, no words."""
        flags, gaps = [], []
        for trigger, outcome in zip(self.rulebook.triggers, outcomes, strict=True):
            if outcome is True:
                flags.append(skeletons.flag(trigger))
            elif outcome is None:
                gaps.append(skeletons.gap(trigger))
        return self._judged(self.bound.authorities[index], flags, gaps)

    def _judged(self, item: AuthorityFacts, flags: Sequence[Flag], gaps: Sequence[Gap]) -> judge.Verdict:
        key = _key(item.code, item.authority)
        before = self.flagged.get((key, previous_year(item.year)))
        if before is None and self.last_year is not None:  # an authority not in it: not known
            known = self.last_year.get(key, self.last_year.get(item.authority))
            before = frozenset(known) if known is not None else None
        view = self.own.get((key, item.year))
        verdict = judge.judge(
            self.rulebook, item.authority, item.code, item.year, flags, gaps,
            views={trigger: found.view for trigger, found in view.views.items()} if view else None,
            comments={trigger: found.comment for trigger, found in view.views.items()} if view else None,
            last_year=before,
        )
        flagged = frozenset(flag.trigger for flag in verdict.flags if flag.signal == "concern" and flag.counted)
        self.flagged[(key, item.year)] = self._same.setdefault(flagged, flagged)  # one object per set
        return verdict

    def judge_all(self, progress: Progress | None) -> list[judge.Verdict]:
        """Every authority's verdict, in the region's order (judged year by year)."""
        verdicts: list[judge.Verdict | None] = [None] * len(self)
        for done, index in enumerate(self.year_order(), start=1):
            row = self.derived.row(index)
            verdicts[index] = self.verdict(index, self.outcomes(row), row)
            _report(progress, done, len(self))
        return [verdict for verdict in verdicts if verdict is not None]


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
        skeletons = _Skeletons()
        for done, index in enumerate(run.year_order(), start=1):
            outcomes = run.outcomes(run.derived.row(index))
            self._outcomes[index] = bytes(OUTCOME_CODES[outcome] for outcome in outcomes)
            light[index] = _for_peers(run.level_only(index, outcomes, skeletons))
            _report(progress, done, len(run))
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
        verdict = run.verdict(index, [OUTCOMES[code] for code in self._outcomes[index]])
        peers = self._peers.get((verdict.authority, verdict.year), ())
        assessment = _assessment(verdict, recommend.recommendation(run.rulebook, verdict, peers))
        self._summary.add(assessment)
        return assessment

    def summary(self) -> dict[str, Any]:
        """The summary of the assessments streamed so far: of the whole region once exhausted."""
        return self._summary.as_dict()


class _Skeletons:
    """A flag or gap per trigger with only what judging and choosing peers read."""

    def __init__(self) -> None:
        self.flags: dict[str, Flag] = {}
        self.gaps: dict[str, Gap] = {}

    def flag(self, trigger: Trigger) -> Flag:
        found = self.flags.get(trigger.id)
        if found is None:
            found = self.flags[trigger.id] = Flag(
                trigger.id, trigger.heading, trigger.signal, True, trigger.title, "", (), {}, trigger.area,
                entry=trigger.entry, basis=trigger.basis,
            )
        return found

    def gap(self, trigger: Trigger) -> Gap:
        found = self.gaps.get(trigger.id)
        if found is None:
            found = self.gaps[trigger.id] = Gap(trigger.id, trigger.heading, trigger.title, (), entry=trigger.entry)
        return found


def _for_peers(verdict: judge.Verdict) -> judge.Verdict:
    """A verdict cut down to what choosing peers reads: its level and flags (no gaps, no tally)."""
    return judge.Verdict(
        verdict.authority, verdict.code, verdict.year, verdict.level, verdict.flags, (), Tally.empty(), ()
    )


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done == total or done % 1000 == 0):
        progress(done, total)


def _key(code: str | None, authority: str) -> str:
    """An authority as the store and self-assessments name it: its ONS code, else its name."""
    return code or name_key(authority)


def _assessment(verdict: judge.Verdict, recommendation: recommend.Recommendation) -> AuthorityAssessment:
    return AuthorityAssessment(
        authority=verdict.authority,
        code=verdict.code,
        year=verdict.year,
        level=verdict.level.id,
        level_title=verdict.level.title,
        tier=recommendation.tier.id,
        tier_title=recommendation.tier.title,
        status="provisional",
        flags=verdict.flags,
        gaps=verdict.gaps,
        support=recommendation.support,
        reasons=verdict.deferred_reasons,  # made when read
        peers=recommendation.peers,
        tier_note=recommendation.tier.note,
        coverage=Coverage(
            judged=sum(verdict.tally.judged.values()),
            total=sum(verdict.tally.totals.values()),
            headings={
                heading: Judged(verdict.tally.judged.get(heading, 0), total)
                for heading in HEADINGS
                if (total := verdict.tally.totals.get(heading, 0))
            },
        ),
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
