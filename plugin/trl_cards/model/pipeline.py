"""One pipeline for every front end: settings in, a `Project` out. Nothing here imports MkDocs.

The MkDocs plugin, the command line, the public API and a gen-files script all call
`build_project`, so they agree on which files are cards, on every history, and on every problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..cards.border import RefusedError, read_regular_file
from ..cards.collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, Collection, check_files, read_cards
from ..cards.formats import CardFormat, card_patterns
from ..cards.problem import Problem
from ..history.cache import cache_file, read_history_cached
from ..history.clock import DEFAULT_ZONE, history_in_zone, time_zone, zone_name
from ..history.git import HistoryError, RepoHistory, read_tags
from ..outputs.urls import Urls, repo_links
from .analytics import Analytics, analyse
from .site import Origin, Site
from .sources import (
    SourceError,
    SourceRecord,
    SourceSettings,
    export_files,
    read_checkout,
    read_exported,
    refuse_taken_names,
    refused_export,
    repository_name,
)
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

__all__ = ["PipelineError", "Project", "Settings", "build_project"]


class PipelineError(Exception):
    """The project cannot be read as configured; the message names the setting and the fix."""


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline reads: the plugin's options and the parts of mkdocs.yml it uses."""

    directory: Path
    """The folder of mkdocs.yml: card patterns and paths are relative to it."""
    include: Sequence[str] = DEFAULT_INCLUDE
    exclude: Sequence[str] = DEFAULT_EXCLUDE
    formats: tuple[CardFormat, ...] = ()
    """The site's own card formats (`formats:`, `mapping.read_formats`), read before the TRL
    card: their files are cards besides `include`'s."""
    history: bool = True
    allow_incomplete_history: bool = False
    ignore_revs_file: str | None = None
    cache: bool = True
    timezone: str = DEFAULT_ZONE
    stale_days: int = 365
    milestone_tags: str | None = None
    """A glob of the release tags that are milestones, besides the quarter ends."""
    sources: tuple[SourceSettings, ...] = ()
    """Other repositories (checkouts, exports) whose cards the site shows beside its own."""
    prefix: str = "readiness"
    directory_urls: bool = True
    repo_url: str | None = None
    edit_uri: str | None = None
    commit_url: str | None = None
    site_url: str | None = None
    """The site's own address (mkdocs.yml's `site_url`), for links that must be absolute."""
    template_dirs: tuple[Path, ...] = ()
    """Folders whose `trl-cards/` subfolder overrides the page templates (the theme's
    `custom_dir`)."""


@dataclass(frozen=True)
class Lineages:
    """The card files' lineages (`trace_lineages`) and what they were traced from."""

    ignore_revs: frozenset[str]
    base: str
    zone: str
    traced: tuple[CardHistory, ...]
    formats: tuple[CardFormat, ...] = ()

    @property
    def key(self) -> tuple[frozenset[str], str, str, tuple[CardFormat, ...]]:
        """What the lineages were traced from, besides the history itself."""
        return self.ignore_revs, self.base, self.zone, self.formats


@dataclass(frozen=True)
class Project:
    """The readiness record of one project: its cards and problems, and every card's history."""

    settings: Settings
    collection: Collection
    histories: dict[str, CardHistory]
    history: RepoHistory
    """What git said, as read (in the committers' zones): `mkdocs serve` keeps it for the next
    rebuild, and `trl-cards export` writes it."""
    site: Site
    analytics: Analytics
    now: dt.datetime
    """The moment the analytics (stale cards, charts) are computed at."""
    lineages: Lineages = field(default_factory=lambda: Lineages(frozenset(), "", "UTC", ()))
    """Every card file's lineage, kept for the next build (see `build_project`)."""
    sources: tuple[SourceRecord, ...] = ()
    """The other sources of cards (`Settings.sources`), as read: other repositories checked
    out beside this one, and exports."""


def build_project(
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    previous: Project | None = None,
    report: Callable[[str], None] = lambda _: None,
) -> Project:
    """Read the cards and their history and check them together, as the site shows them.

    `now` is the moment of the analytics (by default, now). `previous` is the project of an
    earlier build (`mkdocs serve`): its history is reused or extended when git allows, and
    when HEAD has not moved, its lineages and its `now` (on the same day) too, so that a
    rebuild after a card edit re-reads the card files and nothing of git. `report` receives
    progress, one sentence at a time.

    Raises:
        PipelineError: a shallow or partial clone (unless allowed), a missing ignore-revs file.
    """
    directory = settings.directory.resolve()
    raw = _read_history(settings, directory, previous.history if previous else None, report)
    zone = time_zone(settings.timezone)
    history = history_in_zone(raw, zone)
    base = project_base(history.root, directory)
    ignore_revs, unread = _ignore_revs(directory, settings.ignore_revs_file)
    label = zone_name(zone)
    unmoved = raw.read is not None and raw.read.mode == "unchanged"
    traced_from = (ignore_revs, base, label, settings.formats)
    if previous is not None and unmoved and previous.lineages.key == traced_from:
        lineages = previous.lineages
        if now is None and previous.now.date() == dt.datetime.now(dt.timezone.utc).date():
            now = previous.now  # the same charts and stale days: unchanged pages stay so
    else:
        traced_now = trace_lineages(
            history, ignore_revs, base, retired=True, formats=settings.formats
        )
        lineages = Lineages(ignore_revs, base, label, traced_now, settings.formats)
    own = read_cards(directory, settings.include, settings.exclude, formats=settings.formats)
    own_folders = {path.split("/", 1)[0]: path for path in own.texts if "/" in path}
    for source in settings.sources:
        clash = own_folders.get(source.name)
        if clash is not None and not source.export:
            raise PipelineError(
                f"source `{source.name}` has the name of a folder of this site's own cards "
                f"({clash}), so their paths could not be told apart. Fix: rename the source."
            )
    earlier = {r.name: r.history for r in previous.sources} if previous else {}
    own_name = repository_name(settings.repo_url, directory)
    records = _read_sources(settings, directory, earlier, zone, report, own_folders, own_name)
    traced = lineages.traced + tuple(h for r in records for h in r.traced)
    collection = check_files([own, *(r.files for r in records)], id_claims(traced))
    submodules = project_folders(history.submodules, base) + [
        s for r in records for s in r.submodules
    ]
    histories = join_histories(collection.cards, traced, submodules)
    damage = history_problems(history, collection.cards, histories) + tuple(
        replace(p, path=f"(git repository of source `{r.name}`)")
        for r in records
        for p in history_problems(r.history, (), {})
    )
    problems = unread + tuple(p for r in records for p in r.problems) + damage
    collection = replace(collection, problems=collection.problems + problems)
    own_links = repo_links(settings.repo_url, settings.edit_uri, settings.commit_url, base)
    site = Site(
        urls=Urls(settings.prefix.strip("/"), settings.directory_urls),
        links=own_links,
        history_note=history.note if own.texts or not records else None,
        incomplete_before=history.incomplete_before,
        zone=label,
        sources={
            r.label: Origin(r.name, r.url, r.links, r.history.note) for r in records if r.label
        },
        own_name=own_name,
    )
    now = now or dt.datetime.now(dt.timezone.utc)
    tags = read_tags(directory, settings.milestone_tags) if settings.milestone_tags else ()
    retired = tuple(h for h in traced if h.path is None)
    analytics = analyse(collection.cards, histories, now, settings.stale_days, retired, tags)
    if analytics.problems:  # cycles in `parts`
        collection = replace(collection, problems=collection.problems + analytics.problems)
    return Project(
        settings, collection, histories, raw, site, analytics, now, lineages, tuple(records)
    )


def _read_sources(
    settings: Settings,
    directory: Path,
    earlier: dict[str, RepoHistory],
    zone: dt.tzinfo,
    report: Callable[[str], None],
    own_folders: dict[str, str],
    own_name: str,
) -> list[SourceRecord]:
    """Every other source of cards, each read on its own (checkouts with their own history
    and cache file, exports as they were made). A checkout is the site's own configuration:
    one that cannot be read stops the build with the fix. An export is another repository's
    CI: one that cannot be read, or that names a repository already there, is refused with
    an error and every other source still builds."""
    checkouts: list[SourceRecord] = []
    exports: list[SourceRecord] = []
    for source in settings.sources:
        if source.export:
            files = export_files(source.path)
            if not files:
                exports.append(
                    refused_export(
                        source.path,
                        "holds no export (`*.json`), so no repository's cards come from it.",
                        "Put the files `trl-cards export` wrote there (a download step that "
                        "failed is the usual cause), or correct the `exports` path.",
                    )
                )
            exports += [read_exported(path, zone, settings.formats) for path in files]
            continue
        ignore_revs, unread = _ignore_revs(source.path)
        try:
            record = read_checkout(
                source,
                previous=earlier.get(source.name),
                cache=cache_file(directory, source.name) if settings.cache else None,
                allow_incomplete=settings.allow_incomplete_history,
                ignore_revs=ignore_revs,
                zone=zone,
                formats=settings.formats,
                report=report,
            )
        except SourceError as error:
            raise PipelineError(str(error)) from None
        checkouts.append(replace(record, problems=record.problems + unread))
    taken = {own_name: "the name of this site's own repository"} | {
        name: f"a folder of this site's own cards ({path})" for name, path in own_folders.items()
    }
    for record in checkouts:
        if record.name in taken:
            raise PipelineError(
                f"two sources are named `{record.name}`: {taken[record.name]} and "
                f"{record.origin}. Fix: give each source a name of its own."
            )
        taken[record.name] = f"the checkout {record.origin}"
    return checkouts + refuse_taken_names(exports, taken)


def _read_history(
    settings: Settings,
    directory: Path,
    previous: RepoHistory | None,
    report: Callable[[str], None],
) -> RepoHistory:
    if not settings.history:
        return RepoHistory(None, None, None, note="history is turned off (`history: false`).")
    try:
        history = read_history_cached(
            directory,
            card_patterns(settings.include, settings.formats),
            allow_incomplete=settings.allow_incomplete_history,
            previous=previous,
            cache=cache_file(directory) if settings.cache else None,
            report=report,
        )
    except HistoryError as error:
        raise PipelineError(str(error)) from None
    if history.note:  # a folder without git is a fine way to preview cards: not a warning
        report(f"No level history: {history.note}")
    if history.incomplete_before is not None:  # asked for with allow_incomplete_history
        report(
            f"Card history is incomplete before {history.incomplete_before:%Y-%m-%d}"
            " (shallow or partial clone); affected pages carry a banner."
        )
    return history


MAX_IGNORE_REVS_BYTES = 4 << 20
"""The largest ignore-revs file read (10,000 commits take 410 KB)."""


def _ignore_revs(
    directory: Path, name: str | None = None
) -> tuple[frozenset[str], tuple[Problem, ...]]:
    """The commits of the ignore-revs file `name` (by default `.git-blame-ignore-revs`, when
    there is one) in `directory`, and why none could be read from it, if so: a link, a FIFO
    or a file over the limit is not read, and its repository's history counts every commit."""
    path = directory / (name or ".git-blame-ignore-revs")
    if not path.exists() and not path.is_symlink():
        if name:
            raise PipelineError(
                f"`ignore_revs_file: {name}` does not exist (looked for {path}). Correct the "
                "path or remove the option."
            )
        return frozenset(), ()
    try:
        data = read_regular_file(path, MAX_IGNORE_REVS_BYTES)
    except RefusedError as refused:
        problem = Problem(
            str(path),
            f"{refused.message} So no commit is ignored: level changes in mechanical commits "
            "count as transitions.",
            refused.fix,
            key="ignore_revs_file",
        )
        return frozenset(), (problem,)
    # Only the commit ids matter: a comment in Latin-1 is no reason to fail.
    return read_ignore_revs(data.decode("utf-8", "replace")), ()
