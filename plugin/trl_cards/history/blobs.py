"""The contents of card versions, each read once through one `git cat-file --batch`, and the
batch checks that verify what a previous history claims."""

from __future__ import annotations

import tempfile
import time

from .gitpython import git
from .log import ABSENT_MODES, CardPaths, decode_path
from .revisions import Revision


def batch_check(repo: git.Repo, queries: list[str]) -> list[str | None]:
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


def card_blobs(repo: git.Repo, tip: str, pathspecs: list[str], cards: CardPaths) -> dict[str, str]:
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
        path = decode_path(raw)
        if mode not in ABSENT_MODES and path in cards:
            out[path] = blob
    return out


def with_texts(
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
    texts = read_blobs(repo, missing)
    filled = tuple(
        Revision(r.path, texts.get(r.blob), r.blob, r.landed, r.authored, r.renamed_from)
        if r.text is None and r.blob is not None
        else r
        for r in revisions
    )
    return filled, len(missing), time.perf_counter() - started


def read_blobs(repo: git.Repo, blobs: set[str]) -> dict[str, str | None]:
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
