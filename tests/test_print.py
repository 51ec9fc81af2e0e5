"""A printed card page is a review packet: in Debian's headless Chromium, with print media
emulated at the width of an A4 or A5 page between its margins, the card page and its page of changes
show no navigation, search, header, footer or table of contents; every table shows every
column (no scroll box clips one); the chart fits the page; the page says its address and when
the site was built; and the dark scheme prints dark on white."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import (
    checked_page,
    chromium,
    serve,
    with_palette,
)
from card_versions import build_history
from conftest import SiteRepo

pytestmark = pytest.mark.browser

SITE_URL = "https://org.example/docs/"
PAPERS = {"A4": 703, "A5": 469}
"""The width of a page between margins of 1.2 cm (`@page` in the stylesheet), in CSS pixels."""

CARD = "readiness/cards/P13.2/"
PAGES = (CARD, f"{CARD}changes/")

CHROME = (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary",
          ".md-search", ".md-footer", ".md-top")  # fmt: skip
"""Material's navigation, search, header, footer, table of contents and tabs."""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = SiteRepo(tmp_path_factory.mktemp("print") / "org")
    config = repo.path / "mkdocs.yml"
    with_palette(config)
    config.write_text(config.read_text(encoding="utf-8") + f"site_url: {SITE_URL}\n", "utf-8")
    build_history(repo)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    with serve(build.site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(PAPERS))
def paper(request: pytest.FixtureRequest) -> int:
    """The width of the paper printed on."""
    return PAPERS[request.param]


@pytest.fixture
def page(browser: Browser, base_url: str, paper: int) -> Iterator[Page]:
    with checked_page(browser, base_url) as new:
        new.set_viewport_size({"width": paper, "height": 1000})
        yield new


def _print(page: Page, url: str, scheme: str = "default") -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    page.emulate_media(media="print")


@pytest.mark.parametrize("url", PAGES)
def test_print_hides_the_navigation(page: Page, url: str) -> None:
    _print(page, url)
    for selector in CHROME:
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()


@pytest.mark.parametrize("url", PAGES)
def test_every_column_of_every_table_is_on_the_paper(page: Page, paper: int, url: str) -> None:
    _print(page, url)
    article = page.locator("article").bounding_box()
    assert article is not None and article["width"] <= paper
    tables = page.locator("article table").all()
    assert len(tables) >= 2, url
    for table in tables:
        scroller = table.locator("xpath=..")
        clipped = scroller.evaluate("box => box.scrollWidth - box.clientWidth")
        assert clipped <= 1, f"{url}: a table of {table.inner_text()[:40]!r} is clipped"
        box = table.bounding_box()
        assert box is not None and box["x"] + box["width"] <= article["x"] + article["width"] + 1
        last_cells = table.locator("tr > :last-child").all()
        for cell in last_cells:  # the last column is there, not squeezed to nothing
            cell_box = cell.bounding_box()
            assert cell_box is not None and cell_box["width"] > 20, cell.inner_text()


def test_the_chart_fits_the_page_and_fills_it(page: Page) -> None:
    _print(page, CARD)
    article = page.locator("article").bounding_box()
    chart = page.locator("svg.trl-chart").bounding_box()
    assert article is not None and chart is not None
    assert chart["x"] >= article["x"] - 1
    assert chart["x"] + chart["width"] <= article["x"] + article["width"] + 1
    assert chart["width"] >= 0.9 * article["width"]
    box = page.locator(".trl-timeline")
    assert box.evaluate("box => box.scrollWidth - box.clientWidth") <= 1


@pytest.mark.parametrize("url", PAGES)
def test_the_page_says_where_it_lives_and_when_it_was_built(page: Page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok
    line = page.locator(".trl-print-only")
    expect(line).to_be_hidden()  # on screen
    page.emulate_media(media="print")
    expect(line).to_be_visible()
    text = line.inner_text()
    assert f"Printed from {SITE_URL}{url}," in text
    built = re.search(r"built on (\d{4}-\d{2}-\d{2})\.", text)
    assert built, text
    today = dt.datetime.now(dt.timezone.utc).date()
    assert dt.date.fromisoformat(built[1]) in (today, today - dt.timedelta(days=1))


COLOURED = "article, article span.trl-phase, .trl-reviewed, .trl-item, .trl-line"
"""The page's text, and the elements our stylesheet colours differently in the dark scheme."""


def _colours(page: Page) -> list[list[str]]:
    return page.evaluate(
        f"""() => [document.body, ...document.querySelectorAll({COLOURED!r})].map(
            e => [e.className, getComputedStyle(e).color, getComputedStyle(e).backgroundColor])"""
    )


@pytest.mark.parametrize("url", PAGES)
def test_the_dark_scheme_prints_as_the_light_one(page: Page, url: str) -> None:
    _print(page, url)
    light = _colours(page)
    assert len(light) > 3
    _print(page, url, "slate")
    assert _colours(page) == light
    page.emulate_media(media="screen")
    assert _colours(page) != light  # the test does switch the scheme


def test_the_card_page_prints_to_pdf(page: Page) -> None:
    _print(page, CARD)
    assert page.pdf(format="A4").startswith(b"%PDF-")
