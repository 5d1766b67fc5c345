"""The real workload's targets, each timed side by side with its floor in one run.

    python bench/run.py --only england-json ascof-read board-5000 eight

- england-json: all of England over the seven years of the ASCOF file (1,063 authority-years),
  `sli-rules assess FILE --years all --format json -o FILE` run in-process (the command's own
  code: rulebook, reading, assessing, writing), against the floor: reading the same file with
  the csv module and writing the same JSON document (json.dumps of the dict the command wrote).
  Target: within 1.5 times the floor.
- ascof-read: the ASCOF reader (`read_ascof_csv`, every year) against the csv module reading
  the file. Target: within twice.
- board-5000: `sli-rules report FILE -o report.html` on 5,000 synthetic authorities, as a
  whole process: wall time and peak RSS. Target: under 5 s and 300 MB.
- eight: the eight-trigger job (`bench/eight.py`): the whole assess against the hand-written
  script. Target: within 15 times.

The two sides of a comparison run in turn within every round (several rounds), so that both
meet the same moments of a shared machine; each ratio is given best against best (CPU) and as
the median of the rounds' own ratios.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ASCOF = Path(os.environ.get("SLI_RULES_ASCOF", "/work/shared/data/ascof/ascof-trend-2017-18-to-2023-24.csv"))


def in_turn(rounds: int, *works: Callable[[], Any]) -> list[list[float]]:
    """Each work's CPU seconds in each round, the works run in turn within every round."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(rounds):
        for position, work in enumerate(works):
            started = time.process_time()
            work()
            times[position].append(time.process_time() - started)
    return times


def compared(times: list[list[float]], target: float, what: str) -> dict[str, Any]:
    """The figures of a side-by-side run: best of each, the ratio best against best, the
    median of the rounds' ratios, and whether the target holds."""
    work, floor = times
    best = min(work) / min(floor)
    median = statistics.median(a / b for a, b in zip(work, floor, strict=True))
    return {
        "seconds": min(work),
        "cpu": min(work),
        "floor": min(floor),
        "ratio": best,
        "median_ratio": median,
        "note": f"{what}: {min(work):.3f} s against {min(floor):.3f} s, {best:.2f} times best against best "
        f"(median of {len(work)} rounds {median:.2f}); target {target:g} times: "
        f"{'met' if best <= target else 'NOT met'}",
    }


def _read_with_csv() -> int:
    """The file read with the csv module, its rows kept (as any reader of it keeps them)."""
    with ASCOF.open(newline="", encoding="utf-8") as handle:
        return len(list(csv.reader(handle)))


def scenario_england_json(rounds: int) -> dict[str, Any]:
    from sli_rules.cli import main

    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder) / "england.json"
        command = ["assess", str(ASCOF), "--years", "all", "--format", "json", "-o", str(written)]
        if main(command) != 0:
            raise SystemExit("sli-rules assess failed")
        document = json.loads(written.read_text(encoding="utf-8"))

        def floor() -> None:
            _read_with_csv()
            with open(os.devnull, "w", encoding="utf-8") as sink:
                sink.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

        times = in_turn(rounds, lambda: main(command), floor)
        size = written.stat().st_size
    found = compared(times, 1.5, f"England, 7 years ({len(document['assessments']):,} authority-years, "
                     f"{size / 1e6:.0f} MB of JSON)")
    found["rate"] = len(document["assessments"]) / found["seconds"]
    return found


def scenario_ascof_read(rounds: int) -> dict[str, Any]:
    from sli_rules.errors import Problems
    from sli_rules.facts.ascof import read_ascof_csv
    from sli_rules.facts.factset import ALL_YEARS

    def reader() -> None:
        problems = Problems()
        read_ascof_csv(ASCOF, problems, years=[ALL_YEARS])
        assert not problems.has_errors

    return compared(in_turn(rounds, reader, _read_with_csv), 2.0, f"read_ascof_csv of {ASCOF.name}")


def synthetic_region_file(path: Path, size: int) -> None:
    """`size` synthetic authorities (bench/synth.py) written as one region file."""
    from bench.synth import synthetic_region

    items = [
        {"authority": item.authority, "code": item.code, "year": item.year, "comparators": list(item.comparators),
         "facts": item.facts, "previous": item.previous}
        for item in synthetic_region(size).authorities
    ]
    path.write_text(json.dumps({"kind": "region", "authorities": items}), encoding="utf-8")


def scenario_board(size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        region = Path(folder) / "region.json"
        synthetic_region_file(region, size)
        report = Path(folder) / "report.html"
        environment = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "sli_rules", "report", str(region), "-o", str(report)],
            check=False, capture_output=True, text=True, env=environment,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = usage.ru_maxrss / 1024  # the report's process: the only child waited for
        megabytes = report.stat().st_size / 1e6
    met = wall < 5 and peak < 300
    return {
        "seconds": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rate": size / wall,
        "child_peak": peak,
        "note": f"`sli-rules report` of {size:,} authorities as a whole process: {wall:.1f} s, peak RSS "
        f"{peak:.0f} MiB, {megabytes:.0f} MB of HTML; target under 5 s and 300 MB: {'met' if met else 'NOT met'}",
    }


def scenario_eight(rounds: int, size: int = 1000) -> dict[str, Any]:
    import shutil

    from bench.eight import as_plain, plain_verdicts, region, write_rulebook
    from sli_rules import Engine

    folder = write_rulebook(Path(tempfile.mkdtemp(prefix="sli-eight-")) / "rulebook")
    try:
        engine = Engine(folder)
    finally:
        shutil.rmtree(folder.parent)
    facts = region(size)
    plain = as_plain(facts)
    found = compared(in_turn(rounds, lambda: engine.assess(facts), lambda: plain_verdicts(plain)), 15,
                     f"the eight-trigger job, {size:,} authorities: whole assess against the script")
    found["rate"] = size / found["seconds"]
    return found
