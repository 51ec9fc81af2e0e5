"""A card's identity through renumbering, moves, copies, reused ids, damage and time zones.

Each case is a real repository in tmp_path with fixed dates, and the exact transitions the
history must give (`docs/history.md` states the rules these check).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SiteRepo
from gitrepo import GitRepo
from trl_cards.model.lineage import load_histories
from trl_cards.model.transitions import CardHistory

CARDS = ["cards/**/TRL.md"]


def card(card_id: str, level: int, *, name: str | None = None, head: str = "") -> str:
    """A card big enough for git's rename detection to pair its moves."""
    sections = "\n".join(f"## Section {n}\nThe component does thing {n}." for n in range(8))
    return (
        f"---\n{head}id: {card_id}\nname: {name or 'Component'}\nlevel: {level}\n---\n{sections}\n"
    )


def levels(history: CardHistory) -> list[tuple[int | None, int, str]]:
    return [(t.from_level, t.to_level, t.revision.landed.subject) for t in history.transitions]


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def test_an_id_corrected_at_the_same_path_keeps_its_past(repo: GitRepo):
    repo.write("cards/a/TRL.md", card('"1792"', 2))
    repo.commit("Add 1792 at 2")
    repo.write("cards/a/TRL.md", card('"1792"', 3))
    repo.commit("1792 to 3")
    repo.write("cards/a/TRL.md", card('"1797"', 3))
    fix = repo.commit("Correct the id to 1797")

    histories = load_histories(repo.path, CARDS)

    assert set(histories) == {"1797"}
    history = histories["1797"]
    assert levels(history) == [(None, 2, "Add 1792 at 2"), (2, 3, "1792 to 3")]
    assert [(c.from_id, c.to_id, c.revision.landed.sha) for c in history.id_changes] == [
        ("1792", "1797", fix)
    ]


def test_a_folder_renamed_and_renumbered_in_one_commit(repo: GitRepo):
    repo.write("cards/old/TRL.md", card("R1", 4))
    repo.commit("Add R1 at 4")
    repo.mv("cards/old/TRL.md", "cards/new/TRL.md")
    repo.write("cards/new/TRL.md", card("R2", 4))
    repo.commit("Rename the folder and renumber")
    repo.write("cards/new/TRL.md", card("R2", 5))
    repo.commit("R2 to 5")

    history = load_histories(repo.path, CARDS)["R2"]

    assert levels(history) == [(None, 4, "Add R1 at 4"), (4, 5, "R2 to 5")]
    assert [(c.from_id, c.to_id) for c in history.id_changes] == [("R1", "R2")]
    assert history.path == "cards/new/TRL.md"


def test_a_copy_keeping_the_id_does_not_steal_the_original(site_repo: SiteRepo):
    site_repo.write("cards/original/TRL.md", card("X1", 3, name="Original"))
    original = site_repo.commit("Add X1", date="2024-01-10T09:00:00+00:00")
    site_repo.write("cards/original/TRL.md", card("X1", 4, name="Original"))
    site_repo.commit("X1 to 4", date="2024-02-10T09:00:00+00:00")
    # The copy sorts first by path, and is then edited to another level.
    site_repo.write("cards/a-copy/TRL.md", card("X1", 4, name="Copy"))
    copy = site_repo.commit("Start a card from X1", date="2024-03-10T09:00:00+00:00")
    site_repo.write("cards/a-copy/TRL.md", card("X1", 7, name="Copy"))
    site_repo.commit("The copy jumps to 7", date="2024-03-11T09:00:00+00:00")
    site_repo.write("cards/original/TRL.md", card("X1", 5, name="Original"))
    site_repo.commit("X1 to 5", date="2024-04-10T09:00:00+00:00")

    build = site_repo.build()

    assert build.returncode == 0, build.log
    exported = {c["id"]: c for c in build.cards_json()["cards"]}
    assert exported["X1"]["name"] == "Original"
    assert exported["X1"]["path"] == "cards/original/TRL.md"
    assert [(t["from"], t["to"]) for t in exported["X1"]["transitions"]] == [
        (None, 3),
        (3, 4),
        (4, 5),
    ]
    message = (
        "cards/a-copy/TRL.md:2: `id` `X1` is already the id of cards/original/TRL.md, which "
        f"has held it since 2024-01-10 (commit {original[:8]}); this file took it on "
        f"2024-03-10 (commit {copy[:8]}), so this card is left out."
    )
    assert message in build.log


def test_without_history_the_first_path_keeps_a_shared_id_and_says_so(tmp_path: Path):
    from trl_cards.cards.collection import load_cards

    for name in ("b", "a"):
        target = tmp_path / "cards" / name / "TRL.md"
        target.parent.mkdir(parents=True)
        target.write_text(card("X1", 3), encoding="utf-8")
    collection = load_cards(tmp_path, CARDS)
    assert [c.path for c in collection.cards] == ["cards/a/TRL.md"]
    assert "without history to tell which is older, the first by path keeps it" in str(
        collection.problems[0]
    )


def test_a_reused_id_does_not_inherit_a_strangers_past(repo: GitRepo):
    repo.write("cards/retired/TRL.md", card("P7", 6))
    repo.commit("Add P7 at 6")
    repo.write("cards/retired/TRL.md", card("P7", 8))
    repo.commit("P7 to 8")
    repo.rm("cards/retired")
    repo.commit("Retire P7")
    repo.write("cards/newcomer/TRL.md", card("P7", 2, name="Another component"))
    repo.commit("A new component given P7")

    history = load_histories(repo.path, CARDS)["P7"]

    assert levels(history) == [(None, 2, "A new component given P7")]
    assert history.id_changes == ()


def test_a_move_git_sees_as_two_changes_keeps_the_history(repo: GitRepo):
    repo.write("cards/a/TRL.md", "---\nid: T1\nname: Tiny\nlevel: 2\n---\n")
    repo.commit("Add T1")
    repo.rm("cards/a")
    repo.write("cards/b/TRL.md", "---\nid: T1\nname: Tiny, moved\nlevel: 3\nowners: [Bo]\n---\n")
    repo.commit("Move T1 and raise it")

    history = load_histories(repo.path, CARDS)["T1"]

    assert levels(history) == [(None, 2, "Add T1"), (2, 3, "Move T1 and raise it")]


def test_a_card_restored_at_its_path_keeps_its_history(repo: GitRepo):
    repo.write("cards/a/TRL.md", card("A1", 3))
    repo.commit("Add A1")
    repo.rm("cards/a")
    repo.commit("Delete A1 by mistake")
    repo.write("cards/a/TRL.md", card("A1", 4))
    repo.commit("Restore A1, at 4")

    history = load_histories(repo.path, CARDS)["A1"]

    assert levels(history) == [(None, 3, "Add A1"), (3, 4, "Restore A1, at 4")]


def test_aliases_join_a_card_to_a_retired_lineage(repo: GitRepo):
    repo.write("cards/old/TRL.md", card("P13.1", 4))
    repo.commit("Add P13.1")
    repo.rm("cards/old")
    repo.commit("Remove the old card")
    repo.write(
        "cards/rewrite/TRL.md",
        "---\nid: P13.2\nname: Rewritten\nlevel: 5\naliases: [P13.1]\n---\nA new text.\n",
    )
    repo.commit("Rewrite the card as P13.2")

    history = load_histories(repo.path, CARDS)["P13.2"]

    assert levels(history) == [(None, 4, "Add P13.1"), (4, 5, "Rewrite the card as P13.2")]
    assert [(c.from_id, c.to_id) for c in history.id_changes] == [("P13.1", "P13.2")]


def test_a_quoted_id_line_cannot_hijack_another_card(repo: GitRepo):
    repo.write("cards/victim/TRL.md", card("VICTIM", 2))
    repo.commit("Add VICTIM at 2")
    attacker = '---\n"id": ATT\nname: "Innocent\nid: VICTIM\n  end"\nlevel: {level}\n---\n'
    repo.write("cards/attacker/TRL.md", attacker.format(level=2))
    repo.commit("Add ATT")
    repo.write("cards/attacker/TRL.md", attacker.format(level=3))
    repo.commit("ATT to 3")

    histories = load_histories(repo.path, CARDS)

    assert levels(histories["VICTIM"]) == [(None, 2, "Add VICTIM at 2")]
    assert levels(histories["ATT"]) == [(None, 2, "Add ATT"), (2, 3, "ATT to 3")]


def test_unreadable_revisions_belong_to_their_lineage(repo: GitRepo):
    repo.write("cards/a/TRL.md", card("A1", 2))
    repo.commit("Add A1")
    repo.write("cards/a/TRL.md", "---\nid: [A1\nlevel: 3\n---\n")
    broken = repo.commit("Break the YAML")
    repo.write("cards/a/TRL.md", card("A1", 3))
    repo.commit("Fix A1 at 3")
    repo.write("cards/other/TRL.md", card("A1-old", 1))
    repo.commit("Another file that never held A1")

    history = load_histories(repo.path, CARDS)["A1"]

    assert levels(history) == [(None, 2, "Add A1"), (2, 3, "Fix A1 at 3")]
    assert [(r.path, r.landed.sha) for r in history.invalid_revisions] == [
        ("cards/a/TRL.md", broken)
    ]


def _drop_object(repo: GitRepo, sha: str) -> None:
    """Remove a loose object, as a damaged repository has lost it."""
    path = repo.path / ".git" / "objects" / sha[:2] / sha[2:]
    assert path.exists()
    path.chmod(0o644)
    path.unlink()


def test_a_missing_card_version_is_damage_not_a_deletion(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    site_repo.commit("Add A1 at 1")
    site_repo.write("cards/a/TRL.md", card("A1", 2))
    site_repo.commit("A1 to 2")
    lost = site_repo.blob("HEAD", "cards/a/TRL.md")
    site_repo.write("cards/a/TRL.md", card("A1", 3))
    site_repo.commit("A1 to 3")
    _drop_object(site_repo, lost)

    build = site_repo.build()
    strict = site_repo.build(strict=True)

    assert build.returncode == 0, build.log
    transitions = build.cards_json()["cards"][0]["transitions"]
    # No transition across the gap: 1 -> 2 and 2 -> 3 are both unknown; no fake 1 -> 3.
    assert [(t["from"], t["to"]) for t in transitions] == [(None, 1)]
    assert f"1 card version(s) are missing from the repository, e.g. blob {lost}" in build.log
    assert "git fsck" in build.log
    page = build.page("readiness/cards/A1/")
    assert "History damaged" in page
    # The level after the gap is known (3), but not since when: the page must not say 1 -> 3.
    assert "unknown: the history has a gap before" in page
    assert 'class="trl-point trl-point-resumed"' in page  # a ring, and in the legend:
    assert 'class="trl-legend-mark trl-legend-resumed"' in page
    assert build.cards_json()["cards"][0]["level"] == 3
    assert strict.returncode != 0


def test_a_missing_commit_is_damage_and_fails_strict(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card("A1", 1))
    site_repo.commit("Add A1")
    site_repo.write("cards/a/TRL.md", card("A1", 2))
    middle = site_repo.commit("A1 to 2")
    site_repo.write("cards/a/TRL.md", card("A1", 3))
    site_repo.commit("A1 to 3")
    _drop_object(site_repo, middle)

    build = site_repo.build()
    strict = site_repo.build("-q", strict=True)

    assert build.returncode == 0, build.log
    assert "git could not read the history" in build.log
    assert any("git could not read the history" in w for w in build.warnings())
    assert "No level history: git could not read the history" in build.page("readiness/cards/A1/")
    assert strict.returncode != 0


def test_a_card_inside_a_submodule_says_so(site_repo: SiteRepo, tmp_path: Path):
    inner = GitRepo(tmp_path / "inner")
    inner.write("TRL.md", card("SUB1", 4))
    inner.commit("A card in another repository")
    site_repo.write("cards/keep/TRL.md", card("K1", 2))
    site_repo.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(inner.path),
        "cards/sub",
    )
    site_repo.commit("Add the submodule")

    build = site_repo.build()

    assert build.returncode == 0, build.log
    assert "inside the git submodule `cards/sub`" in build.log
    assert "inside the git submodule" in build.page("readiness/cards/SUB1/")
    assert site_repo.build(strict=True).returncode != 0


def test_dates_are_days_in_one_time_zone(repo: GitRepo):
    repo.write("cards/a/TRL.md", card("A1", 2))
    # 23:30 in New York is the next day in UTC.
    repo.commit("Late in New York", date="2024-01-10T23:30:00-05:00")

    utc = load_histories(repo.path, CARDS)["A1"].transitions[0].date
    local = load_histories(repo.path, CARDS, timezone="America/New_York")["A1"].transitions[0]

    assert utc.isoformat() == "2024-01-11T04:30:00+00:00"
    assert local.date.date().isoformat() == "2024-01-10"


def test_pages_and_the_export_use_the_configured_zone(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card("A1", 2))
    site_repo.commit("Late in New York", date="2024-01-10T23:30:00-05:00")

    build = site_repo.build()

    page = build.page("readiness/cards/A1/")
    assert '<time datetime="2024-01-11T04:30:00+00:00" title="2024-01-11 04:30:00 UTC">' in page
    assert "Dates are days in UTC" in page
    assert build.cards_json()["cards"][0]["transitions"][0]["date"] == "2024-01-11T04:30:00+00:00"

    site_repo.configure("      timezone: Mars/Olympus\n")
    bad = site_repo.build()
    assert bad.returncode != 0
    assert "`Mars/Olympus` is not a time zone this machine knows" in bad.log


def test_the_export_lists_former_ids(site_repo: SiteRepo):
    site_repo.write("cards/a/TRL.md", card('"1792"', 2))
    site_repo.commit("Add 1792")
    site_repo.write("cards/a/TRL.md", card('"1797"', 2))
    site_repo.commit("Renumber")

    build = site_repo.build()

    exported = build.cards_json()["cards"][0]
    assert exported["former_ids"] == ["1792"]
    assert "id changed from <code>1792</code> to <code>1797</code>" in build.page(
        "readiness/cards/1797/"
    )
