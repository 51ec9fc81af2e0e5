"""The organisation's goals (`goals` in mkdocs.yml): which cards each selects, its status by
the rule of a card's target, its burn-up from the history, and its page, JSON, CSV and feed;
from real repositories with fixed dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import SiteRepo, card
from gitrepo import GitRepo
from test_targets import _Text
from trl_cards.cards.options import OptionError
from trl_cards.model.goals import Goal
from trl_cards.model.pipeline import Settings, build_project
from trl_cards.model.settings import read_options

NOW = dt.datetime(2025, 8, 15, 12, tzinfo=dt.timezone.utc)
START = dt.date(2025, 1, 1)


def organisation(repo: GitRepo, start: dt.date = START) -> None:
    """X1 and X2 (untagged) stay 100 days at 5 and 100 at 6: the organisation's pace. Tagged
    `vision`: V1 enters at 3 on day 0, reaches 4 on day 31 and 6 on day 120; V2 enters at 4
    on day 10 and reaches 6 on day 151; V3 enters at 5 on day 59 and stays. Days count from
    `start` (2025-01-01 by default)."""

    def on(path: str, text: str, days: int) -> None:
        repo.write(path, text)
        when = start + dt.timedelta(days=days)
        repo.commit(f"{path} on day {days}", date=f"{when.isoformat()}T09:00:00+00:00")

    vision = "tags: [vision]\nowners: [Vera]\n"
    on("V1/TRL.md", card("V1", 3, extra=vision), 0)
    for cid in ("X1", "X2"):
        on(f"{cid}/TRL.md", card(cid, 5), 0)
    on("V2/TRL.md", card("V2", 4, extra=vision), 10)
    on("V1/TRL.md", card("V1", 4, extra=vision), 31)
    on("V3/TRL.md", card("V3", 5, extra="tags: [vision]\nowners: [Vic]\n"), 59)
    for cid in ("X1", "X2"):
        on(f"{cid}/TRL.md", card(cid, 6), 100)
    on("V1/TRL.md", card("V1", 6, extra=vision), 120)
    on("V2/TRL.md", card("V2", 6, extra=vision), 151)
    for cid in ("X1", "X2"):
        on(f"{cid}/TRL.md", card(cid, 7), 200)


GOALS = """      goals:
        - name: Vision to 6
          level: 6
          date: {six}
          select: {{tags: [vision]}}
        - name: Vision to 7
          level: 7
          date: {seven}
          select: {{tags: [vision]}}
        - name: Prototypes past 4
          level: 4
          date: {four}
          select: {{min_level: 4}}
        - name: Everything to 9
          level: 9
          date: {nine}
"""


def _goals(start: dt.date) -> str:
    day = lambda n: (start + dt.timedelta(days=n)).isoformat()  # noqa: E731
    return GOALS.format(six=day(364), seven=day(273), four=day(90), nine=day(180))


def _settings(path: Path, start: dt.date = START) -> Settings:
    import yaml

    options = yaml.safe_load("goals:\n" + _goals(start).split("goals:\n", 1)[1])
    return read_options(options, path)


def test_each_goal_by_the_rule_and_its_burnup(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "org")
    organisation(repo)
    project = build_project(_settings(repo.path), now=NOW)
    six, seven, four, nine = project.goals
    assert six.cards == ("V1", "V2", "V3")
    # V3 has been at 5 for 198 days, longer than the median stay (100): due any day now.
    assert (six.status, six.short) == ("on track", (("V3", dt.date(2025, 8, 15)),))
    assert [(w.date().isoformat(), n) for w, n in six.burnup] == [
        ("2025-01-01", 0),
        ("2025-05-01", 1),
        ("2025-06-01", 2),
    ]
    # Due 2025-10-01: V3 then needs the median 100 days at 6, to 2025-11-23.
    assert seven.status == "at risk" and seven.reached == 0
    assert [c for c, _ in seven.short] == ["V3", "V1", "V2"]  # the lowest level first
    # Every card at 4 or above today: V3, first recorded (at 5) on day 59, was the last.
    assert four.cards == ("V1", "V2", "V3", "X1", "X2")
    assert four.status == "met" and four.met_on is not None
    assert four.met_on.date() == dt.date(2025, 3, 1)
    assert nine.status == "late" and nine.reached == 0 and len(nine.cards) == 5
    assert [g.slug for g in project.goals] == [
        "vision-to-6",
        "vision-to-7",
        "prototypes-past-4",
        "everything-to-9",
    ]


def test_a_burnup_ends_at_todays_count_when_the_history_does_not_show_it(
    tmp_path: Path,
) -> None:
    repo = GitRepo(tmp_path / "org")
    organisation(repo)
    # V3 reaches 6 in the work tree, not yet committed: the goal is met today.
    repo.write("V3/TRL.md", card("V3", 6, extra="tags: [vision]\nowners: [Vic]\n"))
    project = build_project(_settings(repo.path), now=NOW)
    six = project.goals[0]
    assert six.status == "met" and six.reached == 3
    assert [(w.date().isoformat(), n) for w, n in six.burnup][-2:] == [
        ("2025-06-01", 2),
        ("2025-08-15", 3),
    ]
    assert six.met_on == NOW


def test_a_goal_selects_by_every_key_given() -> None:
    goal = Goal(
        "g", 6, dt.date(2026, 1, 1), tags=("a", "b"), owners=("Ann",), phases=("prototyping",)
    )
    make = lambda level, tags, owners: card_value(level, tags, owners)  # noqa: E731
    assert goal.selects(make(4, ("b",), ("Ann", "Bo")), "own")
    assert not goal.selects(make(4, ("c",), ("Ann",)), "own")  # no tag of the goal
    assert not goal.selects(make(4, ("a",), ("Bo",)), "own")  # no owner of the goal
    assert not goal.selects(make(6, ("a",), ("Ann",)), "own")  # productization, not prototyping
    assert Goal("g", 6, dt.date(2026, 1, 1), repositories=("vision",)).selects(
        make(1, (), ()), "vision"
    )
    assert not Goal("g", 6, dt.date(2026, 1, 1), min_level=5).selects(make(4, (), ()), "own")


def card_value(level: int, tags: tuple[str, ...], owners: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from trl_cards.cards.card import Card

    return Card("C1", "C", level, "c/TRL.md", owners=owners, tags=tags)


@pytest.mark.parametrize(
    ("goal", "message", "fix"),
    [
        ({"name": "G", "level": 12, "date": "2027-01-01"}, "`goals[0].level` is 12", "0 to 9"),
        ({"name": "G", "level": 6}, "`goals[0]` in mkdocs.yml has no `date`", "Add `date:`"),
        (
            {"name": "G", "level": 6, "date": "soon"},
            "`goals[0].date`: `soon` is not a date",
            "YYYY-MM-DD",
        ),
        (
            {"name": "G", "level": 6, "date": "2027-01-01", "select": {"phase": ["beta"]}},
            "`goals[0].select.phase`: `beta` is not a phase",
            "prototyping",
        ),
        (
            {"name": "G", "level": 6, "date": "2027-01-01", "select": {"tag": ["x"]}},
            "`goals[0].select.tag` in mkdocs.yml is not a key of a goal's `select`",
            "`tags`",
        ),
    ],
)
def test_a_bad_goal_is_refused_naming_the_key_and_the_fix(
    tmp_path: Path, goal: dict[str, object], message: str, fix: str
) -> None:
    with pytest.raises(OptionError) as refused:
        read_options({"goals": [goal]}, tmp_path)
    assert message in refused.value.message and fix in refused.value.fix


def test_the_goal_pages_and_exports(tmp_path: Path) -> None:
    """The same organisation, its days counted back from today (the build's clock is real):
    today is day 226."""
    start = dt.date.today() - dt.timedelta(days=226)
    repo = SiteRepo(tmp_path / "org", options=_goals(start))
    organisation(repo, start)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    readiness = build.site / "readiness"
    page = (readiness / "goals" / "vision-to-6" / "index.html").read_text("utf-8")
    text = _Text.of(page)
    due = (start + dt.timedelta(days=364)).isoformat()
    assert f"2 of 3 components at level 6 or above, due {due}: on track" in text
    short = text.split("Still short", 1)[1]
    assert "V3 Component V3 5 Vic about" in short and "V1" not in short
    [svg] = re.findall(r'<svg class="trl-chart trl-burnup".*?</svg>', page, re.S)
    ElementTree.fromstring(svg)  # well-formed
    [line] = re.findall(r'<polyline points="([^"]+)"[^>]*class="trl-burnup-line"', svg)
    assert len(line.split()) == 2 * 3  # three counts, as steps, to today

    dashboard = (readiness / "index.html").read_text("utf-8")
    goals = _Text.of(dashboard.split('id="goals"', 1)[1].split("<h2", 1)[0])
    assert "Vision to 6 6" in goals and "2 of 3 on track" in goals and "0 of 5 late" in goals
    assert 'href="goals/vision-to-6/"' in dashboard

    document = json.loads((readiness / "api" / "cards.json").read_text("utf-8"))
    named = {g["name"]: g for g in document["goals"]}
    assert named["Vision to 6"]["cards"] == ["V1", "V2", "V3"]
    assert [b["count"] for b in named["Vision to 6"]["burnup"]] == [0, 1, 2]
    assert named["Prototypes past 4"]["status"] == "met"
    assert named["Vision to 6"]["url"] == "readiness/goals/vision-to-6/"

    rows = {
        r["id"]: r
        for r in csv.DictReader(io.StringIO((readiness / "cards.csv").read_text("utf-8")))
    }
    assert (rows["V3"]["goal: Vision to 6"], rows["V1"]["goal: Vision to 6"]) == (
        "short",
        "reached",
    )
    assert rows["X1"]["goal: Vision to 6"] == ""

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(readiness / "goals" / "feed.xml").getroot()
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert titles[0].startswith("Goal Vision to 6: 2 of 3 components at level 6 or above")
    assert len(titles) == sum(len(g["burnup"]) for g in document["goals"])


def test_a_closed_card_is_in_no_goal(tmp_path: Path) -> None:
    """A component its own format closed (`Withdrawn`) counts in no readiness figure: not in a
    goal's cards, nor short of it, nor in its burn-up."""
    from test_closing import FORMAT, _meta

    repo = GitRepo(tmp_path / "org")
    repo.write("peps/1/metadata.yaml", _meta(1, "Streams", "Experimental"))
    repo.write("peps/2/metadata.yaml", _meta(2, "Tasks", "Provisional"))
    repo.commit("Two proposals", date="2025-01-10T09:00:00+00:00")
    repo.write("peps/2/metadata.yaml", _meta(2, "Tasks", "Withdrawn"))
    repo.commit("PEP 2 is withdrawn", date="2025-03-10T09:00:00+00:00")
    goal = {"name": "All to 4", "level": 4, "date": "2025-12-31"}
    settings = read_options({"include": [], "formats": [FORMAT], "goals": [goal]}, repo.path)
    [progress] = build_project(settings, now=NOW).goals
    assert progress.cards == ("PEP-1",) and progress.short == ()
    assert progress.status == "met"
    assert [n for _, n in progress.burnup] == [1]
