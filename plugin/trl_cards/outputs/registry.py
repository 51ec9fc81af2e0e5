"""What a build writes, output by output: each declares its files and its navigation entries,
and `OUTPUTS` lists them. The plugin and `trl-cards generate` both write exactly these, so a
new output (a feed, a CSV, badges) is a module with `files` and `nav`, and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources

from ..cards.problem import Problem
from ..model.pipeline import Project
from . import badges, feeds, schema_file, state_csv
from .card_json import project_json
from .pages import cards, dashboard, levels, milestones, problems, redirects, tags
from .templating import RenderedPage
from .urls import Urls

Content = RenderedPage | str | bytes
"""A generated page (Markdown with its finished HTML apart), or a file's text or bytes."""

ASSETS = ("trl-cards.css", "trl-cards.js")
"""The stylesheet and script of the readiness pages, under `assets/`."""


def _no_nav(urls: Urls) -> list[str]:
    return []


@dataclass(frozen=True)
class Output:
    """One kind of thing a build writes."""

    name: str
    files: Callable[[Project, list[Problem]], Mapping[str, Content]]
    """(project, failures) -> content by path relative to the docs folder; problems found while
    making it are appended to failures."""
    nav: Callable[[Urls], list[str]] = _no_nav
    """The source URIs it puts in the navigation, in order."""


def _card_json(project: Project, failures: list[Problem]) -> dict[str, Content]:
    return {"api/cards.json": project_json(project)}


def _assets(project: Project, failures: list[Problem]) -> dict[str, Content]:
    folder = resources.files("trl_cards.outputs") / "assets"
    return {f"assets/{name}": (folder / name).read_bytes() for name in ASSETS}


OUTPUTS: tuple[Output, ...] = (
    Output("dashboard", dashboard.files, dashboard.nav),
    Output("level pages", levels.files, levels.nav),
    Output("tag pages", tags.files, tags.nav),
    Output("milestone pages", milestones.files, milestones.nav),
    Output("card pages", cards.files, cards.nav),
    Output("redirects from former ids", redirects.files, redirects.nav),
    Output("problems page", problems.files, problems.nav),  # after the pages it reports on
    Output("card JSON", _card_json),
    Output("card CSV", state_csv.files, state_csv.nav),
    Output("badges", badges.files, badges.nav),
    Output("feeds", feeds.files, feeds.nav),
    Output("card JSON Schema", schema_file.files, schema_file.nav),
    Output("assets", _assets),
)


def build_outputs(project: Project) -> tuple[dict[str, Content], list[str], list[Problem]]:
    """Every file of every output, the navigation entries, and the problems found making them."""
    files: dict[str, Content] = {}
    nav: list[str] = []
    failures: list[Problem] = []
    for output in OUTPUTS:
        files.update(output.files(project, failures))
        nav += output.nav(project.site.urls)
    return files, nav, failures
