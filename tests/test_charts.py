"""The charts tell the truth at every span: the time axis (ticks and placement) from one day to
ten years, the marks of a card's timeline and its legend, nothing drawn for nothing, a trend
too short for months drawn as one bar. Every SVG and legend is read by a strict XML parser."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path

import pytest

from conftest import Build, SiteRepo, card, review
from trl_cards.outputs.chart import FONT, GAP, MARKS, timeline_axis
from trl_cards.outputs.time_axis import LABEL_GAP, Placement, Tick, day_label, label_width

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
UTC = dt.timezone.utc
START = dt.datetime(2023, 3, 14, 15, 30, tzinfo=UTC)


JAN = dt.datetime(2023, 1, 20, tzinfo=UTC)

# A span (its start, its length in days, the days of its marks: each with a dense stretch, as
# a card's first weeks often are) and the labels its axis must have, first to last ("" for a
# line whose label did not fit before the chart's right edge).
SPANS = {
    "1 day": (START, 1, (0, 0.1, 0.1, 0.2), ["Mar 14, 2023", "Mar 15"]),
    "3 weeks": (START, 21, (0, 1, 2, 2, 9, 20), ["Mar 14, 2023", "Mar 20", "Mar 27", ""]),
    "5 months": (
        START,
        152,
        (0, 3, 4, 5, 60, 150),
        ["Mar 2023", "Apr", "May", "Jun", "Jul", "Aug"],
    ),
    "15 months": (JAN, 455, (0, 200), ["Q1 2023", "Q2", "Q3", "Q4", "2024", "Q2"]),
    "2 years": (START, 730, (*range(0, 16, 2), 400), ["2023", "2024", "2025"]),
    "10 years": (
        START,
        3652,
        (*range(0, 40, 5), 3000),
        ["2023", "2024", "2026", "2028", "2030", "2032"],
    ),
}


def _axis(span: str) -> tuple[list[dt.datetime], Placement, list[Tick]]:
    start, days, offsets, _ = SPANS[span]
    marks = [start + dt.timedelta(days=d) for d in offsets]
    placement, ticks = timeline_axis(marks, start, start + dt.timedelta(days=days))
    return marks, placement, ticks


def _extent(tick: Tick) -> tuple[float, float]:
    width = label_width(tick.label, FONT)
    left = tick.label_x if tick.anchor == "start" else tick.label_x - width
    return left, left + width


@pytest.mark.parametrize("span", SPANS)
def test_each_span_gets_ticks_of_its_own_granularity(span: str) -> None:
    *_, expected = SPANS[span]
    _, _, ticks = _axis(span)
    assert [t.label for t in ticks] == expected


@pytest.mark.parametrize("span", SPANS)
def test_the_first_period_is_labelled(span: str) -> None:
    """A history starting in March 2023 has a 2023 label where it starts (its month, its day)."""
    _, _, ticks = _axis(span)
    first = ticks[0]
    assert first.x is None and "2023" in first.label  # the axis start: no line of its own
    assert first.label.startswith(("Mar", "Jan", "Q1", "2023"))
    # and it is written before any boundary's line
    assert _extent(first)[1] <= next(t.x for t in ticks if t.x is not None)


@pytest.mark.parametrize("span", SPANS)
def test_no_two_labels_are_closer_than_their_width(span: str) -> None:
    _, _, ticks = _axis(span)
    shown = sorted((_extent(t) for t in ticks if t.label), key=lambda e: e[0])
    assert len(shown) >= 2
    for (_, end), (begin, _) in pairwise(shown):
        assert begin - end >= LABEL_GAP - 1e-6, shown
    assert all(begin >= 0 and end <= 600 for begin, end in shown)
    # A label starts at (after) its own line, never over the next one.
    lines = [t.x for t in ticks if t.x is not None]
    for tick in ticks:
        if tick.label and tick.x is not None:
            later = [x for x in lines if x > tick.x]
            assert not later or _extent(tick)[1] <= later[0]


@pytest.mark.parametrize("span", SPANS)
def test_points_keep_the_gap_and_their_order(span: str) -> None:
    marks, placement, ticks = _axis(span)
    xs = placement.points
    assert len(xs) == len(marks)
    assert all(b - a >= GAP - 1e-6 for a, b in pairwise(xs)), xs
    assert xs[0] >= 34 and xs[-1] <= 600 - 14
    # Ticks go through the same map: one dated between two marks is drawn between them.
    for tick in ticks:
        if tick.x is None:
            continue
        for when, x in zip(marks, xs, strict=True):
            if when < tick.when:
                assert x <= tick.x + 1e-6
            elif when > tick.when:
                assert x >= tick.x - 1e-6


def test_where_marks_are_sparse_time_stays_linear() -> None:
    _, placement, _ = _axis("10 years")

    # Eight marks in the first 35 days open up; the quiet years after keep one scale.
    def x(days: float) -> float:
        return placement.x((START + dt.timedelta(days=days)).timestamp())

    assert x(35) - x(0) >= 7 * GAP
    assert x(1000) - x(500) == pytest.approx(x(1500) - x(1000))


def test_too_many_marks_for_the_gap_are_spread_evenly() -> None:
    marks = [START + dt.timedelta(hours=i / 5) for i in range(60)]
    placement, _ = timeline_axis(marks, START, START + dt.timedelta(days=1))
    steps = {round(b - a, 6) for a, b in pairwise(placement.points)}
    assert len(steps) == 1 and steps.pop() > 0


def test_a_sliver_of_a_period_gives_its_label_to_the_next() -> None:
    """Three days of 2023 before two years: a 2023 label would sit over the 2024 line."""
    start = dt.datetime(2023, 12, 29, tzinfo=UTC)
    marks = [start, start + dt.timedelta(days=300)]
    _, ticks = timeline_axis(marks, start, start + dt.timedelta(days=730))
    assert [t.label for t in ticks][:2] == ["", "2024"]
    # A month's sliver: the first month shown carries its year.
    start = dt.datetime(2023, 3, 31, 12, tzinfo=UTC)
    _, ticks = timeline_axis([start], start, start + dt.timedelta(days=140))
    assert [t.label for t in ticks][:3] == ["", "Apr 2023", "May"]


# -- the charts in a real build ----------------------------------------------------------------


def history_of_every_mark(repo: SiteRepo) -> None:
    """M1: a dense first week with every kind of change, then a quiet year; C1: one advance."""
    reviews = ""
    for level, record, day in (
        (3, "", "2023-03-01"),
        (4, review(3, 4, "2023-03-02"), "2023-03-02"),
        (5, "", "2023-03-03"),  # no review record: a skipped gate
        (4, review(5, 4, "2023-03-04", "switchback", "review"), "2023-03-04"),
        (3, "", "2023-03-05"),  # a switchback with no review record
    ):
        reviews += record
        repo.write("cards/m/TRL.md", card("M1", level, extra="reviews:\n" + reviews))
        if level == 3 and not reviews:
            repo.write("cards/c/TRL.md", card("C1", 2))
        repo.commit(f"M1 to {level}", date=f"{day}T09:00:00+00:00")
    repo.write("cards/c/TRL.md", card("C1", 3, extra="reviews:\n" + review(2, 3, "2023-09-01")))
    repo.commit("C1 to 3", date="2023-09-02T09:00:00+00:00")
    reviews += review(3, 4, "2024-06-01")
    repo.write("cards/m/TRL.md", card("M1", 4, extra="reviews:\n" + reviews))
    repo.commit("M1 to 4", date="2024-06-01T09:00:00+00:00")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    repo = SiteRepo(tmp_path_factory.mktemp("charts") / "org")
    history_of_every_mark(repo)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    return build


def _svgs(page: str) -> Iterator[ET.Element]:
    """Every SVG of a page, parsed strictly (a malformed one fails the test)."""
    for markup in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL):
        yield ET.fromstring(markup)


def _chart(page: str, css: str) -> ET.Element:
    (chart,) = [s for s in _svgs(page) if css in s.get("class", "").split()]
    return chart


def _legend(page: str) -> ET.Element:
    """The timeline's legend paragraph, parsed strictly."""
    inner = re.search(r'<p class="trl-legend" data-search-exclude>(.*?)</p>', page, re.DOTALL)
    assert inner is not None
    return ET.fromstring(f"<p>{inner.group(1)}</p>")


def _marks(chart: ET.Element) -> list[tuple[str, str, ET.Element]]:
    """(mark key, element name, element) of each mark, in the chart's order."""
    found = []
    for element in chart.iter():
        css = element.get("class", "").split()
        if "trl-point" in css:
            (key,) = [c.removeprefix("trl-point-") for c in css if c.startswith("trl-point-")]
            found.append((key, element.tag.removeprefix(SVG), element))
    return found


def _shape(element: ET.Element) -> str:
    if element.tag == f"{SVG}circle":
        return "circle"
    corners = element.get("points", "").split()
    return {3: "triangle", 4: "diamond"}[len(corners)]


def test_every_svg_of_the_site_is_well_formed(built: Build) -> None:
    pages = list(built.site.rglob("*.html"))
    assert len([s for p in pages for s in _svgs(p.read_text(encoding="utf-8"))]) >= 4
    for svg in (built.site / "readiness").rglob("*.svg"):  # the badges, too
        ET.parse(svg)


def test_switchbacks_and_skipped_gates_are_told_apart_by_shape(built: Build) -> None:
    page = built.page("readiness/cards/M1/")
    marks = _marks(_chart(page, "trl-chart"))
    assert [key for key, _, _ in marks] == [
        "reviewed",  # the entry
        "reviewed",
        "skipped",
        "switchback",
        "switchback-skipped",
        "reviewed",
    ]
    shapes = {key: _shape(element) for key, _, element in marks}
    assert shapes == {
        "reviewed": "circle",
        "skipped": "diamond",
        "switchback": "triangle",
        "switchback-skipped": "triangle",
    }
    fills = {key: element.get("fill") for key, _, element in marks}
    assert fills["switchback"] != fills["skipped"] != fills["reviewed"] != fills["switchback"]
    # Each mark links to its transition's row and says what it was.
    rows = re.findall(r'<tr id="(transition-[^"]+)"', page)
    links = [a.get(XLINK) for a in _chart(page, "trl-chart").iter(f"{SVG}a")]
    assert links == ["#" + r for r in rows]
    titles = [e.findtext(f"{SVG}title") for _, _, e in marks]
    assert titles[0] == "2023-03-01: first recorded at 3"
    assert titles[2] == "2023-03-03: 4 to 5, advance, skipped gate"
    assert titles[3] == "2023-03-04: 5 to 4, switchback (review)"
    assert titles[4].startswith("2023-03-05: 4 to 3, switchback") and "skipped gate" in titles[4]


def test_the_legend_shows_each_mark_used_and_no_other(built: Build) -> None:
    for card_id, used in (
        ("M1", ["reviewed", "skipped", "switchback", "switchback-skipped"]),
        ("C1", ["reviewed"]),
    ):
        page = built.page(f"readiness/cards/{card_id}/")
        legend = _legend(page)
        items = [s for s in legend.iter("span") if "trl-legend-mark" in s.get("class", "")]
        keys = [s.get("class", "").split()[1].removeprefix("trl-legend-") for s in items]
        assert keys == used
        drawn = {key: _shape(e) for key, _, e in _marks(_chart(page, "trl-chart"))}
        for item, key in zip(items, keys, strict=True):
            # the legend draws the same shape as the chart, with the same words as MARKS
            (swatch,) = [e for e in item.iter() if "trl-point" in e.get("class", "")]
            assert _shape(swatch) == drawn[key]
            assert "".join(item.itertext()).strip() == next(
                m.meaning for m in MARKS if m.key == key
            )


def _centre(element: ET.Element) -> float:
    if element.tag == f"{SVG}circle":
        return float(element.get("cx", ""))
    xs = [float(p.split(",")[0]) for p in element.get("points", "").split()]
    return (min(xs) + max(xs)) / 2


def test_dense_marks_on_a_real_page_keep_the_gap(built: Build) -> None:
    """M1's five changes in five days, on a chart of nearly four years."""
    chart = _chart(built.page("readiness/cards/M1/"), "trl-chart")
    centres = [_centre(e) for _, _, e in _marks(chart)]
    assert all(b - a >= GAP - 0.2 for a, b in pairwise(centres)), centres
    assert _labels(chart)[0] == "2023"


def _bars(page: str) -> dict[int, int]:
    """Level -> the number of bars in its row of the dashboard's level chart."""
    table = re.search(r'<table class="trl-levels">.*?</table>', page, re.DOTALL)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.DOTALL)
    found = {}
    for row in rows:
        level = int(re.search(r'title="Level (\d):', row).group(1))  # type: ignore[union-attr]
        found[level] = row.count('class="trl-bar ')
    return found


def test_nothing_is_drawn_for_nothing(built: Build) -> None:
    page = built.page("readiness/")
    # Level bars: M1 at 4, C1 at 3; no other level has a card, or a bar.
    assert _bars(page) == {n: int(n in (3, 4)) for n in range(10)}
    # The trend: no band for a phase without cards, and no stretch of no height in any band.
    trend = _chart(page, "trl-trend")
    areas = list(trend.iter(f"{SVG}polygon"))
    phases = {c for e in areas for c in e.get("class", "").split() if c.startswith("trl-phase-")}
    assert phases == {"trl-phase-research", "trl-phase-prototyping"}
    for area in areas:
        corners = [tuple(map(float, p.split(","))) for p in area.get("points", "").split()]
        half = len(corners) // 2
        upper, lower = corners[:half], corners[half:][::-1]
        for (x1, top1), (_, bottom1), (x2, top2), (_, bottom2) in zip(
            upper, lower, upper[1:], lower[1:], strict=False
        ):
            assert top1 < bottom1 or top2 < bottom2, (x1, x2)  # some height on each stretch


def _labels(chart: ET.Element, css: str = "trl-time") -> list[str]:
    return [t.text or "" for t in chart.iter(f"{SVG}text") if css in t.get("class", "").split()]


def test_the_trend_over_years_is_labelled_from_its_first_month(built: Build) -> None:
    trend = _chart(built.page("readiness/"), "trl-trend")
    labels = _labels(trend)
    assert labels[0] == "2023" and "2024" in labels
    counts = [t.text for t in trend.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert counts == ["0", "1", "2"]


def short_history(repo: SiteRepo, now: dt.datetime) -> None:
    """Three days of history before `now`: A1 enters at 2 and advances, B1 enters at 6."""
    repo.write("cards/a/TRL.md", card("A1", 2))
    repo.write("cards/b/TRL.md", card("B1", 6))
    repo.commit("Add", date=(now - dt.timedelta(days=3)).isoformat(timespec="seconds"))
    repo.write("cards/a/TRL.md", card("A1", 3, extra="reviews:\n" + review(2, 3, "2000-01-01")))
    repo.commit("A1 to 3", date=(now - dt.timedelta(hours=5)).isoformat(timespec="seconds"))


def test_a_short_history_is_one_bar_of_today_with_a_time_axis(tmp_path: Path) -> None:
    now = dt.datetime.now(UTC)
    repo = SiteRepo(tmp_path / "org")
    short_history(repo, now)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = build.page("readiness/")
    trend = _chart(page, "trl-trend")
    assert list(trend.iter(f"{SVG}polygon")) == []  # no ramp
    bars = list(trend.iter(f"{SVG}rect"))
    assert [b.findtext(f"{SVG}title") for b in bars] == ["Prototyping: 1", "Productization: 1"]
    assert len({b.get("x") for b in bars}) == 1  # one bar, stacked
    assert _labels(trend) == [day_label(now.date())]
    assert sorted(_labels(trend, "trl-axis"))[:2] == ["0", "1"]
    assert "1 Prototyping" in _labels(trend, "trl-axis") and "1 Productization" in _labels(
        trend, "trl-axis"
    )
    # A card's history of a few days has a time axis of days.
    chart = _chart(build.page("readiness/cards/A1/"), "trl-chart")
    labels = _labels(chart)
    # (its first day, or when that is a sliver of a few hours, the next, in full)
    days = [(now - dt.timedelta(days=d)).date() for d in (3, 2)]
    assert labels[0] in [day_label(d) for d in days] and len(labels) >= 2


# -- colours --------------------------------------------------------------------------------

CSS = (
    Path(__file__).resolve().parents[1]
    / "plugin"
    / "trl_cards"
    / "outputs"
    / "assets"
    / "trl-cards.css"
)
LIGHT, SLATE = "#ffffff", "#1e2129"  # material's default and slate backgrounds (hsl 225 15% 14%)
PHASE_HEX = ("#ad1457", "#ef6c00", "#f9a825", "#2e7d32")


def _rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _luminance(rgb: Sequence[float]) -> float:
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: Sequence[float], b: Sequence[float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _fills(css: str, slate: bool) -> dict[str, str]:
    fills = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        fill = re.search(r"fill:\s*(#[0-9a-f]{6})", body)
        if not fill:
            continue
        for selector in selectors.split(","):
            key = re.search(r"\.trl-point-([a-z-]+)\s*$", selector.strip())
            if key and ('color-scheme="slate"' in selector) == slate:
                fills[key.group(1)] = fill.group(1)
    return fills


@pytest.mark.parametrize("scheme", ["light", "slate"])
def test_marks_have_3_to_1_against_the_page_and_every_band(scheme: str) -> None:
    css = CSS.read_text(encoding="utf-8")
    fills = {**_fills(css, slate=False), **(_fills(css, slate=True) if scheme == "slate" else {})}
    assert set(fills) == {m.key for m in MARKS if m.key != "resumed"}
    page = _rgb(LIGHT if scheme == "light" else SLATE)
    backgrounds = [page] + [
        tuple(p * (1 - 0.12) + b * 0.12 for p, b in zip(page, _rgb(h), strict=True))
        for h in PHASE_HEX
    ]
    for key, fill in fills.items():
        worst = min(_contrast(_rgb(fill), b) for b in backgrounds)
        assert worst >= 3, f"{key} ({fill}) has {worst:.2f}:1 in {scheme}"
