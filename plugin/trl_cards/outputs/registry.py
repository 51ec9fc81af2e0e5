"""What a build writes, output by output: each declares its files and its navigation entries,
and `OUTPUTS` lists them. The plugin and `trl-cards generate` both write exactly these, so a
new output (a feed, a CSV, badges) is a module with `files` and `nav`, and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from ..cards.problem import Problem
from ..model.pipeline import Project
from ..model.urls import LEGACY_CARD_JSON, Urls
from . import badges, feeds, schema_file, state_csv
from .card_json import project_json
from .made import Content, Made, Memo
from .pages import (
    card_changes,
    cards,
    dashboard,
    gates,
    glossary,
    goals,
    levels,
    milestones,
    problems,
    redirects,
    tags,
)

ASSETS = ("trl-cards.css", "trl-cards.js")
"""The stylesheet and script of the readiness pages (`Urls.asset`)."""


@dataclass(frozen=True)
class Output:
    """One kind of thing a build writes: its files, and the pages it puts in the navigation
    (none by default: card pages and files stay out of it)."""

    name: str
    files: Callable[[Project, Memo], Made]
    """(project, memo) -> its files by path from the site root, and the problems met."""
    nav: Callable[[Urls], list[str]] | None = None
    """The source URIs it puts in the navigation, in order."""


def _card_json(project: Project, memo: Memo) -> Made:
    text = project_json(project, memo)
    return Made({project.site.urls.card_json(): text, LEGACY_CARD_JSON: text})


def _assets(project: Project, memo: Memo) -> Made:
    folder = resources.files("trl_cards.outputs") / "assets"
    return Made({project.site.urls.asset(n): (folder / n).read_bytes() for n in ASSETS})


OUTPUTS: tuple[Output, ...] = (
    Output("dashboard", dashboard.files, dashboard.nav),
    Output("level pages", levels.files, levels.nav),
    Output("tag pages", tags.files, tags.nav),
    Output("milestone pages", milestones.files, milestones.nav),
    Output("gates page", gates.files, gates.nav),
    Output("glossary", glossary.files, glossary.nav),
    Output("goal pages", goals.files),
    Output("card pages", cards.files),
    Output("card changes pages", card_changes.files),
    Output("redirects from former ids", redirects.files),
    Output("card JSON", _card_json),
    Output("card CSV", state_csv.files),
    Output("badges", badges.files),
    Output("feeds", feeds.files),
    Output("card JSON Schema", schema_file.files),
    Output("assets", _assets),
)
"""Every output but the problems page, which is made last with what the others met."""


@dataclass(frozen=True)
class Built:
    """Every file of every output, the navigation entries, and the problems met."""

    files: dict[str, Content]
    nav: list[str]
    problems: tuple[Problem, ...]


def nav_entries(urls: Urls) -> list[str]:
    """The pages the outputs put in the navigation, in order: the problems page last."""
    return [e for o in OUTPUTS if o.nav for e in o.nav(urls)] + [urls.problems()]


def build_outputs(project: Project, memo: Memo | None = None) -> Built:
    """Every file of every output, the navigation entries, and the problems found making them
    (also listed on the problems page). `memo` is what the last build made (`mkdocs serve`);
    without one, everything is made afresh."""
    memo = memo or Memo()
    files: dict[str, Content] = {}
    found: list[Problem] = []
    for output in OUTPUTS:
        made = output.files(project, memo)
        files.update(made.files)
        found += made.problems
    files.update(problems.page(project, found))
    memo.close()
    return Built(files, nav_entries(project.site.urls), tuple(found))
