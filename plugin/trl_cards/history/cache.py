"""The history cache: the card history of one build, kept on disk for the next one.

Each `mkdocs build` starts a new process; with this cache it reads only the commits made since
the last build (`read_history(..., previous=...)`). The cache is one JSON file in
`.cache/plugin/trl-cards/` next to mkdocs.yml, the folder mkdocs-material's plugins use for
theirs; it records what the history was read from (repository root, card patterns, shallow
boundary, mailmap), the HEAD it was read at, and every revision with its commits, each card
version stored once by blob id.

A cache is a copy of what git said, so it is checked rather than believed. This module rejects
a file that does not read back exactly (truncated, another format, a wrong type, a dangling
commit) or that other code wrote (the history module changed since); a text that does not
hash to its blob id is dropped and read again from git.
`read_history` rejects the history of another repository or other patterns, and one whose
HEAD git no longer has on the current first-parent line. Whatever is rejected is read in full.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar, cast

from ..cards.border import (
    RefusedError,
    clean_line,
    excerpt,
    load_json,
    read_regular_file,
    unicode_problem,
    write_atomically,
)
from . import git as _history_module
from .git import Basis, Commit, RepoHistory, Revision, read_history

__all__ = [
    "CACHE_FOLDER",
    "FORMAT",
    "CacheError",
    "cache_file",
    "history_document",
    "history_from_document",
    "load_history",
    "read_history_cached",
    "reader",
    "save_history",
]

FORMAT = 1
"""Version of the file layout. A file of another version is rebuilt, never migrated."""

CACHE_FOLDER = Path(".cache", "plugin", "trl-cards")
"""Where the cache lives, relative to the folder of mkdocs.yml."""

_NAME = "history.json"
_GITIGNORE = "# A build cache of mkdocs-trl-cards: never commit it.\n*\n"
_SHA = re.compile(r"[0-9a-f]{40}")

_T = TypeVar("_T")


class CacheError(Exception):
    """The cache file exists but cannot be used; the message says why."""


@functools.cache
def reader() -> str:
    """Which code reads history: a cache that other code wrote may hold other revisions.

    The history module decides what a revision is (renames, landing, authoring), so the
    digest of its source names the reader: any edit to it, released or not, retires the
    caches written before. Without the source (a zipped install), the package version does.
    """
    try:
        source = Path(str(_history_module.__file__)).read_bytes()
    except OSError:
        return metadata.version("mkdocs-trl-cards")
    return hashlib.sha256(source).hexdigest()[:16]


def read_history_cached(
    directory: Path,
    patterns: Sequence[str],
    *,
    allow_incomplete: bool,
    previous: RepoHistory | None,
    cache: Path | None,
    report: Callable[[str], None],
) -> RepoHistory:
    """`read_history`, reusing the previous build's history, else the cache file, else none.

    The history read is saved back to `cache` when it changed. `report` receives what a user
    may want to know (reused, extended, discarded and why), one sentence at a time.

    Raises:
        HistoryError: as `read_history` (a shallow or partial clone, not allowed).
    """
    origin = "previous build"
    from_file = False
    if previous is None and cache is not None:
        started = time.perf_counter()
        try:
            previous = load_history(cache)
            from_file = previous is not None
        except CacheError as error:
            report(f"History cache discarded, reading all of history: {error}.")
        origin = f"cache, {time.perf_counter() - started:.2f} s"
    history = read_history(
        directory, patterns, allow_incomplete=allow_incomplete, previous=previous, verify=from_file
    )
    read = history.read
    if read is None:  # no repository, no commits: nothing read, nothing to keep
        return history
    if read.discarded:
        report(f"History not reused ({origin}): {read.discarded}.")
    report(read.describe(origin))
    if cache is not None and (read.mode != "unchanged" or not cache.exists()):
        try:
            save_history(cache, history, allow_incomplete=allow_incomplete)
        except OSError as error:  # a cache is an optimisation: the build goes on without it
            report(f"Cannot keep the history cache in {cache}: {error}")
    return history


def cache_file(directory: Path, source: str | None = None) -> Path:
    """The history cache of the MkDocs project whose mkdocs.yml is in `directory`, or of one of
    its other `source`s (by name)."""
    return directory / CACHE_FOLDER / (_NAME if source is None else f"history-{source}.json")


def history_document(history: RepoHistory) -> dict[str, object] | None:
    """A history as JSON data, as the cache keeps it (for `trl-cards export`); None for a
    history that read nothing (no repository)."""
    if history.head is None or history.basis is None or history.root is None:
        return None
    return _encode(history, allow_incomplete=history.incomplete_before is not None)


def history_from_document(data: object) -> RepoHistory:
    """The history in JSON data that `history_document` made, by any version of the reader.

    Raises:
        CacheError: the data is not such a history, or is damaged; the message says where.
    """
    if data is None:
        return RepoHistory(None, None, None, note="the export was made without git history")
    return _decode(data, any_reader=True)


def load_history(path: Path) -> RepoHistory | None:
    """The history kept at `path`, to pass to `read_history` as `previous`; None without one.

    Only what `read_history` reuses is kept: the root, HEAD, branch, basis and revisions. What
    it learns from the clone on every read (shallow, partial, the note) is left at its default.

    Raises:
        CacheError: the file is not a cache this version wrote, or it is damaged. The file is
            deleted (it would be replaced after the next read anyway).
    """
    if not path.exists() and not path.is_symlink():
        return None
    try:
        document = load_json(
            read_regular_file(path, MAX_CACHE_BYTES),
            max_values=MAX_CACHE_VALUES,
            max_depth=MAX_CACHE_DEPTH,
        )
        return _decode(document)
    except (RefusedError, CacheError) as error:
        reason = (
            error.message.removeprefix("is ") if isinstance(error, RefusedError) else str(error)
        )
        with contextlib.suppress(OSError):  # then it is overwritten after the build
            path.unlink()
        raise CacheError(reason.rstrip(".")) from None


MAX_CACHE_BYTES = 512 << 20
"""The largest cache read (a repository of 1,000 cards and 20,000 commits keeps 12 MB)."""
MAX_CACHE_VALUES = 8_000_000
"""The most JSON values a cache may hold (that repository's holds 54,000)."""
MAX_CACHE_DEPTH = 8
"""The deepest a cache nests (it is written 3 levels deep)."""


def save_history(path: Path, history: RepoHistory, *, allow_incomplete: bool) -> bool:
    """Keep `history` at `path`; False (and nothing written) when it holds no history read.

    The file is written next to its final place and renamed over it, so that a reader sees
    the old cache or the new one, never half of one. A `.gitignore` in the folder keeps the
    cache out of commits in projects that do not ignore `.cache/`.

    Raises:
        OSError: the cache cannot be written (read-only folder, full disk).
    """
    if history.head is None or history.basis is None or history.root is None:
        return False
    text = json.dumps(_encode(history, allow_incomplete), separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_GITIGNORE, encoding="utf-8")
    write_atomically(path, text.encode("ascii"))
    return True


def _encode(history: RepoHistory, allow_incomplete: bool) -> dict[str, object]:
    assert history.basis is not None and history.root is not None  # checked by the caller
    commits: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    revisions: list[list[str | None]] = []
    for revision in history.revisions:
        for commit in (revision.landed, revision.authored):
            if commit.sha not in commits:
                commits[commit.sha] = [
                    commit.author,
                    commit.email,
                    commit.date.isoformat(),
                    commit.committed.isoformat(),
                    commit.subject,
                ]
        if revision.blob is not None and revision.text is not None:
            texts[revision.blob] = revision.text
        revisions.append(
            [
                revision.path,
                revision.blob,
                revision.landed.sha,
                revision.authored.sha,
                revision.renamed_from,
            ]
        )
    return {
        "format": FORMAT,
        "reader": reader(),
        "root": str(history.root),
        "prefix": history.basis.prefix,
        "patterns": list(history.basis.patterns),
        "shallow_boundary": list(history.basis.shallow_boundary),
        "mailmap": history.basis.mailmap,
        # For people reading the file, not a key: it decides whether an incomplete clone may be
        # read at all, not what is read; the shallow boundary, which does, is in the basis.
        "allow_incomplete": allow_incomplete,
        "head": history.head,
        "branch": history.branch,
        "commits": commits,
        "texts": texts,
        "revisions": revisions,
    }


def _decode(data: object, *, any_reader: bool = False) -> RepoHistory:
    document = _typed(data, dict, "the file")
    version = document.get("format")
    if version != FORMAT:
        raise CacheError(f"format {version!r}, this version of the plugin writes {FORMAT}")
    field = _Fields(document)
    if field.get("reader", str) != reader() and not any_reader:
        raise CacheError("written by another version of the plugin's history reader")
    basis = Basis(
        prefix=field.get("prefix", str),
        patterns=tuple(_items(field.get("patterns", list), str, "patterns")),
        shallow_boundary=tuple(
            _sha(s, "shallow_boundary") for s in field.get("shallow_boundary", list)
        ),
        mailmap=field.get("mailmap", str),
    )
    field.get("allow_incomplete", bool)  # not used, but a file of the wrong shape is no cache
    head = _sha(field.get("head", str), "head")
    branch = field.optional("branch", str)
    commits = {
        _sha(sha, "commits"): _commit(sha, value)
        for sha, value in field.get("commits", dict).items()
    }
    texts = {
        _sha(blob, "texts"): _text(text, f"text of {blob}")
        for blob, text in field.get("texts", dict).items()
    }
    revisions = []
    for number, item in enumerate(field.get("revisions", list)):
        where = f"revision {number}"
        path, blob_field, landed, authored, renamed_from = _row(item, 5, where)
        blob = None if blob_field is None else _sha(blob_field, where)
        revisions.append(
            Revision(
                path=_text(path, where),
                text=None if blob is None else _verified(blob, texts.get(blob)),
                blob=blob,
                landed=_lookup(commits, landed, where),
                authored=_lookup(commits, authored, where),
                renamed_from=None if renamed_from is None else _text(renamed_from, where),
            )
        )
    return RepoHistory(
        root=Path(field.get("root", str)),
        head=head,
        branch=branch,
        revisions=tuple(revisions),
        basis=basis,
    )


class _Fields:
    """Typed access to the top-level fields of the document."""

    def __init__(self, document: dict[object, object]) -> None:
        self._document = document

    def get(self, name: str, kind: type[_T]) -> _T:
        if name not in self._document:
            raise CacheError(f"`{name}` is missing")
        return _typed(self._document[name], kind, f"`{name}`")

    def optional(self, name: str, kind: type[_T]) -> _T | None:
        value = self._document.get(name)
        return None if value is None else _typed(value, kind, f"`{name}`")


def _typed(value: object, kind: type[_T], where: str) -> _T:
    # JSON gives exact types, so `type() is` suffices; it also keeps JSON's `true` from passing
    # for a number, which `isinstance` would not (a bool is an int).
    if type(value) is not kind:
        raise CacheError(f"{where} is {type(value).__name__}, not {kind.__name__}")
    return value


def _text(value: object, where: str) -> str:
    text = _typed(value, str, where)
    if problem := unicode_problem(text):
        raise CacheError(f"{where} {problem}")
    return text


def _items(values: list[object], kind: type[_T], where: str) -> list[_T]:
    if not all(type(value) is kind for value in values):
        raise CacheError(f"{where} holds something else than {kind.__name__}")
    return cast(list[_T], values)


def _sha(value: object, where: str) -> str:
    sha = _typed(value, str, where)
    if not _SHA.fullmatch(sha):
        raise CacheError(f"{where}: {sha[:50]!r} is not a commit or blob id")
    return sha


def _row(value: object, size: int, where: str) -> list[object]:
    row = _typed(value, list, where)
    if len(row) != size:
        raise CacheError(f"{where} has {len(row)} fields, not {size}")
    return row


def _commit(sha: str, value: object) -> Commit:
    fields = _items(_row(value, 5, sha), str, f"commit {sha}")
    for text in fields:
        if problem := unicode_problem(text):
            raise CacheError(f"commit {sha}: {excerpt(text, 40)!r} {problem}")
    author, email, date, committed, subject = fields
    return Commit(
        sha,
        clean_line(author),
        clean_line(email),
        _date(date, sha),
        _date(committed, sha),
        clean_line(subject),
    )


def _date(value: str, where: str) -> datetime:
    try:
        date = datetime.fromisoformat(value)
    except ValueError:
        raise CacheError(f"commit {where}: {value[:40]!r} is not a date") from None
    if date.tzinfo is None:
        raise CacheError(f"commit {where}: {value!r} has no time zone")
    return date


def _lookup(commits: dict[str, Commit], sha: object, where: str) -> Commit:
    commit = commits.get(_sha(sha, where))
    if commit is None:
        raise CacheError(f"{where} names commit {sha}, which the file does not hold")
    return commit


def _verified(blob: str, text: str | None) -> str | None:
    """`text` if it hashes to `blob`, else None: then `read_history` reads it from git again.

    A text git decoded with replacement characters (a card that is not UTF-8) never matches, so
    it is read again on each build: the price of not trusting the file.
    """
    if text is None:
        return None
    data = text.encode("utf-8", "surrogatepass")
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return text if digest.hexdigest() == blob else None
