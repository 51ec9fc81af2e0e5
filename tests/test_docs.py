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
    assert "data-summary-total>48</strong>" in dashboard and "components rated" in dashboard
    assert "A generated organisation" in dashboard
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


def test_the_module_map_is_made_from_the_docstrings() -> None:
    """docs/development.md's map is `tools/module_map.py`'s: run it with `--write` after
    adding, moving or redescribing a module."""
    from module_map import DOC, with_map

    text = DOC.read_text(encoding="utf-8")
    assert text == with_map(text), "Run `python tools/module_map.py --write`."


def test_imports_only_go_down_the_stages() -> None:
    """Each stage imports only those before it (cards, history, model, outputs, front ends),
    git only in history, MkDocs only in the front ends."""
    import ast

    from module_map import PACKAGE, STAGES

    for rank, stage in enumerate(STAGES):
        for path in (PACKAGE / stage).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level:
                    depth = len(path.relative_to(PACKAGE).parts) - 1
                    if node.level > depth and node.module:
                        target = node.module.split(".")[0]
                        assert STAGES.index(target) <= rank, f"{path} imports {target}"
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and not node.level
                    else []
                )
                for name in names:
                    top = name.split(".")[0]
                    if top == "git":
                        assert stage == "history", f"{path} imports git"
                    if top in ("mkdocs", "material", "properdocs"):
                        assert stage == "frontends", f"{path} imports {top}"


def test_the_documented_import_paths_still_work() -> None:
    """Paths earlier releases documented: scripts that import them keep working."""
    from trl_cards.config import SettingsError
    from trl_cards.export import project_json
    from trl_cards.pipeline import PipelineError
    from trl_cards.plugin import TrlCardsPlugin
    from trl_cards.urls import Urls

    import trl_cards
    import trl_cards.model.pipeline
    from trl_cards.outputs import OUTPUTS

    assert PipelineError is trl_cards.model.pipeline.PipelineError
    assert trl_cards.model.pipeline.__spec__.name == "trl_cards.model.pipeline"
    assert OUTPUTS and SettingsError and project_json and TrlCardsPlugin and Urls


def test_the_option_table_is_made_from_the_declarations() -> None:
    """Every option's documentation, default and check are declared once (`Settings`); the
    reference docs show exactly those."""
    from trl_cards.frontends.config import TrlCardsConfig
    from trl_cards.model.settings import SITE_OPTIONS, option_table

    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert option_table() in reference
    assert [name for name, _ in TrlCardsConfig._schema] == [o.name for o in SITE_OPTIONS]


def test_the_gates_options_in_the_docs_are_the_declarations() -> None:
    from trl_cards.model.settings import GATE_OPTIONS, option_table

    assert option_table(GATE_OPTIONS) in (ROOT / "docs" / "gates.md").read_text(encoding="utf-8")


def test_the_glossary_in_the_docs_is_the_sites() -> None:
    """One meaning for each word: the docs' glossary is the one every site shows."""
    from trl_cards.outputs.glossary import glossary_table

    reading = (ROOT / "docs" / "reading.md").read_text(encoding="utf-8")
    assert glossary_table() in reading
