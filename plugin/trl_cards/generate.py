"""The readiness site as ordinary files, for engines that run no MkDocs plugin (Zensical, or
MkDocs and ProperDocs without `trl-cards`): pages as Markdown with their HTML inline, the card
JSON, the assets, and the navigation block to paste into the engine's config.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from .export import cards_json
from .levels import LEVELS
from .pipeline import Project
from .problem import Problem
from .render import render_pages

ASSETS = ("trl-cards.css", "trl-cards.js")


def generate_files(
    project: Project, now: dt.datetime
) -> tuple[dict[str, str | bytes], list[Problem]]:
    """Every file of the readiness pages, by path relative to the prefix folder, and the
    problems rendering found (on top of the project's own)."""
    failures: list[Problem] = []
    pages = render_pages(project.collection, project.histories, project.site, now, failures)
    prefix = project.site.urls.prefix + "/"
    files: dict[str, str | bytes] = {
        src.removeprefix(prefix): page.text + "\n" for src, page in pages.items()
    }
    files["cards.json"] = cards_json(project.collection, project.histories, project.site, now)
    for asset in ASSETS:
        files[f"assets/{asset}"] = (resources.files("trl_cards") / "assets" / asset).read_bytes()
    return files, failures


def write_files(files: dict[str, str | bytes], target: Path) -> None:
    """Write the files below `target`, replacing what an earlier run wrote there."""
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def config_snippet(project: Project) -> str:
    """What to paste into mkdocs.yml (or zensical.toml's equivalent) to show the pages."""
    prefix = project.site.urls.prefix
    levels = "\n".join(f"      - {prefix}/levels/{lvl.number}.md" for lvl in LEVELS)
    return (
        "extra_css:\n"
        f"  - {prefix}/assets/trl-cards.css\n"
        "extra_javascript:\n"
        f"  - {prefix}/assets/trl-cards.js\n"
        "nav:\n"
        "  - Readiness:\n"
        f"      - {prefix}/index.md\n"
        f"{levels}\n"
        f"      - {prefix}/problems.md\n"
        "not_in_nav: |\n"
        f"  /{prefix}/cards/\n"
    )
