"""The docs stay true to the code: every option documented, the project's own site builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from trl_cards.card import CARD_FIELDS
from trl_cards.config import TrlCardsConfig

ROOT = Path(__file__).parents[1]


def test_every_option_is_in_the_configuration_reference() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = [name for name, _ in TrlCardsConfig._schema]
    assert names, "no options found"
    for name in names:
        assert f"| `{name}` |" in reference, f"option `{name}` is not in docs/configuration.md"


def test_every_card_key_is_in_the_format_reference() -> None:
    reference = (ROOT / "docs" / "card-format.md").read_text(encoding="utf-8")
    for field in CARD_FIELDS:
        assert f"`{field.name}" in reference, f"card key `{field.name}` is not documented"


def test_default_config_is_valid() -> None:
    config = TrlCardsConfig()
    config.load_dict({})
    failed, warnings = config.validate()
    assert (failed, warnings) == ([], [])
    assert config.prefix == "readiness" and config.history is True


def test_project_site_builds_strictly(tmp_path: Path) -> None:
    """The project's mkdocs.yml, docs and example cards, outside git (CI may clone shallow)."""
    for name in ("docs", "cards"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    env = {
        **os.environ,
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
        "GIT_CEILING_DIRECTORIES": str(tmp_path.parent),
    }
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "readiness" / "cards" / "P13.2" / "index.html").exists()
    assert "Found 10 card file(s), 10 usable." in result.stderr
