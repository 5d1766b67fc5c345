"""The facts package: its shape (no reader loads a rulebook, no import circle, small modules),
binding once into its own type, and fact sets given in memory."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sli_rules
from sli_rules.facts import BoundRegion, Region, bind

from .conftest import REPO, make_rulebook, write_yaml

PACKAGE = REPO / "sli_rules" / "facts"
ASCOF_HEADER = (
    "Year,Geographical Description,ONS Code,Measure Group,Measure Group Description,"
    "Measure_Value,Geographical Level,Disaggregation Level,Measure Type\n"
)


def _imports(path: Path) -> set[str]:
    """The project modules a facts module imports, as dotted names below sli_rules."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ["facts"] if node.level == 1 else []
            found.add(".".join([*base, *([node.module] if node.module else [])]))
    return found


def test_the_package_reads_no_rulebook_and_imports_only_down() -> None:
    graph = {path.stem: _imports(path) for path in PACKAGE.glob("*.py")}
    allowed_outside = {"errors", "model", "source", "convert"}
    for module, imports in graph.items():
        outside = {name for name in imports if not name.startswith("facts")}
        assert outside <= allowed_outside, (module, outside)  # never the loader, never a later stage
    # No circle inside the package: a depth-first walk never meets a module on its own path.
    inside = {module: {name.split(".", 1)[1] for name in imports if name.startswith("facts.")}
              for module, imports in graph.items()}

    def walk(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        for other in inside.get(module, ()):
            walk(other, (*path, module))

    for module in inside:
        walk(module, ())


def test_no_module_of_the_package_is_long() -> None:
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py")}
    assert max(lengths.values()) <= 600, lengths


def test_the_names_other_modules_import_are_still_there() -> None:
    from sli_rules.facts import AuthorityFacts, latest_named, load_facts, name_key  # noqa: F401

    assert sli_rules.Region is Region and issubclass(BoundRegion, Region)


def _two_measure_rules(folder: Path) -> Path:
    """A rulebook of its own cataloguing two ASCOF measures."""
    return make_rulebook(
        folder,
        {"outcomes": [{
            "id": "low-quality-of-life", "title": "Low quality of life",
            "when": {"fact": "ascof.1a", "below": 19},
            "says": "{value}",
        }]},
        measures={"kind": "measures", "measures": [
            {"id": "ascof.1a", "name": "Quality of life", "better": "higher"},
            {"id": "ascof.2c", "name": "Admissions 65+", "better": "lower"},
        ]},
    )


def _national_file(folder: Path) -> Path:
    path = folder / "ascof.csv"
    path.write_text(ASCOF_HEADER + "".join(row + "\n" for row in (
        "2023-24,Halton,E06000006,1A,QoL,18.9,Council,,",
        "2023-24,Halton,E06000006,1J,Impact,0.4,Council,,",
        "2023-24,Halton,E06000006,2C,Admissions,616.3,Council,,",
        "2023-24,Knowsley,E08000011,1A,QoL,19.5,Council,,",
        "2023-24,Knowsley,E08000011,4A,Safety,70.0,Council,,",
        "2023-24,England,E92000001,1A,QoL,19.0,England,,",
        "2023-24,England,E92000001,4A,Safety,69.0,England,,",
    )), encoding="utf-8")
    return path


def test_binding_happens_once_and_afresh_for_another_rulebook(tmp_path: Path) -> None:
    own = sli_rules.load_rulebook(_two_measure_rules(tmp_path / "rules"))
    default = sli_rules.load_rulebook()
    region = sli_rules.load_facts(_national_file(tmp_path))
    bound = bind(region, own)
    assert isinstance(bound, BoundRegion) and bind(bound, own) is bound
    assert bound["Halton"].facts == {"ascof.1a": 18.9, "ascof.2c": 616.3}
    # Bound to another rulebook, the region is bound again from what was read: the measures
    # the first rulebook left out are back.
    again = bind(bound, default)
    assert again is not bound and again.rulebook is default
    assert again["Knowsley"].facts == {"ascof.quality_of_life": 19.5, "ascof.feel_safe": 70.0}


def test_a_national_file_binds_to_any_rulebook_with_one_warning(tmp_path: Path) -> None:
    rules = _two_measure_rules(tmp_path / "rules")
    region = sli_rules.load_facts(_national_file(tmp_path), region="North West", year="2023-24")
    result = sli_rules.Engine(rules).assess(region)
    assert [flag.trigger for flag in result["Halton"].flags] == ["low-quality-of-life"]
    bound = bind(region, sli_rules.load_rulebook(rules))
    left_out = [str(warning) for warning in bound.warnings if "catalogue" in warning.message]
    assert left_out == [
        f"{region.publications[0]}:1:1: warning: 2 measures not in the rulebook's catalogue for "
        "their year, left out: ascof.1j (2023-24), ascof.4a (2023-24)"
    ]


def test_a_hand_written_file_keeps_its_strictness_beside_a_national_file(tmp_path: Path) -> None:
    rules = sli_rules.load_rulebook(_two_measure_rules(tmp_path / "rules"))
    extra = write_yaml(tmp_path / "halton.yaml", {
        "authority": "Halton", "code": "E06000006", "year": "2023-24", "facts": {"ascof.4a": 70.0},
    })
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.load_facts(_national_file(tmp_path), extra, rulebook=rules)
    messages = [str(problem) for problem in error.value.errors]
    assert len(messages) == 1 and "halton.yaml:5:3:" in messages[0] and "unknown fact 'ascof.4a'" in messages[0]
