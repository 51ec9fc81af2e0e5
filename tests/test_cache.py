"""Incremental history: reusing and extending an earlier read, and the cache file that keeps it.

The rule every test here comes back to: whatever was given as the earlier history, the result
equals a full read of the repository as it is now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SiteRepo
from gitrepo import GitRepo, git_calls, git_shim
from sample_org import SampleSpec, generate_organisation
from trl_cards.history.cache import cache_file, load_history, read_history_cached, save_history
from trl_cards.history.codec import CacheError
from trl_cards.history.repository import read_history
from trl_cards.history.revisions import RepoHistory

CARDS = ("**/TRL.md", "**/TRL.yml", "**/TRL.yaml")


def card(card_id: str, level: int, body: str = "") -> str:
    """A card big enough for git's rename detection to pair its moves."""
    sections = "\n".join(
        f"## Section {n}\nThe component {card_id} does thing {n}." for n in range(8)
    )
    return f"---\nid: {card_id}\nname: Component {card_id}\nlevel: {level}\n---\n{sections}\n{body}"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def full_read(path: Path, patterns: tuple[str, ...] = CARDS) -> RepoHistory:
    history = read_history(path, patterns)
    assert history.read is not None and history.read.mode == "full"
    return history


def assert_same(incremental: RepoHistory, full: RepoHistory) -> None:
    """The incremental result is the full one, revision by revision."""
    assert len(incremental.revisions) == len(full.revisions)
    for number, (got, expected) in enumerate(
        zip(incremental.revisions, full.revisions, strict=True)
    ):
        assert got == expected, f"revision {number}"
    assert incremental == full


def linear(repo: GitRepo, levels: range = range(1, 4)) -> str:
    for level in levels:
        repo.write("a/TRL.md", card("A1", level))
        repo.commit(f"A1 to {level}")
    return repo.sha()


# Reuse and extension, in memory.


def test_unchanged_head_is_reused_without_git(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    head = linear(repo)
    first = full_read(repo.path)
    log = git_shim(tmp_path, monkeypatch)

    again = read_history(repo.path, CARDS, previous=first)

    assert again.read is not None
    assert (again.read.mode, again.read.since, again.read.commits) == ("unchanged", head, 0)
    assert again.revisions is first.revisions
    assert git_calls(log) == []
    assert_same(again, first)


def test_new_commits_only_are_read(repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cached_head = linear(repo)
    previous = full_read(repo.path)
    repo.write("src/code.py", "x = 1\n")
    repo.commit("Code only")
    repo.write("b/TRL.md", card("B1", 1))
    repo.commit("Add B1")
    log = git_shim(tmp_path, monkeypatch)

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None
    assert (history.read.mode, history.read.since) == ("incremental", cached_head)
    assert (history.read.commits, history.read.revisions, history.read.blobs) == (2, 1, 1)
    calls = git_calls(log)
    assert [call[0] for call in calls] == ["merge-base", "log", "cat-file"]
    assert calls[0][1:] == ["--is-ancestor", cached_head, history.head]
    assert f"^{cached_head}" in calls[1]
    assert calls[2][1] == "--batch"
    assert_same(history, full_read(repo.path))


def branchy_history(repo: GitRepo) -> list[str]:
    """Branches that start before and land after each other, renames, deletions, merges.

    Returns the first-parent line of main, oldest first: the places to cut the history at.
    """
    repo.write("a/TRL.md", card("A1", 1))
    repo.write("b/TRL.md", card("B1", 1))
    repo.write("c/TRL.yml", "id: C1\nlevel: 1\n")
    repo.commit("Add cards")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2 on topic, before the cut")
    repo.checkout("main")
    repo.write("b/TRL.md", card("B1", 2))
    repo.commit("B1 to 2 on main")
    repo.checkout("topic")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A1 to 3 on topic")
    repo.mv("c", "renamed c")
    repo.commit("Rename C1's folder on topic")
    repo.merge("main", "Sync topic with main")
    repo.checkout("main")
    repo.mv("b/TRL.md", "teams/b/TRL.md")
    repo.write("teams/b/TRL.md", card("B1", 3))
    repo.commit("Move B1 and raise it")
    repo.branch("side")
    repo.write("side/TRL.md", card("S1", 1))
    repo.commit("Add S1 on side")
    repo.checkout("main")
    repo.write("src/code.py", "x = 1\n")
    repo.commit("Work on main")
    repo.merge("topic", "Merge topic")
    repo.merge("side", "Merge side", commit=False)
    repo.write("evil/TRL.md", card("E1", 0))
    repo.commit("Merge side, and add E1")
    repo.rm("a")
    repo.commit("Retire A1")
    repo.write("a/TRL.md", card("A1", 4))
    repo.commit("A1 is back")
    return repo.git("rev-list", "--first-parent", "--reverse", "main").split()


def test_every_cut_of_a_branchy_history_extends_to_the_full_read(repo: GitRepo):
    line = branchy_history(repo)
    full = full_read(repo.path)
    assert [(r.path, r.landed.subject, r.authored.subject) for r in full.revisions] == [
        ("a/TRL.md", "Add cards", "Add cards"),
        ("b/TRL.md", "Add cards", "Add cards"),
        ("c/TRL.yml", "Add cards", "Add cards"),
        ("b/TRL.md", "B1 to 2 on main", "B1 to 2 on main"),
        ("teams/b/TRL.md", "Move B1 and raise it", "Move B1 and raise it"),
        ("a/TRL.md", "Merge topic", "A1 to 3 on topic"),
        ("renamed c/TRL.yml", "Merge topic", "Rename C1's folder on topic"),
        ("evil/TRL.md", "Merge side, and add E1", "Merge side, and add E1"),
        ("side/TRL.md", "Merge side, and add E1", "Add S1 on side"),
        ("a/TRL.md", "Retire A1", "Retire A1"),
        ("a/TRL.md", "A1 is back", "A1 is back"),
    ]
    assert len(line) == 8

    for cut in line[:-1]:
        repo.checkout(cut, detach=True)
        previous = full_read(repo.path)
        repo.checkout("main")

        history = read_history(repo.path, CARDS, previous=previous)

        assert history.read is not None
        assert (history.read.mode, history.read.since) == ("incremental", cut)
        assert_same(history, full)


def test_a_merge_after_the_cut_brings_work_authored_before_it(repo: GitRepo):
    line = branchy_history(repo)
    cut = line[1]  # "B1 to 2 on main": topic already has "A1 to 2" but has not landed
    repo.checkout(cut, detach=True)
    previous = full_read(repo.path)
    repo.checkout("main")

    history = read_history(repo.path, CARDS, previous=previous)

    merged = [r for r in history.revisions if r.landed.subject == "Merge topic"]
    assert [(r.path, r.authored.subject, r.renamed_from) for r in merged] == [
        ("a/TRL.md", "A1 to 3 on topic", None),
        ("renamed c/TRL.yml", "Rename C1's folder on topic", "c/TRL.yml"),
    ]
    assert_same(history, full_read(repo.path))


def test_sample_organisation_cut_anywhere_extends_to_the_full_read(tmp_path: Path):
    # Real-looking history: feature branches, merges, renames, retired cards.
    organisation = generate_organisation(
        tmp_path / "org", SampleSpec(cards=30, commits=800, seed=3)
    )
    sample = GitRepo(organisation.path, init=False)
    newest = sample.sha("main")
    line = sample.git("rev-list", "--first-parent", "main").split()
    full = full_read(sample.path)
    cache = cache_file(tmp_path / "site")
    merged = renamed = 0

    for back in (1, 7, 60, 300):
        older = line[back]
        sample.git("checkout", "-q", "-B", "main", older)
        assert save_history(cache, full_read(sample.path), allow_incomplete=False)
        sample.git("reset", "-q", "--hard", newest)

        history = read_history(sample.path, CARDS, previous=load_history(cache))

        assert history.read is not None
        assert history.read.mode == "incremental"
        assert history.read.commits == int(sample.git("rev-list", "--count", f"{older}..main"))
        assert_same(history, full)
        new = history.revisions[len(history.revisions) - history.read.revisions :]
        merged += sum(r.authored is not r.landed for r in new)
        renamed += sum(r.renamed_from is not None for r in new)
    assert merged and renamed  # the cuts did have branch work and renames landing after them


# Earlier histories that must not be trusted.


def test_amended_head_is_read_in_full(repo: GitRepo):
    linear(repo)
    previous = full_read(repo.path)
    repo.write("a/TRL.md", card("A1", 9))
    repo.git("commit", "-q", "--amend", "-a", "-m", "A1 to 9 instead", env=repo.env())

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None
    assert history.read.mode == "full"
    assert history.read.discarded == (
        f"its HEAD {previous.head and previous.head[:8]} is not in the history of HEAD"
        " (history rewritten, or another branch)"
    )
    assert history.revisions[-1].text == card("A1", 9)
    assert_same(history, full_read(repo.path))


def test_reset_to_an_older_commit_is_read_in_full(repo: GitRepo):
    linear(repo)
    previous = full_read(repo.path)
    repo.git("reset", "-q", "--hard", "HEAD~1")

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded is not None
    assert "is not in the history of HEAD" in history.read.discarded
    assert len(history.revisions) == 2
    assert_same(history, full_read(repo.path))


def test_a_head_that_no_longer_exists_is_read_in_full(repo: GitRepo):
    linear(repo)
    previous = full_read(repo.path)
    repo.git("commit", "-q", "--amend", "-m", "Reworded", env=repo.env())
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded == (
        f"its HEAD {previous.head and previous.head[:8]} is not in the repository any more"
    )
    assert_same(history, full_read(repo.path))


def test_a_head_merged_in_from_a_branch_is_read_in_full(repo: GitRepo):
    # The earlier HEAD is an ancestor, but on a side branch: its revisions landed elsewhere.
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2 on topic")
    previous = full_read(repo.path)
    repo.checkout("main")
    repo.merge("topic", "Merge topic")

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded is not None
    assert "is not on the first-parent line of HEAD" in history.read.discarded
    assert history.revisions[-1].landed.subject == "Merge topic"
    assert_same(history, full_read(repo.path))


def test_another_repository_is_read_in_full(repo: GitRepo, tmp_path: Path):
    linear(repo)
    other = GitRepo(tmp_path / "other")
    linear(other)
    previous = full_read(other.path)

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded == f"it is the history of another repository ({other.path})"
    assert_same(history, full_read(repo.path))


def test_other_card_patterns_are_read_in_full(repo: GitRepo):
    linear(repo)
    repo.write("b/TRL.yml", "id: B1\nlevel: 1\n")
    repo.commit("Add B1")
    previous = full_read(repo.path, ("**/TRL.md",))

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded == "it was read for other card patterns"
    assert [r.path for r in history.revisions][-1] == "b/TRL.yml"


def test_a_changed_mailmap_is_read_in_full(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1", author=("ada", "ada@old.example.org"))
    previous = full_read(repo.path)
    repo.write(".mailmap", "Ada Lovelace <ada@example.org> <ada@old.example.org>\n")

    history = read_history(repo.path, CARDS, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded == "the .mailmap has changed, and with it author names"
    assert history.revisions[0].landed.author == "Ada Lovelace"


def test_a_deepened_shallow_clone_is_read_in_full(repo: GitRepo, tmp_path: Path):
    linear(repo, range(1, 6))
    clone = repo.clone(tmp_path / "clone", "--depth", "2")
    previous = read_history(clone.path, CARDS, allow_incomplete=True)
    clone.git("fetch", "-q", "--deepen", "2")

    history = read_history(clone.path, CARDS, allow_incomplete=True, previous=previous)

    assert history.read is not None and history.read.mode == "full"
    assert history.read.discarded == "the shallow clone's boundary has moved"
    assert len(history.revisions) == 4


def test_a_history_without_git_is_no_earlier_history(repo: GitRepo):
    linear(repo)
    nothing = RepoHistory(None, None, None, note="history is turned off")

    history = read_history(repo.path, CARDS, previous=nothing)

    assert history.read is not None
    assert (history.read.mode, history.read.discarded) == ("full", None)


def test_a_shallow_clone_is_refused_even_when_its_history_is_cached(repo: GitRepo, tmp_path: Path):
    linear(repo)
    clone = repo.clone(tmp_path / "clone", "--depth", "2")
    previous = read_history(clone.path, CARDS, allow_incomplete=True)

    with pytest.raises(Exception, match="is a shallow clone"):
        read_history(clone.path, CARDS, previous=previous)


# The cache file.


def test_cache_file_round_trip(repo: GitRepo, tmp_path: Path):
    line = branchy_history(repo)
    history = full_read(repo.path)
    path = cache_file(tmp_path / "site")

    assert save_history(path, history, allow_incomplete=False)
    loaded = load_history(path)

    assert path == tmp_path / "site" / ".cache" / "plugin" / "trl-cards" / "history.json"
    assert loaded is not None
    assert (loaded.root, loaded.head, loaded.branch, loaded.basis) == (
        repo.path,
        line[-1],
        "main",
        history.basis,
    )
    assert loaded.revisions == history.revisions
    # Commits are stored once, and come back as one object, as `read_history` makes them.
    by_sha = {}
    for revision in loaded.revisions:
        for commit in (revision.landed, revision.authored):
            assert by_sha.setdefault(commit.sha, commit) is commit
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == 1
    assert data["allow_incomplete"] is False
    assert len(data["texts"]) == len({r.blob for r in history.revisions if r.blob})
    assert sorted(p.name for p in path.parent.iterdir()) == [".gitignore", "history.json"]


def test_cache_folder_ignores_itself(repo: GitRepo):
    linear(repo)
    history = full_read(repo.path)

    save_history(cache_file(repo.path), history, allow_incomplete=False)

    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""


def test_nothing_to_cache_without_history(tmp_path: Path):
    path = cache_file(tmp_path)

    assert not save_history(path, RepoHistory(None, None, None), allow_incomplete=False)
    assert not path.parent.exists()
    assert load_history(path) is None


def test_cache_write_failure_raises_and_leaves_nothing(repo: GitRepo, tmp_path: Path):
    linear(repo)
    (tmp_path / ".cache").write_text("a file where the folder should be")

    with pytest.raises(OSError):
        save_history(cache_file(tmp_path), full_read(repo.path), allow_incomplete=False)


def corrupt_variants() -> dict[str, tuple[object, str]]:
    """How a cache can be damaged: (change to the document, start of the reason)."""
    return {
        "format": ({"format": 0}, "format 0, this version of the plugin writes 1"),
        "no format": ({"format": None}, "format None"),
        "reader": (
            {"reader": "0" * 16},
            "written by another version of the plugin's history reader",
        ),
        "wrong type": ({"revisions": {}}, "`revisions` is dict, not list"),
        "bool for str": ({"head": True}, "`head` is bool, not str"),
        "bad sha": ({"head": "HEAD"}, "head: 'HEAD' is not a commit or blob id"),
        "short row": ({"revisions": [["a/TRL.md"]]}, "revision 0 has 1 fields, not 5"),
        "dangling": (
            {"revisions": [["a/TRL.md", None, "1" * 40, "1" * 40, None]]},
            f"revision 0 names commit {'1' * 40}, which the file does not hold",
        ),
        "date": ({"commits": {"2" * 40: ["a", "b", "yesterday", "c", "d"]}}, f"commit {'2' * 40}"),
        "missing": ({"mailmap": ...}, "`mailmap` is missing"),
    }


@pytest.mark.parametrize("variant", sorted(corrupt_variants()))
def test_damaged_cache_is_rejected_and_deleted(repo: GitRepo, tmp_path: Path, variant: str):
    linear(repo)
    path = cache_file(tmp_path)
    save_history(path, full_read(repo.path), allow_incomplete=False)
    change, reason = corrupt_variants()[variant]
    assert isinstance(change, dict)
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in change.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CacheError) as error:
        load_history(path)

    assert str(error.value).startswith(reason)
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"\xff\xfe", b"[1, 2]", b"null"],
    ids=["empty", "truncated", "bytes", "list", "null"],
)
def test_unreadable_cache_is_rejected_and_deleted(tmp_path: Path, content: bytes):
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    with pytest.raises(CacheError):
        load_history(path)

    assert not path.exists()


def test_truncated_cache_is_rejected(repo: GitRepo, tmp_path: Path):
    linear(repo)
    path = cache_file(tmp_path)
    save_history(path, full_read(repo.path), allow_incomplete=False)
    path.write_bytes(path.read_bytes()[:-100])

    with pytest.raises(CacheError, match=r"^not JSON"):
        load_history(path)


def test_a_text_that_is_not_its_blob_is_read_again(repo: GitRepo, tmp_path: Path):
    linear(repo)
    history = full_read(repo.path)
    path = cache_file(tmp_path)
    save_history(path, history, allow_incomplete=False)
    data = json.loads(path.read_text(encoding="utf-8"))
    blob = history.revisions[0].blob
    data["texts"][blob] = data["texts"][blob].replace("level: 1", "level: 9")
    path.write_text(json.dumps(data), encoding="utf-8")

    loaded = load_history(path)
    assert loaded is not None
    assert loaded.revisions[0].text is None
    again = read_history(repo.path, CARDS, previous=loaded)

    assert again.read is not None
    assert (again.read.mode, again.read.blobs) == ("unchanged", 1)
    assert_same(again, history)


def test_cards_that_are_not_utf8_survive_the_cache(repo: GitRepo, tmp_path: Path):
    (repo.path / "a").mkdir()
    (repo.path / "a/TRL.md").write_bytes(b"---\nid: A1\nname: caf\xe9\n---\n")
    repo.commit("Latin-1 card")
    odd = "équipe/naïve ✓/TRL.md"
    repo.write(odd, card("U1", 1))
    repo.commit("Unicode path")
    history = full_read(repo.path)
    path = cache_file(tmp_path)
    save_history(path, history, allow_incomplete=False)

    loaded = load_history(path)

    assert loaded is not None
    assert [r.path for r in loaded.revisions] == ["a/TRL.md", odd]
    assert_same(read_history(repo.path, CARDS, previous=loaded), history)


# The plugin: `mkdocs build` and `mkdocs serve`.


def test_builds_reuse_then_extend_the_cache(
    site_repo: SiteRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    first = site_repo.commit("Add A1")
    cold = site_repo.build(strict=True)
    cache = cache_file(site_repo.path)
    assert cold.returncode == 0, cold.log
    assert "Read 1 commit(s), 1 card revision(s) in" in cold.log
    assert cache.is_file()

    log = git_shim(tmp_path, monkeypatch)
    warm = site_repo.build(strict=True)
    assert warm.returncode == 0, warm.log
    assert f"History unchanged at {first[:8]}: reused (cache, " in warm.log
    # A cache file is a claim: it is verified against git, in three processes whatever its size.
    verified = [c[0] for c in git_calls(log) if c[0] in {"log", "cat-file", "ls-tree"}]
    assert verified == ["log", "ls-tree", "cat-file"]

    site_repo.write("cards/a/TRL.md", card("A1", 2))
    site_repo.commit("A1 to 2")
    log.unlink()
    grown = site_repo.build(strict=True)
    assert grown.returncode == 0, grown.log
    assert f"Read 1 new commit(s) since {first[:8]} (cache, " in grown.log
    assert "1 card revision(s) in" in grown.log
    calls = [c[0] for c in git_calls(log) if c[0] in {"merge-base", "log", "cat-file", "ls-tree"}]
    assert calls == ["log", "ls-tree", "cat-file", "merge-base", "log", "cat-file"]
    assert ".cache" not in site_repo.git("status", "--porcelain")  # the cache ignores itself

    site_repo.configure("      cache: false\n")
    fresh = site_repo.build(strict=True)
    assert fresh.returncode == 0, fresh.log
    assert without_generated(grown.cards_json()) == without_generated(fresh.cards_json())


def without_generated(data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if key != "generated"}


def test_build_with_a_damaged_cache_reads_everything(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    site_repo.commit("Add A1")
    cache = cache_file(site_repo.path)
    cache.parent.mkdir(parents=True)
    cache.write_text('{"format": 1, "root": ', encoding="utf-8")

    build = site_repo.build(strict=True)

    assert build.returncode == 0, build.log
    assert "History cache discarded, reading all of history: not JSON" in build.log
    assert "Read 1 commit(s), 1 card revision(s)" in build.log
    assert load_history(cache) is not None


def test_build_after_a_rewrite_reads_everything(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    site_repo.commit("Add A1")
    site_repo.write("cards/a/TRL.md", card("A1", 2))
    amended = site_repo.commit("A1 to 2")
    assert site_repo.build().returncode == 0
    site_repo.git("commit", "-q", "--amend", "-m", "A1 to 2, reworded", env=site_repo.env())

    build = site_repo.build(strict=True)

    assert build.returncode == 0, build.log
    assert (
        "History not reused (cache, " in build.log
        and f"its HEAD {amended[:8]} is not in the history of HEAD" in build.log
    )
    assert "Read 2 commit(s), 2 card revision(s)" in build.log


def test_build_goes_on_when_the_cache_cannot_be_written(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    site_repo.commit("Add A1")
    (site_repo.path / ".cache").write_text("not a folder")

    build = site_repo.build(strict=True)

    assert build.returncode == 0, build.log
    assert "Cannot keep the history cache in" in build.log


# What `mkdocs serve` does: one config load and `on_startup`, then a build per change, with
# the configuration loaded again each time (see mkdocs/commands/serve.py).
SERVE = """
import logging, pathlib, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stdout)
calls = pathlib.Path(sys.argv[1])
config = load_config("mkdocs.yml")
config.plugins.on_startup(command="serve", dirty=False)
build(config)
with calls.open("a") as file:
    file.write("-- rebuild\\n")
build(load_config("mkdocs.yml"))
"""


def test_serve_rebuilds_reuse_the_history_in_memory(
    site_repo: SiteRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site_repo.configure("      cache: false\n")
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    head = site_repo.commit("Add A1")
    log = git_shim(tmp_path, monkeypatch)

    result = subprocess.run(
        [sys.executable, "-c", SERVE, str(log)],
        cwd=site_repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    first, rebuild = result.stdout.split(f"History unchanged at {head[:8]}")
    assert "Read 1 commit(s), 1 card revision(s)" in first
    assert rebuild.startswith(": reused (previous build).")
    calls = log.read_text().split("-- rebuild\n")
    assert "log" in calls[0]
    assert calls[1] == ""  # no git process at all
    assert not (site_repo.path / ".cache").exists()  # `cache: false`


def _edited(data: dict, how: str) -> None:
    """Edit a cache file's content as a hand (or a poisoned CI cache) might."""
    if how == "invented author":
        first = next(iter(data["commits"]))
        data["commits"][first][0] = "Mallory"
    elif how == "shifted date":
        first = next(iter(data["commits"]))
        data["commits"][first][3] = "2020-01-01T00:00:00+00:00"
    elif how == "dropped revision":
        del data["revisions"][1]
    elif how == "duplicated revision":
        data["revisions"].insert(1, list(data["revisions"][1]))
    elif how == "swapped blob":
        # Two real blobs of the file, their texts consistent: only the chain can tell.
        first, second = data["revisions"][0], data["revisions"][1]
        first[1], second[1] = second[1], first[1]
    elif how == "renamed path":
        data["revisions"][0][0] = "z/TRL.md"


@pytest.mark.parametrize(
    "how",
    [
        "invented author",
        "shifted date",
        "dropped revision",
        "duplicated revision",
        "swapped blob",
        "renamed path",
    ],
)
def test_a_hand_edited_cache_at_the_same_head_is_not_believed(
    repo: GitRepo, tmp_path: Path, how: str
):
    linear(repo, range(1, 5))
    path = cache_file(tmp_path)
    full = full_read(repo.path)
    save_history(path, full, allow_incomplete=False)
    data = json.loads(path.read_text(encoding="utf-8"))
    _edited(data, how)
    path.write_text(json.dumps(data), encoding="utf-8")
    said: list[str] = []

    history = read_history_cached(
        repo.path, CARDS, allow_incomplete=False, previous=None, cache=path, report=said.append
    )

    assert history.read is not None and history.read.mode == "full", said
    assert any(line.startswith("History not reused (cache") for line in said), said
    assert_same(history, full)


def test_an_honest_cache_passes_verification_with_two_git_processes(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    branchy_history(repo)
    path = cache_file(tmp_path)
    save_history(path, full_read(repo.path), allow_incomplete=False)
    log = git_shim(tmp_path, monkeypatch)

    history = read_history_cached(
        repo.path, CARDS, allow_incomplete=False, previous=None, cache=path, report=lambda _: None
    )

    assert history.read is not None and history.read.mode == "unchanged"
    commands = [call[0] for call in git_calls(log)]
    assert commands.count("log") == 1  # the commits, read again with --no-walk
    assert commands.count("cat-file") <= 2  # the blob chain (and texts, when any is missing)
