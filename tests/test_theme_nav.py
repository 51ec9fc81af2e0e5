"""Material's navigation, rendered once for the readiness pages outside it, is the navigation
material renders for each of them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import material

from conftest import SiteRepo, card, review

_NAV = re.compile(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', re.S)


def _navs(site: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for page in sorted(site.rglob("*.html")):
        found = _NAV.search(page.read_text(encoding="utf-8"))
        if found:
            out[page.relative_to(site).as_posix()] = found[0]
    return out


def test_every_page_has_the_navigation_material_renders_for_it(
    site_repo: SiteRepo, tmp_path: Path
) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 3, extra="tags: [edge]\n"))
    site_repo.write("cards/b/TRL.md", card("B1", 2))
    site_repo.commit("Add the cards")
    site_repo.write(
        "cards/a/TRL.md", card("A1", 4, extra="reviews:\n" + review(3, 4, "2024-03-01"))
    )
    site_repo.commit("A1 to 4")
    site_repo.write("docs/guide/deep/page.md", "# A page outside the nav, two folders down\n")
    mkdocs_yml = site_repo.path / "mkdocs.yml"
    mkdocs_yml.write_text(
        mkdocs_yml.read_text(encoding="utf-8")
        + "nav:\n  - Home: index.md\n  - Guide:\n      - guide/deep/page.md\n"
        + "  - Elsewhere: https://example.org/\n",
        encoding="utf-8",
    )
    cached = site_repo.build(strict=True)
    assert cached.returncode == 0, cached.log
    cached_navs = _navs(cached.site)
    shutil.move(cached.site, tmp_path / "cached")

    # A verbatim copy of material's own template is an override: the cache stands aside.
    original = Path(material.__file__).parent / "templates" / "partials" / "nav-item.html"
    site_repo.write("overrides/partials/nav-item.html", original.read_text(encoding="utf-8"))
    mkdocs_yml.write_text(
        mkdocs_yml.read_text(encoding="utf-8").replace(
            "  font: false\n", "  font: false\n  custom_dir: overrides\n"
        ),
        encoding="utf-8",
    )
    plain = site_repo.build(strict=True)
    assert plain.returncode == 0, plain.log
    plain_navs = _navs(plain.site)

    assert cached_navs == plain_navs
    assert len(cached_navs) > 20
    # Pages at several depths outside the navigation, and pages in it, were compared.
    assert {"readiness/cards/A1/index.html", "readiness/cards/A1/level-3/index.html"} <= set(
        cached_navs
    )
    assert {"readiness/changes/2024-q1/index.html", "404.html"} <= set(cached_navs)
    assert "guide/deep/page/index.html" in cached_navs
