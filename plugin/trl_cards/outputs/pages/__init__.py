"""The readiness pages, one module per kind. Each gives the pages it writes
(`files(project, memo) -> Made`) and those it puts in the navigation (`nav(urls)`); the
templates in `templates/` lay them out, and `registry.OUTPUTS` lists them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import Environment

from ...cards.card import Card
from ...model.analytics import FLAGS
from ...model.pipeline import Project
from ..templating import environment


@dataclass(frozen=True)
class CardRow:
    """A card in a table: the date of its last landed change, and its flags (`FLAGS`)."""

    card: Card
    changed: dt.datetime | None
    flags: tuple[str, ...] = ()
    repository: str | None = None  # on a site of many repositories, the card's


def card_rows(cards: Iterable[Card], project: Project) -> list[CardRow]:
    flags = project.analytics.kpis.flags
    site = project.site
    return [
        CardRow(
            card,
            h.last_change if (h := project.histories.get(card.id)) else None,
            flags.get(card.id, ()),
            site.repository_of(card.path) if site.sources else None,
        )
        for card in cards
    ]


def filter_options(rows: Iterable[CardRow]) -> dict[str, list[str]]:
    """The choices of a card table's filter: every owner, reviewer, tag and flag of its
    cards."""
    owners: set[str] = set()
    reviewers: set[str] = set()
    tags: set[str] = set()
    flags: set[str] = set()
    repositories: set[str] = set()
    for row in rows:
        card = row.card
        flags.update(row.flags)
        if row.repository:
            repositories.add(row.repository)
        owners.update(card.owners)
        reviewers.update(card.reviewers)
        tags.update(card.tags)
    return {
        "owner": sorted(owners, key=str.casefold),
        "reviewer": sorted(reviewers, key=str.casefold),
        "tag": sorted(tags, key=str.casefold),
        "flag": [f for f in FLAGS if f in flags],
        "repository": sorted(repositories, key=str.casefold),
    }


def templates(project: Project) -> Environment:
    """The template environment of the project's site (with its theme's overrides)."""
    return environment(project.settings.template_dirs)
