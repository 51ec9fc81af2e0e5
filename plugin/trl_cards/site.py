"""The site as the pages see it: its URL scheme, its links into the repository, and what the
history says about itself. Made by the pipeline; nothing here imports MkDocs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .urls import RepoLinks, Urls


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
