"""The readiness site as ordinary files, for engines that run no MkDocs plugin (Zensical, or
MkDocs and ProperDocs without `trl-cards`): pages as Markdown with their HTML inline, the card
JSON, the assets, and the navigation block to paste into the engine's config.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..cards.border import RefusedError, read_regular_file, write_atomically
from ..cards.problem import Problem
from ..model.pipeline import Project
from ..outputs.registry import ASSETS, build_outputs, nav_entries
from ..outputs.templating import RenderedPage


def generate_files(project: Project) -> tuple[dict[str, str | bytes], list[Problem]]:
    """Every file of every output (`outputs.OUTPUTS`), by path relative to the prefix folder
    (pages as Markdown with their HTML inline), and the problems making them found."""
    built = build_outputs(project)
    urls = project.site.urls
    prefix = urls.prefix + "/"
    files: dict[str, str | bytes] = {
        uri.removeprefix(prefix): content.text + "\n"
        if isinstance(content, RenderedPage)
        else content
        for uri, content in built.files.items()
        if urls.inside(uri)  # the copy of the card JSON at `api/cards.json` is the plugin's
    }
    return files, list(built.problems)


MANIFEST = ".trl-cards-generated"
"""The list, in the target folder, of the files the last run wrote there."""


def write_files(files: dict[str, str | bytes], target: Path) -> None:
    """Write the files below `target`, and remove those an earlier run wrote that are no
    longer generated (a retired card's page must not stay published). Files the manifest does
    not list are never touched."""
    manifest = target / MANIFEST
    try:  # the manifest is this command's own file, but bounded like any other
        earlier = read_regular_file(manifest, 16 << 20).decode("utf-8", "replace").splitlines()
    except RefusedError:
        earlier = []
    for relative in earlier:
        stale = target / relative
        # Only plain relative paths below the target: a hand-edited manifest cannot reach out.
        if relative not in files and ".." not in Path(relative).parts and stale.is_file():
            stale.unlink()
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, content if isinstance(content, bytes) else content.encode("utf-8"))
    write_atomically(manifest, "".join(f"{name}\n" for name in sorted(files)).encode("utf-8"))


def config_snippet(project: Project) -> str:
    """What to paste into mkdocs.yml (or the engine's own config) to show the pages."""
    urls = project.site.urls
    entries = nav_entries(urls)
    nav = "".join(f"      - {entry}\n" for entry in entries)
    css, js = (urls.asset(name) for name in ASSETS)
    title = json.dumps(project.settings.nav_title or "Readiness", ensure_ascii=False)
    return (
        f"extra_css:\n  - {css}\nextra_javascript:\n  - {js}\n"
        f"nav:\n  - {title}:\n{nav}"
        f"not_in_nav: |\n  /{urls.prefix}/cards/\n"
    )
