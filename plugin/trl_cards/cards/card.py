"""The TRL card: its model, and `parse_card`, which turns the text of one file into a card.

The format itself (keys, kinds, JSON Schema) is declared in `fields`; the YAML is read within
limits by `yamldoc`; the body's limits are `body`'s. Parsing never raises: whatever a file
holds becomes problems, each graded by what it costs (`fields.dropped_by`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from .body import body_limit
from .border import excerpt
from .fields import (
    CARD_FIELDS,
    CARD_RECORD,
    DEBRIEF_QUESTIONS,
    IDENTITY,
    SWITCHBACK_KINDS,
    dropped_by,
    json_schema,
)
from .problem import Problem, Severity
from .yamldoc import (
    Located,
    fill_raw,
    load_yaml,
    locate_keys,
    quick_id_and_level,
    split_front_matter,
    yaml_error,
)

__all__ = [
    "CARD_FIELDS",
    "MLTRL_SECTIONS",
    "SWITCHBACK_KINDS",
    "Card",
    "Debrief",
    "Ethics",
    "ParsedCard",
    "Requirement",
    "Review",
    "Risk",
    "card_text",
    "json_schema",
    "locate_problems",
    "parse_card",
    "quick_fields",
    "split_front_matter",
    "template_body",
]

MAX_FILE_CHARS = 1 << 20
"""The longest card file read (a long card is 30,000 characters)."""


@dataclass(frozen=True)
class Risk:
    """Risk of a requirement: probability of failure times the value at stake."""

    p_failure: float
    value: float

    @property
    def score(self) -> float:
        """risk = P(failure) x value, as the paper defines it."""
        return self.p_failure * self.value


@dataclass(frozen=True)
class Requirement:
    """A numbered "shall" statement."""

    id: str
    text: str
    risk: Risk | None = None


@dataclass(frozen=True)
class Debrief:
    """The stage debrief of a gated review: the paper's four questions."""

    accomplished: str | None = None
    punted: str | None = None
    learned: str | None = None
    tech_debt: str | None = None

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer) for every question answered, in the paper's order."""
        return [
            (question, answer)
            for key, question in DEBRIEF_QUESTIONS.items()
            if (answer := getattr(self, key))
        ]


@dataclass(frozen=True)
class Review:
    """The record of one gated review."""

    date: dt.date
    from_level: int
    to_level: int
    decision: str
    reviewers: tuple[str, ...] = ()
    kind: str | None = None
    debrief: Debrief = field(default_factory=Debrief)
    link: str | None = None


@dataclass(frozen=True)
class Ethics:
    """Status of the ethics checklist, a deliverable of every level."""

    status: str
    link: str | None = None


@dataclass(frozen=True)
class Card:
    """One TRL card as it stands in one file at one revision."""

    id: str
    name: str
    level: int
    path: str
    owners: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    ethics: Ethics | None = None
    coupled: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    reviews: tuple[Review, ...] = ()
    body: str = ""
    stages: tuple[int, ...] = ()
    """The levels of the stages of the file's own maturity scale, lowest first, when its
    format has one (a mapped format, `formats:` in mkdocs.yml, as `alpha: 4, beta: 6,
    stable: 8`): that format's own process is the gate between two stages, so a move to the
    next one is an advance that needs no review record. Empty for a TRL card, whose every
    level ends in a gated review recorded in the card."""


@dataclass(frozen=True)
class ParsedCard:
    """What parsing one file gives: the card when it is usable, and every problem found."""

    card: Card | None
    problems: tuple[Problem, ...] = ()
    id: str | None = None  # the id when it could be read, even from an unusable card


def parse_card(text: str, path: str) -> ParsedCard:
    """Parse and validate one card file. Never raises: any failure is a problem of the file."""
    try:
        return _parse(text, path)
    except Exception as error:  # one file must never cost the site
        return unreadable(path, error)


def unreadable(path: str, error: Exception) -> ParsedCard:
    """What a parser that failed gives instead of raising: no card, and the problem that
    names the error (a defect: a parser must report every problem of a file itself)."""
    return ParsedCard(
        None,
        (
            Problem(
                path,
                f"could not be read as a card ({type(error).__name__}: "
                f"{excerpt(str(error), 100)}).",
                "Simplify the file; if it looks right, report this message to the "
                "maintainers of mkdocs-trl-cards.",
            ),
        ),
    )


def _parse(text: str, path: str) -> ParsedCard:
    if len(text) > MAX_FILE_CHARS:
        return _unusable(
            path,
            f"is {len(text):,} characters long; a card may have {MAX_FILE_CHARS:,}.",
            "Move long material to linked documents; a card summarises.",
        )
    is_yaml = path.endswith((".yml", ".yaml"))
    if is_yaml:
        source, body, first_line = text, "", 1
    else:
        split = split_front_matter(text)
        if split is None:
            return _unusable(
                path,
                "has no YAML front matter, so it is not a card.",
                "Start the file with a `---` line, the card's keys (`id`, `name`, "
                "`level`), and another `---` line.",
                line=1,
            )
        source, body, first_line = split
    try:
        data = load_yaml(source)
    except yaml.YAMLError as error:
        message, fix, line = yaml_error(error, source)
        return _unusable(path, message, fix, line=None if line is None else first_line + line)
    found: list[tuple[str, str, str, bool]] = []

    def report(key: str, message: str, fix: str, *, kept: bool = False) -> None:
        found.append((key, message, fix, kept))

    values = CARD_RECORD.check_keys(data, "", report) if data is not None else None
    if data is None:
        report("(card)", "is empty.", "Add the card's keys: `id`, `name` and `level`.")
    values = values or {}
    if "body" in values and not is_yaml:
        report(
            "body",
            "only applies to pure YAML cards.",
            "Put the sections in the Markdown after the front matter instead.",
        )
        del values["body"]
    body = values.get("body", "") if is_yaml else body
    limit = body_limit(body)
    problems = _graded(found, source, first_line, path)
    if limit is not None:
        body_line = (
            first_line + located.line
            if is_yaml and (located := locate_keys(source).get("body"))
            else first_line + source.count("\n") + 1
        )
        problems.append(
            Problem(
                path,
                f"The card's text {limit.message} It is shown as plain text.",
                limit.fix,
                line=body_line + limit.line,
                key="body",
                severity=Severity.WARNING,
            )
        )
    card_id = values.get("id")
    if any(name not in values for name in IDENTITY):
        return ParsedCard(None, tuple(problems), card_id)
    return ParsedCard(_build(values, path, body), tuple(problems), card_id)


MLTRL_SECTIONS = (
    ("TL;DR", "One line: what the component is and does."),
    ("Top-level requirements", "1. The component shall ..."),
    ("Model / algorithm info", "What it is, how it works, what it was trained or built on."),
    ("Intended use", "What it is for. Unacceptable uses: ..."),
    ("Testing status", "What is tested, how, and with what results."),
    ("Data considerations", "Datasets, their versions, known data issues."),
    ("Caveats, known edge cases, recommendations", "..."),
    ("Stage debrief", "Filled in at each gated review; see `reviews`."),
)
"""The sections of the official card (Lavin et al. 2022, the `mltrl_card.md` template)."""


def card_text(card: Card, hints: Sequence[str] = ()) -> str:
    """The card as a TRL.md file: front matter in YAML that reads back as this card, then its
    body (the format's writer: every value is quoted as JSON, which YAML reads as written).
    `hints` are comment lines put at the end of the front matter."""

    def value(data: object) -> str:
        return json.dumps(data, ensure_ascii=False)

    lines = ["---", f"id: {value(card.id)}", f"name: {value(card.name)}", f"level: {card.level}"]
    for key in ("owners", "reviewers", "tags", "coupled", "parts", "aliases"):
        if getattr(card, key):
            lines.append(f"{key}: {value(list(getattr(card, key)))}")
    if card.links:
        lines.append(f"links: {value(dict(card.links))}")
    if card.ethics is not None:
        ethics = {"status": card.ethics.status, "link": card.ethics.link}
        lines.append(f"ethics: {value({k: v for k, v in ethics.items() if v})}")
    if card.requirements:
        lines.append("requirements:")
        for r in card.requirements:
            item: dict[str, object] = {"id": r.id, "text": r.text}
            if r.risk is not None:
                item["risk"] = {"p_failure": r.risk.p_failure, "value": r.risk.value}
            lines.append(f"  - {value(item)}")
    if card.reviews:
        lines.append("reviews:")
        for review in card.reviews:
            record: dict[str, object] = {
                "date": review.date.isoformat(),
                "from": review.from_level,
                "to": review.to_level,
                "decision": review.decision,
            }
            if review.reviewers:
                record["reviewers"] = list(review.reviewers)
            if review.kind:
                record["kind"] = review.kind
            answers = {k: getattr(review.debrief, k) for k in DEBRIEF_QUESTIONS}
            if any(answers.values()):
                record["debrief"] = {k: v for k, v in answers.items() if v}
            if review.link:
                record["link"] = review.link
            lines.append(f"  - {value(record)}")
    lines += [f"# {hint}" for hint in hints]
    lines.append("---")
    return "\n".join(lines) + "\n" + (card.body.strip("\n") + "\n" if card.body else "")


TEMPLATE_HINTS = (
    "The official card's summary, to fill in (see docs/card-format.md):",
    "owners: [Your team]",
    "reviewers: [Who reviews its gates]",
    "tags: [vision]",
    "links: {project: https://..., requirements: https://..., code: https://...}",
    "coupled: [ids of related cards]",
    "parts: [ids of the components of this system]",
    "requirements: [{id: REQ-1, text: The component shall ..., risk: {p_failure: 0.1, value: 5}}]",
    "reviews: [{date: YYYY-MM-DD, from: 3, to: 4, decision: advance, reviewers: [...]}]",
)
"""The summary keys of the official card, shown as comments in a new card."""


def template_body() -> str:
    """The body of a new card: the official card's sections, in order, to be filled in."""
    return "\n".join(f"## {title}\n{hint}\n" for title, hint in MLTRL_SECTIONS)


def quick_fields(text: str, path: str) -> tuple[str, int] | None:
    """A revision's `id` and `level` read without a parse, or None when only a parse can tell.

    Only ever used to skip a parse whose outcome is already known: see
    `yamldoc.quick_id_and_level` for when it answers.
    """
    if path.endswith((".yml", ".yaml")):
        return quick_id_and_level(text)
    split = split_front_matter(text)
    return None if split is None else quick_id_and_level(split[0])


def _unusable(path: str, message: str, fix: str, line: int | None = None) -> ParsedCard:
    return ParsedCard(None, (Problem(path, message, fix, line=line),))


def _graded(
    found: list[tuple[str, str, str, bool]], source: str, first_line: int, path: str
) -> list[Problem]:
    """Problems with their line, the value as written, and what each one leaves out."""
    located: dict[str, Located] = locate_keys(source) if found else {}
    problems = []
    for key, message, fix, kept in found:
        spot = _locate(key, located)
        severity = Severity.WARNING  # a value kept (cleaned, cut, ignored) or one left out
        if not kept:
            lost = dropped_by(key)
            if lost == "the card":
                message += " The card is left out until this is fixed."
                severity = Severity.ERROR
            else:
                message += f" So {lost} is left out."
        problems.append(
            Problem(
                path,
                f"`{key}` {fill_raw(message, located.get(key))}",
                fill_raw(fix, located.get(key)),
                line=None if spot is None else first_line + spot,
                key=key,
                severity=severity,
            )
        )
    return sorted(problems, key=lambda p: p.line or 0)


def _locate(key: str, located: dict[str, Located]) -> int | None:
    """The line of a key, or of its nearest parent that is there (a missing key's record)."""
    while key not in located:
        parent = key.rsplit(".", 1)[0] if "." in key.rsplit("]", 1)[-1] else key.rsplit("[", 1)[0]
        if parent == key:
            return located[""].line if "" in located else None
        key = parent
    return located[key].line


def locate_problems(problems: list[Problem], text: str, path: str) -> list[Problem]:
    """Give problems found outside the parser (duplicate ids, unknown coupled ids) their lines."""
    if path.endswith((".yml", ".yaml")):
        source, first_line = text, 1
    else:
        split = split_front_matter(text)
        if split is None:
            return problems
        source, first_line = split[0], split[2]
    located = locate_keys(source)
    out = []
    for p in problems:
        spot = _locate(p.key or "", located)
        line = None if spot is None else first_line + spot
        out.append(Problem(p.path, p.message, p.fix, line, p.key, p.severity))
    return out


def _build(values: dict[str, Any], path: str, body: str) -> Card:
    ethics = values.get("ethics")
    return Card(
        id=values["id"],
        name=values["name"],
        level=values["level"],
        path=path,
        owners=tuple(values.get("owners", ())),
        reviewers=tuple(values.get("reviewers", ())),
        tags=tuple(dict.fromkeys(values.get("tags", ()))),
        links=tuple(values.get("links", {}).items()),
        ethics=Ethics(ethics["status"], ethics.get("link")) if ethics else None,
        coupled=tuple(dict.fromkeys(values.get("coupled", ()))),
        parts=tuple(dict.fromkeys(values.get("parts", ()))),
        aliases=tuple(dict.fromkeys(values.get("aliases", ()))),
        requirements=tuple(
            Requirement(
                r["id"],
                r["text"],
                Risk(r["risk"]["p_failure"], r["risk"]["value"]) if "risk" in r else None,
            )
            for r in values.get("requirements", ())
        ),
        reviews=tuple(
            sorted(
                (
                    Review(
                        r["date"],
                        r["from"],
                        r["to"],
                        r["decision"],
                        tuple(r.get("reviewers", ())),
                        r.get("kind"),
                        Debrief(
                            **{
                                k: v
                                for k, v in r.get("debrief", {}).items()
                                if k in DEBRIEF_QUESTIONS
                            }
                        ),
                        r.get("link"),
                    )
                    for r in values.get("reviews", ())
                ),
                key=lambda r: r.date,
            )
        ),
        body=body.strip("\n"),
    )
