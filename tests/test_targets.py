"""Targets on cards (`target: {level, date, reason}`): set, moved, removed, met, late, at risk
and on track by pace, from real repositories with fixed dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from conftest import SiteRepo, card
from gitrepo import GitRepo
from trl_cards.cards.trl import parse_card
from trl_cards.model.pipeline import Project, Settings, build_project
from trl_cards.model.targets import AT_RISK, LATE, MET, ON_TRACK
from trl_cards.outputs.made import Memo
from trl_cards.outputs.registry import build_outputs

NOW = dt.datetime(2025, 8, 15, 12, tzinfo=dt.timezone.utc)
START = dt.date(2025, 1, 1)
DANA = ("Dana Whitfield", "dana@example.org")
OMAR = ("Omar Haddad", "omar@example.org")


def _target(level: int, date: str, reason: str = "") -> str:
    return (
        f"target: {{level: {level}, date: {date}"
        + (f", reason: {reason}" if reason else "")
        + "}\n"
    )


def _on(repo: GitRepo, path: str, text: str, day: str, who: tuple[str, str] = DANA) -> str:
    repo.write(path, text)
    return repo.commit(f"{path} on {day}", date=f"{day}T09:00:00+00:00", author=who)


def organisation(repo: GitRepo, start: dt.date = START) -> dict[str, str]:
    """The organisation's pace: X1 stays 31 days at 3 and 30 at 4, X2 20 at 3 and 30 at 4, A1
    111 days at 3, so the median stay is 31 days at 3 and 30 at 4; nobody ever left 5 or 7.
    Then A1 meets its target after it moved, B1 misses its own, C1 and D1 sit at 3 since 1
    August with targets of 5 at different dates, E1 is at 7 with no pace to project from,
    G1's target is removed. Days are counted from `start` (the dates below are those of the
    default start, 2025-01-01)."""

    def d(days: int) -> str:
        return (start + dt.timedelta(days=days)).isoformat()

    shas = {}
    for cid, days in (
        ("X1", (d(0), d(31), d(61))),
        ("X2", (d(0), d(20), d(50))),
    ):
        for lvl, day in zip((3, 4, 5), days, strict=True):
            _on(repo, f"{cid}/TRL.md", card(cid, lvl), day)
    owners = "owners: [Team A]\n"
    _on(repo, "A1/TRL.md", card("A1", 3, extra=owners), d(9))
    shas["set"] = _on(
        repo,
        "A1/TRL.md",
        card("A1", 3, extra=owners + _target(4, d(180), "pilot")),
        d(31),
    )
    # Only the reason changes: no move.
    _on(
        repo,
        "A1/TRL.md",
        card("A1", 3, extra=owners + _target(4, d(180), "the pilot")),
        d(40),
    )
    shas["moved"] = _on(
        repo,
        "A1/TRL.md",
        card("A1", 3, extra=owners + _target(4, d(211), "the pilot")),
        d(59),
        OMAR,
    )
    _on(
        repo,
        "A1/TRL.md",
        card("A1", 4, extra=owners + _target(4, d(211), "the pilot")),
        d(120),
    )
    _on(
        repo,
        "B1/TRL.md",
        card(
            "B1",
            3,
            extra="owners: [Team B]\n" + _target(4, d(180)),
            body="The target users.\n",
        ),
        d(14),
    )
    _on(repo, "C1/TRL.md", card("C1", 3, extra=_target(5, d(243))), d(212))
    _on(repo, "D1/TRL.md", card("D1", 3, extra=_target(5, d(364))), d(212))
    _on(repo, "E1/TRL.md", card("E1", 7, extra=_target(8, d(231))), d(212))
    _on(repo, "G1/TRL.md", card("G1", 2, extra=_target(3, d(243))), d(90))
    shas["removed"] = _on(repo, "G1/TRL.md", card("G1", 2), d(120), OMAR)
    return shas


def _project(tmp_path: Path) -> tuple[Project, dict[str, str]]:
    repo = GitRepo(tmp_path / "org")
    shas = organisation(repo)
    return build_project(Settings(repo.path), now=NOW), shas


def test_each_target_status_by_the_rule(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    kpis = project.analytics.kpis
    assert kpis.median_days_at_level[3] == 31 and kpis.median_days_at_level[4] == 30
    plans = project.analytics.targets
    assert {k: p.status for k, p in plans.items()} == {
        "A1": MET,
        "B1": LATE,
        "C1": AT_RISK,
        "D1": ON_TRACK,
        "E1": ON_TRACK,
    }
    assert plans["A1"].reached is not None and plans["A1"].reached.date() == dt.date(2025, 5, 1)
    # C1: 31 days at 3 less the 14.125 spent there, then 30 at 4: 46.875, so 47 days.
    assert plans["C1"].expected == dt.date(2025, 10, 1)
    assert plans["D1"].expected == dt.date(2025, 10, 1)
    assert plans["E1"].expected is None  # nobody ever left 7, and E1 has no pace of its own


def test_the_target_history_says_set_moved_and_removed(tmp_path: Path) -> None:
    project, shas = _project(tmp_path)
    plan = project.analytics.targets["A1"]
    assert [(c.kind, c.date.date().isoformat(), c.author, c.sha) for c in plan.changes] == [
        ("set", "2025-02-01", "Dana Whitfield", shas["set"]),
        ("moved", "2025-03-01", "Omar Haddad", shas["moved"]),
    ]
    moved = plan.changes[1]
    assert moved.before is not None and moved.before.date == dt.date(2025, 6, 30)
    assert moved.target is not None and moved.target.date == dt.date(2025, 7, 31)
    assert plan.set_on is not None and plan.set_on.date() == dt.date(2025, 2, 1)
    from trl_cards.model.targets import target_changes

    removed = target_changes(project.histories["G1"])
    assert [(c.kind, c.sha) for c in removed] == [
        ("set", removed[0].sha),
        ("removed", shas["removed"]),
    ]
    assert "G1" not in project.analytics.targets


def test_only_revisions_that_mention_a_target_are_parsed(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    for lvl, day in ((2, "2025-01-01"), (3, "2025-02-01"), (3, "2025-03-01")):
        _on(repo, "A1/TRL.md", card("A1", lvl, body=f"Notes of {day}.\n"), day)
    _on(repo, "A1/TRL.md", card("A1", 3, extra=_target(4, "2025-09-01")), "2025-04-01")
    _on(repo, "A1/TRL.md", card("A1", 3, body="Dropped it.\n"), "2025-05-01")
    project = build_project(Settings(repo.path), now=NOW)
    history = project.histories["A1"]
    from trl_cards.model.targets import target_changes

    before = [r.checked for r in history.revisions]
    assert [c.kind for c in target_changes(history)] == ["set", "removed"]
    after = [r.checked for r in history.revisions]
    newly = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if a and not b]
    assert set(newly) <= {3}  # only the revision with a target was parsed for it


def test_a_bad_target_is_a_warning_that_drops_only_the_target() -> None:
    text = card("A1", 3, extra="target: {level: 12, date: 2027-01-01}\n")
    parsed = parse_card(text, "A1/TRL.md")
    assert parsed.card is not None and parsed.card.target is None
    [problem] = parsed.problems
    assert problem.key == "target.level" and problem.line == 5
    assert "`target.level`" in problem.message + problem.key
    missing = parse_card(card("A1", 3, extra="target: {level: 5}\n"), "A1/TRL.md")
    assert missing.card is not None and missing.card.target is None
    assert [p.key for p in missing.problems] == ["target.date"]
    far = parse_card(card("A1", 3, extra=_target(6, "2031-03-31", "a far day")), "A1/TRL.md")
    assert far.card is not None and far.card.target is not None and not far.problems
    assert far.card.target.date == dt.date(2031, 3, 31)  # a target's day may be to come


class _Text(HTMLParser):
    """A page's text as a reader sees it, its spaces collapsed (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, page: str) -> str:
        parser = cls()
        parser.feed(page)
        return " ".join("".join(parser.parts).split())


def test_the_site_shows_every_target(tmp_path: Path) -> None:
    """The same organisation, its days counted back from today (the build's clock is real):
    today is day 226, so A1 is met, B1 late, C1 at risk, D1 and E1 on track."""
    repo = SiteRepo(tmp_path / "org")
    start = dt.date.today() - dt.timedelta(days=226)
    shas = organisation(repo, start)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    readiness = build.site / "readiness"

    day = lambda n: (start + dt.timedelta(days=n)).isoformat()  # noqa: E731
    a1 = _Text.of((readiness / "cards" / "A1" / "index.html").read_text("utf-8"))
    assert f"Target Level 4 by {day(211)}: met on {day(120)}. Why: the pilot" in a1
    assert (
        f"target 4 by {day(180)}, set on {day(31)} by Dana Whitfield in {shas['set'][:8]} "
        f"moved to target 4 by {day(211)} (was 4 by {day(180)}) on {day(59)} by Omar Haddad "
        f"in {shas['moved'][:8]}"
    ) in a1

    c1 = _Text.of((readiness / "cards" / "C1" / "index.html").read_text("utf-8"))
    assert f"Target Level 5 by {day(243)}: at risk: at the usual pace it gets there about" in c1
    e1 = _Text.of((readiness / "cards" / "E1" / "index.html").read_text("utf-8"))
    assert "on track: the usual pace of some level on the way is not known yet" in e1

    dashboard = (readiness / "index.html").read_text("utf-8")
    text = _Text.of(dashboard.split('id="targets"', 1)[1].split("<h2", 1)[0])
    assert "1 late, 1 at risk, 2 on track, 1 met" in text
    assert text.index("B1") < text.index("C1")  # late first, then at risk
    assert "Team B" in text and "D1" not in text and "A1" not in text
    rollup = dashboard.split("By owner", 1)[1].split("</table>", 1)[0]
    team_b = _Text.of(rollup.split(">Team B<", 1)[1].split("</tr>", 1)[0])
    assert team_b.endswith("1 late")

    document = json.loads((readiness / "api" / "cards.json").read_text("utf-8"))
    by_id = {c["id"]: c for c in document["cards"]}
    assert by_id["A1"]["target"]["status"] == "met"
    assert by_id["A1"]["target"]["reached"].startswith(day(120))
    assert [
        (c["kind"], c["date"], c["author"], c["commit"]) for c in by_id["A1"]["target"]["changes"]
    ] == [
        ("set", day(180), "Dana Whitfield", shas["set"]),
        ("moved", day(211), "Omar Haddad", shas["moved"]),
    ]
    assert by_id["C1"]["target"]["status"] == "at risk" and by_id["X1"]["target"] is None

    rows = {
        r["id"]: r
        for r in csv.DictReader(io.StringIO((readiness / "cards.csv").read_text("utf-8")))
    }
    assert (rows["B1"]["target_level"], rows["B1"]["target_date"], rows["B1"]["target_status"]) == (
        "4",
        day(180),
        "late",
    )
    assert rows["A1"]["target_reached"] == day(120) and rows["X1"]["target_status"] == ""

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(readiness / "cards" / "A1" / "feed.xml").getroot()
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert f"A1 Component A1: target moved: level 4 by {day(211)}" in titles
    assert f"A1 Component A1: target set: level 4 by {day(180)}" in titles
    links = [e.find(f"{atom}link").get("href") for e in feed.iter(f"{atom}entry")]  # type: ignore[union-attr]
    assert f"./#target-{shas['moved'][:8]}" in links


def test_a_change_of_the_organisations_pace_renders_the_target_again(tmp_path: Path) -> None:
    """C1's own file is unchanged, but two more cards stay 100 days at 4 (and 31 at 3, the
    median there already): the median at 4 that C1's projection counts on moves, and a
    rebuild from the memo shows the new date, as a fresh build does."""
    repo = GitRepo(tmp_path / "org")
    organisation(repo)
    memo = Memo()
    project = build_project(Settings(repo.path), now=NOW)
    build_outputs(project, memo)
    for cid in ("X3", "X4"):
        for lvl, day in ((3, "2025-01-01"), (4, "2025-02-01"), (5, "2025-05-12")):
            _on(repo, f"{cid}/TRL.md", card(cid, lvl), day)
    again = build_project(Settings(repo.path), now=NOW, previous=project)
    medians = again.analytics.kpis.median_days_at_level
    assert (medians[3], medians[4]) == (31, 65)
    assert again.analytics.targets["C1"] != project.analytics.targets["C1"]
    recalled = build_outputs(again, memo).files
    fresh = build_outputs(again).files
    assert [p for p in fresh if recalled[p] != fresh[p]] == []


def test_what_changed_lists_a_moved_target() -> None:
    from trl_cards.model.card_diff import card_diff

    before = parse_card(card("A1", 3, extra=_target(4, "2025-06-30", "the pilot")), "A/TRL.md")
    after = parse_card(card("A1", 3, extra=_target(4, "2025-07-31", "the pilot")), "A/TRL.md")
    assert before.card is not None and after.card is not None
    [change] = card_diff(before.card, after.card).fields
    assert change.key == "target"
    assert [i.text for i in change.before] == ["level 4 by 2025-06-30 (the pilot)"]
    assert [i.text for i in change.after] == ["level 4 by 2025-07-31 (the pilot)"]
