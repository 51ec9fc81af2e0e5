"""The plugin's options, as written under `plugins: - trl-cards:` in mkdocs.yml."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig

from ..cards.collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from ..cards.formats import CardFormat
from ..cards.mapping import FormatError, read_formats
from ..history.clock import DEFAULT_ZONE, time_zone
from ..model.pipeline import Settings
from ..model.sources import NAME, SourceSettings
from ..outputs.urls import COMMIT_PLACEHOLDERS, template_problem


class Prefix(opt.Type[str]):
    """A folder of the site, as `readiness` or `org/readiness`."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        prefix = super().run_validation(value).strip("/")
        if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", prefix):
            raise ValidationError(
                f"`{value}` is not a folder name. Use letters, digits, `-` and `_`, e.g. "
                "`prefix: readiness`."
            )
        return prefix


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


class UrlTemplate(opt.Type[str]):
    """A link template from mkdocs.yml: an http(s) address holding only the placeholders
    `allowed` (`{sha}`), filled by plain substitution (`urls.fill`), checked when it is read."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__(str)
        self.allowed = allowed

    def run_validation(self, value: object) -> str:
        template = super().run_validation(value)
        problem = template_problem(template, self.allowed)
        if problem:
            example = "https://git.example/org/repo" + (
                "/commit/{sha}" if "sha" in self.allowed else ""
            )
            raise ValidationError(f"{problem}. Fix: write it as `{example}`.")
        return template


class SourceConfig(Config):
    """One entry of `sources`: another repository checked out beside the site (`path`), or
    the exports that other repositories' CI made (`exports`)."""

    name = opt.Optional(opt.Type(str))
    """The repository's name on every page, and before its card paths (`vision`)."""
    path = opt.Optional(opt.Type(str))
    """The checkout's folder (its cards' folder), relative to mkdocs.yml."""
    exports = opt.Optional(opt.Type(str))
    """An export file, or a folder of them (`*.json`), relative to mkdocs.yml; each names
    its own repository."""
    url = opt.Optional(UrlTemplate(allowed=()))
    """The repository's web view (`https://github.com/org/vision`), for source and commit
    links."""
    branch = opt.Optional(opt.Type(str))
    """The branch that source links point at (by default, the checkout's)."""
    commit_url = opt.Optional(UrlTemplate(allowed=COMMIT_PLACEHOLDERS))
    """A commit's web view with `{sha}`, for a forge MkDocs does not know."""
    include = opt.ListOfItems(opt.Type(str), default=list(DEFAULT_INCLUDE))
    exclude = opt.ListOfItems(opt.Type(str), default=list(DEFAULT_EXCLUDE))

    def validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        failed, warnings = super().validate()
        if failed:
            return failed, warnings
        if (self.path is None) == (self.exports is None):
            failed.append(
                ("path", ValidationError("give a source either `path` (a checkout) or `exports`."))
            )
        elif self.path is not None and not (self.name and NAME.fullmatch(self.name)):
            failed.append(
                (
                    "name",
                    ValidationError(
                        f"`{self.name}` is not a source name: letters, digits, `.`, `_` and "
                        "`-`, such as the repository's name (`name: vision`)."
                        if self.name
                        else "a checkout needs a `name`, such as the repository's (`name: vision`)."
                    ),
                )
            )
        return failed, warnings


class Formats(BaseConfigOption[tuple[CardFormat, ...]]):
    """Other maturity formats, read as cards: a list of mappings (`mapping.read_formats`)."""

    def run_validation(self, value: object) -> tuple[CardFormat, ...]:
        try:
            return read_formats(value)
        except FormatError as error:
            raise ValidationError(str(error)) from None


class TrlCardsConfig(Config):
    """Options of the `trl-cards` plugin."""

    enabled = opt.Type(bool, default=True)
    """Run the plugin. `false` leaves the site as if the plugin were not listed (e.g.
    `enabled: !ENV [TRL_CARDS, true]` to switch it off for a quick preview)."""

    include = opt.ListOfItems(opt.Type(str), default=list(DEFAULT_INCLUDE))
    """Glob patterns of card files, relative to the folder of mkdocs.yml (`**` spans folders)."""

    exclude = opt.ListOfItems(opt.Type(str), default=list(DEFAULT_EXCLUDE))
    """Glob patterns of files and folders that are never cards (excluded folders are not walked)."""

    formats = Formats()
    """Other maturity formats read as cards, each a mapping from the keys of a YAML file of the
    organisation's own (`files: keps/**/kep.yaml`) to a card's `id` (a template,
    `KEP-{kep-number}`), `name`, `level` (a number, or a stage of `scale`), `owners`,
    `reviewers` and `tags`. See docs/formats.md."""

    prefix = Prefix(default="readiness")
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

    ignore_revs_file = opt.Optional(opt.File(exists=True))
    """A file in git's blame-ignore-revs format (relative to mkdocs.yml) listing mechanical
    commits whose level changes are not transitions. Default: `.git-blame-ignore-revs` when
    that file exists next to mkdocs.yml."""

    commit_url = opt.Optional(UrlTemplate(allowed=COMMIT_PLACEHOLDERS))
    """Link for a commit, with `{sha}` in it (its only placeholder, filled as plain text).
    Default: `<repo_url>/commit/{sha}` when `repo_url` is set in mkdocs.yml."""

    timezone = TimeZone()
    """The time zone of every date on the site and in `api/cards.json` (an IANA name such as
    `Europe/Paris`). A transition's date is the day it landed, in this zone; pages that show
    dates say which zone they are in, and give the full time on hover."""

    stale_days = opt.Type(int, default=365)
    """A card with no change (a review is a change) for more days than this is stale: the
    dashboard lists it."""

    milestone_tags = opt.Optional(opt.Type(str))
    """A glob of release tags (`v*`) to take the organisation's readiness at, besides every
    quarter end: each gets a page of what changed since the milestone before. Only tags in the
    built branch's history count; a tag's moment is its commit's date."""

    sources = opt.ListOfItems(opt.SubConfig(SourceConfig), default=[])
    """Other repositories whose cards the site shows beside its own: checkouts beside it
    (`name`, `path`, `url`), and folders of exports (`exports`) that their CI made with
    `trl-cards export`. Each keeps its own history and cache; ids are unique across all."""

    cache = opt.Type(bool, default=True)
    """Keep the history read from git in `.cache/plugin/trl-cards/history.json`, keyed by
    commit, so a later build reads only the new commits. The file is verified against git for
    everything it supplies; a corrupt, edited, foreign or stale cache is rebuilt, never
    trusted. `mkdocs serve` keeps the history in memory between rebuilds
    whatever this says."""


def settings_of(options: TrlCardsConfig, config: MkDocsConfig) -> Settings:
    """The pipeline's settings from the plugin's options and mkdocs.yml."""
    directory = Path(config.config_file_path or ".").resolve().parent
    return Settings(
        directory=directory,
        include=tuple(options.include),
        exclude=tuple(options.exclude),
        formats=options.formats,
        history=options.history,
        allow_incomplete_history=options.allow_incomplete_history,
        ignore_revs_file=options.ignore_revs_file,
        cache=options.cache,
        timezone=options.timezone,
        stale_days=options.stale_days,
        milestone_tags=options.milestone_tags,
        sources=tuple(_source(entry, directory) for entry in options.sources),
        prefix=options.prefix,
        directory_urls=config.use_directory_urls,
        repo_url=config.repo_url,
        edit_uri=config.edit_uri,
        commit_url=options.commit_url,
        site_url=config.site_url,
        # MkDocs resolves custom_dir against the folder of mkdocs.yml.
        template_dirs=(Path(config.theme.custom_dir),) if config.theme.custom_dir else (),
    )


def _source(entry: SourceConfig, directory: Path) -> SourceSettings:
    """A `sources` entry, its path resolved against the folder of mkdocs.yml."""
    return SourceSettings(
        name=entry.name or "exports",
        path=(directory / (entry.path or entry.exports or ".")).resolve(),
        url=entry.url,
        branch=entry.branch,
        commit_url=entry.commit_url,
        include=tuple(entry.include),
        exclude=tuple(entry.exclude),
        export=entry.exports is not None,
    )


def read_settings(config_file: Path) -> Settings:
    """The settings of the site whose mkdocs.yml this is, read as `mkdocs build` reads them.

    MkDocs' own loader reads the file (`!ENV`, `INHERIT`, defaults such as `edit_uri`), and
    the `trl-cards` block is validated by the same option types: the command line and the site
    can never disagree about which files are cards.

    Raises:
        SettingsError: the file cannot be read, or names no `trl-cards` plugin, or an option
            is invalid; the message says which and how to fix it.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    quiet = logging.getLogger("mkdocs")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # theme notices are not the command line's business
    try:
        config = load_config(config_file=str(config_file))
    except (ConfigurationError, OSError) as error:
        raise SettingsError(f"{config_file}: {error}") from None
    except Abort as error:  # MkDocs has logged each bad option, with its key, just above
        raise SettingsError(
            f"{config_file}: {error.message.rstrip('!')}: the lines above name each option "
            "and what is wrong with it. Fix those options."
        ) from None
    finally:
        quiet.setLevel(level)
    for plugin in config.plugins.values():
        if isinstance(plugin.config, TrlCardsConfig):
            return settings_of(plugin.config, config)
    raise SettingsError(
        f"{config_file} does not use the trl-cards plugin. Add `- trl-cards` under `plugins:`."
    )


class SettingsError(Exception):
    """mkdocs.yml cannot give the settings; the message names the file and the fix."""
