"""The charts in Chromium, as people see them: on a 390 px phone a chart fits its box with
labels of at least 11 px, script or no script; at 390 and 1440 px, light and dark, no two
marks and no two labels overlap, measured on the page with the fonts it really uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from browser import (
    checked_page,
    chromium,
    serve,
    with_palette,
)
from conftest import SiteRepo
from test_charts import history_of_every_mark, short_history

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/trl-shots")
"""Where the screenshots go for people to look at (outside the repository)."""

CHARTS = (
    ("long/readiness/cards/M1/", "svg.trl-chart"),
    ("long/readiness/", "svg.trl-trend"),
    ("short/readiness/cards/A1/", "svg.trl-chart"),
    ("short/readiness/", "svg.trl-trend"),
)
"""Two sites: `long`, where a card's timeline has six marks, five of them in five days, and
the trend spans years; `short`, three days old, whose trend is one bar."""

# Each measured in the page: the chart's box and its parent's, the effective size of its
# smallest text (font size in chart units times the chart's scale), and the boxes of its marks
# and of its texts.
MEASURE = """svg => {
  const box = svg.getBoundingClientRect(), parent = svg.parentElement.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const rect = e => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom, e.textContent || e.getAttribute("class")]; };
  const texts = [...svg.querySelectorAll("text")];
  return {
    width: box.width, parent: parent.width, scroll: svg.parentElement.scrollWidth,
    smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
    marks: [...svg.querySelectorAll(".trl-point")].map(rect),
    texts: texts.map(rect),
  };
}"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Both sites, built and served side by side (`long/`, `short/`)."""
    root = tmp_path_factory.mktemp("charts-browser")
    served = root / "served"
    for name, history in (
        ("long", history_of_every_mark),
        ("short", lambda repo: short_history(repo, dt.datetime.now(dt.timezone.utc))),
    ):
        repo = SiteRepo(root / name)
        with_palette(repo.path / "mkdocs.yml")
        history(repo)
        build = repo.build(strict=True)
        assert build.returncode == 0, build.log
        served.mkdir(exist_ok=True)
        build.site.rename(served / name)
    with serve(served) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    with checked_page(browser, base_url) as new:
        yield new


def _overlaps(boxes: list[list[float | str]]) -> list[tuple[str, str]]:
    """The pairs of boxes that share any area (touching is not overlapping)."""
    found = []
    for a, b in combinations(boxes, 2):
        left, top, right, bottom = (float(v) for v in a[:4])
        if min(right, float(b[2])) - max(left, float(b[0])) > 0.01 and (
            min(bottom, float(b[3])) - max(top, float(b[1])) > 0.01
        ):
            found.append((str(a[4]), str(b[4])))
    return found


@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_marks_and_labels_never_overlap(page: Page, width: int, scheme: str) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    SHOTS.mkdir(exist_ok=True)
    for url, chart in CHARTS:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        svg = page.locator(chart)
        measured = svg.evaluate(MEASURE)
        if "M1" in url:
            assert len(measured["marks"]) == 6
        assert _overlaps(measured["marks"]) == []
        assert _overlaps(measured["texts"]) == []
        svg.scroll_into_view_if_needed()
        name = url.strip("/").replace("/", "_").replace(".", "-")
        svg.locator("xpath=..").screenshot(path=SHOTS / f"chart-{name}-{width}-{scheme}.png")


@pytest.mark.parametrize("script", [True, False], ids=["script", "no script"])
def test_on_a_phone_a_chart_fits_its_box_with_readable_labels(
    browser: Browser, base_url: str, script: bool
) -> None:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        java_script_enabled=script,
        service_workers="block",
    )
    context.route(
        "**/*",
        lambda route: route.continue_() if base_url in route.request.url else route.abort(),
    )
    page = context.new_page()
    for url, chart in CHARTS:
        page.goto(url, wait_until="load")
        measured = page.locator(chart).evaluate(MEASURE)
        assert measured["width"] <= measured["parent"] + 0.5, measured
        assert measured["scroll"] <= measured["parent"] + 0.5  # nothing hidden to scroll to
        assert measured["smallest"] >= 11, f"{url}: text of {measured['smallest']:.1f} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
