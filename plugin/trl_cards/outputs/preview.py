"""Link previews: what a chat, a forge or a wiki shows when a readiness page's link is pasted.

Every page gets a one-line `description` in its front matter (themes write it as
`<meta name="description">`; material does), and the plugin adds the Open Graph and Twitter
card tags to the page's <head> (`with_link_preview`), which the theme writes and no template
of ours reaches. Both are made from the page's front matter, so they say the same thing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping

from markupsafe import escape

from ..cards.card import Card
from ..cards.levels import level

DESCRIPTION_LIMIT = 300
"""The longest description, in characters: previews show about two lines of it."""


def bounded(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The text on one line, cut to `limit` characters (with an ellipsis)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\u2026"


def counted(number: int, noun: str) -> str:
    """`1 component`, `3 components`."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def card_description(card: Card, last_change: dt.datetime | None) -> str:
    """A card in a line: `Level 6 Application development (productization) · owners: Ana, Bo
    · last change 2026-03-01`."""
    lvl = level(card.level)
    parts = [f"Level {card.level} {lvl.name} ({lvl.phase.name.lower()})"]
    if card.owners:
        parts.append("owners: " + ", ".join(card.owners))
    if last_change is not None:
        parts.append(f"last change {last_change.date().isoformat()}")
    return bounded(" \u00b7 ".join(parts))


def absolute(site_url: str | None, path: str) -> str:
    """The address of a page or file of the site (`path` from the site root): under
    `site_url` when it is set, else the path itself."""
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def link_preview(meta: Mapping[str, object], url: str | None, site_name: str) -> str:
    """The Open Graph and Twitter card tags of a page, from its front matter (`title`,
    `description`, which `templating.front_matter` wrote escaped) and its canonical `url`
    (none when the site has no `site_url`: a relative address is no use in a preview).
    Every value is escaped here, whatever it holds."""
    title = bounded(html.unescape(str(meta.get("title") or site_name)))
    description = bounded(html.unescape(str(meta.get("description") or "")))
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url or ""),
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    return "".join(
        f'<meta {kind}="{name}" content="{escape(value)}">' for kind, name, value in tags if value
    )


def with_link_preview(
    page: str, meta: Mapping[str, object], url: str | None, site_name: str
) -> str:
    """The page's HTML with its `link_preview` tags at the end of its <head>. The first
    `</head>` is the head's own: everything the theme writes before it from a page (its
    title, its description) comes escaped from the front matter."""
    end = page.find("</head>")
    if end < 0:
        return page
    return page[:end] + link_preview(meta, url, site_name) + page[end:]
