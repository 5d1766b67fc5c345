"""Fact files are read without recording where each value was written, and places are found
when asked for: the data, the problems and every place found must be those of the reader
that records them all as it reads (the one rule files use)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sli_rules
from sli_rules.errors import Problems
from sli_rules.rules.source import Document, load_documents

ROOT = Path(__file__).resolve().parent.parent

TRICKY = {
    "duplicates.yaml": "authority: A\nyear: 2013-14\nfacts:\n  a: 1\n  a: 2\n  b: {c: 1, c: 3}\n",
    "merge-key.yaml": "base: &b {x: 1}\nfacts:\n  <<: *b\n  y: 2\n",
    "object-tag.yaml": "authority: !!python/object:os.system x\nfacts: {a: 1}\n",
    "set-tag.yaml": "a: !!set {x, y}\nb: 1\n",
    "long-integer.yaml": "facts:\n  a: " + "9" * 5000 + "\n  b: 2\n",
    "keys.yaml": "facts:\n  1: a\n  true: b\n  null: c\n  1.5: d\n  0x1A: e\n  2001-01-01: f\n  1e3: g\n",
    "aliases.yaml": "x: &x {a: {b: 1, c: [1, 2, &y {d: 4}]}}\nfacts:\n  p: *x\n  q: [*x, *y]\n  r: &s 5\n  t: *s\n",
    "documents.yaml": "a: 1\n---\nb: {c: 2}\n---\n---\nd: [1, 2]\n",
    "undefined-alias.yaml": "a: *nope\n",
    "duplicate-anchor.yaml": "a: &x 1\nb: &x 2\n",
    "flow.yaml": "{authority: A, year: 2013-14, facts: {a: 1, 'b': \"2\", c: [1, {d: 2}]}}\n",
    "exponents.yaml": "a: 1e3\nb: '1e3'\nc: 1.5e-3\n",
    "nested-ids.yaml": "facts:\n  ascof:\n    1a: 3\n    1b: {x: 1}\n  ascof.1a: 4\n",
    "syntax.yaml": "a: [1, 2\nb: 3\n",
    "refused-omap.yaml": "a: !!omap [{x: 1}, {x: 1}]\nb: 2\n",
    "empty.yaml": "",
    "duplicates.json": '{"a": 1, "a": 2, "b": {"c": [1, 2, {"d": 3}]}}',
    "long-integer.json": '{"a": ' + "9" * 5000 + ', "b": 1}',
    "syntax.json": '{"a": 1,, }',
    "tabs.json": '{\t"a":\t1,\n\t"b": [1,\t2]}',
}


def _same_reading(path: Path, one_by_one: bool = False) -> None:
    recorded, found = Problems(), Problems()
    eager = load_documents(path, recorded)
    lazy = load_documents(path, found, lazy=True)
    assert [str(problem) for problem in found.items] == [str(problem) for problem in recorded.items]
    assert [document.data for document in lazy] == [document.data for document in eager]
    for before, after in zip(eager, lazy, strict=True):
        _same_places(before, after, one_by_one)


def _same_places(eager: Document, lazy: Document, one_by_one: bool) -> None:
    values = [where for where in eager.locator.values if "\x00key" not in where]  # type: ignore[union-attr]
    keys = list(eager.locator.keys)  # type: ignore[union-attr]
    if one_by_one:
        found = {(where, False): lazy.location(where) for where in values}
        found.update({(where, True): lazy.key_location(where) for where in keys})
    else:
        found = lazy.locator.locate([(where, False) for where in values] + [(where, True) for where in keys])
    assert {where: found[(where, False)] for where in values} == {where: eager.location(where) for where in values}
    assert {where: found[(where, True)] for where in keys} == {where: eager.key_location(where) for where in keys}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_input_reads_alike(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(TRICKY[name])
    _same_reading(path)
    _same_reading(path, one_by_one=True)


def test_the_repositorys_files_read_alike() -> None:
    files = [
        *sorted((ROOT / "examples").rglob("*.yaml")),
        *sorted((ROOT / "triggers").rglob("*.yaml")),
        *sorted((ROOT / "menus").rglob("*.yaml")),
    ]
    assert len(files) > 30
    for path in files:
        _same_reading(path)


def _region(tmp_path: Path, suffix: str) -> Path:
    """Three authorities; the third's facts nested, one unknown and one not a number."""
    import yaml

    authorities = [
        {"authority": "Halton", "code": "E06000006", "year": "2013-14",
         "facts": {"ascof.quality_of_life": 18.8}},
        {"authority": "Knowsley", "code": "E08000011", "year": "2013-14", "comparators": ["Halton"],
         "facts": {"ascof.quality_of_life": 18.1}},
        {"authority": "Wirral", "code": "E08000015", "year": "2013-14", "comparators": ["Halton", "Nowhere"],
         "facts": {"ascof": {"quality_of_life": "high", "feel_safe": 60.1, "no_such_measure": 1}}},
    ]
    region = {"kind": "region", "authorities": authorities}
    path = tmp_path / f"region{suffix}"
    path.write_text(json.dumps(region, indent=2) if suffix == ".json" else yaml.safe_dump(region, sort_keys=False))
    return path


def _place_of(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_problems_in_a_region_are_located(tmp_path: Path, suffix: str) -> None:
    path = _region(tmp_path, suffix)
    text = path.read_text()
    quote = '"' if suffix == ".json" else ""
    with pytest.raises(sli_rules.FactsError) as raised:
        sli_rules.Engine().assess(path)
    shown = {problem.message.split(":")[0]: (problem.line, problem.column) for problem in raised.value.problems}
    assert shown["'ascof.quality_of_life'"] == _place_of(text, f"{quote}high")
    assert shown["unknown fact 'ascof.no_such_measure'"] == _place_of(text, f"{quote}no_such_measure")
    region = sli_rules.load_facts(path)
    wirral = region["Wirral"]
    assert wirral.fact_locations["ascof.feel_safe"][1:] == _place_of(text, "60.1")
    assert wirral.fact_key_locations["ascof.feel_safe"][1:] == _place_of(text, f"{quote}feel_safe")
    assert wirral.comparator_locations[1][1:] == _place_of(text, f"{quote}Nowhere")
    assert region["Knowsley"].fact_locations["ascof.quality_of_life"][1:] == _place_of(text, "18.1")
    assert dict(wirral.fact_locations) == {fact: wirral.fact_locations[fact] for fact in wirral.facts}


def test_a_fact_merged_from_a_csv_is_placed_in_the_csv(tmp_path: Path) -> None:
    """Facts of one authority from a YAML file and a CSV: a problem with a fact the CSV
    gave is placed in the CSV, one the YAML gave in the YAML."""
    (tmp_path / "halton.yaml").write_text(
        "authority: Halton\ncode: E06000006\nyear: 2013-14\nfacts:\n  ascof.feel_safe: lots\n"
    )
    (tmp_path / "more.csv").write_text("authority,code,year,ascof.no_such_measure\nHalton,E06000006,2013-14,4\n")
    with pytest.raises(sli_rules.FactsError) as raised:
        sli_rules.load_facts(tmp_path / "halton.yaml", tmp_path / "more.csv", rulebook=sli_rules.load_rulebook())
    places = {problem.message.split(":")[0]: (Path(problem.path).name, problem.line, problem.column)
              for problem in raised.value.problems}
    assert places["'ascof.feel_safe'"] == ("halton.yaml", 5, 20)
    assert places["unknown fact 'ascof.no_such_measure'"] == ("more.csv", 2, 26)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_assessing_a_valid_region_finds_no_place(tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Places are found for problems only: binding, deriving and judging a valid region read
    from a file never look one up (each lookup reads the whole file again; one per authority
    made a 50 MB region take hours)."""
    import yaml

    from sli_rules.facts import places

    example = yaml.safe_load((ROOT / "examples" / "north-west-2013-14" / "halton.yaml").read_text())
    region = {"kind": "region", "authorities": [
        {**example, "authority": f"Town {index}", "code": f"E99{index:06d}", "comparators": []} for index in range(30)
    ]}
    path = tmp_path / f"region{suffix}"
    path.write_text(json.dumps(region) if suffix == ".json" else yaml.safe_dump(region))
    looked_up: list[int] = []
    real = places.find_locations

    def counted(spots):  # type: ignore[no-untyped-def]
        looked_up.append(1)
        return real(spots)

    monkeypatch.setattr(places, "find_locations", counted)
    assessed = sli_rules.Engine().assess(path)
    assert len(assessed) == 30 and all(item.flags is not None for item in assessed)
    assert looked_up == []
