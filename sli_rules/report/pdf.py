"""PDF: the Board report printed by headless Chromium, from the HTML and its print styles."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import ExtraMissing
from .html import render_html

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ..assessment.results import RegionAssessment
    from ..facts.picture import ThemePicture

# No network, no first-run work, no profile shared with anyone: Chromium prints a local file.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PRINT_TIMEOUT = 180


def chromium_path() -> str | None:
    """Chromium named by SLI_RULES_CHROMIUM, else the first on PATH."""
    named = os.environ.get("SLI_RULES_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pdf(
    result: RegionAssessment,
    extras: Mapping[str, Mapping[str, Any]] | None = None,
    themes: Sequence[ThemePicture] = (),
) -> bytes:
    return print_pdf(render_html(result, extras, themes))


def print_pdf(page: str) -> bytes:
    """A self-contained HTML page printed to PDF by headless Chromium."""
    browser = chromium_path()
    if browser is None:
        raise ExtraMissing(
            "PDF reports are printed by Chromium, which was not found; install it (on Debian: "
            "apt-get install chromium, as .ci/chromium does) or name it in SLI_RULES_CHROMIUM"
        )
    with tempfile.TemporaryDirectory(prefix="sli-rules-pdf-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as error:
            raise ExtraMissing(f"Chromium did not print the report within {PRINT_TIMEOUT} s") from error
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            detail = (completed.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise ExtraMissing(f"Chromium could not print the report (exit {completed.returncode}): {detail[0]}")
        return target.read_bytes()
