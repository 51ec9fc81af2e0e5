"""The MkDocs plugin: wires build events to the pure functions that do the work."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .cache import cache_file, read_history_cached
from .clock import history_in_zone, time_zone, zone_name
from .collection import Collection, load_cards, watched_folders
from .config import TrlCardsConfig
from .export import cards_json
from .history import HistoryError, RepoHistory
from .levels import LEVELS
from .problem import Problem
from .render import RenderedPage, Site, render_pages
from .site import add_generated_files, add_nav_section
from .timeline import (
    CardHistory,
    history_problems,
    id_claims,
    join_histories,
    project_base,
    project_folders,
    read_ignore_revs,
    trace_lineages,
)
from .urls import Urls, repo_links

log = get_plugin_logger(__name__)

_ASSETS = ("trl-cards.css", "trl-cards.js")


class TrlCardsPlugin(BasePlugin[TrlCardsConfig]):
    """Collects TRL cards, reconstructs their history from git, and generates the pages."""

    def __init__(self) -> None:
        self.collection: Collection | None = None
        self.histories: dict[str, CardHistory] = {}
        self._site = Site()
        self._rendered: dict[str, RenderedPage] = {}
        self._problems = 0
        """Card problems of the last build, for `--strict` (see `on_post_build`)."""
        self._history: RepoHistory | None = None
        """The last history read: the next build reuses or extends it (see `on_startup`)."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Defined so that MkDocs keeps this object across `mkdocs serve` rebuilds.

        With it stays `_history`: a rebuild with HEAD unchanged reads nothing from git.
        """

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        prefix = self.config.prefix.strip("/")
        if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", prefix):
            raise PluginError(
                f"trl-cards: `prefix: {self.config.prefix}` is not a folder name. "
                "Use letters, digits, `-` and `_`, e.g. `prefix: readiness`."
            )
        self._site = Site(
            urls=Urls(prefix, config.use_directory_urls),
            links=repo_links(config.repo_url, config.edit_uri, self.config.commit_url),
        )
        for asset in _ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if f"assets/{asset}" not in target:
                target.append(f"assets/{asset}")
        return config

    @event_priority(-50)  # late: after mkdocs-gen-files and other plugins have added their files
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        directory = Path(config.config_file_path or ".").resolve().parent
        started = dt.datetime.now(dt.timezone.utc)
        history = history_in_zone(self._read_history(directory), time_zone(self.config.timezone))
        base = project_base(history.root, directory)
        traced = trace_lineages(history, self._ignore_revs(directory), base)
        collection = load_cards(
            directory, self.config.include, self.config.exclude, id_claims(traced)
        )
        log.info(f"Found {len(collection.files)} card file(s), {len(collection.cards)} usable.")
        histories = join_histories(
            collection.cards, traced, project_folders(history.submodules, base)
        )
        collection = replace(
            collection,
            problems=collection.problems + history_problems(history, collection.cards, histories),
        )
        for problem in collection.problems:
            log.warning(str(problem))
        site = self._site_with(history, base)
        failures: list[Problem] = []
        self._rendered = render_pages(collection, histories, site, failures=failures)
        for problem in failures:
            log.warning(str(problem))
        self._problems = len(collection.problems) + len(failures)
        pages: dict[str, str | bytes] = {u: p.markdown for u, p in self._rendered.items()}
        pages["api/cards.json"] = cards_json(collection, histories, site, started)
        for asset in _ASSETS:
            pages[f"assets/{asset}"] = (
                resources.files("trl_cards") / "assets" / asset
            ).read_bytes()
        add_generated_files(files, config, pages)
        self.collection, self.histories, self._site = collection, histories, site
        elapsed = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
        log.info(f"Generated {len(pages)} readiness file(s) in {elapsed:.2f} s.")
        return files

    @event_priority(100)  # first: search and other plugins must see the finished page
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        rendered = self._rendered.get(page.file.src_uri)
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
        directory = Path(config.config_file_path or ".").resolve().parent
        files = self.collection.files if self.collection else ()
        for folder in watched_folders(directory, self.config.include, files):
            server.watch(str(folder))
        return server

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        urls = self._site.urls
        add_nav_section(
            nav,
            self.config.nav_title,
            [
                urls.dashboard(),
                *(urls.level(lvl.number) for lvl in LEVELS),
                urls.problems(),
            ],
            files,
        )
        return nav

    def _read_history(self, directory: Path) -> RepoHistory:
        if not self.config.history:
            return RepoHistory(
                root=None, head=None, branch=None, note="history is turned off (`history: false`)."
            )
        try:
            history = read_history_cached(
                directory,
                self.config.include,
                allow_incomplete=self.config.allow_incomplete_history,
                previous=self._history,
                cache=cache_file(directory) if self.config.cache else None,
                report=log.info,
            )
        except HistoryError as error:
            raise PluginError(f"trl-cards: {error}") from None
        self._history = history
        if history.note:  # a folder without git is a fine way to preview cards: not a warning
            log.info(f"No level history: {history.note}")
        if history.incomplete_before is not None:  # asked for with allow_incomplete_history
            log.info(
                f"Card history is incomplete before {history.incomplete_before:%Y-%m-%d}"
                " (shallow or partial clone); affected pages carry a banner."
            )
        return history

    def _ignore_revs(self, directory: Path) -> frozenset[str]:
        name = self.config.ignore_revs_file
        path = directory / (name or ".git-blame-ignore-revs")
        if not path.is_file():
            if name:
                raise PluginError(
                    f"trl-cards: `ignore_revs_file: {name}` does not exist "
                    f"(looked for {path}). Correct the path or remove the option."
                )
            return frozenset()
        # Only the commit ids matter: a comment in Latin-1 is no reason to fail.
        return read_ignore_revs(path.read_bytes().decode("utf-8", "replace"))

    def _site_with(self, history: RepoHistory, base: str) -> Site:
        return replace(
            self._site,
            links=replace(self._site.links, base=base),
            history_note=history.note,
            incomplete_before=history.incomplete_before,
            zone=zone_name(time_zone(self.config.timezone)),
        )
