"""A page per goal of the organisation (`goals` in mkdocs.yml): its status, its burn-up drawn
from the history, and the cards still short of its level with their owners. The dashboard
lists the goals and links each page; goal pages stay out of the navigation, as card pages do."""

from __future__ import annotations

from markupsafe import Markup

from ...model.pipeline import Project
from ..chart import burnup_svg
from ..made import Made, Memo
from ..templating import render_page
from . import templates


def files(project: Project, memo: Memo) -> Made:
    env, site = templates(project), project.site
    by_id = {c.id: c for c in project.collection.cards}
    pages = {}
    for progress in project.goals:
        here = site.urls.goal(progress.slug)
        goal = progress.goal
        chart = burnup_svg(progress.burnup, len(progress.cards), goal.date, project.now, goal.level)
        pages[here] = render_page(
            env,
            "goal.md",
            site=site,
            here=here,
            progress=progress,
            goal=goal,
            by_id=by_id,
            # The chart writes numbers and dates only (see `chart.burnup_svg`).
            chart=Markup(chart),  # noqa: S704
            built=project.now,
            description=f"Goal {goal.name}: {progress.reached} of {len(progress.cards)} "
            f"components at level {goal.level} or above, due {goal.date.isoformat()} "
            f"({progress.status})",
        )
    return Made(pages)
