"""The charts, drawn at build time as inline SVG: a card's level timeline (a step chart with a
mark per transition, its shape saying what the change was) and the organisation's cards per
phase over time (stacked areas, or one bar while the history is too short for months).

Each chart is laid out for a phone: text is `FONT` units (the stylesheet makes it smaller on
wider screens, never larger), so labels planned not to overlap at that size overlap at none;
marks and gaps scale with the chart, so marks apart on one screen are apart on every one."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..cards.levels import HIGHEST, LEVELS, PHASES
from ..model.analytics import TrendPoint
from ..model.transitions import CardHistory, Transition
from .time_axis import Placement, Tick, day_label, label_width, place, time_ticks

FONT = 20.0
"""Text size in chart units: 11.9 px on a 390 px phone, where a chart is 358 px wide."""
GAP = 18.0
"""The least distance between the centres of two consecutive marks, in chart units."""
MONTHS_ENOUGH = 59
"""The fewest days a trend spans to be drawn month by month; a shorter one is one bar."""

_WIDTH, _HEIGHT = 600, 276
_LEFT, _RIGHT, _TOP, _BOTTOM = 34, 14, 6, 30
# A level's row is 24 units: a label's line (1.15 em at `FONT`) fits it, whatever the scale.
_SVG = 'xmlns="http://www.w3.org/2000/svg"'


@dataclass(frozen=True)
class Mark:
    """How a point of the timeline is drawn, and what the legend says it is."""

    key: str
    """Its class (`trl-point-<key>`) and the legend's."""
    shape: str
    """circle, diamond, triangle (pointing down) or ring."""
    fill: str
    """Its colour in the light scheme (the stylesheet has both schemes' and wins)."""
    meaning: str


REVIEWED = Mark("reviewed", "circle", "#4051b5", "first record, or a change through its gate")
SKIPPED = Mark("skipped", "diamond", "#c62828", "a change without a review record (skipped gate)")
SWITCHBACK = Mark("switchback", "triangle", "#6a1b9a", "a switchback through its gate")
SWITCHBACK_SKIPPED = Mark(
    "switchback-skipped", "triangle", "#c62828", "a switchback without a review record"
)
RESUMED = Mark("resumed", "ring", "none", "the level known again after a gap")
MARKS = (REVIEWED, SKIPPED, SWITCHBACK, SWITCHBACK_SKIPPED, RESUMED)
"""Every mark, in the legend's order."""


def mark_of(transition: Transition) -> Mark:
    """A switchback points down; a change whose gate has no review record is red."""
    skipped = transition.gated and not transition.reviewed
    if transition.kind.is_switchback:
        return SWITCHBACK_SKIPPED if skipped else SWITCHBACK
    return SKIPPED if skipped else REVIEWED


def marks_used(history: CardHistory) -> tuple[Mark, ...]:
    """The marks the card's timeline draws, in the legend's order."""
    used = {mark_of(t) for t in history.transitions}
    if any(r.card is not None for r in history.resumed):
        used.add(RESUMED)
    return tuple(m for m in MARKS if m in used)


def _shape(mark: Mark, cx: float, cy: float, inner: str = "") -> str:
    """The mark's element centred on (cx, cy), 10 to 12 units across."""
    css = f"trl-point trl-point-{mark.key}"
    if mark.shape in ("circle", "ring"):
        return (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" class="{css}" '
            f'fill="{mark.fill}">{inner}</circle>'
        )
    if mark.shape == "diamond":
        corners = [(cx, cy - 6), (cx + 6, cy), (cx, cy + 6), (cx - 6, cy)]
    else:  # a triangle pointing down, its box centred like the others'
        corners = [(cx - 6, cy - 5.2), (cx + 6, cy - 5.2), (cx, cy + 5.2)]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    return f'<polygon points="{points}" class="{css}" fill="{mark.fill}">{inner}</polygon>'


def timeline_legend(history: CardHistory) -> str:
    """The legend of the card's timeline: each mark it draws, drawn the same way, and no other."""
    return "\n".join(
        f'<span class="trl-legend-mark trl-legend-{m.key}"><svg class="trl-swatch" '
        f'viewBox="-7 -7 14 14" aria-hidden="true" {_SVG}>{_shape(m, 0, 0)}</svg>'
        f"{m.meaning}</span>"
        for m in marks_used(history)
    )


def _when(moment: dt.datetime) -> float:
    return moment.timestamp()


def _grid(ticks: Sequence[Tick], top: float, bottom: float) -> list[str]:
    """The ticks' lines, drawn behind what the chart shows."""
    return [
        f'<line x1="{t.x:.1f}" x2="{t.x:.1f}" y1="{top}" y2="{bottom}" '
        'class="trl-grid" stroke="currentColor" stroke-opacity="0.18"/>'
        for t in ticks
        if t.x is not None
    ]


def _labels(ticks: Sequence[Tick], baseline: float) -> list[str]:
    """The ticks' labels, under the chart."""
    return [
        f'<text x="{t.label_x:.1f}" y="{baseline}" text-anchor="{t.anchor}" '
        f'class="trl-axis trl-time">{html.escape(t.label)}</text>'
        for t in ticks
        if t.label
    ]


def _open(css: str, width: float, height: float, label: str, links: bool = False) -> str:
    # A group, not an img: an image's children are hidden from assistive technology, and the
    # charts' marks and bands are links that the keyboard reaches (axe: nested-interactive).
    xlink = ' xmlns:xlink="http://www.w3.org/1999/xlink"' if links else ""
    return (
        f'<svg class="{css}" viewBox="0 0 {width:.0f} {height:.0f}" role="group" '
        f'aria-label="{html.escape(label)}" font-size="{FONT:.0f}" {_SVG}{xlink}>'
    )


def timeline_axis(
    marks: Sequence[dt.datetime], start: dt.datetime, end: dt.datetime
) -> tuple[Placement, list[Tick]]:
    """Where a timeline's marks (in time order) go, and its labelled moments: by time from
    `start` to `end`, marks at least `GAP` apart, ticks mapped the same way."""
    right = _WIDTH - _RIGHT
    placement = place([_when(m) for m in marks], _when(start), _when(end), _LEFT + 8, right, GAP)
    ticks = time_ticks(start, end, lambda m: placement.x(_when(m)), _LEFT, _WIDTH - 2, FONT)
    return placement, ticks


def timeline_svg(history: CardHistory, now: dt.datetime, href: Callable[[Transition], str]) -> str:
    """Level over time, phase colour bands behind, every transition a mark (`mark_of`) linking
    to its row. Marks go by time, at least `GAP` apart; the time axis follows them."""
    transitions = history.transitions
    if not transitions:
        return ""
    start = transitions[0].date
    end = max(now.astimezone(start.tzinfo), transitions[-1].date, start + dt.timedelta(days=1))
    inner_w, inner_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    right = _LEFT + inner_w
    row = inner_h / (HIGHEST + 1)

    def y(level: int) -> float:
        return _TOP + (HIGHEST - level + 0.5) * row

    # Every mark in time order: 1 a transition, 2 the level known again after a gap; the
    # step line also breaks at each gap (0: versions missing from the repository).
    marked = sorted(
        [(t.date, 1, t.to_level, t) for t in transitions]
        + [(r.landed.committed, 2, r.card.level, None) for r in history.resumed if r.card],
        key=lambda event: (event[0], event[1]),
    )
    placement, ticks = timeline_axis([m[0] for m in marked], start, end)
    parts = [_open("trl-chart", _WIDTH, _HEIGHT, f"Level of {history.card_id} over time", True)]
    for phase in PHASES:
        levels = [lvl.number for lvl in LEVELS if lvl.phase == phase]
        top = _TOP + (HIGHEST - max(levels)) * row
        parts.append(
            f'<rect class="trl-band trl-phase-{phase.key}" x="{_LEFT}" y="{top:.1f}" '
            f'width="{inner_w}" height="{row * len(levels):.1f}" fill="{phase.hex}" '
            f'fill-opacity="0.12"><title>{phase.name}</title></rect>'
        )
    for level in range(HIGHEST + 1):
        parts.append(
            f'<text x="{_LEFT - 10}" y="{y(level) + 6:.1f}" text-anchor="end" '
            f'class="trl-axis">{level}</text>'
        )
    parts += _grid(ticks, _TOP, _TOP + inner_h) + _labels(ticks, _HEIGHT - 9)
    events = sorted(
        [(m[0], m[1], m[2], x) for m, x in zip(marked, placement.points, strict=True)]
        + [
            (g.landed.committed, 0, None, placement.x(_when(g.landed.committed)))
            for g in history.gaps
        ],
        key=lambda event: (event[0], event[1], event[3]),
    )
    segments: list[list[str]] = []
    shown: int | None = None
    for _, kind, to_shown, x in events:
        if shown is not None:
            segments[-1].append(f"{x:.1f},{y(shown):.1f}")
        if kind == 0:
            shown = None
        elif to_shown is not None:
            if shown is None:
                segments.append([])
            shown = to_shown
            segments[-1].append(f"{x:.1f},{y(shown):.1f}")
    if shown is not None:
        segments[-1].append(f"{right:.1f},{y(shown):.1f}")
    parts += [
        f'<polyline points="{" ".join(points)}" fill="none" stroke="currentColor" '
        'stroke-width="2" vector-effect="non-scaling-stroke" class="trl-step"/>'
        for points in segments
    ]
    # xlink:href, not href: material's instant navigation reassigns `el.href` on every [href]
    # element, which throws on SVG links (their href is read-only).
    for (when, _, level, transition), x in zip(marked, placement.points, strict=True):
        if transition is None:
            label = f"{when.date().isoformat()}: level {level} known again after a gap"
            parts.append(_shape(RESUMED, x, y(level), f"<title>{html.escape(label)}</title>"))
            continue
        title = f"<title>{html.escape(_describe(transition))}</title>"
        parts.append(
            f'<a xlink:href="{html.escape(href(transition))}">'
            f"{_shape(mark_of(transition), x, y(level), title)}</a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _describe(t: Transition) -> str:
    change = (
        f"first recorded at {t.to_level}"
        if t.from_level is None
        else f"{t.from_level} to {t.to_level}, {t.kind}"
        + (f" ({t.switchback_kind})" if t.switchback_kind else "")
    )
    gate = ", skipped gate" if t.gated and not t.reviewed else ""
    return f"{t.date.date().isoformat()}: {change}{gate}"


def _count_ticks(peak: int) -> list[int]:
    """Round counts from 0 to at most `peak`, at most five of them."""
    step = next(m * 10**e for e in range(19) for m in (1, 2, 5) if peak <= 4 * m * 10**e)
    return list(range(0, peak + 1, step))


def trend_svg(trend: Sequence[TrendPoint], links: Mapping[str, str] | None = None) -> str:
    """Today's cards per phase over time, stacked (research at the bottom), as inline SVG;
    `links` maps a phase key to the address of its cards, which its band links to.

    A trend spanning less than `MONTHS_ENOUGH` days is drawn as one bar of its last day: a
    month's interpolation between two days would read as growth that was never measured.
    A phase with no cards draws nothing, there or anywhere along the trend."""
    if not trend:
        return ""
    width, height, top, bottom = 600, 226, 12, 36
    peak = max(max(sum(p.per_phase.values()) for p in trend), 1)
    counts = _count_ticks(peak)
    left = max(label_width(str(c), FONT) for c in counts) + 14
    inner_w, inner_h = width - left - 14, height - top - bottom

    def y(count: float) -> float:
        return top + inner_h * (1 - count / peak)

    def linked(phase_key: str, shape: str) -> str:
        href = (links or {}).get(phase_key)
        return f'<a href="{html.escape(href)}">{shape}</a>' if href else shape

    first, last = trend[0].day, trend[-1].day
    short = (last - first).days < MONTHS_ENOUGH
    label = "Components per phase " + (
        f"on {last.isoformat()} (too little history for a trend)" if short else "over time"
    )
    parts = [_open("trl-chart trl-trend", width, height, label)]
    parts += _count_lines(counts, left, inner_w, y)
    if short:
        parts += _bar(trend[-1], left, y, linked)
        parts.append("</svg>")
        return "".join(parts)
    span = (last - first).days

    def x(day: dt.date) -> float:
        return left + inner_w * (day - first).days / span

    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.timezone.utc)
    end = dt.datetime.combine(last, dt.time(), tzinfo=dt.timezone.utc)
    ticks = time_ticks(start, end, lambda m: x(m.date()), left, width - 2, FONT)
    parts += _grid(ticks, top, top + inner_h)
    below = [0] * len(trend)
    for phase in PHASES:
        above = [b + p.per_phase.get(phase.key, 0) for b, p in zip(below, trend, strict=True)]
        for run in _runs([a - b for a, b in zip(above, below, strict=True)]):
            upper = [f"{x(trend[i].day):.1f},{y(above[i]):.1f}" for i in run]
            lower = [f"{x(trend[i].day):.1f},{y(below[i]):.1f}" for i in reversed(run)]
            parts.append(
                linked(
                    phase.key,
                    f'<polygon points="{" ".join(upper + lower)}" fill="{phase.hex}" '
                    f'fill-opacity="0.75" class="trl-area trl-phase-{phase.key}">'
                    f"<title>{phase.name}</title></polygon>",
                )
            )
            # The yellow is 2:1 on white: its upper edge is drawn darker (see the stylesheet).
            if phase.key == "productization":
                parts.append(
                    f'<polyline points="{" ".join(upper)}" fill="none" class="trl-edge" '
                    'stroke="#7a5a00" stroke-width="1"/>'
                )
        below = above
    parts += _labels(ticks, height - 6)
    parts.append("</svg>")
    return "".join(parts)


def _runs(heights: Sequence[int]) -> list[range]:
    """The stretches of points between which a band has any height: a band of nothing is
    not drawn (a polygon of no height still leaves a hairline)."""
    runs: list[range] = []
    begin: int | None = None
    for i in range(len(heights) - 1):
        drawn = heights[i] > 0 or heights[i + 1] > 0
        if drawn and begin is None:
            begin = i
        if not drawn and begin is not None:
            runs.append(range(begin, i + 1))
            begin = None
    if begin is not None:
        runs.append(range(begin, len(heights)))
    return runs


def _bar(
    point: TrendPoint,
    left: float,
    y: Callable[[float], float],
    linked: Callable[[str, str], str],
) -> list[str]:
    """One stacked bar of a day, each phase's count written beside its part."""
    bar_x, bar_w = left + 16, 56
    parts, below, beside = [], 0, []
    for phase in PHASES:
        count = point.per_phase.get(phase.key, 0)
        if not count:
            continue
        top, bottom = y(below + count), y(below)
        parts.append(
            linked(
                phase.key,
                f'<rect x="{bar_x}" y="{top:.1f}" width="{bar_w}" height="{bottom - top:.1f}" '
                f'fill="{phase.hex}" fill-opacity="0.75" class="trl-area trl-phase-{phase.key}">'
                f"<title>{phase.name}: {count}</title></rect>",
            )
        )
        beside.append((f"{count} {phase.name}", (top + bottom) / 2))
        below += count
    # Labels from the top down, each at its part's middle unless that is too near the last.
    beside.reverse()
    highest, lowest = y(below) - FONT / 2, y(0) - 4  # clear of the day's label below
    middles = [min(max(m, highest), lowest) for _, m in beside]
    spots = place(middles, highest, lowest, highest, lowest, FONT * 1.2).points
    for (text, _), middle in zip(beside, spots, strict=True):
        parts.append(
            f'<text x="{bar_x + bar_w + 10}" y="{middle + 7:.1f}" class="trl-axis">'
            f"{html.escape(text)}</text>"
        )
    parts.append(
        f'<text x="{bar_x}" y="{y(0) + 30:.1f}" class="trl-axis trl-time">'
        f"{html.escape(day_label(point.day))}</text>"
    )
    return parts


def burnup_svg(
    points: Sequence[tuple[dt.datetime, int]],
    total: int,
    due: dt.date,
    now: dt.datetime,
    level_number: int,
) -> str:
    """A goal's burn-up as inline SVG: how many of its `total` cards stood at or above level
    `level_number` over time (a step line from its first change to `now`), against a dashed
    line at `total` and a dashed mark at the day `due`. Empty without any change."""
    if not points:
        return ""
    width, height, top, bottom = 600, 226, 12, 36
    peak = max(total, 1)
    counts = _count_ticks(peak)
    left = max(label_width(str(c), FONT) for c in counts) + 14
    inner_w, inner_h = width - left - 14, height - top - bottom
    start = points[0][0]
    deadline = dt.datetime.combine(due, dt.time(), tzinfo=start.tzinfo)
    end = max(now, deadline, start + dt.timedelta(days=1))
    span = (end - start).total_seconds()

    def x(moment: dt.datetime) -> float:
        return left + inner_w * (moment - start).total_seconds() / span

    def y(count: float) -> float:
        return top + inner_h * (1 - count / peak)

    label = (
        f"Cards at level {level_number} or above over time: {points[-1][1]} of {total} now, "
        f"{total} by {due.isoformat()}"
    )
    parts = [_open("trl-chart trl-burnup", width, height, label)]
    parts += _count_lines(counts, left, inner_w, y)
    ticks = time_ticks(start, end, x, left, width - 2, FONT)
    parts += _grid(ticks, top, top + inner_h)
    steps: list[str] = []
    for index, (moment, count) in enumerate(points):
        if index:
            steps.append(f"{x(moment):.1f},{y(points[index - 1][1]):.1f}")
        steps.append(f"{x(moment):.1f},{y(count):.1f}")
    steps.append(f"{x(now):.1f},{y(points[-1][1]):.1f}")
    parts.append(
        f'<line x1="{left}" x2="{x(deadline):.1f}" y1="{y(total):.1f}" y2="{y(total):.1f}" '
        'class="trl-goal-line" stroke="currentColor" stroke-dasharray="6 4" stroke-width="2"/>'
        f'<line x1="{x(deadline):.1f}" x2="{x(deadline):.1f}" y1="{top}" y2="{top + inner_h}" '
        'class="trl-goal-day" stroke="currentColor" stroke-dasharray="6 4" stroke-width="2">'
        f"<title>Due {due.isoformat()}</title></line>"
        f'<polyline points="{" ".join(steps)}" fill="none" class="trl-burnup-line" '
        'stroke="#2e7d32" stroke-width="4"><title>'
        f"{points[-1][1]} of {total} at level {level_number} or above</title></polyline>"
    )
    parts += _labels(ticks, height - 6)
    parts.append("</svg>")
    return "".join(parts)


def _count_lines(
    counts: Iterable[int], left: float, inner_w: float, y: Callable[[float], float]
) -> list[str]:
    """A horizontal grid line and its label at each count of a chart of components."""
    return [
        f'<line x1="{left}" x2="{left + inner_w}" y1="{y(count):.1f}" y2="{y(count):.1f}" '
        'class="trl-grid" stroke="currentColor" stroke-opacity="0.18"/>'
        f'<text x="{left - 8}" y="{y(count) + 6:.1f}" text-anchor="end" '
        f'class="trl-axis">{count}</text>'
        for count in counts
    ]
