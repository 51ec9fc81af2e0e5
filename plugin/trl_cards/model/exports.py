"""The export of a repository (`trl-cards export`): what a site of many repositories needs to
show its cards and their whole history without cloning it, and how a site reads one, as
untrusted input checked at the border before any of it is used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..cards.border import (
    RefusedError,
    date_problem,
    excerpt,
    load_json,
    read_regular_file,
    unicode_problem,
)
from ..cards.problem import FixableError
from ..history.codec import CacheError, history_document, history_from_document
from ..history.revisions import RepoHistory
from .repositories import template_problem
from .settings import NAME


class ExportError(FixableError):
    """An export cannot be used: what is wrong with it (the caller names the file), and the
    fix."""


SOURCE_FORMAT = "trl-cards-source"
SOURCE_VERSION = 1
"""The version of the source part of an export (`source`, `files`, `history`)."""


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
        ExportError: the file cannot be read, is not JSON, is not an export, is of another
            version, or is damaged; the message says which, and the fix what to do.
    """
    try:
        data = load_json(
            read_regular_file(path, MAX_EXPORT_BYTES),
            max_values=MAX_EXPORT_VALUES,
            max_depth=MAX_EXPORT_DEPTH,
        )
    except RefusedError as refused:
        if refused.kind in ("link", "special", "unreadable"):
            raise ExportError(refused.message, refused.fix) from None
        if refused.message.startswith("is not JSON"):
            raise ExportError(
                refused.message,
                "Export it again with `trl-cards export`; a file cut short by a failed "
                "download is the usual cause.",
            ) from None
        raise ExportError(refused.message, _TOO_BIG) from None
    source = data.get("source") if isinstance(data, dict) else None
    if not isinstance(source, dict) or source.get("format") != SOURCE_FORMAT:
        raise ExportError(
            f"is not a source export (no `source` with `format: {SOURCE_FORMAT}`).",
            "Make it with `trl-cards export` (1.x writes one); the site's own `api/cards.json` "
            "has no history to build from.",
        )
    version = source.get("version")
    if version != SOURCE_VERSION:
        raise ExportError(
            f"is an export of version {excerpt(repr(version), 20)}; this version of "
            f"mkdocs-trl-cards reads version {SOURCE_VERSION}.",
            "Export it with the same mkdocs-trl-cards version as the site builds with.",
        )
    try:
        return _export(source, now or dt.datetime.now(dt.timezone.utc))
    except (CacheError, KeyError, TypeError, ValueError) as error:
        raise ExportError(
            f"is damaged: {_cut(str(error))}.", "Export it again with `trl-cards export`."
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
