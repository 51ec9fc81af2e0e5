"""Finding card files and the checks only the whole collection can make."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import card
from trl_cards.cards.collection import find_card_files, load_cards
from trl_cards.cards.globs import matches


def _write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/TRL.md", "TRL.md", True),
        ("**/TRL.md", "a/b/TRL.md", True),
        ("cards/*/TRL.md", "cards/a/TRL.md", True),
        ("cards/*/TRL.md", "cards/a/b/TRL.md", False),
        ("**/TRL.md", "a/TRL.md.bak", False),
        ("**/.*/**", "a/.git/x", True),
    ],
)
def test_globs_follow_git(pattern: str, path: str, expected: bool) -> None:
    assert matches(path, [pattern]) is expected


def test_excluded_folders_are_not_cards(tmp_path: Path) -> None:
    for path in ("a/TRL.md", "node_modules/x/TRL.md", ".hidden/TRL.md", "site/TRL.md", "b/TRL.yml"):
        _write(tmp_path, path, card("X", 1))
    assert find_card_files(tmp_path) == ["a/TRL.md", "b/TRL.yml"]


def test_duplicate_ids_keep_the_first_and_name_it(tmp_path: Path) -> None:
    _write(tmp_path, "a/TRL.md", card("P1", 3))
    _write(tmp_path, "b/TRL.md", card("P1", 5))
    collection = load_cards(tmp_path)
    assert [(c.id, c.path) for c in collection.cards] == [("P1", "a/TRL.md")]
    [problem] = collection.problems
    assert str(problem).startswith("b/TRL.md:2: `id` `P1` is already the id of a/TRL.md")
    assert collection.failed == ("b/TRL.md",)


def test_unknown_coupled_id_drops_only_the_link(tmp_path: Path) -> None:
    _write(tmp_path, "a/TRL.md", card("P1", 3, extra="coupled: [R1, R9]\n"))
    _write(tmp_path, "b/TRL.md", card("R1", 2))
    collection = load_cards(tmp_path)
    p1 = collection.get("P1")
    assert p1 is not None and p1.coupled == ("R1",)
    [problem] = collection.problems
    assert str(problem).startswith("a/TRL.md:5: `coupled` names `R9`, but no card has that id")


def test_a_card_left_out_is_told_once_not_on_every_card_that_names_it(tmp_path: Path) -> None:
    # R1 has no name: it is left out. The three cards that name it lose the link silently,
    # and R1's own error says who they are.
    _write(tmp_path, "r/TRL.md", "---\nid: R1\nlevel: 2\n---\n")
    for n in (1, 2, 3):
        _write(tmp_path, f"p{n}/TRL.md", card(f"P{n}", 3, extra="coupled: [R1]\n"))
    collection = load_cards(tmp_path)
    assert [c.coupled for c in collection.cards] == [(), (), ()]
    [problem] = collection.problems
    assert problem.path == "r/TRL.md"
    assert problem.message.endswith("Until it is fixed, `P1`, `P2`, `P3` name `R1` without a link.")


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_bytes(b"---\nid: A1\nname: Caf\xe9\nlevel: 2\n---\n")
    collection = load_cards(tmp_path)
    assert [c.name for c in collection.cards] == ["Caf\ufffd"]  # one bad byte costs no card
    assert str(collection.problems[0]).startswith("a/TRL.md:3: is not all UTF-8 text: byte 0xe9")


def test_watched_folders_never_include_the_whole_project(tmp_path: Path) -> None:
    from trl_cards.frontends.serve import watched_folders

    for path in ("cards/a/TRL.md", "cards/b/TRL.md", "teams/x/y/TRL.md"):
        _write(tmp_path, path, card("X", 1))
    files = find_card_files(tmp_path)
    assert watched_folders(tmp_path, ["cards/**/TRL.md"], files) == [(tmp_path / "cards", True)]
    # One watch per top-level folder with cards, never one per card folder (MkDocs polls
    # each in a thread of its own), and never the project with `.git` in it.
    assert watched_folders(tmp_path, ["**/TRL.md"], files) == [
        (tmp_path / "cards", True),
        (tmp_path / "teams", True),
    ]
    assert watched_folders(tmp_path, ["missing/**/TRL.md"], files) == []
    _write(tmp_path, "TRL.md", card("R", 1))
    assert watched_folders(tmp_path, ["**/TRL.md"], find_card_files(tmp_path)) == [
        (tmp_path, False),
        (tmp_path / "cards", True),
        (tmp_path / "teams", True),
    ]
