"""History of card files read from real git repositories built in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from gitrepo import ADA, START, GitRepo, git_shim
from trl_cards.history.repository import read_history
from trl_cards.history.revisions import HistoryError, RepoHistory, Revision

CARDS = ("**/TRL.md", "**/TRL.yml", "**/TRL.yaml")
BOB = ("Bob Builder", "bob@example.org")


def card(card_id: str, level: int, body: str = "") -> str:
    """A card big enough for git's rename detection to pair its moves."""
    sections = "\n".join(
        f"## Section {n}\nThe component {card_id} does thing {n}." for n in range(8)
    )
    return f"---\nid: {card_id}\nname: Component {card_id}\nlevel: {level}\n---\n{sections}\n{body}"


def summary(history: RepoHistory) -> list[tuple[str, str, str, str | None]]:
    """(path, landed subject, authored subject, renamed_from) of each revision."""
    return [
        (r.path, r.landed.subject, r.authored.subject, r.renamed_from) for r in history.revisions
    ]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def test_linear_history(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.write("b/TRL.yml", "id: B1\nlevel: 3\n")
    repo.write("src/main.py", "print('hi')\n")
    first = repo.commit("Add cards", author=BOB)
    repo.write("src/main.py", "print('hello')\n")
    repo.commit("Change code only")
    repo.write("a/TRL.md", card("A1", 2))
    second = repo.commit("Raise A1")

    history = read_history(repo.path, CARDS)

    assert history.root == repo.path
    assert history.head == second
    assert history.branch == "main"
    assert (history.shallow, history.partial, history.incomplete_before, history.note) == (
        False,
        False,
        None,
        None,
    )
    assert summary(history) == [
        ("a/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.yml", "Add cards", "Add cards", None),
        ("a/TRL.md", "Raise A1", "Raise A1", None),
    ]
    added, yml, raised = history.revisions
    assert added.text == card("A1", 1)
    assert added.blob == repo.blob(first, "a/TRL.md")
    assert yml.text == "id: B1\nlevel: 3\n"
    assert raised.text == card("A1", 2)
    assert raised.landed is raised.authored
    assert added.landed.sha == first
    assert added.landed.author == BOB[0]
    assert added.landed.email == BOB[1]
    assert added.landed.date == START
    assert added.landed.committed == START
    assert raised.landed.sha == second
    assert raised.landed.date == START + timedelta(minutes=2)


def test_rename_with_edit(repo: GitRepo):
    repo.write("old/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.mv("old/TRL.md", "new place/TRL.md")
    repo.write("new place/TRL.md", card("A1", 2))
    repo.commit("Move and raise A1")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("old/TRL.md", "Add A1", "Add A1", None),
        ("new place/TRL.md", "Move and raise A1", "Move and raise A1", "old/TRL.md"),
    ]
    assert history.revisions[1].text == card("A1", 2)


def test_tiny_card_moved_with_edit_is_a_deletion_and_an_addition(repo: GitRepo):
    # Too small for git to find the two versions similar: it reports a delete and an add, and
    # both must be there for the card id to join them.
    repo.write("a/TRL.yml", "id: A1\nlevel: 1\n")
    repo.commit("Add A1")
    repo.mv("a/TRL.yml", "b/TRL.yml")
    repo.write("b/TRL.yml", "id: A1\nlevel: 2\n")
    repo.commit("Move A1")

    history = read_history(repo.path, CARDS)

    assert [
        (r.path, r.text, r.blob is None, r.renamed_from, r.landed.subject)
        for r in history.revisions
    ] == [
        ("a/TRL.yml", "id: A1\nlevel: 1\n", False, None, "Add A1"),
        ("a/TRL.yml", None, True, None, "Move A1"),
        ("b/TRL.yml", "id: A1\nlevel: 2\n", False, None, "Move A1"),
    ]


def test_card_moved_to_a_non_card_path_is_a_deletion(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.mv("a/TRL.md", "a/README.md")
    repo.commit("No longer a card")
    repo.mv("a/README.md", "b/TRL.md")
    repo.commit("A card again")

    history = read_history(repo.path, CARDS)

    assert [(r.path, r.text is None, r.renamed_from) for r in history.revisions] == [
        ("a/TRL.md", False, None),
        ("a/TRL.md", True, None),
        ("b/TRL.md", False, None),
    ]


def test_branches_land_at_their_merges_in_merge_order(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.write("b/TRL.md", card("B1", 1))
    repo.commit("Add cards")
    repo.branch("feature/a")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2")
    repo.write("a/TRL.md", card("A1", 3))
    a3 = repo.commit("A1 to 3")
    repo.checkout("main")
    repo.branch("feature/b")
    repo.write("b/TRL.md", card("B1", 4))
    b4 = repo.commit("B1 to 4")
    repo.checkout("main")
    repo.write("src/code.py", "x = 1\n")
    repo.commit("Work on main")
    merge_b = repo.merge("feature/b", "Merge B")  # the branch made last lands first
    merge_a = repo.merge("feature/a", "Merge A")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.md", "Merge B", "B1 to 4", None),
        ("a/TRL.md", "Merge A", "A1 to 3", None),
    ]
    b_rev, a_rev = history.revisions[2:]
    assert (b_rev.landed.sha, b_rev.authored.sha) == (merge_b, b4)
    assert (a_rev.landed.sha, a_rev.authored.sha) == (merge_a, a3)
    assert a_rev.text == card("A1", 3)


def test_merge_of_a_branch_that_merged_main_in(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.write("b/TRL.md", card("B1", 1))
    repo.commit("Add cards")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2 on topic")
    repo.checkout("main")
    repo.write("b/TRL.md", card("B1", 2))
    repo.commit("B1 to 2 on main")
    repo.checkout("topic")
    repo.merge("main", "Sync topic with main")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A1 to 3 on topic")
    repo.checkout("main")
    repo.merge("topic", "Merge topic")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.md", "B1 to 2 on main", "B1 to 2 on main", None),
        ("a/TRL.md", "Merge topic", "A1 to 3 on topic", None),
    ]


def test_same_content_merged_twice_is_authored_by_the_later_branch(repo: GitRepo):
    # The same blob at the same path comes from two branches: only the commit graph tells
    # which one the second merge brought.
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("first")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2, first try")
    repo.checkout("main")
    repo.merge("first", "Merge first")
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Revert A1 to 1")
    repo.branch("second")
    repo.write("a/TRL.md", card("A1", 2))
    second = repo.commit("A1 to 2, second try", date="2023-06-01T00:00:00+00:00")
    repo.checkout("main")
    repo.merge("second", "Merge second")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add A1", "Add A1", None),
        ("a/TRL.md", "Merge first", "A1 to 2, first try", None),
        ("a/TRL.md", "Revert A1 to 1", "Revert A1 to 1", None),
        ("a/TRL.md", "Merge second", "A1 to 2, second try", None),
    ]
    assert history.revisions[1].blob == history.revisions[3].blob
    assert history.revisions[3].authored.sha == second


def test_rename_and_deletion_on_a_branch(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.write("b/TRL.md", card("B1", 1))
    repo.commit("Add cards")
    repo.branch("cleanup")
    repo.mv("a/TRL.md", "renamed/TRL.md")
    repo.commit("Rename A1's folder")
    repo.rm("b")
    repo.commit("Retire B1")
    repo.checkout("main")
    repo.merge("cleanup", "Merge cleanup")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.md", "Add cards", "Add cards", None),
        ("b/TRL.md", "Merge cleanup", "Retire B1", None),
        ("renamed/TRL.md", "Merge cleanup", "Rename A1's folder", "a/TRL.md"),
    ]
    assert history.revisions[2].text is None


def test_sub_branch_merged_into_a_branch(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("feature")
    repo.branch("feature-part")
    repo.write("a/TRL.md", card("A1", 2))
    part = repo.commit("A1 to 2 on the sub-branch")
    repo.checkout("feature")
    repo.merge("feature-part", "Merge the part into feature")
    repo.checkout("main")
    repo.merge("feature", "Merge feature")

    history = read_history(repo.path, CARDS)

    assert summary(history)[1:] == [
        ("a/TRL.md", "Merge feature", "A1 to 2 on the sub-branch", None)
    ]
    assert history.revisions[1].authored.sha == part


def test_conflict_resolved_on_the_branch_is_authored_by_that_merge(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2 on topic")
    repo.checkout("main")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A1 to 3 on main")
    repo.checkout("topic")
    repo.merge("main", "Sync topic, keep 4", commit=False)
    repo.write("a/TRL.md", card("A1", 4))
    repo.commit("Sync topic, keep 4")
    repo.checkout("main")
    repo.merge("topic", "Merge topic")

    history = read_history(repo.path, CARDS)

    assert summary(history)[2:] == [("a/TRL.md", "Merge topic", "Sync topic, keep 4", None)]
    assert history.revisions[2].text == card("A1", 4)


def test_octopus_merge(repo: GitRepo):
    repo.write("src/code.py", "x = 1\n")
    repo.commit("Start")
    for name in ("one", "two"):
        repo.branch(name, "main")
        repo.write(f"{name}/TRL.md", card(name.upper(), 1))
        repo.commit(f"Add {name}")
    repo.checkout("main")
    repo.write("src/code.py", "x = 2\n")
    repo.commit("Work on main")
    repo.git("merge", "-q", "-m", "Octopus", "one", "two", env=repo.env())

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("one/TRL.md", "Octopus", "Add one", None),
        ("two/TRL.md", "Octopus", "Add two", None),
    ]


def test_unrelated_history_merged_in(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.git("checkout", "-q", "--orphan", "imported")
    repo.git("rm", "-q", "-r", "--cached", ".")
    (repo.path / "a/TRL.md").unlink()
    repo.write("b/TRL.md", card("B1", 5))
    repo.commit("B1 in another repository")
    repo.checkout("main")
    repo.git(
        "merge", "-q", "--allow-unrelated-histories", "-m", "Import B1", "imported", env=repo.env()
    )

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add A1", "Add A1", None),
        ("b/TRL.md", "Import B1", "B1 in another repository", None),
    ]


def test_rebased_branch_lands_commit_by_commit(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A1 to 3")
    repo.checkout("main")
    repo.write("src/code.py", "x = 1\n")
    repo.commit("Work on main")
    repo.checkout("topic")
    tip = repo.rebase("main")
    repo.checkout("main")
    repo.merge("topic", no_ff=False)  # fast-forward: no merge commit

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add A1", "Add A1", None),
        ("a/TRL.md", "A1 to 2", "A1 to 2", None),
        ("a/TRL.md", "A1 to 3", "A1 to 3", None),
    ]
    assert history.revisions[2].landed.sha == tip
    assert history.head == tip


def test_squash_merge_lands_as_one_commit(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A1 to 3")
    repo.checkout("main")
    squash = repo.merge("topic", "Raise A1 (#12)", squash=True)

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add A1", "Add A1", None),
        ("a/TRL.md", "Raise A1 (#12)", "Raise A1 (#12)", None),
    ]
    assert history.revisions[1].landed.sha == squash
    assert history.revisions[1].text == card("A1", 3)


def test_card_deleted_and_restored(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 4))
    added = repo.commit("Add A1")
    repo.rm("a/TRL.md")
    repo.commit("Delete A1")
    repo.write("a/TRL.md", card("A1", 4))
    repo.commit("Restore A1")

    history = read_history(repo.path, CARDS)

    assert [(r.path, r.landed.subject, r.blob, r.text is None) for r in history.revisions] == [
        ("a/TRL.md", "Add A1", repo.blob(added, "a/TRL.md"), False),
        ("a/TRL.md", "Delete A1", None, True),
        ("a/TRL.md", "Restore A1", repo.blob(added, "a/TRL.md"), False),
    ]


def test_card_added_in_a_merge_commit(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.branch("topic")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2")
    repo.checkout("main")
    repo.write("src/code.py", "x = 1\n")
    repo.commit("Work on main")
    repo.merge("topic", commit=False)
    repo.write("evil/TRL.md", card("E1", 0))
    merge = repo.commit("Merge topic, and add E1")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("a/TRL.md", "Add A1", "Add A1", None),
        ("a/TRL.md", "Merge topic, and add E1", "A1 to 2", None),
        ("evil/TRL.md", "Merge topic, and add E1", "Merge topic, and add E1", None),
    ]
    assert history.revisions[2].landed.sha == merge
    assert history.revisions[2].authored is history.revisions[2].landed


def test_odd_time_zones_and_committer_dates_going_backwards(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Kathmandu", date="2024-03-01T09:00:00+05:45")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("Marquesas", date="2024-01-01T09:00:00-09:30")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit(
        "Author later, committer earlier",
        date="2024-05-01T00:00:00+00:00",
        committer_date="2023-12-31T23:00:00+14:00",
    )

    history = read_history(repo.path, CARDS)

    assert [r.landed.subject for r in history.revisions] == [
        "Kathmandu",
        "Marquesas",
        "Author later, committer earlier",
    ]
    kathmandu, marquesas, skewed = (r.landed for r in history.revisions)
    assert kathmandu.date == datetime(
        2024, 3, 1, 9, tzinfo=timezone(timedelta(hours=5, minutes=45))
    )
    assert kathmandu.date.utcoffset() == timedelta(hours=5, minutes=45)
    assert marquesas.date.utcoffset() == -timedelta(hours=9, minutes=30)
    assert marquesas.committed.isoformat() == "2024-01-01T09:00:00-09:30"
    assert skewed.committed.isoformat() == "2023-12-31T23:00:00+14:00"
    assert skewed.date.isoformat() == "2024-05-01T00:00:00+00:00"


def test_configuration_that_changes_git_log_output_is_overridden(repo: GitRepo):
    for name, value in {
        "log.showRoot": "false",
        "log.showSignature": "true",
        "log.follow": "true",
        "diff.renames": "false",
        "color.ui": "always",
        "i18n.logOutputEncoding": "ISO-8859-1",
        "core.quotePath": "true",
    }.items():
        repo.git("config", name, value)
    repo.write("é/TRL.md", card("A1", 1))
    repo.commit("Première fiche")
    repo.mv("é/TRL.md", "è/TRL.md")
    repo.commit("Déplacée")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        ("é/TRL.md", "Première fiche", "Première fiche", None),
        ("è/TRL.md", "Déplacée", "Déplacée", "é/TRL.md"),
    ]


def test_empty_repository(repo: GitRepo):
    history = read_history(repo.path, CARDS)

    assert history == RepoHistory(
        root=repo.path, head=None, branch="main", note="the repository has no commits yet"
    )


def test_not_a_repository(tmp_path: Path):
    directory = tmp_path / "plain"
    directory.mkdir()

    history = read_history(directory, CARDS)

    assert history == RepoHistory(None, None, None, note=f"not a git repository: {directory}")


def test_missing_directory(tmp_path: Path):
    history = read_history(tmp_path / "nowhere", CARDS)

    assert history.revisions == ()
    assert history.note == f"not a git repository: {tmp_path / 'nowhere'}"


def test_detached_head(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    first = repo.commit("Add A1")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2")
    repo.checkout(first)

    history = read_history(repo.path, CARDS)

    assert (history.head, history.branch) == (first, None)
    assert summary(history) == [("a/TRL.md", "Add A1", "Add A1", None)]


def test_mkdocs_project_in_a_subfolder(repo: GitRepo):
    repo.write("TRL.md", card("ROOT", 1))  # outside the mkdocs project: not a card
    repo.write("docs site/TRL.md", card("TOP", 1))
    repo.write("docs site/cards/a/TRL.yml", "id: A1\nlevel: 1\n")
    repo.write("docs site/other/TRL.md", card("OTHER", 1))
    repo.write("docs site/mkdocs.yml", "site_name: Readiness\n")
    repo.commit("Add cards")

    everywhere = read_history(repo.path / "docs site", ["**/TRL.md"])
    cards_only = read_history(repo.path / "docs site", ["cards/**/TRL.yml", "TRL.md"])

    assert everywhere.root == repo.path
    assert [r.path for r in everywhere.revisions] == ["docs site/TRL.md", "docs site/other/TRL.md"]
    assert [r.path for r in cards_only.revisions] == [
        "docs site/TRL.md",
        "docs site/cards/a/TRL.yml",
    ]


def test_merges_in_a_subfolder_project(repo: GitRepo):
    # With the project in a folder, git only looks at that folder: the commits outside it must
    # still connect the branch to its merge.
    repo.write("site/a/TRL.md", card("A1", 1))
    repo.write("elsewhere.txt", "0\n")
    repo.commit("Add A1")
    repo.branch("topic")
    repo.write("elsewhere.txt", "1\n")
    repo.commit("Unrelated work on topic")
    repo.write("site/a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2")
    repo.write("elsewhere.txt", "2\n")
    repo.commit("More unrelated work on topic")
    repo.checkout("main")
    repo.write("main.txt", "3\n")
    repo.commit("Unrelated work on main")
    repo.merge("topic", "Merge topic")

    history = read_history(repo.path / "site", ["**/TRL.md"])

    assert summary(history) == [
        ("site/a/TRL.md", "Add A1", "Add A1", None),
        ("site/a/TRL.md", "Merge topic", "A1 to 2", None),
    ]


def test_worktree(repo: GitRepo, tmp_path: Path):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    repo.git("worktree", "add", "-q", "-b", "feature/x", str(tmp_path / "worktree"))
    worktree = GitRepo(tmp_path / "worktree", init=False)
    worktree.write("a/TRL.md", card("A1", 2))
    head = worktree.commit("A1 to 2 in the worktree")

    history = read_history(tmp_path / "worktree", CARDS)

    assert (history.root, history.head, history.branch) == (worktree.path, head, "feature/x")
    assert [r.landed.subject for r in history.revisions] == ["Add A1", "A1 to 2 in the worktree"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository away")
def test_repository_git_refuses_to_read(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    subprocess.run(["chown", "-R", "nobody", str(repo.path)], check=True)

    history = read_history(repo.path, CARDS)

    assert (history.root, history.revisions) == (repo.path, ())
    assert history.note is not None
    assert history.note.startswith("git failed: fatal: detected dubious ownership in repository")
    assert "safe.directory" in history.note


def test_no_patterns_no_revisions(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    head = repo.commit("Add A1")

    history = read_history(repo.path, [])

    assert (history.head, history.revisions, history.note) == (head, (), None)


def shallow_source(repo: GitRepo) -> None:
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1", date="2024-01-01T08:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 to 2", date="2024-02-01T08:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A1 to 3", date="2024-03-01T08:00:00+01:00")


def test_shallow_clone_is_refused_with_the_fix(repo: GitRepo, tmp_path: Path):
    shallow_source(repo)
    clone = repo.clone(tmp_path / "clone", "--depth", "2")

    with pytest.raises(HistoryError) as error:
        read_history(clone.path, CARDS)

    message = str(error.value)
    assert "is a shallow clone, so card history before 2024-02-01 is missing" in message
    assert "git fetch --unshallow" in message
    assert "fetch-depth: 0" in message
    assert "GIT_DEPTH: 0" in message
    assert "allow_incomplete_history: true" in message


def test_shallow_clone_allowed(repo: GitRepo, tmp_path: Path):
    shallow_source(repo)
    clone = repo.clone(tmp_path / "clone", "--depth", "2")

    history = read_history(clone.path, CARDS, allow_incomplete=True)

    assert history.shallow
    assert not history.partial
    assert history.incomplete_before == datetime.fromisoformat("2024-02-01T08:00:00+00:00")
    assert history.note == "shallow clone: card history before 2024-02-01 is missing"
    # The oldest commit we have looks like the card's creation.
    assert summary(history) == [
        ("a/TRL.md", "A1 to 2", "A1 to 2", None),
        ("a/TRL.md", "A1 to 3", "A1 to 3", None),
    ]


def test_partial_clone(repo: GitRepo, tmp_path: Path):
    shallow_source(repo)
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = repo.clone(tmp_path / "clone", "--filter=blob:none")

    with pytest.raises(HistoryError, match="is a partial clone") as error:
        read_history(clone.path, CARDS)
    assert "Clone without `--filter`" in str(error.value)

    history = read_history(clone.path, CARDS, allow_incomplete=True)
    assert (history.partial, history.shallow, history.incomplete_before) == (True, False, None)
    assert [r.text for r in history.revisions] == [card("A1", n) for n in (1, 2, 3)]


def test_mailmap_is_honoured(repo: GitRepo):
    repo.write(".mailmap", "Ada Lovelace <ada@example.org> <ada@old.example.org>\n")
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1", author=("ada", "ada@old.example.org"))

    history = read_history(repo.path, CARDS)

    landed = history.revisions[0].landed
    assert (landed.author, landed.email) == ADA


def test_unicode_and_spaces_in_paths(repo: GitRepo):
    path = "équipe données/modèle ✓/TRL.md"
    repo.write(path, card("U1", 1, body="Grüße\n"))
    repo.commit("Ajouter la fiche ✓")
    repo.mv(path, "équipe données/nouveau nom/TRL.md")
    repo.commit("Renommer")

    history = read_history(repo.path, CARDS)

    assert summary(history) == [
        (path, "Ajouter la fiche ✓", "Ajouter la fiche ✓", None),
        ("équipe données/nouveau nom/TRL.md", "Renommer", "Renommer", path),
    ]
    assert history.revisions[0].text is not None
    assert history.revisions[0].text.endswith("Grüße\n")


def test_undecodable_card_text_is_replaced(repo: GitRepo):
    (repo.path / "a").mkdir()
    (repo.path / "a/TRL.md").write_bytes(b"---\nid: A1\nname: caf\xe9\n---\n")
    repo.commit("Latin-1 card")

    (revision,) = read_history(repo.path, CARDS).revisions

    assert revision.text == "---\nid: A1\nname: caf\ufffd\n---\n"


def git_commands(log: Path) -> list[str]:
    """The git subcommand of each logged call, skipping `-c name=value` options."""
    commands = []
    for line in log.read_text().splitlines():
        words = line.split()
        while words[0] == "-c":
            words = words[2:]
        commands.append(" ".join(w for w in words[:2] if w in {"log", "cat-file", "--batch"}))
    return commands


def test_a_constant_number_of_git_processes(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for n in range(20):
        repo.write(f"cards/c{n}/TRL.md", card(f"C{n}", 1))
    repo.commit("Add twenty cards")
    for n in range(20):
        repo.write(f"cards/c{n}/TRL.md", card(f"C{n}", 2))
        repo.commit(f"Raise C{n}")
    log = git_shim(tmp_path, monkeypatch)

    history = read_history(repo.path, CARDS)

    assert len(history.revisions) == 40
    assert git_commands(log) == ["log", "cat-file --batch"]


def test_merges_need_no_second_git_log(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for n in range(5):
        repo.write(f"cards/c{n}/TRL.md", card(f"C{n}", 1))
    repo.commit("Add cards")
    for n in range(5):
        repo.branch(f"topic{n}")
        repo.write(f"cards/c{n}/TRL.md", card(f"C{n}", 2))
        repo.commit(f"Raise C{n}")
        repo.checkout("main")
        repo.merge(f"topic{n}")
    log = git_shim(tmp_path, monkeypatch)

    history = read_history(repo.path, CARDS)

    assert [r.authored.subject for r in history.revisions[5:]] == [f"Raise C{n}" for n in range(5)]
    assert git_commands(log) == ["log", "cat-file --batch"]


def test_without_git_on_path(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    program = (
        "from pathlib import Path; from trl_cards.history.repository import read_history;"
        f"print(read_history(Path({str(repo.path)!r}), ['**/TRL.md']))"
    )

    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", program],
        env={"PATH": os.devnull},
        capture_output=True,
        text=True,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == repr(RepoHistory(None, None, None, note="git is not installed"))


def test_revision_is_a_frozen_value(repo: GitRepo):
    repo.write("a/TRL.md", card("A1", 1))
    repo.commit("Add A1")
    (revision,) = read_history(repo.path, CARDS).revisions

    assert isinstance(revision, Revision)
    with pytest.raises(AttributeError):
        revision.path = "elsewhere"  # type: ignore[misc]
