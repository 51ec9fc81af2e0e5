"""Links that stay valid for years: a card's URL follows its id, anchors follow what a
transition or a review is, and a former id leads to the card's current page."""

from __future__ import annotations

import re

from conftest import SiteRepo, card, review


def _anchors(page: str) -> list[str]:
    return re.findall(r'<tr id="(transition-[^"]+)"', page)


def test_ignoring_a_commit_renumbers_no_other_anchor(site_repo: SiteRepo) -> None:
    shas = {}
    for level, day in ((1, "01"), (2, "02"), (3, "03"), (4, "04")):
        site_repo.write("cards/p/TRL.md", card("P1", level))
        shas[level] = site_repo.commit(f"P1 at {level}", date=f"2024-0{day}-01T00:00:00+00:00")
    before = _anchors(site_repo.build(strict=True).page("readiness/cards/P1/"))
    assert before == [
        f"transition-entry-1-{shas[1][:8]}",
        f"transition-1-2-{shas[2][:8]}",
        f"transition-2-3-{shas[3][:8]}",
        f"transition-3-4-{shas[4][:8]}",
    ]

    (site_repo.path / ".git-blame-ignore-revs").write_text(f"{shas[2]}\n", encoding="utf-8")
    after = _anchors(site_repo.build().page("readiness/cards/P1/"))
    assert f"transition-1-2-{shas[2][:8]}" not in after  # the mechanical commit's change
    assert before[3] in after and before[0] in after  # the others keep their anchors


def test_review_anchors_follow_the_review(site_repo: SiteRepo) -> None:
    reviews = "reviews:\n" + review(2, 3, "2024-02-01") + review(3, 4, "2024-03-01")
    site_repo.write("cards/p/TRL.md", card("P1", 4, extra=reviews))
    site_repo.commit("P1")
    page = site_repo.build(strict=True).page("readiness/cards/P1/")
    assert re.findall(r'<section class="trl-review" id="([^"]+)"', page) == [
        "review-2024-02-01-2-3",
        "review-2024-03-01-3-4",
    ]
    assert 'href="#review-2024-03-01-3-4"' in page
    # Each transition, each review and the card itself have a link to copy.
    assert '<a class="trl-permalink" href="./">readiness/cards/P1/</a>' in page


def test_old_urls_keep_working_across_a_rename_a_move_and_an_id_change(
    site_repo: SiteRepo,
) -> None:
    site_repo.write("cards/old/TRL.md", card("A1", 2, name="First name"))
    site_repo.write("cards/c/TRL.md", card("C1", 1, extra="aliases: [Z9]\n"))
    site_repo.commit("A1 and C1")
    first = site_repo.build(strict=True)
    a1_url = "readiness/cards/A1/"
    assert first.page(a1_url)

    # Renamed and moved: the URL follows the id.
    site_repo.rm("cards/old")
    site_repo.write("cards/new-home/TRL.md", card("A1", 3, name="Second name"))
    site_repo.commit("Move and rename A1")
    moved = site_repo.build(strict=True)
    assert "Second name" in moved.page(a1_url)

    # A new id in the same file: the old URL leads to the card's new page.
    site_repo.write("cards/new-home/TRL.md", card("B1", 4, name="Second name"))
    site_repo.commit("Renumber A1 as B1")
    renumbered = site_repo.build(strict=True)
    redirect = renumbered.page(a1_url)
    assert '<meta http-equiv="refresh" content="0; url=../B1/">' in redirect
    assert '<a href="../B1/"><code>B1</code> Second name</a>' in redirect
    assert "Second name" in renumbered.page("readiness/cards/B1/")
    # Its earlier-level pages lead to the same pages under the new id.
    assert 'url=../../B1/level-3/"' in renumbered.page("readiness/cards/A1/level-3/")
    # An alias is a former id too.
    assert 'url=../C1/"' in renumbered.page("readiness/cards/Z9/")
