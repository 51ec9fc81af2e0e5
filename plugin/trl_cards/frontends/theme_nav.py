"""Material's navigation, rendered once for the many readiness pages that are not in it.

Material renders the whole navigation into every page: about 1 ms a page, a tenth of a build
of 1,000 cards (4,099 pages, all but 18 of them outside the navigation). For a page outside
it, no item is active, so the HTML differs between two such pages only in the links, which
MkDocs' `url` filter makes relative to the page. So the navigation is rendered once per set of
relative links, and copied into the other pages that have the same ones. A page in the
navigation is never one of them: its link to itself is no other page's.

Only material's own navigation templates are cached this way: a theme override of any of them
(which may show something of the page) is rendered for every page, as MkDocs does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment, TemplateNotFound
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

_NAV = "partials/nav.html"
_ORIGINAL = "trl-cards/material-nav.html"
_PARTS = (_NAV, "partials/nav-item.html", "partials/logo.html", "partials/source.html")
# Renders the original once per key, and copies it for every other page with that key.
_CACHING = (
    "{%- set trl_key = trl_nav_key(page, nav, config) -%}"
    "{%- set trl_html = trl_nav_recall(trl_key) -%}"
    "{%- if trl_html is none -%}"
    "{%- set trl_html -%}{% include '" + _ORIGINAL + "' %}{%- endset -%}"
    "{%- set trl_html = trl_nav_keep(trl_key, trl_html) -%}"
    "{%- endif -%}"
    "{{ trl_html }}"
)


class NavCache:
    """The navigation HTML of one build, by the relative links of the pages it was made for."""

    def __init__(self) -> None:
        self._html: dict[tuple[str, ...], str] = {}
        self._targets: tuple[str, ...] | None = None

    def install(self, env: Environment) -> Environment:
        """Make `env` (material's) render its navigation through this cache; any other theme,
        or a site that overrides a navigation template, is left as it is."""
        loader, templates = env.loader, _material_templates()
        if loader is None or templates is None:
            return env
        if not all(_is_materials(env, name, templates) for name in _PARTS):
            return env
        original, _, _ = loader.get_source(env, _NAV)
        env.loader = ChoiceLoader([DictLoader({_NAV: _CACHING, _ORIGINAL: original}), loader])
        env.globals.update(
            trl_nav_key=self._key, trl_nav_recall=self._recall, trl_nav_keep=self._keep
        )
        return env

    def _key(
        self, page: Page | None, nav: Navigation | None, config: MkDocsConfig
    ) -> tuple[str, ...] | None:
        """What the navigation of `page` depends on: the links from the page to every target
        of the navigation. A page in the navigation, whose items are active, has its own: its
        link to itself, `./`, is no other page's."""
        if page is None or nav is None:
            return None
        if self._targets is None:  # the same for every page of the build
            targets = [*_urls(nav.items), config.theme.get("logo") or ""]
            targets.append(
                config.extra.get("homepage") or (nav.homepage.url if nav.homepage else "")
            )
            self._targets = tuple(str(t) for t in targets)
        return tuple(normalize_url(t, page=page) for t in self._targets)

    def _recall(self, key: tuple[str, ...] | None) -> str | None:
        return None if key is None else self._html.get(key)

    def _keep(self, key: tuple[str, ...] | None, html: str) -> str:
        if key is not None:
            self._html[key] = html
        return html


def _is_materials(env: Environment, name: str, templates: Path) -> bool:
    """Whether the template `name` is material's own (in `templates`), not a site's override."""
    try:
        _, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except TemplateNotFound:
        return False
    return filename is not None and templates in Path(filename).resolve().parents


def _material_templates() -> Path | None:
    try:
        import material  # the theme's package, when it is installed
    except ImportError:
        return None
    return Path(material.__file__).resolve().parent / "templates"


def _urls(items: Iterable[Any]) -> Iterable[str]:
    for item in items:
        if getattr(item, "url", None) is not None:
            yield str(item.url)
        yield from _urls(getattr(item, "children", None) or ())
