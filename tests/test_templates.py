"""Pages come from Jinja2 templates with autoescaping on; a site overrides any template or
partial from its theme's `custom_dir`, and a mistake in an override is one clear error."""

from __future__ import annotations

from pathlib import Path

from conftest import SiteRepo, card, trl_cards
from trl_cards.outputs.templating import environment, render_page

OVERRIDE = """\
<p class="our-summary">{{ card.name }} is looked after by {{ card.owners|items }},
at level {{ card.level|badge }}.</p>
"""


def _site_with_override(site_repo: SiteRepo, partial: str, text: str) -> None:
    (site_repo.path / "mkdocs.yml").write_text(
        (site_repo.path / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace("  font: false\n", "  font: false\n  custom_dir: overrides\n"),
        encoding="utf-8",
    )
    path = site_repo.path / "overrides" / "trl-cards" / partial
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    site_repo.write(
        "cards/a/TRL.md",
        card("A1", 4, name="<script>alert(1)</script> & co", extra="owners: [Ada <ada@x>]\n"),
    )
    site_repo.commit("Add A1")


def test_a_theme_override_of_one_partial_changes_the_card_page(site_repo: SiteRepo) -> None:
    _site_with_override(site_repo, "partials/summary.html", OVERRIDE)
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = (build.site / "readiness" / "cards" / "A1" / "index.html").read_text(encoding="utf-8")
    # The override replaced the summary table, and its text is escaped like ours.
    assert '<p class="our-summary">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co is looked' in page
    assert "looked after by Ada &lt;ada@x&gt;, at level <span class=" in page
    assert 'class="trl-summary"><tbody><tr><th>Id' not in page
    assert "<script>alert(1)" not in page
    # The other partials are still the package's own.
    assert 'class="trl-transitions trl-stacked"' in page
    # `trl-cards generate` reads the same custom_dir from mkdocs.yml.
    result = trl_cards("generate", "docs/readiness", cwd=site_repo.path)
    assert result.returncode == 0, result.stderr
    generated = (site_repo.path / "docs/readiness/cards/A1/index.md").read_text(encoding="utf-8")
    assert '<p class="our-summary">&lt;script&gt;' in generated


def test_a_page_template_can_be_overridden_whole(site_repo: SiteRepo) -> None:
    _site_with_override(
        site_repo,
        "level.md",
        '{{ front_matter(title="Level %d" % lvl.number) }}\n\n# Level {{ lvl.number }}\n\n'
        '{% filter html %}<p class="our-level">{{ rows|length }} here</p>{% endfilter %}\n',
    )
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = (build.site / "readiness" / "levels" / "4" / "index.html").read_text(encoding="utf-8")
    assert '<p class="our-level">1 here</p>' in page


def test_a_mistake_in_an_override_is_one_error_naming_file_and_line(
    site_repo: SiteRepo,
) -> None:
    _site_with_override(
        site_repo, "partials/summary.html", "<p>\n{{ card.name }}\n{{ card.colour }}\n</p>\n"
    )
    build = site_repo.build()
    assert build.returncode == 1
    expected = f"{site_repo.path / 'overrides/trl-cards/partials/summary.html'}:3: "
    assert expected in build.log and "has no attribute 'colour'" in build.log
    assert "Fix: Correct the template, or remove it" in build.log
    assert "Traceback" not in build.log
    assert build.log.count("colour") == 1  # once for the site, not once per card

    (site_repo.path / "overrides/trl-cards/partials/summary.html").write_text(
        "<p>{% if card.name %}</p>\n", encoding="utf-8"
    )
    result = trl_cards("generate", "docs/readiness", cwd=site_repo.path)
    assert result.returncode == 2
    assert "summary.html:1: Unexpected end of template" in result.stderr
    assert "Traceback" not in result.stderr


def test_templates_escape_by_default_and_join_html_lines(tmp_path: Path) -> None:
    folder = tmp_path / "theme" / "trl-cards"
    folder.mkdir(parents=True)
    (folder / "t.md").write_text(
        "# {{ name|md }}\n\n{% filter html %}\n{# a comment\n   on two lines #}\n"
        "<p>\n  {{ name }}\n  and\n  <b>{{ name }}</b>\n</p>\n<p>two</p>\n{% endfilter %}\n",
        encoding="utf-8",
    )
    page = render_page(environment((tmp_path / "theme",)), "t.md", name="<i>*x*</i>")
    assert page.markdown == "# &lt;i&gt;\\*x\\*&lt;/i&gt;\n\n<!--trl-html-0-->"
    # A line break between two tags is nothing; anywhere else, one space.
    assert page.html == (
        "<p> &lt;i&gt;*x*&lt;/i&gt; and <b>&lt;i&gt;*x*&lt;/i&gt;</b></p><p>two</p>",
    )


def test_a_tag_written_over_several_lines_works_in_an_override(site_repo: SiteRepo) -> None:
    _site_with_override(
        site_repo,
        "partials/summary.html",
        '<p class="ours">{{\n  card.name\n  | upper\n}} at {% if\n  card.level > 3\n%}a high'
        "{% else %}a low{% endif %} level</p>\n{#\n  a comment\n#}\n<p>{{ card.id }}</p>\n",
    )
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    page = (build.site / "readiness" / "cards" / "A1" / "index.html").read_text(encoding="utf-8")
    assert (
        '<p class="ours">&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt; &amp; CO at a high level</p>' in page
    )


def test_a_mistake_in_an_overridden_redirect_is_one_line_too(site_repo: SiteRepo) -> None:
    _site_with_override(site_repo, "redirect.html", "<p>{{ card.nope.deeper }}</p>\n")
    site_repo.write("cards/a/TRL.md", card("A2", 4, extra="aliases: [A0]\nowners: [Ada]\n"))
    site_repo.commit("A1 is now A2, and A0 before it")
    build = site_repo.build()
    assert build.returncode == 1 and "Traceback" not in build.log, build.log
    expected = f"{site_repo.path / 'overrides/trl-cards/redirect.html'}:1: "
    assert expected in build.log and "has no attribute 'nope'" in build.log
    assert "Fix: Correct the template, or remove it" in build.log
