"""A repository's history as JSON data, and back: what the history cache keeps and what an
export carries (`history_document`, `history_from_document`).

Data from a file is a claim, so decoding checks everything: a document that does not read back
exactly (another format, a wrong type, a dangling commit, text that is not valid Unicode) is
refused with where it is wrong; a text that does not hash to its blob id is dropped, and read
again from git. Commit names and subjects lose their control characters.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar, cast

from ..cards.border import clean_line, excerpt, unicode_problem
from . import blobs, log, repository, reuse, revisions
from .revisions import Basis, Commit, RepoHistory, Revision

__all__ = [
    "FORMAT",
    "CacheError",
    "decode",
    "encode",
    "history_document",
    "history_from_document",
    "reader",
]

FORMAT = 1
"""Version of the document's layout. One of another version is rebuilt, never migrated."""

_SHA = re.compile(r"[0-9a-f]{40}")

_T = TypeVar("_T")


class CacheError(Exception):
    """The cache file exists but cannot be used; the message says why."""


@functools.cache
def reader() -> str:
    """Which code reads history: a cache that other code wrote may hold other revisions.

    The modules that read git decide what a revision is (renames, landing, authoring), so the
    digest of their source names the reader: any edit to them, released or not, retires the
    caches written before. Without the source (a zipped install), the package version does.
    """
    digest = hashlib.sha256()
    try:
        for module in (blobs, log, repository, reuse, revisions):
            digest.update(Path(str(module.__file__)).read_bytes())
    except OSError:
        return metadata.version("mkdocs-trl-cards")
    return digest.hexdigest()[:16]


def history_document(history: RepoHistory) -> dict[str, object] | None:
    """A history as JSON data, as the cache keeps it (for `trl-cards export`); None for a
    history that read nothing (no repository)."""
    if history.head is None or history.basis is None or history.root is None:
        return None
    return encode(history, allow_incomplete=history.incomplete_before is not None)


def history_from_document(data: object) -> RepoHistory:
    """The history in JSON data that `history_document` made, by any version of the reader.

    Raises:
        CacheError: the data is not such a history, or is damaged; the message says where.
    """
    if data is None:
        return RepoHistory(None, None, None, note="the export was made without git history")
    return decode(data, any_reader=True)


def encode(history: RepoHistory, allow_incomplete: bool) -> dict[str, object]:
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


def decode(data: object, *, any_reader: bool = False) -> RepoHistory:
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
