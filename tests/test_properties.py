"""Properties of parsing and rendering, whatever a card file holds (issue 7, requirement 8).

1. `parse_card` never fails: it returns a `ParsedCard` whose problems all name the file, say
   what is wrong and how to fix it, in a few sentences (a message echoes at most an excerpt),
   and none of them is the guard's "could not be read as a card": `parse_card` catches any
   exception so that one file never costs the site, so a test that only checked "no exception"
   could not fail.
2. A valid card reads back as written: every card the writer writes (`card_text`) parses to
   the same card, with no problem.
3. Whatever it accepts renders escaped: only the markup the renderer itself writes, no event
   handler, no foreign style, no `javascript:`/`vbscript:`/`data:` URL, no remote image, and a
   card's name never reaches the page as markup.

Each property names in its docstring the defect of the code it catches; each was seen to fail
once with that defect made.

Hypothesis runs derandomized and without its example database, so every run (CI or laptop)
tries the same examples. `TRL_PROPERTIES_SCALE=10` multiplies the examples for a deeper search.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import math
import operator
import os
import re
import signal
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st

from trl_cards.cards.body import render_body
from trl_cards.cards.card import Card, Debrief, Ethics, ParsedCard, Requirement, Review, Risk
from trl_cards.cards.collection import Collection
from trl_cards.cards.fields import CARD_FIELDS
from trl_cards.cards.problem import Problem
from trl_cards.cards.trl import card_text, parse_card
from trl_cards.history.revisions import Commit, RepoHistory, Revision
from trl_cards.model.analytics import analyse
from trl_cards.model.lineage import build_histories
from trl_cards.model.pipeline import Project, Settings
from trl_cards.model.site import Site
from trl_cards.model.transitions import CardHistory
from trl_cards.outputs.registry import build_outputs
from trl_cards.outputs.templating import RenderedPage

settings.register_profile(
    "trl-properties",
    derandomize=True,  # the same examples on every run: a CI failure reproduces locally
    database=None,  # no example database: nothing is replayed from an earlier run
    deadline=None,  # a timing limit of our own applies instead (`_time_limit`)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
    # No explain phase: it reruns a failure hundreds of times to annotate it, for minutes.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
)
_SCALE = float(os.environ.get("TRL_PROPERTIES_SCALE", "1"))


def _examples(count: int) -> settings:
    return settings(settings.get_profile("trl-properties"), max_examples=int(count * _SCALE))


PATHS = ("TRL.md", "TRL.yml")
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
SECONDS_PER_CALL = 2.0  # parsing a card takes well under a millisecond; rendering, a few


class TooSlowError(Exception):
    """A single parse or render took longer than `SECONDS_PER_CALL` (an alias bomb, say)."""


@contextlib.contextmanager
def _time_limit(what: str):
    """Fail, instead of hanging the suite, when one call takes exponential time."""
    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows: no limit
        yield
        return

    def expire(signum, frame):
        raise TooSlowError(f"{what} took over {SECONDS_PER_CALL:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_CALL)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- strategies ----------------------------------------------------------------------------------


def weighted(*choices):
    """One of the strategies, each as often as its weight: `weighted((3, a), (1, b))`.

    (`st.one_of(a, a, b)` is no way to weight: it drops the repeated `a`.)"""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


def _field_names(fields) -> set[str]:
    """Every key of the card format, nested ones included, read from `CARD_FIELDS` (a record
    kind has `fields`, a list or map kind an `item`)."""
    names = set()
    for f in fields:
        names.add(f.name)
        kind = f.kind
        while hasattr(kind, "item"):
            kind = kind.item
        names |= _field_names(getattr(kind, "fields", ()))
    return names


# The card format's values, as its reference documents them.
DECISIONS = ("advance", "stay", "switchback")
SWITCHBACK_KINDS = ("discovery", "embedded", "review")
ETHICS_STATUSES = ("not started", "in progress", "complete")
DEBRIEF_KEYS = ("accomplished", "punted", "learned", "tech_debt")
KEYS = sorted(
    _field_names(CARD_FIELDS)
    | {"id", "name", "level", "date", "from", "to", "decision", "reviewers", "kind", "debrief"}
    | {"link", "accomplished", "punted", "learned", "tech_debt", "text", "risk", "p_failure"}
    | {"value", "status", "ethics", "requirements", "reviews", "body", "links", "tags"}
)

# Characters that YAML, Markdown or HTML treat specially, and the ones that break readers.
SPECIAL_CHARACTERS = (
    "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x7f\x85\xa0\ufeff\ufffe\u2028\u2029\u202e"
    " :#-&*!|>'\"%@`[]{},?<=~\\"
)
# (No surrogates: a card file is read as UTF-8, so its text cannot hold one.)
characters = st.one_of(st.characters(codec="utf-8"), st.sampled_from(SPECIAL_CHARACTERS))
any_text = st.text(characters)
short_text = st.text(characters, max_size=8)

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "</td></tr></table><script>alert(1)</script>",
    "<!--trl-html-0-->",
    "<!--trl-late-0-->",
    "{: onclick=alert(1) }",
    "&lt;b&gt;&amp;&#60;",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x.png",
    "\\\\evil.example\\x.png",
    "https://evil.example/x.png",
    "[x](javascript:alert(1))",
    "![x](//evil.example/x.png)",
)
texts = st.one_of(
    any_text,
    st.sampled_from(HOSTILE),
    st.lists(st.one_of(st.sampled_from(HOSTILE), short_text), max_size=4).map("".join),
    # Long values: a problem message must quote an excerpt, not the whole value.
    st.builds(operator.mul, st.sampled_from(["x", "<", "é", "a b", "&"]), st.integers(300, 3000)),
)
urls = st.one_of(
    st.sampled_from(
        (*HOSTILE, "https://ok.example/page", "mailto:a@example.org", "relative/p", "#a", "../u")
    ),
    st.builds("https://ok.example/{}".format, short_text),
    texts,
)
HUGE_NUMBERS = (2**63, -(2**63) - 1, 10**308, 10**309, -(10**400), 10**4000)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(0, 9),
    st.sampled_from(HUGE_NUMBERS),  # at most 4,001 digits: yaml.safe_dump must write them
    st.floats(),  # nan and +-inf included
    st.sampled_from((math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324)),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.timezone.utc))),
    texts,
)
keys = weighted((4, st.sampled_from(KEYS)), (2, short_text), (1, st.integers()), (1, st.booleans()))
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=16,
)

MARKDOWN = (
    "# Title",
    "## Section",
    "###### Deep",
    "Plain text.",
    "*em* **strong** `code`",
    "```\n<b>code stays code</b>\n```",
    "```python\nx = '<script>'\n```",
    "- item\n- item",
    "1. one\n2. two",
    "> quoted",
    "---",
    "line  \nbreak",
    "| a | b | c |\n|:--|--:|:-:|\n| 1 | 2 | 3 |",
    "[ok](https://ok.example)",
    "[rel](../other/) [anchor](#x) [mail](mailto:a@example.org)",
    "<https://ok.example> <a@example.org>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript&#58;msgbox(1))",
    "[x](data&#58;text/html,x)",
    '[x](https://ok.example "title")',
    "[ref][1]\n\n[1]: javascript&#58;alert(1)",
    "![img](pic.png)",
    "![img](//evil.example/x.png)",
    "![img](https://evil.example/x.png)",
    "![img](\\\\evil.example\\x.png)",
    "![img](/\\evil.example/x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<div onclick='x'>hi</div>",
    '<a href="javascript:alert(1)">x</a>',
    "<javascript:alert(1)>",
    "&lt;b&gt; &#60;script&#62; &amp;",
    "{: onclick=alert(1) }",
    "<!--trl-html-0-->",
    "<!--trl-late-0-->",
)
bodies = st.lists(
    st.tuples(
        weighted((3, st.sampled_from(MARKDOWN)), (1, short_text)),
        st.sampled_from(("\n\n", "\n", " ", "")),
    ),
    max_size=8,
).map(lambda parts: "".join(text + sep for text, sep in parts))

_ALNUM = "ABCXYZabcxyz0129"
valid_ids = st.one_of(  # ID_PATTERN
    st.builds(operator.add, st.sampled_from(_ALNUM), st.text(_ALNUM + "._-", max_size=12)),
    st.sampled_from(("P1", "a.b-c_d", "0", "x" * 64)),
)
card_ids = st.one_of(valid_ids, texts)
tags = st.builds(  # valid tags (TAG_PATTERN)
    operator.add, st.sampled_from(_ALNUM + "_é"), st.text(_ALNUM + "_é ./+-", max_size=12)
)
# Text a card would accept (not blank, not huge), hostile or not: what reaches the renderer.
good_texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(operator.add, st.sampled_from("Aé<&\"'>`*_[#"), st.text(characters, max_size=16)),
    st.lists(st.one_of(st.sampled_from(HOSTILE), short_text), min_size=1, max_size=3).map(
        " x ".join
    ),
)
good_urls = st.sampled_from(
    (*HOSTILE, "https://ok.example/page", "mailto:a@example.org", "relative/p", "#a", "../u")
)


@st.composite
def reviews(draw, loose):
    text = texts if loose else good_texts
    start, end = draw(st.integers(0, 9)), draw(st.integers(0, 9))
    decision = "advance" if end > start else "switchback" if end < start else "stay"
    review = {
        "date": draw(st.one_of(st.dates(), st.just("2024-03-01"), texts) if loose else st.dates()),
        "from": start,
        "to": end,
        "decision": draw(st.sampled_from(DECISIONS)) if loose else decision,
    }
    optional = {
        "reviewers": st.one_of(text, st.lists(text, max_size=3)),
        "kind": st.sampled_from(SWITCHBACK_KINDS),
        "debrief": st.fixed_dictionaries({}, optional=dict.fromkeys(DEBRIEF_KEYS, text)),
        "link": urls if loose else good_urls,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            review[key] = draw(strategy)
    if review.get("kind") and review["decision"] != "switchback" and not loose:
        del review["kind"]
    return review


def card_documents(loose):
    """Mappings shaped like a card. Strict: values of the right type, often hostile, mostly
    valid. Loose: any text, any value may be any YAML value, extra keys appear."""

    def value(good):
        return weighted((2, good), (1, yaml_values)) if loose else good

    text = texts if loose else good_texts
    people = st.one_of(text, st.lists(text, max_size=3))
    link = urls if loose else good_urls
    numbers = st.one_of(st.sampled_from(HUGE_NUMBERS), scalars) if loose else st.nothing()
    requirement = st.fixed_dictionaries(
        {"id": text, "text": text},
        optional={
            "risk": st.fixed_dictionaries(
                {
                    "p_failure": st.one_of(st.floats(0, 1), numbers),
                    "value": st.one_of(st.floats(0, 1e9), numbers),
                }
            )
        },
    )
    optional = {
        "owners": value(people),
        "reviewers": value(people),
        "tags": value(st.lists(weighted((2, tags), (1, texts)) if loose else tags, max_size=4)),
        "links": value(st.dictionaries(short_text if loose else good_texts, link, max_size=3)),
        "ethics": value(
            st.fixed_dictionaries(
                {"status": st.one_of(st.sampled_from(ETHICS_STATUSES), texts)}
                if loose
                else {"status": st.sampled_from(ETHICS_STATUSES)},
                optional={"link": link},
            )
        ),
        "coupled": value(st.lists(card_ids if loose else valid_ids, max_size=3)),
        "requirements": value(st.lists(requirement, max_size=3)),
        "reviews": value(st.lists(reviews(loose), max_size=3)),
    }
    if loose:
        optional["body"] = value(bodies)
    document = st.fixed_dictionaries(
        {
            "id": value(card_ids) if loose else valid_ids,
            "name": value(text),
            "level": value(st.integers(0, 9)),
        },
        optional=optional,
    )
    if not loose:
        return document
    extra = st.dictionaries(keys, yaml_values, max_size=3)
    return st.tuples(extra, document).map(lambda pair: {**pair[0], **pair[1]})


def _dump(document, flow, unicode):
    if flow:
        return yaml.dump(document, default_flow_style=True, allow_unicode=unicode, sort_keys=False)
    return yaml.safe_dump(document, allow_unicode=unicode, sort_keys=False)


@st.composite
def dumped_files(draw, documents):
    """(text, path): a document dumped as YAML, as the front matter of a TRL.md or a TRL.yml."""
    document, path, body = draw(documents), draw(st.sampled_from(PATHS)), draw(bodies)
    pure_yaml = path.endswith(".yml") and isinstance(document, dict) and "body" not in document
    if pure_yaml and draw(st.booleans()):
        document = {**document, "body": body}  # a pure YAML card's sections
    text = _dump(document, flow=draw(st.booleans()), unicode=draw(st.booleans()))
    return (f"---\n{text}---\n{body}" if path.endswith(".md") else text), path


strict_documents = card_documents(loose=False)
yaml_documents = st.one_of(yaml_values, card_documents(loose=True), strict_documents)

YAML_TAGS = (
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!str",
    "!!timestamp",
    "!!binary",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!map",
    "!!seq",
    "!!merge",
    "!!value",
    "!!python/object:os.system",
    "!!python/name:os.system",
    "!<tag:yaml.org,2002:int>",
    "!local",
)
YAML_SCALARS = (
    "",
    "abc",
    "-",
    "+",
    "0x",
    "0o",
    "0b",
    "2024-02-30",
    "2024-13-01",
    "2024-03-01",
    "2024-03-01T25:00:00",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "190:20:30",
    "1e400",
    ".nan",
    ".inf",
    "-.inf",
    "~",
    "null",
    "yes",
    "off",
    "=",
    "'quoted'",
    '"a\\x00b"',
    "[]",
    "{}",
    "[1, [2]]",
    "{a: 1}",
    "9" * 5000,  # more digits than Python converts to an int by default
    "-" + "9" * 5000,
    "0x" + "f" * 5000,
    "1:" + "5" * 5000,
    "1" + "0" * 400,  # an int too large for a float
    "0." + "1" * 5000,
    "x" * 3000,
)
YAML_PUNCTUATION = (
    *("&a", "*a", "&b", "*b", "<<:", "<<: *a", "? key", "?", ":", ": ", "-", "[", "]", "{"),
    *("}", ",", "---", "...", "\t", "|", ">", "|-", "'", '"', "#", "%YAML 1.1", "@", "`"),
)
yaml_scalars = weighted(
    (2, st.sampled_from(YAML_SCALARS)),
    (2, st.builds("{} {}".format, st.sampled_from(YAML_TAGS), st.sampled_from(YAML_SCALARS))),
    (1, st.sampled_from(("*a", "[*a, *a]", "{<<: *a}", "{<<: [*a, *a], x: 1}", "[&b x, *b]"))),
)
# What the lines start with: nothing, a valid card, an anchor for the aliases (`*a`) to use.
YAML_STARTS = (
    "",
    "id: P1\nname: A card\nlevel: 3\n",
    "base: &a {id: P1, name: A card, level: 3}\n",
    "id: P1\nname: A card\nlevel: 3\nbase: &a [1, 2]\n",
    "<<: &a {id: P1, name: A card, level: 3}\n",
    "---\n",
    "%YAML 1.1\n---\n",
)
yaml_tokens = st.one_of(
    yaml_scalars, st.sampled_from(YAML_PUNCTUATION), st.sampled_from(KEYS), short_text
)
well_formed_lines = weighted(
    (3, st.builds("{}: {}".format, st.sampled_from(KEYS), yaml_scalars)),
    (1, st.builds("{}:\n  - {}\n  - {}".format, st.sampled_from(KEYS), yaml_scalars, yaml_scalars)),
    (
        1,
        st.builds(
            "{}:\n  {}: {}".format, st.sampled_from(KEYS), st.sampled_from(KEYS), yaml_scalars
        ),
    ),
    (
        1,
        st.builds(
            "{}:\n  - {}: {}\n    {}: {}".format,
            st.sampled_from(("reviews", "requirements")),
            st.sampled_from(KEYS),
            yaml_scalars,
            st.sampled_from(KEYS),
            yaml_scalars,
        ),
    ),
    # The nested records of the format, with odd values where the kinds check them.
    (
        1,
        st.builds(
            "requirements: [{{id: R1, text: T, risk: {{p_failure: {}, value: {}}}}}]".format,
            yaml_scalars,
            yaml_scalars,
        ),
    ),
    (
        1,
        st.builds(
            "reviews:\n  - {{date: {}, from: {}, to: {}, decision: {}}}".format,
            yaml_scalars,
            yaml_scalars,
            yaml_scalars,
            yaml_scalars,
        ),
    ),
    (1, st.builds("ethics: {{status: {}, link: {}}}".format, yaml_scalars, yaml_scalars)),
)
garbage_lines = st.builds(
    "{}{}{}{}".format,
    st.sampled_from(("", "  ", "    ", "\t", "- ", "  - ", "? ")),
    st.one_of(st.sampled_from(KEYS), yaml_tokens),
    st.sampled_from((": ", ":", " ", ": &a ", ": *a ", ":\n  <<: ")),
    st.lists(yaml_tokens, max_size=4).map(" ".join),
)
# Mostly well-formed `key: value` lines, so that YAML gets as far as building the values.
yaml_lines = weighted((5, well_formed_lines), (1, garbage_lines))


def _alias_bomb(depth, width):
    """The billion laughs: `depth` levels of lists, each holding `width` aliases of the last."""
    lines = ["l0: &l0 [lol, lol]"]
    for i in range(1, depth + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\ntags: *l{depth}"


nesting = st.one_of(st.integers(0, 1200), st.integers(800, 1000))  # YAML stops at 1,000
big_blocks = st.one_of(
    st.builds(lambda n: "tags: " + "[" * n + "]" * n, nesting),
    st.builds(lambda n: "ethics: " + "{a: " * n + "1" + "}" * n, nesting),
    st.builds(lambda n: "owners:\n" + "- " * n + "x", nesting),
    st.builds(_alias_bomb, st.integers(1, 8), st.integers(1, 10)),
)
yaml_texts = st.builds(
    lambda start, lines: start + "\n".join(lines) + "\n",
    st.sampled_from(
        ("", "", "id: P1\nname: A card\nlevel: 3\n") * 2 + ("--- ", "%YAML 1.1\n---\n")
    ),
    st.lists(weighted((6, yaml_lines), (1, big_blocks)), max_size=6),
)
yaml_text_files = st.builds(
    lambda text, body, path: (f"---\n{text}---\n{body}" if path.endswith(".md") else text, path),
    yaml_texts,
    bodies,
    st.sampled_from(PATHS),
)

raw_texts = st.one_of(
    any_text,
    st.builds("---\n{}\n---\n{}".format, any_text, any_text),
    st.builds("\ufeff---\r\n{}\r\n...\r\n".format, any_text),
)
card_files = weighted(
    (4, dumped_files(strict_documents)),
    (1, dumped_files(yaml_documents)),
    (2, yaml_text_files),
    (1, st.builds(lambda text, path: (text, path), raw_texts, st.sampled_from(PATHS))),
)


# -- property 1: parse_card never fails ----------------------------------------------------------


def _parse(text, path) -> ParsedCard:
    with _time_limit(f"parse_card(..., {path!r})"):
        result = parse_card(text, path)
    assert isinstance(result, ParsedCard)
    assert result.card is None or isinstance(result.card, Card)
    for problem in result.problems:
        assert isinstance(problem, Problem)
        # The guard of `parse_card` turned an exception into this problem: a defect.
        assert "could not be read as a card" not in problem.message, problem
        assert problem.path, problem
        assert problem.message.strip(), problem
        assert problem.fix.strip(), problem
        # A message quotes an excerpt of a value, never the whole of a long one.
        assert len(problem.message) + len(problem.fix) < 2000, (
            f"{len(problem.message)}+{len(problem.fix)} characters: {problem.message[:200]!r}"
        )
    return result


@_examples(1000)
@given(raw_texts)
def test_any_text_parses_without_raising(text):
    """Catches: an exception while putting a YAML error into words (reading the line of an
    error at the end of the text without `yaml_error`'s bound check fails here)."""
    for path in PATHS:
        _parse(text, path)


@_examples(400)
@given(dumped_files(yaml_documents))
def test_any_yaml_structure_parses_without_raising(file):
    """Catches: an exception anywhere in the parser of a card-shaped document (raising in
    `trl._build` fails here), and a kind that assumes a value's type (making `Text.check`
    call `.strip()` before its type check fails here on a number where text belongs)."""
    _parse(*file)


@_examples(600)
@given(yaml_text_files)
def test_yaml_looking_text_parses_without_raising(file):
    """Catches: an error of YAML's put into words wrongly (`yaml_error` adding to the line of a
    limit error that has none fails here, on an alias bomb)."""
    _parse(*file)


# -- property 2: a valid card reads back as written ----------------------------------------------

_ONE_LINE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.isprintable())
_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True).filter(
    lambda i: (
        not i.endswith(".") and not re.fullmatch(r"(?i)(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", i)
    )
)
_URLS = st.builds(lambda host, path: f"https://{host}.example/{path}", _IDS, _IDS)
_DAYS = st.dates(dt.date(2005, 1, 1), dt.date(2025, 1, 1))
# Besides any float, the ones YAML reads otherwise than JSON writes them (`1e-05`).
_FRACTIONS = st.floats(0, 1, allow_nan=False) | st.sampled_from((1e-05, 1e-300, 5e-324))
_NUMBERS = _FRACTIONS | st.integers(0, 10**6) | st.sampled_from((1e20, 1.5e300))


@st.composite
def _reviews(draw: st.DrawFn) -> Review:
    start, end = draw(st.integers(0, 9)), draw(st.integers(0, 9))
    decision = "advance" if end > start else "switchback" if end < start else "stay"
    return Review(
        draw(_DAYS),
        start,
        end,
        decision,
        tuple(draw(st.lists(_ONE_LINE, max_size=3))),
        draw(st.sampled_from(("discovery", "embedded", "review"))) if end < start else None,
        Debrief(*(draw(st.none() | _ONE_LINE) for _ in range(4))),
        draw(st.none() | _URLS),
    )


@st.composite
def valid_cards(draw: st.DrawFn) -> Card:
    """Any card the format accepts without a problem, as its writer writes it."""
    requirement_ids = draw(st.lists(_ONE_LINE, max_size=3, unique=True))
    return Card(
        id=draw(_IDS),
        name=draw(_ONE_LINE),
        level=draw(st.integers(0, 9)),
        path="TRL.md",
        owners=tuple(draw(st.lists(_ONE_LINE, max_size=3))),
        reviewers=tuple(draw(st.lists(_ONE_LINE, max_size=3))),
        tags=tuple(draw(st.lists(_ONE_LINE, max_size=3, unique=True))),
        links=tuple(draw(st.dictionaries(_ONE_LINE, _URLS, max_size=3)).items()),
        ethics=draw(
            st.none()
            | st.builds(
                Ethics,
                st.sampled_from(("not started", "in progress", "complete")),
                st.none() | _URLS,
            )
        ),
        coupled=tuple(draw(st.lists(_IDS, max_size=3, unique=True))),
        parts=tuple(draw(st.lists(_IDS, max_size=3, unique=True))),
        aliases=tuple(draw(st.lists(_IDS, max_size=3, unique=True))),
        requirements=tuple(
            Requirement(
                rid,
                draw(_ONE_LINE),
                draw(st.none() | st.builds(Risk, _FRACTIONS, _NUMBERS)),
            )
            for rid in requirement_ids
        ),
        reviews=tuple(sorted(draw(st.lists(_reviews(), max_size=3)), key=lambda r: r.date)),
        body=draw(st.sampled_from(("", "## TL;DR\nA component.", "Plain text."))),
    )


@_examples(300)
@given(valid_cards(), st.sampled_from(PATHS))
def test_a_valid_card_reads_back_as_written(card, path):
    """Catches: a key the parser drops or changes on the way to the card (making `trl._build`
    leave out `owners` fails here at once), and a value the writer writes that YAML reads
    otherwise than written (a float as `1e-05`, which YAML 1.1 reads as text)."""
    card = replace(card, path=path)
    text = card_text(card, yaml=path.endswith(".yml"))
    parsed = _parse(text, path)
    assert parsed.problems == (), [str(p) for p in parsed.problems]
    assert parsed.card == card


# -- property 3: whatever parses renders escaped -------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        # the templates' own markup
        *("a", "br", "code", "dd", "details", "div", "dl", "dt", "em", "h3", "li", "p"),
        *("section", "span", "strong", "summary", "table", "tbody", "td", "th", "thead"),
        *("time", "tr", "ul"),
        *("del", "ins"),  # a card's page of changes: what went, what came
        *("input", "select", "option"),  # the dashboard's filter
        # chart.py: the level timeline and the phase trend
        *("svg", "rect", "title", "text", "line", "polyline", "polygon", "circle"),
        # Python-Markdown on a card body (tables, fenced_code, sane_lists), headings demoted
        *("blockquote", "h4", "h5", "h6", "hr", "img", "ol", "pre"),
    }
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "xlink:href", "action", "formaction", "poster", "srcset", "cite"}
)
# The renderer's own: the dashboard's level bars, and the tables extension's column alignment.
OWN_STYLE = re.compile(r"width:\d{1,3}(?:\.\d{2})?%|text-align: (?:left|right|center);")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def browser_url(value: str) -> str:
    """A URL attribute as the browser's URL parser takes it, for checking its scheme.

    `value` is the attribute after character references are decoded (`html.unescape`), which
    `html.parser` does for every attribute, once, as a browser's tokenizer does. Then the URL
    parser removes ASCII tab and newline anywhere, strips C0 controls and spaces at both ends,
    and schemes are case-insensitive.
    """
    return re.sub(r"[\t\n\r]", "", value).strip(_C0_AND_SPACE).lower()


def _remote(url: str) -> bool:
    """Whether an image URL loads from elsewhere: a scheme, or a network path (`//`, `\\\\`)."""
    url = url.replace("\\", "/")
    return url.startswith("//") or "://" in url or bool(re.match(r"[a-z][a-z0-9+.-]*:", url))


class _MarkupCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag, attrs):
        shown = (self.get_starttag_text() or tag)[:160]
        if tag not in ALLOWED_TAGS:
            self.findings.append(f"tag <{tag}> is not markup the renderer writes: {shown}")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"event handler attribute {name}: {shown}")
            if name == "style" and not OWN_STYLE.fullmatch(value or ""):
                self.findings.append(f"style attribute not the renderer's own: {shown}")
            if name in URL_ATTRIBUTES and value is not None:
                url = browser_url(value)
                if url.startswith(UNSAFE_SCHEMES):
                    self.findings.append(f"{name} is a {url.split(':')[0]}: URL: {shown}")
                if tag == "img" and name == "src" and _remote(url):
                    self.findings.append(f"img src is not relative: {shown}")


def markup_findings(text: str) -> list[str]:
    """What, in `text`, a card's author could have injected: an empty list when nothing."""
    checker = _MarkupCheck()
    checker.feed(text)
    checker.close()
    return checker.findings


def render_pages(
    collection: Collection, histories: dict[str, CardHistory]
) -> dict[str, RenderedPage]:
    """Every page of a site of these cards, through the outputs a build writes."""
    project = Project(
        Settings(Path()),
        collection,
        histories,
        Site(),
        analyse(collection.cards, histories, NOW),
        NOW,
    )
    made = build_outputs(project).files
    return {uri: page for uri, page in made.items() if isinstance(page, RenderedPage)}


def _page_texts(card, problems) -> dict[str, str]:
    collection = Collection((card,), tuple(problems), (card.path,))
    with _time_limit(f"rendering card {card.id!r}"):
        pages = render_pages(collection, {})
        texts = {uri: page.text for uri, page in pages.items()}
        texts["render_body(card.body)"] = render_body(card.body)
    return texts


def name_leaks(name: str, named: str, plain: str) -> list[str]:
    """Each `<` of the name, with the characters after it, found raw more often in `named` (the
    pages of the card) than in `plain` (the same card named plainly): the name unescaped."""
    fragments = {name[i : i + 12] for i, c in enumerate(name) if c == "<" and i + 1 < len(name)}
    return sorted(f for f in fragments if named.count(f) > plain.count(f))


@_examples(500)
@given(card_files)
def test_whatever_parses_renders_escaped(file):
    """Catches: text that reaches a page unescaped (turning off the template environment's
    `autoescape` fails here on the first card name with a `<`)."""
    text, path = file
    try:
        with _time_limit(f"parse_card(..., {path!r})"):
            parsed = parse_card(text, path)
    except Exception:  # a parse that raises fails the tests of property 1, not this one
        reject()
    _check_renders_escaped(parsed)


def _check_renders_escaped(parsed):
    card = parsed.card
    if card is None:  # the problems page is all a broken card reaches
        problems_page = render_pages(Collection((), tuple(parsed.problems), ()), {})
        findings = markup_findings(problems_page[Site().urls.problems()].text)
        assert not findings, f"problems page: {findings}"
        return
    pages = _page_texts(card, parsed.problems)
    for uri, page in pages.items():
        findings = markup_findings(page)
        assert not findings, f"{uri}: {findings}"
    if "<" in card.name:
        plain = _page_texts(replace(card, name="Plain name"), parsed.problems)
        assert name_leaks(card.name, "\n".join(pages.values()), "\n".join(plain.values())) == []


# -- known hostile inputs, always tried ----------------------------------------------------------

ID = "id: P1\nname: A card\n"
KNOWN_FRONT_MATTER = {
    "int tag on text": ID + "level: !!int abc",
    "empty int tag": ID + "level: !!int",
    "float tag on text": ID + "level: !!float abc",
    "empty float tag": ID + "level: !!float",
    "bool tag on text": ID + "level: 3\nowners: !!bool maybe",
    "timestamp tag on a bad day": ID + "level: 3\nreviews: [{date: !!timestamp 2024-02-30}]",
    "timestamp tag on text": ID + "level: 3\nreviews: [{date: !!timestamp abc}]",
    "5,000-digit level": ID + "level: " + "9" * 5000,
    "5,000-digit hex level": ID + "level: 0x" + "f" * 5000,
    "int too large for a float": ID + "level: 3\nrequirements: [{id: R1, text: T, risk: "
    "{p_failure: 0.5, value: 1" + "0" * 400 + "}}]",
    "alias bomb": ID + "level: 3\n" + _alias_bomb(9, 10),
    "lists nested 900 deep": ID + "level: 3\ntags: " + "[" * 900 + "]" * 900,
    "lists nested 990 deep": ID + "level: 3\ntags: " + "[" * 990 + "]" * 990,
    "mappings nested 900 deep": ID + "level: 3\nethics: " + "{a: " * 900 + "1" + "}" * 900,
    "long id": "id: " + "x" * 5000 + "\nname: A card\nlevel: 3",
    "long unquoted value with colon": ID + "level: 3\nowners: a: " + "b" * 5000,
    "long date": ID + "level: 3\nreviews: [{date: " + "9" * 3000 + "-01-01, from: 1, to: 2}]",
}


@pytest.mark.parametrize("front_matter", KNOWN_FRONT_MATTER.values(), ids=KNOWN_FRONT_MATTER)
def test_known_hostile_front_matter_parses(front_matter):
    _parse(f"---\n{front_matter}\n---\n", "TRL.md")
    _parse(f"{front_matter}\n", "TRL.yml")


KNOWN_BODIES = {
    "entity-encoded javascript": "[x](javascript&#58;alert(1))",
    "hex-entity-encoded javascript": "[x](java&#x73;cript&#x3A;alert(1))",
    "named-entity javascript reference": "[x][1]\n\n[1]: javascript&colon;alert(1)",
    "entity-encoded vbscript": "[x](vbscript&#58;msgbox(1))",
    "entity-encoded data": "[x](data&#58;text/html,x)",
    "remote image": "![x](https://evil.example/x.png)",
    "network-path image": "![x](//evil.example/x.png)",
    "backslash network-path image": "![x](/\\evil.example/x.png)",
    "raw html": "<script>alert(1)</script> <img src=x onerror=alert(1)>",
    "raw link": '<a href="javascript:alert(1)">x</a> [x](javascript:alert(1))',
}


@pytest.mark.parametrize("body", KNOWN_BODIES.values(), ids=KNOWN_BODIES)
def test_known_hostile_bodies_render_escaped(body):
    name = "<script>alert('name')</script> <img src=x onerror=alert(1)>"
    parsed = _parse(f"---\nid: P1\nname: {json.dumps(name)}\nlevel: 3\n---\n{body}\n", "TRL.md")
    assert parsed.card is not None, parsed.problems
    _check_renders_escaped(parsed)


# -- the checks above can fail -------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<p><img src=x onerror=alert(1)></p>",
        '<a href="java&#9;script:alert(1)">x</a>',
        '<a href="  JAVASCRIPT:alert(1)">x</a>',
        '<a href="&#x01;java&#x0A;script&colon;alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<svg><a xlink:href="javascript:alert(1)"><circle r="5"/></a></svg>',
        "<script>alert(1)</script>",
        '<p onclick="x">x</p>',
        '<span style="background:url(x)">x</span>',
        '<img src="//evil.example/x.png">',
        '<img src="\\\\evil.example\\x.png">',
        '<img src="/\\evil.example/x.png">',
        '<img src="https://evil.example/x.png">',
        "<h1>not ours</h1>",
        "<iframe src=x></iframe>",
    ],
)
def test_the_markup_check_fires(markup):
    assert markup_findings(markup)


def test_browser_url_decodes_as_a_browser():
    assert browser_url(html.unescape("java&#9;script:alert(1)")) == "javascript:alert(1)"
    assert browser_url("\x00 \x1fJava\nScr\ript:x\x7f ") == "javascript:x\x7f"
    assert browser_url("https://ok.example/a b") == "https://ok.example/a b"


def test_the_name_check_fires():
    plain = "<p>Plain name</p><td>x</td>"
    name = "a<td>b <script>alert(1)</script>"
    assert name_leaks(name, f"<p>{name}</p><td>x</td>", plain) == [
        "</script>",
        "<script>aler",
        "<td>b <scrip",
    ]
    assert name_leaks(name, f"<p>{html.escape(name)}</p><td>x</td>", plain) == []
    assert name_leaks("<", "<p><</p>", "<p>x</p>") == []  # a lone `<` is no fragment


def _commit(sha, day):
    when = dt.datetime(2024, 1, day, tzinfo=dt.timezone.utc)
    return Commit(sha * 40, "Rae", "rae@example.org", when, when, "Update the card")


def test_the_markup_check_accepts_the_renderers_own_output():
    """A card using every feature, with a level history (so the chart is drawn): no finding.

    Keeps the allowlists honest: a tag or style the renderer writes would show up here."""
    text = (
        "---\nid: P1\nname: A <b>bold</b> card\nlevel: 3\nowners: [Dana]\ntags: [vision]\n"
        "links: {home: 'https://ok.example', docs: ../docs/}\n"
        "ethics: {status: in progress, link: 'https://ok.example/ethics'}\n"
        "requirements:\n  - {id: R1, text: It shall work., risk: {p_failure: 0.5, value: 3}}\n"
        "reviews:\n  - {date: 2024-01-05, from: 1, to: 3, decision: advance, reviewers: [Rae],"
        " link: 'https://ok.example/r', debrief: {learned: A lot.}}\n---\n"
        "## TL;DR\nText *em* **strong** `code`, a [link](https://ok.example) and ![a](pic.png)."
        "\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n- one\n- two\n\n"
        "1. one\n2. two\n\n> quoted  \nbroken\n\n---\n\n#### Deeper\n\n###### Deepest\n"
    )
    card = parse_card(text, "cards/p1/TRL.md").card
    assert card is not None
    revisions = tuple(
        Revision("cards/p1/TRL.md", text.replace("level: 3", f"level: {n}"), sha, commit, commit)
        for n, sha, commit in ((1, "a", _commit("a", 1)), (3, "b", _commit("b", 5)))
    )
    histories = build_histories(RepoHistory(None, "b" * 40, "main", revisions))
    assert histories["P1"].transitions
    pages = render_pages(Collection((card,), (), (card.path,)), histories)
    joined = "\n".join(page.text for page in pages.values())
    assert "<svg" in joined and "<img" in joined and "text-align: right;" in joined
    assert 'style="width:100%"' in joined
    for uri, page in pages.items():
        assert markup_findings(page.text) == [], uri
