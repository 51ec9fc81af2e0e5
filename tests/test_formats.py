"""Card formats are registered values: discovery and history read every file through
`format_for`, so a second format needs no change to either."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gitrepo import GitRepo
from trl_cards.cards import formats
from trl_cards.cards.card import Card, ParsedCard
from trl_cards.cards.collection import load_cards
from trl_cards.model.lineage import load_histories


def _kep(text: str, path: str) -> ParsedCard:
    """A toy format: `number level name` on one line."""
    number, level, name = text.split(maxsplit=2)
    card = Card(f"KEP-{number}", name.strip(), int(level), path)
    return ParsedCard(card, (), card.id)


KEP = formats.CardFormat(
    name="toy-kep",
    files=("**/kep.txt",),
    parse=_kep,
    quick=lambda text, path: None,
    write=lambda card: f"{card.id.removeprefix('KEP-')} {card.level} {card.name}\n",
    schema=dict,
)


def test_the_trl_card_is_the_default_format() -> None:
    assert formats.format_for("cards/a/TRL.md") is formats.TRL
    assert formats.format_for("cards/a/TRL.yml") is formats.TRL


def test_a_second_format_is_read_by_discovery_and_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "FORMATS", (KEP, formats.TRL))
    repo = GitRepo(tmp_path / "repo")
    repo.write("keps/1/kep.txt", "1 4 Sidecar containers\n")
    repo.commit("KEP 1 at 4")
    repo.write("keps/1/kep.txt", "1 6 Sidecar containers\n")
    repo.commit("KEP 1 to 6")
    repo.write("cards/a/TRL.md", "---\nid: A1\nname: A\nlevel: 2\n---\n")
    repo.commit("A TRL card beside it")

    patterns = ["keps/**/kep.txt", "cards/**/TRL.md"]
    collection = load_cards(repo.path, patterns)
    histories = load_histories(repo.path, patterns)

    assert [(c.id, c.level) for c in collection.cards] == [("A1", 2), ("KEP-1", 6)]
    assert [(t.from_level, t.to_level) for t in histories["KEP-1"].transitions] == [
        (None, 4),
        (4, 6),
    ]
    card = collection.get("KEP-1")
    assert card is not None
    assert KEP.parse(KEP.write(card), card.path).card == replace(card)
