"""Assessing a region of any size in bounded memory: `Engine.assess_iter`, the streamed JSON and
CSV of the command line, and the words of a result written only when read."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import attrs
import pytest

import sli_rules
from sli_rules import Engine, load_facts
from sli_rules.report import render_csv, render_json
from sli_rules.words import Deferred

from .conftest import EXAMPLE, REPO, run_cli

MULTI_YEAR = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24"


@pytest.fixture(scope="module", params=["example", "seven years"])
def region(request: pytest.FixtureRequest) -> sli_rules.Region:
    if request.param == "example":
        return load_facts(EXAMPLE)
    return load_facts(MULTI_YEAR, years="all")


def test_the_stream_gives_what_assess_gives_in_the_same_order(default_engine: Engine, region: sli_rules.Region) -> None:
    whole = default_engine.assess(region)
    stream = default_engine.assess_iter(region)
    # What a writer needs before the first assessment is known at once.
    assert (stream.rulebook_digest, stream.rulebook_path) == (whole.rulebook_digest, whole.rulebook_path)
    assert (stream.levels, stream.tiers, stream.headings) == (whole.levels, whole.tiers, whole.headings)
    assert stream.warnings == whole.warnings
    assert len(stream) == len(whole)
    streamed = list(stream)
    assert [item.to_dict() for item in streamed] == [item.to_dict() for item in whole]
    assert tuple(streamed) == whole.assessments
    assert stream.summary() == whole.summary()
    if len({item.year for item in whole}) > 1:  # persistent concerns carried from year to year
        assert any(flag.last_year for item in streamed for flag in item.flags)


def test_the_stream_keeps_no_assessment_once_the_caller_lets_it_go(default_engine: Engine) -> None:
    stream = default_engine.assess_iter(load_facts(MULTI_YEAR, years="all"))
    seen = []
    for item in stream:
        seen.append(weakref.ref(item))
        del item
    gc.collect()
    assert len(seen) == 162
    assert all(reference() is None for reference in seen)


def test_the_words_of_a_result_are_written_when_first_read(default_engine: Engine) -> None:
    result = default_engine.assess(load_facts(EXAMPLE))
    item = next(item for item in result if item.gaps)
    # Handed over still to be written: flags, gaps and reasons alike, until read.
    assert isinstance(item._reasons, Deferred) and not item._reasons.is_made
    assert item.reasons and all(isinstance(reason, str) for reason in item.reasons)
    assert item._reasons.is_made
    # Once written, a flag and a gap are plain data: words and all, nothing left to call.
    flag = next(flag for item in result for flag in item.flags if len(flag.evidence) > 1)
    gap = item.gaps[0]
    assert isinstance(flag.says, str) and flag.says
    assert gap.why and all(isinstance(reason, str) for reason in gap.why)
    assert all(not callable(value) and not isinstance(value, Deferred) for value in attrs.astuple(flag, recurse=False))
    # Pickled (to another process) with its words written; equal to the original.
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    assert again.to_dict() == result.to_dict()
    assert not any(isinstance(found._flags, Deferred) for found in again)


def test_flags_and_gaps_are_made_when_first_read(default_engine: Engine) -> None:
    """Judging, recommending and the stream's summary read an outline of each flag and gap:
    what decided each trigger, the values and the words are made only for an assessment whose
    flags or gaps are read, and then carry what the judge decided of each flag."""
    region = load_facts(MULTI_YEAR, years="all")
    stream = default_engine.assess_iter(region)
    streamed = list(stream)
    stream.summary()
    assert all(item.level and item.tier and item.coverage for item in streamed)
    assert not any(item._flags.is_made for item in streamed)  # type: ignore[union-attr]
    assert not any(item._gaps.is_made for item in streamed)  # type: ignore[union-attr]
    whole = default_engine.assess(region)
    assert not any(item._flags.is_made for item in whole)  # type: ignore[union-attr]
    flags = [flag for item in whole for flag in item.flags]
    assert flags and all(flag.values for flag in flags if flag.signal == "concern")
    # Marks decided by the judge are on the flags made later: flagged the year before, counted.
    assert any(flag.last_year for flag in flags) and any(flag.last_year is False for flag in flags)
    assert [item.to_dict() for item in streamed] == [item.to_dict() for item in whole]


def test_durable_rules_decides_authorities_in_batches_as_one_at_a_time(tmp_path: Path) -> None:
    """Authorities go to the engine 64 at a time, as facts of one session: across batch
    boundaries, with authorities that have no value at all (no rule of theirs can fire, only
    the batch's closing fact), every outcome is the Python evaluator's."""
    from .conftest import make_rulebook, outcomes_agree

    triggers = [
        {"id": "low", "title": "low", "when": {"fact": "x", "below": 30}},
        {"id": "both", "title": "both", "when": {"all": [{"fact": "x", "above": 10}, {"fact": "y", "below": 50}]}},
        {"id": "either", "title": "either", "when": {"any": [{"fact": "x", "above": 90}, {"fact": "y", "present": False}]}},
    ]
    engine = Engine(make_rulebook(tmp_path, {"outcomes": triggers}))
    authorities = []
    for index in range(200):
        facts: dict[str, float] = {}
        if index % 7:
            facts["x"] = float(index % 100)
        if index % 5:
            facts["y"] = float(index * 37 % 100)
        if 64 <= index < 128:
            facts = {}  # a whole batch with nothing to decide but `absent`
        authorities.append(sli_rules.AuthorityFacts(f"Council {index}", None, "2013-14", facts))
    outcomes = outcomes_agree(engine, sli_rules.Region(tuple(authorities), ("<memory>",)))
    assert len(outcomes) == 200
    assert {tuple(found) for found in outcomes[64:128]} == {(None, None, True)}
    assert any(found[0] is True for found in outcomes) and any(found[0] is False for found in outcomes)


@pytest.mark.parametrize("form", ["json", "csv"])
def test_the_command_line_streams_json_and_csv_exactly_as_rendered_whole(tmp_path: Path, form: str) -> None:
    region = load_facts(MULTI_YEAR, years="all")
    whole = Engine().assess(region)
    expected = render_json(whole) if form == "json" else render_csv(whole)
    written = tmp_path / f"out.{form}"
    done = run_cli("assess", str(MULTI_YEAR), "--years", "all", "--format", form, "-o", str(written), "--progress")
    assert done.returncode == 0, done.stderr
    assert written.read_text(encoding="utf-8") == expected
    assert "written 162/162" in done.stderr  # progress while writing, after judging
    to_stdout = run_cli("assess", str(MULTI_YEAR), "--years", "all", "--format", form)
    assert to_stdout.stdout == expected


def test_an_empty_stream_writes_valid_json(default_engine: Engine) -> None:
    import json

    from sli_rules.report import json_chunks

    text = "".join(json_chunks(default_engine.assess_iter(sli_rules.Region(()))))
    assert text == render_json(default_engine.assess(sli_rules.Region(())))
    assert json.loads(text)["assessments"] == []


def test_streaming_a_large_region_holds_far_less_than_assessing_it_whole(tmp_path: Path) -> None:
    """The same 6,000 synthetic authorities, each assessment's words all read: kept whole, the
    results grow with the region; streamed, only the packed record of the region does."""
    body = """
        import gc, json, sys
        sys.path.insert(0, {root!r})
        from bench.synth import synthetic_region
        from sli_rules import Engine
        from sli_rules.report import json_chunks

        def rss():
            with open("/proc/self/statm") as handle:
                return int(handle.read().split()[1]) * 4096 / 2**20

        engine = Engine()
        region = synthetic_region(6000)
        gc.collect()
        before = rss()
        if sys.argv[1] == "whole":
            result = engine.assess(region)
            for item in result:
                json.dumps(item.to_dict())  # every word read, and kept with its result
        else:
            for chunk in json_chunks(engine.assess_iter(region)):
                pass
        print(rss() - before)
    """
    script = tmp_path / "measure.py"
    script.write_text(textwrap.dedent(body.format(root=str(REPO))))

    def grown(mode: str) -> float:
        done = subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, check=True)
        return float(done.stdout.strip().splitlines()[-1])

    whole, streamed = grown("whole"), grown("stream")
    # Kept whole, equal gaps are one object shared by every authority they are written for,
    # so the whole holds less than it did (about 46 MiB here against 21 MiB streamed).
    assert streamed < whole / 2, (streamed, whole)


def test_the_eight_trigger_benchmark_checks_the_engine_against_its_plain_script() -> None:
    """The job that compares the whole `assess` with a hand-written script: both reach the
    same verdict for every authority (the script exits 1 naming them if not), and the figures
    are printed."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "eight.py"), "--size", "300", "--repeat", "1"],
        capture_output=True, text=True, cwd=REPO, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "300 authorities, 8 triggers" in done.stdout
    levels = done.stdout.split("levels ", 1)[1].splitlines()[0]
    assert all(level in levels for level in ("serious_concerns", "concerns", "emerging_concerns", "no_concerns"))
    assert "ratio:" in done.stdout


def test_words_read_by_many_threads_at_once_are_the_same(default_engine: Engine) -> None:
    """A result shared between threads: each reads the words, some of them first, at once."""
    from concurrent.futures import ThreadPoolExecutor

    expected = default_engine.assess(load_facts(EXAMPLE)).to_dict()
    for _ in range(5):
        shared = default_engine.assess(load_facts(EXAMPLE))
        with ThreadPoolExecutor(max_workers=8) as pool:
            seen = list(pool.map(sli_rules.RegionAssessment.to_dict, [shared] * 8))
        assert all(found == expected for found in seen)


@pytest.mark.parametrize("form", ["json", "csv", "text"])
def test_a_reader_that_stops_early_is_no_error(form: str) -> None:
    """`sli-rules assess ... | head`: the command stops quietly, without a traceback or a
    message, when its reader goes away."""
    import os

    child = subprocess.Popen(
        [sys.executable, "-m", "sli_rules", "assess", str(MULTI_YEAR), "--years", "all", "--format", form],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.read(100)
    child.stdout.close()
    errors = child.stderr.read().decode()
    assert child.wait(timeout=300) == 0, errors
    assert "Traceback" not in errors and "Broken pipe" not in errors, errors
