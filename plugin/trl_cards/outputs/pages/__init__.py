"""The readiness pages, one module per kind. Each gives the pages it writes
(`files(project, memo) -> Made`) and those it puts in the navigation (`nav(urls)`); the
templates in `templates/` lay them out, and `registry.OUTPUTS` lists them."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jinja2 import Environment

from ...cards.card import Card
from ...cards.levels import LEVELS, level
from ...model.analytics import FLAGS
from ...model.attention import level_at
from ...model.pipeline import Project
from ...model.site import Site
from ..templating import environment, moment

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


def table_data(rows: Sequence[CardRow], site: Site, here: str) -> dict[str, object] | None:
    """What the script needs to show the rows of a card table beyond the first
    `site.table_rows`, which the page's HTML holds (None when it holds them all): each card as
    a list of plain values (`partials/card_table.html` writes it as JSON, and
    `assets/trl-cards.js` makes the same row of it), and what every row shares (links, the
    names of levels and flags). A third of the bytes of the rows it stands for, and no layout
    until a row is shown: the dashboard of 10,000 components stays a light page."""
    if len(rows) <= site.table_rows:
        return None
    first = rows[0].card.id
    head, _, tail = site.urls.link(here, site.urls.card(first)).rpartition(first)
    tags = sorted({tag for row in rows for tag in row.card.tags})
    folder = posixpath.dirname(site.urls.url(here))
    return {
        "csv": posixpath.relpath(site.urls.cards_csv(), folder or "."),
        "card": [head, tail],
        "tags": {tag: site.urls.link(here, site.urls.tag(tag)) for tag in tags},
        "levels": {
            str(lvl.number): [lvl.phase.key, f"Level {lvl.number}: {lvl.name}"] for lvl in LEVELS
        },
        "flags": FLAGS,
        "noOwner": NO_OWNER,
        "repository": bool(site.sources),
        "rows": [_row_values(row) for row in rows],
    }


def _row_values(row: CardRow) -> list[object]:
    """A card's row as the script reads it (see `table_data`)."""
    card, changed = row.card, row.changed
    when = ["", ""] if changed is None else [changed.isoformat(), moment(changed)]
    return [
        card.id,
        card.name,
        row.repository or "",
        card.level,
        list(card.owners),
        list(card.reviewers),
        list(card.tags),
        list(row.flags),
        *when,
        row.was,
        card.stage or "",
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
