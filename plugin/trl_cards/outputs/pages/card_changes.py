"""A page per card of what changed in it, for a design review: since its last gate, and
between the versions it had when it left each earlier level (`model.card_diff`). The pages
stay out of the navigation and out of search; the card page links to its own."""

from __future__ import annotations

from ...cards.card import Card
from ...model.card_diff import card_steps
from ...model.pipeline import Project
from ...model.transitions import CardHistory
from ..made import Made, Memo
from ..preview import absolute
from ..templating import RenderedPage, render_page
from . import templates


def files(project: Project, memo: Memo) -> Made:
    """Every card's page of changes; one whose card and history are as in the last build
    comes from `memo`."""
    env, site = templates(project), project.site
    pages: dict[str, RenderedPage] = {}
    for card in project.collection.cards:
        history = project.histories.get(card.id, CardHistory(card.id))
        here = site.urls.card_changes(card.id)
        inputs = (card, history, project.now, project.settings.site_url, site, env)
        last: RenderedPage | None = memo.recall("card changes", card.id, inputs)
        if last is None:
            last = render_page(
                env,
                "card_changes.md",
                site=site,
                here=here,
                card=card,
                history=history,
                steps=card_steps(card, history),
                description=_description(card, history),
                address=absolute(project.settings.site_url, site.urls.url(here)),
                built=project.now,
            )
            memo.keep("card changes", card.id, inputs, last)
        pages[here] = last
    return Made(pages)


def _description(card: Card, history: CardHistory) -> str:
    if not history.transitions:
        return f"{card.id} {card.name}: no earlier version to compare yet."
    return (
        f"What changed in {card.id} {card.name} since its last gate, and between the levels "
        "it went through."
    )
