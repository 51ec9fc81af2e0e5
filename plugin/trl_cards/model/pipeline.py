"""One pipeline for every front end: settings in, a `Project` out. Nothing here imports MkDocs.

The MkDocs plugin, the command line, the public API and a gen-files script all call
`build_project`, so they agree on which files are cards, on every history, and on every problem.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..cards.border import clamp_date
from ..cards.card import Card
from ..cards.collection import Collection, check_files
from ..cards.problem import FixableError, Problem
from ..history.cache import cache_file
from ..history.clock import time_zone, zone_name
from ..history.mailmap import read_mailmap
from ..history.repository import read_tags
from ..history.revisions import RepoHistory
from .analytics import Analytics, analyse
from .exports import export_files
from .gates import EXPIRED, Finding, check_gates, gate_problems
from .goals import GoalProgress, goal_progress
from .lineage import history_problems, id_claims, join_histories
from .settings import Settings
from .site import Origin, Site
from .sources import (
    Lineages,
    Reading,
    Repository,
    SourceError,
    SourceRecord,
    read_exported,
    read_repository,
    refuse_taken_names,
    refused_export,
    repository_name,
)
from .transitions import CardHistory
from .urls import Urls

__all__ = ["PipelineError", "Project", "Settings", "build_project"]


class PipelineError(FixableError):
    """The project cannot be read as configured: what is wrong (naming the setting), and the
    fix."""


@dataclass(frozen=True)
class Project:
    """The readiness record of one site: its cards and problems, and every card's history."""

    settings: Settings
    collection: Collection
    histories: dict[str, CardHistory]
    site: Site
    analytics: Analytics
    now: dt.datetime
    """The moment the analytics (stale cards, charts) are computed at."""
    sources: tuple[SourceRecord, ...] = ()
    """Every source of cards, as read: the site's own repository first (source 0), then the
    checkouts beside it, then the exports."""
    goals: tuple[GoalProgress, ...] = ()
    """Each of the organisation's goals (`Settings.goals`) on the day `now`, in their order."""
    findings: tuple[Finding, ...] = ()
    """What checking each gate against the history found (`gates`), card by card."""

    @functools.cached_property
    def findings_of(self) -> dict[str, tuple[Finding, ...]]:
        """Each card's gate findings (`findings`), by card id."""
        out: dict[str, list[Finding]] = {}
        for finding in self.findings:
            out.setdefault(finding.card_id, []).append(finding)
        return {card_id: tuple(found) for card_id, found in out.items()}

    @property
    def open_cards(self) -> tuple[Card, ...]:
        """The cards that count in the readiness figures: every card but the closed ones."""
        return tuple(c for c in self.collection.cards if c.closed is None)

    @property
    def closed_cards(self) -> tuple[Card, ...]:
        """The components their format says are closed (`withdrawn`): they keep their pages."""
        return tuple(c for c in self.collection.cards if c.closed is not None)

    @property
    def history(self) -> RepoHistory:
        """What git said of the site's own repository, as read (in the committers' zones):
        `trl-cards export` writes it."""
        return self.sources[0].history if self.sources else RepoHistory(None, None, None)

    @property
    def lineages(self) -> Lineages:
        """The lineages of the site's own card files."""
        return self.sources[0].lineages if self.sources else Lineages(frozenset(), "", "UTC", ())


def build_project(
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    previous: Project | None = None,
    report: Callable[[str], None] = lambda _: None,
) -> Project:
    """Read the cards and their history and check them together, as the site shows them.

    `now` is the moment of the analytics (by default, now). `previous` is the project of an
    earlier build (`mkdocs serve`): each source's history is reused or extended when git
    allows, and when no HEAD has moved, its lineages and its `now` (on the same day) too, so
    that a rebuild after a card edit re-reads the card files and nothing of git. `report`
    receives progress, one sentence at a time.

    Raises:
        PipelineError: a repository that cannot be read as configured (a shallow or partial
            clone unless allowed, a missing checkout or ignore-revs file, two sources of one
            name). An export that cannot be read is a problem of the site instead.
    """
    directory = settings.directory.resolve()
    zone = time_zone(settings.timezone)
    reading = Reading(
        zone,
        settings.formats,
        settings.history,
        settings.allow_incomplete_history,
        report,
    )
    earlier = {r.label: r for r in previous.sources} if previous else {}
    own_name = repository_name(settings.repo_url, directory)
    try:
        records = [_read(_own(settings, directory, own_name), reading, earlier)]
        own_folders = {p.split("/", 1)[0]: p for p in records[0].files.texts if "/" in p}
        taken = {own_name: "the name of this site's own repository"} | {
            name: f"a folder of this site's own cards ({path})"
            for name, path in own_folders.items()
        }
        for source in settings.sources:
            if source.export:
                continue
            if source.name in taken:
                raise PipelineError(
                    f"the source `{source.name}` has the name of {taken[source.name]}, so their "
                    "paths could not be told apart.",
                    "Give each source a name of its own.",
                )
            taken[source.name] = f"the checkout {settings.path(source.path)}"
            repository = Repository(
                source.name,
                source.name + "/",
                settings.path(source.path),
                source.include,
                source.exclude,
                source.url,
                None,
                source.branch,
                source.commit_url,
                cache=cache_file(directory, source.name) if settings.cache else None,
            )
            records.append(_read(repository, reading, earlier))
    except SourceError as error:
        raise PipelineError(error.message, error.fix) from None
    records += refuse_taken_names(_exports(settings, reading), taken)
    unmoved = all(r.unmoved for r in records if r.history.read)
    today = dt.datetime.now(dt.timezone.utc).date()
    if now is None and previous is not None and unmoved and previous.now.date() == today:
        now = previous.now  # the same charts and stale days: unchanged pages stay so
    now = now or dt.datetime.now(dt.timezone.utc)
    return _project(settings, records, now, zone, own_name)


def _own(settings: Settings, directory: Path, own_name: str) -> Repository:
    """The site's own repository, as a source like any checkout (source 0)."""
    return Repository(
        own_name,
        "",
        directory,
        settings.include,
        settings.exclude,
        settings.repo_url,
        settings.edit_uri,
        None,
        settings.commit_url,
        settings.ignore_revs_file,
        cache_file(directory) if settings.cache else None,
    )


def _read(
    repository: Repository, reading: Reading, earlier: dict[str, SourceRecord]
) -> SourceRecord:
    return read_repository(repository, reading, earlier.get(repository.label))


def _exports(settings: Settings, reading: Reading) -> list[SourceRecord]:
    """Every export of every `exports` source, or the error that there is none."""
    records: list[SourceRecord] = []
    for source in settings.sources:
        if not source.export:
            continue
        folder = settings.path(source.path)
        files = export_files(folder)
        if not files:
            records.append(
                refused_export(
                    folder,
                    "holds no export (`*.json`), so no repository's cards come from it.",
                    "Put the files `trl-cards export` wrote there (a download step that "
                    "failed is the usual cause), or correct the `exports` path.",
                )
            )
        records += [read_exported(path, reading) for path in files]
    return records


def _in_zone(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    return (
        None
        if moment is None
        else clamp_date(moment, dt.datetime.now(dt.timezone.utc)).astimezone(zone)
    )


def _rated(cards: tuple[Card, ...], histories: dict[str, CardHistory]) -> tuple[Card, ...]:
    """The cards, each closed one at the last level it was rated at before it closed (its
    file names no level, only how it closed); one never rated keeps its scale's lowest."""
    out = []
    for card in cards:
        history = histories.get(card.id)
        if card.closed is not None and history is not None and history.transitions:
            last = history.transitions[-1]
            card = replace(card, level=last.to_level, stage=last.to_stage)
        out.append(card)
    return tuple(out)


def _project(
    settings: Settings,
    records: list[SourceRecord],
    now: dt.datetime,
    zone: dt.tzinfo,
    own_name: str,
) -> Project:
    """The sources' cards checked together, with their histories and analytics."""
    traced = tuple(h for r in records for h in r.traced)
    collection = check_files([r.files for r in records], id_claims(traced))
    submodules = [s for r in records for s in r.submodules]
    histories = join_histories(collection.cards, traced, submodules)
    collection = replace(collection, cards=_rated(collection.cards, histories))
    problems: tuple[Problem, ...] = tuple(p for r in records for p in r.problems)
    problems += history_problems(collection.cards, histories)
    findings = check_gates(
        collection.cards, histories, settings.gates, now.astimezone(zone).date(), _aliases(settings)
    )
    texts = {path: text for r in records for path, text in r.files.texts.items()}
    problems += gate_problems(findings, collection.cards, texts)
    collection = replace(collection, problems=collection.problems + problems)
    own, others = records[0], records[1:]
    site = Site(
        urls=Urls(settings.prefix.strip("/"), settings.directory_urls),
        links=own.links,
        history_note=own.history.note if own.files.texts or not others else None,
        incomplete_before=_in_zone(own.history.incomplete_before, zone),
        zone=zone_name(zone),
        sources={
            r.label: Origin(r.name, r.url, r.links, r.history.note) for r in others if r.label
        },
        own_name=own_name,
        stale_days=settings.stale_days,
        table_rows=settings.table_rows,
    )
    tags = read_tags(settings.directory, settings.milestone_tags) if settings.milestone_tags else ()
    retired = tuple(h for h in traced if h.path is None)
    analytics = analyse(
        tuple(c for c in collection.cards if c.closed is None),
        histories,
        now,
        settings.stale_days,
        retired,
        tags,
        collection.problems,
    )
    expired = sorted({f.card_id for f in findings if f.kind == EXPIRED})
    if expired:
        analytics = replace(
            analytics, kpis=replace(analytics.kpis, exemptions_expired=tuple(expired))
        )
    if analytics.problems:  # cycles in `parts`
        collection = replace(collection, problems=collection.problems + analytics.problems)
    goals = goal_progress(
        settings.goals,
        tuple(c for c in collection.cards if c.closed is None),
        histories,
        site.repository_of,
        analytics.kpis.median_days_at_level,
        now,
    )
    return Project(
        settings, collection, histories, site, analytics, now, tuple(records), goals, findings
    )


def _aliases(settings: Settings) -> dict[str, frozenset[str]]:
    """The people's other names that the `.mailmap` files of the site's repository and of its
    checkouts give (one organisation: one set of people)."""
    out: dict[str, frozenset[str]] = {}
    for folder in (settings.directory, *(s.path for s in settings.sources if not s.export)):
        for token, tokens in read_mailmap(settings.path(folder)).items():
            out[token] = out.get(token, frozenset()) | tokens
    return out
