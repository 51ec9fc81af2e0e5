"""The URL scheme of the readiness site, and links into the repository's web view."""

from __future__ import annotations

import posixpath
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SiteRepo, card
from trl_cards.model.repositories import RepoLinks, repo_links
from trl_cards.model.urls import Urls, relative


@pytest.mark.parametrize(
    ("directory_urls", "expected"),
    [
        (
            True,
            [
                "readiness/",
                "readiness/problems/",
                "readiness/levels/4/",
                "readiness/cards/P1/",
                "readiness/cards/P1/level-3/",
                "readiness/cards/P1/changes/",
            ],
        ),
        (
            False,
            [
                "readiness/index.html",
                "readiness/problems.html",
                "readiness/levels/4.html",
                "readiness/cards/P1/index.html",
                "readiness/cards/P1/level-3.html",
                "readiness/cards/P1/changes.html",
            ],
        ),
    ],
)
def test_the_scheme_is_stable(directory_urls: bool, expected: list[str]) -> None:
    urls = Urls("readiness", directory_urls)
    pages = [
        urls.dashboard(),
        urls.problems(),
        urls.level(4),
        urls.card("P1"),
        urls.card_at_level("P1", 3),
        urls.card_changes("P1"),
    ]
    assert [urls.url(page) for page in pages] == expected


def test_links_between_pages_are_relative_and_escaped() -> None:
    urls = Urls()
    assert urls.link(urls.card("P1"), urls.card("R2"), "transition-2") == "../R2/#transition-2"
    assert urls.link(urls.dashboard(), urls.level(3)) == "levels/3/"
    assert urls.link(urls.level(3), urls.problems()) == "../../problems/"


@pytest.mark.parametrize(
    ("repo_url", "edit_uri", "source", "commit"),
    [
        (
            "https://github.com/acme/ml",
            "edit/main/docs/",
            "https://github.com/acme/ml/blob/main/site/cards/a/TRL.md",
            "https://github.com/acme/ml/commit/abc",
        ),
        (
            "https://github.com/acme/ml/",
            "blob/trunk/docs/",
            "https://github.com/acme/ml/blob/trunk/site/cards/a/TRL.md",
            "https://github.com/acme/ml/commit/abc",
        ),
        (
            "https://gitlab.com/acme/ml",
            "-/edit/main/docs/",
            "https://gitlab.com/acme/ml/-/blob/main/site/cards/a/TRL.md",
            "https://gitlab.com/acme/ml/-/commit/abc",
        ),
        (
            "https://gitea.example/acme/ml",
            "src/branch/main/docs/",
            "https://gitea.example/acme/ml/src/branch/main/site/cards/a/TRL.md",
            "https://gitea.example/acme/ml/commit/abc",
        ),
        (
            "https://gitea.example/acme/ml",
            "_edit/dev/docs/",
            "https://gitea.example/acme/ml/src/branch/dev/site/cards/a/TRL.md",
            "https://gitea.example/acme/ml/commit/abc",
        ),
        (
            "https://bitbucket.org/acme/ml",
            "src/default/docs/",
            "https://bitbucket.org/acme/ml/src/default/site/cards/a/TRL.md",
            "https://bitbucket.org/acme/ml/commits/abc",
        ),
        (
            "https://git.example/acme/ml",
            "",
            "https://git.example/acme/ml/blob/main/site/cards/a/TRL.md",
            "https://git.example/acme/ml/commit/abc",
        ),
    ],
    ids=["github-edit", "github-blob", "gitlab", "gitea-src", "gitea-edit", "bitbucket", "none"],
)
def test_source_and_commit_links_of_each_forge(repo_url, edit_uri, source, commit) -> None:
    links = repo_links(repo_url, edit_uri, base="site/")
    assert links.source_url("cards/a/TRL.md") == source
    assert links.commit_url("abc") == commit


def test_an_explicit_commit_url_wins_and_no_repo_means_no_source_link() -> None:
    links = repo_links("https://github.com/acme/ml", None, "https://ci.example/c/{sha}")
    assert links.commit_url("abc") == "https://ci.example/c/abc"
    assert RepoLinks().source_url("x") is None
    assert repo_links(None, None).commit_url("abc") is None


def test_the_source_link_keeps_the_subfolder_of_mkdocs_yml(tmp_path) -> None:
    repo = SiteRepo(tmp_path / "mono", site_dir="docs-site")
    text = (repo.path / "docs-site" / "mkdocs.yml").read_text(encoding="utf-8")
    (repo.path / "docs-site" / "mkdocs.yml").write_text(
        "repo_url: https://gitlab.com/acme/mono\nedit_uri: -/edit/main/docs-site/docs/\n" + text,
        encoding="utf-8",
    )
    repo.write("docs-site/cards/a/TRL.md", card("A1", 3))
    repo.commit("Add")
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = build.page("readiness/cards/A1/")
    assert 'href="https://gitlab.com/acme/mono/-/blob/main/docs-site/cards/a/TRL.md"' in page
    assert 'href="https://gitlab.com/acme/mono/-/commit/' in page


def test_a_tag_shares_a_page_only_with_tags_written_alike() -> None:
    from trl_cards.model.urls import tag_slug

    assert tag_slug("Computer vision") == tag_slug("computer-vision") == "computer-vision"
    assert tag_slug("C++") == tag_slug("c++") != tag_slug("c") == "c"
    assert tag_slug("../..") != tag_slug("!!!")
    assert all(
        re.fullmatch(r"[a-z0-9-]+", tag_slug(t)) for t in ("../..", "!!!", "<b>x</b>", "a" * 90)
    )


_PART = st.sampled_from(["readiness", "cards", "P1", "level-3", "a.b", "index.html", ""])


@given(st.lists(_PART, max_size=5), st.lists(_PART, max_size=5))
def test_a_relative_link_is_what_relpath_gives(to: list[str], start: list[str]) -> None:
    path, folder = "/".join(to).lstrip("/"), "/".join(start).lstrip("/")
    assert relative(path, folder) == posixpath.relpath(path or ".", folder or ".")
