"""The store's benchmark: python bench/store.py [--runs N] [--postgres URL]

Prints one line per operation: wall and CPU milliseconds per call, on SQLite (a temporary
file) and, with --postgres (or SLI_RULES_TEST_POSTGRES), on PostgreSQL, in a schema of its own
that is dropped afterwards. The example region (23 authorities) is recorded N times; then the
acts and reads an assessor makes are timed against that history.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sli_rules  # noqa: E402
from sli_rules.cycle.store.api import Store  # noqa: E402
from sli_rules.cycle.store.transfer import check_export  # noqa: E402

YEAR = "2013-14"


def timed(name: str, calls: int, action: Callable[[int], Any]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(calls):
        action(index)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {name:<28} {calls:>5} calls  {1000 * wall / calls:9.2f} ms wall  {1000 * cpu / calls:9.2f} ms CPU")


def scenario(where: str, runs: int) -> None:
    rulebook = sli_rules.load_rulebook()
    result = sli_rules.Engine(rulebook).assess(sli_rules.load_facts(ROOT / "examples" / "north-west-2013-14"))
    timed("open (migrate a new store)", 1, lambda _: Store(where).close())
    with Store(where) as store:
        timed("record (23 authorities)", runs, lambda _: store.record(result, rulebook=rulebook))
        timed("discuss", 50, lambda i: store.discuss("Halton", YEAR, note=f"note {i}", by="Assessor"))
        timed("finalise (override)", 50, lambda i: store.finalise(
            "Halton", YEAR, level="concerns", reason=f"reason {i}", by="Assessor"))
        timed("current", 50, lambda _: store.current("Halton", YEAR))
        timed(f"history ({runs} runs)", 10, lambda _: store.history("Halton"))
        for index, name in enumerate(("Wigan", "Trafford", "Stockport", "Warrington", "Cheshire East")):
            store.offer(name, YEAR, area=("workforce", "outcomes-data", "outcomes", "improvement", "finance")[index],
                        option="buddying", days=5)
        timed("match (5 offers)", 10, lambda _: store.match(YEAR))
        timed("flagged_last_year", 10, lambda _: store.flagged_last_year("2014-15"))
        exported: dict[str, Any] = {}
        timed("export", 3, lambda _: exported.update(store.export()))
        timed("check an export (import's)", 3, lambda _: check_export(exported))
    print(f"  export holds {len(exported['runs'])} runs and {len(exported['events'])} events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("SLI_RULES_TEST_POSTGRES"))
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite")
        scenario(str(Path(folder) / "bench.db"), arguments.runs)
    if arguments.postgres:
        import sqlalchemy as sa

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(arguments.postgres)
        with engine.begin() as connection:
            connection.execute(sa.text(f"create schema {schema}"))
        try:
            print("PostgreSQL")
            separator = "&" if "?" in arguments.postgres else "?"
            scenario(f"{arguments.postgres}{separator}options=-csearch_path%3D{schema}", arguments.runs)
        finally:
            with engine.begin() as connection:
                connection.execute(sa.text(f"drop schema {schema} cascade"))


if __name__ == "__main__":
    main()
