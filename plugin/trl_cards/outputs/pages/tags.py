"""A page per tag, with its cards, and a page listing every tag."""

from __future__ import annotations

from ...cards.card import Card
from ...model.pipeline import Project
from ...model.urls import Urls, tag_slug
from ..made import Made, Memo
from ..preview import counted
from ..templating import render_page
from . import card_rows, filter_options, table_data, templates


def files(project: Project, memo: Memo) -> Made:
    env, site = templates(project), project.site
    names: dict[str, list[str]] = {}  # slug -> the tags written so, in order of appearance
    cards: dict[str, list[Card]] = {}  # slug -> the cards with one of those tags
    for card in project.open_cards:
        for slug in dict.fromkeys(tag_slug(tag) for tag in card.tags):
            cards.setdefault(slug, []).append(card)
        for tag in card.tags:
            written = names.setdefault(tag_slug(tag), [])
            if tag not in written:
                written.append(tag)
    pages = {}
    for slug in sorted(names):
        rows = card_rows(cards[slug], project)
        here = site.urls.tag(names[slug][0])
        inputs = (tuple(rows), tuple(names[slug]), site, env)
        last = memo.recall("tag pages", slug, inputs)  # an edit re-renders its tags' pages only
        if last is not None:
            pages[here] = last
            continue
        pages[here] = render_page(
            env,
            "tag.md",
            site=site,
            here=here,
            names=names[slug],
            rows=rows,
            options=filter_options(rows),
            table=table_data(rows, site, here),
            phases=(),
            description=f"{counted(len(rows), 'component')} tagged {', '.join(names[slug])}",
        )
        memo.keep("tag pages", slug, inputs, pages[here])
    here = site.urls.tags()
    listed = [(names[slug], len(cards[slug])) for slug in sorted(names)]
    pages[here] = render_page(
        env,
        "tags.md",
        site=site,
        here=here,
        tags=listed,
        description=f"Every tag of the components: {counted(len(listed), 'tag')}",
    )
    return Made(pages)


def nav(urls: Urls) -> list[str]:
    return [urls.tags()]
