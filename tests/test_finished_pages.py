"""Readiness pages built without Python-Markdown give the HTML, table of contents, title and
anchors that Markdown gives them, under the site's own `toc` configuration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from conftest import SiteRepo, card, review
from trl_cards.frontends.finished_pages import FinishedPage, Heading, Headings, outline
from trl_cards.model.pipeline import Settings, build_project
from trl_cards.outputs.registry import build_outputs
from trl_cards.outputs.templating import RenderedPage

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)

# The markdown settings of a typical material site, with permalinks and a separator of its own.
MARKDOWN = """\
site_name: Readiness
theme:
  name: material
  font: false
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - pymdownx.superfences
  - toc:
      permalink: "#"
      separator: "_"
      toc_depth: 2
"""


def _entries(toc: TableOfContents) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            out.append((item.level, item.id, item.title))
            walk(item.children)

    walk(toc.items)
    return out


def _page(kind: type[Page], uri: str, text: str, config: object, *extra: object) -> Page:
    file = File(uri, src_dir=None, dest_dir=str(config.site_dir), use_directory_urls=True)  # type: ignore[attr-defined]
    file.generated_by = "trl-cards"
    file.content_string = text
    page = kind(file, config, *extra) if extra else kind(None, file, config)
    page.read_source(config)  # type: ignore[arg-type]
    page.render(config, Files([]))  # type: ignore[arg-type]
    return page


@pytest.mark.parametrize("markdown", [MARKDOWN, "site_name: Plain\n"])
def test_every_generated_page_is_as_markdown_makes_it(
    site_repo: SiteRepo, tmp_path: Path, markdown: str
) -> None:
    site_repo.write(
        "cards/a/TRL.md",
        card("A1", 5, name="Fraud model: v2 (beta) & co [ranker]", extra="tags: [edge-case]\n"),
    )
    site_repo.write("cards/b/TRL.md", card("B1", 3, name="Dana's model"))  # `'`: Markdown's
    site_repo.write("cards/c/TRL.md", card("C1", 2, name=":rocket: launch <now>"))
    site_repo.commit("Add the cards")
    site_repo.write(
        "cards/a/TRL.md",
        card(
            "A1",
            6,
            name="Fraud model: v2 (beta) & co [ranker]",
            extra="reviews:\n" + review(5, 6, "2024-03-01"),
            body="## TL;DR\nA model.\n\n## Data: sources & limits\nSome.\n\n## TL;DR\nAgain.\n",
        ),
    )
    site_repo.commit("A1 to 6")
    (tmp_path / "mkdocs.yml").write_text(markdown, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    config = load_config(config_file=str(tmp_path / "mkdocs.yml"))
    project = build_project(Settings(site_repo.path), now=NOW)
    pages = {
        uri: made
        for uri, made in build_outputs(project).files.items()
        if isinstance(made, RenderedPage)
    }
    headings = Headings(config)
    fast = 0
    for uri, made in pages.items():
        by_markdown = _page(Page, uri, made.markdown, config)
        finished = _page(FinishedPage, uri, made.markdown, config, headings)
        fast += outline(finished.markdown or "") is not None
        assert finished.content == by_markdown.content, uri
        assert _entries(finished.toc) == _entries(by_markdown.toc), uri
        assert finished.title == by_markdown.title, uri
        assert finished.present_anchor_ids == by_markdown.present_anchor_ids, uri
    # All but the pages that name B1 or C1 in a heading (their own, and those at earlier levels).
    assert fast >= len(pages) - 3, (fast, len(pages))
    assert len(pages) > 20, (fast, len(pages))


def test_an_outline_is_headings_and_placeholders_only() -> None:
    text = (
        "# Fraud model: v2 &amp; co \\(beta\\)\n\n<!--trl-html-0-->\n\n"
        "## Level history\n<!--trl-late-1-->\n"
    )
    assert outline(text) == (
        Heading(1, "Fraud model: v2 & co (beta)"),
        "<!--trl-html-0-->",
        Heading(2, "Level history"),
        "<!--trl-late-1-->",
    )
    assert outline("# Title\n\nA paragraph an override added.\n") is None
    assert outline("# Dana's model\n") is None  # `smarty` would curl it
    assert outline("# :rocket: launch\n") is None  # an emoji extension would draw it
    assert outline("# See https://example.org\n") is None
    assert outline("<!--trl-html-0--> and text\n") is None
    assert outline("<!--trl-html-0-->\n## A heading right after\n") is None


TOC_OPTIONS = """\
site_name: Options
markdown_extensions:
  - toc:
      baselevel: 2
      toc_depth: 3
      permalink: true
      anchorlink: true
"""


@pytest.mark.parametrize("options", [TOC_OPTIONS, "site_name: Plain\n"])
@pytest.mark.parametrize(
    "text",
    [
        "# T\n\n## Reviews\n\n<!--trl-html-0-->\n\n## Reviews\n\n### B\n",  # an id made unique
        "# T\n## Reviews\n### Card\n#### Deep\n\n<!--trl-late-1-->\n",  # beyond toc_depth
        "## \\-\\-\n\n## \\.\n",  # headings with no letters get ids of their own
        "# T\n\n<!--trl-html-0-->\n## Right after a block\n",  # Markdown's, as it is
    ],
)
def test_headings_are_as_markdown_makes_them(tmp_path: Path, options: str, text: str) -> None:
    (tmp_path / "mkdocs.yml").write_text(options, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    config = load_config(config_file=str(tmp_path / "mkdocs.yml"))
    headings = Headings(config)
    for _ in range(2):  # the second time, from the headings made the first
        by_markdown = _page(Page, "a/index.md", text, config)
        finished = _page(FinishedPage, "a/index.md", text, config, headings)
        assert finished.content == by_markdown.content
        assert _entries(finished.toc) == _entries(by_markdown.toc)
        assert finished.present_anchor_ids == by_markdown.present_anchor_ids
