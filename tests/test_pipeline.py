"""One pipeline, many front ends: the plugin, the command line, the API and a gen-files script
give the same card JSON for the acceptance repository."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SiteRepo, card, trl_cards
from gitrepo import GitRepo
from test_build import _history_repo
from trl_cards import load_project
from trl_cards.outputs.card_json import project_json

GEN_FILES = """\
from pathlib import Path
import mkdocs_gen_files
import trl_cards
from trl_cards.outputs.card_json import project_json

project = trl_cards.load_project(Path("mkdocs.yml"))
with mkdocs_gen_files.open("from-gen-files.json", "w") as f:
    f.write(project_json(project))
"""


def _without_generated(text: str) -> dict[str, object]:
    data = json.loads(text)
    del data["generated"]
    return data


def test_every_front_end_gives_the_same_card_json(site_repo: SiteRepo) -> None:
    _history_repo(site_repo)
    site_repo.write("gen_export.py", GEN_FILES)
    text = (site_repo.path / "mkdocs.yml").read_text(encoding="utf-8")
    (site_repo.path / "mkdocs.yml").write_text(
        text.replace(
            "  - trl-cards", "  - gen-files:\n      scripts: [gen_export.py]\n  - trl-cards"
        ),
        encoding="utf-8",
    )
    site_repo.commit("Add the gen-files script")

    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    from_plugin = _without_generated((build.site / "api" / "cards.json").read_text("utf-8"))
    from_gen_files = _without_generated((build.site / "from-gen-files.json").read_text("utf-8"))

    cli = trl_cards("export", cwd=site_repo.path)
    assert cli.returncode == 0, cli.stderr
    from_cli = _without_generated(cli.stdout)
    # The command's export also carries the source a site of many repositories builds from.
    source = from_cli.pop("source")
    assert isinstance(source, dict) and source["format"] == "trl-cards-source"

    project = load_project(site_repo.path / "mkdocs.yml")
    from_api = _without_generated(project_json(project))

    assert from_plugin["cards"], "the acceptance repository has cards"
    assert from_cli == from_plugin
    assert from_api == from_plugin
    assert from_gen_files == from_plugin


def test_validate_reads_mkdocs_yml_and_checks_files_in_context(site_repo: SiteRepo) -> None:
    site_repo.configure("      include: [teams/**/TRL.md]\n")
    site_repo.write("teams/a/TRL.md", "---\nid: A1\nname: A\nlevel: 2\n---\n")
    site_repo.write("teams/b/TRL.md", "---\nid: A1\nname: B\nlevel: 3\n---\n")
    site_repo.write("cards/c/TRL.md", "---\nid: C1\nname: C\nlevel: 12\n---\n")  # not a card here
    site_repo.commit("Two cards with one id")
    only_b = trl_cards("validate", "teams/b/TRL.md", cwd=site_repo.path)
    only_a = trl_cards("validate", "teams/a/TRL.md", "--format", "json", cwd=site_repo.path)

    assert only_b.returncode == 1
    assert only_b.stdout.startswith("teams/b/TRL.md:2: error: `id` `A1` is already the id of")
    assert "cards/c" not in only_b.stdout  # mkdocs.yml's include decides which files are cards
    assert only_a.returncode == 0 and json.loads(only_a.stdout) == []


def test_validate_without_mkdocs_yml_checks_the_cards_of_the_folder(tmp_path: Path) -> None:
    """A component's repository has cards and no site, as where pre-commit runs the hook."""
    repo = GitRepo(tmp_path / "component")
    repo.write("model/TRL.md", card("A1", 2))
    repo.write("serving/TRL.yml", "id: A1\nname: Serving\nlevel: 3\n")
    repo.commit("Two cards with one id")
    second = trl_cards("validate", "serving/TRL.yml", cwd=repo.path)
    first = trl_cards("validate", "model/TRL.md", cwd=repo.path)
    named = trl_cards("validate", "-f", "mkdocs.yml", cwd=repo.path)

    assert second.returncode == 1
    assert second.stdout.startswith("serving/TRL.yml:1: error: `id` `A1` is already the id of")
    assert "No mkdocs.yml here: the cards are the files matching **/TRL.md" in second.stderr
    assert first.returncode == 0 and first.stdout == ""
    assert named.returncode == 2 and "mkdocs.yml" in named.stderr  # asked for: must exist


def test_history_prints_what_the_card_page_shows(site_repo: SiteRepo) -> None:
    _history_repo(site_repo)
    result = trl_cards("history", "P1", cwd=site_repo.path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2024-01-10  first recorded at 3")
    assert any("4 -> 5" in line and "skipped gate" in line for line in lines)


def test_every_command_has_an_example_in_its_help() -> None:
    for command in (
        "validate",
        "new",
        "export",
        "history",
        "generate",
        "check",
        "schema",
        "diff",
    ):
        result = trl_cards(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "example: trl-cards " + command in result.stdout
