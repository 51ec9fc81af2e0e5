"""The MkDocs plugin: wires build events to the pipeline and the outputs, and nothing else."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..cards.problem import FixableError
from ..model.pipeline import Project, build_project
from ..model.urls import Urls
from ..outputs.made import Content, Memo
from ..outputs.preview import with_link_preview
from ..outputs.registry import build_outputs
from ..outputs.templating import RenderedPage
from .config import TrlCardsConfig, settings_of
from .mkdocs_files import add_assets, add_generated_files, add_nav_section
from .serve import DIRTY_HINT, watched
from .theme_nav import NavCache

log = get_plugin_logger(__name__)


class TrlCardsPlugin(BasePlugin[TrlCardsConfig]):
    """Collects TRL cards, reconstructs their history from git, and generates the pages."""

    def __init__(self) -> None:
        self._serving = self._hint_dirty = False
        self._project: Project | None = None  # `mkdocs serve`: the next build reuses it
        self._memo = Memo()  # `mkdocs serve`: what the last build rendered, and from what
        self._made: dict[str, Content] = {}  # `serve --dirty` rebuilds only what differs
        self._rendered: dict[str, RenderedPage] = {}  # HTML for `on_page_content`
        self._late: dict[str, RenderedPage] = {}  # what `on_page_context` puts in after search
        self._pages: frozenset[str] = frozenset()  # the readiness pages, for `on_post_page`
        self._nav: list[str] = []
        self._problems = 0  # for `--strict`, which `-q` hides from MkDocs' own count
        self._card_files: tuple[str, ...] = ()  # what `on_serve` watches

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defined so that MkDocs keeps this object across `mkdocs serve` rebuilds.
        self._serving = command == "serve"
        self._hint_dirty = self._serving and not dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.enabled:
            add_assets(config, Urls(self.config.prefix, config.use_directory_urls))
        return config

    @event_priority(-50)  # late: after mkdocs-gen-files and other plugins have added their files
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        started = time.perf_counter()
        try:
            settings = settings_of(self.config, config)
            project = build_project(settings, previous=self._project, report=log.info)
            built = build_outputs(project, self._memo if self._serving else None)
        except FixableError as error:  # a setting, or a theme override, that cannot be used
            raise PluginError(f"trl-cards: {error}") from None
        collection = project.collection
        log.info(f"Found {len(collection.files)} card file(s), {len(collection.cards)} usable.")
        for problem in (*collection.problems, *built.problems):
            log.warning(str(problem))
        self._problems = len(collection.problems) + len(built.problems)
        self._nav, self._card_files = built.nav, collection.files
        self._rendered = {u: c for u, c in built.files.items() if isinstance(c, RenderedPage)}
        self._pages = frozenset(self._rendered)
        unchanged = {u for u, c in built.files.items() if self._made.get(u) == c}
        add_generated_files(files, config, built.files, unchanged)
        # A one-shot build keeps nothing it has handed to MkDocs: a 10,000-card site stays
        # within a gigabyte.
        self._project, self._made = (project, built.files) if self._serving else (None, {})
        seconds = time.perf_counter() - started
        log.info(f"Generated {len(built.files)} readiness file(s) in {seconds:.2f} s.")
        if self._hint_dirty and len(built.files) > 500:
            log.info(DIRTY_HINT)
            self._hint_dirty = False
        return files

    @event_priority(100)  # first: search and other plugins must see the finished page
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        # Taken out once inserted: MkDocs keeps the page's HTML, which holds the blocks.
        rendered = self._rendered.pop(page.file.src_uri, None)
        if rendered is None:
            return html
        if rendered.late:
            self._late[page.file.src_uri] = rendered
        return rendered.insert_html(html)

    @event_priority(-100)  # last: after search has indexed the page without these blocks
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        rendered = self._late.pop(page.file.src_uri, None)
        if rendered is not None and page.content is not None:
            page.content = rendered.insert_late(page.content)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if page.file.src_uri not in self._pages:  # the theme writes <head>: previews go in here
            return output
        return with_link_preview(output, page.meta, page.canonical_url, config.site_name)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # MkDocs counts warnings for --strict with a handler on the `mkdocs` logger, and `-q`
        # filters them out before it sees them: check the card problems ourselves.
        if config.strict and self._problems:
            urls = Urls(self.config.prefix, config.use_directory_urls)
            raise PluginError(
                f"trl-cards: {self._problems} card problem(s), and --strict fails on any. "
                f"They are listed on {urls.url(urls.problems())} of the built site, and as "
                "warnings in the log (run without -q to see them)."
            )

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[[], None]
    ) -> LiveReloadServer:
        # MkDocs watches docs/ and mkdocs.yml; cards live next to their code.
        if self.config.enabled:
            for folder, recursive in watched(settings_of(self.config, config), self._card_files):
                server.watch(str(folder), recursive=recursive)
        return server

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        # A fresh cache per build: the navigation may have changed since the last.
        return NavCache().install(env) if self.config.enabled else env

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        add_nav_section(nav, self.config.nav_title, self._nav, files)
        return nav
