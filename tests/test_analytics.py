"""Analytics (KPIs and the system roll-up), from histories read out of a real repository."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import card, review
from gitrepo import GitRepo
from trl_cards.cards.collection import load_cards
from trl_cards.model.analytics import System, analyse, compute_kpis
from trl_cards.model.lineage import load_histories
from trl_cards.outputs.chart import trend_svg

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
    assert kpis.p90_days_at_level == {2: 700.0, 4: 10.0, 5: 60.0}  # one stay each
    assert kpis.per_quarter == (("2024-Q1", 2, 1), ("2025-Q4", 1, 0))
    assert kpis.stale == (("A1", 661),)
    # How long unchanged makes a card stale is the site's choice (`stale_days`).
    assert compute_kpis(cards, load_histories(repo.path), NOW, stale_days=700).stale == ()
    # One stay at level 4 is too few to say what is long there: `stale_days` says it.
    assert [(d.card_id, d.level, d.days, d.due_after) for d in kpis.reviews_due] == [
        ("A1", 4, 661, 365)
    ]
    assert kpis.flags == {"A1": ("due", "skipped", "stale", "switchback"), "B1": ("skipped",)}
    assert kpis.switched_back == ("A1",)


def test_a_review_is_due_after_nine_stays_in_ten_and_a_review_clears_it(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    for n in range(6):  # six cards that stayed 10, 20, ... 60 days at level 2
        repo.write(f"c{n}/TRL.md", card(f"C{n}", 2))
    repo.commit("Add", date="2024-01-01T00:00:00+00:00")
    for n in range(6):
        repo.write(f"c{n}/TRL.md", card(f"C{n}", 3))
        repo.commit(f"C{n} up", date=f"2024-01-{11 + 3 * n:02d}T00:00:00+00:00")
    repo.write("late/TRL.md", card("L1", 2))
    repo.write("reviewed/TRL.md", card("R1", 2))
    repo.commit("Two more at level 2", date="2025-10-01T00:00:00+00:00")
    repo.write(
        "reviewed/TRL.md", card("R1", 2, extra="reviews:\n" + review(2, 2, "2025-11-20", "stay"))
    )
    repo.commit("R1 reviewed: not yet", date="2025-11-21T00:00:00+00:00")
    histories = load_histories(repo.path)
    # Level 3 has too few ended stays: 1000 days say when a review is due there.
    kpis = compute_kpis(load_cards(repo.path).cards, histories, NOW, stale_days=1000)
    # Stays at 2 ended after 10, 13, ... 25 days: nine in ten were at most 25 days.
    assert kpis.p90_days_at_level[2] == 25.0
    assert [(d.card_id, d.days, d.due_after) for d in kpis.reviews_due] == [("L1", 92, 25)]


def _cards(tmp_path: Path, files: dict[str, str]):
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    return load_cards(tmp_path)


def test_a_system_is_as_ready_as_its_least_ready_part_recursively(tmp_path: Path) -> None:
    collection = _cards(
        tmp_path,
        {
            "s/TRL.md": card("S1", 8, extra="parts: [P1, P2]\ncoupled: [R1]\n"),
            "p1/TRL.md": card("P1", 7, extra="parts: [Q1]\n"),
            "p2/TRL.md": card("P2", 6),
            "q1/TRL.md": card("Q1", 4),
            "r/TRL.md": card("R1", 1),  # the research behind it: related, never counted
        },
    )
    analytics = analyse(collection.cards, {}, NOW)
    assert analytics.systems == {"S1": System(4, "Q1"), "P1": System(4, "Q1")}
    assert analytics.part_of == {"P1": ("S1",), "P2": ("S1",), "Q1": ("P1",)}
    assert analytics.coupled_from == {"R1": ("S1",)}
    assert analytics.problems == ()


def test_a_system_at_its_parts_level_holds_itself(tmp_path: Path) -> None:
    collection = _cards(
        tmp_path,
        {"s/TRL.md": card("S1", 3, extra="parts: [P1]\n"), "p/TRL.md": card("P1", 3)},
    )
    assert analyse(collection.cards, {}, NOW).systems == {"S1": System(3, "S1")}


def test_a_cycle_in_parts_is_one_problem_naming_its_cards(tmp_path: Path) -> None:
    collection = _cards(
        tmp_path,
        {
            "a/TRL.md": card("A1", 5, extra="parts: [B1]\n"),
            "b/TRL.md": card("B1", 4, extra="parts: [C1]\n"),
            "c/TRL.md": card("C1", 6, extra="parts: [A1]\n"),
        },
    )
    analytics = analyse(collection.cards, {}, NOW)
    [problem] = analytics.problems
    assert problem.path == "a/TRL.md" and problem.key == "parts"
    assert "A1 → B1 → C1 → A1" in problem.message
    assert analytics.systems["A1"] == System(4, "B1")


def test_unknown_parts_are_warnings_and_left_out(tmp_path: Path) -> None:
    collection = _cards(tmp_path, {"s/TRL.md": card("S1", 5, extra="parts: [S1, X9]\n")})
    assert collection.cards[0].parts == ()
    messages = [str(p) for p in collection.problems]
    assert any(
        "`parts` names `S1`, the card itself" in m and "a part of itself" in m for m in messages
    )
    assert any("`parts` names `X9`, but no card has that id" in m for m in messages)


def test_the_phase_trend_counts_each_card_from_its_entry(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A1 in research", date="2024-01-15T00:00:00+00:00")
    repo.write("b/TRL.md", card("B1", 7))
    repo.commit("B1 in productization", date="2024-02-10T00:00:00+00:00")
    repo.write("a/TRL.md", card("A1", 4))
    repo.commit("A1 to prototyping", date="2024-03-05T00:00:00+00:00")
    cards = load_cards(repo.path).cards
    now = dt.datetime(2024, 4, 20, tzinfo=dt.timezone.utc)
    trend = analyse(cards, load_histories(repo.path), now).trend
    assert [(p.day.isoformat(), p.per_phase) for p in trend] == [
        ("2024-01-01", {"research": 0, "prototyping": 0, "productization": 0, "deployment": 0}),
        ("2024-02-01", {"research": 1, "prototyping": 0, "productization": 0, "deployment": 0}),
        ("2024-03-01", {"research": 1, "prototyping": 0, "productization": 1, "deployment": 0}),
        ("2024-04-01", {"research": 0, "prototyping": 1, "productization": 1, "deployment": 0}),
        ("2024-04-20", {"research": 0, "prototyping": 1, "productization": 1, "deployment": 0}),
    ]
    svg = trend_svg(trend)
    # Three phases had cards (deployment none: no band); the first month is labelled.
    assert svg.count("<polygon") == 3
    assert re.findall(r'class="trl-axis trl-time">([^<]*)<', svg) == [
        "Jan 2024",
        "Feb",
        "Mar",
        "Apr",
    ]


def test_the_90th_percentile_is_a_stay_nine_in_ten_were_shorter_than() -> None:
    from trl_cards.model.analytics import _percentile

    assert _percentile([float(d) for d in range(1, 11)], 0.9) == 9.0
    assert _percentile([5.0], 0.9) == 5.0


def test_a_reference_in_another_case_says_which_id_it_means(tmp_path: Path) -> None:
    collection = _cards(
        tmp_path,
        {
            "s/TRL.md": card("S1", 5, extra="parts: [s1, q1]\ncoupled: [Q1]\n"),
            "q/TRL.md": card("Q1", 3),
        },
    )
    assert collection.cards[1].parts == () and collection.cards[1].coupled == ("Q1",)
    messages = [f"{p.message} Fix: {p.fix}" for p in collection.problems]
    assert messages == [
        "`parts` names `s1`, the card itself (`S1`) in another case, so the link is left out. "
        "Fix: Remove it: a card is not a part of itself.",
        "`parts` names `q1`, but no card has that id; `Q1` differs from it only in case, so the "
        "link is left out. Fix: Write it as `Q1`.",
    ]
