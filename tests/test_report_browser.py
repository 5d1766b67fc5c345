"""The Board report as a person sees it: opened in the distribution's headless Chromium, with no
console error, no failed or outside request, and hostile text shown as text."""

from __future__ import annotations

import itertools
import os
import re
import struct
from pathlib import Path

import pytest

from .conftest import EXAMPLE, REPO, run_cli
from .reporting import HOSTILE_NAMES, IMAGE, RLO, SCRIPT, VIEWPORT, browser_or_skip, hostile_region, opened

NORTH_WEST = sorted(
    line.split(": ", 1)[1] for path in EXAMPLE.glob("*.yaml") for line in path.read_text().splitlines()
    if line.startswith("authority: ")
)
ASCOF_EXAMPLE = REPO / "examples" / "north-west-ascof-2023-24" / "ascof-north-west.csv"
ASCOF_NATIONAL = REPO.parent / "shared" / "data" / "ascof" / "ascof-trend-2017-18-to-2023-24.csv"
if not ASCOF_NATIONAL.exists():
    ASCOF_NATIONAL = Path("/work/shared/data/ascof/ascof-trend-2017-18-to-2023-24.csv")
SCREENSHOT = REPO / "docs" / "images" / "report.png"


def _report(tmp_path: Path, *arguments: str) -> Path:
    target = tmp_path / "report.html"
    completed = run_cli("report", *arguments, "-o", str(target))
    assert completed.returncode == 0, completed.stderr
    return target


def _only_the_file_was_requested(visit: object, target: Path) -> None:
    requests = visit.requests  # type: ignore[attr-defined]
    assert requests == [target.resolve().as_uri()], requests


def test_the_example_report_shows_banner_heat_map_and_values(tmp_path: Path) -> None:
    browser_or_skip()
    target = _report(tmp_path)
    with opened(target, tmp_path / "profile") as visit:
        page = visit.page
        banner = page.get_by_role("note", name="How to read this report").inner_text()
        assert "Provisional" in banner and "discussed with the authority" in banner
        assert "not an inspection rating" in banner
        assert "The figures are illustrative" in banner
        heat_map = page.get_by_role("table", name=re.compile("^Counted concerns, excellence and coverage"))
        rows = heat_map.get_by_role("rowheader").all_inner_texts()
        assert sorted(rows) == NORTH_WEST and len(rows) == 23
        columns = heat_map.get_by_role("columnheader").all_inner_texts()
        assert columns[:2] == ["Authority", "Verdict"] and "Outcomes" in columns
        rochdale = heat_map.get_by_role("row", name=re.compile("^Rochdale"))
        assert "Serious concerns" in rochdale.inner_text() and "concerns" in rochdale.inner_text()
        blackburn = page.locator("#a-e06000008")
        values = blackburn.locator("table.values").first.inner_text()
        assert "networks.attendance_pct" in values and "40" in values
        assert "Missed most regional meetings since the autumn." in values
        assert page.locator("#a-e06000008").is_visible()
        # Colour repeats the words, and the tones stay apart when printed in grey.
        greys = page.evaluate(
            """() => ["high", "some", "good", "none"].map(tone => {
                const cell = document.querySelector(`table.heatmap td.tone-${tone}`);
                const [r, g, b] = getComputedStyle(cell).backgroundColor.match(/\\d+/g).map(Number);
                return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
            })"""
        )
        assert all(later - earlier >= 0.1 for earlier, later in itertools.pairwise(greys)), greys
        page.screenshot(path=str(tmp_path / "report.png"))
        page.emulate_media(color_scheme="light", media="print")
        page.screenshot(path=str(tmp_path / "report-print.png"))
        assert visit.problems == []
        _only_the_file_was_requested(visit, target)
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("source", ["example", "national"])
def test_the_ascof_report_passes_in_the_browser(tmp_path: Path, source: str) -> None:
    browser_or_skip()
    if source == "example":
        target = _report(tmp_path, str(ASCOF_EXAMPLE))
    else:
        if not ASCOF_NATIONAL.exists():
            pytest.skip(f"the shared ASCOF file is not here: {ASCOF_NATIONAL}")
        target = _report(tmp_path, str(ASCOF_NATIONAL), "--region", "North West", "--year", "2023-24")
    with opened(target, tmp_path / "profile") as visit:
        page = visit.page
        assert "The figures are illustrative" not in page.get_by_role("note").inner_text()
        rows = page.locator("table.heatmap").get_by_role("rowheader").all_inner_texts()
        assert "Manchester" in rows and len(rows) == 24
        assert "NHS England" in page.locator("#sources").inner_text()
        page.screenshot(path=str(tmp_path / "ascof.png"))
        assert visit.problems == []
        _only_the_file_was_requested(visit, target)


def test_hostile_names_and_notes_are_shown_as_text_and_run_nothing(tmp_path: Path) -> None:
    browser_or_skip()
    rules, facts = hostile_region(tmp_path)
    target = _report(tmp_path, str(facts), "--rules", str(rules))
    with opened(target, tmp_path / "profile") as visit:
        page = visit.page
        assert page.title().startswith("Sector Led Improvement")  # no script retitled it
        assert page.locator("script").count() == 0
        assert page.locator("img").count() == 0
        assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
        rows = page.locator("table.heatmap").get_by_role("rowheader").all_inner_texts()
        assert f"{SCRIPT}Scriptford" in rows
        assert f"{IMAGE}Imageton" in rows
        assert "Gnimocleb[U+202E]Town" in rows  # the override is shown, not obeyed
        body = page.locator("body").inner_text()
        assert RLO not in body
        assert f"{SCRIPT} and {IMAGE} and [U+202E]reversed" in body  # the note, as written
        page.screenshot(path=str(tmp_path / "hostile.png"))
        assert visit.problems == []
        _only_the_file_was_requested(visit, target)
    assert all(name.split(">")[-1] for name in HOSTILE_NAMES)


def test_pdf_is_printed_by_chromium(tmp_path: Path) -> None:
    browser_or_skip()
    target = tmp_path / "board.pdf"
    completed = run_cli("report", "-o", str(target))
    assert completed.returncode == 0, completed.stderr
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 24  # the summary, then one page or more per authority (print styles)
    by_format = run_cli("assess", "--format", "pdf", "-o", str(tmp_path / "assess.pdf"))
    assert by_format.returncode == 0 and (tmp_path / "assess.pdf").read_bytes().startswith(b"%PDF-")


def test_pdf_without_chromium_says_how_to_get_it(tmp_path: Path) -> None:
    completed = run_cli(
        "report", "-o", str(tmp_path / "board.pdf"), env={"SLI_RULES_CHROMIUM": str(tmp_path / "no-chromium")}
    )
    assert completed.returncode == 2
    assert "Chromium" in completed.stderr and "apt-get install chromium" in completed.stderr
    assert not (tmp_path / "board.pdf").exists()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_readme_screenshot_is_the_report(tmp_path: Path) -> None:
    """docs/images/report.png is made here: SLI_RULES_UPDATE_SCREENSHOT=1 writes it anew."""
    if os.environ.get("SLI_RULES_UPDATE_SCREENSHOT"):
        browser_or_skip()
        target = _report(tmp_path)
        with opened(target, tmp_path / "profile") as visit:
            visit.page.screenshot(path=str(SCREENSHOT))
            assert visit.problems == []
    assert SCREENSHOT.exists(), "run the suite with SLI_RULES_UPDATE_SCREENSHOT=1 to make docs/images/report.png"
    assert _png_size(SCREENSHOT.read_bytes()) == (VIEWPORT["width"], VIEWPORT["height"])
    assert "docs/images/report.png" in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("option", ["--format", "-o"])
def test_report_formats_are_html_and_pdf(tmp_path: Path, option: str) -> None:
    if option == "--format":
        completed = run_cli("report", "--format", "csv")
        assert completed.returncode == 2 and "invalid choice" in completed.stderr
    else:
        completed = run_cli("report", "-o", str(tmp_path / "page.html"))
        assert completed.returncode == 0
        assert (tmp_path / "page.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_coverage_history_and_the_record_show_in_the_browser(
    tmp_path: Path, example_region: object, default_engine: object
) -> None:
    browser_or_skip()
    from sli_rules.report import render

    from .reporting import with_record

    result = with_record(default_engine.assess(example_region))  # type: ignore[attr-defined]
    target = tmp_path / "recorded.html"
    target.write_text(render(result, "html"), encoding="utf-8")
    with opened(target, tmp_path / "profile") as visit:
        page = visit.page
        heat_map = page.get_by_role("table", name=re.compile("^Counted concerns"))
        bolton = heat_map.get_by_role("row", name=re.compile("^Bolton"))
        assert "9/10 judged" in bolton.inner_text()
        trend = page.get_by_role("img", name=re.compile("^Verdicts by year: 2011-12 No significant concerns"))
        assert trend.count() == 2  # in the heat map and in Bolton's section
        section = page.locator("#a-e08000001").inner_text()
        assert "Last year: 2012-13: An emerging concern" in section
        assert "Final view: Concerns in more than one area, or one that persists (Board): Confirmed after discussion." in section
        assert "the authority does not see a concern: Our own figures differ." in section
        page.locator("#a-e08000001").screenshot(path=str(tmp_path / "bolton.png"))
        assert visit.problems == []
        _only_the_file_was_requested(visit, target)


def test_the_python_example_of_docs_report_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser_or_skip()  # the example prints a PDF
    text = (REPO / "docs" / "report.md").read_text(encoding="utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(block, "docs/report.md", "exec"), namespace)
    assert str(namespace["page"]).startswith("<!DOCTYPE html>")
    assert bytes(namespace["paper"]).startswith(b"%PDF-")  # type: ignore[call-overload]
