"""The readiness pages, one module per kind. Each gives the pages it writes
(`files(project, memo) -> Made`) and those it puts in the navigation (`nav(urls)`); the
templates in `templates/` lay them out, and `registry.OUTPUTS` lists them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import Environment

from ...cards.card import Card
from ...cards.levels import level
from ...model.analytics import FLAGS
from ...model.attention import level_at
from ...model.pipeline import Project
from ..templating import environment

NO_OWNER = "(no owner)"
"""What the owner filter calls the cards that name no owner."""


@dataclass(frozen=True)
class CardRow:
    """A card in a table: the date of its last landed change, and its flags (`FLAGS`)."""

    card: Card
    changed: dt.datetime | None
    flags: tuple[str, ...] = ()
    repository: str | None = None  # on a site of many repositories, the card's
    was: str | None = None
    """On the dashboard, the card's phase at the last quarter end (`""`: not there yet), so
    that the changes since follow the table's filter; None elsewhere."""

    @property
    def owners(self) -> tuple[str, ...]:
        """The card's owners, or `NO_OWNER`: the filter can pick the cards without one."""
        return self.card.owners or (NO_OWNER,)


def card_rows(
    cards: Iterable[Card], project: Project, since: dt.datetime | None = None
) -> list[CardRow]:
    """The rows of a card table; with `since` (the last quarter end), each row knows its
    card's phase then."""
    flags = project.analytics.kpis.flags
    site = project.site
    rows = []
    for card in cards:
        history = project.histories.get(card.id)
        was = None
        if since is not None:
            before = level_at(history, since) if history else None
            was = "" if before is None else level(before).phase.key
        rows.append(
            CardRow(
                card,
                history.last_change if history else None,
                flags.get(card.id, ()),
                site.repository_of(card.path) if site.sources else None,
                was,
            )
        )
    return rows


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
        owners.update(row.owners)
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
