"""Gates an organisation can steer by: which level changes must carry a record of their gate
(`GateRules`, the `gates` option), and what the site finds when it checks each record against
the history (`Finding`): a required gate passed without a record or with too few reviewers, an
exemption that expired, and the records that cannot be taken at their word (a reviewer who
made the change, a reviewer the card does not name, a record dated after the change or long
before it). Pure functions: the history and the mailmap come in as values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..cards.card import Card, Review
from ..cards.problem import Problem, Severity
from ..history.mailmap import Aliases, identity_tokens, person_token
from .transitions import CardHistory, Transition

__all__ = [
    "EARLY",
    "EXPIRED",
    "FEW",
    "LATE",
    "MISSING",
    "SELF",
    "UNLISTED",
    "Finding",
    "GateRules",
    "check_gates",
    "gate_problems",
]

MISSING = "missing record"
FEW = "too few reviewers"
EXPIRED = "exemption expired"
SELF = "self-approval"
UNLISTED = "unlisted reviewer"
LATE = "recorded after the change"
EARLY = "recorded long before the change"
INTEGRITY = (SELF, UNLISTED, LATE, EARLY)
"""The findings about a record's trustworthiness (the review integrity view lists them)."""
FINDING_KINDS = (MISSING, FEW, EXPIRED, *INTEGRITY)


@dataclass(frozen=True)
class GateRules:
    """The `gates` option: what the organisation requires of a gate, and how strictly it
    judges the records."""

    required_from: int | None = None
    """Every change up through the gate of this level or a higher one must carry a record of
    its gate: a review, an approval or an unexpired exemption. None: no gate is required."""
    min_reviewers: Mapping[int, int] = field(default_factory=dict)
    """The gate of a level (the level left: `from`) -> how many reviewers its record needs; a
    change that passes several gates needs the most any of them asks."""
    since: dt.date | None = None
    """Changes that landed before this day are not held to `required_from`/`min_reviewers`
    (the history from before the rule); None: every change is."""
    reviewers: tuple[str, ...] = ()
    """The organisation's declared reviewers: a record's reviewer who is neither on the card's
    `reviewers` nor here is a finding (when either list names someone)."""
    review_window_days: int = 90
    """A record dated more days than this before the change it approves is a finding."""
    integrity_problems: bool = False
    """Whether the review integrity findings are problems (errors) too, so that `validate`,
    the pre-commit hook and `--strict` fail on them; by default they are shown only."""

    @property
    def any_required(self) -> bool:
        """Whether any gate is required."""
        return self.required_from is not None or bool(self.min_reviewers)


@dataclass(frozen=True)
class Finding:
    """One thing the site found about one gate of one card."""

    card_id: str
    kind: str
    """One of `FINDING_KINDS`."""
    message: str
    """What is found, as a sentence that starts with the change (`4 → 6 on 2026-03-02`)."""
    fix: str
    transition: Transition | None = None
    """The change the gate belongs to; None for a change not committed yet (the work tree's
    card raises the level above the last commit's)."""
    problem: bool = False
    """Whether it is a problem of the card file too (a required gate, or integrity findings
    under `integrity_problems`): `validate`, the pre-commit hook and `--strict` fail on it."""

    @property
    def integrity(self) -> bool:
        """Whether it is about a record's trustworthiness rather than a required gate."""
        return self.kind in INTEGRITY


def _change(start: int, end: int, day: dt.date | None) -> str:
    when = f" on {day.isoformat()}" if day else " (not committed yet)"
    return f"The change {start} → {end}{when}"


def _needed(rules: GateRules, start: int, end: int) -> int:
    return max((rules.min_reviewers.get(level, 0) for level in range(start, end)), default=0)


def _required(rules: GateRules, start: int, end: int, day: dt.date | None) -> bool:
    if end <= start or (rules.since is not None and day is not None and day < rules.since):
        return False
    above = rules.required_from is not None and end > rules.required_from
    return above or _needed(rules, start, end) > 0


def _review_fix(start: int, end: int, day: dt.date) -> str:
    return (
        f"Add the review to the card's `reviews`, with `from: {start}`, "
        f"`to: {end}`, `decision: advance`, the `reviewers` and the day of the review "
        f"(`date: {day.isoformat()}`); or, if the organisation let it pass without a review, "
        "an exemption: `kind: exemption` with its `reason`, `approver` and `expires`."
    )


def _gate_findings(
    card: Card,
    start: int,
    end: int,
    day: dt.date | None,
    review: Review | None,
    rules: GateRules,
    today: dt.date,
    transition: Transition | None,
) -> list[Finding]:
    """The required-gate findings of one change up (`day` None: not committed yet)."""
    out: list[Finding] = []
    change = _change(start, end, day)
    required = _required(rules, start, end, day)
    rule = (
        f"the gates of level {rules.required_from} and up require one "
        f"(`gates.required_from: {rules.required_from}` in mkdocs.yml)"
        if rules.required_from is not None and end > rules.required_from
        else f"the gate of level {start} requires {_needed(rules, start, end)} reviewer(s) "
        "(`gates.min_reviewers` in mkdocs.yml)"
    )
    if review is None:
        if required:
            out.append(
                Finding(
                    card.id,
                    MISSING,
                    f"{change} has no review record, and {rule}.",
                    _review_fix(start, end, day or today),
                    transition,
                    problem=True,
                )
            )
        return out
    if review.exemption:
        if review.expires is not None and review.expires < today:
            out.append(
                Finding(
                    card.id,
                    EXPIRED,
                    f"{change} passed by an exemption ({review.reason}, granted by "
                    f"{review.approver}) that expired on {review.expires.isoformat()}.",
                    "Record the review the exemption stood in for (a record with `from: "
                    f"{start}, to: {end}`), or have the exemption renewed with a later "
                    "`expires`.",
                    transition,
                    problem=required,
                )
            )
        return out
    needed = _needed(rules, start, end)
    if required and len(review.reviewers) < needed:
        out.append(
            Finding(
                card.id,
                FEW,
                f"{change} was reviewed by {len(review.reviewers)} reviewer(s), and the gate "
                f"of level {start} requires {needed} (`gates.min_reviewers` in mkdocs.yml).",
                f"Name every reviewer of that gate in the record's `reviewers` ({needed} or more).",
                transition,
                problem=True,
            )
        )
    return out


def _integrity_findings(
    card: Card,
    transition: Transition,
    review: Review,
    rules: GateRules,
    aliases: Aliases,
) -> list[Finding]:
    """What a record of a committed change up cannot be taken at its word for."""
    out: list[Finding] = []
    start, end = transition.from_level, transition.to_level
    assert start is not None  # a change up has a level it left
    day = transition.date.date()
    change = _change(start, end, day)
    author = transition.revision.revision.authored
    made_by = identity_tokens(author.author, author.email, aliases)
    people = (review.approver,) if review.exemption and review.approver else review.reviewers
    themselves = [p for p in people if person_token(p) in made_by]
    if themselves:
        out.append(
            Finding(
                card.id,
                SELF,
                f"{change} was made by {author.author}, and its record names "
                f"{', '.join(themselves)} as {'approver' if review.exemption else 'reviewer'}: "
                "the same person (by name, address or the repository's `.mailmap`).",
                "Have someone who did not make the change review the gate, and record them.",
                transition,
            )
        )
    declared = {person_token(p) for p in (*card.reviewers, *rules.reviewers)}
    if declared and not review.exemption and review.commit is None:
        whose = " or the organisation's" if rules.reviewers else ""
        unlisted = [p for p in review.reviewers if person_token(p) not in declared]
        if unlisted:
            out.append(
                Finding(
                    card.id,
                    UNLISTED,
                    f"{change} was reviewed by {', '.join(unlisted)}, who "
                    f"{'is' if len(unlisted) == 1 else 'are'} not among the card's reviewers"
                    f"{whose}.",
                    "Add them to the card's `reviewers` (or `gates.reviewers` in mkdocs.yml), "
                    "or correct the record.",
                    transition,
                )
            )
    if review.commit is None and review.date > day:
        days = (review.date - day).days
        out.append(
            Finding(
                card.id,
                LATE,
                f"{change} landed {days} day(s) before the review that approves it "
                f"({review.date.isoformat()}).",
                "Raise the level in the commit after the review, or correct the record's `date`.",
                transition,
            )
        )
    elif review.commit is None and (day - review.date).days > rules.review_window_days:
        days = (day - review.date).days
        out.append(
            Finding(
                card.id,
                EARLY,
                f"{change} landed {days} days after the review that approves it "
                f"({review.date.isoformat()}), more than {rules.review_window_days}.",
                "Review the gate again before the change, or widen "
                "`gates.review_window_days` in mkdocs.yml.",
                transition,
            )
        )
    if rules.integrity_problems:
        out = [Finding(f.card_id, f.kind, f.message, f.fix, f.transition, True) for f in out]
    return out


def _pending(card: Card, history: CardHistory) -> tuple[int, Review | None] | None:
    """The level the card had in its last commit, when the work tree's card raises it, and
    the record of that change the card holds (None if none)."""
    last = history.revisions[-1] if history.revisions else None
    if last is None or last.deleted or card.stages or card.closed is not None:
        return None
    if last.quick is not None and last.quick[1] >= card.level:
        return None  # its level line, read without a parse, already says so
    before = last.card
    if before is None or before.level >= card.level:
        return None
    claimed = {t.review for t in history.transitions if t.review is not None}
    review = next(
        (
            r
            for r in reversed(card.reviews)
            if (r.from_level, r.to_level) == (before.level, card.level) and r not in claimed
        ),
        None,
    )
    return before.level, review


def check_gates(
    cards: Iterable[Card],
    histories: Mapping[str, CardHistory],
    rules: GateRules,
    today: dt.date,
    aliases: Aliases,
) -> tuple[Finding, ...]:
    """Every finding about the gates of `cards`, card by card in id order, each card's in the
    order of its changes. `today` is the day exemptions expire against."""
    out: list[Finding] = []
    for card in sorted(cards, key=lambda c: c.id):
        history = histories.get(card.id)
        if history is None or card.closed is not None:
            continue
        for t in history.transitions:
            if t.from_level is None or t.to_level <= t.from_level or t.staged:
                continue
            day = t.date.date()
            out += _gate_findings(card, t.from_level, t.to_level, day, t.review, rules, today, t)
            if t.review is not None:
                out += _integrity_findings(card, t, t.review, rules, aliases)
        pending = _pending(card, history) if rules.any_required else None
        if pending is not None:
            start, review = pending
            out += _gate_findings(card, start, card.level, None, review, rules, today, None)
    return tuple(out)


_LEVEL_LINE = re.compile(r"^level\s*:", re.MULTILINE)


def _level_line(text: str | None) -> int | None:
    """The line of the card's `level` key, where a plain reading finds it."""
    match = _LEVEL_LINE.search(text or "")
    return text.count("\n", 0, match.start()) + 1 if text and match else None


def gate_problems(
    findings: Iterable[Finding], cards: Iterable[Card], texts: Mapping[str, str]
) -> tuple[Problem, ...]:
    """The findings that are problems of their card files, as errors at the `level` line:
    they fail `validate`, the pre-commit hook and `--strict`; the card stays on every page."""
    paths = {c.id: c.path for c in cards}
    return tuple(
        Problem(
            paths[f.card_id],
            f.message,
            f.fix,
            _level_line(texts.get(paths[f.card_id])),
            "level",
            Severity.ERROR,
        )
        for f in findings
        if f.problem and f.card_id in paths
    )


def exempted(
    cards: Iterable[Card], histories: Mapping[str, CardHistory]
) -> tuple[tuple[Card, Transition], ...]:
    """Every gate passed by exemption, with its card: the newest first."""
    out = [
        (card, t)
        for card in cards
        if card.closed is None and card.id in histories
        for t in histories[card.id].transitions
        if t.review is not None and t.review.exemption
    ]
    return tuple(sorted(out, key=lambda pair: pair[1].date, reverse=True))
