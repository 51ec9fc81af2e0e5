"""Links that unfurl: every readiness page carries a description in its front matter (and so
material's `<meta name="description">`) and Open Graph and Twitter card tags in its <head>,
read back here with `html.parser` from real builds, a hostile card name among them."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from card_versions import HOSTILE, build_history
from conftest import Build, SiteRepo, card
from trl_cards.outputs.preview import link_preview

SITE_URL = "https://org.example/docs/"
CARD_DESCRIPTION = (
    'Level 5 Machine learning "capability" (prototyping) · owners: Bo, Cy · last change 2024-07-10'
)


class _Head(HTMLParser):
    """The <meta> tags of a page's <head>, by their `property` or `name`, each value as a list
    (a tag written twice shows twice)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self._in_head = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        if tag == "meta" and self._in_head and key:
            self.meta.setdefault(key, []).append(values.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False


def _meta(html: str) -> dict[str, list[str]]:
    parser = _Head()
    parser.feed(html)
    return parser.meta


def _preview(meta: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: v for k, v in meta.items() if k.startswith(("og:", "twitter:"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The card whose name is hostile from level 4 on, in a site with a `site_url`."""
    repo = SiteRepo(tmp_path_factory.mktemp("preview") / "org")
    config = repo.path / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"site_url: {SITE_URL}\n", "utf-8")
    build_history(repo)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    return build


def test_a_card_page_unfurls_with_its_id_name_level_owners_and_last_change(built: Build) -> None:
    meta = _meta(built.page("readiness/cards/P13.2/"))
    title = f"P13.2 {HOSTILE}"
    assert _preview(meta) == {
        "og:type": ["website"],
        "og:site_name": ["Readiness test"],
        "og:title": [title],
        "og:description": [CARD_DESCRIPTION],
        "og:url": [f"{SITE_URL}readiness/cards/P13.2/"],
        "twitter:card": ["summary"],
        "twitter:title": [title],
        "twitter:description": [CARD_DESCRIPTION],
    }
    assert meta["description"] == [CARD_DESCRIPTION]  # material's, from the front matter


def test_the_hostile_name_stays_text_in_the_head(built: Build) -> None:
    html = built.page("readiness/cards/P13.2/")
    head = html[: html.index("</head>")]
    assert "<b>" not in head
    assert 'content="P13.2 Retina &#34;triage&#34; &lt;b&gt;bold&lt;/b&gt; &amp; co"' in head


@pytest.mark.parametrize(
    ("url", "title", "description"),
    [
        (
            "readiness/",
            "Readiness dashboard",
            "Readiness of 1 component: 1 in prototyping. Needs attention: 1 stale",
        ),
        (
            "readiness/levels/5/",
            'Level 5: Machine learning "capability"',
            'Level 5 Machine learning "capability" (prototyping): The R&D to product '
            "transition · 1 component at this level",
        ),
        ("readiness/tags/medical/", "Tag: medical", "1 component tagged medical"),
        ("readiness/problems/", "Card problems", "No problem in the card files"),
        (
            "readiness/changes/",
            "Milestones",
            "The readiness at each quarter end and release tag, and what changed between them",
        ),
        (
            "readiness/cards/P13.2/level-4/",
            "P13.2 at level 4",
            f"P13.2 {HOSTILE} as it was when it left level 4 (2024-05-10)",
        ),
        (
            "readiness/cards/P13.2/changes/",
            f"P13.2 {HOSTILE}: what changed",
            f"What changed in P13.2 {HOSTILE} since its last gate, and between the levels it "
            "went through.",
        ),
        (
            "readiness/changes/2024-q2/",
            "What changed in 2024-Q2",
            "1 change to the components from 2024-Q1 up to 2024-Q2",
        ),
    ],
)
def test_every_readiness_page_unfurls(built: Build, url: str, title: str, description: str) -> None:
    meta = _meta(built.page(url))
    assert meta["og:title"] == meta["twitter:title"] == [title]
    assert meta["og:description"] == meta["twitter:description"] == [description]
    assert meta["description"] == [description]
    assert meta["og:url"] == [SITE_URL + url]
    assert meta["twitter:card"] == ["summary"] and meta["og:type"] == ["website"]


def test_only_readiness_pages_get_previews(built: Build) -> None:
    assert _preview(_meta(built.page(""))) == {}


def test_without_a_site_url_a_preview_has_no_address(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 2, extra="owners: [Ana]\n"))
    site_repo.commit("A1", date="2024-03-01T09:00:00+00:00")
    build = site_repo.build(strict=True)
    meta = _meta(build.page("readiness/cards/A1/"))
    assert "og:url" not in meta
    assert meta["og:title"] == ["A1 Component A1"]
    assert meta["og:description"] == [
        "Level 2 Proof of principle (PoP) development (research) · owners: Ana · last change "
        "2024-03-01"
    ]


def test_generated_pages_carry_their_description(site_repo: SiteRepo) -> None:
    from trl_cards.frontends.generate import generate_files
    from trl_cards.model.pipeline import Settings, build_project

    site_repo.write("cards/a/TRL.md", card("A1", 6, name='A <&> "B"', extra="owners: [Ana, Bo]\n"))
    site_repo.commit("A1", date="2026-03-01T09:00:00+00:00")
    now = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
    files, _ = generate_files(build_project(Settings(site_repo.path), now=now))
    page = files["cards/A1/index.md"]
    assert isinstance(page, str)
    assert (
        'description: "Level 6 Application development (productization) · owners: Ana, Bo · '
        'last change 2026-03-01"\n'
    ) in page


def test_every_value_is_escaped_whatever_it_holds() -> None:
    hostile = '"><script>x</script>&amp;'
    tags = link_preview(
        {"title": hostile, "description": hostile}, f"https://x.example/{hostile}", hostile
    )
    assert re.fullmatch(r'(<meta (property|name)="[a-z:_]+" content="[^"<>]*">){8}', tags), tags
    meta = _meta(f"<head>{tags}</head>")
    # The front matter's escaped title and description come out as the text they stand for.
    assert meta["og:title"] == meta["og:description"] == ['"><script>x</script>&']
    assert meta["og:site_name"] == [hostile]
    assert meta["og:url"] == [f"https://x.example/{hostile}"]
