"""Unit tests of the stages, so that a failure names its stage: the operator table, the
three-valued logic, deriving statistics and changes, and judging."""

from __future__ import annotations

import itertools
from pathlib import Path

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import sli_rules
from sli_rules.assessment import judge
from sli_rules.assessment.derive import _tally, change_of, stat
from sli_rules.assessment.derived import OUTCOME_CODES
from sli_rules.rules.logic import (
    COMPARISONS,
    And,
    Atom,
    Node,
    Not,
    Or,
    evaluate,
    evaluate_column,
    evaluate_rows,
    kleene_column,
)
from sli_rules.rules.model import Measure
from sli_rules.rules.operators import OPERATORS
from sli_rules.rules.policy import LevelChooser, Tally, choose_level

from .conftest import MEASURES, make_rulebook

GRID = [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0]


# --- the operator table --------------------------------------------------------------


class _Lowering:
    """Slots: 0 the value, 1 and 2 an interval's lower and upper bounds, 3 and 4 whether the
    value worsened and improved year on year."""

    def __init__(self, operands: tuple[float, ...]) -> None:
        self.atoms: list[Atom] = []
        self.operands = operands

    def _add(self, atom: Atom) -> Node:
        self.atoms.append(atom)
        return len(self.atoms) - 1

    def compare(self, kind: str, operand: int, subject: str = "value") -> Node:
        return self._add(Atom(kind, {"value": 0, "lower": 1, "upper": 2}[subject], None, self.operands[operand]))

    def present(self, flag: bool, subject: str = "value") -> Node:
        return self._add(Atom("present" if flag else "absent", {"value": 0, "lower": 1, "upper": 2}[subject]))

    def holds(self, subject: str) -> Node:
        return self._add(Atom("eq", {"worse": 3, "better": 4}[subject], None, 1.0))


VALUE_OPERATORS = [name for name, op in OPERATORS.items() if op.reads == "value" and op.shape != "flag"]
INTERVAL_OPERATORS = [name for name, op in OPERATORS.items() if op.reads == "interval" and op.shape != "flag"]


@pytest.mark.parametrize("name", VALUE_OPERATORS)
@pytest.mark.parametrize("better", ["higher", "lower"])
def test_each_operator_lowers_to_atoms_that_mean_what_it_decides(name: str, better: str) -> None:
    """The two descriptions of an operator, its lowering and its meaning on numbers, agree
    everywhere on a grid: a wrong entry in the table cannot hide behind the other."""
    op = OPERATORS[name]
    sizes = {"value": [1], "pair": [2], "list": [1, 2, 3]}[op.shape]
    for size in sizes:
        for operands in itertools.product(GRID, repeat=size):
            if op.shape == "pair" and operands[0] > operands[1]:
                continue
            lowering = _Lowering(operands)
            tree = op.lower(lowering, size, better, True)
            for subject in GRID:
                lowered = evaluate(tree, lowering.atoms, [subject, None, None, None, None])
                assert lowered == op.decide(subject, operands, better), (name, better, subject, operands)


@pytest.mark.parametrize("name", INTERVAL_OPERATORS)
@pytest.mark.parametrize("better", ["higher", "lower"])
def test_each_significance_test_reads_the_bound_that_decides_it(name: str, better: str) -> None:
    op = OPERATORS[name]
    for reference in GRID:
        lowering = _Lowering((reference,))
        tree = op.lower(lowering, 1, better, True)
        for low, high in itertools.combinations_with_replacement(GRID, 2):
            lowered = evaluate(tree, lowering.atoms, [None, low, high, None, None])
            assert lowered == op.decide((low, high), (reference,), better), (name, better, low, high, reference)
    # By hand: an interval wholly below a higher-is-better reference is significantly worse.
    assert OPERATORS["significantly_worse_than"].decide((1.0, 2.0), (3.0,), "higher")
    assert not OPERATORS["significantly_worse_than"].decide((1.0, 3.0), (3.0,), "higher")  # touching is not
    assert OPERATORS["significantly_better_than"].decide((1.0, 2.0), (3.0,), "lower")


def test_trends_read_the_years_in_order_by_polarity() -> None:
    worsening, improving = OPERATORS["worsening"], OPERATORS["improving"]
    assert worsening.decide((30.0, 20.0, 10.0), (), "higher") and not worsening.decide((30.0, 20.0, 10.0), (), "lower")
    assert improving.decide((30.0, 20.0, 10.0), (), "lower")
    assert not worsening.decide((30.0, 30.0, 10.0), (), "higher")  # a year without change breaks the run
    for name, slot in (("worsening", 3), ("improving", 4)):
        lowering = _Lowering(())
        tree = OPERATORS[name].lower(lowering, 0, "higher", True)
        row: list[float | None] = [None] * 5
        assert evaluate(tree, lowering.atoms, row) is None
        row[slot] = 1.0
        assert evaluate(tree, lowering.atoms, row) is True
        row[slot] = 0.0
        assert evaluate(tree, lowering.atoms, row) is False


def test_counts_given_lowers_to_a_test_of_the_interval_never_unknown() -> None:
    for flag in (True, False):
        lowering = _Lowering(())
        tree = OPERATORS["has_counts"].lower(lowering, 0, "higher", flag)
        assert evaluate(tree, lowering.atoms, [50.0, 40.0, 60.0, None, None]) is flag
        assert evaluate(tree, lowering.atoms, [50.0, None, None, None, None]) is (not flag)


def test_presence_lowers_to_a_test_never_unknown() -> None:
    for flag in (True, False):
        lowering = _Lowering(())
        tree = OPERATORS["present"].lower(lowering, 0, "none", flag)
        assert evaluate(tree, lowering.atoms, [1.0]) is flag
        assert evaluate(tree, lowering.atoms, [None]) is (not flag)


def test_operator_words_read_as_english() -> None:
    assert OPERATORS["above"].plural == "are above"
    assert OPERATORS["not_equals"].plural == "do not equal"
    assert OPERATORS["between"].say_numbers(["1", "2"]) == "between 1 and 2"
    assert OPERATORS["one_of"].say_numbers(["1", "2", "3"]) == "one of 1, 2, 3"
    assert OPERATORS["at_least"].say_numbers(["3"]) == "≥ 3"


# --- three-valued logic --------------------------------------------------------------

THREE = [True, False, None]


def test_kleene_tables() -> None:
    for a, b in itertools.product(THREE, repeat=2):
        expected_and = False if False in (a, b) else (None if None in (a, b) else True)
        expected_or = True if True in (a, b) else (None if None in (a, b) else False)
        leaves = (a, b)
        assert kleene_column(And((0, 1)), lambda index, leaves=leaves: [leaves[index]], 1) == [expected_and]
        assert kleene_column(Or((0, 1)), lambda index, leaves=leaves: [leaves[index]], 1) == [expected_or]
    assert kleene_column(Not(0), lambda index: THREE, 3) == [False, True, None]
    assert kleene_column(And(()), lambda index: [], 2) == [True, True]
    assert kleene_column(Or(()), lambda index: [], 2) == [False, False]


def _trees(depth: int) -> st.SearchStrategy[Node]:
    leaf = st.integers(min_value=0, max_value=3)
    if depth == 0:
        return leaf
    inner = _trees(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(inner, max_size=3).map(lambda items: Or(tuple(items))),
        inner.map(Not),
    )


ATOMS = [Atom("gt", 0, None, 1.0), Atom("le", 0, 1), Atom("present", 1), Atom("eq", 1, None, 2.0)]


def _truth(node: Node, row: list[float | None]) -> bool | None:
    """The test's own reading of a tree over one row, by the truth tables (the oracle)."""
    if isinstance(node, int):
        atom = ATOMS[node]
        left = row[atom.left]
        if atom.op == "present":
            return left is not None
        right = atom.literal if atom.right is None else row[atom.right]
        return None if left is None or right is None else COMPARISONS[atom.op].holds(left, right)
    if isinstance(node, Not):
        inner = _truth(node.item, row)
        return None if inner is None else not inner
    found = [_truth(item, row) for item in node.items]
    decisive = isinstance(node, Or)
    return decisive if decisive in found else (None if None in found else not decisive)


@given(_trees(3), st.lists(st.lists(st.sampled_from([None, 0.0, 1.0, 2.0]), min_size=2, max_size=2), min_size=1, max_size=4))
def test_one_row_and_every_row_are_decided_alike(tree: Node, rows: list[list[float | None]]) -> None:
    columns = [list(column) for column in zip(*rows, strict=True)]
    column = evaluate_column(tree, ATOMS, columns, len(rows))
    assert [each[0] for each in evaluate_rows([tree], ATOMS, rows)] == column
    for row, by_column in zip(rows, column, strict=True):
        assert evaluate(tree, ATOMS, row) == by_column == _truth(tree, row)


# --- deriving -------------------------------------------------------------------------


def _measure(better: str) -> Measure:
    return Measure("m", "m", "number", None, better, None, (), None, None, None, None, None, frozenset(), ("", 1, 1))


def test_region_statistics() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    higher, lower = _measure("higher"), _measure("lower")
    assert stat(values, "mean", higher) == 30.0
    assert stat(values, "q1", higher) == 20.0 and stat(values, "q3", higher) == 40.0
    assert stat(values, "worst_quartile", higher) == 20.0 and stat(values, "worst_quartile", lower) == 40.0
    assert stat(values, "best_quartile", higher) == 40.0 and stat(values, "best_quartile", lower) == 20.0
    assert stat([5.0], "mean", higher) is None  # fewer than two values


@given(st.integers(1, 6).flatmap(
    lambda size: st.lists(st.binary(min_size=size, max_size=size).map(lambda raw: bytes(code % 3 for code in raw)), max_size=300)
    .map(lambda columns: (size, columns))
))
@example((3, [bytes([1, 0, 2])] * 300))  # more facts than a byte can count: counted one by one
def test_a_count_tallies_each_authority_across_its_columns(case: tuple[int, list[bytes]]) -> None:
    size, columns = case  # one column of outcome codes per fact, one byte per authority
    for outcome in (True, False):
        expected = [sum(column[authority] == OUTCOME_CODES[outcome] for column in columns) for authority in range(size)]
        assert list(_tally(columns, outcome, size)) == expected


def test_changes() -> None:
    assert change_of(12.0, 10.0, "absolute") == 2.0
    assert change_of(12.0, 10.0, "percent") == pytest.approx(20.0)
    assert change_of(-12.0, -10.0, "percent") == pytest.approx(-20.0)  # against the size of the base
    assert change_of(1.0, 0.0, "percent") is None
    assert change_of(None, 1.0, "absolute") is None


# --- judging --------------------------------------------------------------------------

GATED = {"id": "g", "title": "gated", "when": {"fact": "x", "above": 0}, "only_with_other_concerns": True}
PLAIN = {"id": "p", "title": "plain", "when": {"fact": "y", "above": 0}}
SIBLING = {"id": "s", "title": "sibling", "when": {"fact": "y", "above": 0}, "only_with_other_concerns": True}


def _flag(trigger: str) -> sli_rules.Flag:
    return sli_rules.Flag(trigger, "outcomes", "concern", True, trigger, trigger, (), {})


def test_a_gated_flag_counts_only_beside_an_ungated_concern(tmp_path: Path) -> None:
    rulebook = sli_rules.load_rulebook(make_rulebook(tmp_path, {"outcomes": [GATED, PLAIN, SIBLING]}))
    alone = judge.counted(rulebook, [_flag("g")])
    assert [flag.counted for flag in alone] == [False]
    two_gated = judge.counted(rulebook, [_flag("g"), _flag("s")])
    assert [flag.counted for flag in two_gated] == [False, False]
    beside = judge.counted(rulebook, [_flag("g"), _flag("p")])
    assert [flag.counted for flag in beside] == [True, True]


def test_the_first_level_that_holds_is_chosen(tmp_path: Path) -> None:
    rulebook = sli_rules.load_rulebook(make_rulebook(tmp_path, {"outcomes": [PLAIN]}, measures=MEASURES))
    levels = rulebook.levels
    assert choose_level(levels, Tally.empty()).id == "none"
    assert choose_level(levels, Tally({"outcomes": 1}, {}, 0, frozenset())).id == "emerging"
    assert choose_level(levels, Tally({"outcomes": 2}, {}, 0, frozenset())).id == "concerns"
    assert choose_level(levels, Tally({"outcomes": 2, "resources": 1}, {}, 0, frozenset())).id == "serious"


HEADING_IDS = ("outcomes", "resources", "stakeholders", "intelligence")
per_heading = st.dictionaries(st.sampled_from(HEADING_IDS), st.integers(0, 6))
tallies = st.builds(
    Tally,
    concerns=per_heading,
    excellence=per_heading,
    gaps=st.integers(0, 40),
    flagged=st.frozensets(st.sampled_from(["t2-01-a", "t2-02", "t2-05", "safety", "x"])),
    entries=st.dictionaries(
        st.sampled_from(HEADING_IDS), st.frozensets(st.sampled_from([f"t2-{n:02d}" for n in range(1, 22)]))
    ),
    judged=per_heading,
    totals=st.fixed_dictionaries({heading: st.integers(0, 12) for heading in HEADING_IDS}),
    unacknowledged=st.integers(0, 5),
    persistent=st.integers(0, 5),
)
SHIPPED_LEVELS = sli_rules.load_rulebook().levels


@given(tallies)
def test_the_policy_worked_out_once_chooses_as_the_policy_read_each_time(tally: Tally) -> None:
    # The shipped policy reads every kind of count (coverage, entries, headings, persistent...).
    assert LevelChooser(SHIPPED_LEVELS)(tally) is choose_level(SHIPPED_LEVELS, tally)


def test_reasons_name_the_condition_that_held_with_its_numbers(tmp_path: Path) -> None:
    rulebook = sli_rules.load_rulebook(make_rulebook(tmp_path, {"outcomes": [PLAIN]}))
    verdict = judge.judge(rulebook, "A", None, "2013-14", [_flag("p")], [])
    assert verdict.level.id == "emerging"
    assert verdict.reasons[0] == "Emerging: counted concerns ≥ 1 (found 1)"
    assert verdict.reasons[1] == "Evidence judged: 1 of 1 concern triggers (100%), under 1 of 1 headings (Outcomes 1 of 1)"
    assert verdict.reasons[2] == "Concerns under Outcomes: p"
    assert attrs.evolve(verdict, reasons=()).reasons == ()
