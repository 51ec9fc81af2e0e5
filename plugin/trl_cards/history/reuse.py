"""Reading less: a history of an earlier build reused when HEAD has not moved, extended with
only the new commits when HEAD grew from it along the first-parent line, and, when it was read
from a file, verified against git first. Anything else is read in full: an earlier history is
never trusted beyond what git confirms."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .blobs import batch_check, card_blobs, with_texts
from .gitpython import git
from .log import GIT_CONFIG, LOG_FORMAT, CardPaths, commit_of, parse_log, read_revisions
from .log import pathspecs as card_pathspecs
from .revisions import Basis, Commit, ReadStats, RepoHistory, Revision


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


def revisions_at(
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
    pathspecs = card_pathspecs(basis.prefix, basis.patterns)
    cards = CardPaths(basis.prefix, basis.patterns)
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
            revisions, blobs, seconds = with_texts(repo, previous.revisions)
            return revisions, ReadStats("unchanged", since, blobs=blobs, blob_seconds=seconds)
        discarded = _not_extensible(repo, since, head)
        if discarded is None:
            new = read_revisions(repo, head, pathspecs, cards, since)
            if new is not None:
                log_seconds = time.perf_counter() - started
                revisions, blobs, seconds = with_texts(repo, previous.revisions + new.revisions)
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
    full = read_revisions(repo, head, pathspecs, cards)
    assert full is not None  # only a read `since` a commit can fail
    log_seconds = time.perf_counter() - started
    revisions, blobs, seconds = with_texts(repo, full.revisions)
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
    cards: CardPaths,
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
            output = repo.git(c=list(GIT_CONFIG)).log(
                "--no-walk=unsorted",
                "--stdin",
                "-z",
                "--no-color",
                "--encoding=UTF-8",
                f"--format={LOG_FORMAT}",
                istream=requests,
                stdout_as_string=False,
            )
        except git.GitCommandError:
            return "a commit it names is not in the repository"
    assert isinstance(output, bytes)
    values: dict[str, Commit] = {}
    read = [commit_of(entry, values) for entry in parse_log([output], cards)]
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
    at_tip = card_blobs(repo, tip, pathspecs, cards)
    if at_tip != {path: blob for path, blob in state.items() if blob is not None}:
        return f"the card files at its HEAD {tip[:8]} are not the ones its revisions leave"
    answers = batch_check(repo, [query for query, _ in queries])
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
