"""Hostile input: each case ends with a clear error or a correct result, in bounded memory.

Every case runs in a child process that reports how it ended and its peak RSS, so that a
crash, a runaway allocation or a hang (the child's timeout) fails the test and nothing else.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT_MIB = 600  # far above a normal run (about 50 MiB), far below a runaway


def in_child(body: str, timeout: float = 300) -> dict[str, Any]:
    """Run `body` (which sets `result`, a dict) in a fresh interpreter with an address-space
    limit; return `result` plus how the child ended and its peak RSS in MiB."""
    code = textwrap.dedent(
        """
        import json, resource, sys, traceback
        sys.path.insert(0, {root!r})
        limit = {limit} * 2**20 * 3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        result = {{}}
        try:
        {body}
        except BaseException as error:
            from sli_rules import SliRulesError
            result["error"] = type(error).__name__
            result["clean"] = isinstance(error, SliRulesError)
            if isinstance(error, SliRulesError):
                problems = error.problems
                result["problems"] = len(problems)
                result["first"] = str(problems[0]) if problems else ""
                result["located"] = all(p.path and p.line >= 1 and p.column >= 1 for p in problems)
                result["longest"] = max((len(str(p)) for p in problems), default=0)
            else:
                result["traceback"] = traceback.format_exc()[-3000:]
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec
        with open("/proc/self/status") as status:
            hwm = next(line for line in status if line.startswith("VmHWM:"))
        result["peak"] = int(hwm.split()[1]) / 1024
        print("RESULT " + json.dumps(result))
        """
    ).format(root=str(ROOT), limit=MEMORY_LIMIT_MIB, body=textwrap.indent(textwrap.dedent(body), "    "))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"child ended with {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT "):])
    assert "traceback" not in result, result["traceback"]
    assert result["peak"] < MEMORY_LIMIT_MIB, result
    return result


def clear_error(result: dict[str, Any]) -> None:
    assert result.get("clean"), result
    assert result["located"], result
    assert result["longest"] < 2000, result  # an error names the problem, not the whole input



def test_a_yaml_alias_bomb_in_facts(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 10)]
    bomb = "\n".join(lines)
    (tmp_path / "bomb.yaml").write_text(
        f"authority: Bombtown\nyear: 2013-14\nbomb:\n  {bomb.replace(chr(10), chr(10) + '  ')}\nfacts:\n  x: *a9\n"
    )
    clear_error(in_child(f"""
        import sli_rules
        sli_rules.Engine().assess({str(tmp_path / 'bomb.yaml')!r})
        result["ok"] = True
    """))



def test_a_yaml_alias_bomb_in_a_rulebook(tmp_path: Path) -> None:
    import shutil

    from sli_rules.rules.load import default_rulebook_path

    shutil.copytree(default_rulebook_path() / "triggers", tmp_path / "triggers")
    shutil.copytree(default_rulebook_path() / "menus", tmp_path / "menus")
    lines = ["a0: &a0 [{fact: ascof.quality_of_life, above: 1}, {fact: ascof.quality_of_life, above: 2}]"]
    lines += [f"a{i}: &a{i} {{any: [{{all: *a{i - 1}}}, {{all: *a{i - 1}}}]}}" for i in range(1, 30)]
    text = "kind: triggers\nheading: outcomes\nbombs:\n" + "\n".join("  " + line for line in lines)
    text += "\ntriggers:\n  - id: bomb\n    title: Bomb\n    when: *a29\n"
    (tmp_path / "triggers" / "bomb.yaml").write_text(text)
    result = in_child(f"""
        import sli_rules
        sli_rules.Engine({str(tmp_path)!r})
        result["ok"] = True
    """)
    clear_error(result)


def test_a_50_mb_fact_file(tmp_path: Path) -> None:
    """50 MB of facts: one number given as a 50 MB string, and many unknown facts."""
    filler = "9" * (50 * 2**20)
    document = {"authority": "Bigtown", "year": "2013-14", "facts": {"ascof.quality_of_life": filler}}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    assert path.stat().st_size > 50 * 10**6
    clear_error(in_child(f"""
        import sli_rules
        sli_rules.Engine().assess({str(path)!r})
    """))


def _write_50_mb_region(path: Path, last: dict[str, Any] | None = None) -> int:
    """A region of copies of the example's Halton, written as JSON or YAML (by the suffix)
    in full, as a person's file would be: over 50 MB. `last` replaces the last one's facts."""
    import yaml

    example = yaml.safe_load((ROOT / "examples" / "north-west-2013-14" / "halton.yaml").read_text())
    authorities = []
    size = 0
    index = 0
    while size < 50 * 10**6:
        item = {**example, "authority": f"Town {index}", "code": f"E99{index:06d}", "comparators": []}
        size += len(json.dumps(item)) + 1
        authorities.append(item)
        index += 1
    if last is not None:
        authorities[-1] = {**authorities[-1], "facts": {**example["facts"], **last}}
    region = {"kind": "region", "authorities": authorities}
    if path.suffix == ".json":
        path.write_text(json.dumps(region))
    else:
        class Plain(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
            def ignore_aliases(self, data: Any) -> bool:
                return True  # no anchors: each authority written out

        path.write_text(yaml.dump(region, Dumper=Plain, sort_keys=False))
    assert path.stat().st_size > 50 * 10**6
    return index


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_50_mb_region_is_assessed(tmp_path: Path, suffix: str) -> None:
    """50 MB of valid facts (many authorities), as JSON or YAML: a correct result, in
    bounded memory (where each value was written is found when needed, not recorded)."""
    path = tmp_path / f"region{suffix}"
    count = _write_50_mb_region(path)
    result = in_child(f"""
        import sli_rules
        assessed = sli_rules.Engine().assess({str(path)!r})
        result["authorities"] = len(assessed)
        result["levels"] = sorted({{item.level for item in assessed}})
    """, timeout=900)
    assert result.get("authorities") == count, result
    assert len(result["levels"]) == 1, result  # identical facts, identical verdicts


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_mistake_in_a_50_mb_region_is_located(tmp_path: Path, suffix: str) -> None:
    """A bad value in the last authority of a 50 MB region is reported at its line and
    column, in bounded memory: the file is read again, keeping only the places asked for."""
    path = tmp_path / f"region{suffix}"
    _write_50_mb_region(path, last={"ascof.quality_of_life": "well above average"})
    text = path.read_text()
    offset = text.rindex("well above average") - (1 if suffix == ".json" else 0)  # JSON: at its opening quote
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    result = in_child(f"""
        import sli_rules
        sli_rules.Engine().assess({str(path)!r})
    """, timeout=900)
    clear_error(result)
    assert result["problems"] == 1, result
    assert result["first"].startswith(f"{path}:{line}:{column}: 'ascof.quality_of_life': expected a number"), result


def _nested(depth: int) -> str:
    condition = "{fact: ascof.quality_of_life, above: 10}"
    for level in range(depth):
        condition = f"{{{'all' if level % 2 else 'any'}: [{condition}, {{fact: ascof.feel_safe, above: {level}}}]}}"
    return condition


@pytest.mark.parametrize("depth", [10, 1000])
def test_deeply_nested_conditions(tmp_path: Path, depth: int) -> None:
    import shutil

    from sli_rules.rules.load import default_rulebook_path

    shutil.copytree(default_rulebook_path() / "triggers", tmp_path / "triggers")
    shutil.copytree(default_rulebook_path() / "menus", tmp_path / "menus")
    (tmp_path / "triggers" / "deep.yaml").write_text(
        "kind: triggers\nheading: outcomes\ntriggers:\n"
        f"  - id: deep\n    title: Deep\n    when: {_nested(depth)}\n"
    )
    result = in_child(f"""
        import sli_rules
        engine = sli_rules.Engine({str(tmp_path)!r})
        region = sli_rules.load_facts(sli_rules.assessment.engine.example_region_path())
        durable = engine.outcomes(region, backend="durable")
        python = engine.outcomes(region, backend="python")
        result["agree"] = durable == python
        result["assessed"] = len(engine.assess(region))
    """)
    if "error" in result:
        clear_error(result)
    else:
        assert result["agree"] and result["assessed"] == 23, result


def test_a_csv_with_a_million_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    columns = 1_000_000
    header = "authority,year," + ",".join(f"made.up{index}" for index in range(columns))
    row = "Widetown,2013-14," + ",".join("1" for _ in range(columns))
    path.write_text(header + "\n" + row + "\n")
    result = in_child(f"""
        import sli_rules
        sli_rules.Engine().assess({str(path)!r})
    """)
    clear_error(result)


def test_names_with_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "control.yaml"
    path.write_text(
        'authority: "Hal\\0ton\\e[31m\\r\\u202e"\nyear: 2013-14\n'
        'comparators: ["\\x07bell"]\nfacts:\n  "ascof.quality\\x1b_of_life": 18.9\n'
    )
    result = in_child(f"""
        import sli_rules
        sli_rules.Engine().assess({str(path)!r})
    """)
    clear_error(result)


def test_the_command_line_never_prints_a_traceback_on_hostile_files(tmp_path: Path) -> None:
    cases = {
        "bytes.yaml": bytes(range(256)) * 4,
        "bomb.yaml": b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nauthority: [*c, *c]\n",
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "deep.yaml": b"[" * 100_000 + b"]" * 100_000,
        "empty.csv": b"",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-m", "sli_rules", "assess", str(path)],
            capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        )
        assert done.returncode == 2, (name, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, (name, done.stderr[-3000:])
        assert f"{name}:" in done.stderr, (name, done.stderr[-2000:])
