"""Generated pages that MkDocs builds without running Python-Markdown over them.

A readiness page's Markdown is only its headings and the placeholders of its finished HTML
blocks (`outputs.templating.RenderedPage`). Python-Markdown still took 1.5-2 ms to convert
each of them, most of it in inline patterns run over every placeholder: 6.5 s of a 39 s build
of 1,000 cards (4,099 pages). A `FinishedPage` makes the same HTML from the outline: the
site's own `toc` extension, as configured in mkdocs.yml, gives the headings their ids,
permalinks and the table of contents. A page with anything else in its Markdown (a template
override with a paragraph, or another plugin that changed it) is converted by Markdown, as
any page is.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import markdown
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc


@dataclass(frozen=True)
class Heading:
    """An ATX heading of an outline: its level and its text, plain (not escaped)."""

    level: int
    text: str


Outline = tuple[Heading | str, ...]
"""Headings, and the placeholder lines between them, in the page's order."""

_PLACEHOLDER_LINE = re.compile(r"<!--trl-(?:html|late)-\d+-->")
_HEADING_LINE = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*")
# What the `md` template filter leaves in a heading: words, spaces, a few marks that no
# Markdown extension in common use gives a meaning to, backslash-escaped punctuation, and the
# three entities of HTML escaping; a colon only before a space or at the end. Anything else
# (a `'` that `smarty` curls, the `:` of an emoji or a URL) sends the page through Markdown.
_PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ ,;?/]|:(?= |$)|\\[\\`*_{}\[\]()#+\-.!>]|&(?:amp|lt|gt);)+")
_ESCAPE = re.compile(r"\\(.)")


def outline(text: str) -> Outline | None:
    """The page's Markdown (without its front matter) as an outline, or None when it holds
    anything but headings of plain text, and placeholder lines each followed by a blank line
    (as the templates' `html` filter writes them)."""
    out: list[Heading | str] = []
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines):
        if not line:
            continue
        if _PLACEHOLDER_LINE.fullmatch(line):
            # Markdown ends an HTML block with a blank line only when one follows it.
            if number + 1 < len(lines) and lines[number + 1]:
                return None
            out.append(line)
            continue
        heading = _HEADING_LINE.fullmatch(line)
        if heading is None or not _PLAIN_TEXT.fullmatch(heading[2]):
            return None
        plain = html.unescape(_ESCAPE.sub(r"\1", heading[2]))
        out.append(Heading(len(heading[1]), plain))
    return tuple(out)


@dataclass(frozen=True)
class _Made:
    """A heading as `toc` makes it alone on a page: its id, its HTML and its token of the
    table of contents (None when `toc_depth` leaves it out)."""

    id: str
    html: str
    token: dict[str, object] | None


class Headings:
    """The site's `toc` extension as mkdocs.yml configures it, applied to an outline's
    headings. One per build: making a Markdown instance costs as much as using it."""

    def __init__(self, config: MkDocsConfig) -> None:
        self._md = markdown.Markdown(
            extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {}
        )
        processors = self._md.treeprocessors  # a Markdown `Registry`, which has no `get`
        self._toc = processors["toc"] if "toc" in processors else None  # noqa: SIM401
        self._made: dict[Heading, _Made] = {}

    def render(self, items: Outline) -> tuple[str, list[dict[str, object]], set[str]] | None:
        """The HTML of the outline, one block per line as Markdown writes it, the tokens of
        its table of contents and its ids; None when the site has no `toc` extension.

        Most headings recur on thousands of pages ("Reviews", "Level history"): each is made
        once, and a page is put together from them unless two of its headings would get the
        same id, which `toc` makes unique by looking at the whole page."""
        if self._toc is None:
            return None
        parts = [item if isinstance(item, str) else self._heading(item) for item in items]
        made = [part for part in parts if isinstance(part, _Made)]
        ids = {m.id for m in made}
        if len(ids) < len(made):
            return self._whole(items)
        flat: list[Any] = [dict(m.token) for m in made if m.token is not None]
        tokens: list[Any] = nest_toc_tokens(flat)
        # Markdown writes a blank line after each raw HTML block (the placeholders).
        lines = [p + "\n" if isinstance(p, str) else p.html for p in parts]
        return "\n".join(lines).strip(), tokens, ids

    def _heading(self, heading: Heading) -> _Made:
        made = self._made.get(heading)
        if made is None:
            html, tokens, ids = self._whole((heading,))
            token = dict(tokens[0]) if tokens else None
            if token is not None:
                token.pop("children", None)
            made = self._made[heading] = _Made(next(iter(ids), ""), html, token)
        return made

    def _whole(self, items: Outline) -> tuple[str, list[dict[str, object]], set[str]]:
        assert self._toc is not None
        self._md.reset()
        root = ET.Element("div")
        elements: list[ET.Element | str] = []
        for item in items:
            if isinstance(item, Heading):
                element = ET.SubElement(root, f"h{item.level}")
                element.text = item.text
                elements.append(element)
            else:
                elements.append(item)
        self._toc.run(root)
        lines = [e + "\n" if isinstance(e, str) else self._serialize(e) for e in elements]
        ids = {i for e in root.iter() if (i := e.get("id"))}
        return "\n".join(lines).strip(), list(getattr(self._md, "toc_tokens", [])), ids

    def _serialize(self, element: ET.Element) -> str:
        text = self._md.serializer(element)
        for processor in self._md.postprocessors:
            text = processor.run(text)
        return text


class FinishedPage(Page):
    """A readiness page: its HTML comes from its outline (see the module's docstring)."""

    def __init__(self, file: File, config: MkDocsConfig, headings: Headings) -> None:
        super().__init__(None, file, config)
        self._headings = headings

    def render(self, config: MkDocsConfig, files: Files) -> None:
        items = outline(self.markdown or "")
        made = self._headings.render(items) if items is not None else None
        if made is None:
            super().render(config, files)
            return
        self.content, tokens, self.present_anchor_ids = made
        self.toc = get_toc(tokens)  # type: ignore[arg-type]
        first = items[0] if items else None  # MkDocs takes a title from a leading <h1> only
        title = first.text if isinstance(first, Heading) and first.level == 1 else None
        self._title_from_render = title
