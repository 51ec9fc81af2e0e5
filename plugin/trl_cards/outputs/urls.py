"""The readiness site's URL scheme, a public interface, and links into the repository's web view.

Pages (source URIs, under the plugin's `prefix`, with directory URLs):

| page | source URI | URL |
|---|---|---|
| dashboard | `readiness/index.md` | `readiness/` |
| problems | `readiness/problems/index.md` | `readiness/problems/` |
| level N | `readiness/levels/N/index.md` | `readiness/levels/N/` |
| card | `readiness/cards/<id>/index.md` | `readiness/cards/<id>/` |
| card at level N | `readiness/cards/<id>/level-N/index.md` | `readiness/cards/<id>/level-N/` |
| tags | `readiness/tags/index.md` | `readiness/tags/` |
| tag | `readiness/tags/<slug>/index.md` | `readiness/tags/<slug>/` |
| milestones | `readiness/changes/index.md` | `readiness/changes/` |
| changes up to a milestone | `readiness/changes/<slug>/index.md` | `readiness/changes/<slug>/` |

A milestone's slug is its quarter (`2025-q3`), `tag-<name>` for a release tag (`tag-v1-2-0`) or
`today`.

Every page is the `index.md` of its URL's folder, so a link relative to the page's URL is also
relative to its source file: engines that rewrite the links of raw HTML as source-relative
(Zensical does) and those that leave them (MkDocs) agree. Without directory URLs each page is
`<name>.md` and its URL `<name>.html`, beside each other, with the same property.

Anchors on a card page: `#transition-<from>-<to>-<commit>` (`Transition.anchor`) and
`#review-<date>-<from>-<to>` (`review_anchors`), from what they point at, never
their position. A former id's URLs redirect (`pages.redirects`). Ids are validated slug-safe,
so no id can leave the card folder.

Source and commit links are made in the repository's frame: a card's path is relative to the
folder of mkdocs.yml, which may be a subfolder of the repository (`base`).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from ..cards.border import excerpt

if TYPE_CHECKING:
    from ..cards.card import Card


def review_anchors(card: Card) -> list[str]:
    """The HTML id of each review record of the card, from what it is: its date and levels
    (`review-2024-03-01-3-4`), with `-2`, `-3`... for a second record of the same gate on the
    same day. Adding or removing another review leaves every other anchor as it was."""
    seen: dict[str, int] = {}
    anchors = []
    for review in card.reviews:
        base = f"review-{review.date.isoformat()}-{review.from_level}-{review.to_level}"
        seen[base] = seen.get(base, 0) + 1
        anchors.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return anchors


def tag_slug(tag: str) -> str:
    """A tag as a folder name: its words in lowercase letters and digits, `-` between them
    (`Computer vision` and `computer-vision` -> `computer-vision`). A tag with other characters
    (`C++`, `../..`) also gets a short digest of itself, so that it never shares a page with a
    tag that lacks them (`c`); a tag without words is `tag-<digest>`."""
    folded = tag.casefold().strip()
    words = re.findall(r"[^\W_]+", folded)
    slug = "-".join(words)[:64].strip("-")
    if slug and slug == re.sub(r"[\s_-]+", "-", folded).strip("-"):
        return slug
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:6]
    return f"{slug or 'tag'}-{digest}"


@dataclass(frozen=True)
class Urls:
    """Where each readiness page lives, and relative links between them."""

    prefix: str = "readiness"
    directory_urls: bool = True

    def dashboard(self) -> str:
        """Source URI of the dashboard."""
        return f"{self.prefix}/index.md"

    def problems(self) -> str:
        """Source URI of the card problems page."""
        return self._page(f"{self.prefix}/problems")

    def level(self, number: int) -> str:
        """Source URI of a level page."""
        return self._page(f"{self.prefix}/levels/{number}")

    def tags(self) -> str:
        """Source URI of the page listing every tag."""
        return self._page(f"{self.prefix}/tags")

    def tag(self, tag: str) -> str:
        """Source URI of the page of a tag: its cards (`tag_slug` makes any text a safe
        folder name; tags that differ only in case or punctuation share a page)."""
        return self._page(f"{self.prefix}/tags/{tag_slug(tag)}")

    def milestones(self) -> str:
        """Source URI of the page of milestones: the readiness at each, and what changed."""
        return self._page(f"{self.prefix}/changes")

    def changes(self, slug: str) -> str:
        """Source URI of the page of what changed up to the milestone `slug` (a quarter such
        as `2025-q3`, `tag-<name>`, or `today`; made safe by `milestones.milestones`)."""
        return self._page(f"{self.prefix}/changes/{slug}")

    def card(self, card_id: str) -> str:
        """Source URI of a card page (ids are validated slug-safe: no `/`, no leading `.`)."""
        return f"{self.prefix}/cards/{card_id}/index.md"

    def card_at_level(self, card_id: str, number: int) -> str:
        """Source URI of the page showing a card as it was when it left a level."""
        return self._page(f"{self.prefix}/cards/{card_id}/level-{number}")

    def schema(self, version: int) -> str:
        """Path of the card format's JSON Schema, a file of the site: `readiness/schema/
        card-v1.json`. Editors load it by this URL, so it never moves within a version."""
        return f"{self.prefix}/schema/card-v{version}.json"

    def file_link(self, from_src: str, to_path: str) -> str:
        """A relative link from the page `from_src` to a file of the site (`to_path`, relative
        to the site root, such as a badge)."""
        return posixpath.relpath(to_path, self._folder(from_src) or ".")

    def link_from(self, folder: str, to_src: str, anchor: str = "") -> str:
        """A relative link to the page `to_src` from a file in `folder` (relative to the site
        root), such as a feed."""
        target = self.url(to_src)
        rel = posixpath.relpath(target or ".", folder or ".")
        if target.endswith("/") and not rel.endswith("/"):
            rel += "/"
        return rel + (f"#{anchor}" if anchor else "")

    def _folder(self, src: str) -> str:
        """The folder the browser resolves the page's links against: with directory URLs, the
        page's own URL; without, the folder of its file."""
        return self.url(src).rstrip("/") if self.directory_urls else posixpath.dirname(src)

    def _page(self, path: str) -> str:
        """The source URI of the page at `path`: its folder's index with directory URLs."""
        return f"{path}/index.md" if self.directory_urls else f"{path}.md"

    def url(self, src_uri: str) -> str:
        """The URL (relative to the site root) that MkDocs gives a Markdown page."""
        stem = src_uri.removesuffix(".md")
        if not self.directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/"

    def link(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A relative link between two pages, for HTML that MkDocs will not rewrite (not escaped:
        the templates escape it)."""
        return self.link_from(self._folder(from_src), to_src, anchor)


PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
"""A placeholder of a URL template: `{sha}`, `{path}`, `{branch}`."""

COMMIT_PLACEHOLDERS = ("sha",)
"""What a commit link template (`commit_url`) may hold."""


def fill(template: str, **values: str) -> str:
    """`template` with each `{name}` of `values` replaced by its value, URL-quoted, in one
    pass: a value is never read as a template itself (a branch named `wip{1}`), and nothing
    but the named placeholders is touched. Never `str.format`, which would read `{sha.x}` as
    an attribute and `{sha:>9999999}` as a width."""
    quoted = {name: quote(value, safe="/") for name, value in values.items()}
    return PLACEHOLDER.sub(lambda m: quoted.get(m[1], m[0]), template)


def template_problem(template: str, allowed: tuple[str, ...]) -> str | None:
    """Why `template` is not a URL template with only the placeholders `allowed`, or None.

    A URL template from outside (mkdocs.yml, an export) is checked when it is read, so that a
    mistyped `{SHA}` is named at once instead of a link that never works."""
    if not template.startswith(("https://", "http://")):
        return f"`{excerpt(template)}` is not an http(s) address"
    unknown = [name for name in PLACEHOLDER.findall(template) if name not in allowed]
    if not unknown:
        return None
    known = ", ".join(f"`{{{name}}}`" for name in allowed) or "none"
    return (
        f"`{excerpt(template)}` holds the placeholder `{{{excerpt(unknown[0])}}}`; "
        f"the placeholders it may hold: {known}"
    )


@dataclass(frozen=True)
class RepoLinks:
    """Links into the repository's web view: a file at the built branch, and a commit."""

    source: str | None = None
    """A URL template with `{path}` (the path from the repository root), and `{branch}`."""
    commit: str | None = None
    """A URL template with `{sha}`."""
    base: str = ""
    """The folder of mkdocs.yml inside the repository (`""`, or ending in `/`)."""
    branch: str = "main"
    """The branch `{branch}` stands for."""

    def source_url(self, path: str) -> str | None:
        """The web view of a card file, given its path relative to mkdocs.yml."""
        if self.source is None:
            return None
        return fill(self.source, path=self.base + path, branch=self.branch)

    def commit_url(self, sha: str) -> str | None:
        """The web view of a commit."""
        return None if self.commit is None else fill(self.commit, sha=sha)


# What the edit URI of each forge looks like, the branch in it, and its file and commit URLs
# (after the repository's URL).
_FORGES = (
    # GitLab: `-/edit/main/docs/`, `-/blob/main/docs/`
    (r"-/(?:edit|blob)/([^/]+)", "/-/blob/{branch}/{path}", "/-/commit/{sha}"),
    # Gitea and Forgejo: `src/branch/main/docs/`, `_edit/main/docs/`
    (r"(?:src/branch|_edit)/([^/]+)", "/src/branch/{branch}/{path}", "/commit/{sha}"),
    # Bitbucket: `src/main/docs/`
    (r"src/([^/]+)", "/src/{branch}/{path}", "/commits/{sha}"),
    # GitHub (MkDocs' default): `edit/main/docs/`, `blob/main/docs/`
    (r"(?:edit|blob|tree)/([^/]+)", "/blob/{branch}/{path}", "/commit/{sha}"),
)


def repo_links(
    repo_url: str | None,
    edit_uri: str | None,
    commit_url: str | None = None,
    base: str = "",
    branch: str | None = None,
) -> RepoLinks:
    """Source and commit links from MkDocs' `repo_url` and `edit_uri` (the branch is read from
    the edit URI, in the forge's own form, unless `branch` is given); an explicit `commit_url`
    wins. The repository's URL is text before the placeholders, never a template itself."""
    if not repo_url:
        return RepoLinks(None, commit_url, base)
    repo = _literal(repo_url.rstrip("/"))
    path = (edit_uri or "").lstrip("/")
    for pattern, source, commit in _FORGES:
        match = re.match(pattern, path)
        if match:
            return RepoLinks(
                repo + source, commit_url or repo + commit, base, branch or unquote(match[1])
            )
    return RepoLinks(
        repo + "/blob/{branch}/{path}", commit_url or repo + "/commit/{sha}", base, branch or "main"
    )


def _literal(url: str) -> str:
    """A URL as text inside a template: its own braces quoted, so none reads as a placeholder."""
    return url.replace("{", "%7B").replace("}", "%7D")
