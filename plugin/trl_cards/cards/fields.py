"""The TRL card's format, declared once: the fields of each record, with their kinds and
documentation (`CARD_FIELDS`), what a problem in each costs (`dropped_by`), and the JSON Schema.

The same tree validates a card, generates the JSON Schema and feeds the reference docs, so the
three cannot drift apart. A bad value drops that value; a record that lost a required key (a
review without its `date`) drops that record; only the card's identity (`id`, `name`,
`level`) drops the card.
"""

from __future__ import annotations

import re
from typing import Any

from .kinds import (
    Choice,
    Date,
    Field,
    Identifier,
    Integer,
    ListOf,
    MapOf,
    Number,
    Record,
    Report,
    Text,
    Url,
)
from .levels import HIGHEST, LOWEST

FORMAT_VERSION = 1
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
DECISIONS = ("advance", "stay", "switchback")
SWITCHBACK_KINDS = ("discovery", "embedded", "review")
EXEMPTION = "exemption"
"""The kind of a review record that passes a gate without a review, on purpose: the
organisation granted it, for a `reason`, by an `approver`, until it `expires`."""
EXEMPTION_KEYS = ("reason", "approver", "expires")
ETHICS_STATUSES = ("not started", "in progress", "complete")
DEBRIEF_QUESTIONS = {
    "accomplished": "What was accomplished, and by whom?",
    "punted": "What was punted or de-scoped?",
    "learned": "What was learned?",
    "tech_debt": "What tech debt was gained, or paid down?",
}
IDENTITY = ("id", "name", "level")
"""The keys without which a card is not a card: a problem in one leaves the card out."""


def _review_rule(review: dict[str, Any], key: str, report: Report) -> bool:
    start, end, decision = review.get("from"), review.get("to"), review.get("decision")
    if start is None or end is None or decision is None:
        return True  # a required key is already reported, and takes the review with it
    expected = "advance" if end > start else "switchback" if end < start else "stay"
    if decision != expected:
        report(
            f"{key}.decision",
            f"is `{decision}` but the review goes from {start} to {end}, which is `{expected}`.",
            f"Set `decision: {expected}`, or correct `from`/`to`.",
        )
        return False
    kind = review.get("kind")
    if kind == EXEMPTION:
        return _exemption_rule(review, key, report)
    for name in EXEMPTION_KEYS:
        if name in review:
            report(
                f"{key}.{name}",
                "only applies to an exemption, so it is ignored.",
                f"Add `kind: {EXEMPTION}` if the gate was passed by exemption, or remove `{name}`.",
            )
            del review[name]
    if kind and decision != "switchback":
        report(
            f"{key}.kind",
            "only applies to a switchback.",
            "Remove `kind`, or make the decision `switchback`.",
        )
        del review["kind"]
    return True


def _exemption_rule(review: dict[str, Any], key: str, report: Report) -> bool:
    """An exemption passes a gate up, and says why, who granted it and until when: without
    one of them it would pass a gate on nobody's word, so the record is left out."""
    if review.get("decision") != "advance":
        report(
            key,
            f"is an exemption (`kind: {EXEMPTION}`), which passes a gate up, but its decision "
            f"is `{review.get('decision')}`.",
            "An exemption is recorded with `decision: advance` and a higher `to`.",
        )
        return False
    missing = [name for name in EXEMPTION_KEYS if not review.get(name)]
    if missing:
        keys = ", ".join(f"`{name}`" for name in missing)
        report(
            key,
            f"is an exemption without {keys}: it needs a `reason`, an `approver` and the "
            "day it `expires`.",
            "Add them, e.g. `reason: pilot for one clinic`, `approver: Dana Whitfield`, "
            "`expires: 2027-06-30`.",
        )
        return False
    return True


_LEVEL = Integer(LOWEST, HIGHEST)
_CARD_ID = "it must be a card id (letters, digits, `.`, `_` and `-`)."
_PEOPLE = ListOf(Text(one_line=True))

DEBRIEF_FIELDS = tuple(Field(k, Text(), q) for k, q in DEBRIEF_QUESTIONS.items())
REVIEW_FIELDS = (
    Field("date", Date(), "Day of the review, YYYY-MM-DD.", required=True),
    Field("from", _LEVEL, "Level reviewed (the gate being passed).", required=True),
    Field("to", _LEVEL, "Level decided.", required=True),
    Field("decision", Choice(DECISIONS), "Advance, stay, or switch back.", required=True),
    Field("reviewers", _PEOPLE, "Who reviewed."),
    Field(
        "kind",
        Choice((*SWITCHBACK_KINDS, EXEMPTION)),
        "For a switchback: discovery, embedded or review. `exemption`: the gate was passed "
        "without a review, on purpose (with `reason`, `approver` and `expires`).",
    ),
    Field("debrief", Record(DEBRIEF_FIELDS), "The stage debrief: the four questions answered."),
    Field("link", Url(), "Where the full review record lives."),
    Field("reason", Text(), "For an exemption: why the gate is passed without a review."),
    Field("approver", Text(one_line=True), "For an exemption: who granted it."),
    Field(
        "expires",
        Date(future=True),
        "For an exemption: the day it ends, YYYY-MM-DD; after it the gate is flagged again.",
    ),
)
_EXEMPTION_SCHEMA = (
    {
        "if": {"properties": {"kind": {"const": EXEMPTION}}, "required": ["kind"]},
        "then": {
            "properties": {"decision": {"const": "advance"}},
            "required": list(EXEMPTION_KEYS),
        },
    },
)
"""`_exemption_rule`, as editors read it: an exemption passes a gate up, with its three keys."""
RISK_FIELDS = (
    Field("p_failure", Number(0.0, 1.0), "Probability of failure, 0..1.", required=True),
    Field("value", Number(0.0), "Value at stake.", required=True),
)
REQUIREMENT_FIELDS = (
    Field("id", Text(one_line=True), "Requirement id, unique in the card.", required=True),
    Field("text", Text(), 'The "shall" statement.', required=True),
    Field("risk", Record(RISK_FIELDS), "Risk = p_failure x value."),
)
ETHICS_FIELDS = (
    Field(
        "status", Choice(ETHICS_STATUSES), "not started, in progress or complete.", required=True
    ),
    Field("link", Url(), "Where the checklist lives."),
)
TARGET_FIELDS = (
    Field("level", _LEVEL, "The level the component is to reach, 0-9.", required=True),
    Field("date", Date(future=True), "The day it is to be reached by, YYYY-MM-DD.", required=True),
    Field("reason", Text(), "Why this level by this day (the commitment behind it)."),
)
CARD_FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        Identifier(
            pattern=ID_PATTERN,
            pattern_help="letters, digits, `.`, `_` and `-`, starting with a letter or "
            "digit, at most 64 characters.",
        ),
        "Unique, stable identity of the card.",
        required=True,
    ),
    Field("name", Text(one_line=True), "Name of the component.", required=True),
    Field("level", _LEVEL, "Current MLTRL level, 0-9.", required=True),
    Field("owners", _PEOPLE, "People or teams who own the component."),
    Field("reviewers", _PEOPLE, "Who reviews its gates."),
    Field("tags", ListOf(Text(one_line=True)), "Free labels, any text."),
    Field("links", MapOf(Url()), "Named links: project page, requirements, V&V, code..."),
    Field("ethics", Record(ETHICS_FIELDS), "Status of the ethics checklist."),
    Field(
        "target",
        Record(TARGET_FIELDS),
        "The level the team means to reach, and by when: shown on track, at risk, late or met.",
    ),
    Field(
        "coupled",
        ListOf(Text(pattern=ID_PATTERN, pattern_help=_CARD_ID)),
        "Ids of related cards (the research card behind a product): shown, never counted.",
    ),
    Field(
        "parts",
        ListOf(Text(pattern=ID_PATTERN, pattern_help=_CARD_ID)),
        "Ids of the components this system is made of: it is only as ready as the least "
        "ready of them.",
    ),
    Field(
        "aliases",
        ListOf(Text(pattern=ID_PATTERN, pattern_help=_CARD_ID)),
        "Former ids of this card: its history goes on from the card that held one.",
    ),
    Field(
        "requirements",
        ListOf(Record(REQUIREMENT_FIELDS), single_ok=False, unique="id"),
        "Top-level requirements.",
    ),
    Field(
        "reviews",
        ListOf(Record(REVIEW_FIELDS, _review_rule, _EXEMPTION_SCHEMA), single_ok=False),
        "Gated reviews with their stage debriefs.",
    ),
    Field("body", Text(), "Pure YAML cards only: the Markdown sections."),
)
CARD_RECORD = Record(CARD_FIELDS)


def dropped_by(key: str) -> str:
    """What a problem at `key` leaves out, as the end of a sentence: derived from the format.

    A value of an optional key goes alone, as does an item of a list; a required key takes
    its record with it (a review without its `date`); the card's identity takes the card.
    """
    if not key or key == "(card)":
        return "the card"
    chain: list[tuple[str, Field | None, str]] = []  # (path to the key, its field, [i] after)
    fields: tuple[Field, ...] = CARD_FIELDS
    path = ""
    for name, indexes in re.findall(r"([^.\[\]]+)((?:\[\d+\])*)", key):
        declared = next((f for f in fields if f.name == name), None)
        path = f"{path}.{name}" if path else name
        chain.append((path, declared, indexes))
        path += indexes
        kind = declared.kind if declared else None
        while isinstance(kind, ListOf):
            kind = kind.item
        fields = kind.fields if isinstance(kind, Record) else ()
    for depth in range(len(chain) - 1, -1, -1):
        at, declared, indexes = chain[depth]
        if indexes:  # an item of a list goes alone
            return _unit(at + indexes)
        if declared is None or not declared.required:
            return _unit(at)
    return "the card"  # a required key of the card itself: its identity


def _unit(path: str) -> str:
    """`reviews[2]` -> `review 3 (reviews[2])`; `requirements[0].risk` -> its backticked key."""
    match = re.fullmatch(r"(reviews|requirements)\[(\d+)\]", path)
    if match:
        noun = match[1].removesuffix("s")
        return f"{noun} {int(match[2]) + 1} (`{path}`)"
    return f"`{path}`"


SCHEMA_URL = (
    "https://mkdocs-trl-cards.github.io/mkdocs-trl-cards/readiness/schema/"
    f"card-v{FORMAT_VERSION}.json"
)
"""The JSON Schema's `$id`: where the project's own site publishes it. Every readiness site
publishes the same file at `<site_url>readiness/schema/card-v1.json` (`Urls.schema`)."""


def json_schema() -> dict[str, Any]:
    """The card format as a JSON Schema, generated from `CARD_FIELDS`. Draft-07, the newest
    draft that the YAML language server (VS Code's YAML extension and most editors) reads."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_URL,
        "title": f"TRL card, format version {FORMAT_VERSION}",
        "description": "Front matter of a Machine Learning Technology Readiness Level card.",
        **CARD_RECORD.schema(),
    }
