"""A page per level: what it means, what its gate checks, and the cards at it now."""

from __future__ import annotations

from ...cards.levels import LEVELS
from ...model.pipeline import Project
from ...model.urls import Urls
from ..made import Made, Memo
from ..preview import counted
from ..templating import render_page
from . import card_rows, filter_options, table_data, templates


def files(project: Project, memo: Memo) -> Made:
    env, site = templates(project), project.site
    pages = {}
    for lvl in LEVELS:
        at_level = (c for c in project.open_cards if c.level == lvl.number)
        rows = card_rows(at_level, project)
        inputs = (tuple(rows), site, env)
        last = memo.recall("level pages", str(lvl.number), inputs)
        if last is not None:  # an edit re-renders the pages of the levels it is at, was at
            pages[site.urls.level(lvl.number)] = last
            continue
        pages[site.urls.level(lvl.number)] = render_page(
            env,
            "level.md",
            site=site,
            here=site.urls.level(lvl.number),
            lvl=lvl,
            last_level=LEVELS[-1].number,
            rows=rows,
            options=filter_options(rows),
            table=table_data(rows, site, site.urls.level(lvl.number)),
            phases=(),
            description=f"Level {lvl.number} {lvl.name} ({lvl.phase.name.lower()}): {lvl.tagline} "
            f"\u00b7 {counted(len(rows), 'component')} at this level",
        )
        memo.keep("level pages", str(lvl.number), inputs, pages[site.urls.level(lvl.number)])
    return Made(pages)


def nav(urls: Urls) -> list[str]:
    return [urls.level(lvl.number) for lvl in LEVELS]
