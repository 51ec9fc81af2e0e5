"""Links written in cards, judged as a browser will read them.

A check of the raw text is not enough: a browser decodes character references in an attribute
(`javascript&#58;`), drops tabs and line breaks anywhere in a URL (`java&Tab;script:`), strips
leading and trailing control characters and spaces, and reads `\\` as `/` (`/\\host` is another
host). So every URL is first put in the form the browser will act on, and judged in that form.
"""

from __future__ import annotations

import html
import re
from enum import Enum

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_STRIPPED = "".join(map(chr, range(0x21)))  # C0 controls and space, stripped at both ends
_REMOVED = re.compile("[\t\n\r]")  # removed anywhere
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


class LinkKind(str, Enum):
    """What a URL leads to, once read as a browser reads it."""

    RELATIVE = "relative"
    """A page or file of the same site (`../P13.2/`, `#review-1`, `docs/plan.md`)."""
    REMOTE = "remote"
    """Another host: `https://`, `mailto:`, or a scheme-relative `//host/...`."""


def browser_url(text: str) -> str:
    """The URL a browser acts on for this attribute text, entities and controls resolved."""
    return _REMOVED.sub("", html.unescape(text)).strip(_STRIPPED)


def link_kind(url: str, *, decoded: bool = False) -> LinkKind | None:
    """What a URL leads to; None when it is not safe to link (`javascript:`, `data:`, ...).

    `decoded` says whether the browser will decode character references in it first: true
    for Markdown that goes into HTML as it is, false for a value the renderer escapes.
    """
    effective = browser_url(url) if decoded else _REMOVED.sub("", url).strip(_STRIPPED)
    if decoded and html.unescape(effective) != effective:
        return None  # decoding twice would give another URL: no honest reading of it exists
    scheme = _SCHEME.match(effective)
    if scheme is not None:
        return LinkKind.REMOTE if scheme.group(1).lower() in _SAFE_SCHEMES else None
    if effective.replace("\\", "/").startswith("//"):
        return LinkKind.REMOTE  # scheme-relative: another host
    return LinkKind.RELATIVE


def safe_href(url: str, *, decoded: bool = False) -> bool:
    """Whether the URL may become a link: http(s), mailto, or within the site."""
    return link_kind(url, decoded=decoded) is not None
