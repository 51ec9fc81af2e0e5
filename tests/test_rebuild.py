"""A live preview in seconds: after an edit to one card, `mkdocs serve --dirty` rebuilds only
the pages the edit changes, and the pipeline reads nothing of git while HEAD stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import SiteRepo, card, review
from trl_cards.model.pipeline import Settings, build_project
from trl_cards.outputs.made import Memo
from trl_cards.outputs.registry import build_outputs


def _serve_build(site_repo: SiteRepo, site: Path) -> None:
    """One build as `mkdocs serve --dirty`'s builder makes it: the config read again, the
    plugin object kept (MkDocs keeps plugins that define `on_startup`)."""
    config = load_config(config_file=str(site_repo.path / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)


def _mtimes(site: Path) -> dict[str, int]:
    return {
        p.relative_to(site).as_posix(): p.stat().st_mtime_ns
        for p in site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json")
    }


def test_an_edited_card_rebuilds_only_the_pages_it_changes(
    site_repo: SiteRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISABLE_MKDOCS_2_WARNING", "true")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    for n in range(1, 6):
        site_repo.write(f"cards/c{n}/TRL.md", card(f"C{n}", n))
    site_repo.commit("Five cards")
    site_repo.write("cards/c1/TRL.md", card("C1", 2))
    site_repo.commit("C1 advances")
    site = tmp_path / "served"
    _serve_build(site_repo, site)
    before = _mtimes(site)
    assert "readiness/cards/C1/level-1/index.html" in before

    site_repo.write("cards/c3/TRL.md", card("C3", 3, name="Renamed component"))
    _serve_build(site_repo, site)
    after = _mtimes(site)

    rebuilt = {page for page, mtime in after.items() if before.get(page) != mtime}
    assert "Renamed component" in (site / "readiness/cards/C3/index.html").read_text("utf-8")
    assert "Renamed component" in (site / "readiness/index.html").read_text("utf-8")
    # The card's pages (its page of changes shows its name), the pages that list it, and the
    # card JSON: nothing else of the readiness site, though MkDocs counts every generated file
    # as modified.
    # The milestone pages list each change with the card's name: those that list C3 too.
    readiness = {p for p in rebuilt if p.startswith(("readiness/", "api/"))}
    changes = {p for p in readiness if p.startswith("readiness/changes/")}
    assert changes and all("Renamed component" in (site / p).read_text("utf-8") for p in changes)
    assert readiness - changes == {
        "readiness/cards/C3/index.html",
        "readiness/cards/C3/changes/index.html",
        "readiness/index.html",
        "readiness/levels/3/index.html",
        "readiness/api/cards.json",
        "api/cards.json",
    }
    assert len(before) > 20


def test_a_rebuild_with_head_unmoved_reuses_the_lineages(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 2))
    site_repo.commit("A1")
    first = build_project(Settings(site_repo.path))
    site_repo.write("cards/a/TRL.md", card("A1", 3))  # edited, not committed
    again = build_project(Settings(site_repo.path), previous=first)
    assert again.lineages is first.lineages and again.now == first.now
    assert again.collection.cards[0].level == 3
    site_repo.commit("A1 advances")
    moved = build_project(Settings(site_repo.path), previous=again)
    assert moved.lineages is not first.lineages
    assert [t.to_level for t in moved.histories["A1"].transitions] == [2, 3]


def _team_card(card_id: str, level: int, **change: str) -> str:
    """A card with owners, tags, a review and a body, each of which a test can change."""
    fields = {
        "name": f"Component {card_id}",
        "owners": "[Ana, Raj]",
        "tags": "[vision, edge]" if card_id != "C4" else "[vision]",
        "decision": "advance",
        "body": "A component.",
        "target": "{level: 6, date: 2099-03-31}",
    } | change
    extra = f"owners: {fields['owners']}\ntags: {fields['tags']}\ntarget: {fields['target']}\n"
    extra += "reviews:\n" + review(level - 1, level, "2024-03-01", fields["decision"])
    return card(card_id, level, name=fields["name"], extra=extra, body=fields["body"] + "\n")


@pytest.mark.parametrize(
    ("field", "edit"),
    [
        ("name", {"name": "Renamed"}),
        ("level", {}),
        ("owners", {"owners": "[Ana, Lee]"}),
        ("tags", {"tags": "[edge, lidar]"}),
        ("review", {"decision": "hold"}),
        ("body", {"body": "## TL;DR\nNow a detector."}),
        ("target", {"target": "{level: 7, date: 2099-06-30}"}),
    ],
)
def test_an_edit_of_any_field_rebuilds_what_a_fresh_build_makes(
    site_repo: SiteRepo, field: str, edit: dict[str, str]
) -> None:
    """What the memo gives back after an edit equals what a build without it makes: every
    page, feed and the card JSON, whichever field changed."""
    for n in range(1, 6):
        site_repo.write(f"cards/c{n}/TRL.md", _team_card(f"C{n}", n + 1))
    site_repo.commit("Five cards")
    site_repo.write("cards/c2/TRL.md", _team_card("C2", 4))
    site_repo.commit("C2 advances")
    memo = Memo()
    project = build_project(Settings(site_repo.path))
    build_outputs(project, memo)
    level = 5 if field == "level" else 4
    site_repo.write("cards/c2/TRL.md", _team_card("C2", level, **edit))
    project = build_project(Settings(site_repo.path), previous=project)
    recalled = build_outputs(project, memo).files
    fresh = build_outputs(project).files
    assert recalled.keys() == fresh.keys()
    differ = [path for path in fresh if recalled[path] != fresh[path]]
    assert differ == []
    assert any("Renamed" in str(c) for c in fresh.values()) == (field == "name")
    assert any("2099-06-30" in str(c) for c in fresh.values()) == (field == "target")
    # Each card's JSON is encoded apart and joined: the text is what `json.dumps` writes.
    text = str(recalled[project.site.urls.card_json()])
    assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"


def test_the_card_json_of_no_cards_is_what_json_writes(site_repo: SiteRepo) -> None:
    text = str(build_outputs(build_project(Settings(site_repo.path))).files["api/cards.json"])
    assert json.loads(text)["cards"] == []
    assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
