"""The benchmark: python bench/run.py [--quick] [--only NAME ...] [--markdown]

Every scenario runs in a fresh subprocess (so that its peak RSS is its own) and prints one
JSON line; this script gathers them into one table. Times are wall clock on an otherwise
idle machine; CPU seconds are shown beside them, since other work on the machine inflates
wall time but hardly CPU time.

Scenarios:
  load            load + compile the default rulebook (durable-rules and Python programs)
  assess-N-B      Engine.assess over N synthetic authority-years (N = 23, 1000, 100000),
                  backend B (durable or python); region made from the example's distributions
  stream-N        Engine.assess_iter over the same, each assessment let go once made
  stream-json-N   the same, each assessment written as JSON (to /dev/null) before it is let go
  evaluate-B      the evaluator alone (derived rows → outcomes), 1000 authorities
  big-load        load + compile a synthetic rulebook of 1,000 triggers over 500 measures
  big-assess-B    that rulebook over 1000 synthetic authorities
  cli             `sli-rules assess` on the example region, wall time of the whole process
  lifetime        100,000 authority assessments (the 23-authority region again and again):
                  RSS after the first 10% and at the end
  reloads         1,000 reloads of a running engine: RSS after 100 and after 1,000
  processes-N     Engine.assess of N authorities split over 2 worker processes
  region-load-F   load_facts of a 50 MB region file in format F (json or yaml): copies of
                  the example's Halton written out in full, about 9,000 authorities
  region-assess-F the same file loaded and assessed by Engine.assess
  england-json    all of England over seven years of the ASCOF file, `sli-rules assess
                  --years all --format json` in-process, against reading the file with the
                  csv module and writing the same JSON (bench/workload.py; target 1.5 times)
  ascof-read      the ASCOF reader against the csv module reading the file (target twice)
  board-5000      `sli-rules report` of 5,000 synthetic authorities, a whole process
                  (target under 5 s and 300 MB)
  eight           the eight-trigger job against the hand-written script (target 15 times)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    """Peak RSS of this process: VmHWM (ru_maxrss would carry the parent's over exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    def __enter__(self) -> Clock:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


# --- scenarios (each runs in its own process) -------------------------------------------


def scenario_load(_: argparse.Namespace) -> dict[str, Any]:
    from sli_rules import Engine, load_rulebook

    with Clock() as loading:
        rulebook = load_rulebook()
    with Clock() as durable:
        Engine(rulebook)
    with Clock() as python:
        Engine(rulebook, backend="python")
    return {
        "seconds": loading.wall + durable.wall,
        "cpu": loading.cpu + durable.cpu,
        "note": f"load {loading.wall:.3f} s, compile durable {durable.wall:.3f} s, "
        f"python {python.wall:.3f} s; {len(rulebook.triggers)} triggers",
    }


def scenario_assess(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.synth import synthetic_region
    from sli_rules import Engine

    size, backend = arguments.size, arguments.backend
    with Clock() as making:
        region = synthetic_region(size)
    engine = Engine(backend=backend)
    with Clock() as clock:
        result = engine.assess(region)
    flags = sum(len(item.flags) for item in result)
    gaps = sum(len(item.gaps) for item in result)
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": size / clock.wall,
        "note": f"{flags / size:.1f} flags, {gaps / size:.1f} gaps per authority "
        f"(region made in {making.wall:.1f} s, not counted)",
    }


def scenario_stream(arguments: argparse.Namespace) -> dict[str, Any]:
    """Engine.assess_iter over N synthetic authority-years, each assessment let go once made;
    with --json each is also written as JSON (to /dev/null), as `sli-rules assess --format
    json` does, every word of it read."""
    from bench.synth import synthetic_region
    from sli_rules import Engine
    from sli_rules.report import json_chunks

    engine = Engine(backend=arguments.backend)
    before = rss_mib()
    with Clock() as making:
        region = synthetic_region(arguments.size)
    held = rss_mib() - before
    written = 0
    with Clock() as clock, open(os.devnull, "w") as sink:
        if arguments.json:
            for chunk in json_chunks(engine.assess_iter(region)):
                sink.write(chunk)
                written += len(chunk)
        else:
            for _ in engine.assess_iter(region):
                pass
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": arguments.size / clock.wall,
        "note": (f"{written / 2**20:,.0f} MiB of JSON written; " if arguments.json else "")
        + f"the region itself holds {held:.0f} MiB (made in {making.wall:.1f} s, not counted)",
    }


def scenario_evaluate(arguments: argparse.Namespace) -> dict[str, Any]:
    """Deciding the triggers alone, as `assess` asks: durable-rules a batch of authorities at a
    time from the packed values, or the Python evaluator one row at a time."""
    from bench.synth import synthetic_region
    from sli_rules import Engine
    from sli_rules.assessment.engine import _Run

    engine = Engine(backend=arguments.backend)
    run = _Run(engine, synthetic_region(arguments.size), (), None)  # bound and derived, not timed
    with Clock() as clock:
        for _ in run.decided():
            pass
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": len(run) / clock.wall,
        "note": f"{clock.wall / len(run) * 1e6:.0f} µs per authority",
    }


def _big_rulebook() -> Path:
    from bench.synth import synthetic_rulebook

    folder = Path(tempfile.gettempdir()) / f"sli-bench-rulebook-{os.getpid()}"
    return synthetic_rulebook(folder, triggers=1000, measures=500)


def scenario_big_load(_: argparse.Namespace) -> dict[str, Any]:
    import shutil

    from sli_rules import Engine, load_rulebook

    folder = _big_rulebook()
    try:
        with Clock() as loading:
            rulebook = load_rulebook(folder)
        with Clock() as compiling:
            engine = Engine(rulebook)
    finally:
        shutil.rmtree(folder)
    durable = engine._compiled.program
    assert engine.backend == "durable"
    return {
        "seconds": loading.wall + compiling.wall,
        "cpu": loading.cpu + compiling.cpu,
        "note": f"load {loading.wall:.2f} s + compile {compiling.wall:.2f} s; "
        f"{len(rulebook.triggers)} triggers in {len(durable.chunks)} rulesets, "
        f"at most {max(len(chunk.slots) for chunk in durable.chunks)} properties a fact",
    }


def scenario_big_assess(arguments: argparse.Namespace) -> dict[str, Any]:
    import shutil

    from bench.synth import synthetic_facts
    from sli_rules import Engine, load_rulebook

    folder = _big_rulebook()
    try:
        rulebook = load_rulebook(folder)
    finally:
        shutil.rmtree(folder)
    engine = Engine(rulebook, backend=arguments.backend)
    region = synthetic_facts(arguments.size, 500)
    with Clock() as clock:
        result = engine.assess(region)
    flags = sum(len(item.flags) for item in result)
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": arguments.size / clock.wall,
        "note": f"{flags / arguments.size:.0f} flags per authority",
    }


def scenario_cli(_: argparse.Namespace) -> dict[str, Any]:
    command = [str(Path(sys.executable).with_name("sli-rules")), "assess"]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "sli_rules", "assess"]
    best = None
    for _ in range(3):
        with Clock() as clock:
            subprocess.run(command, check=True, capture_output=True)
        best = clock.wall if best is None else min(best, clock.wall)
    assert best is not None
    return {"seconds": best, "note": "best of 3, the whole process (start-up included)"}


def scenario_lifetime(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.synth import synthetic_region
    from sli_rules import Engine

    total = arguments.size
    region = synthetic_region(23)
    engine = Engine()
    done = 0
    early = None
    with Clock() as clock:
        while done < total:
            engine.assess(region)
            done += len(region)
            if early is None and done >= total // 10:
                early = rss_mib()
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": done / clock.wall,
        "note": f"{done} assessments; RSS {early:.1f} MiB after 10%, {rss_mib():.1f} MiB at the end",
    }


def scenario_reloads(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.synth import synthetic_region
    from sli_rules import Engine, load_rulebook

    rulebook = load_rulebook()
    engine = Engine(rulebook)
    region = synthetic_region(23)
    total = arguments.size
    early = None
    with Clock() as clock:
        for index in range(total):
            engine.reload(rulebook)
            if index % 100 == 0:
                engine.assess(region)
            if index + 1 == total // 10:
                early = rss_mib()
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": total / clock.wall,
        "note": f"{total} reloads (compile only); RSS {early:.1f} MiB after 10%, "
        f"{rss_mib():.1f} MiB at the end",
    }


def _assess_part(part: Any) -> int:
    from sli_rules import Engine

    return len(Engine().assess(part))


def scenario_processes(arguments: argparse.Namespace) -> dict[str, Any]:
    """Two processes, each assessing half the region.

    Split by comparator group this is exact only if region statistics are taken over the
    whole: the halves here measure what the evaluation itself gains from a second core."""
    import multiprocessing

    from bench.synth import synthetic_region
    from sli_rules.facts import Region

    region = synthetic_region(arguments.size)
    half = len(region.authorities) // 2
    names = {item.authority for item in region.authorities[:half]}
    first = Region(tuple(region.authorities[:half]), region.paths)
    second = Region(tuple(region.authorities[half:]), region.paths)

    def strip(part: Region, keep: set[str], inside: bool) -> Region:
        import attrs

        return Region(
            tuple(
                attrs.evolve(
                    item,
                    comparators=tuple(name for name in item.comparators if (name in keep) == inside),
                )
                for item in part.authorities
            ),
            part.paths,
        )

    parts = [strip(first, names, True), strip(second, names, False)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pool.map(_assess_part, [Region((), ())] * 2)  # start-up not counted
        with Clock() as clock:
            pool.map(_assess_part, parts)
    return {
        "seconds": clock.wall,
        "rate": arguments.size / clock.wall,
        "note": "2 processes, half the region each (start-up and pickling counted)",
    }


def write_region(path: Path, megabytes: int = 50) -> int:
    """A region file of copies of the example's Halton, written one authority at a time (so
    that writing it adds nothing to the peak measured); JSON or YAML by the suffix."""
    import yaml

    example = yaml.safe_load((ROOT / "examples" / "north-west-2013-14" / "halton.yaml").read_text())
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    size = index = 0
    with path.open("w") as out:
        out.write('{"kind": "region", "authorities": [' if path.suffix == ".json" else "kind: region\nauthorities:\n")
        while size < megabytes * 10**6:
            item = {**example, "authority": f"Town {index}", "code": f"E99{index:06d}", "comparators": []}
            if path.suffix == ".json":
                text = (", " if index else "") + json.dumps(item)
            else:
                text = yaml.dump([item], Dumper=dumper, sort_keys=False)
            out.write(text)
            size += len(text)
            index += 1
        if path.suffix == ".json":
            out.write("]}")
    return index


def _region_scenario(arguments: argparse.Namespace, assess: bool) -> dict[str, Any]:
    from sli_rules import Engine, load_facts

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"region.{arguments.format}"
        count = write_region(path)
        megabytes = path.stat().st_size / 10**6
        engine = Engine() if assess else None  # the rulebook's load is not counted
        with Clock() as clock:
            region = load_facts(path)
            if engine is not None:
                engine.assess(region)
    what = "loaded and assessed" if assess else "loaded"
    return {
        "seconds": clock.wall,
        "cpu": clock.cpu,
        "rate": count / clock.wall,
        "note": f"{megabytes:.0f} MB of {arguments.format.upper()}, {count:,} authorities {what}",
    }


def scenario_region_load(arguments: argparse.Namespace) -> dict[str, Any]:
    return _region_scenario(arguments, assess=False)


def scenario_region_assess(arguments: argparse.Namespace) -> dict[str, Any]:
    return _region_scenario(arguments, assess=True)


def scenario_england_json(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.workload import scenario_england_json

    return scenario_england_json(arguments.rounds)


def scenario_ascof_read(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.workload import scenario_ascof_read

    return scenario_ascof_read(arguments.rounds)


def scenario_board(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.workload import scenario_board

    return scenario_board(arguments.size)


def scenario_eight(arguments: argparse.Namespace) -> dict[str, Any]:
    from bench.workload import scenario_eight

    return scenario_eight(arguments.rounds)


SCENARIOS = {
    "load": scenario_load,
    "assess": scenario_assess,
    "stream": scenario_stream,
    "evaluate": scenario_evaluate,
    "big-load": scenario_big_load,
    "big-assess": scenario_big_assess,
    "cli": scenario_cli,
    "lifetime": scenario_lifetime,
    "reloads": scenario_reloads,
    "processes": scenario_processes,
    "region-load": scenario_region_load,
    "region-assess": scenario_region_assess,
    "england-json": scenario_england_json,
    "ascof-read": scenario_ascof_read,
    "board": scenario_board,
    "eight": scenario_eight,
}


def plan(quick: bool) -> list[tuple[str, list[str]]]:
    sizes = [23, 1000] if quick else [23, 1000, 100_000]
    runs: list[tuple[str, list[str]]] = [("load", ["load"]), ("cli", ["cli"])]
    for size in sizes:
        for backend in ("durable", "python"):
            runs.append((f"assess-{size}-{backend}", ["assess", "--size", str(size), "--backend", backend]))
    for size in sizes:
        runs.append((f"stream-{size}", ["stream", "--size", str(size)]))
        runs.append((f"stream-json-{size}", ["stream", "--size", str(size), "--json"]))
    for backend in ("durable", "python"):
        runs.append((f"evaluate-{backend}", ["evaluate", "--size", "1000", "--backend", backend]))
    runs.append(("big-load", ["big-load"]))
    big = "200" if quick else "1000"
    for backend in ("durable", "python"):
        runs.append((f"big-assess-{backend}", ["big-assess", "--size", big, "--backend", backend]))
    runs.append(("lifetime", ["lifetime", "--size", "10000" if quick else "100000"]))
    runs.append(("reloads", ["reloads", "--size", "100" if quick else "1000"]))
    runs.append(("processes", ["processes", "--size", "10000" if quick else "100000"]))
    if not quick:
        for step in ("load", "assess"):
            for form in ("json", "yaml"):
                runs.append((f"region-{step}-{form}", [f"region-{step}", "--format", form]))
    rounds = "3" if quick else "7"
    runs.append(("england-json", ["england-json", "--rounds", rounds]))
    runs.append(("ascof-read", ["ascof-read", "--rounds", rounds]))
    runs.append(("board-5000", ["board", "--size", "5000"]))
    runs.append(("eight", ["eight", "--rounds", "9" if quick else "21"]))
    return runs


def run_child(arguments: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--scenario", *arguments],
        check=False, capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def table(results: list[tuple[str, dict[str, Any]]], markdown: bool) -> str:
    header = ["scenario", "wall s", "CPU s", "per second", "peak RSS MiB", "notes"]
    rows = []
    for name, found in results:
        if "error" in found:
            rows.append([name, "", "", "", "", "FAILED: " + found["error"]])
            continue
        rows.append([
            name,
            f"{found['seconds']:.3f}",
            f"{found['cpu']:.3f}" if "cpu" in found else "",
            f"{found['rate']:,.0f}" if "rate" in found else "",
            f"{found.get('child_peak', found['peak']):.0f}",
            found.get("note", ""),
        ])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    out = []
    for row in [header, *rows]:
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    return "\n".join(out)


def ratios(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for prefix in sorted({name.rsplit("-", 1)[0] for name in results if name.endswith("-durable")}):
        durable, python = results.get(prefix + "-durable"), results.get(prefix + "-python")
        if durable and python and "seconds" in durable and "seconds" in python:
            lines.append(
                f"{prefix}: durable-rules / Python = {durable['seconds'] / python['seconds']:.2f} (wall), "
                f"{durable.get('cpu', 0) / max(python.get('cpu', 1e-9), 1e-9):.2f} (CPU)"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: about a minute")
    parser.add_argument("--only", nargs="*", help="run only scenarios whose name starts with one of these")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="durable", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="json", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=7, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.scenario:
        found = SCENARIOS[arguments.scenario](arguments)
        found["peak"] = peak_mib()
        print(json.dumps(found))
        return 0
    results: list[tuple[str, dict[str, Any]]] = []
    for name, child in plan(arguments.quick):
        if arguments.only and not any(name.startswith(prefix) for prefix in arguments.only):
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append((name, run_child(child)))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.platform()}")
    print(table(results, arguments.markdown))
    for line in ratios(dict(results)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
