"""Statuses that close a component rather than rate it (`closed:` of a format): a proposal
process whose metadata files end `Declined`, `Deferred`, `Withdrawn` or `Memorandum`. A closed
component keeps its page and its whole history, its level history says when and how it closed
and reopened, it counts in no readiness figure, and it is no problem: `--strict` passes. The
transitions are compared with an independent reading of the same history (plain git, PyYAML).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SiteRepo
from trl_cards.cards.mapping import FormatError, read_formats

SCALE = {"Provisional": 2, "Implementable": 4, "Experimental": 6, "Standard": 8}
CLOSING = ["Declined", "Deferred", "Withdrawn", "Memorandum"]
FORMAT: dict[str, Any] = {
    "files": "peps/*/metadata.yaml",
    "id": "PEP-{number}",
    "name": "title",
    "level": "status",
    "scale": SCALE,
    "closed": CLOSING,
    "owners": "authors",
}
(PEPS,) = read_formats([FORMAT])
CONFIG = """\
      include: []
      formats:
        - files: peps/*/metadata.yaml
          id: "PEP-{number}"
          name: title
          level: status
          scale: {Provisional: 2, Implementable: 4, Experimental: 6, Standard: 8}
          closed: [Declined, Deferred, Withdrawn, Memorandum]
          owners: authors
          reviews_due: false
          stale_days: 3650
"""


def _meta(number: int, title: str, status: str) -> str:
    return f"number: {number}\ntitle: {title}\nstatus: {status}\nauthors: [Ada]\n"


def test_a_closing_status_closes_the_card_and_is_no_problem() -> None:
    parsed = PEPS.parse(_meta(7, "Streams", "Withdrawn"), "peps/7/metadata.yaml")
    assert parsed.problems == ()
    assert parsed.card is not None and parsed.card.closed == "Withdrawn"
    near = PEPS.parse(_meta(7, "Streams", "withdrawn "), "peps/7/metadata.yaml").card
    assert near is not None and near.closed == "Withdrawn"  # as the format writes it
    rated = PEPS.parse(_meta(7, "Streams", "Experimental"), "peps/7/metadata.yaml").card
    assert rated is not None and (rated.closed, rated.level) == (None, 6)


def test_a_status_on_neither_list_names_both() -> None:
    (problem,) = PEPS.parse(_meta(7, "Streams", "Abandoned"), "peps/7/metadata.yaml").problems
    assert "`Provisional`, `Implementable`, `Experimental`, `Standard`" in problem.message
    assert "or, closing it, `Declined`, `Deferred`, `Withdrawn`, `Memorandum`" in problem.message


def test_a_status_cannot_both_rate_and_close() -> None:
    with pytest.raises(FormatError, match="either rates a component or closes it"):
        read_formats([{**FORMAT, "closed": ["Standard"]}])


# --- Years of history ----------------------------------------------------------------------

STEPS: list[tuple[str, dict[int, tuple[str, str]]]] = [
    ("2020-03-01", {1: ("Streams", "Provisional"), 2: ("Cache", "Provisional")}),
    ("2020-09-01", {1: ("Streams", "Implementable"), 3: ("Auth", "Declined")}),
    ("2021-02-01", {2: ("Cache", "Deferred")}),  # closes at 2
    ("2021-06-01", {1: ("Streams", "Experimental"), 4: ("Search", "Provisional")}),
    ("2022-01-10", {2: ("Cache", "Implementable")}),  # reopens, at a new level
    ("2022-05-01", {4: ("Search", "Withdrawn")}),
    ("2022-09-01", {1: ("Streams", "Standard")}),
    ("2023-02-01", {4: ("Search", "Memorandum")}),  # still closed, another way
]


def _independent_reading(repo: Path) -> dict[str, list[tuple[int | None, int, str]]]:
    """Each proposal's level changes along the first parents, read with plain git and PyYAML:
    a closing status keeps the level where it was."""
    git = ["git", "-C", str(repo)]
    run = lambda *a: subprocess.run([*git, *a], check=True, capture_output=True, text=True).stdout  # noqa: E731
    last: dict[str, int] = {}
    out: dict[str, list[tuple[int | None, int, str]]] = {}
    for sha in run("rev-list", "--first-parent", "--reverse", "HEAD").split():
        date = run("show", "-s", "--format=%aI", sha).strip()[:10]
        for folder in run("ls-tree", "--name-only", f"{sha}:peps").split():
            data = yaml.safe_load(run("show", f"{sha}:peps/{folder}/metadata.yaml"))
            level = SCALE.get(data["status"])
            card_id = f"PEP-{data['number']}"
            if level is not None and last.get(card_id) != level:
                out.setdefault(card_id, []).append((last.get(card_id), level, date))
                last[card_id] = level
    return out


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteRepo, Path]:
    repo = SiteRepo(tmp_path_factory.mktemp("peps") / "org", options=CONFIG)
    for date, changes in STEPS:
        for number, (title, status) in changes.items():
            repo.write(f"peps/{number}/metadata.yaml", _meta(number, title, status))
        repo.commit(f"Proposals on {date}", date=f"{date}T10:00:00+00:00")
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log  # closing statuses are no problem
    assert build.warnings() == [], build.log
    return repo, build.site


def test_transitions_agree_with_git_and_closures_are_recorded(
    built: tuple[SiteRepo, Path],
) -> None:
    repo, site = built
    cards = {
        c["id"]: c for c in json.loads((site / "readiness/api/cards.json").read_text())["cards"]
    }
    read = {
        i: [(t["from"], t["to"], t["date"][:10]) for t in c["transitions"]]
        for i, c in cards.items()
    }
    expected = _independent_reading(repo.path)
    assert {i: v for i, v in read.items() if v} == expected
    assert read["PEP-3"] == []  # declined before it was ever rated
    assert {i: c["closed"] for i, c in cards.items()} == {
        "PEP-1": None,
        "PEP-2": None,
        "PEP-3": "Declined",
        "PEP-4": "Memorandum",
    }
    assert [(c["status"], c["date"][:10]) for c in cards["PEP-2"]["closures"]] == [
        ("Deferred", "2021-02-01"),
        (None, "2022-01-10"),
    ]
    assert [(c["status"], c["date"][:10]) for c in cards["PEP-4"]["closures"]] == [
        ("Withdrawn", "2022-05-01"),
        ("Memorandum", "2023-02-01"),
    ]
    assert cards["PEP-4"]["level"] == 2  # the last level it was rated at
    rows = list(csv.DictReader(io.StringIO((site / "readiness/cards.csv").read_text("utf-8"))))
    assert {r["id"]: r["closed"] for r in rows}["PEP-4"] == "Memorandum"


def test_closed_components_leave_the_figures_and_keep_their_pages(
    built: tuple[SiteRepo, Path],
) -> None:
    _, site = built
    dashboard = _text((site / "readiness/index.html").read_text("utf-8"))
    assert "2 components rated on the MLTRL scale" in dashboard
    assert "2 closed, counted in no figure" in dashboard
    closed = dashboard[dashboard.index("Closed Components whose own format") :]
    assert "PEP-3 Auth Declined" in closed and "never rated" in closed
    assert "PEP-4 Search Memorandum 2023-02-01" in closed
    level_2 = _text((site / "readiness/levels/2/index.html").read_text("utf-8"))
    assert "PEP-4" not in level_2  # rated 2 when it closed, but closed
    page = _text((site / "readiness/cards/PEP-4/index.html").read_text("utf-8"))
    assert "Closed as Memorandum since 2023-02-01" in page
    assert "closed as Withdrawn by" in page and "closed as Memorandum by" in page
    reopened = _text((site / "readiness/cards/PEP-2/index.html").read_text("utf-8"))
    assert "2022-01-10: reopened by" in reopened
    assert "Closed as" not in reopened


def test_a_mapped_card_speaks_its_formats_words(built: tuple[SiteRepo, Path]) -> None:
    """The stage names beside the levels, in the changes, the CSV, the JSON and the feed; no
    field the format does not have (ethics, review records) shown as missing."""
    _, site = built
    page_html = (site / "readiness/cards/PEP-1/index.html").read_text("utf-8")
    page = _text(page_html)
    assert "stage Standard of its own scale" in page
    assert "2 Provisional → 4 Implementable" in page
    assert "6 Experimental → 8 Standard" in page
    assert "Ethics" not in page and "not recorded" not in page
    assert "No review is recorded" not in page and "None recorded on the card" not in page
    cards = {
        c["id"]: c for c in json.loads((site / "readiness/api/cards.json").read_text())["cards"]
    }
    assert cards["PEP-1"]["stage"] == "Standard"
    assert [(t["from_stage"], t["to_stage"]) for t in cards["PEP-1"]["transitions"]] == [
        (None, "Provisional"),
        ("Provisional", "Implementable"),
        ("Implementable", "Experimental"),
        ("Experimental", "Standard"),
    ]
    rows = list(csv.DictReader(io.StringIO((site / "readiness/cards.csv").read_text("utf-8"))))
    assert {r["id"]: r["stage"] for r in rows}["PEP-1"] == "Standard"
    feed = (site / "readiness/cards/PEP-1/feed.xml").read_text("utf-8")
    assert "level 6 (Experimental) → 8 (Standard)" in feed
    table = _text((site / "readiness/index.html").read_text("utf-8"))
    assert "PEP-1 Streams 8 Standard" in table


def test_a_format_sets_its_own_rules_for_due_and_stale(built: tuple[SiteRepo, Path]) -> None:
    """A proposal process reviews no stage on a clock, and a proposal finished years ago is not
    stale: with `reviews_due: false` and `stale_days: 3650`, no card is due or stale, where
    the site's 365 days would make every one of them stale."""
    _, site = built
    dashboard = (site / "readiness/index.html").read_text("utf-8")
    due = re.search(r'data-summary-flag="due">(\d+)<', dashboard)
    stale = re.search(r'data-summary-flag="stale">(\d+)<', dashboard)
    assert due is not None and stale is not None
    assert (due[1], stale[1]) == ("0", "0")
    page = _text((site / "readiness/cards/PEP-2/index.html").read_text("utf-8"))
    assert "changed within 3650 days" in page
