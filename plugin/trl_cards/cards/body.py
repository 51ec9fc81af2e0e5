"""The card's own Markdown sections: their limits, and their HTML with nothing live in it.

Python-Markdown is quadratic or worse in a few shapes that no card needs (measured: 800 `[`
in one paragraph take 0.17 s and 8,000 take 200 s; 3,000 lines of ever deeper `>` take 44 s),
and recursive in nesting. So a body is scanned first, in one linear pass, for the shapes that
cost; a body over a limit is shown as plain text, whole, and the card's validation reports the
limit (`body_limit`) with the fix.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

import markdown

from .links import LinkKind, link_kind

MAX_BODY_CHARS = 200_000
"""The longest body rendered as Markdown (a long card is 20,000 characters)."""
MAX_BRACKETS = 200
"""The most unescaped `[` in one paragraph (each one starts a search for a link's end)."""
MAX_DEPTH = 16
"""The deepest nesting of lists and quotes."""

_MARKER = re.compile(r"[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])")
# A line that may nest more than MAX_DEPTH: as many markers or four-space indents in a row.
# It starts at a literal `\n` (the text gets one in front), which the regex engine scans for.
_MAYBE_DEEP = re.compile(
    r"\n(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])|[ \t]{4}){" + str(MAX_DEPTH + 1) + "}"
)
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)\[")


class BodyLimit(NamedTuple):
    """The first limit a body exceeds: where, what, and how to fix it."""

    line: int
    """1-based line of the body where the limit is exceeded."""
    message: str
    fix: str


def body_limit(text: str) -> BodyLimit | None:
    """The first limit of `MAX_*` that the body exceeds, or None: one linear pass."""
    if text.count("[") <= MAX_BRACKETS and not _MAYBE_DEEP.search("\n" + text):
        return None if len(text) <= MAX_BODY_CHARS else _too_long(text)
    if len(text) > MAX_BODY_CHARS:
        return _too_long(text)
    brackets = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            brackets = 0  # a blank line ends the paragraph
            continue
        brackets += len(_UNESCAPED_BRACKET.findall(line))
        if brackets > MAX_BRACKETS:
            return BodyLimit(
                number,
                f"has more than {MAX_BRACKETS} `[` in one paragraph.",
                "Split the paragraph, or write a literal bracket as `\\[`.",
            )
        depth, rest = 0, line
        while match := _MARKER.match(rest):
            depth, rest = depth + 1, rest[match.end() :]
        indent = len(line) - len(line.lstrip(" \t"))
        if depth + indent // 4 > MAX_DEPTH:
            return BodyLimit(
                number,
                f"nests lists or quotes more than {MAX_DEPTH} deep.",
                "Flatten the list or the quote; deeper levels add nothing a reader can follow.",
            )
    return None


def _too_long(text: str) -> BodyLimit:
    return BodyLimit(
        1,
        f"is {len(text):,} characters long; the site renders at most {MAX_BODY_CHARS:,}.",
        "Move long material (logs, tables of results) to a linked document.",
    )


_DEMOTED = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h5", "h5": "h6"}


class _SafeTree(markdown.treeprocessors.Treeprocessor):
    """Drops unsafe links, turns remote images into links, demotes and anchors headings."""

    def run(self, root: ET.Element) -> None:
        seen: set[str] = set()
        for parent in list(root.iter()):
            for index, element in enumerate(parent):
                if element.tag == "img":
                    parent[index] = element = _image(element)
                href = element.get("href")
                # The serializer keeps character references as they are: the browser decodes.
                if href is not None and link_kind(href, decoded=True) is None:
                    element.set("href", "#unsafe-link-removed")
        for element in root.iter():
            if element.tag in _DEMOTED:  # the card's sections sit under the page's "Card"
                element.tag = _DEMOTED[element.tag]
            if element.tag in _DEMOTED.values():
                # An id lets search link to the section; prefixed so it cannot clash with ours.
                slug = "card-" + (
                    re.sub(r"[^\w]+", "-", "".join(element.itertext()).lower()).strip("-")
                    or "section"
                )
                while slug in seen:
                    slug += "-1"
                seen.add(slug)
                element.set("id", slug)


def _image(img: ET.Element) -> ET.Element:
    """A relative image as it is; any other becomes a link to it, so no reader fetches it."""
    src = img.get("src", "")
    kind = link_kind(src, decoded=True)
    if kind is LinkKind.RELATIVE:
        return img
    link = ET.Element("a", {"href": src if kind is not None else "#unsafe-link-removed"})
    link.set("class", "trl-remote-image")
    link.text = "image: " + (img.get("alt") or img.get("title") or "(no description)")
    link.tail = img.tail
    return link


class _SafeMarkdown(markdown.extensions.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        # Raw HTML in a card is shown as text: a card cannot add script or break the page.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeTree(md), "trl_safe", 0)


_BODY_MARKDOWN = markdown.Markdown(
    extensions=["tables", "fenced_code", "sane_lists", _SafeMarkdown()]
)


@functools.lru_cache(maxsize=4096)
def render_body(text: str) -> str:
    """The card's Markdown sections as HTML, with raw HTML and unsafe links neutralised.

    A body over a limit (`body_limit`), or one Markdown fails on, is shown as plain text.

    The versions of a card at its earlier levels mostly repeat its sections: a body is
    rendered a section at a time, each section once per build (measured: 60% of the text of
    1,000 cards at all their levels). That gives the HTML of the whole unless something in it
    reaches across sections, which then renders it whole: a reference definition or footnote,
    or two headings whose ids the whole would tell apart.
    """
    if body_limit(text) is not None:
        return _plain(text)
    sections = _sections(text)
    if len(sections) > 1 and not _REFERENCE.search(text):
        parts = [_render_section(section) for section in sections]
        if None not in parts:
            html_text = "\n".join(part for part in parts if part)
            ids = _ID.findall(html_text)
            if len(ids) == len(set(ids)):
                return html_text
    whole = _render(text)
    return whole if whole is not None else _plain(text)


@functools.lru_cache(maxsize=16384)
def _render_section(text: str) -> str | None:
    return _render(text)


def _render(text: str) -> str | None:
    try:
        return str(_BODY_MARKDOWN.reset().convert(text))
    except (RecursionError, ValueError, IndexError, KeyError, AttributeError):
        return None  # a Markdown bug on this text: the text itself is still worth showing


def _plain(text: str) -> str:
    return f'<pre class="trl-plain-body">{html.escape(text)}</pre>'


_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:", re.M)  # `[id]: url`, and `[^1]:` too
_ID = re.compile(r' id="([^"]*)"')
_FENCE = re.compile(r"(`{3,}|~{3,})")


def _sections(text: str) -> list[str]:
    """The body cut before each heading that starts a block of its own: a line that starts
    with `#` after a blank line, outside a fenced code block (which Markdown's `fenced_code`
    opens with a fence at the start of a line, and closes only with the same fence)."""
    lines = text.split("\n")
    starts = [0]
    fence = ""
    for number, line in enumerate(lines):
        if fence:
            if line.rstrip(" ") == fence:
                fence = ""
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening[1]
        elif line.startswith("#") and number > 0 and not lines[number - 1].strip():
            starts.append(number)
    ends = [*starts[1:], len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(starts, ends, strict=True)]
