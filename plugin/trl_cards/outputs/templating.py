"""The Jinja2 environment of the readiness pages, and the page it renders.

Autoescaping is on for every template, so card text is escaped unless a template says
otherwise; the helpers here return `Markup` built with `Markup.format`, which escapes what it
is given. A site overrides any template or partial by putting a file of the same name in
`<theme custom_dir>/trl-cards/` (for instance `overrides/trl-cards/partials/summary.html`).

A page template (`*.md`) is Markdown for the headings, which must reach the table of contents
and search, and `{% filter html %}` blocks for everything else. In those blocks and in the HTML
templates (`*.html`), a line break and the indentation around it are nothing between two tags
(`>` at the end of a line, `<` at the start of the next) and one space anywhere else:
templates are written readably and still make one-line blocks (a blank line would end an HTML
block in Markdown).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.ext import Extension
from jinja2.runtime import Context
from markupsafe import Markup, escape

from ..cards.levels import Level, level
from ..cards.problem import FixableError
from ..model.analytics import FLAGS
from ..model.site import Site
from .glossary import KIND_WORDS, TERMS, definition
from .preview import bounded

OVERRIDES = "trl-cards"
"""The folder of a theme's `custom_dir` that overrides the templates."""

_PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
_PLACEHOLDER = re.compile(r"<!--trl-html-(\d+)-->")
_LATE = re.compile(r"<!--trl-late-(\d+)-->")


@dataclass(frozen=True)
class RenderedPage:
    """A generated page: Markdown with placeholders, and the HTML blocks that replace them.

    Python-Markdown re-parses every raw HTML block it meets, which made it the largest cost of
    building thousands of card pages. The HTML is finished (and escaped) here, so it goes in
    after Markdown has run, with `insert_html`.
    """

    markdown: str
    html: tuple[str, ...] = ()

    def insert_html(self, content: str) -> str:
        """The page's HTML content with each placeholder replaced by its block, but for the
        blocks that search does not index (`late_html`): those keep theirs."""
        return _PLACEHOLDER.sub(lambda m: self.html[int(m.group(1))], content)

    def insert_late(self, content: str) -> str:
        """The page's HTML content with the blocks that search does not index in place. The
        MkDocs plugin inserts them once search has read the page: material's search parses
        the whole of each page's HTML, and these blocks were most of a card page's."""
        return _LATE.sub(lambda m: self.html[int(m.group(1))], content)

    @property
    def late(self) -> bool:
        """Whether the page has blocks that go in after search has read it."""
        return "<!--trl-late-" in self.markdown or any("<!--trl-late-" in b for b in self.html)

    @property
    def text(self) -> str:
        """The whole page as Markdown with the HTML inline, for reading and for tests."""
        return self.insert_late(self.insert_html(self.markdown))


class PageTemplateError(FixableError):
    """A template cannot be rendered (an override with a mistake, most likely): the message
    names the template file and the line; the fix what to do."""


def render_page(env: Environment, name: str, /, **context: Any) -> RenderedPage:
    """Render the page template `name` with `context`; its HTML blocks come out apart (see
    `RenderedPage`).

    Raises:
        PageTemplateError: the template, or one it includes, has a mistake.
    """
    blocks: list[str] = []
    text = render_html(env, name, _blocks=blocks, **context)
    return RenderedPage(_BLANK_LINES.sub("\n\n", text).strip(), tuple(blocks))


def render_html(env: Environment, name: str, /, **context: Any) -> str:
    """Render the template `name` (a whole HTML file, such as a redirect page) with `context`.

    Raises:
        PageTemplateError: the template, or one it includes, has a mistake: one message with
            its file and line, never a traceback.
    """
    try:
        return env.get_template(name).render(**context)
    except TemplateError as error:
        raise PageTemplateError(*_template_message(error, name)) from None


def _template_message(error: TemplateError, page: str) -> tuple[str, str]:
    where = f"the template of `{page}`"
    if isinstance(error, TemplateSyntaxError) and error.filename:
        where = f"{error.filename}:{error.lineno}"
    else:  # Jinja puts the template's file and line in the traceback
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith((".md", ".html")):
                where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
    builtin = str(_PACKAGE_TEMPLATES) in where
    fix = (
        "Report this message to the maintainers of mkdocs-trl-cards."
        if builtin
        else "Correct the template, or remove it to use the one of trl-cards (the names a "
        "template can use are listed in docs/templates.md)."
    )
    return f"{where}: {error.message or type(error).__name__}.", fix


_BLANK_LINES = re.compile(r"\n\s*\n(?:\s*\n)*")


def environment(override_dirs: tuple[Path, ...] = ()) -> Environment:
    """The environment for these override folders (each a theme `custom_dir`).

    Its compiled templates are kept while the overrides stay as they are (`mkdocs serve`
    rebuilds reuse them); an override added, edited or removed gets a new environment.
    """
    overrides = [d / OVERRIDES for d in override_dirs]
    state = tuple(
        (str(path), path.stat().st_mtime_ns)
        for folder in overrides
        if folder.is_dir()
        for path in sorted(folder.rglob("*"))
    )
    return _environment(override_dirs, state)


@functools.lru_cache(maxsize=4)
def _environment(override_dirs: tuple[Path, ...], state: object) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader([str(d / OVERRIDES) for d in override_dirs]),
                FileSystemLoader(str(_PACKAGE_TEMPLATES)),
            ]
        ),
        autoescape=True,
        auto_reload=False,  # `environment` notices an edited override, once per call
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=[_OneLineHtml],
    )
    env.filters.update(
        html=_block("html"),
        late_html=_block("late"),
        md=md,
        code=code,
        date=date,
        badge=badge,
        phase=phase,
        items=items,
    )
    env.globals.update(
        term=_term,
        meaning=_meaning,
        front_matter=front_matter,
        link=_link,
        commit=_commit,
        source=_source,
        level=level,
        flags=FLAGS,
        kind_words=KIND_WORDS,
        subject=subject,
        stage_name=stage_name,
    )
    return env


class _OneLineHtml(Extension):
    """Joins the lines of the `*.html` templates, and of the `{% filter html %}` blocks of the
    `*.md` ones (see the module's docstring). Each line break becomes a Jinja comment, so
    error messages keep their line numbers."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name and name.endswith(".html"):
            return _one_line(source)
        return _HTML_FILTER.sub(lambda m: m[1] + _one_line(m[2]) + m[3], source)


_HTML_FILTER = re.compile(
    r"({%-?\s*filter (?:late_)?html\s*-?%})(.*?)({%-?\s*endfilter\s*-?%})", re.S
)


_DELIMITERS = re.compile(r"\{[%{#]|[%}#]\}")


def _one_line(source: str) -> str:
    out: list[str] = []
    breaks: list[str] = []  # what joins each line to the next
    inside = ""  # the Jinja comment (`{#`) or tag (`{%`, `{{`) a line break falls in, if any
    for line in source.splitlines():
        line = line.strip()
        if out and out[-1] and line:
            tight = out[-1].endswith(">") and line.startswith("<")
            out[-1] += "" if tight or inside == "{#" else " "
        out.append(line)
        for mark in _DELIMITERS.findall(line):
            if mark.startswith("{") and not inside:
                inside = mark
            elif mark.endswith("}") and inside and mark[0] == _CLOSING[inside]:
                inside = ""
        # A line break inside a Jinja comment or tag stays one: a comment put there to keep
        # the line numbers would close the comment, or break the tag.
        breaks.append("\n" if inside else "{#\n#}")
    return "".join(line + join for line, join in zip(out, breaks, strict=True)).removesuffix(
        "{#\n#}"
    )


_CLOSING = {"{#": "#", "{%": "%", "{{": "}"}


# A space after each cell, term and item: search indexes a page's text without its tags, and
# would run `<th>Owners</th><td>Ana</td>` together as "OwnersAna". Browsers ignore it there.
_CELL_END = re.compile(r"(</(?:th|td|tr|dt|dd|li|h[1-6])>)(?=<)")


def _block(kind: str) -> Callable[[Context, str], Markup]:
    """The filter that sets a block's finished HTML aside and leaves a placeholder in its
    place: `html` blocks go in after Markdown, `late` ones (all of them marked
    `data-search-exclude`) after search has read the page too (`RenderedPage.insert_late`)."""

    @pass_context
    def block(context: Context, content: str) -> Markup:
        if not content.strip():
            return Markup("")
        blocks: list[str] = context["_blocks"]
        blocks.append(_CELL_END.sub(r"\1 ", str(content).strip()))
        return Markup(f"\n\n<!--trl-{kind}-{len(blocks) - 1}-->\n\n")  # noqa: S704 (a number)

    return block


@pass_context
def _term(context: Context, key: str, text: str | None = None) -> Markup:
    """A word of the site (`glossary.TERMS`), linked to its entry in the glossary, with its
    meaning on hover: `term("due")`, or `term("due", "3 reviews due")`."""
    site: Site = context["site"]
    entry = next(t for t in TERMS if t.key == key)
    href = site.urls.link(context["here"], site.urls.glossary(), key)
    return _escaped(
        f'<a class="trl-term" href="{escape(href)}" '
        f'title="{escape(definition(key, site.stale_days))}">{escape(text or entry.word)}</a>'
    )


@pass_context
def _meaning(context: Context, key: str) -> str:
    """What the word `key` of the glossary means, on this site."""
    site: Site = context["site"]
    return definition(key, site.stale_days)


@pass_context
def _link(context: Context, uri: str, anchor: str = "") -> str:
    """The relative link from the page being rendered (`here`) to the page `uri`."""
    site: Site = context["site"]
    return site.urls.link(context["here"], uri, anchor)


# The helpers below write their markup with f-strings, every value passed through `escape`:
# `Markup.format` does the same and was a quarter of the time of rendering 3,000 pages.


@pass_context
def _commit(context: Context, sha: str) -> Markup:
    """A short commit id, linked to the commit when the site knows the repository's web view."""
    short = f"<code>{escape(sha[:8])}</code>"
    site: Site = context["site"]
    card = context.get("card")  # a card page: the commit is in the card's own repository
    links = site.links_for(card.path)[0] if card is not None else site.links
    url = links.commit_url(sha)
    return _escaped(f'<a href="{escape(url)}">{short}</a>' if url else short)


@pass_context
def _source(context: Context, path: str) -> Markup:
    """A card file's path, linked to its source when the site knows the repository's web view."""
    site: Site = context["site"]
    links, in_repository = site.links_for(path)
    url = links.source_url(in_repository)
    code_path = f"<code>{escape(path)}</code>"
    return _escaped(f'<a href="{escape(url)}">{code_path}</a>' if url else code_path)


@functools.cache
def badge(number: int) -> Markup:
    """A level as a coloured badge, with its name on hover."""
    lvl = level(number)
    return _escaped(
        f'<span class="trl-level trl-phase-{escape(lvl.phase.key)}" '
        f'title="Level {number:d}: {escape(lvl.name)}">{number:d}</span>'
    )


def phase(lvl: Level) -> Markup:
    """A level's phase by name, in its colour (the colour is never the only sign)."""
    return _escaped(
        f'<span class="trl-phase trl-phase-{escape(lvl.phase.key)}">{escape(lvl.phase.name)}</span>'
    )


SUBJECT_CHARS = 72
"""A commit subject longer than this is cut in a table (git's own advice is 50)."""


def subject(text: str) -> Markup:
    """A commit subject: cut at `SUBJECT_CHARS` with an ellipsis when longer, the whole text
    on hover and in a disclosure a tap opens (a phone has no hover)."""
    if len(text) <= SUBJECT_CHARS:
        return _escaped(f'<span class="trl-subject">{escape(text)}</span>')
    cut = text[: SUBJECT_CHARS - 1].rstrip()
    return _escaped(
        f'<details class="trl-subject"><summary title="{escape(text)}">{escape(cut)}&hellip;'
        f"</summary>{escape(text)}</details>"
    )


def items(values: Sequence[str]) -> Markup:
    """Values separated by commas, each escaped."""
    return Markup(", ").join(values)


def stage_name(stage: str | None) -> Markup:
    """The stage of a format's own scale that a level comes from, after its badge; nothing
    for a TRL card."""
    if not stage:
        return Markup("")
    return _escaped(f' <span class="trl-stage">{escape(stage)}</span>')


def moment(value: dt.datetime) -> str:
    """A moment in full, as a date's hover says it: `2024-02-09 18:06:13 UTC`."""
    return f"{value:%Y-%m-%d %H:%M:%S} {value.tzname() or ''}".rstrip()


def date(value: dt.date | dt.datetime) -> Markup:
    """A day; for a moment, the day in the site's zone, with the full time on hover."""
    if isinstance(value, dt.datetime):
        full = moment(value)
        return _escaped(
            f'<time datetime="{escape(value.isoformat())}" title="{escape(full)}">'
            f"{escape(value.date().isoformat())}</time>"
        )
    day = escape(value.isoformat())
    return _escaped(f'<time datetime="{day}">{day}</time>')


def _escaped(markup: str) -> Markup:
    """Markup made above, in which every value went through `escape`."""
    return Markup(markup)  # noqa: S704 (every value in it is escaped by its caller)


_BACKTICKS = re.compile(r"`([^`]+)`")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!>])")


def code(text: str) -> Markup:
    """Escaped text in which `backticked` spans (as in problem messages) show as code."""
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S704 (escaped)


def md(text: str) -> Markup:
    """Text that is inert in a Markdown heading: HTML-escaped, Markdown punctuation escaped."""
    escaped = str(escape(text)).replace("&#34;", '"').replace("&#39;", "'")
    return Markup(_MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped))  # noqa: S704 (escaped)


@pass_context
def front_matter(context: Context, **meta: object) -> Markup:
    """A page's YAML front matter (written as JSON, which is YAML and much faster to write).

    The page's `description` (its link preview's text, `preview`) comes from the context when
    the page module gave one and the template did not: an override of a page template keeps
    it. Themes print `title` and `description` into <head>, and material its tag names into
    the page, unescaped (MkDocs' Jinja does not autoescape): they go in escaped, and show as
    written.
    """
    if "description" not in meta and isinstance(context.get("description"), str):
        meta["description"] = context["description"]
    description = meta.get("description")
    if isinstance(description, str):
        meta["description"] = str(escape(bounded(description)))
    if isinstance(meta.get("title"), str):
        meta["title"] = str(escape(meta["title"]))
    tags = meta.get("tags")
    if isinstance(tags, (list, tuple)):
        meta["tags"] = [str(escape(tag)) for tag in tags]
    lines = "".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items()
    )
    return Markup(f"---\n{lines}---")  # noqa: S704 (JSON of escaped text)
