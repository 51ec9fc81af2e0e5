"""End to end: real git repositories, real `mkdocs build` of a material site, the files produced."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from conftest import SiteRepo, card, review

# ---------------------------------------------------------------------------------------------
# Issue 3's acceptance scenario: promotions, a skipped gate, a switchback, a rename with edits,
# a broken revision and a merged branch produce exactly these transitions.


def _history_repo(repo: SiteRepo) -> dict[str, str]:
    shas = {}
    reviews: list[str] = []  # the card's review records so far, in the order they were added

    def alpha(level: int, name: str = "Alpha", path: str = "cards/alpha/TRL.md") -> None:
        extra = "reviews:\n" + "".join(reviews) if reviews else ""
        repo.write(path, card("P1", level, name=name, extra=extra))

    alpha(3)
    shas["entry"] = repo.commit("Add alpha at level 3", date="2024-01-10T09:00:00+00:00")
    reviews.append(review(3, 4, "2024-02-09"))
    alpha(4)
    shas["advance"] = repo.commit("Alpha passes its level 3 gate", date="2024-02-10T09:00:00+00:00")
    alpha(5)
    shas["skip"] = repo.commit("Alpha to 5 without a review", date="2024-03-10T09:00:00+00:00")
    repo.write("cards/alpha/TRL.md", "---\nid: P1\nname: Alpha\nlevel: [5\n---\n")
    shas["broken"] = repo.commit("Break the YAML", date="2024-04-10T09:00:00+00:00")
    reviews.append(review(5, 4, "2024-04-19", "switchback", "review"))
    alpha(4)
    shas["switchback"] = repo.commit(
        "Alpha back to 4 after review", date="2024-04-20T09:00:00+00:00"
    )
    repo.mv("cards/alpha", "teams/vision/alpha")
    alpha(4, "Alpha vision", "teams/vision/alpha/TRL.md")
    shas["rename"] = repo.commit("Move alpha to the vision team", date="2024-05-10T09:00:00+00:00")
    repo.branch("feature")
    reviews.append(review(4, 5, "2024-05-31"))
    alpha(5, "Alpha vision", "teams/vision/alpha/TRL.md")
    shas["branch"] = repo.commit("Alpha passes level 4 again", date="2024-06-01T09:00:00+00:00")
    repo.checkout("main")
    repo.write("README.md", "unrelated\n")
    repo.commit("Unrelated work on main", date="2024-06-05T09:00:00+00:00")
    shas["merge"] = repo.merge("feature", "Merge feature", date="2024-06-15T09:00:00+00:00")
    # A second card entering at 4 and switching back below its entry: an invalid switchback.
    repo.write("cards/beta/TRL.md", card("R1", 4))
    repo.commit("Add beta", date="2024-07-01T09:00:00+00:00")
    repo.write("cards/beta/TRL.md", card("R1", 3))
    shas["invalid"] = repo.commit("Beta back to 3", date="2024-07-02T09:00:00+00:00")
    return shas


def test_transitions_of_the_acceptance_repository(site_repo: SiteRepo) -> None:
    shas = _history_repo(site_repo)
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    cards = {c["id"]: c for c in build.cards_json()["cards"]}
    alpha = [
        (
            t["from"],
            t["to"],
            t["kind"],
            t["switchback_kind"],
            t["reviewed"],
            t["date"][:10],
            t["commit"],
            t["landed_commit"],
        )
        for t in cards["P1"]["transitions"]
    ]
    assert alpha == [
        (None, 3, "entry", None, None, "2024-01-10", shas["entry"], shas["entry"]),
        (3, 4, "advance", None, True, "2024-02-10", shas["advance"], shas["advance"]),
        (4, 5, "advance", None, False, "2024-03-10", shas["skip"], shas["skip"]),
        (5, 4, "switchback", "review", True, "2024-04-20", shas["switchback"], shas["switchback"]),
        (4, 5, "advance", None, True, "2024-06-15", shas["branch"], shas["merge"]),
    ]
    beta = [(t["from"], t["to"], t["kind"]) for t in cards["R1"]["transitions"]]
    assert beta == [(None, 4, "entry"), (4, 3, "invalid switchback")]
    assert cards["P1"]["path"] == "teams/vision/alpha/TRL.md"
    # Anchors come from what a transition is (its levels and commit), not its position.
    third = f"readiness/cards/P1/#transition-4-5-{shas['skip'][:8]}"
    assert cards["P1"]["transitions"][2]["url"] == third

    page = build.page("readiness/cards/P1/")
    rows = re.findall(r'<tr id="(transition-[^"]+)"', page)
    assert rows == [t["url"].split("#")[1] for t in cards["P1"]["transitions"]]
    assert rows[0].startswith("transition-entry-")
    assert page.count("skipped gate</span>") == 1
    assert "1 revision(s) could not be read as a card" in page
    assert shas["broken"][:8] in page
    assert f'href="#{rows[4]}"' in page  # the timeline's point links to its row
    assert "<svg" in page
    # The card as it was when it left levels 3, 4 and 5.
    for level in (3, 4, 5):
        assert f"level-{level}/" in page
    at_3 = build.page("readiness/cards/P1/level-3/")
    assert "as it stood at level 3" in at_3 and shas["entry"][:8] in at_3


def test_ignored_revisions_are_not_transitions(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 3))
    site_repo.commit("Add", date="2024-01-01T00:00:00+00:00")
    site_repo.write("cards/a/TRL.md", card("A1", 4))
    mechanical = site_repo.commit("Schema migration", date="2024-02-01T00:00:00+00:00")
    site_repo.write(".git-blame-ignore-revs", f"# mass migration\n{mechanical}\n")
    site_repo.write(
        "cards/a/TRL.md", card("A1", 5, extra="reviews:\n" + review(4, 5, "2024-03-01"))
    )
    site_repo.commit("Promote", date="2024-03-02T00:00:00+00:00")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    transitions = build.cards_json()["cards"][0]["transitions"]
    assert [(t["from"], t["to"]) for t in transitions] == [(None, 3), (4, 5)]


# ---------------------------------------------------------------------------------------------
# Issue 2: the pages, validation, strictness, safety.


def _org(repo: SiteRepo) -> None:
    repo.write(
        "cards/retina/TRL.md",
        card(
            "P13.2",
            6,
            name="Retina triage",
            extra="owners: [Dana Whitfield]\ntags: [medical, vision]\n"
            "coupled: [R02.1]\nethics: {status: in progress}\nrequirements:\n"
            "  - {id: REQ-1, text: The model shall flag retinopathy.,\n"
            "     risk: {p_failure: 0.2, value: 8}}\n",
        ),
    )
    repo.write(
        "cards/retina-research/TRL.yml",
        "id: R02.1\nname: Retina research\nlevel: 4\n"
        "owners: [Omar Haddad]\nbody: |\n  ## TL;DR\n  Research.\n",
    )
    repo.write(
        "cards/lhc/TRL.md", card("R41.1", 2, name="LHC anomalies", extra="tags: [physics]\n")
    )
    repo.commit("Cards", date="2024-05-01T12:00:00+02:00")


def test_pages_of_a_valid_organisation(site_repo: SiteRepo) -> None:
    _org(site_repo)
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    assert build.warnings() == []
    dashboard = build.page("readiness/")
    assert "#}" not in dashboard and "{#" not in dashboard  # no template comment leaks
    for card_id in ("P13.2", "R02.1", "R41.1"):
        assert f'href="cards/{card_id}/"' in dashboard
    assert 'data-summary-phase="research">1</strong>' in dashboard
    level_4 = build.page("readiness/levels/4/")
    assert "Proof of concept (PoC) development" in level_4 and "R02.1" in level_4
    assert "P13.2" not in level_4
    retina = build.page("readiness/cards/P13.2/")
    assert "1.60" in retina  # risk = 0.2 x 8
    assert 'href="../R02.1/"' in retina
    research = build.page("readiness/cards/R02.1/")
    assert "Coupled from" in research and 'href="../P13.2/"' in research  # both directions
    assert "<h3" in research and "Research." in research  # a pure YAML card's body
    # Tags go through material's tags plugin.
    assert 'class="md-tag' in retina and "medical" in retina
    # Search finds a card by id, name, owner and tag.
    index = json.loads((build.site / "search" / "search_index.json").read_text("utf-8"))
    text = json.dumps(index)
    for needle in ("P13.2", "Retina triage", "Dana Whitfield", "physics"):
        assert needle in text
    # Card pages are reached from the dashboard, not from every page's sidebar.
    home = build.page("")
    assert "readiness/cards/" not in home and "readiness/levels/4/" in home
    assert "Every card is valid." in build.page("readiness/problems/")


def test_broken_card_fails_strict_and_plain_build_keeps_the_rest(site_repo: SiteRepo) -> None:
    _org(site_repo)
    site_repo.write("cards/bad/TRL.md", "---\nid: B1\nname: Bad\nlevel: 12\n---\n")
    site_repo.commit("Add a bad card")
    strict = site_repo.build(strict=True)
    assert strict.returncode != 0
    assert "cards/bad/TRL.md:4: `level` 12 is out of range 0..9. The card is left out" in strict.log
    assert "Traceback" not in strict.log
    plain = site_repo.build()
    assert plain.returncode == 0, plain.log
    assert (plain.site / "readiness/cards/P13.2/index.html").exists()
    assert not (plain.site / "readiness/cards/B1").exists()
    problems = plain.page("readiness/problems/")
    assert "cards/bad/TRL.md:4" in problems and "Use a level from 0 to 9." in problems
    dashboard = plain.page("readiness/")
    left_out = re.search(
        r'<a href="([^"]*)"[^>]*><strong class="trl-n">1</strong>\s*card file left out', dashboard
    )
    assert left_out is not None and left_out[1] == "problems/"


class _Handlers(HTMLParser):
    """The event-handler attributes (`onclick`...) of every element of a page, as parsed: text
    that only looks like one (`onerror=` escaped in an attribute's value) is not one."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]


def _event_handlers(page: str) -> list[str]:
    parser = _Handlers()
    parser.feed(page)
    return parser.found


def test_card_text_cannot_inject_markup(site_repo: SiteRepo) -> None:
    site_repo.write(
        "cards/x/TRL.md",
        card(
            "X1",
            3,
            name=json.dumps(
                "<script>alert('name')</script> [x](javascript:alert(1)) {: onclick=y }"
            ),
            extra="owners: ['<img src=x onerror=alert(2)>']\nreviews:\n"
            "  - {date: 2024-01-01, from: 2, to: 3, decision: advance, "
            "debrief: {learned: '</td></table><script>alert(3)</script>'}}\n",
            body="## Notes\n<script>alert(4)</script>\n\n<div onclick='x'>\n\n"
            "## <img src=y onerror=alert(6)> *Risks* [z](javascript:alert(7))\n\nText.\n\n"
            "[click](javascript:alert(5))\n\n```\n<b>code stays code</b>\n```\n",
        ),
    )
    site_repo.commit("Hostile card")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = build.page("readiness/cards/X1/")
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "javascript:alert" not in page.replace("javascript:alert(1)) {", "")  # text, not href
    assert 'href="javascript' not in page
    assert _event_handlers(page) == []
    assert "&lt;b&gt;code stays code&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page
    assert "<img src=y" not in page and "alert(7)" not in page.split("Risks")[1][:400]
    # The card's own sections reach the table of contents.
    assert '<a href="#notes" class="md-nav__link">' in page
    dashboard = build.page("readiness/")
    assert "#}" not in dashboard and "{#" not in dashboard  # no template comment leaks
    assert "<script>alert" not in dashboard and "<img src=x" not in dashboard


def test_no_git_at_all_still_builds(tmp_path) -> None:
    site = tmp_path / "plain"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# Home\n")
    (site / "mkdocs.yml").write_text(
        "site_name: x\ntheme: {name: material, font: false}\nplugins: [search, trl-cards]\n"
    )
    (site / "cards" / "a").mkdir(parents=True)
    (site / "cards" / "a" / "TRL.md").write_text(card("A1", 3))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=site,
        text=True,
        capture_output=True,
        env={
            "DISABLE_MKDOCS_2_WARNING": "true",
            "NO_MKDOCS_2_WARNING": "1",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    page = (site / "site" / "readiness" / "cards" / "A1" / "index.html").read_text()
    assert "No level history: not a git repository" in page


def test_mkdocs_yml_in_a_subfolder(tmp_path) -> None:
    repo = SiteRepo(tmp_path / "mono", site_dir="docs-site")
    repo.write("docs-site/cards/a/TRL.md", card("A1", 3))
    repo.write("elsewhere/TRL.md", card("Z9", 1))  # outside the site's folder: not its card
    repo.commit("Add", date="2024-01-01T00:00:00+00:00")
    repo.write(
        "docs-site/cards/a/TRL.md", card("A1", 4, extra="reviews:\n" + review(3, 4, "2024-01-31"))
    )
    repo.commit("Promote", date="2024-02-01T00:00:00+00:00")
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    [only] = build.cards_json()["cards"]
    assert only["id"] == "A1" and only["path"] == "cards/a/TRL.md"
    assert [(t["from"], t["to"]) for t in only["transitions"]] == [(None, 3), (3, 4)]


def test_shallow_clone_fails_with_the_fix(site_repo: SiteRepo, tmp_path) -> None:
    _org(site_repo)
    for n in range(3):
        site_repo.write("README.md", f"{n}\n")
        site_repo.commit(f"Work {n}", date=f"2024-06-0{n + 1}T00:00:00+00:00")
    clone = site_repo.clone(tmp_path / "shallow", "--depth", "2")
    shallow = SiteRepo.__new__(SiteRepo)
    shallow.path, shallow.site_dir, shallow._ticks = clone.path, "", 0
    failed = shallow.build()
    assert failed.returncode != 0
    assert "fetch-depth: 0" in failed.log and "Traceback" not in failed.log
    shallow.configure("      allow_incomplete_history: true\n")
    allowed = shallow.build()
    assert allowed.returncode == 0, allowed.log
    text = re.sub(r"<[^>]+>", "", allowed.page("readiness/cards/P13.2/"))
    assert "History incomplete before 2024-06-02" in text


@pytest.mark.parametrize("tool", ["mkdocs", "properdocs"])
def test_builds_under_mkdocs_and_properdocs(site_repo: SiteRepo, tool: str) -> None:
    _org(site_repo)
    build = site_repo.build(tool=tool, strict=True)
    assert build.returncode == 0, build.log
    assert len(build.cards_json()["cards"]) == 3


def test_strict_counts_our_warnings_under_properdocs(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 3, extra="ownrs: [x]\n"))
    site_repo.commit("Typo")
    build = site_repo.build(tool="properdocs", strict=True)
    assert build.returncode != 0
    assert "Did you mean `owners`?" in build.log


def test_gen_files_script_uses_the_public_api(site_repo: SiteRepo) -> None:
    _org(site_repo)
    site_repo.write(
        "gen_owners.py",
        (
            "from pathlib import Path\nimport mkdocs_gen_files\nimport trl_cards\n"
            "globs = ['cards/**/TRL.md', 'cards/**/TRL.yml']\n"
            "cards = trl_cards.load_cards(Path('.'), globs)\n"
            "histories = trl_cards.load_histories(Path('.'), globs)\n"
            "with mkdocs_gen_files.open('owners.md', 'w') as f:\n"
            "    print('# Owners', file=f)\n"
            "    for c in cards.cards:\n"
            "        n = len(histories[c.id].transitions)\n"
            "        print(f'- {c.id}: {\", \".join(c.owners)} ({n})', file=f)\n"
        ),
    )
    (site_repo.path / "mkdocs.yml").write_text(
        (site_repo.path / "mkdocs.yml")
        .read_text()
        .replace("  - trl-cards", "  - gen-files:\n      scripts: [gen_owners.py]\n  - trl-cards")
    )
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    owners = build.page("owners/")
    assert "P13.2: Dana Whitfield (1)" in owners and "R02.1: Omar Haddad (1)" in owners


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_generated_link_resolves(site_repo: SiteRepo, directory_urls: bool) -> None:
    _history_repo(site_repo)
    _org(site_repo)
    if not directory_urls:
        config = site_repo.path / "mkdocs.yml"
        config.write_text(config.read_text() + "use_directory_urls: false\n")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    pages = sorted((build.site / "readiness").rglob("*.html"))
    assert len(pages) > 20
    checked = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#:?]+)(?:#([^"]*))?"', html):
            target = (page.parent / href[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(build.site)} links to missing {href[0]}"
            if href[1] and target.suffix == ".html":
                assert f'id="{href[1]}"' in target.read_text(encoding="utf-8"), (page, href)
            checked += 1
    assert checked > 200


def test_enabled_false_leaves_the_site_alone(site_repo: SiteRepo) -> None:
    site_repo.write("cards/bad/TRL.md", "---\nid: B1\nname: Bad\nlevel: 12\n---\n")
    site_repo.commit("A bad card")
    site_repo.configure("      enabled: false\n")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    assert not (build.site / "readiness").exists()
    assert not (build.site / "api").exists()
    assert "trl-cards" not in build.page("")


def test_systems_on_the_dashboard_and_card_pages(site_repo: SiteRepo) -> None:
    site_repo.write(
        "cards/product/TRL.md",
        card("P8.1", 8, name="Retina product", extra="parts: [D3.1, M7.1]\ncoupled: [R1.1]\n"),
    )
    site_repo.write(
        "cards/data/TRL.md", card("D3.1", 3, name="Retina data", extra="owners: [Ana]\n")
    )
    site_repo.write("cards/model/TRL.md", card("M7.1", 7, name="Retina model"))
    site_repo.write("cards/research/TRL.md", card("R1.1", 1, name="Retina research"))
    site_repo.commit("A system of two parts, and the research behind it")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log

    dashboard = build.page("readiness/")
    assert "#}" not in dashboard and "{#" not in dashboard  # no template comment leaks
    row = re.search(
        r'<td data-label="System"><a href="cards/P8\.1/"><code>P8\.1</code></a></td>.*?</tr>',
        dashboard,
    )
    assert row is not None, "the system is on the dashboard"
    assert 'title="Level 3: ' in row[0] and "Retina data" in row[0]
    assert '<td data-label="Its owners">Ana</td>' in row[0]
    product = build.page("readiness/cards/P8.1/")
    assert "held down by" in product and "../D3.1/" in product
    # The research card it is coupled to is related, not a part: it holds nothing down.
    assert 'held down by <a href="../R1.1/"' not in product
    part = build.page("readiness/cards/D3.1/")
    assert "Part of" in part and "../P8.1/" in part
    exported = {c["id"]: c for c in build.cards_json()["cards"]}
    assert (exported["P8.1"]["system_level"], exported["P8.1"]["system_held_by"]) == (3, "D3.1")
    assert exported["R1.1"]["system_level"] is None


def test_search_indexes_the_card_not_its_listings(site_repo: SiteRepo) -> None:
    for level in (2, 3):
        site_repo.write("cards/p/TRL.md", card("P1", level, extra="tags: [vision]\n"))
        site_repo.commit(f"P1 at {level}")
    build = site_repo.build(strict=True)
    docs = build.search_docs()
    history = [d for d in docs if d["location"] == "readiness/cards/P1/#level-history"]
    assert len(history) == 1
    text = history[0]["text"]
    # Neither the transitions table (dates, commits, authors) nor the chart is text to find
    # the card by: its own fields and sections are.
    assert "first record" not in text and "advance" not in text
    assert "Prototyping" not in text and "ResearchPrototyping" not in text
    assert "first record, or a change through its gate" in build.page("readiness/cards/P1/")
    assert "first record, or a change through its gate" not in json.dumps(docs)
    # Pages that only list cards are left out: a search for P1 finds its page alone.
    with_p1 = {d["location"].split("#")[0] for d in docs if "P1" in d["text"] + d["title"]}
    assert with_p1 == {"readiness/cards/P1/"}, with_p1
    locations = {d["location"].split("#")[0] for d in docs}
    assert "readiness/" not in locations and "readiness/tags/vision/" not in locations
    level = next(d for d in docs if d["location"] == "readiness/levels/3/")
    assert "System development" in level["title"] and "Gated review" in level["text"]


def test_search_snippets_keep_the_fields_apart(site_repo: SiteRepo) -> None:
    site_repo.write("cards/p/TRL.md", card("P1", 3, extra="owners: [Ana Ortiz]\ntags: [vision]\n"))
    site_repo.commit("P1")
    build = site_repo.build(strict=True)
    page = next(d for d in build.search_docs() if d["location"] == "readiness/cards/P1/")
    # Cells are words apart, as a reader sees them, not "OwnersAna Ortiz".
    assert "Owners Ana Ortiz" in page["text"] and "Tags vision" in page["text"], page["text"]
    assert "Phase Prototyping" in page["text"]
    # The page's own address and badge snippet are not text to find it by.
    assert "readiness/badges" not in page["text"] and "stable: it follows" not in page["text"]


def test_tags_link_to_a_page_per_tag(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 3, extra="tags: [Computer vision, <b>x</b>]\n"))
    site_repo.write("cards/b/TRL.md", card("B1", 5, extra="tags: [computer-vision]\n"))
    site_repo.commit("Two cards, one tag written two ways")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = build.page("readiness/tags/computer-vision/")
    assert "Tag: Computer vision, computer-vision" in page
    assert (
        '<a href="../../cards/A1/"><code>A1' in page
        and '<a href="../../cards/B1/"><code>B1' in page
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in build.page("readiness/tags/b-x-b-e31e3a/")  # any text is safe
    assert 'href="tags/computer-vision/"' in build.page("readiness/")
    assert 'href="../../tags/computer-vision/"' in build.page("readiness/cards/A1/")
    listing = build.page("readiness/tags/")
    assert "computer-vision</a> (2)" in listing


def test_search_leaves_out_the_status_box(site_repo: SiteRepo) -> None:
    """The first screen repeats the card's fields and its level's gate criteria, the same on
    every card of the level: search indexes the fields once, and no criterion."""
    site_repo.write("cards/p/TRL.md", card("P1", 3, extra="owners: [Ana Ortiz]\n"))
    site_repo.commit("P1")
    build = site_repo.build(strict=True)
    page = build.page("readiness/cards/P1/")
    assert "Next gate" in page
    text = " ".join(d["text"] for d in build.search_docs() if "cards/P1/" in d["location"])
    assert "Next gate" not in text and "At this level since" not in text
    assert text.count("Ana Ortiz") == 1
