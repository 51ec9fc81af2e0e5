"""`readiness/cards.csv`: where every card stands now, one row per card, for a spreadsheet."""

from __future__ import annotations

import csv
import io

from ..cards.levels import level
from ..model.pipeline import Project
from .made import Made, Memo

COLUMNS = (
    "id",
    "name",
    "level",
    "level_name",
    "phase",
    "system_level",
    "owners",
    "reviewers",
    "tags",
    "last_change",
    "path",
    "url",
    "repository",
    "closed",
    "stage",
    "target_level",
    "target_date",
    "target_status",
    "target_reached",
)


def files(project: Project, memo: Memo) -> Made:
    return Made({project.site.urls.cards_csv(): state_csv(project)})


def state_csv(project: Project) -> str:
    """The CSV text: lists joined with `; `, dates in ISO 8601 in the site's zone; a cell that
    a spreadsheet would read as a formula starts with `'`. After `COLUMNS`, a column per goal
    of the organisation (`goal: <name>`): `reached` or `short` for a card it selects."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    goals = project.goals
    writer.writerow([_inert(c) for c in (*COLUMNS, *(f"goal: {g.goal.name}" for g in goals))])
    short = [{card_id for card_id, _ in g.short} for g in goals]
    chosen = [set(g.cards) for g in goals]
    urls = project.site.urls
    for card in project.collection.cards:
        history = project.histories.get(card.id)
        changed = history.last_change if history else None
        system = project.analytics.systems.get(card.id)
        lvl = level(card.level)
        plan = project.analytics.targets.get(card.id)
        row = [
            card.id,
            card.name,
            str(card.level),
            lvl.name,
            lvl.phase.key,
            str(system.level) if system else "",
            "; ".join(card.owners),
            "; ".join(card.reviewers),
            "; ".join(card.tags),
            changed.isoformat() if changed else "",
            card.path,
            urls.url(urls.card(card.id)),
            project.site.repository_of(card.path),
            card.closed or "",
            card.stage or "",
            str(plan.target.level) if plan else "",
            plan.target.date.isoformat() if plan else "",
            plan.status if plan else "",
            plan.reached.date().isoformat() if plan and plan.reached else "",
            *(
                ("short" if card.id in s else "reached") if card.id in c else ""
                for c, s in zip(chosen, short, strict=True)
            ),
        ]
        writer.writerow([_inert(cell) for cell in row])
    return out.getvalue()


def _inert(cell: str) -> str:
    """A cell that spreadsheets do not run: `=`, `+`, `-`, `@` and control characters first
    make a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
