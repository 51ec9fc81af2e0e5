"""Reading a repository's history (`read_history`): every change to a card path, in the order
it landed, and what the repository is (shallow, partial, its submodules and mailmap).

It reads history with the same few git processes
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
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from ..cards.border import RefusedError, read_regular_file
from .gitpython import UNAVAILABLE, git
from .reuse import revisions_at
from .revisions import Basis, Damage, HistoryError, RepoHistory, Revision

__all__ = ["read_history", "read_tags"]


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
    if UNAVAILABLE is not None:
        return RepoHistory(None, None, None, note=UNAVAILABLE)
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
    if UNAVAILABLE is not None:
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
    revisions, read = revisions_at(repo, root, head, basis, previous, verify)
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
