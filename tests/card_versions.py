"""A card whose fields and text change across three levels, with reviews: the history that the
tests of the page of changes, the link previews and the printed card page build on.

    P13.2 enters at 3 (2024-01-10), its text grows at 3, it passes its level 3 gate into 4
    with a review and a new owner, gets a hostile name and a tag at 4, passes its level 4 gate
    into 5 with its ethics started, records a `stay` review at 5 (its last gate), and then
    changes its owners and its text.
"""

from __future__ import annotations

import json

from conftest import SiteRepo, card, review

HOSTILE = 'Retina "triage" <b>bold</b> & co'
"""The card's name from level 4 on: quotes, markup and an ampersand, all to show as written."""

SCRIPT_LINE = "<script>alert('card')</script> & \"done\""
"""A line of the card's text added after its last gate."""

PATH = "cards/retina/TRL.md"

_TEXT = [
    "## TL;DR",
    "Triage retina scans.",
    "",
    "## Caveats",
    "None known yet.",
]


def _write(
    repo: SiteRepo,
    level: int,
    *,
    name: str = "Retina triage",
    owners: str = "[Ana]",
    tags: str = "[vision]",
    reviews: str = "",
    ethics: str = "",
    text: list[str],
) -> None:
    extra = f"owners: {owners}\ntags: {tags}\n{ethics}"
    extra += "reviews:\n" + reviews if reviews else ""
    body = "\n".join(text) + "\n"
    repo.write(PATH, card("P13.2", level, name=json.dumps(name), extra=extra, body=body))


def build_history(repo: SiteRepo) -> dict[str, str]:
    """Commit the card's history into `repo`; the commits by what each did."""
    shas = {}
    text = list(_TEXT)
    _write(repo, 3, text=text)
    shas["entry"] = repo.commit("Add P13.2 at level 3", date="2024-01-10T09:00:00+00:00")
    text.insert(2, "Works on fundus photographs.")
    _write(repo, 3, text=text)
    shas["at 3"] = repo.commit("P13.2: what it works on", date="2024-02-10T09:00:00+00:00")
    reviews = review(3, 4, "2024-03-09")
    text[5] = "Fails in low light."
    _write(repo, 4, owners="[Ana, Bo]", reviews=reviews, text=text)
    shas["to 4"] = repo.commit("P13.2 passes its level 3 gate", date="2024-03-10T09:00:00+00:00")
    _write(
        repo,
        4,
        name=HOSTILE,
        owners="[Ana, Bo]",
        tags="[vision, medical]",
        reviews=reviews,
        text=text,
    )
    shas["at 4"] = repo.commit("P13.2: a new name", date="2024-04-10T09:00:00+00:00")
    reviews += review(4, 5, "2024-05-09")
    ethics = "ethics: {status: in progress}\n"
    text[1] = "Triage retina scans for diabetic retinopathy."
    _write(
        repo,
        5,
        name=HOSTILE,
        owners="[Ana, Bo]",
        tags="[vision, medical]",
        reviews=reviews,
        ethics=ethics,
        text=text,
    )
    shas["to 5"] = repo.commit("P13.2 passes its level 4 gate", date="2024-05-10T09:00:00+00:00")
    reviews += review(5, 5, "2024-06-09", "stay")
    _write(
        repo,
        5,
        name=HOSTILE,
        owners="[Ana, Bo]",
        tags="[vision, medical]",
        reviews=reviews,
        ethics=ethics,
        text=text,
    )
    shas["stay"] = repo.commit("P13.2 stays at 5 for now", date="2024-06-10T09:00:00+00:00")
    text.append(SCRIPT_LINE)
    _write(
        repo,
        5,
        name=HOSTILE,
        owners="[Bo, Cy]",
        tags="[vision, medical]",
        reviews=reviews,
        ethics=ethics,
        text=text,
    )
    shas["after"] = repo.commit("P13.2: new owners", date="2024-07-10T09:00:00+00:00")
    return shas
