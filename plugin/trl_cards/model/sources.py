"""Where an organisation's cards come from, each read one way: the site's own repository
(source 0), other repositories checked out beside it, and exports their CI made.

Every repository is read by `read_repository`, the site's own like any checkout: its card
files, its history (reused from the last build, or from its cache), and each card file's
lineage, traced again only when the history or what it was traced with changed. An export
(`exports.read_export`) gives the same record without git. Each source's paths carry its label
(`vision/cards/a/TRL.md`; none for the site's own), so that the cards of many repositories are
checked together (an id is unique across all of them) and every page, link and problem can tell
which repository a card is from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..cards.border import RefusedError, read_regular_file
from ..cards.collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, CardFiles, parse_cards, read_cards
from ..cards.formats import CardFormat, history_patterns
from ..cards.problem import FixableError, Problem, Severity
from ..history.cache import read_history_cached
from ..history.clock import history_in_zone, zone_name
from ..history.revisions import HistoryError, RepoHistory
from .approvals import join_approvals
from .exports import ExportError, read_export
from .lineage import project_base, project_folders, read_ignore_revs, trace_lineages
from .repositories import RepoLinks, repo_links
from .transitions import CardHistory

__all__ = [
    "Lineages",
    "Reading",
    "Repository",
    "SourceError",
    "SourceRecord",
    "read_exported",
    "read_repository",
    "refuse_taken_names",
    "refused_export",
    "repository_name",
]


class SourceError(FixableError):
    """A repository cannot be read at all: what is wrong (naming it), and the fix."""


@dataclass(frozen=True)
class Lineages:
    """A source's card files' lineages (`trace_lineages`) and what they were traced from."""

    ignore_revs: frozenset[str]
    base: str
    zone: str
    traced: tuple[CardHistory, ...]
    formats: tuple[CardFormat, ...] = ()
    problems: tuple[Problem, ...] = ()
    """The problems of the approval files whose approvals were joined to `traced`."""

    @property
    def key(self) -> tuple[frozenset[str], str, str, tuple[CardFormat, ...]]:
        """What the lineages were traced from, besides the history itself."""
        return self.ignore_revs, self.base, self.zone, self.formats


@dataclass(frozen=True)
class SourceRecord:
    """What one source gave: its card files, its history, and its cards' lineages."""

    name: str
    """The repository's name, on every card of it."""
    label: str
    """What is put before its paths: `""` for the site's own repository, else `<name>/`."""
    files: CardFiles
    history: RepoHistory
    """What git said, as read (in the committers' zones): the next build reuses it."""
    lineages: Lineages = field(default_factory=lambda: Lineages(frozenset(), "", "UTC", ()))
    links: RepoLinks = field(default_factory=RepoLinks)
    submodules: tuple[str, ...] = ()
    """Folders (labelled, relative to the source) that are git submodules."""
    origin: str = ""
    """Where it was read from, for messages: the folder or the export file."""
    url: str | None = None
    """The repository's web view."""
    problems: tuple[Problem, ...] = ()
    """What is wrong with the source as a whole (damage, an export it refused)."""
    zoned: tuple[object, RepoHistory] | None = None
    """The history in the site's zone, and what it was put there for (the zone and the day):
    the next build reuses it while HEAD has not moved (moving 50,000 commits takes 0.1 s)."""

    @property
    def traced(self) -> tuple[CardHistory, ...]:
        """Its card files' lineages."""
        return self.lineages.traced

    @property
    def unmoved(self) -> bool:
        """Its history was reused as it was: HEAD has not moved since the last build."""
        return self.history.read is not None and self.history.read.mode == "unchanged"


@dataclass(frozen=True)
class Repository:
    """A repository to read from git: the site's own, or one checked out beside it."""

    name: str
    label: str
    """`""` for the site's own repository (source 0), else `<name>/`."""
    folder: Path
    """The folder its card patterns are relative to (of mkdocs.yml, or the checkout's)."""
    include: Sequence[str] = DEFAULT_INCLUDE
    exclude: Sequence[str] = DEFAULT_EXCLUDE
    url: str | None = None
    """Its web view."""
    edit_uri: str | None = None
    """MkDocs' `edit_uri`, which names the branch of the site's own source links."""
    branch: str | None = None
    """The branch of its source links; by default the checkout's own."""
    commit_url: str | None = None
    ignore_revs_file: str | None = None
    """A configured ignore-revs file (it must exist); by default `.git-blame-ignore-revs`,
    when there is one."""
    cache: Path | None = None
    """Where its history is kept between builds; None: nowhere."""

    @property
    def own(self) -> bool:
        return not self.label


@dataclass(frozen=True)
class Reading:
    """How every source of a build is read."""

    zone: dt.tzinfo
    formats: tuple[CardFormat, ...] = ()
    history: bool = True
    """Read git at all (`history: false` shows the current cards only)."""
    allow_incomplete: bool = False
    report: Callable[[str], None] = lambda _: None


def read_repository(
    repository: Repository, reading: Reading, previous: SourceRecord | None = None
) -> SourceRecord:
    """A repository as a source: its cards, its history (reusing `previous`, the record of an
    earlier build, or its cache file), and its cards' lineages (those of `previous` when HEAD
    has not moved and they were traced from the same things).

    Raises:
        SourceError: a checkout is missing, or a history cannot be trusted (a shallow or
            partial clone, unless allowed), or a configured ignore-revs file is missing.
    """
    name, label, folder = repository.name, repository.label, repository.folder
    where = "" if repository.own else f"source `{name}` ({folder}): "
    say = reading.report if repository.own else (lambda line: reading.report(f"{name}: {line}"))
    if not folder.is_dir():
        raise SourceError(
            f"{where}the folder does not exist.",
            "Check the repository out there (in GitHub Actions, actions/checkout with "
            "`repository:`, `path:` and `fetch-depth: 0`), or correct its `path` in mkdocs.yml.",
        )
    files = read_cards(folder, repository.include, repository.exclude, label, reading.formats)
    raw = _read_history(repository, reading, previous.history if previous else None, say, where)
    unmoved = raw.read is not None and raw.read.mode == "unchanged"
    zone = zone_name(reading.zone)
    zoned_for = (zone, dt.datetime.now(dt.timezone.utc).date())
    if unmoved and previous is not None and previous.zoned and previous.zoned[0] == zoned_for:
        history = previous.zoned[1]
    else:
        history = history_in_zone(raw, reading.zone)
    base = project_base(history.root, folder)
    ignore_revs, problems = _ignore_revs(folder, repository.ignore_revs_file, where)
    traced_from = (ignore_revs, base, zone, reading.formats)
    if previous is not None and unmoved and previous.lineages.key == traced_from:
        lineages = previous.lineages
    else:
        traced, joined = join_approvals(
            trace_lineages(
                history, ignore_revs, base, retired=True, label=label, formats=reading.formats
            ),
            history,
            reading.formats,
            base,
            label,
            repository.exclude,
        )
        lineages = Lineages(ignore_revs, base, zone, traced, reading.formats, joined)
    if repository.edit_uri is not None or repository.own:
        links = repo_links(repository.url, repository.edit_uri, repository.commit_url, base)
    else:
        links = source_links(
            repository.url, repository.branch or history.branch, repository.commit_url, base
        )
    damage = tuple(
        Problem(_repository_path(repository), message, fix, severity=Severity.WARNING)
        for message, fix in history.damage
    )
    return SourceRecord(
        name,
        label,
        files,
        raw,
        lineages,
        links,
        tuple(project_folders(history.submodules, base, label)),
        str(folder),
        repository.url,
        problems + lineages.problems + damage,
        (zoned_for, history),
    )


def _repository_path(repository: Repository) -> str:
    """How a problem of the repository as a whole names it."""
    return (
        "(git repository)" if repository.own else f"(git repository of source `{repository.name}`)"
    )


def _read_history(
    repository: Repository,
    reading: Reading,
    previous: RepoHistory | None,
    say: Callable[[str], None],
    where: str,
) -> RepoHistory:
    if not reading.history:
        return RepoHistory(None, None, None, note="history is turned off (`history: false`).")
    try:
        history = read_history_cached(
            repository.folder,
            history_patterns(repository.include, reading.formats),
            allow_incomplete=reading.allow_incomplete,
            previous=previous,
            cache=repository.cache,
            report=say,
        )
    except HistoryError as error:
        raise SourceError(where + error.message, error.fix) from None
    if history.note:  # a folder without git is a fine way to preview cards: not a warning
        say(f"No level history: {history.note}")
    if history.incomplete_before is not None:  # asked for with allow_incomplete_history
        say(
            f"Card history is incomplete before {history.incomplete_before:%Y-%m-%d}"
            " (shallow or partial clone); affected pages carry a banner."
        )
    return history


MAX_IGNORE_REVS_BYTES = 4 << 20
"""The largest ignore-revs file read (10,000 commits take 410 KB)."""


def _ignore_revs(
    folder: Path, name: str | None, where: str
) -> tuple[frozenset[str], tuple[Problem, ...]]:
    """The commits of the ignore-revs file `name` (by default `.git-blame-ignore-revs`, when
    there is one) in `folder`, and why none could be read from it, if so: a link, a FIFO or a
    file over the limit is not read, and the repository's history counts every commit.

    Raises:
        SourceError: the configured file does not exist.
    """
    path = folder / (name or ".git-blame-ignore-revs")
    if not path.exists() and not path.is_symlink():
        if name:
            raise SourceError(
                f"{where}`ignore_revs_file: {name}` does not exist (looked for {path}).",
                "Correct the path or remove the option.",
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


def read_exported(path: Path, reading: Reading) -> SourceRecord:
    """An export file as a source. A refused file is a record with no cards and the problem
    that says why (`refused_export`), so that every other source still builds. The site's own
    `formats` read its files, as they read a checkout's: the site must map the formats its
    sources use."""
    try:
        export = read_export(path)
    except ExportError as error:
        return refused_export(path, error.message, error.fix)
    label = export.name + "/"
    history = history_in_zone(export.history, reading.zone)
    branch = export.branch or history.branch
    traced, joined = join_approvals(
        trace_lineages(
            history,
            export.ignore_revs,
            export.base,
            retired=True,
            label=label,
            formats=reading.formats,
        ),
        history,
        reading.formats,
        export.base,
        label,
    )
    return SourceRecord(
        export.name,
        label,
        parse_cards({label + p: t for p, t in export.files.items()}, (), reading.formats, label),
        export.history,
        Lineages(
            frozenset(export.ignore_revs),
            export.base,
            zone_name(reading.zone),
            traced,
            reading.formats,
            joined,
        ),
        source_links(export.url, branch, export.commit_url, export.base),
        tuple(label + s for s in export.submodules),
        str(path),
        export.url,
        joined,
    )


def refused_export(path: Path, message: str, fix: str) -> SourceRecord:
    """What a refused export gives the site: no card, and the error that says why."""
    problem = Problem(str(path), message, fix, key="sources")
    empty = RepoHistory(None, None, None)
    return SourceRecord(
        path.stem, "", CardFiles({}, {}), empty, origin=str(path), problems=(problem,)
    )


def refuse_taken_names(
    records: Sequence[SourceRecord], taken: dict[str, str]
) -> list[SourceRecord]:
    """The export `records` with each one refused whose repository name is already `taken`
    (by the site's own top-level folders or a checkout: name -> what holds it), or that
    another export names too: its paths would be another source's, so it could replace that
    source's cards. Two exports of one name are both refused, since neither can be told to be
    the real one: whoever makes a second export of a repository cannot take its place."""
    claims: dict[str, list[str]] = {}
    for record in records:
        if record.label:
            claims.setdefault(record.name, []).append(record.origin)
    out = []
    for record in records:
        holder = taken.get(record.name) if record.label else None
        others = [o for o in claims.get(record.name, ()) if o != record.origin]
        if holder is None and others:
            holder = f"the name of {others[0]}" + (
                f" (and of {len(others) - 1} more)" if len(others) > 1 else ""
            )
        if holder is None:
            out.append(record)
            continue
        out.append(
            refused_export(
                Path(record.origin),
                f"names its repository `{record.name}`, which is already {holder}, so its "
                "cards could not be told apart from those; it is left out.",
                "Give each repository a name of its own (`trl-cards export --name`) in its "
                "CI, and keep one export per repository in the folder.",
            )
        )
    return out


def repository_name(url: str | None, directory: Path) -> str:
    """A repository's name: the last part of its web URL, else its folder's name."""
    if url:
        return url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return directory.resolve().name


def source_links(
    url: str | None, branch: str | None, commit_url: str | None, base: str
) -> RepoLinks:
    """Source and commit links into a repository's web view at `branch`."""
    return repo_links(url, "blob/main/", commit_url, base, branch or "main")
