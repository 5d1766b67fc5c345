"""The engine seam: backends behind one protocol, durable-rules' messages read in one place,
the Python evaluator where durable-rules' compiled module cannot be imported, and no hang when
an engine dropped in a reference cycle is collected while another thread evaluates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import pytest

import sli_rules
from sli_rules import Engine, SliRulesError
from sli_rules.assessment import backends
from sli_rules.assessment.backends import BackendUnavailable, EngineFailure, EngineFallbackWarning
from sli_rules.assessment.backends.durable import DurableProgram, read_action, released_waiting
from sli_rules.assessment.backends.python import PythonProgram

from .conftest import EXAMPLE, REPO, run_cli

# --- the hang: a finaliser that waited for a lock its own thread held ---------------------

STRESS = """
import faulthandler, gc, json, pathlib, sys, tempfile, threading, time, weakref
sys.path.insert(0, {repo!r})
# A hang fails the test with every thread's stack instead of stopping the run.
faulthandler.dump_traceback_later({deadline}, exit=True)
import sli_rules
from sli_rules import Engine
from sli_rules.assessment.backends.durable import released_waiting
from tests.test_fuzz import NUMBERS, write_rulebook

rulebook = sli_rules.load_rulebook()
region = sli_rules.load_facts({example!r})
# Small engines to drop: many a second, each freed by whichever thread collects next.
small = sli_rules.load_rulebook(
    write_rulebook(pathlib.Path(tempfile.mkdtemp()) / "small", [{{"fact": NUMBERS[0], "above": 1}}])
)

def canonical(result):
    return json.dumps(result.to_dict(), sort_keys=True)

shared = Engine(rulebook)
expected = canonical(shared.assess(region))
failures, made, collected, assessed = [], [0], [0], [0]
finished = threading.Event()  # the engines are all made and dropped

def drop_engines_in_cycles():
    try:
        start = time.monotonic()
        while time.monotonic() - start < {seconds} and made[0] < {most}:
            # Made with the collector off, so that engine and cycle are young garbage that the
            # next collection frees, in whichever thread allocates first: this one waits.
            gc.disable()
            try:
                engine = Engine(small)
                holder = [engine]
                holder.append(holder)
                engine.holder = holder
                gone = threading.Event()
                weakref.finalize(engine, gone.set)
                del engine, holder
            finally:
                gc.enable()
            made[0] += 1
            if gone.wait(10):
                collected[0] += 1
    except BaseException as error:
        failures.append(repr(error))
    finally:
        finished.set()

def assess():
    try:
        while not finished.is_set():
            assert canonical(shared.assess(region)) == expected
            assessed[0] += 1
    except BaseException as error:
        failures.append(repr(error))

threads = [threading.Thread(target=drop_engines_in_cycles)] + [threading.Thread(target=assess) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not failures, failures[:3]
assert made[0] >= 10 and collected[0] == made[0], (made, collected)
assert assessed[0] >= 1, assessed
# The dropped engines' rulesets were queued by their finalisers and are deleted by the next
# engine to run, outside its session.
gc.collect()
assert canonical(shared.assess(region)) == expected
assert released_waiting() == 0, released_waiting()
print("ALL GOOD", made[0], collected[0], assessed[0])
"""


def test_engines_dropped_in_cycles_while_threads_assess_never_hang() -> None:
    """One thread makes and drops engines held in reference cycles while two assess the example
    region: a collection inside an engine's locked section, freeing a dropped engine, once
    waited for ever on its own thread's lock (the code before this seam hung in most runs of
    this test). At most 80 engines or 10 seconds: a few seconds on an idle machine."""
    code = STRESS.format(repo=str(REPO), deadline=60, example=str(EXAMPLE), seconds=10, most=80)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False,
        cwd=REPO,
    )
    assert done.returncode == 0 and "ALL GOOD" in done.stdout, f"{done.stdout[-2000:]}\n{done.stderr[-6000:]}"


def test_a_closed_program_deletes_its_rulesets_and_a_dropped_one_queues_them(default_rulebook) -> None:
    from sli_rules.rules.plan import make_plan

    plan = make_plan(default_rulebook)
    program = DurableProgram(plan)
    assert program.handles
    program.close()
    assert program.handles == [] and released_waiting() == 0
    dropped = DurableProgram(plan)
    count = len(dropped.handles)
    del dropped  # no cycle: freed at once, its finaliser queues (takes no lock)
    assert released_waiting() == count
    DurableProgram(plan).close()  # making or closing a program deletes what is queued
    assert released_waiting() == 0


# --- durable-rules' action messages ---------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        '{"t7":{"m":{"sid":"12","id":"003","__fs":1,"p1":2.0}}}',
        '{ "t7" : { "m" : { "sid": "12", "id": "003", "__fs": 1, "p1": 2.0}}}',  # spaced
        '{"t7":{"m":{"id":"003","p1":2.0,"sid":"12"}}}',  # another order: read as JSON
    ],
)
def test_an_action_message_is_read_in_any_form_json_allows(message: str) -> None:
    assert read_action(message) == ("t7", "12", "003")


@pytest.mark.parametrize(
    "message",
    ['{"t7":{"m":{"sid":"12"}}}', '{"t7":{"m":{"sid":"12","id":"003"}},"f7":{}}', "t7 fired", '{"t7":{"m":[]}}'],
)
def test_a_message_of_another_shape_is_an_engine_failure_not_a_guess(message: str) -> None:
    with pytest.raises(EngineFailure, match="unknown form"):
        read_action(message)


# --- the protocol -----------------------------------------------------------------------------


def test_both_backends_compile_the_same_plan_into_programs_that_agree(default_rulebook, example_region) -> None:
    from sli_rules.assessment.engine import _Run
    from sli_rules.rules.plan import make_plan

    plan = make_plan(default_rulebook)
    durable = backends.backend("durable").compile_plan(plan)
    python = backends.backend("python").compile_plan(plan)
    assert isinstance(durable, DurableProgram) and isinstance(python, PythonProgram)
    engine = Engine(default_rulebook)
    expected = engine.outcomes(example_region)
    run = _Run(engine, example_region, (), None)
    rows = [run.derived.row(index) for index in range(len(run))]
    assert durable.run_many(rows) == expected  # the batch as rows, read column by column
    assert python.run_batch(lambda slot: None, len(rows), lambda: rows) == expected
    durable.close()


def test_an_unknown_backend_or_a_durable_only_question_of_a_python_engine_is_refused(default_rulebook) -> None:
    with pytest.raises(ValueError, match="backend is one of"):
        Engine(default_rulebook, backend="prolog")
    python = Engine(default_rulebook, backend="python")
    with pytest.raises(ValueError, match="evaluates with 'python'"):
        python.outcomes(sli_rules.load_facts(EXAMPLE), backend="durable")


def test_naming_no_backend_where_durable_rules_runs_chooses_it_without_a_warning(default_rulebook) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Engine(default_rulebook).backend == "durable"


# --- durable-rules' compiled module blocked ----------------------------------------------------


@pytest.fixture(scope="module")
def blocked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment in which `import durable_rules_engine` fails, as where it never built."""
    folder = tmp_path_factory.mktemp("blocked")
    (folder / "sitecustomize.py").write_text(
        "import sys\nsys.modules['durable_rules_engine'] = None  # import now raises ImportError\n",
        encoding="utf-8",
    )
    return {"PYTHONPATH": f"{folder}{os.pathsep}{REPO}"}


def test_the_library_works_without_durable_rules_and_warns_that_it_evaluates_in_python(blocked) -> None:
    code = textwrap.dedent(f"""
        import json, warnings
        try:
            import durable_rules_engine
        except ImportError:
            pass
        else:
            raise SystemExit("the compiled module was not blocked")
        import sli_rules
        from sli_rules import Engine, SliRulesError
        from sli_rules.assessment.backends import BackendUnavailable, EngineFallbackWarning

        rulebook = sli_rules.load_rulebook()
        region = sli_rules.load_facts({str(EXAMPLE)!r})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            engine = Engine(rulebook)
        assert engine.backend == "python", engine.backend
        assert [item.category for item in caught] == [EngineFallbackWarning], caught
        assert caught[0].filename == "<string>", caught[0].filename  # the caller's line, not ours
        print("WARNING", caught[0].message)
        try:
            Engine(rulebook, backend="durable")
        except BackendUnavailable as error:
            assert isinstance(error, SliRulesError)
            print("REFUSED", error)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # naming the Python evaluator: no warning
            Engine(rulebook, backend="python")
        print("RESULT", json.dumps(engine.assess(region).to_dict(), sort_keys=True))
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False, cwd=REPO,
        env={**os.environ, **blocked},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in done.stdout.splitlines()}
    warning = lines["WARNING"]
    assert "durable_rules_engine) cannot be imported" in warning
    assert "evaluated by the Python evaluator instead" in warning
    assert lines["REFUSED"].startswith("backend 'durable': durable-rules' compiled module (durable_rules_engine)")
    assert "backend='python'" in lines["REFUSED"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = Engine(sli_rules.load_rulebook(), backend="durable").assess(sli_rules.load_facts(EXAMPLE))
    assert json.loads(lines["RESULT"]) == json.loads(json.dumps(expected.to_dict(), sort_keys=True))


def test_the_command_line_works_without_durable_rules(blocked) -> None:
    with_engine = run_cli("assess", "--format", "json")
    without = run_cli("assess", "--format", "json", env=blocked)
    assert with_engine.returncode == without.returncode == 0, without.stderr
    assert without.stdout == with_engine.stdout
    assert "sli-rules: warning: durable-rules' compiled module (durable_rules_engine) cannot be imported" in (
        without.stderr
    )
    assert "warning" not in with_engine.stderr
    validated = run_cli("validate", env=blocked)
    assert validated.returncode == 0 and validated.stdout.startswith("valid"), validated.stderr
    assert "durable" not in validated.stderr  # validating never needs an engine
    tested = run_cli("test", env=blocked)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_backend_unavailable_is_bad_input_with_its_place_and_a_hint() -> None:
    error = BackendUnavailable([backends._unavailable("No module named 'durable_rules_engine'")])
    assert isinstance(error, SliRulesError)
    assert str(error) == (
        "backend 'durable': durable-rules' compiled module (durable_rules_engine) cannot be imported "
        "(No module named 'durable_rules_engine') (install durable-rules==2.0.28, which builds from source "
        "with a C compiler, or use backend='python')"
    )
    assert issubclass(EngineFallbackWarning, UserWarning)
