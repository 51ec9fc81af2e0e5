"""The card problems page: every problem found in the card files, with the fix."""

from __future__ import annotations

from ...cards.problem import Problem
from ...model.pipeline import Project
from ..templating import RenderedPage, render_page
from ..urls import Urls
from . import templates


def files(project: Project, failures: list[Problem]) -> dict[str, RenderedPage]:
    """Listed after the card pages in `OUTPUTS`, so it shows the problems they met too."""
    site = project.site
    page = render_page(
        templates(project),
        "problems.md",
        site=site,
        here=site.urls.problems(),
        problems=(*project.collection.problems, *failures),
    )
    return {site.urls.problems(): page}


def nav(urls: Urls) -> list[str]:
    return [urls.problems()]
