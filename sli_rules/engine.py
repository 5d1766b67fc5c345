"""The Engine: a rulebook compiled once, then used to assess regions, from any thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

import attrs

from . import judge, recommend
from .derive import derive
from .evaluate import DurableProgram, EngineFailure, Outcome, PythonProgram, Recorder
from .explain import Explainer
from .facts import Region, bind, load_facts, name_key
from .load import load_rulebook, shipped
from .model import HEADINGS, Rulebook, previous_year, year_start
from .plan import Plan, make_plan
from .results import AuthorityAssessment, Coverage, Deferred, Judged, RegionAssessment
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
        (with the record of what decided each trigger, in words), judge, recommend.
        """
        compiled = self._compiled  # one snapshot: a reload meanwhile does not mix rulebooks
        rulebook = compiled.rulebook
        loaded = _as_region(region)
        bound = bind(loaded, rulebook)
        derived = derive(compiled.plan, rulebook, bound)
        own = {(_key(view.code, view.authority), view.year): view for view in self_assessments}
        total = len(bound.authorities)
        # Judged year by year, so that a year's persistent concerns are the year before's.
        order = sorted(range(total), key=lambda index: year_start(bound.authorities[index].year))
        flagged: dict[tuple[str, str], frozenset[str]] = {}
        verdicts: list[judge.Verdict | None] = [None] * total
        for done, index in enumerate(order, start=1):
            item, row = bound.authorities[index], derived.row(index)
            record = compiled.recorder.record(self._run(compiled, row), row, derived.parts_of(index))
            flags, gaps = compiled.explainer.findings(item, record, derived.texts)
            key = _key(item.code, item.authority)
            before = flagged.get((key, previous_year(item.year)))
            if before is None and last_year is not None:  # an authority not in it: not known
                known = last_year.get(key, last_year.get(item.authority))
                before = frozenset(known) if known is not None else None
            view = own.get((key, item.year))
            verdict = judge.judge(
                rulebook, item.authority, item.code, item.year, flags, gaps,
                views={trigger: found.view for trigger, found in view.views.items()} if view else None,
                comments={trigger: found.comment for trigger, found in view.views.items()} if view else None,
                last_year=before,
            )
            verdicts[index] = verdict
            flagged[(key, item.year)] = frozenset(
                flag.trigger for flag in verdict.flags if flag.signal == "concern" and flag.counted
            )
            if progress is not None and (done == total or done % 1000 == 0):
                progress(done, total)
        judged = [verdict for verdict in verdicts if verdict is not None]
        recommendations = recommend.recommend(rulebook, judged)
        return RegionAssessment(
            rulebook_digest=rulebook.digest,
            rulebook_path=rulebook.path,
            assessments=tuple(
                _assessment(verdict, recommendation)
                for verdict, recommendation in zip(judged, recommendations, strict=True)
            ),
            levels=tuple((level.id, level.title) for level in rulebook.levels),
            tiers=tuple((tier.id, tier.title) for tier in rulebook.tiers),
            # Table 2's order, whatever order the rule files were read in.
            headings={heading: rulebook.headings[heading] for heading in HEADINGS if heading in rulebook.headings},
            warnings=tuple(str(problem) for problem in bound.warnings),
        )

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
        reasons=Deferred(lambda: verdict.reasons),  # made when read
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
