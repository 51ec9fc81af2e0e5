"""The card problems page: every problem found in the card files, with the fix."""

from __future__ import annotations

from collections.abc import Sequence

from ...cards.problem import Problem
from ...model.pipeline import Project
from ...model.urls import Urls
from ..preview import counted
from ..templating import RenderedPage, render_page
from . import templates


def page(project: Project, failures: Sequence[Problem]) -> dict[str, RenderedPage]:
    """The page of every problem of the cards, and of the `failures` the other outputs met
    (`registry.build_outputs` makes it last, with them)."""
    site = project.site
    problems = (*project.collection.problems, *failures)
    page = render_page(
        templates(project),
        "problems.md",
        site=site,
        here=site.urls.problems(),
        problems=problems,
        card_of={card.path: card for card in project.collection.cards},
        description=f"{counted(len(problems), 'problem')} in the card files, each with its fix"
        if problems
        else "No problem in the card files",
    )
    return {site.urls.problems(): page}


def nav(urls: Urls) -> list[str]:
    return [urls.problems()]
