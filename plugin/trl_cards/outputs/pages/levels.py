"""A page per level: what it means, what its gate checks, and the cards at it now."""

from __future__ import annotations

from ...cards.levels import LEVELS
from ...cards.problem import Problem
from ...model.pipeline import Project
from ..templating import RenderedPage, render_page
from ..urls import Urls
from . import card_rows, filter_options, templates


def files(project: Project, failures: list[Problem]) -> dict[str, RenderedPage]:
    env, site = templates(project), project.site
    pages = {}
    for lvl in LEVELS:
        at_level = (c for c in project.collection.cards if c.level == lvl.number)
        rows = card_rows(at_level, project)
        pages[site.urls.level(lvl.number)] = render_page(
            env,
            "level.md",
            site=site,
            here=site.urls.level(lvl.number),
            lvl=lvl,
            last_level=LEVELS[-1].number,
            rows=rows,
            options=filter_options(rows),
            phases=(),
        )
    return pages


def nav(urls: Urls) -> list[str]:
    return [urls.level(lvl.number) for lvl in LEVELS]
