"""The time axis of the charts: where each point of a history goes (by time, but never closer
than a minimum gap to its neighbour) and which dates are labelled (days to centuries, the
first period always, no two labels overlapping). Pure geometry; `chart` draws with it."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

CHAR_WIDTH = 0.62
"""The widest a label's average character is, in ems: digits are 0.56 in the sans-serif
fonts material falls back to, capitals up to 0.83; labels are mostly digits."""
LABEL_GAP = 6.0
"""The least space between two labels, and between a label and its tick line, in chart units."""


@dataclass(frozen=True)
class Placement:
    """A monotonic map from time to x: each point at its own position, every other moment
    (a tick, a gap, the axis ends) between its neighbours as time goes."""

    times: tuple[float, ...]
    """The knots' times: the axis start, each point's time, the axis end."""
    xs: tuple[float, ...]
    """Where each knot goes, in the same order; never decreasing."""

    @property
    def points(self) -> tuple[float, ...]:
        """Where each point goes, in the order given."""
        return self.xs[1:-1]

    def x(self, when: float) -> float:
        """Where a moment goes: at a point's time, that point's (the first, if several
        share it); between two knots, in proportion to time."""
        if when <= self.times[0]:
            return self.xs[0]
        if when >= self.times[-1]:
            return self.xs[-1]
        at = bisect_left(self.times, when)
        if self.times[at] == when:
            return self.xs[at]
        t0, t1, x0, x1 = self.times[at - 1], self.times[at], self.xs[at - 1], self.xs[at]
        return x0 + (x1 - x0) * (when - t0) / (t1 - t0)


def place(
    times: Sequence[float], start: float, end: float, lo: float, hi: float, gap: float
) -> Placement:
    """Points at `times` (ascending, within `start`..`end`) on `lo`..`hi`, by time, with
    consecutive points at least `gap` apart (or as far apart as `hi - lo` allows).

    Each stretch of the axis between two knots keeps its length in proportion to time, all
    scaled by one factor, unless that would bring two points closer than `gap`: then it is
    `gap` long. The factor is the largest that fits the axis, so where points are sparse,
    time stays linear, and a dense month opens up at the cost of the quiet years around it.
    """
    knots = (start, *(min(max(t, start), end) for t in times), end)
    span, width = max(end - start, 1e-9), hi - lo
    natural = [width * (b - a) / span for a, b in pairwise(knots)]
    # Only between two points is there a least length (not from the axis start to the first).
    least = [gap if 0 < i < len(natural) - 1 else 0.0 for i in range(len(natural))]
    if sum(least) > width:  # too many points for the gap: spread them evenly instead
        least = [width / max(len(times) - 1, 1) if g else 0.0 for g in least]
        lengths = least
    else:
        low, high = 0.0, 1.0
        for _ in range(60):  # the total grows with the factor: bisect for the one that fits
            middle = (low + high) / 2
            if sum(max(middle * n, g) for n, g in zip(natural, least, strict=True)) > width:
                high = middle
            else:
                low = middle
        lengths = [max(low * n, g) for n, g in zip(natural, least, strict=True)]
        # What the bisection left over goes to the free stretches, keeping the end at `hi`.
        free = sum(length for length, g in zip(lengths, least, strict=True) if length > g)
        rest = width - sum(lengths)
        if free > 0:
            lengths = [
                length * (1 + rest / free) if length > g else length
                for length, g in zip(lengths, least, strict=True)
            ]
    xs = [lo]
    for length in lengths:
        xs.append(xs[-1] + length)
    xs[-1] = hi  # not a hair short of it after the arithmetic
    return Placement(knots, tuple(xs))


@dataclass(frozen=True)
class Tick:
    """A labelled moment of the time axis."""

    when: dt.datetime
    x: float | None
    """Where its line is drawn; None for the first period's label (the axis start)."""
    label: str
    """The text; empty when it could not be written without overlapping another."""
    label_x: float
    anchor: str
    """The label's SVG text-anchor at `label_x`: `start` (after the line) or `end`."""


@dataclass(frozen=True)
class _Grain:
    """A granularity of ticks: how to find the next boundary, and how long it is at most."""

    name: str
    days: float
    step: Callable[[dt.datetime], dt.datetime]


def _next_day(when: dt.datetime) -> dt.datetime:
    return _midnight(when.date() + dt.timedelta(days=1), when)


def _next_week(when: dt.datetime) -> dt.datetime:
    return _midnight(when.date() + dt.timedelta(days=7 - when.weekday()), when)


def _next_month(when: dt.datetime, months: int = 1) -> dt.datetime:
    index = when.year * 12 + when.month - 1
    index = (index // months + 1) * months
    return _midnight(dt.date(index // 12, index % 12 + 1, 1), when)


def _next_years(years: int) -> Callable[[dt.datetime], dt.datetime]:
    def step(when: dt.datetime) -> dt.datetime:
        return _midnight(dt.date((when.year // years + 1) * years, 1, 1), when)

    return step


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Month names in English whatever the build machine's locale (`%b` would follow it)."""


def day_label(day: dt.date) -> str:
    """A day in full, in English: `Mar 5, 2023`."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _midnight(day: dt.date, like: dt.datetime) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=like.tzinfo)


GRAINS: tuple[_Grain, ...] = (
    _Grain("day", 1, _next_day),
    _Grain("week", 7, _next_week),
    _Grain("month", 31, _next_month),
    _Grain("quarter", 92, lambda when: _next_month(when, 3)),
    *(_Grain(f"{n} year" if n > 1 else "year", 366 * n, _next_years(n)) for n in (1, 2, 5, 10)),
    *(_Grain(f"{n} year", 366 * n, _next_years(n)) for n in (20, 50, 100, 1000)),
)
"""The granularities of the time axis, finest first; the first that fits is used."""


def _label(when: dt.datetime, grain: _Grain, first: bool) -> str:
    """A tick's text: the first (the period the axis starts in) in full; after it, what
    changed (`Apr` after `Mar 2024`, and the year alone at the start of a year)."""
    month = _MONTHS[when.month - 1]
    if grain.name in ("day", "week"):
        if first or (when.month, when.day) == (1, 1):
            return day_label(when)
        return f"{month} {when.day}"
    if grain.name == "month":
        return f"{month} {when.year}" if first else month if when.month > 1 else str(when.year)
    if grain.name == "quarter":
        quarter = f"Q{(when.month - 1) // 3 + 1}"
        return f"{quarter} {when.year}" if first else quarter if when.month > 1 else str(when.year)
    return str(when.year)


def label_width(text: str, font: float) -> float:
    """The most `text` takes at `font` units (see `CHAR_WIDTH`)."""
    return len(text) * font * CHAR_WIDTH


def time_ticks(
    start: dt.datetime,
    end: dt.datetime,
    x: Callable[[dt.datetime], float],
    left: float,
    right: float,
    font: float,
) -> list[Tick]:
    """The labelled moments of an axis from `start` to `end`, mapped by `x` (monotonic):
    the period `start` falls in, then each boundary of the finest granularity whose labels
    all fit at `font` units between `left` (the axis start) and `right` (the last unit a
    label may take).

    The first label sits after the axis start, or, when its period is too narrow, before the
    first boundary (into the margin). A sliver of a period too narrow for either goes
    unlabelled, and the first boundary's label is written in full instead (`Apr 2023`, not
    `Apr`): a label over the next period's line would misname it. A boundary too close to
    `right` for its label is unlabelled too. Only that one may go unlabelled for a granularity
    to fit; the coarsest always fits.
    """
    end = end.astimezone(start.tzinfo)  # boundaries are midnights in the zone of the start
    days = max((end - start).total_seconds() / 86400, 1e-6)
    room = right - left
    for grain in GRAINS:
        if days / grain.days > room / (font * 2):  # more boundaries than two-letter labels
            continue
        ticks, fits = _layout(start, end, grain, x, left, right, font)
        if fits or grain is GRAINS[-1]:
            return ticks
    raise AssertionError("the coarsest granularity always fits")  # pragma: no cover


def _layout(
    start: dt.datetime,
    end: dt.datetime,
    grain: _Grain,
    x: Callable[[dt.datetime], float],
    left: float,
    right: float,
    font: float,
) -> tuple[list[Tick], bool]:
    boundaries = []
    when = grain.step(start)
    while when <= end:
        boundaries.append(when)
        when = grain.step(when)
    text = _label(start, grain, first=True)
    width = label_width(text, font)
    limit = x(boundaries[0]) - LABEL_GAP if boundaries else right
    full = False  # the first boundary's label is written in full (the first period's is not)
    if left + LABEL_GAP / 2 + width <= limit:
        first = Tick(start, None, text, left + LABEL_GAP / 2, "start")
        reach = left + LABEL_GAP / 2 + width
    elif limit - width >= 2:
        first = Tick(start, None, text, limit, "end")
        reach = limit
    else:
        first, reach, full = Tick(start, None, "", left, "start"), left, True
    ticks, fits = [first], True
    for index, when in enumerate(boundaries):
        at = x(when)
        text = _label(when, grain, first=full and index == 0)
        width = label_width(text, font)
        label_x = at + LABEL_GAP / 2
        if label_x < reach + LABEL_GAP or label_x + width > right:
            fits = fits and index == len(boundaries) - 1 and label_x + width > right
            ticks.append(Tick(when, at, "", label_x, "start"))
            continue
        ticks.append(Tick(when, at, text, label_x, "start"))
        reach = label_x + width
    return ticks, fits
