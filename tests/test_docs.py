"""The docs stay true to the code: every option documented, the project's own site builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import mkdocs_build
from trl_cards.cards.fields import CARD_FIELDS
from trl_cards.frontends.config import TrlCardsConfig

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
    """The project's mkdocs.yml, docs and example cards, outside git (CI may clone shallow),
    with its generated sample organisation."""
    for name in ("docs", "cards", "overrides", "tools"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    result = mkdocs_build(
        tmp_path, strict=True, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    )
    assert result.returncode == 0, result.log
    assert (tmp_path / "site" / "readiness" / "cards" / "P13.2" / "index.html").exists()
    assert "Found 10 card file(s), 10 usable." in result.log
    # Nothing on the pages asks the forge's API for the repository's stars.
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="md-source"' in page and 'data-md-component="source"' not in page
    home = "https://mkdocs-trl-cards.github.io/mkdocs-trl-cards/"
    assert f'<link rel="canonical" href="{home}"' in page
    # The sample organisation shows what the example cards cannot: years of history.
    sample = tmp_path / "site" / "sample"
    dashboard = (sample / "index.html").read_text(encoding="utf-8")
    assert "48 components rated" in dashboard and "A generated organisation" in dashboard
    assert 'class="trl-chart trl-trend"' in dashboard
    assert (sample / "changes" / "tag-v1.0" / "index.html").is_file()
    timelines = [p for p in (sample / "cards").glob("*/index.html") if "trl-point" in p.read_text()]
    assert len(timelines) > 40


def test_the_gen_files_example_in_the_api_docs_works(tmp_path: Path) -> None:
    from conftest import SiteRepo, card, review

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    script = text.split("`scripts/gen_skipped_gates.py`:\n\n```python\n", 1)[1].split("```", 1)[0]
    repo = SiteRepo(tmp_path / "org")
    repo.write("scripts/gen_skipped_gates.py", script)
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("Add", date="2024-01-01T00:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 4))  # no review record: a skipped gate
    repo.commit("Promote", date="2024-02-01T00:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 5, extra="reviews:\n" + review(4, 5, "2024-02-28")))
    repo.commit("Promote", date="2024-03-01T00:00:00+00:00")
    config = repo.path / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - trl-cards",
            "  - gen-files:\n      scripts: [scripts/gen_skipped_gates.py]\n  - trl-cards",
        )
    )
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = build.page("skipped-gates/")
    assert re.search(r'href="\.\./readiness/cards/A1/#transition-3-4-[0-9a-f]{8}"', page)
    assert "3 → 4 on 2024-02-01" in page and "4 → 5" not in page
