"""The glossary: every word the site uses, and what it means (`glossary.TERMS`)."""

from __future__ import annotations

from ...model.pipeline import Project
from ...model.urls import Urls
from ..glossary import TERMS, definition
from ..made import Made, Memo
from ..templating import render_page
from . import templates


def files(project: Project, memo: Memo) -> Made:
    site = project.site
    terms = [(t.key, t.word, definition(t.key, site.stale_days)) for t in TERMS]
    here = site.urls.glossary()
    return Made(
        {here: render_page(templates(project), "glossary.md", site=site, here=here, terms=terms)}
    )


def nav(urls: Urls) -> list[str]:
    return [urls.glossary()]
