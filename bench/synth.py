"""Synthetic regions and rulebooks for the benchmark, drawn from the shipped example.

`synthetic_region(n)` makes n authorities whose facts follow the example region's
distributions, measure by measure: how often a fact is missing, its mean and spread (or the
frequencies of its categories), and the year-on-year change. Each authority gets three
comparators. The same seed always gives the same region.

`synthetic_rulebook(folder, triggers, measures)` writes a rulebook of that many triggers over
that many numeric measures, with the shipped verdict policy and menu, and a fact file for it.
"""

from __future__ import annotations

import random
import shutil
import statistics
from pathlib import Path
from typing import Any

import yaml

from sli_rules.assessment.engine import example_region_path
from sli_rules.facts import AuthorityFacts, Region, bind, load_facts
from sli_rules.rules.load import default_rulebook_path, load_rulebook
from sli_rules.rules.model import Measure, Rulebook

YEAR = "2013-14"


class _Model:
    """One measure's distribution in the example region."""

    def __init__(self, measure: Measure, now: list[Any], before: list[Any], size: int) -> None:
        self.measure = measure
        present = [value for value in now if value is not None]
        self.missing = 1 - len(present) / size
        self.missing_before = 1 - sum(value is not None for value in before) / size
        self.choices = present or [None]
        numbers = [value for value in present if isinstance(value, (int, float)) and not isinstance(value, bool)]
        self.numeric = measure.type == "number" and bool(numbers)
        if self.numeric:
            self.mean = statistics.fmean(numbers)
            self.sd = statistics.pstdev(numbers) if len(numbers) > 1 else abs(self.mean) * 0.1
            self.integer = all(isinstance(value, int) for value in numbers)
            changes = [
                b / a if a else 1.0
                for a, b in zip(now, before, strict=True)
                if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a
            ]
            self.ratio_sd = statistics.pstdev(changes) if len(changes) > 1 else 0.05

    def draw(self, rng: random.Random) -> Any:
        if rng.random() < self.missing:
            return None
        if not self.numeric:
            return rng.choice(self.choices)
        return self._fit(rng.gauss(self.mean, self.sd))

    def draw_before(self, rng: random.Random, now: Any) -> Any:
        if rng.random() < self.missing_before:
            return None
        if not self.numeric or now is None:
            return self.draw(rng)
        return self._fit(now * rng.gauss(1.0, self.ratio_sd))

    def _fit(self, value: float) -> float | int:
        if self.measure.range is not None:
            low, high = self.measure.range
            value = min(max(value, low), high)
        return round(value) if self.integer else round(value, 1)


def example_models(rulebook: Rulebook | None = None) -> list[_Model]:
    rulebook = rulebook or load_rulebook()
    region = bind(load_facts(example_region_path()), rulebook)
    size = len(region.authorities)
    models = []
    for measure_id, measure in sorted(rulebook.measures.items()):
        now = [item.facts.get(measure_id) for item in region.authorities]
        before = [item.previous.get(measure_id) for item in region.authorities]
        if all(value is None for value in now):
            continue
        models.append(_Model(measure, now, before, size))
    return models


def synthetic_region(size: int, seed: int = 2014, models: list[_Model] | None = None) -> Region:
    """`size` authorities for 2013-14, drawn from the example region's distributions."""
    rng = random.Random(seed)
    models = models if models is not None else example_models()
    names = [f"Synthetic {index:06d}" for index in range(size)]
    authorities = []
    for index, name in enumerate(names):
        facts: dict[str, Any] = {}
        previous: dict[str, Any] = {}
        for model in models:
            value = model.draw(rng)
            if value is not None:
                facts[model.measure.id] = value
            before = model.draw_before(rng, value)
            if before is not None:
                previous[model.measure.id] = before
        others = rng.sample(range(size), min(4, size))
        comparators = tuple(names[other] for other in others if other != index)[:3]
        authorities.append(
            AuthorityFacts(
                authority=name,
                code=f"E99{index:06d}",
                year=YEAR,
                facts=facts,
                previous=previous,
                comparators=comparators,
            )
        )
    return Region(tuple(authorities), ("<synthetic>",))


def synthetic_rulebook(folder: Path, triggers: int, measures: int, seed: int = 7) -> Path:
    """A rulebook folder of `triggers` triggers over `measures` numeric measures."""
    rng = random.Random(seed)
    shipped = default_rulebook_path()
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "triggers").mkdir(parents=True)
    shutil.copytree(shipped / "menus", folder / "menus")
    shutil.copy(shipped / "triggers" / "in-the-round.yaml", folder / "triggers" / "in-the-round.yaml")
    ids = [f"synthetic.m{index:03d}" for index in range(measures)]
    catalogue = {
        "kind": "measures",
        "measures": [
            {"id": fact, "name": f"Synthetic measure {index}", "better": rng.choice(["higher", "lower"]),
             "range": [0, 100]}
            for index, fact in enumerate(ids)
        ],
    }
    (folder / "triggers" / "measures.yaml").write_text(yaml.safe_dump(catalogue, sort_keys=False))
    headings = ["outcomes", "resources", "stakeholders", "intelligence"]
    # The menu names areas: give each of the shipped triggers' (heading, area) pairs a turn.
    pairs = sorted({(trigger.heading, trigger.area) for trigger in load_rulebook().triggers})
    per_heading: dict[str, list[dict[str, Any]]] = {heading: [] for heading in headings}
    for index in range(triggers):
        heading, area = pairs[index % len(pairs)]
        per_heading[heading].append(
            {
                "id": f"synthetic-{index:04d}",
                **({"area": area} if area else {}),
                "title": f"Synthetic trigger {index}",
                "signal": "excellence" if index % 5 == 0 else "concern",
                "when": _condition(rng, ids),
            }
        )
    for heading, items in per_heading.items():
        document = {"kind": "triggers", "heading": heading, "triggers": items}
        (folder / "triggers" / f"{heading}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return folder


def _condition(rng: random.Random, ids: list[str]) -> dict[str, Any]:
    def test() -> dict[str, Any]:
        fact = rng.choice(ids)
        kind = rng.random()
        if kind < 0.4:
            return {"fact": fact, rng.choice(["above", "below"]): round(rng.uniform(10, 90), 1)}
        if kind < 0.7:
            return {"fact": fact, "worse_than": {"region": rng.choice(["mean", "worst_quartile"])}}
        if kind < 0.85:
            return {"fact": fact, "change": "percent", "below": round(rng.uniform(-20, 0), 1)}
        return {"fact": fact, "worse_than": {"comparators": "mean"}}

    if rng.random() < 0.5:
        return test()
    return {rng.choice(["all", "any"]): [test() for _ in range(rng.randint(2, 4))]}


def synthetic_facts(region_size: int, measures: int, seed: int = 11) -> Region:
    """A region for the synthetic rulebook: every measure drawn uniformly, some missing."""
    rng = random.Random(seed)
    ids = [f"synthetic.m{index:03d}" for index in range(measures)]
    names = [f"Synthetic {index:06d}" for index in range(region_size)]
    authorities = []
    for index, name in enumerate(names):
        facts = {fact: round(rng.uniform(0, 100), 1) for fact in ids if rng.random() > 0.05}
        previous = {fact: round(rng.uniform(0, 100), 1) for fact in ids if rng.random() > 0.1}
        others = [names[other] for other in rng.sample(range(region_size), 4) if other != index][:3]
        authorities.append(
            AuthorityFacts(name, f"E99{index:06d}", YEAR, facts, previous, tuple(others))
        )
    return Region(tuple(authorities), ("<synthetic>",))
