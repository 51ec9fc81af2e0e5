"""The site as the pages see it: its URL scheme, its links into the repository, and what the
history says about itself. Made by the pipeline; nothing here imports MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .repositories import RepoLinks
from .urls import Urls


@dataclass(frozen=True)
class Site:
    """What rendering needs to know of the site."""

    urls: Urls = field(default_factory=Urls)
    links: RepoLinks = field(default_factory=RepoLinks)
    history_note: str | None = None
    """Why history is empty, when it is."""
    incomplete_before: dt.datetime | None = None
    """The history starts after the repository did (a shallow or partial clone)."""
    zone: str = "UTC"
    """The time zone of every date shown."""
    sources: dict[str, Origin] = field(default_factory=dict)
    """The other sources of cards, by the label before their paths (`vision/`)."""
    own_name: str = ""
    """The name of the site's own repository, beside the others' (`sources`)."""
    stale_days: int = 365
    """The days after which an unchanged card is stale (the plugin's `stale_days`)."""
    table_rows: int = 100
    """The rows a card table holds in its page's HTML (the plugin's `table_rows`)."""

    def origin_of(self, path: str) -> Origin | None:
        """The other source a card file is from (its path starts with the source's label);
        None for the site's own repository."""
        return self.sources.get(path.split("/", 1)[0] + "/")

    def source_of(self, path: str) -> str | None:
        """The name of the source a card file is from; None for the site's own repository."""
        origin = self.origin_of(path)
        return origin.name if origin else None

    def repository_of(self, path: str) -> str:
        """The name of the repository a card file is from, the site's own included."""
        return self.source_of(path) or self.own_name

    def links_for(self, path: str) -> tuple[RepoLinks, str]:
        """The links of the repository a card file is from, and the file's path in it."""
        origin = self.origin_of(path)
        if origin is None:
            return self.links, path
        return origin.links, path.split("/", 1)[1]

    def history_note_for(self, path: str) -> str | None:
        """Why the repository of a card file has no history, when it has none."""
        origin = self.origin_of(path)
        return origin.history_note if origin else self.history_note


@dataclass(frozen=True)
class Origin:
    """Another repository whose cards the site shows: its name, its web view and its links
    into it, and why it has no history, if so."""

    name: str
    url: str | None = None
    links: RepoLinks = field(default_factory=RepoLinks)
    history_note: str | None = None
