"""The eight-trigger job: the whole `Engine.assess` against a plain script reaching the same verdicts.

    python bench/eight.py [--size N] [--repeat R] [--stages] [--profile]

Eight triggers over eight measures, two under each heading of Table 2 (one of them an area of
excellence), with a fixed threshold, a regional quartile and mean, a comparator mean, a change
on the year before, and `all`/`any`: the shapes most rulebooks are made of. The script below
decides the same triggers by hand, with the same statistics and three-valued logic, counts the
concerns by heading and picks the same verdict level. Both are timed side by side, in turn in
every round, on the same authorities (already in memory), and every authority's level is
checked to agree, so the ratio compares like with like. An assessment's flags and gaps are made
when first read, so the whole assess followed by reading every one of them is timed too.
`--stages` prints where the engine's time goes stage by stage, `--profile` function by function.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sli_rules import Engine  # noqa: E402
from sli_rules.facts import AuthorityFacts, Region  # noqa: E402

YEAR = "2013-14"
MEASURES = {  # id: better
    "job.m1": "higher", "job.m2": "higher", "job.m3": "higher", "job.m4": "lower",
    "job.m5": "lower", "job.m6": "higher", "job.m7": "higher", "job.m8": "lower",
}
TRIGGERS: dict[str, list[dict[str, Any]]] = {
    "outcomes": [
        {"id": "low-m1", "when": {"fact": "job.m1", "worse_than": {"region": "worst_quartile"}}},
        {"id": "low-m2", "when": {"fact": "job.m2", "below": 30}},
    ],
    "resources": [
        {"id": "falling-m3", "when": {"fact": "job.m3", "change": "percent", "below": -10}},
        {"id": "high-m4-and-m5", "when": {"all": [
            {"fact": "job.m4", "above": {"region": "mean"}}, {"fact": "job.m5", "above": 60}]}},
    ],
    "stakeholders": [
        {"id": "m6-behind-comparators", "when": {"fact": "job.m6", "worse_than": {"comparators": "mean"}}},
        {"id": "m7-or-m8-extreme", "when": {"any": [
            {"fact": "job.m7", "below": 15}, {"fact": "job.m8", "above": 85}]}},
    ],
    "intelligence": [
        {"id": "rising-m8", "when": {"fact": "job.m8", "change": "absolute", "above": 20}},
        {"id": "best-m1", "signal": "excellence",
         "when": {"fact": "job.m1", "better_than": {"region": "best_quartile"}}},
    ],
}
VERDICTS = {
    "kind": "verdicts",
    "levels": [
        {"id": "serious_concerns", "title": "Serious concerns",
         "when": {"all": [{"concern_headings": {"at_least": 3}}, {"concern_entries": {"at_least": 4}}]}},
        {"id": "concerns", "title": "Concerns in more than one area",
         "when": {"any": [{"concern_headings": {"at_least": 2}}, {"concern_entries": {"at_least": 3}}]}},
        {"id": "emerging_concerns", "title": "An emerging concern", "when": {"concerns": {"at_least": 1}}},
        {"id": "no_concerns", "title": "No significant concerns"},
    ],
}
MENU = {
    "kind": "menu",
    "options": [
        {"id": "sharing-good-practice", "title": "Sharing good practice", "suits": list(TRIGGERS)},
        {"id": "peer-review", "title": "Peer review", "suits": list(TRIGGERS)},
    ],
    "tiers": [
        {"id": "self_help", "title": "Self help", "verdicts": ["no_concerns", "emerging_concerns"],
         "options": ["sharing-good-practice"]},
        {"id": "targeted_support", "title": "Targeted support", "verdicts": ["concerns"],
         "options": ["peer-review"]},
        {"id": "intervention", "title": "Intervention", "verdicts": ["serious_concerns"],
         "options": ["peer-review"]},
    ],
}


def write_rulebook(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "triggers").mkdir(parents=True)
    (folder / "menus").mkdir()
    (folder / "menus" / "support.yaml").write_text(yaml.safe_dump(MENU, sort_keys=False))
    catalogue = {"kind": "measures", "measures": [
        {"id": fact, "name": f"Measure {fact}", "better": better, "range": [0, 100]}
        for fact, better in MEASURES.items()
    ]}
    (folder / "triggers" / "measures.yaml").write_text(yaml.safe_dump(catalogue, sort_keys=False))
    for heading, triggers in TRIGGERS.items():
        document = {"kind": "triggers", "heading": heading,
                    "triggers": [{"title": trigger["id"], **trigger} for trigger in triggers]}
        (folder / "triggers" / f"{heading}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    (folder / "triggers" / "in-the-round.yaml").write_text(yaml.safe_dump(VERDICTS, sort_keys=False))
    return folder


def region(size: int, seed: int = 8) -> Region:
    rng = random.Random(seed)
    names = [f"Council {index:06d}" for index in range(size)]
    authorities = []
    for index, name in enumerate(names):
        facts = {fact: round(rng.uniform(0, 100), 1) for fact in MEASURES if rng.random() > 0.05}
        previous = {fact: round(rng.uniform(0, 100), 1) for fact in MEASURES if rng.random() > 0.1}
        others = [names[other] for other in rng.sample(range(size), 4) if other != index][:3]
        authorities.append(AuthorityFacts(name, f"E99{index:06d}", YEAR, facts, previous, tuple(others)))
    return Region(tuple(authorities), ("<synthetic>",))


# --- the plain script ----------------------------------------------------------------------

def plain_verdicts(authorities: list[dict[str, Any]]) -> list[str]:
    """Each authority's verdict level, decided by hand: a test on a missing value is unknown
    (None), and unknown is neither flagged nor cleared."""
    def column(fact: str) -> list[float]:
        return [item["facts"][fact] for item in authorities if fact in item["facts"]]

    m1 = column("job.m1")
    m1_q1 = statistics.quantiles(m1, n=4, method="inclusive")[0] if len(m1) > 1 else None
    m4 = column("job.m4")
    m4_mean = statistics.fmean(m4) if len(m4) > 1 else None
    index = {item["name"]: item for item in authorities}
    levels = []
    for item in authorities:
        facts, previous = item["facts"], item["previous"]
        m6 = [other["facts"]["job.m6"] for other in (item, *(index[name] for name in item["comparators"]))
              if "job.m6" in other["facts"]]
        m6_mean = statistics.fmean(m6) if len(m6) > 1 else None
        value = facts.get("job.m1")
        low_m1 = None if value is None or m1_q1 is None else value < m1_q1
        value = facts.get("job.m2")
        low_m2 = None if value is None else value < 30
        now, before = facts.get("job.m3"), previous.get("job.m3")
        falling_m3 = None if now is None or not before else (now - before) / abs(before) * 100 < -10
        m4_high = None if facts.get("job.m4") is None or m4_mean is None else facts["job.m4"] > m4_mean
        m5_high = None if facts.get("job.m5") is None else facts["job.m5"] > 60
        both = False if False in (m4_high, m5_high) else (None if None in (m4_high, m5_high) else True)
        value = facts.get("job.m6")
        behind_m6 = None if value is None or m6_mean is None else value < m6_mean
        m7_low = None if facts.get("job.m7") is None else facts["job.m7"] < 15
        m8_high = None if facts.get("job.m8") is None else facts["job.m8"] > 85
        either = True if True in (m7_low, m8_high) else (None if None in (m7_low, m8_high) else False)
        now, before = facts.get("job.m8"), previous.get("job.m8")
        rising_m8 = None if now is None or before is None else now - before > 20
        flagged = {
            "outcomes": (low_m1 is True) + (low_m2 is True),
            "resources": (falling_m3 is True) + (both is True),
            "stakeholders": (behind_m6 is True) + (either is True),
            "intelligence": int(rising_m8 is True),
        }
        entries, headings = sum(flagged.values()), sum(1 for count in flagged.values() if count)
        if headings >= 3 and entries >= 4:
            levels.append("serious_concerns")
        elif headings >= 2 or entries >= 3:
            levels.append("concerns")
        elif entries >= 1:
            levels.append("emerging_concerns")
        else:
            levels.append("no_concerns")
    return levels


def as_plain(facts: Region) -> list[dict[str, Any]]:
    return [
        {"name": item.authority, "facts": dict(item.facts), "previous": dict(item.previous),
         "comparators": list(item.comparators)}
        for item in facts.authorities
    ]


def stages(engine: Engine, facts: Region, repeat: int) -> str:
    """Where the whole assess goes, stage by stage (CPU, best of `repeat`); what the cyclic
    garbage collector adds (the same assess with it switched off, then on again); and what
    reading every flag and gap in full costs afterwards (they are made when first read)."""
    import gc

    from sli_rules.assessment import recommend
    from sli_rules.assessment.derive import derive
    from sli_rules.assessment.engine import _assessment, _Run
    from sli_rules.facts import bind

    compiled = engine._compiled
    rulebook = compiled.rulebook
    best: dict[str, float] = {}

    def note(name: str, started: float) -> float:
        now = time.process_time()
        best[name] = min(best.get(name, now - started), now - started)
        return now

    for _ in range(repeat):
        started = time.process_time()
        bound = bind(facts, rulebook)
        started = note("bind", started)
        derive(compiled.plan, rulebook, bound)
        started = note("derive", started)
        run = _Run(engine, bound, (), None)  # bound already: binds nothing again
        started = time.process_time()
        decided = list(run.decided())
        started = note("evaluate (durable-rules)", started)
        judged = [run.verdict(index, outcomes) for index, outcomes in decided]
        started = note("judge", started)
        verdicts = [verdict for verdict, _ in judged]
        recommendations = recommend.recommend(rulebook, verdicts)
        started = note("recommend", started)
        assessed = [
            _assessment(verdict, recommendation, findings)
            for (verdict, findings), recommendation in zip(judged, recommendations, strict=True)
        ]
        started = note("assemble the results", started)
        for item in assessed:
            item.flags, item.gaps  # noqa: B018  # made when read
        note("reading every flag and gap (after)", started)
        del bound, run, decided, judged, verdicts, recommendations, assessed
        gc.collect()
        started = time.process_time()
        engine.assess(facts)
        note("whole assess", started)
        gc.disable()
        try:
            started = time.process_time()
            engine.assess(facts)
            note("whole assess, collector off", started)
        finally:
            gc.enable()
    size = len(facts)
    return "\n".join(f"  {name:<36} {seconds * 1e3:8.1f} ms  ({seconds / size * 1e6:.0f} µs per authority)"
                     for name, seconds in best.items())


def side_by_side(repeat: int, *works: Callable[[], Any]) -> tuple[list[list[float]], list[Any]]:
    """Each work's CPU time in each of `repeat` rounds, run in turn within every round so that
    all of them meet the same conditions of a shared machine; and each work's last result."""
    times: list[list[float]] = [[] for _ in works]
    results: list[Any] = [None] * len(works)
    for _ in range(repeat):
        for position, work in enumerate(works):
            started = time.process_time()
            results[position] = work()
            times[position].append(time.process_time() - started)
    return times, results


def read_in_full(facts: Region, engine: Engine) -> Any:
    """The whole assess, then every flag and gap read (they are made when first read)."""
    assessed = engine.assess(facts)
    for item in assessed:
        item.flags, item.gaps  # noqa: B018
    return assessed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000, help="authorities (default 1000)")
    parser.add_argument("--repeat", type=int, default=9, help="rounds, each running both in turn (default 9)")
    parser.add_argument("--profile", action="store_true", help="print the engine's profile too")
    parser.add_argument("--stages", action="store_true", help="print the CPU time of each stage, and the collector's")
    arguments = parser.parse_args()
    folder = write_rulebook(Path(tempfile.mkdtemp(prefix="sli-eight-")) / "rulebook")
    try:
        engine = Engine(folder)
    finally:
        shutil.rmtree(folder.parent)
    facts = region(arguments.size)
    plain = as_plain(facts)
    times, (assessed, levels, _) = side_by_side(
        arguments.repeat,
        lambda: engine.assess(facts),
        lambda: plain_verdicts(plain),
        lambda: read_in_full(facts, engine),
    )
    engine_seconds, plain_seconds, full_seconds = (min(each) for each in times)
    ratios = sorted(engine / plain for engine, plain in zip(times[0], times[1], strict=True))
    disagree = [item.authority for item, level in zip(assessed, levels, strict=True) if item.level != level]
    if disagree:
        print(f"the script and the engine disagree on {len(disagree)} authorities, e.g. {disagree[:3]}")
        return 1
    spread = {level: levels.count(level) for level in sorted(set(levels))}
    print(f"{arguments.size} authorities, 8 triggers; levels {spread}")
    print(f"engine (durable-rules), whole assess: {engine_seconds * 1e3:8.1f} ms CPU "
          f"({engine_seconds / arguments.size * 1e6:.0f} µs per authority)")
    print(f"plain script, same verdicts:          {plain_seconds * 1e3:8.1f} ms CPU "
          f"({plain_seconds / arguments.size * 1e6:.0f} µs per authority)")
    print(f"ratio: {engine_seconds / plain_seconds:.1f} times (best against best; "
          f"median of the {len(ratios)} rounds' ratios {statistics.median(ratios):.1f})")
    print(f"whole assess, then every flag and gap read: {full_seconds * 1e3:8.1f} ms CPU "
          f"({full_seconds / plain_seconds:.1f} times the script)")
    if arguments.stages:
        print(stages(engine, facts, arguments.repeat))
    if arguments.profile:
        profile = cProfile.Profile()
        profile.runcall(engine.assess, facts)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
