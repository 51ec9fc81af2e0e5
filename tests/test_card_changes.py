"""A card's page of what changed (`readiness/cards/<id>/changes/`): built from a real git
history by a real `mkdocs build`, read back with `html.parser`. It shows exactly the fields and
lines that changed from each version to the next, escapes every value from the card, and every
link on it leads somewhere."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from card_versions import HOSTILE, SCRIPT_LINE, build_history
from conftest import Build, SiteRepo, card
from trl_cards.cards.card import Card
from trl_cards.model.card_diff import MAX_LINES, card_diff

CHANGES = "readiness/cards/P13.2/changes/"

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip


@dataclass
class _Step:
    title: str
    fields: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = field(
        default_factory=dict
    )
    lines: list[tuple[str, str]] = field(default_factory=list)


class _ChangesPage(HTMLParser):
    """The steps of a page of changes, as a reader sees them: each `##` heading; each field
    row's key and its before and after entries as (element, text), `del` for a removed entry,
    `ins` for an added one, `span` for one on both sides; each line of the text's diff, the
    same way. The signs (minus, plus) are left out of the texts, and checked apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.steps: list[_Step] = []
        self.marks: list[tuple[str, str]] = []  # (element, its sign) of every entry and line
        self._sign = ""
        self._open: list[tuple[str, set[str]]] = []
        self._heading: list[str] | None = None
        self._row: list[list[tuple[str, str]]] | None = None
        self._key = ""
        self._entry: tuple[str, list[str]] | None = None
        self._line: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "h2" and "md-typeset" not in classes:
            self._heading = []
        elif tag == "tr" and self._inside("trl-field-changes") and self._inside_tag("tbody"):
            self._row, self._key = [], ""
        elif tag == "td" and self._row is not None:
            self._row.append([])
        elif "trl-item" in classes:
            self._entry, self._sign = (tag, []), ""
        elif "trl-line" in classes:
            self._line, self._sign = (tag, []), ""
        if tag not in _VOID:
            self._open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, classes = self._open.pop()
            self._closed(opened, classes)
            if opened == tag:
                break

    def _closed(self, tag: str, classes: set[str]) -> None:
        if tag == "h2" and self._heading is not None:
            self.steps.append(_Step("".join(self._heading).replace("¶", "").strip()))
            self._heading = None
        elif tag == "tr" and self._row is not None:
            before, after = self._row
            self.steps[-1].fields[self._key] = (before, after)
            self._row = None
        elif "trl-item" in classes and self._entry is not None and self._row:
            self._row[-1].append((self._entry[0], "".join(self._entry[1])))
            self.marks.append((self._entry[0], self._sign.strip()))
            self._entry = None
        elif "trl-line" in classes and self._line is not None:
            self.steps[-1].lines.append((self._line[0], "".join(self._line[1])))
            self.marks.append((self._line[0], self._sign.strip()))
            self._line = None

    def handle_data(self, data: str) -> None:
        if self._inside("trl-sign"):
            self._sign += data
        elif self._heading is not None:
            self._heading.append(data)
        elif self._entry is not None:
            self._entry[1].append(data)
        elif self._line is not None:
            self._line[1].append(data)
        elif self._row is not None and not self._row and self._inside_tag("code"):
            self._key += data

    def _inside(self, css_class: str) -> bool:
        return any(css_class in classes for _, classes in self._open)

    def _inside_tag(self, tag: str) -> bool:
        return any(opened == tag for opened, _ in self._open)


def _steps(html: str) -> list[_Step]:
    parser = _ChangesPage()
    parser.feed(html)
    return parser.steps


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The card's history built into a site, with a card that git has never seen."""
    repo = SiteRepo(tmp_path_factory.mktemp("changes") / "org")
    build_history(repo)
    repo.write("cards/new/TRL.md", card("N1", 2, name="Not yet committed"))
    build = repo.build()
    assert build.returncode == 0, build.log
    return build


def test_each_step_shows_exactly_what_changed(built: Build) -> None:
    steps = _steps(built.page(CHANGES))
    rae = "; reviewers Rae"
    gate_3 = ("span", "2024-03-09, gate 3 → 4: advance" + rae)
    assert [s.title for s in steps] == [
        "Since the review of 2024-06-09",
        "From leaving level 4 to the review of 2024-06-09",
        "From leaving level 3 to leaving level 4",
    ]
    since, at_gate, at_four = steps
    # After its last gate (a `stay` review at 5): new owners, and a line of text.
    assert since.fields == {
        "owners": ([("del", "Ana"), ("span", "Bo")], [("span", "Bo"), ("ins", "Cy")]),
    }
    assert since.lines == [
        ("span", "## Caveats"),
        ("span", "Fails in low light."),
        ("ins", SCRIPT_LINE),
    ]
    # The gate into 5 and the review after it: level, ethics, two review records, one line.
    assert at_gate.fields == {
        "level": ([("del", "4 Proof of concept (PoC) development")],
                  [("ins", '5 Machine learning "capability"')]),
        "ethics": ([], [("ins", "in progress")]),
        "reviews": ([gate_3], [gate_3, ("ins", "2024-05-09, gate 4 → 5: advance" + rae),
                               ("ins", "2024-06-09, gate 5 → 5: stay" + rae)]),
    }  # fmt: skip
    assert at_gate.lines == [
        ("span", "## TL;DR"),
        ("del", "Triage retina scans."),
        ("ins", "Triage retina scans for diabetic retinopathy."),
        ("span", "Works on fundus photographs."),
        ("span", ""),
    ]
    # Level 4, from the version that left 3: the gate into 4, then a new name and a tag.
    assert at_four.fields == {
        "name": ([("del", "Retina triage")], [("ins", HOSTILE)]),
        "level": ([("del", "3 System development")],
                  [("ins", "4 Proof of concept (PoC) development")]),
        "owners": ([("span", "Ana")], [("span", "Ana"), ("ins", "Bo")]),
        "tags": ([("span", "vision")], [("span", "vision"), ("ins", "medical")]),
        "reviews": ([], [("ins", gate_3[1])]),
    }  # fmt: skip
    assert at_four.lines == [
        ("span", ""),
        ("span", "## Caveats"),
        ("del", "None known yet."),
        ("ins", "Fails in low light."),
    ]


def test_a_change_is_marked_by_more_than_colour(built: Build) -> None:
    parser = _ChangesPage()
    parser.feed(built.page(CHANGES))
    # Every removed entry and line is struck out (`del`) and signed, every added one `ins`
    # and signed; an entry on both sides, or a line of context, has no sign.
    assert {"del", "ins", "span"} <= {element for element, _ in parser.marks}
    sign = {"del": "\u2212", "ins": "+", "span": ""}
    assert [m for m in parser.marks if m[1] != sign[m[0]]] == []


def test_card_text_is_escaped_on_the_page(built: Build) -> None:
    page = built.page(CHANGES)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;card&#39;)&lt;/script&gt; &amp; &#34;done&#34;" in page
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page


def test_the_card_page_links_to_its_changes_and_every_link_resolves(built: Build) -> None:
    card_page = built.page("readiness/cards/P13.2/")
    assert re.search(r'<a href="changes/">What changed\s+since the last gate</a>', card_page)
    for url in (CHANGES, "readiness/cards/P13.2/", "readiness/cards/N1/changes/"):
        page = built.site / url / "index.html"
        html = page.read_text(encoding="utf-8")
        hrefs = re.findall(r'href="([^"#:?]+)(?:#[^"]*)?"', html)
        assert hrefs
        for href in hrefs:
            target = (page.parent / href).resolve()
            assert (target / "index.html" if target.is_dir() else target).exists(), (url, href)
    assert 'href="../"' in built.page(CHANGES)  # back to the card


def test_pages_of_changes_stay_out_of_search_and_the_navigation(built: Build) -> None:
    assert not [d for d in built.search_docs() if re.search(r"cards/[^/]+/changes/", d["location"])]
    assert [d for d in built.search_docs() if d["location"].startswith("readiness/cards/P13.2/")]
    assert "cards/P13.2/changes/" not in built.page("readiness/")


def test_a_card_without_history_has_nothing_to_compare(built: Build) -> None:
    page = built.page("readiness/cards/N1/changes/")
    assert "Nothing to compare yet" in page
    assert "<h2" not in page.split('class="md-content"', 1)[1]  # no step
    # Its card page does not offer the page.
    assert "What changed" not in built.page("readiness/cards/N1/")


def test_a_former_id_keeps_its_changes_url(site_repo: SiteRepo) -> None:
    site_repo.write("cards/a/TRL.md", card("A1", 2))
    site_repo.commit("A1")
    site_repo.write("cards/a/TRL.md", card("B1", 3))
    site_repo.commit("Renumber A1 as B1")
    build = site_repo.build(strict=True)
    assert build.returncode == 0, build.log
    assert 'url=../../B1/changes/"' in build.page("readiness/cards/A1/changes/")


def _card(body: str, **fields: object) -> Card:
    return Card(**{"id": "P1", "name": "P", "level": 3, "path": "p.md", "body": body, **fields})  # type: ignore[arg-type]


def test_equal_versions_have_an_empty_diff() -> None:
    one = _card("a\nb\n", owners=("Ana",))
    assert card_diff(one, _card("a\nb\n", owners=("Ana",))).empty
    assert not card_diff(one, _card("a\nb\n", owners=("Bo",))).empty


def _paragraphs(count: int, shift: int = 0) -> str:
    return "\n".join("" if i % 2 else f"Paragraph {i + shift}." for i in range(count))


def test_a_long_text_rewritten_is_compared_in_bounded_time() -> None:
    """Every paragraph rewritten, a blank line between each: an exact line match takes time
    cubic in the length (21 s here); blank lines anchoring nothing, milliseconds."""
    started = time.perf_counter()
    diff = card_diff(_card(_paragraphs(2400)), _card(_paragraphs(2400, 1)))
    assert time.perf_counter() - started < 5
    assert diff.hunks and not diff.too_long


def test_a_text_too_long_to_compare_is_said_to_have_changed() -> None:
    long = _paragraphs(MAX_LINES)
    assert card_diff(_card(long), _card(long + "\nOne more.")).too_long
    assert card_diff(_card(long), _card(long)).empty
