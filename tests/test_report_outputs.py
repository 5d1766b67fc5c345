"""Text, Markdown and CSV for people and spreadsheets; the Board report's view of fields as
they land; the report package's place in the import graph."""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import sli_rules
from sli_rules.report import render, render_json

from .conftest import REPO, run_cli
from .reporting import FORMULA, IMAGE, RLO, SCRIPT, hostile_region, with_record, without_record

CONTROL_SHOWN = "bell␇ and ␛[31mred␛[0m"


def _assess(tmp_path: Path, form: str, *extra: str) -> str:
    rules, facts = hostile_region(tmp_path)
    completed = run_cli("assess", str(facts), "--rules", str(rules), "--format", form, *extra)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_markdown_escapes_html_and_pipes_and_shows_control_characters(tmp_path: Path) -> None:
    text = _assess(tmp_path, "markdown")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;Scriptford" in text
    assert '"&gt;&lt;img src=x onerror="document.title=\'pwned\'"&gt;Imageton' in text
    assert RLO not in text and "\\[U+202E\\]" in text
    assert "\x1b" not in text and "\x07" not in text and CONTROL_SHOWN.replace("[", "\\[") in text
    row = next(line for line in text.splitlines() if line.startswith("| Pipe"))
    assert row.startswith("| Pipe \\| Town | 2013-14 |")
    # Every row of the authorities table has as many unescaped pipes as its header.
    header = "| Authority | Year | Verdict | Support | Concerns | Excellence | Not judged |"
    table = text[text.index(header) :].split("\n\n")[0].splitlines()
    assert len(table) == 2 + 6
    assert {len(re.findall(r"(?<!\\)\|", line)) for line in table} == {8}


def test_csv_neutralises_formulas_keeps_numbers_and_shows_control_characters(tmp_path: Path) -> None:
    text = _assess(tmp_path, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    formula_rows = [row for row in rows if "HYPERLINK" in row["authority"]]
    assert formula_rows and all(row["authority"] == "'" + FORMULA for row in formula_rows)
    says = next(row["says"] for row in formula_rows if row["record"] == "flag")
    assert says.startswith("'=HYPERLINK(")
    # No cell in the file starts with a character a spreadsheet would run.
    for row in rows:
        for column, cell in row.items():
            if column != "value":
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    # Numbers stay numbers: a negative value is written as it is, for the spreadsheet to sum.
    values = {row["authority"]: row["value"] for row in rows if row["record"] == "value"}
    assert values[f"{SCRIPT}Scriptford"] == "-3.5"
    assert float(values[f"{SCRIPT}Scriptford"]) == -3.5
    assert RLO not in text and "Gnimocleb[U+202E]Town" in text
    assert "\x1b" not in text and "\x07" not in text


def test_csv_quotes_text_that_only_looks_like_a_number() -> None:
    from sli_rules.report.csv import cell

    assert cell(-8.5) == "-8.5" and cell(-3) == "-3" and cell(12.0) == "12"
    assert cell("-1") == "'-1" and cell("+44 161") == "'+44 161" and cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("\tx") == "'␉x" and cell("\rx") == "'␍x" and cell(True) == "yes"
    assert cell("Halton") == "Halton"


def test_text_shows_control_characters_visibly(tmp_path: Path) -> None:
    text = _assess(tmp_path, "text", "--verbose")
    assert "\x1b" not in text and "\x07" not in text and RLO not in text
    assert CONTROL_SHOWN in text
    assert f"note on x: {SCRIPT} and {IMAGE} and [U+202E]reversed" in text


def test_text_is_a_summary_then_a_few_lines_per_authority() -> None:
    completed = run_cli("assess")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert len(lines) < 23 * 7 + 30  # a few lines per council (was 700 for 23 councils)
    assert sum(1 for line in lines if line.startswith("  Evidence: ")) == 23  # every council's coverage
    assert "Verdicts:" in lines and "Who needs what:" in lines
    assert "Blackburn with Darwen (E06000008), 2013-14: An emerging concern; Support (self help)" in lines
    assert "  ! Disengaging from regional networks (becoming insular) [Interface with Stakeholders]" in lines
    assert "  Not judged for want of data: Outcomes 1, Resources (Finance and People) 2" in lines
    assert any(line.startswith("  Evidence: 31 of 33 concern triggers judged (94%)") for line in lines)
    assert not any(" from: " in line or "values:" in line for line in lines)


def test_verbose_text_gives_every_value_in_words() -> None:
    completed = run_cli("assess", "--verbose")
    assert completed.returncode == 0, completed.stderr
    text = completed.stdout
    assert text.count("Verdict: ") == 23 and "Why:" in text
    # A flag's values are those it rests on (the branch that held), booleans in words.
    assert "values: networks.attendance_pct = 40\n" in text
    assert "values: market.fragility_reported = yes\n" in text
    assert "finance.admissions_increase_explained = no" in text  # not "false"
    assert "data from: SLI Planning Group / NWTEB (illustrative)" in text
    assert " from: " not in text.replace("data from: ", "")  # one line per source, not per fact
    explained = run_cli("explain", "Blackburn with Darwen").stdout
    assert explained in text


def test_the_board_report_shows_what_the_record_adds(example_region: sli_rules.Region,
                                                     default_engine: sli_rules.Engine) -> None:
    plain = default_engine.assess(example_region)
    recorded = with_record(plain)
    page = render(recorded, "html")
    bolton = page[page.index('id="a-e08000001"') :]
    bolton = bolton[: bolton.index("</article>")]
    assert "9/10 judged" in page
    assert re.search(r"Coverage:</strong> \d+ of 40 concern triggers judged\.", bolton)
    assert "Table 2 entry</dt><dd>Table 2, Outcomes: NW ADASS local measures" in bolton
    assert "Basis</dt><dd>interpretation" in bolton
    assert "the authority does not see a concern: Our own figures differ." in bolton
    assert "Last year:</strong> 2012-13: An emerging concern" in bolton
    assert "Discussed with the DASS; figures agreed. (Assessor, 2013-10-01)" in bolton
    assert "Final view:</strong> Concerns in more than one area, or one that persists (Board): Confirmed after discussion." in bolton
    assert bolton.count("<circle") == 3
    assert 'aria-label="Verdicts by year: 2011-12 No significant concerns; 2012-13 An emerging concern; ' in bolton
    # The JSON contract is the result's own: the report adds nothing to it.
    assert render_json(plain) == render_json(default_engine.assess(example_region))
    without = render(without_record(plain), "html")
    assert not re.search(r"\d+/\d+ judged", without) and "2 not judged" in without
    for absent in ("Coverage:", "Table 2 entry", "Last year:", "Final view:", "<svg", "Discussed with"):
        assert absent not in without, absent


def test_the_board_report_needs_its_extra(tmp_path: Path) -> None:
    """Where Jinja2 (and MarkupSafe, which comes with it) cannot be imported, HTML and the
    report say which extra to install."""
    for name in ("jinja2", "markupsafe"):
        shadow = tmp_path / "shadow" / name
        shadow.mkdir(parents=True)
        (shadow / "__init__.py").write_text(f"raise ImportError('{name} is not installed here')\n")
    env = {"PYTHONPATH": f"{shadow.parent}:{REPO}"}
    for arguments in (("report", "-o", str(tmp_path / "r.html")), ("assess", "--format", "html")):
        completed = run_cli(*arguments, env=env)
        assert completed.returncode == 2, completed.stderr
        assert "pip install 'sli-rules[report]'" in completed.stderr
    assert not (tmp_path / "r.html").exists()
    assert run_cli("assess", "--format", "markdown", env=env).returncode == 0  # the rest needs nothing


def test_nothing_in_the_report_package_imports_a_stage_at_run_time() -> None:
    """results.py imports explain_text lazily; the report must not import back."""
    stages = {"results", "engine", "evaluate", "judge", "recommend", "derive", "load", "explain", "plan", "facts"}
    for path in sorted((REPO / "sli_rules" / "report").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and id(node) not in guarded and node.level >= 2:
                module = (node.module or "").split(".")[0]
                assert module not in stages, f"{path.name}:{node.lineno} imports {node.module} at run time"
            if isinstance(node, ast.Import) and id(node) not in guarded:
                for alias in node.names:
                    assert not alias.name.startswith("sli_rules."), f"{path.name}:{node.lineno}"
