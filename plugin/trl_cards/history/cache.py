"""The history cache: the card history of one build, kept on disk for the next one.

Each `mkdocs build` starts a new process; with this cache it reads only the commits made since
the last build (`read_history(..., previous=...)`). The cache is one JSON file in
`.cache/plugin/trl-cards/` next to mkdocs.yml, the folder mkdocs-material's plugins use for
theirs; it records what the history was read from (repository root, card patterns, shallow
boundary, mailmap), the HEAD it was read at, and every revision with its commits, each card
version stored once by blob id.

A cache is a copy of what git said, so it is checked rather than believed: the file is read
within limits, and `codec` rejects one that does not read back exactly (truncated, another
format, a wrong type, a dangling commit) or that other code wrote (the reader changed since).
`read_history` rejects the history of another repository or other patterns, and one whose
HEAD git no longer has on the current first-parent line. Whatever is rejected is read in full.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..cards.border import (
    RefusedError,
    load_json,
    read_regular_file,
    write_atomically,
)
from .codec import CacheError, decode, encode
from .repository import read_history
from .revisions import RepoHistory

__all__ = ["CACHE_FOLDER", "cache_file", "load_history", "read_history_cached", "save_history"]

CACHE_FOLDER = Path(".cache", "plugin", "trl-cards")
"""Where the cache lives, relative to the folder of mkdocs.yml."""

_NAME = "history.json"
_GITIGNORE = "# A build cache of mkdocs-trl-cards: never commit it.\n*\n"


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
        return decode(document)
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
    text = json.dumps(encode(history, allow_incomplete), separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_GITIGNORE, encoding="utf-8")
    write_atomically(path, text.encode("ascii"))
    return True
