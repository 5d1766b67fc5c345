"""Results are data: the hand-written JSON-ready form is exactly what the generic converter
makes of every result, results import nothing above them, and `explain()` is the report
layer's words."""

from __future__ import annotations

import ast
from pathlib import Path

import sli_rules
from sli_rules import Engine, load_facts
from sli_rules.assessment.results import _converter
from sli_rules.report import explain_text

from .conftest import EXAMPLE, REPO

MULTI_YEAR = REPO / "examples" / "north-west-ascof-2017-18-to-2023-24"


def test_the_json_ready_data_is_what_the_generic_converter_makes(default_engine: Engine) -> None:
    regions = [load_facts(EXAMPLE), load_facts(MULTI_YEAR, years="all")]
    seen_peers = seen_gaps = seen_flags = 0
    for region in regions:
        result = default_engine.assess(region)
        for item in result:
            assert item.to_dict() == _converter().unstructure(item)
            seen_flags += len(item.flags)
            seen_gaps += len(item.gaps)
            seen_peers += len(item.peers)
        assert result.to_dict()["assessments"] == [_converter().unstructure(item) for item in result]
    assert seen_flags and seen_gaps and seen_peers  # every kind of part was compared


def test_what_a_run_remembers_of_the_year_before_is_the_generic_converters_data_too(default_engine: Engine) -> None:
    import attrs

    from sli_rules.assessment.results import LastYear, SupportGiven

    item = default_engine.assess(load_facts(EXAMPLE))["Halton"]
    assert "last_year" not in item.to_dict()  # not read from a store: left out, as before
    remembered = LastYear("2012-13", "final", "concerns", "targeted_support", ("complaints",), "intervention", True,
                          (SupportGiven("coaching", "Wigan", 3, "delivered", "A plan"), SupportGiven("training")))
    item = attrs.evolve(item, last_year=remembered)
    assert item.to_dict() == _converter().unstructure(item)
    assert item.to_dict()["last_year"]["support"][1] == {
        "option": "training", "provider": None, "days": None, "status": None, "outcome": None}


def test_results_import_nothing_above_them() -> None:
    """results.py imports only what lies below every stage: the facts (for names) and
    libraries; never the engine, the explainer, the judge or the report."""
    source = (Path(sli_rules.__file__).parent / "assessment" / "results.py").read_text(encoding="utf-8")
    imported = {
        (node.level, node.module)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.level
    }
    assert imported == {(2, "facts")}


def test_explain_is_the_report_layers_words(default_engine: Engine) -> None:
    result = default_engine.assess(load_facts(EXAMPLE))
    item = result["Halton"]
    assert item.explain() == explain_text(item)
    assert "Halton" in item.explain()
