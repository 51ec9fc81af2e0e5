"""The readiness pages, one module per kind. Each module gives the files it writes
(`files(project, failures)`) and the pages it puts in the navigation (`nav(urls)`); the
templates in `templates/` lay them out, and `outputs.OUTPUTS` lists them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from jinja2 import Environment

from ..card import Card
from ..pipeline import Project
from ..templating import environment
from ..timeline import CardHistory

CardRow = tuple[Card, dt.datetime | None]
"""A card in a table, with the date of its last landed change."""


def card_rows(cards: Iterable[Card], histories: Mapping[str, CardHistory]) -> list[CardRow]:
    return [(card, h.last_change if (h := histories.get(card.id)) else None) for card in cards]


def filter_options(rows: Iterable[CardRow]) -> dict[str, list[str]]:
    """The choices of a card table's filter: every owner, reviewer and tag of its cards."""
    owners: set[str] = set()
    reviewers: set[str] = set()
    tags: set[str] = set()
    for card, _ in rows:
        owners.update(card.owners)
        reviewers.update(card.reviewers)
        tags.update(card.tags)
    return {
        "owner": sorted(owners, key=str.casefold),
        "reviewer": sorted(reviewers, key=str.casefold),
        "tag": sorted(tags, key=str.casefold),
    }


def templates(project: Project) -> Environment:
    """The template environment of the project's site (with its theme's overrides)."""
    return environment(project.settings.template_dirs)
