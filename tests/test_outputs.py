"""What a build writes is the registry `OUTPUTS`: the plugin and `generate` write exactly it."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SiteRepo, card
from trl_cards.frontends.generate import generate_files
from trl_cards.model.pipeline import Settings, build_project
from trl_cards.outputs import registry as outputs

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def test_the_registry_declares_every_file_and_the_navigation(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 3))
    site_repo.commit("Add A1")
    project = build_project(Settings(site_repo.path), now=NOW)
    built = outputs.build_outputs(project)
    made, nav = built.files, built.nav
    assert {"readiness/index.md", "readiness/cards/A1/index.md", "api/cards.json"} <= set(made)
    assert "readiness/api/cards.json" in made  # the one path, whatever the engine
    assert {"readiness/assets/trl-cards.css", "readiness/assets/trl-cards.js"} <= set(made)
    assert nav[0] == "readiness/index.md" and nav[-1] == "readiness/problems/index.md"
    assert len(nav) == 16 and "readiness/tags/index.md" in nav
    assert "readiness/gates/index.md" in nav
    assert "readiness/glossary/index.md" in nav and built.problems == ()
    assert "readiness/changes/index.md" in nav
    build = site_repo.build(strict=True)
    built = {p.relative_to(build.site).as_posix() for p in build.site.rglob("*") if p.is_file()}
    assert {"api/cards.json", "readiness/assets/trl-cards.css"} <= built
    assert {"readiness/api/cards.json", "readiness/cards/A1/index.html"} <= built


def test_a_new_output_is_one_entry_in_the_registry(
    site_repo: SiteRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 3))
    site_repo.commit("Add A1")
    csv = outputs.Output(
        "csv",
        lambda project, memo: outputs.Made(
            {
                "readiness/api/cards.csv": "id,level\n"
                + "".join(f"{c.id},{c.level}\n" for c in project.collection.cards)
            }
        ),
    )
    monkeypatch.setattr(outputs, "OUTPUTS", (*outputs.OUTPUTS, csv))
    files, _ = generate_files(build_project(Settings(site_repo.path), now=NOW))
    assert files["api/cards.csv"] == "id,level\nA1,3\n"
