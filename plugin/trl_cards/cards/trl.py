"""The TRL card format: a Markdown file with YAML front matter (`TRL.md`), or a YAML file
(`TRL.yml`). `parse_card` turns the text of one file into a card and its problems, never
raising; `card_text` writes a card back; `quick_fields` reads a revision's id and level without
a parse, for history.

The format itself (keys, kinds, JSON Schema) is declared in `fields`; the YAML is read within
limits by `yamldoc`; the body's limits are `body`'s; every problem is graded by what it costs
(`grading`, `fields.dropped_by`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from .body import body_limit
from .card import Card, Debrief, Ethics, ParsedCard, Requirement, Review, Risk, Target
from .fields import CARD_RECORD, DEBRIEF_QUESTIONS, IDENTITY, dropped_by
from .grading import Found, locate, unreadable, unusable
from .problem import Problem, Severity
from .yamldoc import load_yaml, locate_keys, quick_id_and_level, split_front_matter, yaml_error

__all__ = [
    "MAX_FILE_CHARS",
    "MLTRL_SECTIONS",
    "TEMPLATE_HINTS",
    "card_text",
    "locate_problems",
    "parse_card",
    "quick_fields",
    "template_body",
]

MAX_FILE_CHARS = 1 << 20
"""The longest card file read (a long card is 30,000 characters)."""


def parse_card(text: str, path: str) -> ParsedCard:
    """Parse and validate one card file. Never raises: any failure is a problem of the file."""
    try:
        return _parse(text, path)
    except Exception as error:  # one file must never cost the site
        return unreadable(path, error)


def _parse(text: str, path: str) -> ParsedCard:
    if len(text) > MAX_FILE_CHARS:
        return unusable(
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
            return unusable(
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
        return unusable(path, message, fix, line=None if line is None else first_line + line)
    found = Found()
    report = found.reporter(dropped_by)

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
    problems = list(found.problems(source, first_line, path))
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


def card_text(card: Card, hints: Sequence[str] = (), *, yaml: bool = False) -> str:
    """The card as a TRL.md file: front matter in YAML that reads back as this card, then its
    body; or, with `yaml`, as a TRL.yml file, its body under `body:` (the format's writer:
    every value is quoted as JSON, which YAML reads as written). `hints` are comment lines
    put at the end of the keys."""

    value = _flow

    lines = [f"id: {value(card.id)}", f"name: {value(card.name)}", f"level: {card.level}"]
    for key in ("owners", "reviewers", "tags", "coupled", "parts", "aliases"):
        if getattr(card, key):
            lines.append(f"{key}: {value(list(getattr(card, key)))}")
    if card.links:
        lines.append(f"links: {value(dict(card.links))}")
    if card.ethics is not None:
        ethics = {"status": card.ethics.status, "link": card.ethics.link}
        lines.append(f"ethics: {value({k: v for k, v in ethics.items() if v})}")
    if card.target is not None:
        goal: dict[str, object] = {"level": card.target.level, "date": card.target.date.isoformat()}
        if card.target.reason:
            goal["reason"] = card.target.reason
        lines.append(f"target: {value(goal)}")
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
    if yaml:
        body = card.body.strip("\n")
        return "\n".join(lines + ([f"body: {value(body)}"] if body else [])) + "\n"
    front = "\n".join(["---", *lines, "---"])
    return front + "\n" + (card.body.strip("\n") + "\n" if card.body else "")


def _flow(data: object) -> str:
    """A value as YAML that reads back as it: JSON, but for a float in exponent form, which
    YAML 1.1 reads as text unless its mantissa has a dot (`1e-05` is text, `1.0e-05` a
    number)."""
    if isinstance(data, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in data.items()) + "}"
    if isinstance(data, list):
        return "[" + ", ".join(_flow(item) for item in data) + "]"
    if isinstance(data, float):
        mantissa, _, exponent = repr(data).partition("e")
        if not exponent:
            return mantissa
        sign = "" if exponent[0] in "+-" else "+"
        return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{sign}{exponent}"
    return json.dumps(data, ensure_ascii=False)


TEMPLATE_HINTS = (
    "The official card's summary, to fill in (see docs/card-format.md):",
    "owners: [Your team]",
    "reviewers: [Who reviews its gates]",
    "tags: [vision]",
    "links: {project: https://..., requirements: https://..., code: https://...}",
    "target: {level: 6, date: YYYY-MM-DD, reason: Why this level by this day}",
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


def locate_problems(problems: Sequence[Problem], text: str, path: str) -> list[Problem]:
    """Give problems found outside the parser (duplicate ids, unknown coupled ids) their lines."""
    if path.endswith((".yml", ".yaml")):
        return locate(problems, text, 1)
    split = split_front_matter(text)
    if split is None:
        return list(problems)
    return locate(problems, split[0], split[2])


def _build(values: dict[str, Any], path: str, body: str) -> Card:
    ethics = values.get("ethics")
    target = values.get("target")
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
        target=Target(target["level"], target["date"], target.get("reason")) if target else None,
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
                        reason=r.get("reason"),
                        approver=r.get("approver"),
                        expires=r.get("expires"),
                    )
                    for r in values.get("reviews", ())
                ),
                key=lambda r: r.date,
            )
        ),
        body=body.strip("\n"),
    )
