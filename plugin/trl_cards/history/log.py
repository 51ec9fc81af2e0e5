"""The one `git log` pass: every change to a card path along the first-parent line of HEAD,
with the commit that landed it and the one that authored it, from one process whatever the
size of the repository; and the card paths it keeps (`CardPaths`), behind a cheap test."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import NamedTuple

from ..cards.border import clean_line
from ..cards.globs import glob_regex, literal_folder
from .gitpython import git
from .revisions import Commit, Revision


class CardPaths:
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


def pathspecs(prefix: str, patterns: Sequence[str]) -> list[str]:
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
LOG_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%cI%x1f%s"
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
    f"--format={LOG_FORMAT}",
)
# Configuration that would change what `parse_log` expects (`--root` above stands for
# `log.showRoot=false`, which would hide the first commit's files).
GIT_CONFIG = ("log.showSignature=false", "log.follow=false")

# No file; a symbolic link (its blob is the link's target, not a card); a submodule (its id
# is a commit of another repository, not a blob).
ABSENT_MODES = frozenset({"000000", "120000", "160000"})


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


def read_revisions(
    repo: git.Repo, head: str, pathspecs: list[str], cards: CardPaths, since: str | None = None
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
        landed = commit_of(entry, values)
        for change in entry.changes:
            author = authors.get((sha, change.path, change.blob))
            revisions.append(
                Revision(
                    path=change.path,
                    text=None,  # read for all revisions at once by `with_texts`
                    blob=change.blob,
                    landed=landed,
                    authored=commit_of(author, values) if author else landed,
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
    repo: git.Repo, arguments: list[str], pathspecs: list[str], cards: CardPaths
) -> list[_Logged]:
    return list(parse_log(_git_output(repo, *_LOG_OPTIONS, *arguments, "--", *pathspecs), cards))


def _git_output(repo: git.Repo, *arguments: str) -> Iterator[bytes]:
    """The output of `git log`, chunk by chunk as git writes it.

    Parsing as the output arrives overlaps the Python work with git's (a third of the time on
    two cores). A thread drains stderr meanwhile: git warns there (rename limits, once per
    commit), and a full stderr pipe would block it forever.
    """
    process = repo.git(c=list(GIT_CONFIG)).log(*arguments, as_process=True)
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


def parse_log(chunks: Iterable[bytes], cards: CardPaths) -> Iterator[_Logged]:
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
    meta: bytes, source: bytes, destination: bytes, cards: CardPaths
) -> list[_Change]:
    """The changes to card paths in one raw entry: none, one, or a deletion and an addition."""
    source_mode, destination_mode, _, blob, status = meta[1:].decode("ascii").split(" ")
    src, dst = decode_path(source), decode_path(destination)
    was = source_mode not in ABSENT_MODES and src in cards
    now = destination_mode not in ABSENT_MODES and dst in cards
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


def decode_path(raw: bytes) -> str:
    # The same decoding as `os.fsdecode` on POSIX, so a path matches the file found on disk.
    return raw.decode("utf-8", "surrogateescape")


def commit_of(entry: _Logged, cache: dict[str, Commit]) -> Commit:
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
