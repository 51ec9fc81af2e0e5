"""A card's text rendered a section at a time is the text rendered whole (`render_body`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trl_cards.cards import body

# Pieces that Markdown reads across lines and blank lines, and headings that repeat.
_PIECES = [
    "## TL;DR",
    "## TL;DR",
    "# Top",
    "#hashtag heading",
    "### Data: sources & limits",
    "",
    "",
    "A paragraph with a [link](https://example.org) and `code`.",
    "- an item\n- another",
    "1. first\n2. second",
    "    indented code",
    "> a quote",
    "> a quote\n# lazy?",
    "```\n# not a heading\n```",
    "````\n```\n# still code\n````",
    "```\n````\n\n# inside, after a longer fence\n```",
    "~~~python\nx = 1\n~~~",
    "```\nnever closed",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[ref]: https://example.org",
    "See [the ref][ref].",
    "A footnote[^1].",
    "[^1]: The note.",
    "Title\n=====",
    "<b>raw html</b>",
    "![an image](https://example.org/x.png)",
    "\\# not a heading",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.sampled_from(["\n", "\n\n"]))
def test_a_body_is_the_same_by_sections(pieces: list[str], joint: str) -> None:
    text = joint.join(pieces)
    whole = body._render(text) if body.body_limit(text) is None else body._plain(text)
    assert body.render_body.__wrapped__(text) == whole


def test_the_sections_start_at_headings_outside_code() -> None:
    text = "Intro\n\n## A\ntext\n# not split, no blank line before\n\n```\n\n# code\n```\n\n## B\n"
    assert body._sections(text) == [
        "Intro\n",
        "## A\ntext\n# not split, no blank line before\n\n```\n\n# code\n```\n",
        "## B\n",
    ]
