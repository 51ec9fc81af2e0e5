"""The raw git history of card files: every change to a card path, in the order it landed.

This is the only module that talks to git. It reads history with the same few git processes
whatever the size of the repository: one `git log` over the whole history (the changes and the
commit graph, from which the first-parent line and the side-branch authors of merged work
follow), and one `git cat-file --batch` for the contents of every card version. It does not
parse cards: it hands their texts, with the commits that landed and authored them, to the
module that reconstructs levels and transitions.

Given the history of an earlier build, it reads less: nothing from `git log` when HEAD has not
moved, and only the new commits when the earlier HEAD is on the first-parent line of the
current one (history only grew). Anything else (rewritten history, another branch, other
card patterns, another repository) is read in full: an earlier history is never trusted
beyond what git confirms.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, NamedTuple

from ..cards.border import RefusedError, clean_line, read_regular_file
from ..cards.globs import glob_regex, literal_folder
from ..cards.problem import FixableError

try:
    import git
except ImportError as _error:
    # GitPython refuses to import at all when no `git` executable is on PATH; the site must
    # still build (without history), so remember why and say it in `RepoHistory.note`.
    _GIT_UNAVAILABLE: str | None = (
        "GitPython is not installed"
        if isinstance(_error, ModuleNotFoundError) and _error.name == "git"
        else "git is not installed"
    )
else:
    _GIT_UNAVAILABLE = None

__all__ = [
    "Basis",
    "Commit",
    "HistoryError",
    "ReadStats",
    "RepoHistory",
    "Revision",
    "read_history",
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


def read_history(
    directory: Path,
    patterns: Sequence[str],
    *,
    allow_incomplete: bool = False,
    previous: RepoHistory | None = None,
    verify: bool = False,
) -> RepoHistory:
    """Read every change to the card files matching `patterns` from the repository at `directory`.

    `directory` (where mkdocs.yml lives) may be anywhere inside the work tree; `patterns` are
    globs relative to it with git's `**` semantics (`**/TRL.md`). Revision paths are relative to
    the repository root. Without a usable repository (no repository, no git, no commits) the
    result has no revisions and a `note` that says why; this never raises for those.

    `previous` is the history of an earlier read (kept in memory or in a cache). It is reused
    when HEAD has not moved, and extended with the new commits when its HEAD is on the
    first-parent line of the current HEAD; either way the result equals a full read. When it
    cannot be used (another repository or basis, rewritten history), `read.discarded` says why
    and the history is read in full. The shallow-clone check runs before any reuse. With
    `verify` (a history from a file, which anyone can edit), everything `previous` supplies is
    first checked against git: commits, authors, dates and revisions.

    Raises:
        HistoryError: the repository is a shallow or partial clone and `allow_incomplete` is
            false; the message names the fix.
    """
    if _GIT_UNAVAILABLE is not None:
        return RepoHistory(None, None, None, note=_GIT_UNAVAILABLE)
    try:
        repo = git.Repo(directory, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return RepoHistory(None, None, None, note=f"not a git repository: {directory}")
    except OSError as error:
        return RepoHistory(None, None, None, note=f"cannot open the git repository: {error}")
    try:
        return _read_repository(repo, Path(directory), patterns, allow_incomplete, previous, verify)
    except git.GitCommandNotFound:
        return RepoHistory(None, None, None, note="git is not installed")
    except git.GitCommandError as error:
        # Typically "detected dubious ownership" in a container: git's own message names the
        # fix, so pass it on rather than a traceback.
        stderr = str(error.stderr).strip().removeprefix("stderr: ").strip(" '\n")
        if "dubious ownership" in stderr:
            return RepoHistory(_root(repo), None, None, note=f"git failed: {stderr}")
        return RepoHistory(
            _root(repo),
            None,
            None,
            note=f"git could not read the history: {stderr[:300]}",
            damage=(
                Damage(
                    f"git could not read the history of {_root(repo)}, so no card has a level "
                    f"history: {stderr[:300]}.",
                    "`git fsck` names what is missing; fetch it again (`git fetch --refetch`) "
                    "or clone the repository anew.",
                ),
            ),
        )
    finally:
        # Ends the persistent `cat-file` processes; an unclosed one is a ResourceWarning.
        repo.close()


def read_tags(directory: Path, pattern: str) -> tuple[tuple[str, datetime], ...]:
    """The tags matching the glob `pattern` (`v*`; `*` matches `/` too) whose commit is in
    HEAD's history, each with its commit's committer date, oldest first; one git process.
    Without a usable repository, none."""
    if _GIT_UNAVAILABLE is not None:
        return ()
    try:
        repo = git.Repo(directory, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
        return ()
    try:
        # `*committerdate` is the tagged commit's date for an annotated tag; a lightweight
        # tag has only `committerdate`.
        output = repo.git.for_each_ref(
            "--merged=HEAD",
            "--format=%(refname:strip=2)%00%(*committerdate:iso-strict)%00"
            "%(committerdate:iso-strict)",
            "refs/tags",
        )
    except git.GitError:
        return ()
    finally:
        repo.close()
    tags = []
    for line in output.splitlines():
        name, peeled, own = [*line.split("\0"), "", ""][:3]
        date = peeled or own
        if name and date and fnmatch.fnmatchcase(name, pattern):
            tags.append((name, datetime.fromisoformat(date)))
    return tuple(sorted(tags, key=lambda tag: tag[1]))


def _root(repo: git.Repo) -> Path | None:
    return None if repo.working_tree_dir is None else Path(repo.working_tree_dir)


def _read_repository(
    repo: git.Repo,
    directory: Path,
    patterns: Sequence[str],
    allow_incomplete: bool,
    previous: RepoHistory | None,
    verify: bool = False,
) -> RepoHistory:
    root = _root(repo)
    if root is None:
        return RepoHistory(None, None, None, note=f"a bare repository, no work tree: {directory}")
    try:
        prefix = directory.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return RepoHistory(root, None, None, note=f"outside the work tree of {root}: {directory}")
    prefix = "" if prefix == "." else prefix + "/"
    settings = _repository_settings(repo)
    if settings.object_format != "sha1":
        return RepoHistory(
            root, None, None, note=f"GitPython cannot read {settings.object_format} repositories"
        )
    branch = None if repo.head.is_detached else repo.head.reference.name
    try:
        # Reads the ref files instead of asking git: no process, and no exception dance for an
        # unborn branch (a ValueError here).
        head = git.SymbolicReference.dereference_recursive(repo, "HEAD")
    except ValueError:
        return RepoHistory(root, None, branch, note="the repository has no commits yet")

    boundary = _shallow_boundary(repo)
    promisor = settings.promisor
    incomplete_before = max((_author_date(repo, sha) for sha in boundary), default=None)
    if (boundary or promisor) and not allow_incomplete:
        raise HistoryError(*_incomplete_message(root, incomplete_before, promisor))

    basis = Basis(
        prefix=prefix,
        patterns=tuple(patterns),
        shallow_boundary=tuple(sorted(boundary)),
        mailmap=_mailmap_digest(repo, root),
    )
    revisions, read = _revisions(repo, root, head, basis, previous, verify)
    damage = _damage(revisions, promisor is not None)
    notes = []
    if incomplete_before is not None:
        notes.append(f"shallow clone: card history before {incomplete_before:%Y-%m-%d} is missing")
    if promisor is not None:
        notes.append(f"partial clone: objects are fetched from the remote `{promisor}` on demand")
    return RepoHistory(
        root=root,
        head=head,
        branch=branch,
        revisions=revisions,
        shallow=bool(boundary),
        partial=promisor is not None,
        incomplete_before=incomplete_before,
        note="; ".join(notes) or None,
        damage=damage,
        submodules=_submodules(root),
        basis=basis,
        read=read,
    )


def _damage(revisions: tuple[Revision, ...], partial: bool) -> tuple[Damage, ...]:
    """Card versions that git lists but cannot produce: named, never taken for deletions."""
    missing = [r for r in revisions if r.unavailable]
    if not missing or partial:  # a partial clone says so already, and lacks objects by design
        return ()
    first = missing[0]
    return (
        Damage(
            f"{len(missing)} card version(s) are missing from the repository, e.g. blob "
            f"{first.blob} of {first.path} in commit {first.landed.sha[:12]}; no transition "
            "is derived across them.",
            "`git fsck` lists the missing objects; fetch them again (`git fetch --refetch`) "
            "or clone the repository anew.",
        ),
    )


def _submodules(root: Path) -> tuple[str, ...]:
    """Paths of the submodules `.gitmodules` declares, relative to the repository root."""
    try:  # a committed file like any other: never a link, never past a limit
        data = read_regular_file(root / ".gitmodules", _MAX_CONFIG_BYTES)
    except RefusedError:
        return ()
    try:
        stream = io.BytesIO(data)
        stream.name = ".gitmodules"  # GitConfigParser names what it reads
        config = git.GitConfigParser(stream, read_only=True)
        paths = {str(config.get_value(s, "path", "")).strip("/") for s in config.sections()}
    except (OSError, ValueError, git.exc.GitError):
        return ()
    return tuple(sorted(p for p in paths if p))


def _foreign(previous: RepoHistory, root: Path, basis: Basis) -> str | None:
    """Why `previous` was read from something else than what is read now; None if it was not."""
    assert previous.basis is not None  # checked by the caller
    if previous.root != root:
        return f"it is the history of another repository ({previous.root})"
    if (previous.basis.prefix, previous.basis.patterns) != (basis.prefix, basis.patterns):
        return "it was read for other card patterns"
    if previous.basis.shallow_boundary != basis.shallow_boundary:
        return "the shallow clone's boundary has moved"
    if previous.basis.mailmap != basis.mailmap:
        return "the .mailmap has changed, and with it author names"
    return None


def _revisions(
    repo: git.Repo,
    root: Path,
    head: str,
    basis: Basis,
    previous: RepoHistory | None,
    verify: bool = False,
) -> tuple[tuple[Revision, ...], ReadStats]:
    """The revisions at `head`: `previous` reused or extended when it can be, else a full read.

    With `verify`, `previous` is first checked against git (`_unverified`): a history read from
    a file is a claim, not a fact."""
    if not basis.patterns:
        return (), ReadStats("full")
    pathspecs = _pathspecs(basis.prefix, basis.patterns)
    cards = _CardPaths(basis.prefix, basis.patterns)
    if previous is not None and (previous.head is None or previous.basis is None):
        previous = None  # git was not read then (no repository, no commits): nothing to reuse
    started = time.perf_counter()
    discarded = None if previous is None else _foreign(previous, root, basis)
    if previous is not None and discarded is None and verify:
        assert previous.head is not None  # checked above
        discarded = _unverified(repo, previous.revisions, previous.head, pathspecs, cards)
    if previous is not None and discarded is None:
        since = previous.head
        assert since is not None  # checked above
        if since == head:
            revisions, blobs, seconds = _with_texts(repo, previous.revisions)
            return revisions, ReadStats("unchanged", since, blobs=blobs, blob_seconds=seconds)
        discarded = _not_extensible(repo, since, head)
        if discarded is None:
            new = _read_revisions(repo, head, pathspecs, cards, since)
            if new is not None:
                log_seconds = time.perf_counter() - started
                revisions, blobs, seconds = _with_texts(repo, previous.revisions + new.revisions)
                return revisions, ReadStats(
                    "incremental",
                    since,
                    commits=new.commits,
                    revisions=len(new.revisions),
                    blobs=blobs,
                    log_seconds=log_seconds,
                    blob_seconds=seconds,
                )
            discarded = f"its HEAD {since[:8]} is not on the first-parent line of HEAD"
        started = time.perf_counter()  # the time of a discarded attempt is not the full read's
    full = _read_revisions(repo, head, pathspecs, cards)
    assert full is not None  # only a read `since` a commit can fail
    log_seconds = time.perf_counter() - started
    revisions, blobs, seconds = _with_texts(repo, full.revisions)
    return revisions, ReadStats(
        "full",
        discarded=discarded,
        commits=full.commits,
        revisions=len(revisions),
        blobs=blobs,
        log_seconds=log_seconds,
        blob_seconds=seconds,
    )


def _unverified(
    repo: git.Repo,
    revisions: tuple[Revision, ...],
    tip: str,
    pathspecs: list[str],
    cards: _CardPaths,
) -> str | None:
    """Why these revisions are not what git says up to `tip`; None when every part checks out.

    Two processes whatever the size. Every commit named (landing and authoring) is read again
    through `git log --no-walk --stdin`, with `.mailmap`, and must match in author, email,
    dates and subject. Every revision's blob must be what its landing commit holds at its path,
    and what the first parent of that commit holds there must be the path's previous blob: so a
    revision dropped, added or moved is found, because the chain of one path's blobs breaks.
    Last, the card paths at `tip` must be the ones the revisions leave.
    """
    named = {c.sha: c for r in revisions for c in (r.landed, r.authored)}
    with tempfile.TemporaryFile() as requests:
        requests.write("".join(f"{sha}\n" for sha in named).encode("ascii"))
        requests.seek(0)
        try:
            output = repo.git(c=list(_CONFIG)).log(
                "--no-walk=unsorted",
                "--stdin",
                "-z",
                "--no-color",
                "--encoding=UTF-8",
                f"--format={_FORMAT}",
                istream=requests,
                stdout_as_string=False,
            )
        except git.GitCommandError:
            return "a commit it names is not in the repository"
    assert isinstance(output, bytes)
    values: dict[str, Commit] = {}
    read = [_commit(entry, values) for entry in _parse_log([output], cards)]
    if len(read) != len(named) or any(_differs(named.get(c.sha), c) for c in read):
        return "its commits (authors, dates or subjects) are not git's"
    queries: list[tuple[str, str | None]] = []
    state: dict[str, str | None] = {}
    for revision in revisions:
        source = revision.renamed_from or revision.path
        queries.append((f"{revision.landed.sha}^:{source}", state.get(source)))
        queries.append((f"{revision.landed.sha}:{revision.path}", revision.blob))
        if revision.renamed_from:
            state[revision.renamed_from] = None
        state[revision.path] = revision.blob
    at_tip = _card_blobs(repo, tip, pathspecs, cards)
    if at_tip != {path: blob for path, blob in state.items() if blob is not None}:
        return f"the card files at its HEAD {tip[:8]} are not the ones its revisions leave"
    answers = _batch_check(repo, [query for query, _ in queries])
    for (query, expected), answer in zip(queries, answers, strict=True):
        if answer != expected:
            return f"its revisions do not match the repository (at `{_shown(query)}`)"
    return None


def _shown(query: str) -> str:
    """A `commit:path` query, with the commit shortened, for a message."""
    sha, _, path = query.partition(":")
    return f"{sha[:8]}{sha[40:]}:{path}"


def _differs(cached: Commit | None, actual: Commit) -> bool:
    if cached is None:
        return True
    return (
        cached.author,
        cached.email,
        cached.date.isoformat(),
        cached.committed.isoformat(),
        cached.subject,
    ) != (
        actual.author,
        actual.email,
        actual.date.isoformat(),
        actual.committed.isoformat(),
        actual.subject,
    )


def _batch_check(repo: git.Repo, queries: list[str]) -> list[str | None]:
    """The blob id each `commit:path` query names, or None where there is none."""
    if not queries:
        return []
    with tempfile.TemporaryFile() as requests:
        requests.write("".join(f"{q}\n" for q in queries).encode("utf-8", "surrogateescape"))
        requests.seek(0)
        output = repo.git.cat_file(
            "--batch-check=%(objectname) %(objecttype)",
            istream=requests,
            stdout_as_string=False,
        )
    assert isinstance(output, bytes)
    answers: list[str | None] = []
    for line in output.split(b"\n")[: len(queries)]:
        words = line.split(b" ")
        answers.append(words[0].decode("ascii") if words[-1:] == [b"blob"] else None)
    return answers


def _card_blobs(
    repo: git.Repo, tip: str, pathspecs: list[str], cards: _CardPaths
) -> dict[str, str]:
    """Blob id by card path at `tip` (regular files only, as the log reads them)."""
    output = repo.git.ls_tree(
        "-r", "-z", "--full-tree", tip, "--", *pathspecs, stdout_as_string=False
    )
    assert isinstance(output, bytes)
    out = {}
    for entry in output.split(b"\0"):
        if not entry:
            continue
        meta, _, raw = entry.partition(b"\t")
        mode, _, blob = meta.decode("ascii").split(" ")
        path = _decode_path(raw)
        if mode not in _ABSENT_MODES and path in cards:
            out[path] = blob
    return out


def _not_extensible(repo: git.Repo, since: str, head: str) -> str | None:
    """Why history up to `since` cannot be extended to `head`; None if `since` is an ancestor.

    `merge-base --is-ancestor` walks only the commits between the two: cheap, and it tells a
    rewritten history from a commit that is gone, where `git log since..head` would list a
    whole unrelated history before anyone noticed.
    """
    try:
        repo.git.merge_base("--is-ancestor", since, head)
    except git.GitCommandError as error:
        if error.status == 1:
            return (
                f"its HEAD {since[:8]} is not in the history of HEAD"
                " (history rewritten, or another branch)"
            )
        return f"its HEAD {since[:8]} is not in the repository any more"
    return None


def _with_texts(
    repo: git.Repo, revisions: tuple[Revision, ...]
) -> tuple[tuple[Revision, ...], int, float]:
    """`revisions` with the text of every version that has none yet; how many; the time taken.

    New revisions come without texts, and so may earlier ones whose version a partial clone
    could not fetch: one `cat-file` reads them all, and none when nothing is missing.
    """
    started = time.perf_counter()
    missing = {r.blob for r in revisions if r.text is None and r.blob is not None}
    if not missing:
        return revisions, 0, 0.0
    texts = _read_blobs(repo, missing)
    filled = tuple(
        Revision(r.path, texts.get(r.blob), r.blob, r.landed, r.authored, r.renamed_from)
        if r.text is None and r.blob is not None
        else r
        for r in revisions
    )
    return filled, len(missing), time.perf_counter() - started


def _mailmap_digest(repo: git.Repo, root: Path) -> str:
    """A digest of the mailmap files in effect, read without a git process.

    A `mailmap.blob` is digested by its name only: resolving it would take a process on every
    build for a setting that is almost never used.
    """
    with repo.config_reader() as config:
        file = str(config.get_value("mailmap", "file", ""))
        blob = str(config.get_value("mailmap", "blob", ""))
    digest = hashlib.sha256(f"{file}\0{blob}\0".encode())
    for path in [root / ".mailmap", *([root / Path(file).expanduser()] if file else [])]:
        try:
            # Bounded and without following a link: a committed `.mailmap -> /dev/zero`
            # (which git itself refuses to read) must not fill memory.
            digest.update(read_regular_file(path, _MAX_CONFIG_BYTES))
        except RefusedError as refused:
            digest.update(refused.kind.encode())
        digest.update(b"\0")
    return digest.hexdigest()


_MAX_CONFIG_BYTES = 16 << 20
"""The largest `.mailmap` or `.gitmodules` read (such files are a few kilobytes)."""


def _shallow_boundary(repo: git.Repo) -> list[str]:
    """The commits whose parents a shallow clone lacks (none: not shallow).

    The `shallow` file is what `git rev-parse --is-shallow-repository` reads; reading it here
    saves a process.
    """
    try:
        text = Path(repo.common_dir, "shallow").read_text(encoding="ascii")
    except (FileNotFoundError, NotADirectoryError):
        return []
    return text.split()


class _Settings(NamedTuple):
    promisor: str | None
    """The promisor remote of a partial clone (`extensions.partialClone`, `remote.*.promisor`)."""
    object_format: str
    """`sha1`, or `sha256` (which GitPython cannot read)."""


def _repository_settings(repo: git.Repo) -> _Settings:
    promisor, object_format = None, "sha1"
    with repo.config_reader("repository") as config:
        for section in config.sections():
            options = {name.lower(): str(value) for name, value in config.items(section)}
            if section.lower() == "extensions":
                promisor = promisor or options.get("partialclone") or None
                object_format = options.get("objectformat", object_format).lower()
            match = re.fullmatch(r'remote "(.*)"', section)
            if match and options.get("promisor", "").lower() in {"true", "yes", "on", "1"}:
                promisor = promisor or match[1]
    return _Settings(promisor, object_format)


def _author_date(repo: git.Repo, sha: str) -> datetime:
    # Through GitPython's persistent `cat-file`, closed with the repository; shallow clones only.
    commit = git.Commit(repo, bytes.fromhex(sha))
    try:
        return datetime.fromtimestamp(
            commit.authored_date, timezone(timedelta(seconds=-commit.author_tz_offset))
        )
    except (OverflowError, OSError, ValueError):  # a date no calendar holds: the latest
        return datetime.max.replace(tzinfo=timezone.utc)


def _incomplete_message(
    root: Path, before: datetime | None, promisor: str | None
) -> tuple[str, str]:
    problems, fixes = [], []
    if before is not None:
        problems.append(
            f"{root} is a shallow clone, so card history before {before:%Y-%m-%d} is missing"
        )
        fixes.append(
            "Fetch the whole history: `git fetch --unshallow` (GitHub Actions: `actions/checkout`"
            " with `fetch-depth: 0`; GitLab CI: `GIT_DEPTH: 0`)"
        )
    if promisor is not None:
        problems.append(
            f"{root} is a partial clone, so old card versions would be downloaded one by one"
            f" from the remote `{promisor}`, or be missing"
        )
        fixes.append(
            "Clone without `--filter` (GitHub Actions: leave `filter` unset in `actions/checkout`)"
        )
    return (
        f"{'; '.join(problems)}.",
        f"{'; '.join(fixes)}, or set `allow_incomplete_history: true` under the trl-cards "
        "plugin to build with a banner instead.",
    )


class _CardPaths:
    """Which repository paths are cards: the glob rules of card discovery, behind a cheap test.

    Most paths in a big history are not cards; testing the raw bytes for the literal end of the
    patterns (`TRL.md`) first spares decoding them and running the regex.
    """

    def __init__(self, prefix: str, patterns: Sequence[str]) -> None:
        globs = [pattern.lstrip("/") for pattern in patterns]
        alternatives = "|".join(glob_regex(g).pattern for g in globs) or "(?!)"
        self._regex = re.compile(f"{re.escape(prefix)}(?:{alternatives})")
        self._endings = tuple(re.split(r"[*?\]]", g)[-1].encode() for g in globs)

    def maybe(self, raw: bytes) -> bool:
        """False only when the raw path cannot be a card."""
        return raw.endswith(self._endings)

    def __contains__(self, path: str) -> bool:
        return self._regex.match(path) is not None


def _pathspecs(prefix: str, patterns: Sequence[str]) -> list[str]:
    """Literal directory pathspecs that contain every card path; empty for the whole repository.

    Glob pathspecs such as `:(glob)**/TRL.md` are the obvious choice but they make git run a
    wildcard match on every entry of every changed tree: 4x slower than no pathspec at all on a
    50,000-commit repository. The literal directory part of the patterns keeps the cheap pruning
    (a mkdocs project in one folder of a monorepo) and Python filters the exact card paths.
    """
    literal: set[str] = set()
    for pattern in patterns:
        directory = (prefix + literal_folder(pattern)).rstrip("/")
        if not directory:
            return []
        literal.add(directory)
    outermost = [d for d in literal if not any(d.startswith(o + "/") for o in literal)]
    return [f":(top,literal){d}" for d in sorted(outermost)]


# Fields of one commit record; \x1e and \x1f cannot occur in names, emails or dates, and the
# subject is last so that anything it contains stays in it.
_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%cI%x1f%s"
_RECORD = b"\x1e"
_FIELD = b"\x1f"

_LOG_OPTIONS = (
    "--root",
    "--raw",
    "-M",
    "--no-abbrev",
    "-z",
    "--no-color",
    "--encoding=UTF-8",
    f"--format={_FORMAT}",
)
# Configuration that would change what `_parse_log` expects (`--root` above stands for
# `log.showRoot=false`, which would hide the first commit's files).
_CONFIG = ("log.showSignature=false", "log.follow=false")

# No file; a symbolic link (its blob is the link's target, not a card); a submodule (its id
# is a commit of another repository, not a blob).
_ABSENT_MODES = frozenset({"000000", "120000", "160000"})


class _Change(NamedTuple):
    """A card path's new state in one commit (a deletion when `blob` is None)."""

    path: str
    blob: str | None
    renamed_from: str | None


class _Logged:
    """One commit of `git log` output, with its changes to card paths."""

    __slots__ = ("changes", "header", "parents", "sha")

    def __init__(self, header: bytes) -> None:
        self.header = header
        sha, parents, _ = header.split(_FIELD, 2)
        self.sha = sha.decode("ascii")
        self.parents = parents.decode("ascii").split()
        self.changes: list[_Change] = []

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


class _Read(NamedTuple):
    """Revisions from one `git log`, without their texts yet."""

    revisions: tuple[Revision, ...]
    commits: int
    """How many commits git listed."""


def _read_revisions(
    repo: git.Repo, head: str, pathspecs: list[str], cards: _CardPaths, since: str | None = None
) -> _Read | None:
    """Every change to a card path along the first-parent line of `head`, oldest first.

    One `git log` over the whole history, in topological order, gives both the changes and the
    commit graph. `--first-parent` would be cheaper when no merge brings card changes, but then
    finding the side-branch authors needs a second walk over everything, which costs more than
    this one walk (measured: 2.7 s of git time instead of 1.8 + 2.3 s on 50,000 commits).
    `--full-history --sparse` keeps the commits that touch no card when a pathspec is given, so
    that the graph has no holes; merges are diffed against their first parent.

    With `since`, an ancestor of `head`, only the commits that `since` does not reach are read,
    and only the changes that landed after it are returned: None when `since` is not on the
    first-parent line of `head`. The result is the tail a full read would have. Every commit
    that `since` reaches landed at or before it (landing claims whole ancestries, oldest
    first), so the new first-parent commits claim exactly the new commits; and git's
    topological order of the new commits is the same with or without the old ones after them,
    so `_side_authors` picks the same commits.
    """
    exclude = [f"^{since}"] if since else []
    logged = _git_log(
        repo,
        [
            "--full-history",
            "--sparse",
            "--topo-order",
            "--diff-merges=first-parent",
            head,
            *exclude,
        ],
        pathspecs,
        cards,
    )
    commits = {entry.sha: entry for entry in logged}
    line = _first_parent_line(head, commits)
    if since is not None and (not line or commits[line[0]].parents[:1] != [since]):
        return None
    landing = _landing_commits(line, commits)
    authors = _side_authors(logged, landing, {sha for sha in line if commits[sha].changes})
    values: dict[str, Commit] = {}
    revisions = []
    for sha in line:
        entry = commits[sha]
        if not entry.changes:
            continue  # most commits touch no card: decoding their header would be wasted
        landed = _commit(entry, values)
        for change in entry.changes:
            author = authors.get((sha, change.path, change.blob))
            revisions.append(
                Revision(
                    path=change.path,
                    text=None,  # read for all revisions at once by `_with_texts`
                    blob=change.blob,
                    landed=landed,
                    authored=_commit(author, values) if author else landed,
                    renamed_from=change.renamed_from,
                )
            )
    return _Read(tuple(revisions), len(logged))


def _first_parent_line(head: str, commits: dict[str, _Logged]) -> list[str]:
    """The first-parent line of `head`, oldest first (it ends early in a shallow clone)."""
    line = []
    sha: str | None = head
    while sha is not None and sha in commits:
        line.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else None
    line.reverse()
    return line


def _landing_commits(line: list[str], commits: dict[str, _Logged]) -> dict[str, str]:
    """Map each commit to the first commit of the first-parent `line` that reaches it."""
    landing: dict[str, str] = {}
    # Oldest first, so that what an earlier first-parent commit reaches is claimed before a
    # later merge walks into it: the claimed set stays closed under ancestry, and the walk from
    # each merge stops at it, so each commit is visited once.
    for tip in line:
        landing[tip] = tip
        stack = commits[tip].parents[1:]
        while stack:
            sha = stack.pop()
            if sha in landing or sha not in commits:
                continue
            landing[sha] = tip
            stack.extend(commits[sha].parents)
    return landing


def _side_authors(
    logged: list[_Logged], landing: dict[str, str], wanted: set[str]
) -> dict[tuple[str, str, str | None], _Logged]:
    """Map (merge, path, blob) to the side-branch commit that authored that card content.

    `logged` is in topological order, newest first, so the first side commit found for a
    (path, blob) is the latest to produce it, the one whose content the merge brought.
    Ordinary commits come before merges on the side branch: a merge of a sub-branch repeats its
    changes, but a merge that resolved a conflict in a card is the only one to make that text.
    """
    commits: dict[tuple[str, str, str | None], _Logged] = {}
    merges: dict[tuple[str, str, str | None], _Logged] = {}
    for entry in logged:
        tip = landing.get(entry.sha)
        if tip is None or tip == entry.sha or tip not in wanted:
            continue
        found = merges if entry.is_merge else commits
        for change in entry.changes:
            found.setdefault((tip, change.path, change.blob), entry)
            if change.renamed_from:
                found.setdefault((tip, change.renamed_from, None), entry)
    return {**merges, **commits}


def _git_log(
    repo: git.Repo, arguments: list[str], pathspecs: list[str], cards: _CardPaths
) -> list[_Logged]:
    return list(_parse_log(_git_output(repo, *_LOG_OPTIONS, *arguments, "--", *pathspecs), cards))


def _git_output(repo: git.Repo, *arguments: str) -> Iterator[bytes]:
    """The output of `git log`, chunk by chunk as git writes it.

    Parsing as the output arrives overlaps the Python work with git's (a third of the time on
    two cores). A thread drains stderr meanwhile: git warns there (rename limits, once per
    commit), and a full stderr pipe would block it forever.
    """
    process = repo.git(c=list(_CONFIG)).log(*arguments, as_process=True)
    errors: list[bytes] = []
    drain = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
    drain.start()
    complete = False
    try:
        # Whole blocks: reading whatever is there wakes Python up for every few hundred bytes.
        while chunk := process.stdout.read(1 << 16):
            yield chunk
        complete = True
    finally:
        if not complete:  # the reader gave up: stop git rather than let it fill the pipe
            process.proc.kill()
        drain.join()
        try:
            if complete:
                process.wait(stderr=b"".join(errors))  # raises GitCommandError if git failed
            else:
                process.proc.wait()
        finally:
            # GitPython closes the pipes only when the process object is collected; an open
            # pipe then is a ResourceWarning.
            process.stdout.close()
            process.stderr.close()


def _tokens(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """NUL-terminated tokens from a stream of chunks."""
    rest = b""
    for chunk in chunks:
        *tokens, rest = (rest + chunk).split(b"\0")
        yield from tokens
    if rest:
        yield rest


def _parse_log(chunks: Iterable[bytes], cards: _CardPaths) -> Iterator[_Logged]:
    """Parse `git log --raw -z` output, keeping only changes to card paths.

    With `-z`, the header ends in NUL, and each raw entry is `:modes ids status` NUL, then one
    path (two for a rename or copy), each NUL-terminated. Paths are taken by count rather than
    by their look, so a path may contain anything.
    """
    tokens = _tokens(chunks)
    entry: _Logged | None = None
    for token in tokens:
        if token[:1] == b"\n":
            token = token[1:]
        if token[:1] == b":" and entry is not None:
            status = token[token.rfind(b" ") + 1 :]
            source = destination = next(tokens, b"")
            if status[:1] in b"RC":
                destination = next(tokens, b"")
            if cards.maybe(source) or cards.maybe(destination):
                entry.changes.extend(_card_changes(token, source, destination, cards))
        elif token[:1] == _RECORD:
            if entry is not None:
                yield entry
            entry = _Logged(token[1:])
    if entry is not None:
        yield entry


def _card_changes(
    meta: bytes, source: bytes, destination: bytes, cards: _CardPaths
) -> list[_Change]:
    """The changes to card paths in one raw entry: none, one, or a deletion and an addition."""
    source_mode, destination_mode, _, blob, status = meta[1:].decode("ascii").split(" ")
    src, dst = _decode_path(source), _decode_path(destination)
    was = source_mode not in _ABSENT_MODES and src in cards
    now = destination_mode not in _ABSENT_MODES and dst in cards
    kind = status[0]
    if kind == "R" and was and now:
        return [_Change(dst, blob, src)]
    if kind in "RC":
        # Renamed or copied to or from a path that is not a card: for the cards that is a plain
        # addition or deletion (a copy leaves its source as it was).
        gone = [_Change(src, None, None)] if kind == "R" and was else []
        return [*gone, _Change(dst, blob, None)] if now else gone
    if now:
        return [_Change(dst, blob, None)]
    return [_Change(src, None, None)] if was else []


def _decode_path(raw: bytes) -> str:
    # The same decoding as `os.fsdecode` on POSIX, so a path matches the file found on disk.
    return raw.decode("utf-8", "surrogateescape")


def _commit(entry: _Logged, cache: dict[str, Commit]) -> Commit:
    if entry.sha not in cache:
        author, email, date, committed, subject = (
            clean_line(f.decode("utf-8", "replace")) for f in entry.header.split(_FIELD, 6)[2:]
        )
        cache[entry.sha] = Commit(
            sha=entry.sha,
            author=author,
            email=email,
            date=_date(date),
            committed=_date(committed),
            subject=subject,
        )
    return cache[entry.sha]


def _date(text: str) -> datetime:
    """A date as git writes it (`%aI`). Git stores any time at all, and one past the year
    9999 (`+275760-09-13T...`) is not a date Python can hold: it is the latest one that is
    (the clock moves every date into the span git can have written, with a warning)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.max.replace(tzinfo=timezone.utc)


def _read_blobs(repo: git.Repo, blobs: set[str]) -> dict[str, str | None]:
    """Contents of blobs, each read once, through one `git cat-file --batch`.

    All ids go in at once from a file, rather than one request and reply at a time through
    GitPython's persistent `cat-file` (`get_object_data`): half the time for 20,000 blobs.
    """
    if not blobs:
        return {}
    with tempfile.TemporaryFile() as requests:
        requests.write("".join(f"{blob}\n" for blob in blobs).encode("ascii"))
        requests.seek(0)
        output = repo.git.cat_file(
            "--batch", istream=requests, stdout_as_string=False, strip_newline_in_stdout=False
        )
    assert isinstance(output, bytes)  # stdout_as_string=False
    texts: dict[str, str | None] = {}
    position = 0
    while position < len(output):
        # `<id> <type> <size>` LF, the content, LF; or `<id> missing` LF (a partial clone whose
        # remote cannot be reached).
        end = output.index(b"\n", position)
        blob, *kind_size = output[position:end].decode("ascii").split(" ")
        if len(kind_size) != 2:
            texts[blob], position = None, end + 1
            continue
        size = int(kind_size[1])
        texts[blob] = output[end + 1 : end + 1 + size].decode("utf-8", "replace")
        position = end + 2 + size
    return texts
