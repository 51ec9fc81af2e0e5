"""Readiness at milestones (quarter ends, release tags) and what changed between them, from a
real repository's history, and the pages that show it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import SiteRepo, card, review
from gitrepo import GitRepo
from trl_cards.cards.collection import load_cards
from trl_cards.history.repository import read_history, read_tags
from trl_cards.model.lineage import trace_lineages
from trl_cards.model.milestones import milestones, periods

NOW = dt.datetime(2025, 8, 15, tzinfo=dt.timezone.utc)
OWNED = "owners: [Ana]\ntags: [vision]\n"


def _organisation(repo: GitRepo) -> None:
    """A1 enters at 2 in 2025-Q1 and is promoted in Q2 with its review; B1 enters at 5 in Q1
    and switches back in Q2 without one; C1 enters in Q1 and is retired in Q2; D1 is moved in
    Q2 (a move is no retirement); E1 enters in Q3. `v1.0` tags the end of Q1's work."""
    repo.write("a/TRL.md", card("A1", 2, extra=OWNED))
    repo.write("b/TRL.md", card("B1", 5, extra="owners: [Bo]\n"))
    repo.write("c/TRL.md", card("C1", 3, extra=OWNED))
    repo.write("d/TRL.md", card("D1", 4, extra="owners: [Bo]\n"))
    repo.commit("Four cards", date="2025-01-10T09:00:00+00:00")
    repo.git("tag", "-a", "v1.0", "-m", "First release")
    repo.write("a/TRL.md", card("A1", 3, extra=OWNED + "reviews:\n" + review(2, 3, "2025-04-01")))
    repo.commit("A1 passes its gate", date="2025-04-02T09:00:00+00:00")
    repo.write("b/TRL.md", card("B1", 4, extra="owners: [Bo]\n"))
    repo.commit("B1 back to 4", date="2025-05-02T09:00:00+00:00")
    repo.rm("c/TRL.md")
    repo.commit("C1 is retired", date="2025-06-02T09:00:00+00:00")
    repo.mv("d/TRL.md", "moved/d/TRL.md")
    repo.commit("D1 moves", date="2025-06-20T09:00:00+00:00")
    repo.write("e/TRL.md", card("E1", 1))
    repo.commit("E1 starts", date="2025-07-02T09:00:00+00:00")
    repo.git("tag", "not-a-release")


def test_what_changed_in_each_quarter(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    _organisation(repo)
    history = read_history(repo.path, ["**/TRL.md"])
    traced = trace_lineages(history, retired=True)
    retired = [h for h in traced if h.path is None]
    assert [h.card_id for h in retired] == ["C1"]  # D1's old path is no retirement
    cards = load_cards(repo.path).cards
    live = {h.card_id: h for h in traced if h.path is not None}
    tags = read_tags(repo.path, "v*")
    assert [name for name, _ in tags] == ["v1.0"]  # only the glob's tags
    marks = milestones([*live.values(), *retired], NOW, tags)
    assert [(m.name, m.slug, m.kind) for m in marks] == [
        ("v1.0", "tag-v1.0", "tag"),
        ("2025-Q1", "2025-q1", "quarter"),
        ("2025-Q2", "2025-q2", "quarter"),
        ("Today", "today", "now"),
    ]
    v1, q1, q2, today = periods(cards, live, retired, marks)
    assert [(c.card_id, c.kind) for c in v1.changes] == [
        ("A1", "new"),
        ("B1", "new"),
        ("C1", "new"),
        ("D1", "new"),
    ]
    assert v1.levels == {2: 1, 3: 1, 4: 1, 5: 1}
    assert q1.changes == ()  # nothing more happened in Q1 after the release
    assert [(c.card_id, c.kind, c.from_level, c.to_level, c.skipped_gate) for c in q2.changes] == [
        ("A1", "promotion", 2, 3, False),
        ("B1", "switchback", 5, 4, True),
        ("C1", "retired", 3, None, False),
    ]
    assert q2.levels == {3: 1, 4: 2}  # A1 at 3; B1 and D1 at 4; C1 gone
    assert (q2.count("promotion"), q2.count("retired"), q2.skipped_gates) == (1, 1, 1)
    by_owner = dict(q2.by("owners"))
    assert by_owner["Ana"] == {"promotion": 1, "retired": 1, "skipped": 0}
    assert by_owner["Bo"] == {"switchback": 1, "skipped": 1}
    assert [(c.card_id, c.kind) for c in today.changes] == [("E1", "new")]
    assert dict(today.by("owners"))[""]["new"] == 1  # E1 has no owner: counted, not dropped


def test_a_tag_beyond_lowercase_letters_digits_and_dots_gets_a_digest(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    repo.write("a/TRL.md", card("A1", 2))
    repo.commit("A card", date="2025-01-10T09:00:00+00:00")
    repo.git("tag", "Release/2025-RC")
    repo.git("tag", "v2.0.1")
    history = read_history(repo.path, ["**/TRL.md"])
    marks = milestones(trace_lineages(history), NOW, read_tags(repo.path, "*"))
    slugs = sorted(m.slug for m in marks if m.kind == "tag")
    assert slugs[1] == "tag-v2.0.1"
    assert re.fullmatch(r"tag-release-2025-rc-[0-9a-f]{6}", slugs[0]), slugs
    assert milestones([], NOW, read_tags(repo.path, "*")) == ()  # no history, no milestones


def test_the_milestone_pages(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org", options="      milestone_tags: 'v*'\n")
    _organisation(repo)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    folder = build.site / "readiness" / "changes"
    # Every quarter end since the first commit to today's (the build's clock is real).
    pages = {p.name for p in folder.iterdir() if p.is_dir()}
    assert {"2025-q1", "2025-q2", "2025-q3", "tag-v1.0", "today"} <= pages
    assert "2024-q4" not in pages and not any(p.startswith("tag-not") for p in pages)
    index = (folder / "index.html").read_text("utf-8")
    assert index.index(">Today<") < index.index(">2025-Q2<") < index.index(">v1.0<")
    q2 = (folder / "2025-q2" / "index.html").read_text("utf-8")
    assert "What changed in 2025-Q2" in q2
    assert "1 promotion, 1 switchback, 0 new cards, 1 retired card" in q2
    # A change links to its transition on the card page; a retired card has no page to link.
    assert re.search(r'href="../../cards/A1/#transition-2-3-[0-9a-f]{8}"', q2)
    assert "<code>C1</code>" in q2 and "cards/C1/" not in q2
    assert "skipped gate" in q2
    dashboard = (build.site / "readiness" / "index.html").read_text("utf-8")
    assert 'href="changes/2025-q2/"' in dashboard  # the quarter's KPI column leads to it
