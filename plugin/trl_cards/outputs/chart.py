"""The charts, drawn at build time as inline SVG: a card's level timeline (a step chart) and
the organisation's cards per phase over time (stacked areas)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence

from ..cards.levels import HIGHEST, LEVELS, PHASES
from ..model.analytics import TrendPoint
from ..model.transitions import CardHistory, Transition

_WIDTH, _HEIGHT = 760, 230
_LEFT, _RIGHT, _TOP, _BOTTOM = 34, 16, 10, 26


def _ticks(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """Where the time axis is labelled: at each new year, or for a history shorter than about
    a year and a half, at each quarter (so that a young card's chart has dates on it)."""
    zone = start.tzinfo or dt.timezone.utc
    if (end - start).days > 550:
        return [
            (dt.datetime(year, 1, 1, tzinfo=zone), str(year))
            for year in range(start.year + 1, end.year + 1)
        ]
    ticks: list[tuple[dt.datetime, str]] = []
    year, month = start.year, (start.month - 1) // 3 * 3 + 1
    while True:
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
        tick = dt.datetime(year, month, 1, tzinfo=zone)
        if tick > end:
            return ticks
        ticks.append((tick, f"{tick:%b %Y}"))


def timeline_svg(history: CardHistory, now: dt.datetime, href: Callable[[Transition], str]) -> str:
    """Level over time, phase colour bands behind, every transition a point linking to its row."""
    transitions = history.transitions
    if not transitions:
        return ""
    start = transitions[0].date
    end = max(now, transitions[-1].date)
    span = max((end - start).total_seconds(), 86400.0)
    inner_w, inner_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    row = inner_h / (HIGHEST + 1)

    def x(when: dt.datetime) -> float:
        return _LEFT + inner_w * (when - start).total_seconds() / span

    def y(level: int) -> float:
        return _TOP + (HIGHEST - level + 0.5) * row

    parts = [
        f'<svg class="trl-chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="Level of {html.escape(history.card_id)} over time" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    ]
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
            f'<text x="{_LEFT - 8}" y="{y(level) + 4:.1f}" text-anchor="end" '
            f'class="trl-axis">{level}</text>'
        )
    for tick, label in _ticks(start, end):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{_TOP}" y2="{_TOP + inner_h}" '
            'class="trl-grid" stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text x="{x(tick):.1f}" y="{_HEIGHT - 8}" text-anchor="middle" '
            f'class="trl-axis">{label}</text>'
        )
    # The step line breaks at each gap (versions missing from the repository) and starts again
    # where the level is known again, with no transition between.
    events = sorted(
        [(t.date, 1, t.to_level) for t in transitions]
        + [(g.landed.committed, 0, None) for g in history.gaps]
        + [(r.landed.committed, 2, r.card.level if r.card else None) for r in history.resumed],
        key=lambda event: (event[0], event[1]),
    )
    segments: list[list[str]] = []
    shown: int | None = None
    for when, kind, to_shown in events:
        if shown is not None:
            segments[-1].append(f"{x(when):.1f},{y(shown):.1f}")
        if kind == 0:
            shown = None
        elif to_shown is not None:
            if shown is None:
                segments.append([])
            shown = to_shown
            segments[-1].append(f"{x(when):.1f},{y(shown):.1f}")
    if shown is not None:
        segments[-1].append(f"{x(end):.1f},{y(shown):.1f}")
    parts += [
        f'<polyline points="{" ".join(points)}" fill="none" stroke="currentColor" '
        'stroke-width="2" class="trl-step"/>'
        for points in segments
    ]
    for revision in history.resumed:
        if revision.card is None:
            continue
        when = revision.landed.committed
        label = f"{when.date().isoformat()}: level {revision.card.level} known again after a gap"
        parts.append(
            f'<circle cx="{x(when):.1f}" cy="{y(revision.card.level):.1f}" r="5" '
            'class="trl-point-resumed" fill="none" stroke="currentColor" stroke-width="2">'
            f"<title>{html.escape(label)}</title></circle>"
        )
    # xlink:href, not href: material's instant navigation reassigns `el.href` on every [href]
    # element, which throws on SVG links (their href is read-only).
    for t in transitions:
        label = (
            f"{t.date.date().isoformat()}: "
            + (
                f"entered at {t.to_level}"
                if t.from_level is None
                else f"{t.from_level} to {t.to_level}, {t.kind}"
            )
            + ("" if not t.gated or t.reviewed else ", skipped gate")
        )
        css = "trl-point" + ("" if not t.gated or t.reviewed else " trl-point-skipped")
        parts.append(
            f'<a xlink:href="{html.escape(href(t))}"><circle cx="{x(t.date):.1f}" '
            f'cy="{y(t.to_level):.1f}" r="5" class="{css}"><title>{html.escape(label)}</title>'
            "</circle></a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(trend: Sequence[TrendPoint], links: Mapping[str, str] | None = None) -> str:
    """Today's cards per phase over time, stacked (research at the bottom), as inline SVG;
    `links` maps a phase key to the address of its cards, which its band links to."""
    if len(trend) < 2:
        return ""
    width, height, left, bottom, top = 760, 200, 40, 26, 8
    inner_w, inner_h = width - left - 12, height - top - bottom
    peak = max(max(sum(p.per_phase.values()) for p in trend), 1)
    first, last = trend[0].day, trend[-1].day
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + inner_w * (day - first).days / span

    def y(count: float) -> float:
        return top + inner_h * (1 - count / peak)

    parts = [
        f'<svg class="trl-chart trl-trend" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Components per phase over time" xmlns="http://www.w3.org/2000/svg">'
    ]
    below = [0] * len(trend)
    for phase in PHASES:
        above = [b + p.per_phase.get(phase.key, 0) for b, p in zip(below, trend, strict=True)]
        upper = [f"{x(p.day):.1f},{y(a):.1f}" for p, a in zip(trend, above, strict=True)]
        lower = [f"{x(p.day):.1f},{y(b):.1f}" for p, b in zip(trend, below, strict=True)]
        band = (
            f'<polygon points="{" ".join(upper + lower[::-1])}" fill="{phase.hex}" '
            f'fill-opacity="0.75"><title>{phase.name}</title></polygon>'
        )
        href = (links or {}).get(phase.key)
        parts.append(f'<a href="{html.escape(href)}">{band}</a>' if href else band)
        below = above
    for count in sorted({0, peak // 2, peak}):
        parts.append(
            f'<text x="{left - 6}" y="{y(count) + 5:.1f}" text-anchor="end" '
            f'class="trl-axis">{count}</text>'
        )
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.timezone.utc)
    end = dt.datetime.combine(last, dt.time(), tzinfo=dt.timezone.utc)
    for tick, label in _ticks(start, end):
        parts.append(
            f'<text x="{x(tick.date()):.1f}" y="{height - 6}" text-anchor="middle" '
            f'class="trl-axis">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
