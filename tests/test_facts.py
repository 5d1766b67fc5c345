"""The facts package: its shape (no reader loads a rulebook, no import circle, small modules),
binding once into its own type, and fact sets given in memory."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sli_rules
from sli_rules.facts import BoundRegion, Region, bind

from .conftest import REPO, make_rulebook, run_cli, write_yaml

PACKAGE = REPO / "sli_rules" / "facts"
ASCOF = Path("/work/shared/data/ascof/ascof-trend-2017-18-to-2023-24.csv")
if not ASCOF.exists():  # the shared data folder sits beside the repository
    ASCOF = REPO.parent / "shared" / "data" / "ascof" / ASCOF.name
needs_ascof = pytest.mark.skipif(not ASCOF.exists(), reason="the shared ASCOF file is not here")
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
    # The shared modules below every stage (errors; output, the one way to write a file) and the
    # rulebook's model, themes included.
    allowed_outside = {"errors", "output", "rules.model", "rules.themes", "rules.source", "rules.convert"}
    # A self-assessment or thematic review form given without a rulebook is checked against the
    # shipped one (the public `load_self_assessment(path)`): the form modules may load a
    # rulebook, when asked.
    allowed_for = {"selfassess": {"rules.load"}, "themes": {"rules.load"}}
    for module, imports in graph.items():
        outside = {name for name in imports if not name.startswith("facts")}
        # never the loader, never a later stage
        assert outside <= allowed_outside | allowed_for.get(module, set()), (module, outside)
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


# --- fact sets built in memory ------------------------------------------------------------


def test_fact_sets_in_memory_are_read_as_a_file_would_be() -> None:
    rulebook = sli_rules.load_rulebook()
    one = {"authority": "Halton", "code": "E06000006", "year": "2013-14", "facts": {"ascof": {"1a": 18.9}}}
    region = sli_rules.load_facts(one, rulebook=rulebook)
    assert region["Halton"].facts == {"ascof.quality_of_life": 18.9}
    several = [one, {**one, "authority": "Knowsley", "code": "E08000011"}]
    assert len(sli_rules.load_facts(several)) == 2
    whole = {"kind": "region", "year": "2013-14", "authorities": [
        {"authority": "Bolton", "facts": {"finance.fac_eligibility": "critical"}},
    ]}
    assert sli_rules.load_facts(whole, rulebook=rulebook)["Bolton"].year == "2013-14"
    result = sli_rules.Engine(rulebook).assess(sli_rules.load_facts(several, rulebook=rulebook))
    assert [item.authority for item in result] == ["Halton", "Knowsley"]


def test_problems_in_memory_are_placed_by_their_path_in_the_data() -> None:
    region = {"kind": "region", "year": "2013-14", "authorities": [
        {"authority": "Bolton", "facts": {"ascof.1a": 18.0}},
        {"authority": "Bury", "facts": {"ascof.1a": "high"}},
        {"authority": "Oldham", "year": 2013, "facts": {"ascof": {"9z": 1.0}}},
        {"authority": "Wigan", "facts": {"ascof.1a": 18.0}, "comparators": "Bolton"},
    ]}
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.load_facts(region, rulebook=sli_rules.load_rulebook())
    assert [str(problem) for problem in error.value.errors] == [
        "<memory>: authorities[1].facts.ascof.1a: 'ascof.1a': expected a number, got text 'high'",
        "<memory>: authorities[2].year: year 2013 is a number, not a financial year written like "
        "'2013-14' (write '2013-14')",
        "<memory>: authorities[3].comparators: expected a list, got text",
    ]


def test_what_is_not_a_fact_set_is_a_facts_error_not_a_crash() -> None:
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.load_facts([{"authority": "Halton", "year": "2013-14"}, 42])
    assert [str(problem) for problem in error.value.errors] == [
        "<memory>: [1]: a fact set is a mapping with authority, year and facts, got a number",
    ]
    with pytest.raises(sli_rules.FactsError, match="not a number"):
        sli_rules.load_facts(3.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("year", "message"), [
    ("2013", "year '2013' is not a financial year like 2013-14 (write '2013-14')"),
    (2013, "year 2013 is a number, not a financial year written like '2013-14' (write '2013-14')"),
    ("2013-15", "year '2013-15' is not a financial year like 2013-14 (write '2013-14')"),
    (None, "year None is NoneType, not a financial year written like '2013-14'"),
])
def test_a_bad_year_in_authority_facts_is_a_facts_error(year: object, message: str) -> None:
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.AuthorityFacts("Halton", "E06000006", year, {})  # type: ignore[arg-type]
    assert [problem.message + (f" ({problem.hint})" if problem.hint else "") for problem in error.value.errors] == [
        message
    ]


# --- bad input at the command line -------------------------------------------------------


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_number_of_five_thousand_digits_is_a_located_error(tmp_path: Path, suffix: str) -> None:
    digits = "9" * 5000
    path = tmp_path / f"big{suffix}"
    if suffix == ".yaml":
        path.write_text(f"authority: Halton\nyear: 2013-14\nfacts:\n  ascof.1a: {digits}\n", encoding="utf-8")
        where = "4:13"
    else:
        path.write_text('{"authority": "Halton", "year": "2013-14", "facts": {"ascof.1a": ' + digits + "}}",
                        encoding="utf-8")
        where = "1:66"
    completed = run_cli("assess", str(path))
    assert completed.returncode == 2
    assert f"{_shown(path)}:{where}: a whole number of 5000 digits; the limit is 4300" in completed.stderr


def test_a_number_of_five_thousand_digits_in_a_rule_file_is_a_located_error(tmp_path: Path) -> None:
    rules = make_rulebook(tmp_path / "rules", {"outcomes": [{
        "id": "big", "title": "Big", "when": {"fact": "x", "above": 12345}, "says": "{value}",
    }]})
    triggers = next((rules / "triggers").glob("*outcomes*"))
    triggers.write_text(triggers.read_text(encoding="utf-8").replace("12345", "9" * 5000), encoding="utf-8")
    completed = run_cli("validate", "--rules", str(rules))
    assert completed.returncode in (1, 2)
    assert "a whole number of 5000 digits; the limit is 4300" in completed.stderr + completed.stdout


@pytest.mark.parametrize(("name", "text"), [
    ("empty.yaml", ""),
    ("comments.yaml", "# nothing yet\n"),
    ("header.csv", "authority,code,year,finance.fac_eligibility\n"),
    ("empty-list.json", "[]"),
])
def test_nothing_to_assess_is_an_error(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    completed = run_cli("assess", str(path))
    assert completed.returncode == 2
    assert f"{_shown(path)}:1:1: no fact sets: nothing to assess" in completed.stderr


def test_region_filters_hand_written_facts_by_membership(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "mixed.yaml", [
        {"authority": "Halton", "code": "E06000006", "year": "2013-14", "facts": {"finance.fac_eligibility": "critical"}},
        {"authority": "Wokingham", "code": "E06000041", "year": "2013-14", "facts": {"finance.fac_eligibility": "critical"}},
        {"authority": "Knowsley", "year": "2013-14", "facts": {"finance.fac_eligibility": "moderate"}},  # by name
    ])
    region = sli_rules.load_facts(facts, region="north west")
    assert sorted(item.authority for item in region) == ["Halton", "Knowsley"]
    assert [item.authority for item in sli_rules.load_facts(facts, region="South East")] == ["Wokingham"]
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.load_facts(facts, region="London")
    assert [problem.message for problem in error.value.errors] == ["no fact sets in London: nothing to assess"]


def test_region_refuses_an_authority_whose_membership_cannot_be_told(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "made-up.yaml", [
        {"authority": "Halton", "code": "E06000006", "year": "2013-14", "facts": {}},
        {"authority": "Ankh-Morpork", "year": "2013-14", "facts": {}},
    ])
    completed = run_cli("assess", str(facts), "--region", "North West")
    assert completed.returncode == 2
    assert (f"{_shown(facts)}:5:3: cannot tell whether Ankh-Morpork is in North West in 2013-14: "
            "'Ankh-Morpork' is not an English council's ONS name (give its ONS code, or leave out --region)"
            ) in completed.stderr


def test_a_semicolon_separated_file_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text("authority;year;finance.prevention_budget_change_pct\nHalton;2013-14;-12,5\n", encoding="utf-8")
    completed = run_cli("assess", str(path))
    assert completed.returncode == 2
    assert f"{_shown(path)}:1:1: the fields of this file are separated by ';', not commas" in completed.stderr


def test_an_exponent_in_yaml_is_a_number(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "halton.yaml", {"authority": "Halton", "year": "2013-14", "facts": {}})
    facts.write_text(facts.read_text(encoding="utf-8").replace("facts: {}", "facts:\n  ascof.admissions_65_plus: 1e3\n"))
    region = sli_rules.load_facts(facts, rulebook=sli_rules.load_rulebook())
    assert region["Halton"].facts == {"ascof.admissions_65_plus": 1000.0}


def test_explain_without_arguments_and_by_code_or_short_name() -> None:
    completed = run_cli("explain")
    assert completed.returncode == 2
    assert "PATH" not in completed.stderr.split("error:")[-1].split(",")[0]
    assert "name the AUTHORITY to explain" in completed.stderr
    completed = run_cli("explain", "e08000013")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("St Helens (E08000013), 2013-14")
    result = sli_rules.assess(sli_rules.load_facts([
        {"authority": "Bristol, City of", "code": "E06000023", "year": "2023-24", "facts": {}},
    ]))
    assert result["Bristol"].code == "E06000023" and result["bristol, city of"].code == "E06000023"


def test_fact_sets_of_different_years_are_each_assessed_in_their_own_year(tmp_path: Path) -> None:
    national = _national_file(tmp_path)
    older = write_yaml(tmp_path / "halton-2013-14.yaml", {
        "authority": "Halton", "code": "E06000006", "year": "2013-14",
        "facts": {"finance.fac_eligibility": "critical"},
    })
    region = sli_rules.load_facts(national, older)
    assert sorted((item.authority, item.year) for item in region) == [
        ("Halton", "2013-14"), ("Halton", "2023-24"), ("Knowsley", "2023-24"),
    ]
    # A year chosen is the only year assessed: a choice, not a silent drop.
    chosen = sli_rules.load_facts(national, older, year="2023-24")
    assert sorted((item.authority, item.year) for item in chosen) == [("Halton", "2023-24"), ("Knowsley", "2023-24")]
    # The year before another assessed year is its previous year, as in one file.
    before = write_yaml(tmp_path / "halton-2022-23.yaml", {
        "authority": "Halton", "code": "E06000006", "year": "2022-23", "facts": {"ascof.1a": 18.0},
    })
    region = sli_rules.load_facts(national, before)
    assert sorted((item.authority, item.year) for item in region) == [("Halton", "2023-24"), ("Knowsley", "2023-24")]
    assert region["Halton"].previous == {"ascof.1a": 18.0}


def test_the_python_examples_of_the_fact_set_guide_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import re

    text = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "docs/facts.md", "exec"), {})


# --- counts, history, council types ----------------------------------------------------------

OFFICIAL_ROWS = (
    # The official download gives each council's value (Outcome) with the Numerator and
    # Denominator it was computed from, on rows of their own.
    "2023-24,Halton,E06000006,2C,Admissions 65+,616.3,Council,Total,Outcome",
    "2023-24,Halton,E06000006,2C,Admissions 65+,145,Council,Total,Numerator",
    "2023-24,Halton,E06000006,2C,Admissions 65+,23528,Council,Total,Denominator",
    "2023-24,Halton,E06000006,4A,Safety,70.0,Council,Total,Outcome",
    "2023-24,Halton,E06000006,4A,Safety,412,Council,Total,Numerator",
    "2023-24,Halton,E06000006,4A,Safety,590,Council,Total,Denominator",
    "2023-24,Halton,E06000006,3B,Carers satisfaction,36.0,Council,Total,Outcome",
    "2023-24,Halton,E06000006,3B,Carers satisfaction,120,Council,Total,Numerator",
    "2023-24,Halton,E06000006,3B,Carers satisfaction,100,Council,Total,Denominator",
    "2023-24,Knowsley,E08000011,4A,Safety,66.0,Council,Total,Outcome",
    "2023-24,Knowsley,E08000011,4A,Safety,330,Council,18-64,Numerator",
    "2022-23,Halton,E06000006,2A2,Admissions 65+,347.5,Council,Total,Outcome",
    "2021-22,Halton,E06000006,2A2,Admissions 65+,779.9,Council,Total,Outcome",
    "2023-24,Liverpool,E08000012,2C,Admissions 65+,700.0,Council,Total,Outcome",
    "2023-24,Liverpool,E08000012,2C,Admissions 65+,210,Council,Total,Numerator",
    "2023-24,Wokingham,E06000041,2C,Admissions 65+,400.0,Council,Total,Outcome",
    "2023-24,Bolton,E08000001,2C,Admissions 65+,500.0,Council,Total,Outcome",
)


def _official_file(folder: Path) -> Path:
    path = folder / "ascof-official.csv"
    path.write_text(ASCOF_HEADER + "".join(row + "\n" for row in OFFICIAL_ROWS), encoding="utf-8")
    return path


def test_the_official_layout_gives_counts_beside_values(tmp_path: Path) -> None:
    path = _official_file(tmp_path)
    region = sli_rules.load_facts(path, region="North West")
    halton = region["Halton"]
    assert halton.counts["ascof.2c"] == sli_rules.facts.Count(145, 23528)
    assert halton.counts["ascof.4a"] == sli_rules.facts.Count(412, 590)
    assert "ascof.3b" not in halton.counts  # a numerator above its denominator: left out, said
    assert "ascof.4a" not in region["Knowsley"].counts  # a breakdown's numerator is not the total's
    warnings = [str(problem) for problem in region.warnings if "counts" in problem.message]
    assert warnings == [
        f"{path}:9:49: warning: counts of ascof.3b for Halton 2023-24 left out: "
        "the numerator 120 is above its denominator 100",
        f"{path}:16:47: warning: counts of ascof.2c for Liverpool 2023-24 left out: "
        "a numerator without its denominator",
    ]
    bound = bind(region, sli_rules.load_rulebook())
    assert bound["Halton"].counts == {
        "ascof.admissions_65_plus": sli_rules.facts.Count(145, 23528),
        "ascof.feel_safe": sli_rules.facts.Count(412, 590),
    }


@pytest.mark.parametrize(("counts", "message", "where"), [
    ({"ascof.4a": {"numerator": 600, "denominator": 590}}, "the numerator 600 is above its denominator 590", "7:16"),
    ({"ascof.4a": {"numerator": -1, "denominator": 590}}, "the numerator -1 is negative", "7:16"),
    ({"ascof.4a": {"numerator": 41.5, "denominator": 590}}, "the numerator 41.5 is not a whole number", "7:16"),
    ({"ascof.4a": {"numerator": 4, "denominator": 0}}, "the denominator is 0", "8:18"),
])
def test_counts_in_a_fact_file_are_checked_at_their_place(
    tmp_path: Path, counts: dict[str, object], message: str, where: str
) -> None:
    facts = write_yaml(tmp_path / "halton.yaml", {
        "authority": "Halton", "year": "2023-24", "facts": {"ascof.4a": 70.0}, "counts": counts,
    })
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.load_facts(facts)
    assert [str(problem) for problem in error.value.errors] == [f"{facts}:{where}: counts of 'ascof.4a': {message}"]


def test_counts_and_history_in_a_fact_file_bind_through_aliases(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "halton.yaml", {
        "authority": "Halton", "code": "E06000006", "year": "2023-24",
        "facts": {"ascof.2c": 616.3},
        "counts": {"ascof": {"2c": {"numerator": 145, "denominator": 23528}}},
        "history": {"ascof.2a2": {"2021-22": 779.9, "2022-23": 347.5}, "ascof.admissions_65_plus": {"2019-20": 642.5}},
    })
    bound = sli_rules.load_facts(facts, rulebook=sli_rules.load_rulebook())
    halton = bound["Halton"]
    assert halton.counts == {"ascof.admissions_65_plus": sli_rules.facts.Count(145, 23528)}
    # 2A2 names older people's admissions until 2022-23, and so does 2C in 2023-24: one measure.
    assert halton.history == {"ascof.admissions_65_plus": {"2021-22": 779.9, "2022-23": 347.5, "2019-20": 642.5}}
    assert halton.council_type == "unitary"


def test_a_history_year_that_is_not_earlier_is_an_error(tmp_path: Path) -> None:
    facts = write_yaml(tmp_path / "halton.yaml", {
        "authority": "Halton", "year": "2022-23", "facts": {}, "history": {"ascof.1a": {"2022-23": 18.0, "2020": 1}},
    })
    with pytest.raises(sli_rules.FactsError) as error:
        sli_rules.load_facts(facts)
    assert [problem.message for problem in error.value.errors] == [
        "history holds earlier years than 2022-23, not 2022-23",
        "year '2020' is not a financial year like 2013-14",
    ]


def test_history_comes_from_the_earlier_years_of_a_file(tmp_path: Path) -> None:
    path = _official_file(tmp_path)
    halton = bind(sli_rules.load_facts(path, region="North West"), sli_rules.load_rulebook())["Halton"]
    assert halton.history == {"ascof.admissions_65_plus": {"2021-22": 779.9, "2022-23": 347.5}}
    assert halton.previous == {"ascof.admissions_65_plus": 347.5}  # as before


@pytest.mark.parametrize(("years", "expected"), [
    ("2021-22..2023-24", ["2021-22", "2022-23", "2023-24"]),
    ("all", ["2021-22", "2022-23", "2023-24"]),
    (["2023-24", "2022-23"], ["2022-23", "2023-24"]),
    ("2022-23..2023-24", ["2022-23", "2023-24"]),
])
def test_several_years_are_read_at_once(tmp_path: Path, years: object, expected: list[str]) -> None:
    region = sli_rules.load_facts(_official_file(tmp_path), region="North West", years=years)  # type: ignore[arg-type]
    assert sorted(item.year for item in region if item.authority == "Halton") == expected
    halton = {item.year: item for item in region if item.authority == "Halton"}
    assert set(halton["2023-24"].history["ascof.2a2"]) == {"2021-22", "2022-23"}
    if "2022-23" in halton:
        assert halton["2022-23"].history == {"ascof.2a2": {"2021-22": 779.9}}


@pytest.mark.parametrize(("years", "message"), [
    ("2023-24..2021-22", "--years 2023-24..2021-22: the first year is after the last"),
    ("2023..2024", "--years: year '2023' is not a financial year like 2013-14"),
    ("2012-13", "the ASCOF file has no figures for 2012-13"),
])
def test_bad_years_are_errors(tmp_path: Path, years: str, message: str) -> None:
    completed = run_cli("assess", str(_official_file(tmp_path)), "--years", years)
    assert completed.returncode == 2
    assert message in completed.stderr


def test_years_at_the_command_line_assess_each_year(tmp_path: Path) -> None:
    import json

    completed = run_cli("assess", str(_official_file(tmp_path)), "--region", "North West", "--years", "all",
                        "--format", "json")
    assert completed.returncode == 0, completed.stderr
    found = sorted((item["authority"], item["year"]) for item in json.loads(completed.stdout)["assessments"])
    assert ("Halton", "2021-22") in found and ("Halton", "2023-24") in found and ("Bolton", "2023-24") in found


def test_council_types_and_their_values_over_the_whole_file(tmp_path: Path) -> None:
    region = sli_rules.load_facts(_official_file(tmp_path), region="North West")
    assert {item.authority: item.council_type for item in region} == {
        "Halton": "unitary", "Knowsley": "metropolitan_district", "Liverpool": "metropolitan_district",
        "Bolton": "metropolitan_district",
    }
    bound = bind(region, sli_rules.load_rulebook())
    # Wokingham is not in the North West, but it is a unitary council of the file.
    assert bound.council_type_values[("unitary", "2023-24")]["ascof.admissions_65_plus"] == (616.3, 400.0)
    assert bound.council_type_values[("metropolitan_district", "2023-24")]["ascof.admissions_65_plus"] == (
        700.0, 500.0)
    assert bound.council_type_values[("unitary", "2022-23")] == {"ascof.admissions_65_plus": (347.5,)}


@pytest.mark.parametrize(("code", "kind"), [
    ("E06000006", "unitary"), ("E07000117", "district"), ("E08000001", "metropolitan_district"),
    ("E09000001", "london_borough"), ("E10000017", "county"), ("W06000001", None), (None, None),
])
def test_council_type_from_the_ons_code(code: str | None, kind: str | None) -> None:
    assert sli_rules.facts.council_type_of(code) == kind


def test_the_shipped_council_type_groups_are_those_of_the_reference_data() -> None:
    from sli_rules.facts.reference import COUNCIL_TYPE_GROUPS, council_type_groups_text

    assert COUNCIL_TYPE_GROUPS.read_text(encoding="utf-8") == council_type_groups_text()


def test_a_council_type_statistic_is_named_in_the_evidence(tmp_path: Path) -> None:
    import yaml

    measures = yaml.safe_load((REPO / "triggers" / "measures-ascof.yaml").read_text(encoding="utf-8"))
    rules = make_rulebook(tmp_path / "rules", {"resources": [{
        "id": "many-admissions", "title": "More admissions than councils of its type",
        "when": {"fact": "ascof.admissions_65_plus", "above": {"council_type": "median", "times": 1.1}},
    }]}, measures=measures)
    region = sli_rules.load_facts(_official_file(tmp_path), region="North West", years="2023-24")
    halton = sli_rules.Engine(rules).assess(region)["Halton"]
    # Halton 616.3 against the unitary councils' median: of 616.3 and 400.0 (Wokingham), 508.15.
    (flag,) = halton.flags
    assert [item.text for item in flag.evidence] == [
        "ascof.admissions_65_plus = 616.3 is above the council type median × 1.1 558.97 "
        "(Long-term support needs of older adults (aged 65 and over) met by admission to residential "
        "and nursing care homes, per 100,000 population)"
    ]


def test_comparators_by_council_type(tmp_path: Path) -> None:
    region = sli_rules.load_facts(_official_file(tmp_path), region="North West", comparators="council-type")
    assert region["Knowsley"].comparators == ("E08000001", "E08000012")
    assert region["Halton"].comparators == ()  # no other North West unitary in the file
    completed = run_cli("assess", str(_official_file(tmp_path)), "--region", "North West",
                        "--comparators", "council-type", "--format", "json")
    assert completed.returncode == 0, completed.stderr


def test_the_guides_counts_and_history_example_means_what_it_says(tmp_path: Path) -> None:
    import re

    text = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    (body,) = re.findall(r"^```yaml file=facts/halton-2023-24.yaml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    path = tmp_path / "halton.yaml"
    path.write_text(body, encoding="utf-8")
    halton = sli_rules.load_facts(path, rulebook=sli_rules.load_rulebook())["Halton"]
    assert halton.counts == {"ascof.feel_safe": sli_rules.facts.Count(412, 590)}
    assert halton.history == {"ascof.admissions_65_plus": {"2021-22": 779.9, "2022-23": 347.5}}
    assert halton.council_type == "unitary"


def test_a_name_that_is_two_councils_over_the_years_is_no_conflict(tmp_path: Path) -> None:
    # Dorset County Council (E10000009) until 2018-19, the unitary Dorset (E06000059) after.
    path = tmp_path / "ascof.csv"
    path.write_text(ASCOF_HEADER + "".join(row + "\n" for row in (
        "2018-19,Dorset,E10000009,1A,QoL,19.5,Council,Total,Outcome",
        "2019-20,Dorset,E06000059,1A,QoL,19.1,Council,Total,Outcome",
    )), encoding="utf-8")
    region = sli_rules.load_facts(path, years="all")
    assert sorted((item.code, item.year, item.council_type) for item in region) == [
        ("E06000059", "2019-20", "unitary"), ("E10000009", "2018-19", "county"),
    ]
    assert region["E06000059"].history == {}  # a successor council has no history of its own
    same_year = write_yaml(tmp_path / "twice.yaml", [
        {"authority": "Dorset", "code": "E10000009", "year": "2019-20", "facts": {}},
    ])
    with pytest.raises(sli_rules.FactsError, match="'Dorset' is given code E10000009 here and E06000059 elsewhere"):
        sli_rules.load_facts(path, same_year, years="all")


def test_the_real_data_guides_counts_example_reads_as_it_says(tmp_path: Path) -> None:
    import re

    text = (REPO / "docs" / "real-data.md").read_text(encoding="utf-8")
    section = text.split("### Counts", 1)[1]
    (body,) = re.findall(r"^```\n(Year,.*?)^```", section, re.MULTILINE | re.DOTALL)[:1]
    path = tmp_path / "official.csv"
    path.write_text(body, encoding="utf-8")
    region = sli_rules.load_facts(path)
    assert region["Halton"].counts["ascof.4a"] == sli_rules.facts.Count(412, 590)  # as the guide says
    assert region["Halton"].facts == {"ascof.4a": 70.0}


@needs_ascof
def test_the_real_data_guides_history_example_reads_as_it_says() -> None:
    halton = bind(sli_rules.load_facts(ASCOF, region="North West"), sli_rules.load_rulebook())["Halton"]
    history = halton.history["ascof.admissions_65_plus"]
    assert history["2017-18"] == 562.0 and history["2022-23"] == 347.5  # as docs/real-data.md says
    assert sorted(history) == ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23"]
