"""The plugin's options, as written under `plugins: - trl-cards:` in mkdocs.yml."""

from __future__ import annotations

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config, ValidationError

from .clock import DEFAULT_ZONE, time_zone
from .collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE


class TimeZone(opt.Type[str]):
    """An IANA time zone name, checked when the config is read."""

    def __init__(self, default: str = DEFAULT_ZONE) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        try:
            time_zone(name)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        return name


class TrlCardsConfig(Config):
    """Options of the `trl-cards` plugin."""

    include = opt.ListOfItems(opt.Type(str), default=list(DEFAULT_INCLUDE))
    """Glob patterns of card files, relative to the folder of mkdocs.yml (`**` spans folders)."""

    exclude = opt.ListOfItems(opt.Type(str), default=list(DEFAULT_EXCLUDE))
    """Glob patterns of files and folders that are never cards (excluded folders are not walked)."""

    prefix = opt.Type(str, default="readiness")
    """Folder of the site where the readiness pages go: `<prefix>/index.html` is the dashboard."""

    nav_title = opt.Type(str, default="Readiness")
    """Title of the navigation section holding the dashboard and the level pages.

    Card pages are never in the navigation (with hundreds of cards it would make every page
    carry them all); they are reached from the dashboard, the level pages and search. Set to
    an empty string to leave the navigation alone and place the pages in `nav` yourself."""

    history = opt.Type(bool, default=True)
    """Reconstruct each card's level history from git. Off: only the current cards are shown."""

    allow_incomplete_history = opt.Type(bool, default=False)
    """Build from a shallow or partial clone, with a banner "history incomplete before <date>"
    on every affected page, instead of failing with the fix."""

    ignore_revs_file = opt.Optional(opt.Type(str))
    """A file in git's blame-ignore-revs format (relative to mkdocs.yml) listing mechanical
    commits whose level changes are not transitions. Default: `.git-blame-ignore-revs` when
    that file exists next to mkdocs.yml."""

    commit_url = opt.Optional(opt.Type(str))
    """Link for a commit, with `{sha}` in it. Default: `<repo_url>/commit/{sha}` when
    `repo_url` is set in mkdocs.yml."""

    timezone = TimeZone()
    """The time zone of every date on the site and in `api/cards.json` (an IANA name such as
    `Europe/Paris`). A transition's date is the day it landed, in this zone; pages that show
    dates say which zone they are in, and give the full time on hover."""

    cache = opt.Type(bool, default=True)
    """Keep the history read from git in `.cache/plugin/trl-cards/history.json`, keyed by
    commit, so a later build reads only the new commits. The file is verified against git for
    everything it supplies; a corrupt, edited, foreign or stale cache is rebuilt, never
    trusted. `mkdocs serve` keeps the history in memory between rebuilds
    whatever this says."""
