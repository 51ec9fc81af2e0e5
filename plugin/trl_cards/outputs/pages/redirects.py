"""Redirect pages: a card's former ids (its `aliases`, and the id changes found in its
history) keep their URLs, which lead to the card's current pages. Links pasted into design
reviews years ago go on working after an id change."""

from __future__ import annotations

from ...model.pipeline import Project
from ..made import Made, Memo
from ..templating import render_html
from . import templates


def files(project: Project, memo: Memo) -> Made:
    site, env = project.site, templates(project)
    current = {card.id.casefold() for card in project.collection.cards}
    pages: dict[str, str] = {}
    for card in project.collection.cards:
        history = project.histories.get(card.id)
        former = [*card.aliases, *(c.from_id for c in history.id_changes)] if history else []
        levels = sorted(history.card_at_level) if history else []
        for old in dict.fromkeys(former):
            if old.casefold() in current:
                continue  # another card holds that id now: its URL is that card's
            targets = (
                [(site.urls.card(old), site.urls.card(card.id))]
                + [
                    (site.urls.card_at_level(old, n), site.urls.card_at_level(card.id, n))
                    for n in levels
                ]
                + [(site.urls.card_changes(old), site.urls.card_changes(card.id))]
            )
            for source, target in targets:
                path = site.urls.html_file(source)
                pages[path] = render_html(
                    env,
                    "redirect.html",
                    site=site,
                    here=source,
                    old_id=old,
                    card=card,
                    target=site.urls.link(source, target),
                )
    return Made(pages)
