"""The readiness dashboard: first what a lead asks (how ready, what needs attention, who must
act), then every component, then the detail (levels, time, systems, KPIs, exports)."""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup

from ...cards.fields import SWITCHBACK_KINDS
from ...cards.levels import LEVELS, PHASES
from ...model.analytics import ATTENTION, FLAGS
from ...model.attention import Headline, headline, held_down, rollups
from ...model.gates import EXPIRED, FEW, MISSING, exempted
from ...model.milestones import QUARTER
from ...model.pipeline import Project
from ...model.targets import AT_RISK, LATE, STATUSES
from ...model.transitions import TransitionKind
from ...model.urls import Urls
from ..chart import trend_svg
from ..made import Made, Memo
from ..preview import counted
from ..templating import render_page
from . import NO_OWNER, card_rows, filter_options, table_data, templates

SHORT = 10
"""The rows of each attention list on the dashboard; the rest are a link away."""


def files(project: Project, memo: Memo) -> Made:
    cards, collection = project.open_cards, project.collection
    analytics, site = project.analytics, project.site
    kpis = analytics.kpis
    quarters = [p.end for p in analytics.periods if p.end.kind == QUARTER]
    rows = card_rows(cards, project, quarters[-1].at if quarters else None)
    per_level = Counter(c.level for c in cards)
    by_id = {c.id: c for c in cards}
    flags = kpis.flags
    groups = {
        "owner": rollups(cards, flags, lambda c: c.owners or (NO_OWNER,), analytics.targets),
        "repository": rollups(cards, flags, lambda c: (site.repository_of(c.path),))
        if site.sources
        else (),
        "tag": rollups(cards, flags, lambda c: c.tags) if any(c.tags for c in cards) else (),
    }
    head = headline(cards, project.histories, analytics, len(collection.failed))
    page = render_page(
        templates(project),
        "dashboard.md",
        site=site,
        here=site.urls.dashboard(),
        cards=cards,
        rows=rows,
        options=filter_options(rows),
        table=table_data(rows, site, site.urls.dashboard()),
        headline=head,
        attention=ATTENTION,
        short=SHORT,
        groups=groups,
        held_down=held_down(analytics.systems, by_id),
        goals=project.goals,
        target_counts=Counter(p.status for p in analytics.targets.values()),
        target_statuses=STATUSES,
        off_target=sorted(
            (
                (by_id[card_id], plan)
                for card_id, plan in analytics.targets.items()
                if plan.status in (LATE, AT_RISK) and card_id in by_id
            ),
            key=lambda row: (STATUSES.index(row[1].status), row[1].target.date, row[0].id),
        ),
        levels=LEVELS,
        phases=PHASES,
        per_level=per_level,
        most=max(per_level.values(), default=1),
        kpis=kpis,
        quarter_pages={p.end.name: p.end.slug for p in analytics.periods},
        # The chart writes numbers, dates and phase names only (see `chart.trend_svg`).
        trend_chart=Markup(trend_svg(analytics.trend, _phase_links(project))),  # noqa: S704
        systems=sorted(
            (
                (by_id[card_id], system, by_id[system.held_by])
                for card_id, system in analytics.systems.items()
            ),
            key=lambda row: (row[1].level, row[0].id),
        ),
        by_id=by_id,
        closed=[(c, project.histories.get(c.id)) for c in project.closed_cards],
        transition_kinds=tuple(TransitionKind),
        switchback_kinds=SWITCHBACK_KINDS,
        flag_labels=FLAGS,
        gates={
            "errors": sum(f.kind in (MISSING, FEW) for f in project.findings),
            "exemptions": len(exempted(cards, project.histories)),
            "expired": sum(f.kind == EXPIRED for f in project.findings),
            "integrity": sum(f.integrity for f in project.findings),
        },
        description=_description(head),
    )
    return Made({site.urls.dashboard(): page})


def _description(head: Headline) -> str:
    """The dashboard in one sentence, for search results and link previews."""
    shown = [f"{s.count} in {s.phase.name.lower()}" for s in head.phases if s.count]
    needs = [f"{head.attention[f]} {FLAGS[f].lower()}" for f in ATTENTION if head.attention[f]]
    return (
        f"Readiness of {counted(head.total, 'component')}"
        + (": " + ", ".join(shown) if shown else "")
        + (f". Needs attention: {', '.join(needs)}" if needs else "")
    )


def _phase_links(project: Project) -> dict[str, str]:
    """Each phase's cards: the dashboard's components table, filtered by the phase."""
    here = project.site.urls.dashboard()
    return {p.key: f"{project.site.urls.link(here, here)}?phase={p.key}#components" for p in PHASES}


def nav(urls: Urls) -> list[str]:
    return [urls.dashboard()]
