"""A card table longer than `table_rows`: its page holds the first rows and the data of every
row, and the script shows any of them. One repository of nine cards is built twice, with
`table_rows: 4` and with every row in the HTML, and the two sites are compared in headless
Chromium: the rows the script makes must be the rows the templates write, and the filter, the
sort and the dashboard's headline must reach the cards that are not in the HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import (
    Watch,
    axe_violations,
    chromium,
    serve,
    watched_context,
    watched_page,
    with_palette,
)
from conftest import SiteRepo, card

pytestmark = pytest.mark.browser

CARDS = [
    # id, level, owners, tags: hostile text too, which the script must write as text.
    ("A1.1", 1, "[Omar Haddad]", "[vision]"),
    ("A2.1", 2, "[]", "[]"),
    ("B3.1", 3, "[Li Wei]", "[audio, vision]"),
    ("B4.1", 4, '["Ines <b>Duarte</b> & co"]', '["<i>odd</i> & \\"quoted\\""]'),
    ("C5.1", 5, "[Li Wei]", "[vision]"),
    ("C6.1", 6, "[Dana Whitfield]", "[finance]"),
    ("D7.1", 7, "[Li Wei, Omar Haddad]", "[audio]"),
    ("D8.1", 8, "[Dana Whitfield]", "[]"),
    ("E9.1", 9, "[Li Wei]", "[finance, vision]"),
]
MAPPED = [("X1", "alpha"), ("X2", "beta")]
"""Files of a format of its own (`formats:`): their rows show the stage beside the level."""
ALL = len(CARDS) + len(MAPPED)
SHORT = 4
FORMATS = """\
      formats:
        - files: keps/*.yaml
          id: "X{number}"
          name: title
          level: stage
          scale: {alpha: 3, beta: 5}
          owners: owner
"""


def _build(repo: SiteRepo, options: str) -> Path:
    repo.configure(options)
    with_palette(repo.path / "mkdocs.yml")  # the dark scheme, for the button's contrast
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    return build.site


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same organisation with a short table (`table_rows: 4`), and with every row."""
    root = tmp_path_factory.mktemp("long")
    repo = SiteRepo(root / "org")
    for card_id, level, owners, tags in CARDS:
        extra = f"owners: {owners}\ntags: {tags}\n"
        repo.write(f"cards/{card_id}/TRL.md", card(card_id, level, extra=extra))
    for card_id, stage in MAPPED:
        text = f"number: {card_id[1:]}\ntitle: Kep {card_id}\nstage: {stage}\nowner: Kim Lee\n"
        repo.write(f"keps/{card_id}.yaml", text)
    repo.commit("Add the cards", date="2025-03-04T10:00:00+00:00")
    short = _build(repo, f"      table_rows: {SHORT}\n" + FORMATS)
    keep = root / "short"
    short.rename(keep)
    return keep, _build(repo, FORMATS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def short_url(sites: tuple[Path, Path]) -> Iterator[str]:
    with serve(sites[0]) as url:
        yield url


@pytest.fixture(scope="module")
def whole_url(sites: tuple[Path, Path]) -> Iterator[str]:
    with serve(sites[1]) as url:
        yield url


def _page(browser: Browser, url: str, watch: Watch) -> Page:
    return watched_page(watched_context(browser, url, watch), watch)


ROWS = """() => [...document.querySelectorAll('table.trl-cards tbody tr')].map(tr =>
    [...tr.children].map(td => [td.getAttribute('data-sort'), td.getAttribute('data-label'),
                                td.innerHTML.trim()]))"""
"""Every shown row of the components table, cell by cell: its sort value, label and markup."""


class _Island(HTMLParser):
    """The text of the page's `script.trl-rows`, and the rows of its table."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[str] = []
        self.rows = 0
        self._in = self._table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script" and ("class", "trl-rows") in attrs
        if tag == "table":
            self._table = "trl-cards" in (dict(attrs).get("class") or "").split()
        self.rows += tag == "tr" and self._table

    def handle_data(self, data: str) -> None:
        if self._in:
            self.data.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = False


def test_the_page_holds_the_first_rows_and_the_data_of_all(sites: tuple[Path, Path]) -> None:
    short, whole = sites
    parsed = _Island()
    parsed.feed((short / "readiness" / "index.html").read_text(encoding="utf-8"))
    assert parsed.rows == SHORT + 1  # and the header
    data = json.loads("".join(parsed.data))
    assert [row[0] for row in data["rows"]] == [c[0] for c in CARDS] + [m[0] for m in MAPPED]
    assert "<" not in "".join(parsed.data)  # nothing in it can close the script
    # Without the script: the first rows, and where every card is.
    html = (short / "readiness" / "index.html").read_text(encoding="utf-8")
    assert f"The first {SHORT} of {ALL} components" in html
    assert (short / "readiness" / data["csv"]).is_file()
    # The whole table has no data to carry.
    assert "trl-rows" not in (whole / "readiness" / "index.html").read_text(encoding="utf-8")


def test_rows_made_by_the_script_are_the_rows_of_the_templates(
    browser: Browser, short_url: str, whole_url: str
) -> None:
    watch = Watch()
    page = _page(browser, short_url, watch)
    page.goto("readiness/", wait_until="load")
    more = page.locator(".trl-show-more")
    expect(page.locator(".trl-filter-count")).to_have_text(f"{SHORT} of {ALL} shown")
    expect(more).to_have_text(f"Show {SHORT} more")
    more.click()
    expect(page.locator(".trl-filter-count")).to_have_text(f"{2 * SHORT} of {ALL} shown")
    expect(more).to_have_text(f"Show {ALL - 2 * SHORT} more")
    more.click()
    expect(more).to_be_hidden()
    made = page.evaluate(ROWS)
    whole = _page(browser, whole_url, watch)
    whole.goto("readiness/", wait_until="load")
    written = whole.evaluate(ROWS)
    assert len(made) == len(written) == ALL
    assert made == written
    assert "&lt;i&gt;odd&lt;/i&gt;" in json.dumps(made)  # the hostile tag, as text
    stages = [cell[2] for row in made for cell in row if "trl-stage" in cell[2]]
    assert len(stages) == 2 and '<span class="trl-stage">beta</span>' in stages[1]
    assert not watch.outside and not watch.errors, watch


def test_the_filter_the_sort_and_the_headline_reach_every_card(
    browser: Browser, short_url: str
) -> None:
    watch = Watch()
    page = _page(browser, short_url, watch)
    ids = page.locator("table.trl-cards tbody tr td:first-child code")
    page.goto("readiness/?owner=Li+Wei", wait_until="load")
    expect(page.locator(".trl-filter-count")).to_have_text(f"4 of {ALL} shown")
    expect(ids).to_have_text(["B3.1", "C5.1", "D7.1", "E9.1"])  # three beyond the HTML's rows
    expect(page.locator("[data-summary-total]")).to_have_text("4")
    expect(page.locator("[data-summary-phase=deployment]")).to_have_text("1")
    # A sort orders every card, not the page's first rows.
    page.goto("readiness/?sort=-level", wait_until="load")
    expect(ids).to_have_text(["E9.1", "D8.1", "D7.1", "C6.1"])
    page.goto("readiness/?q=vision&sort=-level", wait_until="load")
    expect(ids).to_have_text(["E9.1", "C5.1", "B3.1", "A1.1"])
    page.goto("readiness/?tag=finance", wait_until="load")
    expect(ids).to_have_text(["C6.1", "E9.1"])
    expect(page.locator(".trl-show-more")).to_be_hidden()
    page.goto("readiness/?phase=research", wait_until="load")
    expect(page.locator(".trl-filter-count")).to_have_text(f"2 of {ALL} shown")
    # An owner with no card: the filter's `(no owner)` reaches the card the data holds.
    page.goto("readiness/?owner=%28no+owner%29", wait_until="load")
    expect(ids).to_have_text(["A2.1"])
    assert re.fullmatch(rf"\d+ of {ALL} shown", page.locator(".trl-filter-count").inner_text())
    assert not watch.outside and not watch.errors, watch


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_the_show_more_button_is_readable_in_both_schemes(
    browser: Browser, short_url: str, scheme: str
) -> None:
    """The button only a table longer than `table_rows` has, checked by axe in the light and
    the dark scheme (in the dark one it once kept the primary colour: 2.4:1)."""
    watch = Watch()
    page = _page(browser, short_url, watch)
    page.goto("readiness/", wait_until="load")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    expect(page.locator(".trl-show-more").first).to_be_visible()
    assert [str(v) for v in axe_violations(page)] == []
    assert not watch.outside and not watch.errors
