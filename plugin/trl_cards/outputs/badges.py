"""An SVG badge per card, for component READMEs: `TRL` and the card's level and name, in its
phase's colour (`readiness/badges/<id>.svg`)."""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape, quoteattr

from ..cards.levels import level
from ..model.pipeline import Project
from .made import Made, Memo

_CHAR = 6.2
"""Average advance of a character of 11 px Verdana-like text, in px."""


def files(project: Project, memo: Memo) -> Made:
    urls = project.site.urls
    return Made({urls.badge(c.id): badge_svg(c.level) for c in project.collection.cards})


@functools.cache
def badge_svg(number: int) -> str:
    """The badge of level `number`: its number and name on its phase's colour, with the text
    colour (white or near-black) that contrasts most with it. There are ten: each is made
    once, whatever the number of cards."""
    lvl = level(number)
    label, value = "TRL", f"{number} · {lvl.name}"
    left, right = round(len(label) * _CHAR + 12), round(len(value) * _CHAR + 12)
    width = left + right
    ink = _ink(lvl.phase.hex)
    title = f"MLTRL level {number}: {lvl.name} ({lvl.phase.name})"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f"aria-label={quoteattr(title)}><title>{escape(title)}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{lvl.phase.hex}"/>'
        '<g font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14" fill="#fff" text-anchor="middle">{label}</text>'
        f'<text x="{left + right / 2:.1f}" y="14" fill="{ink}" text-anchor="middle">'
        f"{escape(value)}</text></g></svg>\n"
    )


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _ink(background: str) -> str:
    return max(("#fff", "#1a1a1a"), key=lambda ink: contrast(_full(ink), background))


def _full(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    colour = _full(colour)
    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
