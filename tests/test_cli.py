"""The `trl-cards` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from conftest import card


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from trl_cards.cli import main; raise SystemExit(main())", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_reports_problems_and_fails(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_text(card("A1", 3))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "TRL.md").write_text(card("B1", 11))
    result = _run("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "error: b/TRL.md:4: `level` 11 is out of range 0..9. The card is left out" in result.stdout
    )
    assert "2 card file(s): 1 usable, 1 error(s), 0 warning(s)." in result.stdout


def test_check_passes_and_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_text(card("A1", 3, extra="tagz: [x]\n"))
    assert _run("check", ".", cwd=tmp_path).returncode == 0
    strict = _run("check", ".", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "Did you mean `tags`?" in strict.stdout


def test_check_of_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = _run("check", "nowhere", cwd=tmp_path)
    assert result.returncode == 2 and "nowhere is not a folder" in result.stderr


def test_schema_is_printed(tmp_path: Path) -> None:
    result = _run("schema", cwd=tmp_path)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["id", "name", "level"]


def test_sample_generates_an_organisation(tmp_path: Path) -> None:
    result = _run("sample", "org", "--cards", "5", "--commits", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "org").rglob("TRL.md"))) == 5
    assert _run("check", "org", cwd=tmp_path).returncode == 0
