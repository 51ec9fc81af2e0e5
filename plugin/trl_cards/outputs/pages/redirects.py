"""Redirect pages: a card's former ids (its `aliases`, and the id changes found in its
history) keep their URLs, which lead to the card's current pages. Links pasted into design
reviews years ago go on working after an id change."""

from __future__ import annotations

from ...cards.problem import Problem
from ...model.pipeline import Project
from ..urls import Urls
from . import templates


def files(project: Project, failures: list[Problem]) -> dict[str, str]:
    site, env = project.site, templates(project)
    current = {card.id.casefold() for card in project.collection.cards}
    template = env.get_template("redirect.html")
    pages: dict[str, str] = {}
    for card in project.collection.cards:
        history = project.histories.get(card.id)
        former = [*card.aliases, *(c.from_id for c in history.id_changes)] if history else []
        levels = sorted(history.card_at_level) if history else []
        for old in dict.fromkeys(former):
            if old.casefold() in current:
                continue  # another card holds that id now: its URL is that card's
            targets = [(site.urls.card(old), site.urls.card(card.id))] + [
                (site.urls.card_at_level(old, n), site.urls.card_at_level(card.id, n))
                for n in levels
            ]
            for source, target in targets:
                path = _html_path(site.urls, source)
                pages[path] = template.render(
                    site=site,
                    here=source,
                    old_id=old,
                    card=card,
                    target=site.urls.link(source, target),
                )
    return pages


def nav(urls: Urls) -> list[str]:
    return []


def _html_path(urls: Urls, source: str) -> str:
    """The file the page at `source` becomes (`cards/P1/index.md` -> `cards/P1/index.html`)."""
    url = urls.url(source)
    return url + "index.html" if url.endswith("/") or not url else url
