"""In the browser: a real material site, served on 127.0.0.1, driven in Debian's headless Chromium.

One site is built for the module (five cards across the four phases, a card with three
transitions and reviews) and served by `http.server`. Every test gets a fresh browser context
whose requests to any other host are aborted and recorded, and whose page errors, console errors
and failed responses are collected: a test fails if anything is recorded, whatever it asserted.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from browser import (
    CHROMIUM,
    Watch,
    checked_page,
    chromium,
    missing_chromium,
    serve,
    with_palette,
)
from conftest import SiteRepo, card, review

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/trl-shots")
"""Where the screenshots are copied for people to look at (outside the repository)."""

RETINA = "owners: [Dana Whitfield]\ntags: [medical, vision]\n"

PHASE = {
    "P13.2": "prototyping",  # level 5, reached through three transitions
    "R02.1": "research",  # 2
    "R41.1": "research",  # 1
    "Q5.5": "productization",  # 7
    "D9.1": "deployment",  # 9
}
"""The cards of the site and the phase of each, as the dashboard's rows say."""


def _build_site(repo: SiteRepo) -> Path:
    with_palette(repo.path / "mkdocs.yml")
    repo.write("cards/retina/TRL.md", card("P13.2", 3, name="Retina triage", extra=RETINA))
    repo.write(
        "cards/retina-research/TRL.md",
        card("R02.1", 2, name="Retina research", extra="owners: [Omar Haddad]\ntags: [vision]\n"),
    )
    repo.write(
        "cards/lhc/TRL.md",
        card("R41.1", 1, name="LHC anomalies", extra="owners: [Omar Haddad]\ntags: [physics]\n"),
    )
    repo.write(
        "cards/speech/TRL.md",
        card(
            "Q5.5",
            7,
            name="Speech summariser",
            extra="owners: [Dana Whitfield, Ines Duarte]\ntags: [audio]\n",
        ),
    )
    repo.write(
        "cards/fraud/TRL.md",
        card("D9.1", 9, name="Fraud scoring", extra="owners: [Li Wei]\ntags: [finance]\n"),
    )
    # Transitions months apart: the timeline's points stay well clear of each other however far
    # "now" (the chart's right end) moves on.
    repo.commit("Add the cards", date="2023-01-10T09:00:00+00:00")
    reviews = "reviews:\n" + review(3, 4, "2023-08-31")
    repo.write(
        "cards/retina/TRL.md", card("P13.2", 4, name="Retina triage", extra=RETINA + reviews)
    )
    repo.commit("Retina passes its level 3 gate", date="2023-09-01T09:00:00+00:00")
    reviews += review(4, 5, "2024-06-01")
    repo.write(
        "cards/retina/TRL.md", card("P13.2", 5, name="Retina triage", extra=RETINA + reviews)
    )
    repo.commit("Retina passes its level 4 gate", date="2024-06-02T09:00:00+00:00")
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    assert build.warnings() == [], build.log
    return build.site


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site, served on an ephemeral port of 127.0.0.1 for the module."""
    with serve(_build_site(SiteRepo(tmp_path_factory.mktemp("browser") / "org"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium for the module; its absence fails the tests, never skips them."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, base_url: str, watch: Watch) -> Iterator[Page]:
    """A fresh page; the test fails at teardown if anything was recorded in `watch`."""
    with checked_page(browser, base_url, watch) as new:
        yield new


def _open(page: Page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url


def test_chromium_is_installed() -> None:
    assert CHROMIUM.is_file(), missing_chromium()


@pytest.mark.parametrize(
    ("query", "card_id"),
    [
        ("R41.1", "R41.1"),  # an id
        ("Fraud scoring", "D9.1"),  # a name
        ("Duarte", "Q5.5"),  # an owner
        ("physics", "R41.1"),  # a tag
    ],
    ids=["id", "name", "owner", "tag"],
)
def test_search_finds_a_card(page: Page, query: str, card_id: str) -> None:
    _open(page, "")
    page.keyboard.press("/")  # material's shortcut to the search box
    box = page.locator("input.md-search__input")
    expect(box).to_be_focused()
    box.press_sequentially(query)
    results = page.locator(".md-search-result__item")
    expect(results.first).to_be_visible()
    expect(results.locator(f'a[href*="readiness/cards/{card_id}/"]').first).to_be_attached()
    if query == card_id:  # a card's own page ranks first for its id, above pages listing it
        first = results.first.locator("a").first
        expect(first).to_have_attribute("href", re.compile(rf"readiness/cards/{card_id}/"))


def test_search_refines_as_the_query_changes(page: Page) -> None:
    _open(page, "readiness/")
    box = page.locator("input.md-search__input")
    box.click()  # on a wide screen the box sits in the header
    expect(box).to_be_focused()

    def link(card_id: str) -> Locator:
        return page.locator(f'.md-search-result__item a[href*="readiness/cards/{card_id}/"]')

    for query, found, gone in (("P13.2", "P13.2", "Q5.5"), ("audio", "Q5.5", "P13.2")):
        box.fill("")
        box.press_sequentially(query)
        expect(link(found).first).to_be_attached()
        expect(link(gone)).to_have_count(0)
    box.fill("")
    box.press_sequentially("Whitfield")  # both of Dana Whitfield's cards
    expect(link("P13.2").first).to_be_attached()
    expect(link("Q5.5").first).to_be_attached()


def test_filter_by_text_and_phase(page: Page) -> None:
    _open(page, "readiness/")
    rows = page.locator("table.trl-cards tbody tr")
    visible = page.locator("table.trl-cards tbody tr:visible")
    count = page.locator(".trl-filter-count")
    text = page.locator("input.trl-filter-text")
    phase = page.locator("select.trl-filter-select[data-key=phase]")
    total = len(PHASE)
    expect(rows).to_have_count(total)
    expect(count).to_have_text(f"{total} of {total} shown")

    def shown(*ids: str) -> None:
        expect(visible).to_have_count(len(ids))
        expect(count).to_have_text(f"{len(ids)} of {total} shown")
        assert sorted(visible.locator("td:first-child code").all_inner_texts()) == sorted(ids)

    text.press_sequentially("vision")  # its "s" must not trigger material's search shortcut
    shown("P13.2", "R02.1")
    expect(text).to_be_focused()
    expect(page.locator("#__search")).not_to_be_checked()
    text.fill("lhc")  # names count
    shown("R41.1")
    text.fill("DANA")  # case does not matter, owners count
    shown("P13.2", "Q5.5")
    text.fill("omar physics")  # every word must match
    shown("R41.1")
    text.fill("nothing like this")
    shown()
    text.fill("")
    shown(*PHASE)
    for key in ("research", "prototyping", "productization", "deployment"):
        phase.select_option(key)
        shown(*(i for i, p in PHASE.items() if p == key))
    phase.select_option("research")
    text.fill("vision")  # text and phase together
    shown("R02.1")
    text.fill("")
    phase.select_option("")
    shown(*PHASE)


def test_filter_by_owner_and_tag_lives_in_the_url(page: Page, base_url: str) -> None:
    _open(page, "readiness/")
    owner = page.locator("select.trl-filter-select[data-key=owner]")
    tag = page.locator("select.trl-filter-select[data-key=tag]")
    count = page.locator(".trl-filter-count")
    owner.select_option("Omar Haddad")
    expect(count).to_have_text("2 of 5 shown")
    tag.select_option("physics")
    expect(count).to_have_text("1 of 5 shown")
    expect(page).to_have_url(re.compile(r"\?owner=Omar\+Haddad&tag=physics$"))
    # The state survives a reload, and the address opens the same view elsewhere.
    page.reload(wait_until="load")
    expect(count).to_have_text("1 of 5 shown")
    expect(owner).to_have_value("Omar Haddad")
    other = page.context.new_page()
    other.goto(f"{base_url}readiness/?owner=Dana+Whitfield", wait_until="load")
    expect(other.locator(".trl-filter-count")).to_have_text("2 of 5 shown")
    # A level page has the same filter over its own cards.
    _open(page, "readiness/levels/5/?owner=Nobody")
    expect(page.locator(".trl-filter-count")).to_have_text("1 of 1 shown")


def test_sort_by_a_column_lives_in_the_url(page: Page) -> None:
    _open(page, "readiness/")
    ids = page.locator("table.trl-cards tbody tr td:first-child code")
    level = page.locator("table.trl-cards th[data-sort-key=level]")
    expect(ids).to_have_text(["D9.1", "P13.2", "Q5.5", "R02.1", "R41.1"])  # the page's order
    level.locator("button").click()
    expect(ids).to_have_text(["R41.1", "R02.1", "P13.2", "Q5.5", "D9.1"])
    expect(level).to_have_attribute("aria-sort", "ascending")
    level.locator("button").click()
    expect(ids).to_have_text(["D9.1", "Q5.5", "P13.2", "R02.1", "R41.1"])
    expect(page).to_have_url(re.compile(r"\?sort=-level$"))
    page.reload(wait_until="load")
    expect(ids).to_have_text(["D9.1", "Q5.5", "P13.2", "R02.1", "R41.1"])
    expect(level).to_have_attribute("aria-sort", "descending")
    level.locator("button").click()  # a third click goes back to the page's own order
    expect(ids).to_have_text(["D9.1", "P13.2", "Q5.5", "R02.1", "R41.1"])
    expect(page).to_have_url(re.compile(r"/readiness/$"))


def test_the_kpis_link_to_the_cards_behind_them(page: Page) -> None:
    """Every card has stood still since 2023-2024; the deployed one has no gate left."""
    _open(page, "readiness/")
    page.locator(".trl-headline .trl-tiles a[href*='flag=due']").click()
    expect(page.locator(".trl-filter-count")).to_have_text("4 of 5 shown")
    # The headline counts what the table shows, and says so.
    expect(page.locator("[data-summary-total]")).to_have_text("4")
    expect(page.locator(".trl-headline .trl-summary-of")).to_be_visible()
    expect(page.locator("select.trl-filter-select[data-key=flag]")).to_have_value("due")
    shown = page.locator("table.trl-cards tbody tr:not([hidden]) td:first-child code")
    expect(shown).to_have_text(["P13.2", "Q5.5", "R02.1", "R41.1"])
    # A band of the chart over time leads to its phase's components.
    _open(page, "readiness/")
    page.locator("svg.trl-trend a[href*='phase=research'] polygon").click()
    expect(page.locator(".trl-filter-count")).to_have_text("2 of 5 shown")
    expect(shown).to_have_text(["R02.1", "R41.1"])


def test_tables_are_whole_without_the_script(browser: Browser, base_url: str) -> None:
    """Every page works as plain HTML (Backstage TechDocs strips scripts)."""
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.route(
        "**/*", lambda route: route.continue_() if base_url in route.request.url else route.abort()
    )
    page.goto("readiness/", wait_until="load")
    expect(page.locator("table.trl-cards tbody tr:visible")).to_have_count(len(PHASE))
    expect(page.locator("svg.trl-trend")).to_be_visible()  # the trend, drawn at build time
    page.goto("readiness/cards/P13.2/", wait_until="load")
    expect(page.locator("svg.trl-chart")).to_be_visible()
    expect(page.locator("table.trl-transitions tbody tr")).to_have_count(3)
    context.close()


# The browser restores the filter's values on Back after the script ran; it must re-apply.
def test_filter_agrees_with_its_controls_after_going_back(page: Page) -> None:
    _open(page, "readiness/")
    text = page.locator("input.trl-filter-text")
    phase = page.locator("select.trl-filter-select[data-key=phase]")
    text.press_sequentially("vision")
    phase.select_option("research")
    expect(page.locator(".trl-filter-count")).to_have_text("1 of 5 shown")
    page.locator('table.trl-cards a[href="cards/R02.1/"]').first.click()
    page.wait_for_url("**/readiness/cards/R02.1/")
    page.go_back(wait_until="load")
    # Whether or not the browser restores the controls, the rows must match what they say.
    restored = (text.input_value(), phase.input_value()) == ("vision", "research")
    expected = "1 of 5 shown" if restored else "5 of 5 shown"
    expect(page.locator(".trl-filter-count")).to_have_text(expected, timeout=2_000)
    expect(page.locator("table.trl-cards tbody tr:visible")).to_have_count(int(expected[0]))


def test_timeline_point_leads_to_its_row(page: Page) -> None:
    _open(page, "readiness/cards/P13.2/")
    points = page.locator("svg.trl-chart a circle")
    expect(points).to_have_count(3)
    points.nth(1).click()  # the second transition's point
    expect(page).to_have_url(re.compile(r"/readiness/cards/P13\.2/#transition-3-4-[0-9a-f]{8}$"))
    target = page.evaluate("document.querySelector(':target')?.id")
    assert re.fullmatch(r"transition-3-4-[0-9a-f]{8}", target)
    row = page.locator(f"tr#{target}")
    assert row.evaluate("row => row.matches(':target')")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("2023-09-01")


def test_screenshots(page: Page, tmp_path: Path) -> None:
    shots = []
    for url, name in (("readiness/", "dashboard.png"), ("readiness/cards/P13.2/", "card.png")):
        _open(page, url)
        path = tmp_path / name
        page.screenshot(path=path, full_page=True)
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), path
        assert len(data) > 10_000, f"{path} is only {len(data)} bytes"
        shots.append(path)
    SHOTS.mkdir(exist_ok=True)
    for path in shots:
        shutil.copy2(path, SHOTS / path.name)


PAGES = (
    "readiness/",
    "readiness/levels/5/",
    "readiness/cards/P13.2/",
    "readiness/cards/P13.2/level-3/",
    "readiness/problems/",
)


@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_page_is_wider_than_the_screen(page: Page, width: int, scheme: str) -> None:
    """Material adds its scroll wrapper to unclassed tables only: ours bring their own."""
    page.set_viewport_size({"width": width, "height": 900})
    SHOTS.mkdir(exist_ok=True)
    for url in PAGES:
        _open(page, url)
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{url} is {wide} px wide at {width} px ({scheme})"
        name = url.strip("/").replace("/", "_").replace(".", "-") or "home"
        page.screenshot(path=SHOTS / f"{name}-{width}-{scheme}.png", full_page=True)


SCREENS = [(1440, 900), (390, 844)]


def _top_of(page: Page, selector: str) -> list[float]:
    """The top of every element `selector` finds, in the page's first-screen coordinates."""
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].map(e => e.getBoundingClientRect().top)", selector
    )


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_dashboard_answers_on_its_first_screen(page: Page, width: int, height: int) -> None:
    """How many components, their share in each phase, and each attention number: all on the
    first screen, on a laptop and on a phone, without scrolling."""
    page.set_viewport_size({"width": width, "height": height})
    _open(page, "readiness/")
    expect(page.locator("[data-summary-total]")).to_have_text(str(len(PHASE)))
    bottoms = page.evaluate(
        """() => [...document.querySelectorAll(
            '.trl-lede, .trl-shares li, .trl-tiles li')].map(e => {
            const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.bottom, r.right];
        })"""
    )
    assert len(bottoms) >= 1 + 4 + 5, bottoms  # the lede, four phases, five kinds of flag
    for text, bottom, right in bottoms:
        assert bottom <= height and right <= width, f"{text!r} is off the first screen"
    labels = page.locator(".trl-tiles li").all_inner_texts()
    assert any("Review due" in t for t in labels) and any("Stale" in t for t in labels), labels


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_a_card_page_opens_on_its_state(page: Page, width: int, height: int) -> None:
    """A link from a design review: the level, the flags with their reasons, the last review and
    the next gate all begin on the first screen."""
    page.set_viewport_size({"width": width, "height": height})
    _open(page, "readiness/cards/P13.2/")
    status = page.locator(".trl-status")
    expect(status.locator(".trl-status-level")).to_contain_text("Level 5")
    expect(status.locator(".trl-reasons")).to_contain_text("Stale")
    expect(status.locator("dd").first).to_contain_text("gate 4\u00a0\u2192\u00a05, advance")
    expect(status.locator("dd").nth(1)).to_contain_text("5\u00a0\u2192\u00a06")
    for selector in (".trl-status-level", ".trl-reason", ".trl-status-grid dt"):
        tops = _top_of(page, selector)[:3]
        assert tops and all(top < height for top in tops), (selector, tops)


PHONE_TABLES = """() => {
    const out = [];
    for (const table of document.querySelectorAll('.md-content table')) {
        for (const cell of table.querySelectorAll('tbody td, tbody th')) {
            if (!cell.textContent.trim()) continue;
            const r = cell.getBoundingClientRect();
            const style = getComputedStyle(cell);
            const off = r.right > innerWidth + 1 || r.left < -1;
            if (style.display === 'none' || r.width === 0 || off)
                out.push([table.className, cell.dataset.label || '', cell.textContent.trim()]);
        }
        for (const num of table.querySelectorAll('td.trl-num, td[data-label="#"]')) {
            const range = document.createRange();
            range.selectNodeContents(num);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (lines.size > 1)
                out.push([table.className, 'wraps', num.textContent.trim()]);
        }
    }
    return out;
}"""
"""Every filled table cell that a phone does not show whole (hidden, or past the screen's
edge), and every number that wraps inside its cell."""


@pytest.mark.parametrize("url", PAGES)
def test_on_a_phone_every_column_is_on_the_screen(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, url)
    assert page.evaluate(PHONE_TABLES) == []
