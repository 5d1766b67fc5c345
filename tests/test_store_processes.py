"""The store under real processes: several recording and finalising at once lose and duplicate
nothing; one killed with SIGKILL in the middle of `record` leaves no half-written run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

import sli_rules

from .conftest import REPO
from .storage import db  # noqa: F401 (fixture)

pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

from sli_rules.cycle.store.api import Store

YEAR = "2013-14"
WORKER = textwrap.dedent(
    """
    import sys
    import sli_rules
    from sli_rules.cycle.store.api import Store

    db, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rulebook = sli_rules.load_rulebook()
    result = sli_rules.Engine(rulebook).assess(sli_rules.load_facts(sys.argv[4]))
    store = Store(db)
    print("ready", flush=True)
    sys.stdin.readline()  # every worker starts at the same moment
    for round in range(rounds):
        # Another worker's final view may be on the latest run: this run supersedes it.
        store.record(result, rulebook=rulebook, by=name, supersede=f"{name} {round}")
        store.discuss("Halton", "2013-14", note=f"{name} {round}", by=name)
        store.finalise("Halton", "2013-14", level="concerns", reason=f"{name} {round}", by=name)
    print("done", flush=True)
    """
)
# Stops inside record's transaction, after its run row is written and before its verdicts
# are: the moment a crash would leave half a run if writes were not atomic.
STOPS_MID_RECORD = textwrap.dedent(
    """
    import sys, time
    import sqlalchemy as sa
    import sli_rules
    from sli_rules.cycle.store.api import Store

    db = sys.argv[1]
    rulebook = sli_rules.load_rulebook()
    result = sli_rules.Engine(rulebook).assess(sli_rules.load_facts(sys.argv[2]))
    store = Store(db)

    @sa.event.listens_for(store._engine, "after_cursor_execute")
    def stop(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO RUNS"):
            print("mid-record", flush=True)
            time.sleep(600)

    store.record(result, rulebook=rulebook)
    """
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_processes_creating_recording_and_finalising_at_once_lose_and_duplicate_nothing(db: str) -> None:  # noqa: F811
    from .conftest import EXAMPLE

    # The store does not exist yet: the workers race to create it as well as to write.
    names = [f"worker{index}" for index in range(4)]
    rounds = 3
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db, name, str(rounds), str(EXAMPLE)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )
        for name in names
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready", worker.stderr
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        assert out.strip() == "done"
    with Store(db) as store:
        runs = store.runs()
        assert len(runs) == len(names) * rounds
        assert sorted(run.id for run in runs) == list(range(1, len(runs) + 1))
        assert Counter(run.recorded_by for run in runs) == dict.fromkeys(names, rounds)
        exported = store.export()
        events = exported["events"]
        assert len({event["id"] for event in events}) == len(events)
        acts = [event for event in events if event["kind"] in ("discuss", "finalise")]
        assert len(acts) == 2 * len(names) * rounds
        notes = Counter((event["kind"], event["note"]) for event in acts)
        assert all(count == 1 for count in notes.values())
        # A run superseded only what stood on the run before it when it was written.
        for event in events:
            if event["kind"] == "supersede":
                assert event["data"]["run"] < event["run_id"]
        for name in names:
            for round_ in range(rounds):
                assert notes[("discuss", f"{name} {round_}")] == 1
                assert notes[("finalise", f"{name} {round_}")] == 1
        # Every run holds every authority's verdict: none was split between writers.
        (year,) = store.history("Halton").years
        assert len(year.verdicts) == len(runs)
        assert sum(len(store.result(run.id)["assessments"]) for run in runs) == len(runs) * 23


def test_a_process_killed_mid_record_leaves_the_store_as_it_was(
    db: str, default_rulebook: sli_rules.Rulebook  # noqa: F811
) -> None:
    from .conftest import EXAMPLE

    result = sli_rules.Engine(default_rulebook).assess(sli_rules.load_facts(EXAMPLE))
    with Store(db) as store:
        store.record(result, rulebook=default_rulebook)
        store.discuss("Halton", YEAR, note="Before the crash", by="Assessor")
        before = store.export()
    victim = subprocess.Popen(
        [sys.executable, "-c", STOPS_MID_RECORD, db, str(EXAMPLE)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )
    try:
        assert victim.stdout is not None
        line = victim.stdout.readline().strip()
        assert line == "mid-record", victim.stderr.read() if victim.stderr else ""
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    with Store(db) as store:
        assert store.export() == before
        assert [run.id for run in store.runs()] == [1]
        # And the store goes on working: the next run takes the next id free.
        assert store.record(result, rulebook=default_rulebook) >= 2
        assert store.current("Halton", YEAR).run == store.runs()[-1].id
