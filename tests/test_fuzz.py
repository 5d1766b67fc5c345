"""Fuzzing and property tests (Hypothesis).

- Random valid rulebooks over random fact sets: durable-rules and the plain-Python evaluator
  give the same outcome for every trigger and authority.
- Random values of every type in fact sets: a FactsError with locations, or a correct
  assessment; never a crash, never an unchecked value reaching the engine.
- Random bytes, and mutated copies of the shipped YAML files: problems with locations, never
  a traceback.

Each property runs in a child process (durable-rules is C: a crash there must fail the test,
not end the run). The default suite runs a short, repeatable search; `pytest -m slow` a long
one that explores (new examples each run), of `SLI_RULES_LONG_SHARE` (default 1) times its full
count: CI runs a share of it rather than none.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import long_run

ROOT = Path(__file__).resolve().parent.parent

# --- running a property in a child process ----------------------------------------------


def run_isolated(function: str, examples: int, timeout: float = 600, *, explore: bool = False) -> None:
    """Run `function(examples)` from this module in a fresh interpreter; fail on any error,
    crash (signal) or hang, with the child's output in the message."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests import test_fuzz
        test_fuzz.EXPLORE = {explore!r}
        test_fuzz.{function}({examples})
        print("PROPERTY HELD")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
    )
    if done.returncode != 0 or "PROPERTY HELD" not in done.stdout:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
        raise AssertionError(f"{function} failed ({how}):\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}")


EXPLORE = False  # set in the child of a long run


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not EXPLORE,  # the default suite is repeatable; -m slow explores
        suppress_health_check=list(HealthCheck),
    )


# --- random valid rulebooks ---------------------------------------------------------------

NUMBERS = [f"n.m{index}" for index in range(6)]
CATEGORY = "c.level"
LEVELS = ["low", "mid", "high"]
BOOLEAN = "b.flag"
GRID = [-1.0, 0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 10.0, 1e-05, 123456.75]
STATS = ["mean", "median", "min", "max", "q1", "q3", "worst_quartile", "best_quartile"]

literal = st.sampled_from(GRID)
reference = st.one_of(
    literal,
    st.builds(lambda stat: {"region": stat}, st.sampled_from(STATS)),
    st.builds(lambda stat: {"comparators": stat}, st.sampled_from(STATS)),
    st.just({"previous": True}),
    st.builds(lambda fact: {"fact": fact}, st.sampled_from(NUMBERS)),
    st.builds(
        lambda stat, times, plus: {"region": stat, "times": times, "plus": plus},
        st.sampled_from(STATS), st.sampled_from([0.5, 1.0, 1.1]), st.sampled_from([-1.0, 0.0, 2.0]),
    ),
)


def _pair(low: float, high: float) -> list[float]:
    return [min(low, high), max(low, high)]


numeric_test = st.one_of(
    st.builds(lambda op, ref: {op: ref}, st.sampled_from(
        ["above", "below", "at_least", "at_most", "equals", "not_equals", "worse_than", "better_than"]
    ), reference),
    st.builds(lambda op, a, b: {op: _pair(a, b)}, st.sampled_from(["between", "outside"]), literal, literal),
    st.builds(lambda op, values: {op: values}, st.sampled_from(["one_of", "none_of"]),
              st.lists(literal, min_size=1, max_size=3, unique=True)),
    st.builds(lambda present: {"present": present}, st.booleans()),
)
def _fact_test(fact: str, change: str | None, test: dict[str, Any]) -> dict[str, Any]:
    if change and test.get(next(iter(test))) == {"previous": True}:
        change = None  # a change already reads the previous value: not allowed with it
    return {"fact": fact, **({"change": change} if change else {}), **test}


numeric_fact_test = st.builds(
    _fact_test,
    st.sampled_from(NUMBERS), st.sampled_from([None, None, "absolute", "percent"]), numeric_test,
)
category_test = st.builds(
    lambda op, value: {"fact": CATEGORY, op: value},
    st.sampled_from(["equals", "not_equals", "above", "below", "at_least", "at_most"]),
    st.sampled_from(LEVELS),
) | st.builds(lambda values: {"fact": CATEGORY, "one_of": values},
              st.lists(st.sampled_from(LEVELS), min_size=1, max_size=3, unique=True))
boolean_test = st.builds(lambda value: {"fact": BOOLEAN, "equals": value}, st.booleans()) | st.builds(
    lambda present: {"fact": BOOLEAN, "present": present}, st.booleans()
)
count = st.builds(
    lambda facts, where, least: {"count": {"facts": facts, "where": where}, "at_least": least},
    st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=4, unique=True),
    numeric_test.filter(lambda test: "present" not in test),
    st.integers(0, 3),
)
leaf = st.one_of(numeric_fact_test, numeric_fact_test, category_test, boolean_test, count)
condition = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
    ),
    max_leaves=8,
)


def write_rulebook(folder: Path, conditions: list[dict[str, Any]]) -> Path:
    """A minimal complete rulebook around the given trigger conditions."""
    (folder / "triggers").mkdir(parents=True)
    (folder / "menus").mkdir()
    measures = [
        {"id": fact, "name": fact, "better": "higher" if index % 2 else "lower", "group": "n"}
        for index, fact in enumerate(NUMBERS)
    ]
    measures.append({"id": CATEGORY, "name": "level", "type": "category", "values": LEVELS, "better": "higher"})
    measures.append({"id": BOOLEAN, "name": "flag", "type": "boolean"})
    files = {
        "triggers/measures.yaml": {"kind": "measures", "measures": measures},
        "triggers/outcomes.yaml": {
            "kind": "triggers",
            "heading": "outcomes",
            "triggers": [
                {"id": f"t{index}", "title": f"T{index}", "when": when}
                for index, when in enumerate(conditions)
            ],
        },
        "triggers/verdicts.yaml": {
            "kind": "verdicts",
            "levels": [
                {"id": "flagged", "title": "Flagged", "when": {"concerns": {"at_least": 1}}},
                {"id": "clear", "title": "Clear"},
            ],
        },
        "menus/menu.yaml": {
            "kind": "menu",
            "options": [{"id": "help", "title": "Help", "suits": ["outcomes"]}],
            "tiers": [{"id": "all", "title": "All", "verdicts": ["flagged", "clear"], "options": ["help"]}],
        },
    }
    for name, document in files.items():
        (folder / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return folder


maybe_number = st.one_of(st.none(), literal)
authority = st.fixed_dictionaries(
    {
        "facts": st.fixed_dictionaries(
            {fact: maybe_number for fact in NUMBERS}
            | {CATEGORY: st.one_of(st.none(), st.sampled_from(LEVELS)), BOOLEAN: st.one_of(st.none(), st.booleans())}
        ),
        "previous": st.fixed_dictionaries({fact: maybe_number for fact in NUMBERS}),
        "comparators": st.lists(st.integers(0, 7), max_size=3),
    }
)


def make_region(people: list[dict[str, Any]]) -> Any:
    from sli_rules.facts import AuthorityFacts, Region

    names = [f"Council {index}" for index in range(len(people))]
    authorities = []
    for index, person in enumerate(people):
        comparators = tuple(dict.fromkeys(names[other] for other in person["comparators"] if other < len(people)))
        authorities.append(
            AuthorityFacts(
                authority=names[index],
                code=None,
                year="2013-14",
                facts={key: value for key, value in person["facts"].items() if value is not None},
                previous={key: value for key, value in person["previous"].items() if value is not None},
                comparators=comparators,
            )
        )
    return Region(tuple(authorities))


def agreement(examples: int) -> None:
    """durable-rules and the Python evaluator agree on random rulebooks and regions."""
    from sli_rules import Engine, load_rulebook

    @_settings(examples)
    @given(st.lists(condition, min_size=1, max_size=6), st.lists(authority, min_size=1, max_size=8))
    def check(conditions: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            rulebook = load_rulebook(write_rulebook(Path(folder) / "rules", conditions))
        engine = Engine(rulebook)
        region = make_region(people)
        durable = engine.outcomes(region, backend="durable")
        python = engine.outcomes(region, backend="python")
        assert durable == python, (conditions, people, durable, python)
        engine.assess(region)  # and the whole pipeline runs on it

    check()


def many_triggers(examples: int) -> None:
    """Rulebooks big enough to be cut into several rulesets, and triggers that expand into
    many $or branches, agree too: the engine's limits never show."""
    from sli_rules import Engine, load_rulebook

    wide = st.builds(lambda items: {"all": [{"any": items}] * 3}, st.lists(numeric_fact_test, min_size=3, max_size=4))

    @_settings(examples)
    @given(st.lists(st.one_of(condition, wide), min_size=40, max_size=90), st.lists(authority, min_size=2, max_size=5))
    def check(conditions: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            rulebook = load_rulebook(write_rulebook(Path(folder) / "rules", conditions))
        engine = Engine(rulebook)
        region = make_region(people)
        assert engine.outcomes(region, backend="durable") == engine.outcomes(region, backend="python")

    check()


# --- random values of every type ----------------------------------------------------------

odd_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-05, 1e308, -1e308, 5e-324, 1e16, 2.0**53 + 1, float("nan"), float("inf")]),
)
anything = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70), odd_floats,
        st.text(max_size=30),
        st.builds(lambda piece, times: piece * times, st.sampled_from(["a", "\u00e9", "\u2603\x00"]),
                  st.integers(3_000, 10_050)),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=5,
)


def values(examples: int) -> None:
    """Any value for any measure: either a FactsError with locations, or an assessment in
    which every value that was used suited its measure."""
    from sli_rules import Engine, FactsError
    from sli_rules.facts import AuthorityFacts, Region, _Invalid, check_value

    engine = Engine()
    rulebook = engine.rulebook
    measures = sorted(rulebook.measures)

    @_settings(examples)
    @given(st.dictionaries(st.sampled_from(measures), anything, min_size=1, max_size=6), st.booleans())
    def check(facts: dict[str, Any], as_file: bool) -> None:
        if as_file:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "facts.json"
                text = json.dumps({"authority": "Fuzz", "year": "2013-14", "facts": facts}, allow_nan=True)
                path.write_text(text, encoding="utf-8")
                try:
                    result = engine.assess(path)
                except FactsError as error:
                    _located(error.problems)
                    return
        else:
            region = Region((AuthorityFacts("Fuzz", None, "2013-14", facts), AuthorityFacts("Other", None, "2013-14", {})))
            try:
                result = engine.assess(region)
            except FactsError as error:
                _located(error.problems)
                return
        for fact, value in facts.items():
            if value is None or isinstance(value, dict):
                continue  # not known; a mapping is read as dotted fact ids (also checked)
            assert not isinstance(check_value(rulebook.measures[fact], value), _Invalid), (fact, value)
        result.to_dict()

    check()


def _located(problems: list[Any]) -> None:
    assert problems
    for problem in problems:
        assert problem.path and problem.line >= 1 and problem.column >= 1, problem
        assert problem.message


# --- random bytes and mutated files -------------------------------------------------------


def _mutate(data: bytes, rng: random.Random) -> bytes:
    pieces = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        where = rng.randrange(len(pieces) + 1)
        choice = rng.random()
        if choice < 0.3 and pieces:
            del pieces[where : where + rng.randint(1, 20)]
        elif choice < 0.6:
            pieces[where:where] = rng.choice(
                [b":", b"-", b" ", b"\n", b"{", b"[", b"&a", b"*a", b"!!python/object:os.system", b"'", b'"',
                 b"\t", b"\xff", b"\x00", b"1e999", b".nan", b"~", b"? ", b"|", b"<<: "]
            )
        elif pieces:
            start = rng.randrange(len(pieces))
            pieces[where:where] = pieces[start : start + rng.randint(1, 40)]
    return bytes(pieces)


def files(examples: int) -> None:
    """Mutated copies of the shipped rule and fact files, and random bytes: problems with
    locations, never another exception."""
    from sli_rules import Engine, FactsError, RulebookError, load_facts, load_rulebook
    from sli_rules.assessment.engine import example_region_path
    from sli_rules.rules.load import default_rulebook_path

    rules = default_rulebook_path()
    rule_files = sorted(path.relative_to(rules) for path in rules.glob("*/*.yaml"))
    fact_files = sorted(example_region_path().glob("*.yaml"))
    engine = Engine()

    @_settings(examples)
    @given(st.integers(0, 2**32), st.sampled_from(["rules", "facts", "bytes"]))
    def check(seed: int, kind: str) -> None:
        rng = random.Random(seed)
        with tempfile.TemporaryDirectory() as folder:
            base = Path(folder)
            if kind == "rules":
                for folder_name in ("triggers", "menus", "themes"):
                    if (rules / folder_name).is_dir():
                        shutil.copytree(rules / folder_name, base / folder_name)
                target = base / rng.choice(rule_files)
                target.write_bytes(_mutate(target.read_bytes(), rng))
                try:
                    Engine(load_rulebook(base))
                except RulebookError as error:
                    _located(error.problems)
                return
            target = base / "facts.yaml"
            if kind == "facts":
                target.write_bytes(_mutate(rng.choice(fact_files).read_bytes(), rng))
            else:
                target = base / rng.choice(["facts.yaml", "facts.json", "facts.csv"])
                target.write_bytes(rng.randbytes(rng.randint(0, 400)))
            try:
                engine.assess(load_facts(target))
            except FactsError as error:
                _located(error.problems)

    check()


# --- the tests ----------------------------------------------------------------------------


def test_durable_rules_agrees_with_python_on_random_rulebooks() -> None:
    run_isolated("agreement", 150)


def test_large_random_rulebooks_stay_within_the_engines_limits() -> None:
    run_isolated("many_triggers", 10)


def test_values_of_every_type_are_checked_before_the_engine() -> None:
    run_isolated("values", 400)


def test_mutated_and_random_files_give_located_problems() -> None:
    run_isolated("files", 200)


@pytest.mark.slow
def test_long_agreement() -> None:
    run_isolated("agreement", long_run(3000), timeout=3600, explore=True)


@pytest.mark.slow
def test_long_many_triggers() -> None:
    run_isolated("many_triggers", long_run(200), timeout=3600, explore=True)


@pytest.mark.slow
def test_long_values() -> None:
    run_isolated("values", long_run(5000), timeout=3600, explore=True)


@pytest.mark.slow
def test_long_files() -> None:
    run_isolated("files", long_run(2000), timeout=3600, explore=True)


def test_a_crash_in_the_child_fails_the_test() -> None:
    """The isolation itself: a child killed by a signal is reported, not survived silently."""
    with pytest.raises(AssertionError, match="signal"):
        run_isolated("_segfault", 1)


def _segfault(_: int) -> None:
    import ctypes

    ctypes.string_at(0)


def test_peer_matching_keeps_the_sorted_order() -> None:
    """The indexed peer matcher picks exactly what sorting every candidate picks: by area
    first (by heading only when no one offers the area), never the authority itself, one with
    a concern in the same place, or one at its cap; the least asked first, then region order."""
    from types import SimpleNamespace

    from sli_rules.assessment import recommend
    from sli_rules.assessment.results import Flag
    from sli_rules.rules.model import Peers

    limits = Peers(per_authority=2, cap=2)

    def reference(needs: Any, offers: Any) -> dict[str, tuple[Any, ...]]:
        from collections import Counter

        from sli_rules.assessment.results import Peer

        asked: Counter[str] = Counter()
        order = {name: position for position, (name, _, _) in enumerate(offers)}
        found = {}

        def offered(topic: str) -> list[tuple[str, Any, Flag]]:
            made: dict[str, tuple[str, Any, Flag]] = {}
            for name, code, flags in offers:
                for flag in flags:
                    here = f"area:{flag.area}" if topic.startswith("area:") else f"heading:{flag.heading}"
                    if flag.signal == "excellence" and here == topic and (topic != "area:None"):
                        made.setdefault(name, (name, code, flag))
            return list(made.values())

        def troubled(name: str, concern: Flag) -> bool:
            # A concern of its own under the same heading, or in the same area.
            return any(
                flag.heading == concern.heading or (concern.area is not None and flag.area == concern.area)
                for other, _, flags in offers if other == name for flag in flags if flag.signal == "concern"
            )

        for key, flags in needs:
            chosen: list[Peer] = []
            used: set[str] = set()
            for concern in flags:
                if len(chosen) >= limits.per_authority:
                    break
                topics = [f"area:{concern.area}"] if concern.area and offered(f"area:{concern.area}") else []
                topics.append(f"heading:{concern.heading}")
                for topic in topics:
                    candidates = sorted(
                        (
                            (asked[name], order[name], name, code, flag)
                            for name, code, flag in offered(topic)
                            if name != key and name not in used and asked[name] < limits.cap
                            and not troubled(name, concern)
                        ),
                        key=lambda item: (item[0], item[1]),
                    )
                    if candidates:
                        _, _, name, code, flag = candidates[0]
                        chosen.append(Peer(name, code, topic.split(":", 1)[1], flag.trigger, concern.trigger))
                        used.add(name)
                        asked[name] += 1
                        break
            found[key] = tuple(chosen)
        return found

    def flag(signal: str, heading: str, area: str | None, trigger: str) -> Flag:
        return Flag(trigger, heading, signal, True, trigger, "", (), {}, area)

    topics = st.tuples(st.sampled_from(["outcomes", "resources"]), st.sampled_from([None, "a", "b", "c"]))
    names = st.sampled_from([f"N{index}" for index in range(8)])

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(
        st.lists(st.tuples(names, st.lists(topics, max_size=3)), max_size=8, unique_by=lambda item: item[0]),
        st.lists(
            st.tuples(names, st.sampled_from([None, "X1", "X2"]), st.lists(st.tuples(st.booleans(), topics), max_size=4)),
            max_size=8, unique_by=lambda item: item[0],
        ),
    )
    def check(raw_needs: Any, raw_offers: Any) -> None:
        needs = [(key, [flag("concern", h, a, f"c{i}") for i, (h, a) in enumerate(items)]) for key, items in raw_needs]
        offers = [
            (name, code, [flag("excellence" if good else "concern", h, a, f"e{i}") for i, (good, (h, a)) in enumerate(items)])
            for name, code, items in raw_offers
        ]
        rulebook = SimpleNamespace(peers=limits)
        assert recommend.match_peers(rulebook, needs, offers) == reference(needs, offers)  # type: ignore[arg-type]

    check()


def test_numbers_reach_the_engine_in_a_form_it_reads() -> None:
    from sli_rules.assessment.backends import EngineFailure
    from sli_rules.assessment.backends.durable import _number

    for value in [1e-05, 1e16, 5e-324, -0.0, 1.7976931348623157e308, 0.1, 3.0, -2.5e-10]:
        text = _number(value)
        mantissa = text.split("e")[0]
        assert "." in mantissa and float(text) == value
    for value in [math.inf, -math.inf, math.nan]:
        with pytest.raises(EngineFailure):
            _number(value)
