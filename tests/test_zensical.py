"""Zensical, which runs no MkDocs plugin, builds the readiness site from `trl-cards generate`:
every card page is there, no link or anchor is broken, and search finds a card by its id."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import SiteRepo, trl_cards
from test_build import _history_repo

ZENSICAL_YML = """\
site_name: Readiness with Zensical
site_url: https://example.org/readiness-site/
theme:
  name: material
  font: false
plugins:
  - search
"""


class _Page(HTMLParser):
    """The ids of a page and the targets of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _target(page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment a relative link of `page` points at; None for other links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return None
    path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if path.is_dir() or href.endswith("/"):
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_zensical_builds_the_generated_readiness_site(site_repo: SiteRepo) -> None:
    _history_repo(site_repo)
    generated = trl_cards("generate", "docs/readiness", cwd=site_repo.path)
    assert generated.returncode == 0, generated.stderr
    snippet = generated.stdout.split("add to mkdocs.yml:\n", 1)[1]
    (site_repo.path / "zensical.yml").write_text(ZENSICAL_YML + snippet, encoding="utf-8")
    zensical = Path(sys.executable).parent / "zensical"
    built = subprocess.run(
        [str(zensical), "build", "-f", "zensical.yml"],
        cwd=site_repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    site = site_repo.path / "site"

    # Every generated page became a page of the site, the card pages among them.
    readiness = site_repo.path / "docs" / "readiness"
    for source in readiness.rglob("*.md"):
        relative = source.relative_to(readiness).with_suffix("")
        folder = relative.parent if relative.name == "index" else relative
        assert (site / "readiness" / folder / "index.html").is_file(), source
    exported = json.loads((site / "readiness" / "api" / "cards.json").read_text("utf-8"))
    assert {c["id"] for c in exported["cards"]} == {"P1", "R1"}
    card_page = (site / "readiness" / "cards" / "P1" / "index.html").read_text("utf-8")
    assert 'class="trl-transitions trl-stacked"' in card_page and "<svg" in card_page
    # The stylesheet and the script are linked, and resolve to the generated assets.
    for asset in re.findall(r'(?:href|src)="([^"]*trl-cards\.(?:css|js))"', card_page):
        assert (site / "readiness" / "cards" / "P1" / asset).resolve().is_file(), asset
    assert len(re.findall(r"trl-cards\.(?:css|js)", card_page)) == 2

    # No link between readiness pages is broken, nor any anchor.
    pages = {path: _parse(path) for path in (site / "readiness").rglob("*.html")}
    checked = 0
    for path, page in pages.items():
        for href in page.hrefs:
            target = _target(path, href)
            if target is None or not target[0].is_relative_to(site / "readiness"):
                continue
            file, fragment = target
            if file.suffix != ".html":  # a feed, the CSV, a badge: it must be there
                assert file.is_file(), (path, href)
                continue
            assert file in pages, (path, href)
            assert not fragment or fragment in pages[file].ids, (path, href)
            checked += 1
    assert checked > 100
    # The files the pages link to are what they say.
    feed = (site / "readiness" / "feed.xml").read_text(encoding="utf-8")
    assert feed.startswith('<?xml version="1.0"') and "<entry>" in feed
    assert (site / "readiness" / "badges" / "P1.svg").read_text("utf-8").startswith("<svg")
    assert (site / "readiness" / "cards.csv").read_text("utf-8").startswith("id,name,level,")

    # Search finds a card by its id: the card's own page is in the index with its id.
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    hits = [i for i in index["items"] if "P1" in i["title"] + i["text"]]
    assert any(i["location"] == "readiness/cards/P1/" for i in hits)
