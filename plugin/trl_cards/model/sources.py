"""Where an organisation's cards come from: the site's own repository, other repositories
checked out beside it, and exports that other repositories' CI made (`trl-cards export`).

Each source is read on its own, with its own history (and cache), and gives its card files and
lineages with its name before every path (`vision/cards/a/TRL.md`), so that the cards of many
repositories are checked together (an id is unique across all of them) and every page, link
and problem can tell which repository a card is from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..cards.border import (
    RefusedError,
    date_problem,
    excerpt,
    load_json,
    read_regular_file,
    unicode_problem,
)
from ..cards.collection import (
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    CardFiles,
    parse_cards,
    read_cards,
    watched_folders,
)
from ..cards.formats import CardFormat, card_patterns
from ..cards.problem import Problem
from ..history.cache import CacheError, history_document, history_from_document, read_history_cached
from ..history.clock import history_in_zone
from ..history.git import HistoryError, RepoHistory
from ..outputs.urls import RepoLinks, repo_links, template_problem
from .timeline import (
    CardHistory,
    history_problems,
    project_base,
    project_folders,
    trace_lineages,
)

if TYPE_CHECKING:
    from .pipeline import Settings

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A source's name: a folder name, as a card id."""

SOURCE_FORMAT = "trl-cards-source"
SOURCE_VERSION = 1
"""The version of the source part of an export (`source`, `files`, `history`)."""


class SourceError(Exception):
    """A source cannot be read at all; the message names it and says how to fix it."""


@dataclass(frozen=True)
class SourceSettings:
    """One source of cards besides the site's own repository, as configured."""

    name: str
    """Shown on every card of it, and put before its paths; unique among the sources."""
    path: Path
    """A checkout (the folder of its cards), or an export file or folder of export files."""
    url: str | None = None
    """The repository's web view (`https://github.com/org/vision`), for source and commit
    links."""
    branch: str | None = None
    """The branch the source links point at; by default the checkout's own."""
    commit_url: str | None = None
    """A commit's web view with `{sha}`, when `url` is not a forge that MkDocs knows."""
    include: Sequence[str] = DEFAULT_INCLUDE
    exclude: Sequence[str] = DEFAULT_EXCLUDE
    export: bool = False
    """`path` holds exports (`trl-cards export` files), not a checkout."""


@dataclass(frozen=True)
class SourceRecord:
    """What one source gave: its card files and, when it has history, its lineages."""

    name: str
    label: str
    """What is put before its paths: `""` for the site's own repository, else `<name>/`."""
    files: CardFiles
    history: RepoHistory
    traced: tuple[CardHistory, ...] = ()
    links: RepoLinks = field(default_factory=RepoLinks)
    submodules: tuple[str, ...] = ()
    """Folders (labelled, relative to the source) that are git submodules."""
    origin: str = ""
    """Where it was read from, for messages: the checkout or the export file."""
    url: str | None = None
    """The repository's web view."""
    problems: tuple[Problem, ...] = ()
    """What is wrong with the source as a whole (an export it refused)."""


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


@dataclass(frozen=True)
class Export:
    """A source as `trl-cards export` wrote it: what a site needs to show its cards and their
    history without cloning the repository."""

    name: str
    url: str | None
    commit_url: str | None
    branch: str | None
    base: str  # the exported folder inside its repository (`""` or ending in `/`)
    ignore_revs: tuple[str, ...]
    submodules: tuple[str, ...]
    files: dict[str, str]  # card path -> text, as committed at HEAD
    history: RepoHistory


def export_document(export: Export) -> dict[str, object]:
    """The source part of an export file (beside the cards of `export.cards_json`)."""
    return {
        "format": SOURCE_FORMAT,
        "version": SOURCE_VERSION,
        "name": export.name,
        "url": export.url,
        "commit_url": export.commit_url,
        "branch": export.branch,
        "base": export.base,
        "ignore_revs": sorted(export.ignore_revs),
        "submodules": list(export.submodules),
        "files": dict(sorted(export.files.items())),
        "history": history_document(export.history),
    }


MAX_EXPORT_BYTES = 128 << 20
"""The largest export read: eight times that of a repository of 1,000 cards and 20,000
commits (16 MB, most of it the text of every card version)."""
MAX_EXPORT_VALUES = 2_000_000
"""The most JSON values an export may hold (that repository's holds 107,000)."""
MAX_EXPORT_DEPTH = 16
"""The deepest an export may nest (`trl-cards export` writes 5 levels)."""

_TOO_BIG = (
    "Export a part of the repository (`trl-cards export` with a narrower `include`), or "
    "check the repository out beside the site (`sources: - path:`), which has no such limit."
)


def read_export(path: Path, now: dt.datetime | None = None) -> Export:
    """The source in the export file at `path`, checked at the border as a card file is: a
    regular file within the limits, holding valid Unicode, paths inside a repository, URL
    templates with known placeholders, and commits dated before `now` (by default, now)
    and after git existed.

    Raises:
        SourceError: the file cannot be read, is not JSON, is not an export, is of another
            version, or is damaged; the message names the file and says what to do.
    """
    try:
        data = load_json(
            read_regular_file(path, MAX_EXPORT_BYTES),
            max_values=MAX_EXPORT_VALUES,
            max_depth=MAX_EXPORT_DEPTH,
        )
    except RefusedError as refused:
        if refused.kind in ("link", "special", "unreadable"):
            raise SourceError(f"{path}: {refused.message} Fix: {refused.fix}") from None
        if refused.message.startswith("is not JSON"):
            raise SourceError(
                f"{path}: {refused.message} Fix: export it again with `trl-cards export`; a "
                "file cut short by a failed download is the usual cause."
            ) from None
        raise SourceError(f"{path}: {refused.message} Fix: {_TOO_BIG}") from None
    source = data.get("source") if isinstance(data, dict) else None
    if not isinstance(source, dict) or source.get("format") != SOURCE_FORMAT:
        raise SourceError(
            f"{path}: is not a source export (no `source` with `format: {SOURCE_FORMAT}`). "
            "Fix: make it with `trl-cards export` (1.x writes one); the site's own "
            "`api/cards.json` has no history to build from."
        )
    version = source.get("version")
    if version != SOURCE_VERSION:
        raise SourceError(
            f"{path}: is an export of version {excerpt(repr(version), 20)}; this version "
            f"of mkdocs-trl-cards reads version {SOURCE_VERSION}. Fix: export it with the same "
            "mkdocs-trl-cards version as the site builds with."
        )
    try:
        return _export(source, now or dt.datetime.now(dt.timezone.utc))
    except (CacheError, KeyError, TypeError, ValueError) as error:
        raise SourceError(
            f"{path}: is damaged: {_cut(str(error))}. Fix: export it again with `trl-cards export`."
        ) from None


def _export(source: dict[str, object], now: dt.datetime) -> Export:
    def text(key: str) -> str | None:
        value = source.get(key)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"`{key}` is not a string")
        if value is not None and (problem := unicode_problem(value)):
            raise ValueError(f"`{key}` {problem}")
        return value

    name = text("name") or ""
    if not NAME.fullmatch(name):
        raise ValueError(f"`name` {excerpt(repr(name))} is not a source name")
    url, commit_url = text("url"), text("commit_url")
    for key, address, allowed in (("url", url, ()), ("commit_url", commit_url, ("sha",))):
        # Links on every page: never `javascript:`, never a template that reads Python.
        problem = None if address is None else template_problem(address, allowed)
        if problem:
            raise ValueError(f"`{key}`: {problem}")
    files = source["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise TypeError("`files` is not a map of paths to texts")
    for path, content in files.items():
        _check_path(path, "`files`")
        if problem := unicode_problem(content):
            raise ValueError(f"the text of `{excerpt(path)}` {problem}")
    base = text("base") or ""
    if base:
        _check_path(base.removesuffix("/"), "`base`")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("ignore_revs", "submodules"):
        items = source.get(key, [])
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise TypeError(f"`{key}` is not a list of strings")
        lists[key] = tuple(items)
    for folder in lists["submodules"]:
        _check_path(folder, "`submodules`")
    history = history_from_document(source["history"])
    for revision in history.revisions:
        _check_path(revision.path, "`history`")
        if revision.renamed_from is not None:
            _check_path(revision.renamed_from, "`history`")
    for commit in {c.sha: c for r in history.revisions for c in (r.landed, r.authored)}.values():
        for what, date in (("author date", commit.date), ("commit date", commit.committed)):
            if problem := date_problem(date, now):
                raise ValueError(f"the {what} of commit {commit.sha[:12]} {problem}")
    return Export(
        name,
        url,
        commit_url,
        text("branch"),
        base,
        lists["ignore_revs"],
        lists["submodules"],
        dict(files),
        history,
    )


def _cut(message: str) -> str:
    """A message of ours, whose values were shortened where they were put in, cut short."""
    return message if len(message) <= 400 else message[:399] + "…"


def _check_path(path: str, where: str) -> None:
    """A path the site shows and links: relative, inside the repository, valid Unicode."""
    parts = path.split("/")
    if path.startswith("/") or ".." in parts or "" in parts or "." in parts:
        raise ValueError(
            f"{where} holds {excerpt(repr(path))}, which is not a path inside a repository"
        )
    if problem := unicode_problem(path):
        raise ValueError(f"{where} holds a path that {problem}")


def export_files(path: Path) -> list[Path]:
    """The export files at `path`: the file itself, or every `*.json` in the folder (a link,
    a FIFO or a device among them is refused when it is read, not opened here)."""
    return sorted(path.glob("*.json")) if path.is_dir() else [path]


# --- reading a source ----------------------------------------------------------------------


def read_checkout(
    settings: SourceSettings,
    *,
    previous: RepoHistory | None,
    cache: Path | None,
    allow_incomplete: bool,
    ignore_revs: frozenset[str],
    zone: dt.tzinfo,
    formats: Sequence[CardFormat] = (),
    report: Callable[[str], None] = lambda _: None,
) -> SourceRecord:
    """A checked-out repository as a source: its cards, and its history (reusing `previous`,
    the raw history of an earlier build, or the `cache` file). `formats` are the site's own
    card formats, which read the files of every source.

    Raises:
        SourceError: the folder is missing, or its history cannot be trusted (a shallow or
            partial clone); the message names the source and the fix.
    """
    label = settings.name + "/"
    folder = settings.path
    where = f"source `{settings.name}` ({folder})"
    if not folder.is_dir():
        raise SourceError(
            f"{where} does not exist. Fix: check the repository out there (in GitHub Actions, "
            "actions/checkout with `repository:`, `path:` and `fetch-depth: 0`), or correct "
            "its `path` in mkdocs.yml."
        )
    files = read_cards(folder, settings.include, settings.exclude, label, formats)
    try:
        raw = read_history_cached(
            folder,
            card_patterns(settings.include, formats),
            allow_incomplete=allow_incomplete,
            previous=previous,
            cache=cache,
            report=lambda line: report(f"{settings.name}: {line}"),
        )
    except HistoryError as error:
        raise SourceError(f"{where}: {error}") from None
    if raw.note:
        report(f"{settings.name}: no level history: {raw.note}")
    history = history_in_zone(raw, zone)
    base = project_base(history.root, folder)
    branch = settings.branch or history.branch
    # What the clock found (commits with impossible dates): the raw history's own damage is
    # reported by the pipeline, as for every source.
    clock = replace(raw, damage=history.damage[len(raw.damage) :])
    return SourceRecord(
        settings.name,
        label,
        files,
        raw,
        trace_lineages(history, ignore_revs, base, retired=True, label=label, formats=formats),
        source_links(settings.url, branch, settings.commit_url, base),
        tuple(project_folders(history.submodules, base, label)),
        str(folder),
        settings.url,
        tuple(
            replace(p, path=f"(git repository of source `{settings.name}`)")
            for p in history_problems(clock, (), {})
        ),
    )


def read_exported(path: Path, zone: dt.tzinfo, formats: Sequence[CardFormat] = ()) -> SourceRecord:
    """An export file as a source. A refused file is a record with no cards and the problem
    that says why (`refused_export`), so that every other source still builds. The site's own
    `formats` read its files, as they read a checkout's: the site must map the formats its
    sources use."""
    try:
        export = read_export(path)
    except SourceError as error:
        message, _, fix = str(error).removeprefix(f"{path}: ").partition(" Fix: ")
        return refused_export(path, message, fix or "Export it again with `trl-cards export`.")
    label = export.name + "/"
    history = history_in_zone(export.history, zone)
    branch = export.branch or history.branch
    return SourceRecord(
        export.name,
        label,
        parse_cards({label + p: t for p, t in export.files.items()}, (), formats, label),
        export.history,
        trace_lineages(
            history, export.ignore_revs, export.base, retired=True, label=label, formats=formats
        ),
        source_links(export.url, branch, export.commit_url, export.base),
        tuple(label + s for s in export.submodules),
        str(path),
        export.url,
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


def watched(settings: Settings, files: Sequence[str]) -> list[tuple[Path, bool]]:
    """What `mkdocs serve` watches so that editing any card rebuilds the site, given the card
    `files` of the last build: `collection.watched_folders` of the site's own folder and of
    each checkout (for its own files), and each export folder or file."""
    own = [f for f in files if not any(f.startswith(s.name + "/") for s in settings.sources)]
    folders = [(settings.directory, settings.include, own)]
    out: list[tuple[Path, bool]] = []
    for source in settings.sources:
        if source.export:
            out.append((source.path, False))
        else:
            label = source.name + "/"
            mine = [f.removeprefix(label) for f in files if f.startswith(label)]
            folders.append((source.path, source.include, mine))
    for folder, include, cards in folders:
        out += watched_folders(folder, card_patterns(include, settings.formats), cards)
    return out
