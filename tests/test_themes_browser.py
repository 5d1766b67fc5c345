"""The regional picture of a theme as a Board member sees it: the theme report and the Board
report's theme section opened in the distribution's headless Chromium, with no console error,
no request but the file itself, a chart and a table for each element; the PDF printed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .conftest import run_cli
from .reporting import browser_or_skip, opened
from .test_themes import HALTON_MARKET, WIGAN_MARKET, _known, _region_without_thematic_facts, _template

BOLTON_MARKET = ["level-1", "not-met", "level-1", "level-2", "not-met"]


def _recorded(tmp_path: Path) -> str:
    db = str(tmp_path / "sli.db")
    _known(db, _region_without_thematic_facts(tmp_path))
    for authority, levels in (("Halton", HALTON_MARKET), ("Wigan", WIGAN_MARKET), ("Bolton", BOLTON_MARKET)):
        form = _template(tmp_path, "market", authority, f"{authority}.yaml")
        data = yaml.safe_load(form.read_text(encoding="utf-8"))
        for element, level in zip(data["elements"], levels, strict=True):
            element["level"] = level
        form.write_text(yaml.safe_dump(data), encoding="utf-8")
        done = run_cli("theme", "record", str(form), "--db", db, "--by", "SLI lead", "--date", "2013-09-30")
        assert done.returncode == 0, done.stderr
    return db


def test_the_theme_report_reads_in_the_browser(tmp_path: Path) -> None:
    browser_or_skip()
    db = _recorded(tmp_path)
    target = tmp_path / "market.html"
    done = run_cli("theme", "report", "market", "--year", "2013-14", "--db", db, "-o", str(target))
    assert done.returncode == 0, done.stderr
    with opened(target, tmp_path / "profile") as visit:
        page = visit.page
        summary = page.locator("p.summary-line").all_inner_texts()
        assert summary[0] == "3 authorities reviewed the social care market in 2013-14."
        assert summary[1].startswith("Bolton and Halton fall short of the minimum standard on a key element")
        table = page.get_by_role("table", name=re.compile("^How many authorities rated themselves"))
        rows = table.get_by_role("rowheader").all_inner_texts()
        assert len(rows) == 5 and rows[0] == "◆ A published market position statement, shared with providers"
        first = table.get_by_role("row").nth(1)
        assert first.get_by_role("cell").all_inner_texts()[1:] == ["1", "1", "0", "0", "1"]
        chart = first.get_by_role("img")
        assert chart.get_attribute("aria-label") == "not-met: 1, level-1: 1, level-2: 0, level-3: 0, level-4: 1"
        widths = [float(rect.get_attribute("width")) for rect in chart.locator("rect").all()]
        assert widths == [80.0, 80.0, 80.0]  # one authority in three: a third of the bar each
        assert chart.bounding_box()["width"] > 100
        development = page.locator("h3:has-text('Areas for development') + p + ul li").all_inner_texts()
        # Key elements first: Bolton and Halton fail a key element; no one fails only another.
        assert development[0].startswith("Bolton: key: Plans for the failure of a provider, tested")
        assert development[1] == "Halton: key: A published market position statement, shared with providers"
        strengths = page.locator("h3:has-text('Strengths') + p + ul li").all_inner_texts()
        assert strengths[-1].startswith("Wigan: A published market position statement")
        assert visit.problems == []
        assert visit.requests == [target.resolve().as_uri()]
    printed = tmp_path / "market.pdf"
    done = run_cli("theme", "report", "market", "--year", "2013-14", "--db", db, "-o", str(printed))
    assert done.returncode == 0, done.stderr
    assert printed.read_bytes().startswith(b"%PDF-")


def test_the_board_report_has_a_section_per_theme_reviewed(tmp_path: Path) -> None:
    browser_or_skip()
    db = _recorded(tmp_path)
    region = tmp_path / "region"
    target = tmp_path / "board.html"
    done = run_cli("report", str(region), "--db", db, "-o", str(target))
    assert done.returncode == 0, done.stderr
    with opened(target, tmp_path / "profile") as visit:
        page = visit.page
        section = page.locator("#theme-market")
        assert section.get_by_role("heading", level=2).inner_text() == \
            "Thematic review: The social care market, 2013-14"
        assert section.get_by_role("img").count() == 5
        assert page.locator("#theme-workforce").count() == 0  # no review of it on record
        # Entry 16 on the authorities failing a key element, read from the recorded reviews.
        halton = page.locator("#a-e06000006").inner_text()
        assert "Failure to meet minimum standards (Level 1) on the thematic review self-assessment" in halton
        assert visit.problems == []
        assert visit.requests == [target.resolve().as_uri()]
