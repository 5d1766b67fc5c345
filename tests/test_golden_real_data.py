"""The published ASCOF figures for the North West, 2022-23 and 2023-24, against golden JSON
files: any change to what the real data gives is visible in review. Regenerate on purpose with
SLI_RULES_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import run_cli
from .test_real_data import ASCOF, needs_ascof

GOLDEN = Path(__file__).parent / "golden"


def _normalised(text: str) -> dict[str, object]:
    data = json.loads(text)
    assert data["rulebook"]["digest"].startswith("sha256:")
    data["rulebook"] = {"digest": "sha256:…", "path": "…"}
    return data


@needs_ascof
@pytest.mark.parametrize("year", ["2022-23", "2023-24"])
def test_the_north_west_from_the_published_file_matches_its_golden_json(year: str) -> None:
    golden = GOLDEN / f"ascof-north-west-{year}.json"
    completed = run_cli("assess", str(ASCOF), "--region", "North West", "--year", year, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    found = _normalised(completed.stdout)
    if os.environ.get("SLI_RULES_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert found == json.loads(golden.read_text(encoding="utf-8"))
