"""The readiness dashboard: counts per level and phase, the KPIs, and every card."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from markupsafe import Markup

from ...cards.card import Card
from ...cards.fields import SWITCHBACK_KINDS
from ...cards.levels import LEVELS, PHASES, level
from ...cards.problem import Severity
from ...model.pipeline import Project
from ...model.transitions import ADVANCE, ENTRY, INVALID_SWITCHBACK, SKIP, SWITCHBACK
from ...model.urls import Urls
from ..chart import trend_svg
from ..made import Made, Memo
from ..preview import counted
from ..templating import render_page
from . import card_rows, filter_options, templates


def files(project: Project, memo: Memo) -> Made:
    cards, problems = project.collection.cards, project.collection.problems
    rows = card_rows(cards, project)
    per_level = Counter(c.level for c in cards)
    by_id = {c.id: c for c in cards}
    page = render_page(
        templates(project),
        "dashboard.md",
        site=project.site,
        here=project.site.urls.dashboard(),
        cards=cards,
        rows=rows,
        options=filter_options(rows),
        problems=problems,
        failed=len(project.collection.failed),
        errors=sum(p.severity is Severity.ERROR for p in problems),
        levels=LEVELS,
        phases=PHASES,
        per_level=per_level,
        per_phase=Counter(level(c.level).phase.key for c in cards),
        most=max(per_level.values(), default=1),
        kpis=project.analytics.kpis,
        quarter_pages={p.end.name: p.end.slug for p in project.analytics.periods},
        # The chart writes numbers, dates and phase names only (see `chart.trend_svg`).
        trend_chart=Markup(trend_svg(project.analytics.trend, _phase_links(project))),  # noqa: S704
        systems=sorted(
            (
                (by_id[card_id], system, by_id[system.held_by])
                for card_id, system in project.analytics.systems.items()
            ),
            key=lambda row: (row[1].level, row[0].id),
        ),
        by_id=by_id,
        transition_kinds=(ENTRY, ADVANCE, SKIP, SWITCHBACK, INVALID_SWITCHBACK),
        switchback_kinds=SWITCHBACK_KINDS,
        description=_description(cards),
    )
    return Made({project.site.urls.dashboard(): page})


def _description(cards: Sequence[Card]) -> str:
    phases = Counter(level(c.level).phase.key for c in cards)
    shown = [f"{phases[p.key]} in {p.name.lower()}" for p in PHASES if phases[p.key]]
    return f"Readiness of {counted(len(cards), 'component')}" + (
        ": " + ", ".join(shown) if shown else ""
    )


def _phase_links(project: Project) -> dict[str, str]:
    """Each phase's cards: the dashboard's components table, filtered by the phase."""
    here = project.site.urls.dashboard()
    return {p.key: f"{project.site.urls.link(here, here)}?phase={p.key}#components" for p in PHASES}


def nav(urls: Urls) -> list[str]:
    return [urls.dashboard()]
