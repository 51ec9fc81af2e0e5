"""The thin adapter from generated content to MkDocs: its files and the navigation section."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from itertools import pairwise
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from ..model.urls import Urls
from ..outputs.made import Content
from ..outputs.registry import ASSETS
from ..outputs.templating import RenderedPage
from .finished_pages import FinishedPage, Headings


class _Unchanged(File):
    """A generated file with the same content as in the last build: `mkdocs serve --dirty`
    leaves its page as it was built (MkDocs counts every generated file as modified)."""

    def is_modified(self) -> bool:
        return not Path(self.abs_dest_path).is_file()


def add_assets(config: MkDocsConfig, urls: Urls) -> None:
    """Load the stylesheet and the script of the readiness pages on every page."""
    for asset in map(urls.asset, ASSETS):
        target = config.extra_css if asset.endswith(".css") else config.extra_javascript
        if asset not in target:
            target.append(asset)


def add_generated_files(
    files: Files,
    config: MkDocsConfig,
    content: Mapping[str, Content],
    unchanged: Collection[str] = (),
) -> None:
    """Add in-memory files to the build (a page as its Markdown: its HTML goes in after
    Markdown, `RenderedPage.insert_html`); none of them goes into the sidebar on its own.
    `unchanged` are those whose content is as in the last build. A page is a
    `FinishedPage`, which MkDocs builds without converting its outline as Markdown."""
    headings = Headings(config)
    for src_uri, made in content.items():
        data = made.markdown if isinstance(made, RenderedPage) else made
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"trl-cards generates `{src_uri}`, but the docs folder already has a file there. "
                "Move that file, or set the plugin's `prefix` option to another folder."
            )
        # NOT_IN_NAV: hundreds of card pages in the sidebar would be copied into every page.
        kind = _Unchanged if src_uri in unchanged else File
        file = kind.generated(config, src_uri, content=data, inclusion=InclusionLevel.NOT_IN_NAV)
        files.append(file)
        if isinstance(made, RenderedPage):
            FinishedPage(file, config, headings)


def add_nav_section(nav: Navigation, title: str, src_uris: Iterable[str], files: Files) -> None:
    """Append a section with these pages, unless the site's own `nav` already places one."""
    pages = [
        p
        for uri in src_uris
        if (f := files.get_file_from_path(uri)) is not None and isinstance(p := f.page, Page)
    ]
    if not title or not pages or any(p in nav.pages for p in pages):
        return
    section = Section(title, list(pages))
    for page in pages:
        page.parent = section
    nav.items.append(section)
    # Keep "previous / next" continuous through the new pages.
    last = nav.pages[-1] if nav.pages else None
    if last is not None:
        last.next_page, pages[0].previous_page = pages[0], last
    for before, after in pairwise(pages):
        before.next_page, after.previous_page = after, before
    pages[-1].next_page = None
    nav.pages.extend(pages)
