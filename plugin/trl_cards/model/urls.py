"""The readiness site's URL scheme, a public interface: where every page and file of the site
is, in one place, for every output and every front end (the plugin and `trl-cards generate`
write exactly these paths).

Pages (source URIs, under the plugin's `prefix`, with directory URLs):

| page | source URI | URL |
|---|---|---|
| dashboard | `readiness/index.md` | `readiness/` |
| problems | `readiness/problems/index.md` | `readiness/problems/` |
| level N | `readiness/levels/N/index.md` | `readiness/levels/N/` |
| card | `readiness/cards/<id>/index.md` | `readiness/cards/<id>/` |
| card at level N | `readiness/cards/<id>/level-N/index.md` | `readiness/cards/<id>/level-N/` |
| card changes | `readiness/cards/<id>/changes/index.md` | `readiness/cards/<id>/changes/` |
| tags | `readiness/tags/index.md` | `readiness/tags/` |
| glossary | `readiness/glossary/index.md` | `readiness/glossary/` |
| tag | `readiness/tags/<slug>/index.md` | `readiness/tags/<slug>/` |
| milestones | `readiness/changes/index.md` | `readiness/changes/` |
| changes up to a milestone | `readiness/changes/<slug>/index.md` | `readiness/changes/<slug>/` |
| goal | `readiness/goals/<slug>/index.md` | `readiness/goals/<slug>/` |

Files (paths from the site root):

| file | path |
|---|---|
| the card JSON | `readiness/api/cards.json` (the plugin also writes `api/cards.json`) |
| the organisation's feed, a card's | `readiness/feed.xml`, `readiness/cards/<id>/feed.xml` |
| the CSV | `readiness/cards.csv` |
| the goals' feed | `readiness/goals/feed.xml` |
| a card's badge | `readiness/badges/<id>.svg` |
| the card format's JSON Schema | `readiness/schema/card-v1.json` |
| the stylesheet and script | `readiness/assets/trl-cards.css`, `readiness/assets/trl-cards.js` |

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

Links into a repository's web view are `repositories`'.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


LEGACY_CARD_JSON = "api/cards.json"
"""Where the plugin first published the card JSON, outside the prefix: it writes a copy there
still, so that links and scripts made before keep working (`Urls.card_json` is the path)."""


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

    def gates(self) -> str:
        """Source URI of the gates page: required gates, exemptions and review integrity."""
        return self._page(f"{self.prefix}/gates")

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

    def glossary(self) -> str:
        """Source URI of the glossary: every word the site uses, and what it means."""
        return self._page(f"{self.prefix}/glossary")

    def milestones(self) -> str:
        """Source URI of the page of milestones: the readiness at each, and what changed."""
        return self._page(f"{self.prefix}/changes")

    def changes(self, slug: str) -> str:
        """Source URI of the page of what changed up to the milestone `slug` (a quarter such
        as `2025-q3`, `tag-<name>`, or `today`; made safe by `milestones.milestones`)."""
        return self._page(f"{self.prefix}/changes/{slug}")

    def goal(self, slug: str) -> str:
        """Source URI of the page of the organisation's goal whose slug is `slug`
        (`GoalProgress.slug`)."""
        return self._page(f"{self.prefix}/goals/{slug}")

    def card(self, card_id: str) -> str:
        """Source URI of a card page (ids are validated slug-safe: no `/`, no leading `.`)."""
        return f"{self.prefix}/cards/{card_id}/index.md"

    def card_at_level(self, card_id: str, number: int) -> str:
        """Source URI of the page showing a card as it was when it left a level."""
        return self._page(f"{self.prefix}/cards/{card_id}/level-{number}")

    def card_changes(self, card_id: str) -> str:
        """Source URI of the page of what changed in a card: since its last gate, and between
        the versions it had when it left each earlier level."""
        return self._page(f"{self.prefix}/cards/{card_id}/changes")

    def schema(self, version: int) -> str:
        """Path of the card format's JSON Schema, a file of the site: `readiness/schema/
        card-v1.json`. Editors load it by this URL, so it never moves within a version."""
        return f"{self.prefix}/schema/card-v{version}.json"

    def card_json(self) -> str:
        """Path of the card JSON (`readiness/api/cards.json`), whatever the engine."""
        return f"{self.prefix}/api/cards.json"

    def feed(self, card_id: str | None = None) -> str:
        """Path of the organisation's Atom feed, or of a card's."""
        folder = f"{self.prefix}/cards/{card_id}" if card_id else self.prefix
        return f"{folder}/feed.xml"

    def goals_feed(self) -> str:
        """Path of the Atom feed of the organisation's goals (`readiness/goals/feed.xml`)."""
        return f"{self.prefix}/goals/feed.xml"

    def cards_csv(self) -> str:
        """Path of the CSV of where every card stands now."""
        return f"{self.prefix}/cards.csv"

    def badge(self, card_id: str) -> str:
        """Path of a card's SVG badge, for its component's README."""
        return f"{self.prefix}/badges/{card_id}.svg"

    def asset(self, name: str) -> str:
        """Path of the stylesheet or the script of the readiness pages (`trl-cards.css`)."""
        return f"{self.prefix}/assets/{name}"

    def html_file(self, src_uri: str) -> str:
        """The file a page becomes in the built site (`cards/P1/index.md` ->
        `cards/P1/index.html`): where a redirect page is written, in place of that page."""
        url = self.url(src_uri)
        return url + "index.html" if url.endswith("/") or not url else url

    def inside(self, path: str) -> bool:
        """Whether a path of the site is below the prefix: what `trl-cards generate` writes."""
        return path.startswith(self.prefix + "/")

    def file_link(self, from_src: str, to_path: str) -> str:
        """A relative link from the page `from_src` to a file of the site (`to_path`, relative
        to the site root, such as a badge)."""
        return relative(to_path, self._folder(from_src))

    def link_from(self, folder: str, to_src: str, anchor: str = "") -> str:
        """A relative link to the page `to_src` from a file in `folder` (relative to the site
        root), such as a feed."""
        target = self.url(to_src)
        rel = relative(target, folder)
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


def relative(path: str, folder: str) -> str:
    """`posixpath.relpath(path or ".", folder or ".")`, for the site's own paths, which never
    hold `.` or `..`. Links are most of what a card page's templates compute: `relpath` made
    each absolute first, and took a tenth of the generation of 1,000 cards' pages."""
    to = [p for p in path.split("/") if p]
    start = [p for p in folder.split("/") if p]
    if "." in to or ".." in to or "." in start or ".." in start:
        return posixpath.relpath(path or ".", folder or ".")
    common = 0
    for a, b in zip(to, start, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."
