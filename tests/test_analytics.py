"""Analytics (KPIs and the system roll-up), from histories read out of a real repository."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import card, review
from gitrepo import GitRepo
from trl_cards.analytics import analyse, compute_kpis, system_level
from trl_cards.collection import load_cards
from trl_cards.timeline import load_histories

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def test_kpis_of_a_small_organisation(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    repo.write("a/TRL.md", card("A1", 4))
    repo.write("b/TRL.md", card("B1", 2, extra="coupled: [A1]\n"))
    repo.commit("Add", date="2024-01-01T00:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 5, extra="reviews:\n" + review(4, 5, "2024-01-10")))
    repo.commit("A1 passes", date="2024-01-11T00:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 4, extra="reviews:\n" + review(4, 5, "2024-01-10")))
    repo.commit("A1 back without review", date="2024-03-11T00:00:00+00:00")
    repo.write("b/TRL.md", card("B1", 3, extra="coupled: [A1]\n"))
    repo.commit("B1 up without review", date="2025-12-01T00:00:00+00:00")
    cards = load_cards(repo.path).cards
    kpis = compute_kpis(cards, load_histories(repo.path), NOW)
    assert kpis.transitions_by_kind == {"entry": 2, "advance": 2, "switchback": 1}
    assert kpis.switchbacks_by_kind == {"review": 1}  # 5 -> 4 by the paper's default
    assert [(i, t.from_level, t.to_level) for i, t in kpis.skipped_gates] == [
        ("B1", 2, 3),
        ("A1", 5, 4),
    ]
    assert kpis.median_days_at_level == {2: 700.0, 4: 10.0, 5: 60.0}
    assert kpis.stale == (("A1", 661),)


def test_a_system_is_as_ready_as_its_least_ready_part(tmp_path: Path) -> None:
    for path, text in {
        "p/TRL.md": card("P1", 7, extra="coupled: [R1]\n"),
        "r/TRL.md": card("R1", 4),
        "q/TRL.md": card("Q1", 3, extra="coupled: [P1]\n"),
    }.items():
        (tmp_path / path).parent.mkdir(parents=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    by_id = {c.id: c for c in load_cards(tmp_path).cards}
    assert system_level(by_id["P1"], by_id, ["Q1"]) == (3, "Q1")
    assert system_level(by_id["R1"], by_id, ["P1"]) == (4, "R1")


def test_analytics_roll_up_couplings_in_both_directions(tmp_path: Path) -> None:
    for path, text in {
        "p/TRL.md": card("P1", 7, extra="coupled: [R1]\n"),
        "r/TRL.md": card("R1", 4),
        "q/TRL.md": card("Q1", 3, extra="coupled: [P1]\n"),
        "s/TRL.md": card("S1", 2),
    }.items():
        (tmp_path / path).parent.mkdir(parents=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    analytics = analyse(load_cards(tmp_path).cards, {}, NOW)
    assert analytics.coupled_from == {"R1": ("P1",), "P1": ("Q1",)}
    assert analytics.systems == {"P1": (3, "Q1"), "R1": (4, "R1"), "Q1": (3, "Q1")}
    assert "S1" not in analytics.systems
