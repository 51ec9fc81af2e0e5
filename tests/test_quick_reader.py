"""The fast id/level reader may only skip work, never decide (hypothesis).

On generated cards in every YAML style that matters (plain, quoted, flow, block scalars,
comments, anchors, `?` keys, quoted keys, multi-line quoted values that contain a line
`id: X`), whenever the full parse reads an id and a level, the fast reader gives exactly those
or nothing. And on a whole sample organisation, histories are the same with the fast reader as
with a full parse of every revision.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sample_org import SampleSpec, generate_organisation
from trl_cards.cards import formats
from trl_cards.cards.trl import quick_fields
from trl_cards.cards.yamldoc import _Loader
from trl_cards.history.repository import read_history
from trl_cards.model import lineage as timeline

IDS = st.sampled_from(["A1", "P13.2", "x-y_z", "007", "1.10", "yes", "null", "VICTIM", "a b"])
LEVELS = st.sampled_from(["3", "0", "9", "10", "-1", "3.0", "'3'", "!!int 3", "0x3", "~", ""])


def _quoted(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from([value, f'"{value}"', f"'{value}'", f"&a {value}", f"!!str {value}"])


@st.composite
def _line(draw: st.DrawFn) -> str:
    """One top-level piece of a card: usually a key, sometimes a trap."""
    return draw(
        st.one_of(
            st.builds(lambda v: f"id: {v}", IDS.flatmap(_quoted)),
            st.builds(lambda v: f"level: {v}", LEVELS),
            st.builds(lambda v: f"id: {v}  # a comment", IDS),
            st.just("name: Plain name"),
            st.just('name: "Quoted: with a colon"'),
            st.just('name: "Innocent\nid: VICTIM\n  end"'),
            st.just("name: 'two\nlevel: 8\n  lines'"),
            st.just("notes: |\n  id: VICTIM\n  level: 9"),
            st.just("notes: >-\n  level: 9"),
            st.just("tags: [a, b, 'c]']"),
            st.just("tags: [a,\n  b]"),
            st.just("links: {home: 'https://x', wiki: \"y\"}"),
            st.just("links: {home: x,\nid: VICTIM}"),
            st.just("owners:\n- Ana\n- Bo"),
            st.just('owners:\n  - Ana\n  - "Bo\nid: VICTIM"'),
            st.just('"id": ATT'),
            st.just("? id\n: Q1"),
            st.just("base: &b {level: 4}\nother: *b"),
            st.just("<<: {level: 5}"),
            st.just("# id: COMMENT"),
            st.just("---"),
            st.just("..."),
            st.just("  id: INDENTED"),
            st.just("id:\n  A1"),
            st.just("level:\n  3"),
            st.just("id:\tTAB"),
            st.just("x: - y"),
        )
    )


@st.composite
def _card(draw: st.DrawFn) -> str:
    """A card's keys: one `id` line and one `level` line among other lines, in any order, so
    that the fast reader often has something to answer (with only random lines it almost
    never did, and the property compared nothing)."""
    lines = [
        draw(st.builds(lambda v: f"id: {v}", IDS.flatmap(_quoted))),
        draw(st.builds(lambda v: f"level: {v}", LEVELS)),
        *draw(st.lists(_line(), max_size=5)),
    ]
    return "\n".join(draw(st.permutations(lines)))


CARD_TEXT = _card() | st.lists(_line(), min_size=1, max_size=8).map("\n".join)


def _full(source: str) -> tuple[object, object] | None:
    """(id, level) as the full parse reads them; None when it reads no mapping."""
    try:
        data = yaml.load(source, Loader=_Loader)  # the plugin's own safe loader
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    return data.get("id"), data.get("level")


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(CARD_TEXT, st.booleans())
def test_the_fast_reader_agrees_with_the_parse(source: str, markdown: bool) -> None:
    """Catches: a fast reader that answers where YAML reads otherwise (letting `_text_value`
    take `1.10` or `yes`, which YAML reads as a number and a boolean, as an id fails here)."""
    text, path = (f"---\n{source}\n---\nBody.\n", "c/TRL.md") if markdown else (source, "c/TRL.yml")
    quick = quick_fields(text, path)
    full = _full(source)
    if quick is None or full is None:
        return  # nothing said, or nothing a parse reads: the parse decides
    card_id, level = full
    assert isinstance(card_id, str) and card_id == quick[0], (source, quick, full)
    assert isinstance(level, int) and not isinstance(level, bool) and level == quick[1]


def test_the_fast_reader_answers_for_ordinary_cards() -> None:
    """It must actually spare work: the common shapes get an answer."""
    ordinary = (
        "id: P13.2\nname: Retina\nlevel: 6\nowners: [Dana, Omar]\ntags:\n  - vision\n"
        "links: {home: 'https://x'}\nreviews:\n  - date: 2024-01-01\n    from: 5\n    to: 6\n"
        "    decision: advance\nnotes: |\n  id: NOT-THIS\n"
    )
    assert quick_fields(f"---\n{ordinary}---\n", "c/TRL.md") == ("P13.2", 6)
    assert quick_fields(ordinary, "c/TRL.yml") == ("P13.2", 6)
    assert quick_fields('---\nid: "P1"\nlevel: 3 # comment\n---\n', "c/TRL.md") == ("P1", 3)


def test_the_hijack_of_a_quoted_id_line_gets_no_answer() -> None:
    text = '---\n"id": ATT\nname: "Innocent\nid: VICTIM\n  end"\nlevel: 3\n---\n'
    assert quick_fields(text, "c/TRL.md") is None


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("quick") / "org"
    generate_organisation(target, SampleSpec(cards=15, commits=500, seed=3))
    return target


def test_histories_are_the_same_without_the_fast_reader(
    organisation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = read_history(organisation, ["**/TRL.md", "**/TRL.yml"])

    def summary() -> dict[str, object]:
        return {
            card_id: (
                [
                    (t.from_level, t.to_level, t.kind, t.reviewed, t.revision.landed.sha)
                    for t in h.transitions
                ],
                [(c.from_id, c.to_id) for c in h.id_changes],
                h.path,
            )
            for card_id, h in timeline.build_histories(history).items()
        }

    fast = summary()
    slow = replace(formats.TRL, quick=lambda text, path: None)
    monkeypatch.setattr(formats, "FORMATS", (slow,))
    assert summary() == fast
    assert sum(len(t) for t, _, _ in fast.values()) > 30  # the organisation has a history
