"""The milestones page (the readiness at each quarter end and release tag) and a page per
milestone of what changed since the one before."""

from __future__ import annotations

from ...cards.levels import LEVELS, PHASES, level
from ...model.milestones import CHANGE_KINDS, CHANGE_LABELS, Period
from ...model.pipeline import Project
from ...model.urls import Urls
from ..made import Made, Memo
from ..preview import counted
from ..templating import render_page
from . import templates


def files(project: Project, memo: Memo) -> Made:
    periods = project.analytics.periods
    env, site = templates(project), project.site
    pages = {}
    for index, period in enumerate(periods):
        here = site.urls.changes(period.end.slug)
        before = periods[index - 1] if index else None
        after = periods[index + 1] if index + 1 < len(periods) else None
        inputs = (period, before and (before.end, before.levels), after and after.end, site, env)
        last = memo.recall("milestone pages", period.end.slug, inputs)
        if last is not None:  # an edit re-renders the periods it changed in, and the next
            pages[here] = last
            continue
        owners = sorted({o for c in period.changes for o in c.card.owners}, key=str.casefold)
        tags = sorted({t for c in period.changes for t in c.card.tags}, key=str.casefold)
        repositories = (
            sorted({site.repository_of(c.card.path) for c in period.changes}, key=str.casefold)
            if site.sources
            else []
        )
        pages[here] = render_page(
            env,
            "changes.md",
            site=site,
            here=here,
            period=period,
            before=before,
            after=after,
            levels=LEVELS,
            kinds=CHANGE_KINDS,
            labels=CHANGE_LABELS,
            options={"owner": owners, "tag": tags, "repository": repositories},
            description=f"{counted(len(period.changes), 'change')} to the components "
            + (f"from {period.start.name} " if period.start else "")
            + f"up to {period.end.name}",
        )
        memo.keep("milestone pages", period.end.slug, inputs, pages[here])
    here = site.urls.milestones()
    pages[here] = render_page(
        env,
        "milestones.md",
        site=site,
        here=here,
        periods=list(reversed(periods)),
        phases=PHASES,
        per_phase=[_per_phase(p) for p in reversed(periods)],
        kinds=CHANGE_KINDS,
        labels=CHANGE_LABELS,
        description="The readiness at each quarter end and release tag, and what changed "
        "between them",
    )
    return Made(pages)


def _per_phase(period: Period) -> dict[str, int]:
    counts = dict.fromkeys((p.key for p in PHASES), 0)
    for number, count in period.levels.items():
        counts[level(number).phase.key] += count
    return counts


def nav(urls: Urls) -> list[str]:
    return [urls.milestones()]
