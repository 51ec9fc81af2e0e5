"""Feeds and exports, linked from the dashboard: an Atom feed of transitions and reviews (for
the organisation and per card), a CSV of where every card stands, and a badge per card."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import SiteRepo, card, review
from trl_cards.cards.levels import LEVELS, level
from trl_cards.outputs.badges import badge_svg, contrast

ATOM = "{http://www.w3.org/2005/Atom}"


def _site(site_repo: SiteRepo) -> Path:
    site_repo.write("cards/p/TRL.md", card("P1", 3, name="Retina <triage>"))
    site_repo.commit("P1 enters", date="2024-01-01T00:00:00+00:00")
    reviews = "reviews:\n" + review(3, 4, "2024-02-01")
    site_repo.write("cards/p/TRL.md", card("P1", 4, name="Retina <triage>", extra=reviews))
    site_repo.commit("P1 passes its gate", date="2024-02-02T00:00:00+00:00")
    site_repo.write("cards/q/TRL.md", card("Q1", 6, name='=HYPERLINK("x")'))
    site_repo.commit("Q1", date="2024-03-01T00:00:00+00:00")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    return build.site


def test_the_feeds_link_to_every_transition_and_review(site_repo: SiteRepo) -> None:
    site = _site(site_repo)
    feed = ET.parse(site / "readiness" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [
        'Q1 =HYPERLINK("x"): first recorded at level 6',
        "P1 Retina <triage>: level 3 → 4 (advance, reviewed)",
        "P1 Retina <triage>: gate 3 → 4 reviewed, advance",
        "P1 Retina <triage>: first recorded at level 3",
    ]
    for entry in entries:  # each link leads to its row or record on the card page
        href = entry.find(f"{ATOM}link").get("href")
        page, anchor = href.split("#")
        html = (site / "readiness" / page / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, href
    own = ET.parse(site / "readiness" / "cards" / "P1" / "feed.xml").getroot()
    assert len(own.findall(f"{ATOM}entry")) == 3
    dashboard = (site / "readiness" / "index.html").read_text(encoding="utf-8")
    assert 'href="feed.xml"' in dashboard and 'href="cards.csv"' in dashboard


def test_the_csv_holds_every_card_and_runs_no_formula(site_repo: SiteRepo) -> None:
    site = _site(site_repo)
    rows = list(csv.DictReader(io.StringIO((site / "readiness" / "cards.csv").read_text("utf-8"))))
    assert [(r["id"], r["level"], r["phase"]) for r in rows] == [
        ("P1", "4", "prototyping"),
        ("Q1", "6", "productization"),
    ]
    assert rows[1]["name"] == '\'=HYPERLINK("x")'  # a spreadsheet shows it, never runs it
    assert rows[0]["url"] == "readiness/cards/P1/"


def test_each_card_has_its_badge_on_its_page(site_repo: SiteRepo) -> None:
    site = _site(site_repo)
    page = (site / "readiness" / "cards" / "P1" / "index.html").read_text(encoding="utf-8")
    src = re.search(r'<img class="trl-badge" src="([^"]+)"', page)
    assert src is not None
    badge = (site / "readiness" / "cards" / "P1" / src[1]).resolve()
    svg = ET.parse(badge).getroot()
    assert "4 · Proof of concept (PoC) development" in "".join(svg.itertext())


def test_badge_text_is_readable_on_every_phase_colour() -> None:
    for lvl in LEVELS:
        svg = badge_svg(lvl.number)
        ink = re.findall(r'fill="(#[0-9a-f]+)" text-anchor', svg)[-1]
        ratio = contrast("#ffffff" if ink == "#fff" else ink, level(lvl.number).phase.hex)
        assert ratio >= 4.5, (lvl.number, ink, ratio)  # WCAG AA for 11 px text
        ET.fromstring(svg)  # well-formed


def test_a_repository_that_adds_its_cards_at_once_is_one_entry_of_the_feed(
    site_repo: SiteRepo,
) -> None:
    """Adoption day is not a wave of promotions: twelve cards first recorded in one commit
    are one entry of the organisation's feed (each card's own feed keeps its first record),
    and a card added on its own later is its own entry."""
    for number in range(12):
        site_repo.write(f"cards/c{number}/TRL.md", card(f"C{number:02d}", 3))
    site_repo.commit("Adopt TRL cards", date="2024-01-01T00:00:00+00:00")
    site_repo.write("cards/late/TRL.md", card("L1", 2))
    site_repo.commit("A late card", date="2024-03-01T00:00:00+00:00")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    feed = ET.parse(build.site / "readiness" / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") or "" for e in feed.findall(f"{ATOM}entry")]
    assert titles[0] == "L1 Component L1: first recorded at level 2"
    assert len(titles) == 2 and titles[1].startswith("12 components first recorded in one commit")
    (wave,) = [
        e
        for e in feed.findall(f"{ATOM}entry")
        if "12 components" in (e.findtext(f"{ATOM}title") or "")
    ]
    assert wave.find(f"{ATOM}link").get("href") == "./"  # the dashboard lists them
    own = ET.parse(build.site / "readiness" / "cards" / "C00" / "feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in own.findall(f"{ATOM}entry")] == [
        "C00 Component C00: first recorded at level 3"
    ]
