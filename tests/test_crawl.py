"""A generated organisation with years of history, built as a real material site and crawled:
no link or anchor is broken in any page, feed, redirect or the card JSON, and in Chromium no
page is wider than the screen, logs an error or loads anything from outside the machine."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser

from browser import Watch, chromium, serve, watched_context, watched_page
from conftest import card, mkdocs_build
from gitrepo import GitRepo
from sample_org import SampleSpec, generate_organisation

SITE_URL = "https://org.example/readiness-site/"
MKDOCS_YML = f"""\
site_name: Sample organisation
site_url: {SITE_URL}
theme:
  name: material
  font: false
  palette: {{scheme: default}}
plugins:
  - search
  - tags
  - trl-cards:
      milestone_tags: "v*"
"""


@dataclass
class _Page(HTMLParser):
    """The ids of an HTML file and every address it refers to (links, assets, refreshes)."""

    ids: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            self.ids.add(values["id"])
        for key in ("href", "src"):
            if values.get(key) and tag in {"a", "link", "script", "img", "use"}:
                self.refs.append(values[key])
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.refs.append(values.get("content", "").partition("url=")[2])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two and a half years of a 24-component organisation, then a release tag, a card
    renumbered (its old id in `aliases`) and a card retired."""
    root = tmp_path_factory.mktemp("crawl") / "org"
    generate_organisation(
        root, SampleSpec(cards=24, commits=700, years=2.5, start=date(2023, 1, 2))
    )
    repo = GitRepo(root, init=False)
    repo.git("tag", "v1.0", "HEAD~300")
    # Two cards no other card refers to (`coupled`, `parts`): one renumbered, one retired.
    texts = {path: path.read_text("utf-8") for path in sorted(root.rglob("TRL.md"))}
    ids = {path: re.search(r'^id: "?([^"\n]+)"?$', text, re.M) for path, text in texts.items()}
    everything = "\n".join(texts.values())
    free = [p for p, m in ids.items() if m and everything.count(m[1]) == 1]
    renamed, retired = free[0], free[1]
    old_id = ids[renamed]
    assert old_id
    renamed.write_text(
        texts[renamed].replace(old_id[0], f"id: NEW-{old_id[1]}\naliases: [{old_id[1]}]", 1),
        encoding="utf-8",
    )
    repo.rm(str(retired.relative_to(root)))
    repo.write("extra/TRL.md", card("X1", 2, extra="owners: [Zoe]\ntags: [new]\n"))
    repo.commit("Renumber a card, retire one, add one", date="2025-07-01T09:00:00+00:00")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Sample\n", encoding="utf-8")
    built = mkdocs_build(root, strict=True)
    assert built.returncode == 0, built.log
    assert "WARNING" not in built.log, built.log
    return built.site


def _resolve(site: Path, base: Path, ref: str) -> tuple[Path, str] | None:
    """The file and fragment `ref` (in the file `base`) points at in the site; None when it
    points off the site."""
    if ref.startswith(SITE_URL):
        ref, base = ref.removeprefix(SITE_URL), site / "index.html"
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("/", "mailto:")):
        return None
    target = (base.parent / unquote(parts.path)).resolve() if parts.path else base
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_no_link_or_anchor_is_broken(site: Path) -> None:
    pages: dict[Path, _Page] = {}
    for path in site.rglob("*.html"):
        page = _Page()
        page.feed(path.read_text("utf-8"))
        pages[path.resolve()] = page
    refs: list[tuple[Path, str]] = [(p, r) for p, page in pages.items() for r in page.refs]
    # The feeds' links (Atom `<link href>`), and every URL in the card JSON.
    atom = "{http://www.w3.org/2005/Atom}"
    feeds = list((site / "readiness").rglob("*.xml"))
    assert len(feeds) > 20  # the organisation's feed and one per card
    for feed in feeds:
        for link in ET.parse(feed).getroot().iter(f"{atom}link"):
            refs.append((feed.resolve(), link.attrib["href"]))
    exported = json.loads((site / "api" / "cards.json").read_text("utf-8"))
    # Its URLs are relative to the site root (docs/export.md).
    refs += [(site / "index.html", url) for url in _urls(exported)]
    with (site / "readiness" / "cards.csv").open(encoding="utf-8", newline="") as rows:
        refs += [(site / "index.html", row["url"]) for row in csv.DictReader(rows)]
    checked = outside = 0
    for source, ref in refs:
        target = _resolve(site, source, ref)
        if target is None:
            outside += 1
            continue
        file, fragment = target
        assert file.is_relative_to(site.resolve()) and file.is_file(), (source, ref)
        if fragment and file.suffix == ".html":
            assert fragment in pages[file].ids, (source, ref)
        checked += 1
    assert checked > 2_000, checked
    # Every kind of page is there and was reached.
    readiness = site / "readiness"
    for kind in ("changes/tag-v1.0", "changes/today", "tags", "levels/9", "problems"):
        assert (readiness / kind / "index.html").is_file(), kind
    redirects = [p for p in readiness.rglob("index.html") if "http-equiv" in p.read_text("utf-8")]
    assert redirects, "the renumbered card's old id redirects"


def _urls(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and (key == "url" or key.endswith("_url")):
                yield value
            else:
                yield from _urls(value)
    elif isinstance(data, list):
        for item in data:
            yield from _urls(item)


SCREENS = (
    "readiness/",
    "readiness/changes/",
    "readiness/changes/tag-v1.0/",
    "readiness/tags/",
    "readiness/levels/4/",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_fits_and_stays_on_the_machine(
    site: Path, browser: Browser, width: int, scheme: str
) -> None:
    card_pages = sorted((site / "readiness" / "cards").glob("*/index.html"))
    urls = [*SCREENS, str(card_pages[len(card_pages) // 2].parent.relative_to(site)) + "/"]
    watch = Watch()
    with serve(site) as base:
        context = watched_context(browser, base, watch)
        page = watched_page(context, watch)
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            page.goto(base + url, wait_until="load")
            if scheme == "dark":
                page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{url} is {wide} px wide at {width} px ({scheme})"
        context.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
