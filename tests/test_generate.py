"""A readiness site without the plugin: `trl-cards generate` writes the pages as files, and
MkDocs without `trl-cards` (as Zensical would) builds the same site from them."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import SiteRepo, trl_cards
from test_build import _history_repo

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)

PLAIN = """\
site_name: Readiness without the plugin
theme:
  name: material
  font: false
plugins:
  - search
"""


def _links(page: Path) -> list[str]:
    """The relative links of a page, without their query (a filter) or fragment."""
    return re.findall(r'href="([^"#?:]+)(?:[?#][^"]*)?"', page.read_text(encoding="utf-8"))


def test_a_site_without_the_plugin_from_generated_pages(site_repo: SiteRepo) -> None:
    _history_repo(site_repo)
    plugin_build = site_repo.build(strict=True)
    assert plugin_build.returncode == 0, plugin_build.log

    generated = trl_cards("generate", "docs/readiness", cwd=site_repo.path)
    assert generated.returncode == 0, generated.stderr
    snippet = generated.stdout.split("add to mkdocs.yml:\n", 1)[1]
    (site_repo.path / "plain.yml").write_text(PLAIN + snippet, encoding="utf-8")
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", "plain.yml", "--strict", "-d", "plain"],
        cwd=site_repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert plain.returncode == 0, plain.stdout + plain.stderr
    site = site_repo.path / "plain"

    for card_id in ("P1", "R1"):
        page = site / "readiness" / "cards" / card_id / "index.html"
        assert page.is_file(), card_id
        assert 'class="trl-transitions trl-stacked"' in page.read_text(encoding="utf-8")
    assert (site / "readiness" / "cards" / "P1" / "level-3" / "index.html").is_file()
    for page in (site / "readiness").rglob("*.html"):
        for href in _links(page):
            target = (page.parent / href).resolve()
            assert target.is_file() or (target / "index.html").is_file(), (page, href)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(
        d["location"].startswith("readiness/cards/P1/")
        for d in index["docs"]
        if "P1" in d.get("title", "") + d.get("text", "")
    )

    def cards(path: Path) -> object:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["cards"]

    assert cards(site / "readiness" / "api" / "cards.json") == cards(
        plugin_build.site / "api" / "cards.json"
    )


def test_generating_again_removes_what_is_no_longer_generated(site_repo: SiteRepo) -> None:
    from trl_cards.frontends.generate import generate_files, write_files
    from trl_cards.model.pipeline import Settings, build_project

    site_repo.write("cards/a/TRL.md", "---\nid: A1\nname: A\nlevel: 2\n---\n")
    site_repo.write("cards/b/TRL.md", "---\nid: B1\nname: B\nlevel: 3\n---\n")
    site_repo.commit("Two cards")
    target = site_repo.path / "docs" / "readiness"
    target.mkdir(parents=True)
    (target / "notes.md").write_text("# Our own page\n", encoding="utf-8")

    def generate() -> None:
        files, _ = generate_files(build_project(Settings(site_repo.path), now=NOW))
        write_files(files, target)

    generate()
    assert (target / "cards" / "B1" / "index.md").is_file()
    site_repo.rm("cards/b")
    site_repo.commit("Retire B1")
    generate()

    assert not (target / "cards" / "B1" / "index.md").exists()  # not published any more
    assert (target / "cards" / "A1" / "index.md").is_file()
    assert (target / "notes.md").read_text(encoding="utf-8") == "# Our own page\n"
