"""Explanations: for a trigger and an authority, the values compared, the message for people,
and, when it could not be judged, what was missing and why.

This stage owns an assessment's flags and gaps in words: `Explainer.later` hands them to the
result still to be written, with what they are written from (the outcomes, an index into the
packed values, what the judge decided of each flag), and writes them, words and all, when
they are first read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..facts import AuthorityFacts
from ..rules.logic import And, Node, Not, Or, kleene_column
from ..rules.model import (
    AllOf,
    Condition,
    Count,
    FactRef,
    FactTest,
    LiteralRef,
    Measure,
    NationalRef,
    NotOf,
    PreviousRef,
    Ref,
    Rulebook,
    Test,
    Trigger,
    year_start,
)
from ..rules.operators import OPERATORS, trend_words
from ..rules.plan import BoundSlot, Plan, RefSlot, Slot, ValueSlot, leaves
from ..words import Deferred, show
from .backends import Outcome
from .derived import Derived
from .evaluate import Record, Recorder
from .gap_words import Situation, TestRead, reasons, situation
from .reference_words import ref_words
from .results import Evidence, Flag, Gap

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
OUTCOME_WORDS = {True: "true", False: "false", None: "unknown"}
Tests = tuple[FactTest | Count, ...]
Shape = tuple[Tests, Tests, tuple[TestRead | None, ...], bool]  # see `Explainer._shape`
Held = tuple[tuple[bool, ...], FactTest | None, Count | None, FactTest | None]  # see `Explainer._held`
SHAPES_KEPT = 100_000  # patterns of a trigger's outcomes kept by an explainer (see `_shape`)
GAPS_KEPT = 20_000  # gaps kept by an explainer to be given again (see `gap`): a few MB at most
Findings = Deferred[tuple[tuple[Flag, ...], tuple[Gap, ...]]]


class Explainer:
    """Turns slot values back into the words and numbers an assessor reads."""

    def __init__(self, rulebook: Rulebook, plan: Plan) -> None:
        self.rulebook = rulebook
        self.plan = plan
        # Each condition as a tree of its tests, made once, found by the condition's identity.
        self._trees: dict[int, Node] = {}
        self.recorder = Recorder(plan)
        # What each trigger's flag shows, in the order written: the facts a test reads, or a
        # count (whose facts that held are known only from the record). Read for every flag,
        # so worked out once.
        self._shown: dict[str, tuple[tuple[str, ...] | Count, ...]] = {
            trigger.id: tuple(
                (test.fact, *(ref.fact for ref in test.test.refs if isinstance(ref, FactRef)))
                if isinstance(test, FactTest) else test
                for test in leaves(trigger.when)
            )
            for trigger in rulebook.triggers
        }
        self._notes: dict[tuple[str, str], str | None] = {}
        # Tables read for every gap and flag, worked out once and found by the identity of a
        # rulebook's condition (hashing a test hashes its whole tree, each time): each test's
        # place among the recorded outcomes; each count's facts as tests of their own (a count
        # no one of whose facts could be judged explains itself fact by fact); each test's
        # references other than literals, with the slot holding their value.
        self._place: dict[int, int] = {}
        self._places: dict[str, tuple[int, ...]] = {
            trigger.id: tuple(plan.test_index[test] for test in leaves(trigger.when)) for trigger in rulebook.triggers
        }
        self._shapes: dict[tuple[Any, ...], Shape] = {}
        self._helds: dict[tuple[Any, ...], Held] = {}
        self._leaves: dict[str, Tests] = {trigger.id: tuple(leaves(trigger.when)) for trigger in rulebook.triggers}
        self._each: dict[int, tuple[FactTest, ...]] = {}
        self._reads: dict[int, TestRead] = {}
        self._count_slot: dict[int, int] = {}
        self._count_words: dict[int, tuple[str, str]] = {}  # by the count's identity: `_counts_said`
        self._years_read: dict[tuple[int, str], tuple[TestRead, ...]] = {}
        self._gaps: dict[tuple[Any, ...], Gap] = {}
        for trigger in rulebook.triggers:
            for test in leaves(trigger.when):
                self._place[id(test)] = plan.test_index[test]
                if isinstance(test, Count):
                    self._count_slot[id(test)] = plan.count_slots[test]
                    self._each[id(test)] = tuple(
                        FactTest(fact, test.change, where, test.location)
                        for fact in test.facts
                        for where in test.wheres
                    )
                for each in self._each.get(id(test), (test,)) if isinstance(test, Count) else (test,):
                    assert isinstance(each, FactTest)
                    self._reads[id(each)] = TestRead.of(each, rulebook.measures[each.fact], plan)

    def decode(self, value: float | None, measure: Measure | None, texts: dict[str, float]) -> Any:
        if value is None or measure is None:
            return value
        if measure.type == "category" and measure.values:
            return measure.values[int(value)]
        if measure.type == "boolean":
            return value == 1.0
        if measure.type == "text":
            for text, code in texts.items():
                if code == value:
                    return text
        return value

    def slot_value(self, slot: Slot, row: Sequence[float | None]) -> float | None:
        return row[self.plan.slot_index[slot]]

    def reference(
        self, test: FactTest, ref: Ref, row: Sequence[float | None], texts: dict[str, float]
    ) -> tuple[str, Any]:
        measure = self.rulebook.measures[test.fact]
        if isinstance(ref, LiteralRef):
            return show(ref.value), ref.value
        value = self.slot_value(RefSlot(test.fact, test.change, ref), row)
        shown_measure = self.rulebook.measures[ref.fact] if isinstance(ref, FactRef) else measure
        decoded = self.decode(value, shown_measure, texts) if not test.change else value
        return f"{ref_words(ref)} {show(decoded)}", decoded

    def subject(self, test: FactTest, row: Sequence[float | None], texts: dict[str, float]) -> Any:
        measure = self.rulebook.measures[test.fact]
        value = self.slot_value(ValueSlot(test.fact, test.change), row)
        return value if test.change else self.decode(value, measure, texts)

    def evidence(self, trigger: Trigger, record: Record, texts: dict[str, float]) -> tuple[Evidence, ...]:
        found = []
        tests = record.tests
        for test, place in zip(self._leaves[trigger.id], self._places[trigger.id], strict=True):
            outcome = tests[place]
            if isinstance(test, FactTest):
                found.append(Evidence(self._test_text(test, record.row, texts), OUTCOME_WORDS[outcome]))
            else:
                found.append(Evidence(self._count_text(test, record, texts), OUTCOME_WORDS[outcome]))
        return tuple(found)

    def _test_text(self, test: FactTest, row: Sequence[float | None], texts: dict[str, float]) -> str:
        measure = self.rulebook.measures[test.fact]
        subject = f"{test.fact}" + (f" ({test.change} change)" if test.change else "")
        value = self.subject(test, row, texts)
        if test.test.op == "present":
            state = "present" if value is not None else "missing"
            return f"{subject} is {state} (wanted {'present' if test.test.present else 'missing'})"
        if test.test.op == "has_national":
            figure = self.slot_value(RefSlot(test.fact, None, NationalRef()), row)
            given = "given" if figure is not None else "not given"
            wanted = "given" if test.test.present else "not given"
            return f"England's figure of {subject} is {given} (wanted {wanted})"
        if test.test.op == "has_counts":
            bound = self.slot_value(BoundSlot(test.fact, "lower", test.test.confidence), row)
            given = "given" if bound is not None else "not given"
            wanted = "given" if test.test.present else "not given"
            return f"the counts behind {subject} are {given} (wanted {wanted})"
        if OPERATORS[test.test.op].reads == "trend":
            words = trend_words(test.test.op, test.test.years, test.test.significant, test.test.confidence)
            return f"{subject} = {show(value)} {words}" + (f" ({measure.name})" if measure.name else "")
        refs = [self.reference(test, ref, row, texts)[0] for ref in test.test.refs]
        if OPERATORS[test.test.op].reads == "interval" and any(isinstance(ref, PreviousRef) for ref in test.test.refs):
            refs = [f"{refs[0]}, the two years taken as samples"]
        unit = "%" if test.change == "percent" else ""
        words = OPERATORS[test.test.op].words
        joined = " and ".join(refs) if OPERATORS[test.test.op].shape == "pair" else ", ".join(refs)
        return f"{subject} = {show(value)}{unit} {words} {joined}" + (f" ({measure.name})" if measure.name else "")

    def _count_text(self, count: Count, record: Record, texts: dict[str, float]) -> str:
        slot = self._count_slot[id(count)]
        outcomes = record.parts[slot]
        counted = [fact for fact, outcome in zip(count.facts, outcomes, strict=True) if outcome is True]
        judged = len(outcomes) - outcomes.count(None)
        said, wanted = self._count_words.get(id(count)) or self._counts_said(count)
        share = f" ({show(len(counted) / judged * 100)}%)" if count.scale == "share" and judged else ""
        text = f"{len(counted)} of the {judged} facts with data{share} {said} (wanted {wanted})"
        if counted:
            text += ": " + ", ".join(counted)
        return text

    def _counts_said(self, count: Count) -> tuple[str, str]:
        """What a count counts and what it wants, in words: the same for every authority, so
        worked out once for each count of the rulebook."""
        said = " and ".join(
            trend_words(where.op, where.years, where.significant, where.confidence, plural=True)
            if OPERATORS[where.op].reads == "trend"
            else OPERATORS[where.op].plural
            + "".join(
                (", " if index else " ") + (show(ref.value) if isinstance(ref, LiteralRef) else ref_words(ref))
                for index, ref in enumerate(where.refs)
            )
            for where in count.wheres
        )
        test = count.test
        if count.scale == "all":
            wanted = "all"
        elif count.scale == "share":
            wanted = f"{test.op.replace('_', ' ')} " + " and ".join(f"{show(number * 100)}%" for number in test.numbers)
        else:
            wanted = f"{test.op.replace('_', ' ')} " + " and ".join(show(number) for number in test.numbers)
        self._count_words[id(count)] = (said, wanted)
        return said, wanted

    def values(self, trigger: Trigger, item: AuthorityFacts, record: Record) -> dict[str, Any]:
        """The facts a flag rests on, with this year's values: those of the tests that decided
        it (for an `any`, the branch that held), not those of a branch that did not, nor those a
        test of what the file gives (counts, England's figure) merely found present."""
        found: dict[str, Any] = {}
        given = item.facts
        rests = self._held(trigger, record)[0]
        for rests_on, shown in zip(rests, self._shown[trigger.id], strict=True):
            if not rests_on:
                continue
            if isinstance(shown, Count):
                outcomes = record.parts[self._count_slot[id(shown)]]
                facts: Sequence[str] = [
                    fact for fact, outcome in zip(shown.facts, outcomes, strict=True) if outcome is True
                ]
            else:
                facts = shown
            for fact in facts:
                if fact not in found and fact in given:
                    found[fact] = given[fact]
        return found

    def year_notes(self, facts: Iterable[str], year: str) -> dict[str, str]:
        """The catalogue's notes on these measures in `year`."""
        found: dict[str, str] = {}
        notes = self._notes
        for fact in facts:
            key = (fact, year)
            if key not in notes:
                measure = self.rulebook.measures.get(fact)
                notes[key] = measure.note_in(year) if measure is not None else None
            if note := notes[key]:
                found[fact] = note
        return found

    def says(self, trigger: Trigger, item: AuthorityFacts, record: Record, texts: dict[str, float]) -> str:
        if not trigger.says:
            return trigger.title
        row = record.row
        _, first_test, first_count, with_reference = self._held(trigger, record)
        values: dict[str, str] = {"authority": item.authority}
        if first_test is not None:
            values["value"] = show(self.subject(first_test, row, texts))
            values["measure"] = self.rulebook.measures[first_test.fact].name
            values["previous"] = show(item.previous.get(first_test.fact))
            values["reference"] = (
                show(self.reference(with_reference, with_reference.test.refs[0], row, texts)[1])
                if with_reference is not None
                else "unknown"
            )
        if first_count is not None:
            parts = record.parts[self._count_slot[id(first_count)]]
            values["count"] = show(float(sum(1 for outcome in parts if outcome is True)))

        def substitute(match: re.Match[str]) -> str:
            token = match.group(0)
            if token in ("{{", "}}"):
                return token[0]
            name = match.group(1)
            if name.startswith("fact:"):
                fact = self.rulebook.resolve(name[5:], item.year) or name[5:]
                return show(item.facts.get(fact))
            return values.get(name, "unknown")

        return PLACEHOLDER.sub(substitute, trigger.says)

    def flag(
        self,
        trigger: Trigger,
        item: AuthorityFacts,
        record: Record,
        texts: dict[str, float],
        counted: bool,
    ) -> Flag:
        """A trigger that held, with its values and words."""
        values = self.values(trigger, item, record)
        return Flag(
            trigger=trigger.id,
            heading=trigger.heading,
            signal=trigger.signal,
            counted=counted,
            title=trigger.title,
            says=self.says(trigger, item, record, texts),
            sources=trigger.sources,
            values=values,
            area=trigger.area,
            notes={fact: item.notes[fact] for fact in values if fact in item.notes} if item.notes else {},
            year_notes=self.year_notes(values, item.year),
            provenance=(
                {fact: source for fact in values if (source := item.source_of(fact)) is not None}
                if item.sources else {}
            ),
            evidence=self.evidence(trigger, record, texts),
            entry=trigger.entry,
            basis=trigger.basis,
        )

    def _held(self, trigger: Trigger, record: Record) -> Held:
        """What a flag's words read of the tests that decided it (`decisive`): for each test,
        whether the flag rests on its facts (it decided the trigger, and tests more than what
        the file gives); the first test and the first count of the branch that held (or of the
        condition, where none did), and the first test with a reference, of that branch where
        it has one, else of the condition as written (a presence test compares with nothing).
        They depend on the trigger's tests' outcomes alone (the key, as `_shape`'s), so each
        pattern is worked out once, up to a bound."""
        key = (trigger.id, *map(record.tests.get, self._places[trigger.id]))
        found = self._helds.get(key)
        if found is None:
            every = self._leaves[trigger.id]
            decisive = self.decisive(trigger.when, record)
            chosen = set(decisive)  # by equality, as a test written twice is either of them
            rests = tuple(
                test in chosen and not all(where.op in _AVAILABILITY for where in _wheres(test)) for test in every
            )
            shown = decisive or list(every)
            found = (
                rests,
                next((t for t in shown if isinstance(t, FactTest)), None),
                next((t for t in shown if isinstance(t, Count)), None),
                next((t for t in [*shown, *every] if isinstance(t, FactTest) and t.test.refs), None),
            )
            if len(self._helds) < SHAPES_KEPT:
                self._helds[key] = found
        return found

    def outcome(self, condition: Condition, record: Record) -> bool | None:
        """A condition's outcome from its tests' recorded outcomes (no value is read again),
        decided by the one three-valued evaluator over a column of one."""
        return kleene_column(self._tree(condition), lambda index: (record.tests.get(index),), 1)[0]

    def _tree(self, condition: Condition) -> Node:
        """A condition as a tree whose leaves are its tests' indexes in the plan."""
        found = self._trees.get(id(condition))
        if found is not None:
            return found
        if isinstance(condition, (FactTest, Count)):
            found = self._place[id(condition)]
        elif isinstance(condition, NotOf):
            found = Not(self._tree(condition.item))
        else:
            items = tuple(self._tree(item) for item in condition.items)
            found = And(items) if isinstance(condition, AllOf) else Or(items)
        self._trees[id(condition)] = found
        return found

    def decisive(self, condition: Condition, record: Record) -> list[FactTest | Count]:
        """The tests that decided a condition's outcome, in the order written: every part of
        an `all` that held, the first part of an `any` that held (and the reverse when false)."""
        if isinstance(condition, (FactTest, Count)):
            return [condition]
        if isinstance(condition, NotOf):
            return self.decisive(condition.item, record)
        outcome = self.outcome(condition, record)
        if outcome is None:
            return []
        every = isinstance(condition, AllOf) == outcome  # an all that held, an any that failed
        if every:
            return [test for item in condition.items for test in self.decisive(item, record)]
        for item in condition.items:
            if self.outcome(item, record) is outcome:
                return self.decisive(item, record)
        return []

    def undecided(self, condition: Condition, record: Record) -> list[FactTest | Count]:
        """The unknown tests that leave a condition unknown, in the order written: none under a
        branch already decided (the significance test of a branch whose counts are not given
        explains nothing)."""
        if isinstance(condition, (FactTest, Count)):
            return [condition] if record.tests.get(self._place[id(condition)]) is None else []
        if isinstance(condition, NotOf):
            return self.undecided(condition.item, record)
        if self.outcome(condition, record) is not None:
            return []
        return [test for item in condition.items for test in self.undecided(item, record)]

    def held(self, condition: Condition, record: Record) -> list[FactTest | Count]:
        """The tests that held in the parts of a condition that held or are unknown: every
        branch of an `any` that held, nothing of a part that failed (the significance branch of
        a trigger whose counts are not given)."""
        if isinstance(condition, (FactTest, Count)):
            return [condition] if record.tests.get(self._place[id(condition)]) is True else []
        if isinstance(condition, NotOf) or self.outcome(condition, record) is False:
            return []
        return [test for item in condition.items for test in self.held(item, record)]

    def findings(
        self, item: AuthorityFacts, record: Record, texts: dict[str, float], judged: Sequence[Flag] | None = None
    ) -> tuple[list[Flag], list[Gap]]:
        """The flags and the gaps of one authority, in the rulebook's order, in words. Each flag
        carries what the judge decided of it (`judged`, the verdict's outline flags in the same
        order: counted, the authority's own view, flagged the year before); without them each
        flag counts until the judge says otherwise."""
        flags: list[Flag] = []
        gaps: list[Gap] = []
        marks = iter(judged) if judged is not None else None
        applies = self.rulebook.applying_in(item.year) if self.rulebook.spans else None
        for position, (trigger, outcome) in enumerate(zip(self.rulebook.triggers, record.outcomes, strict=True)):
            if outcome is False or (applies is not None and not applies[position]):
                continue  # cleared, or not applicable that year: neither flagged, cleared nor a gap
            if outcome is True:
                flag = self.flag(trigger, item, record, texts, counted=True)
                if marks is not None:
                    mark = next(marks)
                    if mark.trigger != trigger.id:
                        raise AssertionError(f"the judged flags are not the record's: {mark.trigger} for {trigger.id}")
                    if (mark.counted, mark.view, mark.view_comment, mark.last_year) != (True, None, None, None):
                        flag = attrs.evolve(
                            flag, counted=mark.counted, view=mark.view, view_comment=mark.view_comment,
                            last_year=mark.last_year,
                        )
                flags.append(flag)
            elif outcome is None:
                gaps.append(self.gap(trigger, item, record, texts))
        if marks is not None and next(marks, None) is not None:
            raise AssertionError("the judged flags are more than the record's")
        return flags, gaps

    def later(
        self,
        derived: Derived,
        index: int,
        item: AuthorityFacts,
        outcomes: tuple[Outcome, ...],
        judged: tuple[Flag, ...],
    ) -> Findings:
        """An authority's flags and gaps (`findings`), to be written when first read: from its
        outcomes, its values in `derived` (at `index`) and what the judge decided of each flag
        (`judged`, the verdict's outline flags)."""
        return Deferred(self._written, derived, index, item, outcomes, judged)

    def _written(
        self,
        derived: Derived,
        index: int,
        item: AuthorityFacts,
        outcomes: tuple[Outcome, ...],
        judged: tuple[Flag, ...],
    ) -> tuple[tuple[Flag, ...], tuple[Gap, ...]]:
        record = self.recorder.record(outcomes, derived.row(index), derived.parts_of(index), (derived, index))
        flags, gaps = self.findings(item, record, derived.texts, judged)
        return tuple(flags), tuple(gaps)

    def gap(self, trigger: Trigger, item: AuthorityFacts, record: Record, texts: dict[str, float]) -> Gap:
        """A trigger that could not be judged; what was missing, and why, and what could be
        judged. A region's gaps repeat a few patterns, so each gap written is kept (up to a
        bound) and given again, the same object, wherever the same words are due."""
        shape, (undecided, held, reads, facts_alone) = self._shape(trigger, record)
        row = record.row
        year = item.year
        found: list[Situation | tuple[int, tuple[Situation, ...] | None]]
        if facts_alone:  # no count among the unknown tests (most gaps): a situation each
            found = [situation(read, item, row) for read in reads]  # type: ignore[arg-type]
        else:
            found = []
            for test, read in zip(undecided, reads, strict=True):
                if read is not None:
                    found.append(situation(read, item, row))
                    continue
                assert isinstance(test, Count)
                parts = record.parts[self._count_slot[id(test)]]
                decided = len(parts) - parts.count(None)
                if decided and test.min_data > decided:
                    found.append((decided, None))
                else:
                    found.append((decided, tuple([situation(read, item, row) for read in self._in_year(test, year)])))
        # What could be judged, with its values: a rise whose explanation is not on record
        # shows the rise, so that the assessor knows what to ask about.
        known = tuple(
            self._test_text(test, row, texts) if isinstance(test, FactTest) else self._count_text(test, record, texts)
            for test in held
        ) if held else ()
        # The key is complete: the words are written by `_gap_words` from the trigger (named
        # in `shape`, with each of its tests' outcomes, which decide `undecided`), the year
        # and the situations alone (each complete for its test: `gap_words.situation`), and
        # `known` is the text itself; nothing else of the authority or its values is read.
        key = (shape, year, tuple(found), known)
        gap = self._gaps.get(key)
        if gap is None:
            missing, why = self._gap_words(undecided, year, found)
            gap = Gap(trigger.id, trigger.heading, trigger.title, missing, why, known, trigger.entry)
            if len(self._gaps) >= GAPS_KEPT:
                self._gaps.clear()  # bounded, for a host that runs for ever on a wide rulebook
            self._gaps[key] = gap
        return gap

    def gap_reasons(
        self, trigger: Trigger, item: AuthorityFacts, record: Record, texts: dict[str, float]
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The facts missing, why the trigger could not be judged, and what could be judged."""
        gap = self.gap(trigger, item, record, texts)
        return gap.missing, gap.why, gap.known

    def _gap_words(
        self,
        undecided: Tests,
        year: str,
        found: Sequence[Situation | tuple[int, tuple[Situation, ...] | None]],
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The facts missing and why, for the unknown tests in their situations in `year`."""
        missing: list[str] = []
        why: list[str] = []
        for test, each in zip(undecided, found, strict=True):
            if isinstance(test, FactTest):
                reasons(self._reads[id(test)], each, year, missing, why)
                continue
            decided, parts = each
            if parts is None:
                why.append(
                    f"only {decided} of the {len(test.facts)} counted facts could be judged this year, fewer "
                    f"than the {test.min_data} the count needs (min_data): a pattern is never read from fewer"
                )
                continue
            why.append(f"none of the {len(test.facts)} counted facts could be judged")
            for read, part in zip(self._in_year(test, year), parts, strict=True):
                reasons(read, part, year, missing, why)
        return tuple(missing), tuple(dict.fromkeys(why))

    def _in_year(self, count: Count, year: str) -> tuple[TestRead, ...]:
        """A count's facts as tests, those measured in `year` (the absence of another year's
        measure explains nothing)."""
        key = (id(count), year)
        found = self._years_read.get(key)
        if found is None:
            start = year_start(year)
            found = tuple(
                self._reads[id(each)]
                for each in self._each[id(count)]
                if not (
                    ((measure := self.rulebook.measures[each.fact]).since is not None and start < measure.since)
                    or (measure.until is not None and start > measure.until)
                )
            )
            if len(self._years_read) >= SHAPES_KEPT:
                self._years_read.clear()
            self._years_read[key] = found
        return found

    def _shape(self, trigger: Trigger, record: Record) -> tuple[tuple[Any, ...], Shape]:
        """The unknown tests that leave a trigger unknown, those that held, what the situation
        of each unknown test reads (None for a count) and whether none of them is a count, with
        the key they were found by: they depend on its tests' outcomes alone, and a region's
        gaps repeat a few patterns of them, so each pattern is worked out once (up to a bound,
        for a host that runs for ever on a rulebook of wide triggers)."""
        key = (trigger.id, *map(record.tests.get, self._places[trigger.id]))
        found = self._shapes.get(key)
        if found is None:
            undecided = tuple(self.undecided(trigger.when, record))
            found = (
                undecided, tuple(self.held(trigger.when, record)),
                tuple(self._reads[id(test)] if isinstance(test, FactTest) else None for test in undecided),
                not any(isinstance(test, Count) for test in undecided),
            )
            if len(self._shapes) < SHAPES_KEPT:
                self._shapes[key] = found
        return key, found


def _add(missing: list[str], fact: str) -> None:
    if fact not in missing:
        missing.append(fact)


# Tests of what a file gives rather than of performance: a flag does not rest on their facts.
_AVAILABILITY = frozenset({"has_counts", "has_national"})


def _wheres(test: FactTest | Count) -> tuple[Test, ...]:
    return test.wheres if isinstance(test, Count) else (test.test,)
