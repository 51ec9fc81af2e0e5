"""The MkDocs plugin: wires build events to the pure functions that do the work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..cards.collection import Collection
from ..model.pipeline import PipelineError, Project, build_project
from ..model.site import Site
from ..model.sources import watched
from ..model.timeline import CardHistory
from ..outputs.pages.cards import forget as forget_card_pages
from ..outputs.registry import ASSETS, Content, build_outputs
from ..outputs.templating import PageTemplateError, RenderedPage
from .config import TrlCardsConfig, settings_of
from .mkdocs_files import add_generated_files, add_nav_section

log = get_plugin_logger(__name__)


class TrlCardsPlugin(BasePlugin[TrlCardsConfig]):
    """Collects TRL cards, reconstructs their history from git, and generates the pages."""

    def __init__(self) -> None:
        self.collection: Collection | None = None
        self.histories: dict[str, CardHistory] = {}
        self._site = Site()
        self._rendered: dict[str, RenderedPage] = {}
        self._problems = 0
        """Card problems of the last build, for `--strict` (see `on_post_build`)."""
        self._made: dict[str, Content] = {}
        """What the last build generated: `serve --dirty` rebuilds only the pages that differ."""
        self._nav: list[str] = []
        """The source URIs the outputs put in the navigation (see `on_nav`)."""
        self._hint_dirty = False
        """Say once that `serve --dirty` rebuilds faster (see `on_startup`)."""
        self._serving = False
        """`mkdocs serve`: keep what the next rebuild reuses. A one-shot build keeps nothing it
        has handed to MkDocs, so that a 10,000-card site stays within a gigabyte."""
        self._project: Project | None = None
        """The last build's project: the next build reuses what has not changed (see
        `on_startup`)."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so that MkDocs keeps this object across `mkdocs serve` rebuilds.

        With it stays `_project`: a rebuild with HEAD unchanged reads nothing from git.
        """
        self._hint_dirty = command == "serve" and not dirty
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not self.config.enabled:
            return config
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if f"assets/{asset}" not in target:
                target.append(f"assets/{asset}")
        return config

    @event_priority(-50)  # late: after mkdocs-gen-files and other plugins have added their files
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        started = dt.datetime.now(dt.timezone.utc)
        try:
            project = build_project(
                settings_of(self.config, config), previous=self._project, report=log.info
            )
        except PipelineError as error:
            raise PluginError(f"trl-cards: {error}") from None
        self._project = project if self._serving else None
        collection, histories, site = project.collection, project.histories, project.site
        log.info(f"Found {len(collection.files)} card file(s), {len(collection.cards)} usable.")
        for problem in collection.problems:
            log.warning(str(problem))
        try:
            made, self._nav, failures = build_outputs(project)
        except PageTemplateError as error:
            raise PluginError(f"trl-cards: {error}") from None
        for problem in failures:
            log.warning(str(problem))
        self._problems = len(collection.problems) + len(failures)
        if not self._serving:
            forget_card_pages()  # the memo only spares the next rebuild its work
        self._rendered = {u: c for u, c in made.items() if isinstance(c, RenderedPage)}
        pages = {u: c.markdown if isinstance(c, RenderedPage) else c for u, c in made.items()}
        unchanged = {u for u, c in made.items() if self._made.get(u) == c}
        add_generated_files(files, config, pages, unchanged)
        self._made = made if self._serving else {}
        self.collection, self._site = collection, site
        self.histories = histories if self._serving else {}
        elapsed = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
        log.info(f"Generated {len(pages)} readiness file(s) in {elapsed:.2f} s.")
        if self._hint_dirty and len(pages) > 500:
            log.info(
                "Each rebuild renders every page again; `mkdocs serve --dirty` rebuilds only "
                "the pages an edit changes (about a second for a thousand cards)."
            )
            self._hint_dirty = False
        return files

    @event_priority(100)  # first: search and other plugins must see the finished page
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        # Taken out once inserted: MkDocs keeps the page's HTML, which holds the blocks.
        rendered = self._rendered.pop(page.file.src_uri, None)
        return rendered.insert_html(html) if rendered else html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # MkDocs counts warnings for --strict with a handler on the `mkdocs` logger, and `-q`
        # filters them out before it sees them: check the card problems ourselves.
        if config.strict and self._problems:
            urls = self._site.urls
            raise PluginError(
                f"trl-cards: {self._problems} card problem(s), and --strict fails on any. "
                f"They are listed on {urls.url(urls.problems())} of the built site, and as "
                "warnings in the log (run without -q to see them)."
            )

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[[], None]
    ) -> LiveReloadServer:
        # MkDocs watches docs/ and mkdocs.yml; cards live next to their code.
        if not self.config.enabled:
            return server
        files = self.collection.files if self.collection else ()
        for folder, recursive in watched(settings_of(self.config, config), files):
            server.watch(str(folder), recursive=recursive)
        return server

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        add_nav_section(nav, self.config.nav_title, self._nav, files)
        return nav
