"""What git says of card files, as values: each commit, each change to a card path, what it was
read from, and the history of one repository. Reading it is `repository.read_history`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, NamedTuple

from ..cards.problem import FixableError

__all__ = [
    "Basis",
    "Commit",
    "Damage",
    "HistoryError",
    "ReadStats",
    "RepoHistory",
    "Revision",
]


@dataclass(frozen=True)
class Commit:
    """A commit, as `git log` reports it (names and emails honour `.mailmap`)."""

    sha: str
    """Full object id (40 hex digits)."""
    author: str
    """Author name after `.mailmap` (`%aN`)."""
    email: str
    """Author email after `.mailmap` (`%aE`)."""
    date: datetime
    """Author date, timezone-aware with the offset the commit was made in."""
    committed: datetime
    """Committer date, timezone-aware; it may be earlier than a parent's."""
    subject: str
    """First line of the commit message."""


@dataclass(frozen=True)
class Revision:
    """One change to one card path, as seen from the first-parent line of HEAD."""

    path: str
    """Repository-relative POSIX path of the card file at this revision."""
    text: str | None
    """File content (UTF-8, undecodable bytes replaced); None for a deletion, or when the blob
    is not available locally (partial clone, `blob` is then set)."""
    blob: str | None
    """Blob id of the content; None for a deletion."""
    landed: Commit
    """The first-parent commit of HEAD where the change landed: the merge for work done on a
    branch, the commit itself when committed directly, rebased or squashed."""
    authored: Commit
    """The commit that made this content: the side-branch commit for merged work, otherwise
    (and for a change made in the merge itself) the same as `landed`."""
    renamed_from: str | None = None
    """Previous path when git reports the change as a rename between two card paths."""

    @property
    def deleted(self) -> bool:
        """Whether this revision removed the file."""
        return self.blob is None

    @property
    def unavailable(self) -> bool:
        """Whether git lists this version but the repository cannot produce it (damage, or a
        partial clone that could not fetch it)."""
        return self.blob is not None and self.text is None


@dataclass(frozen=True)
class Basis:
    """What the revisions depend on besides the commits of HEAD.

    A history read on another basis can be neither reused nor extended: the same commits
    would give other revisions.
    """

    prefix: str
    """The folder of mkdocs.yml relative to the repository root (`""` or ending in `/`)."""
    patterns: tuple[str, ...]
    """The card patterns, relative to that folder."""
    shallow_boundary: tuple[str, ...] = ()
    """The commits whose parents a shallow clone lacks, sorted; empty for a full clone."""
    mailmap: str = ""
    """A digest of the `.mailmap` in effect: author names and emails come through it."""


@dataclass(frozen=True)
class ReadStats:
    """How one `read_history` call came by its revisions: for progress messages only."""

    mode: Literal["full", "incremental", "unchanged"]
    """`full`: the whole history was read; `incremental`: only the commits after `since`;
    `unchanged`: HEAD is still `since`, so the previous revisions were reused as they were."""
    since: str | None = None
    """HEAD of the previous history that was reused or extended; None for a full read."""
    discarded: str | None = None
    """Why the previous history that was given could not be used (the read is then full)."""
    commits: int = 0
    """Commits that `git log` listed."""
    revisions: int = 0
    """Card revisions found in those commits."""
    blobs: int = 0
    """Card versions read with `git cat-file`."""
    log_seconds: float = 0.0
    """Time spent running and parsing `git log` (the ancestry check included)."""
    blob_seconds: float = 0.0
    """Time spent reading card versions."""

    def describe(self, origin: str) -> str:
        """One line of progress; `origin` names where the previous history came from."""
        since = (self.since or "")[:8]
        if self.mode == "unchanged":
            return f"History unchanged at {since}: reused ({origin})."
        seconds = self.log_seconds + self.blob_seconds
        if self.mode == "incremental":
            return (
                f"Read {self.commits} new commit(s) since {since} ({origin}),"
                f" {self.revisions} card revision(s) in {seconds:.2f} s."
            )
        return (
            f"Read {self.commits} commit(s), {self.revisions} card revision(s) in {seconds:.2f} s"
            f" (git log {self.log_seconds:.2f} s, {self.blobs} card version(s)"
            f" {self.blob_seconds:.2f} s)."
        )


@dataclass(frozen=True)
class RepoHistory:
    """Everything git knows about the card paths of one repository."""

    root: Path | None
    """Repository top level; None when there is no repository."""
    head: str | None
    """HEAD commit id; None without git or before the first commit."""
    branch: str | None
    """Current branch name; None when HEAD is detached."""
    revisions: tuple[Revision, ...] = ()
    """Every change to every card path, oldest first, in first-parent (topological) order."""
    shallow: bool = False
    """The repository is a shallow clone: the oldest commits it has look like additions."""
    partial: bool = False
    """The repository is a partial clone: objects come from a promisor remote on demand."""
    incomplete_before: datetime | None = None
    """For a shallow clone, the date before which history may be missing (the latest author
    date among the commits at the shallow boundary)."""
    note: str | None = None
    """Why history is empty or limited, for humans; None when it is complete."""
    damage: tuple[Damage, ...] = ()
    """What git could not give although the history needs it (a missing object, a commit git
    cannot read), each with how to repair it. Unlike a `note` (no repository is a fine way to
    preview cards), damage is a warning."""
    submodules: tuple[str, ...] = ()
    """Paths of the repository's submodules: a card inside one has another repository's
    history, which is not read here."""
    basis: Basis | None = None
    """What the revisions were read from besides the commits; None when nothing was read."""
    read: ReadStats | None = field(default=None, compare=False, repr=False)
    """How this history was read (full, incremental, reused); None when git was not asked.
    Not part of the value: a history read incrementally equals the same history read in full."""


class HistoryError(FixableError):
    """History cannot be trusted (a shallow or partial clone): what is wrong, and the fix."""


class Damage(NamedTuple):
    """Something git could not give although the history needs it, and how to repair it."""

    message: str
    fix: str
