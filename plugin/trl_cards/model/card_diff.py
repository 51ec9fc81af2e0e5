"""What changed in one card between two of its versions (`card_diff`: each field's value
before and after, and the lines of its text removed and added), and which versions a reviewer
compares (`card_steps`): the card now against its version at its last gate, and, before that,
the versions it had when it left each level, one against the next. Pure functions of a card
and its history; nothing here reads git or makes pages."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise

from ..cards.card import Card, Requirement, Review
from ..cards.levels import level
from .transitions import CardHistory, CardRevision

CONTEXT_LINES = 2
"""Unchanged lines of a card's text shown around each change."""

MAX_LINES = 20_000
"""The most lines of text (both versions together) compared line by line: about half a
second at worst. A longer text (a card file may hold a million characters) is only said to
have changed."""


@dataclass(frozen=True)
class Item:
    """One entry of a field's value (an owner, a review); `changed` when the other version's
    value lacks it: removed from the version before, added in the version after."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class FieldChange:
    """A field whose value differs between two versions; an empty side had no value."""

    key: str
    """The card file's key (`owners`)."""
    before: tuple[Item, ...]
    after: tuple[Item, ...]


class LineKind(str, Enum):
    """What became of a line of the card's text."""

    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Line:
    """A line of the card's text in a diff."""

    kind: LineKind
    text: str


@dataclass(frozen=True)
class Hunk:
    """Changed lines of the text with the unchanged ones around them (`CONTEXT_LINES`)."""

    before: int
    """The number of its first line in the version before (from 1)."""
    after: int
    """The number of its first line in the version after."""
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class CardDiff:
    """Every change between two versions of a card: its fields (in `FIELDS` order) and its
    text."""

    fields: tuple[FieldChange, ...] = ()
    hunks: tuple[Hunk, ...] = ()
    too_long: bool = False
    """The texts differ, but are too long to compare line by line (`MAX_LINES`)."""

    @property
    def empty(self) -> bool:
        """Whether the two versions are alike in every field compared and in their text."""
        return not self.fields and not self.hunks and not self.too_long


def _requirement(requirement: Requirement) -> str:
    risk = requirement.risk
    shown = f" (risk {risk.p_failure:g} \u00d7 {risk.value:g})" if risk else ""
    return f"{requirement.id}: {requirement.text}{shown}"


def _review(review: Review) -> str:
    parts = [
        f"{review.date.isoformat()}, gate {review.from_level} \u2192 {review.to_level}: "
        + review.decision
        + (f" ({review.kind})" if review.kind else "")
    ]
    if review.reviewers:
        parts.append("reviewers " + ", ".join(review.reviewers))
    parts += [f"{question} {answer}" for question, answer in review.debrief.answers()]
    if review.link:
        parts.append(review.link)
    return "; ".join(parts)


_VALUES: tuple[tuple[str, Callable[[Card], tuple[str, ...]]], ...] = (
    ("name", lambda c: (c.name,)),
    ("level", lambda c: (f"{c.level} {level(c.level).name}",)),
    ("owners", lambda c: c.owners),
    ("reviewers", lambda c: c.reviewers),
    ("tags", lambda c: c.tags),
    ("links", lambda c: tuple(f"{name}: {url}" for name, url in c.links)),
    (
        "ethics",
        lambda c: (
            ()
            if c.ethics is None
            else (c.ethics.status + (f" ({c.ethics.link})" if c.ethics.link else ""),)
        ),
    ),
    (
        "target",
        lambda c: (
            ()
            if c.target is None
            else (
                f"level {c.target.level} by {c.target.date.isoformat()}"
                + (f" ({c.target.reason})" if c.target.reason else ""),
            )
        ),
    ),
    ("coupled", lambda c: c.coupled),
    ("parts", lambda c: c.parts),
    ("requirements", lambda c: tuple(map(_requirement, c.requirements))),
    ("reviews", lambda c: tuple(map(_review, c.reviews))),
)

FIELDS: tuple[str, ...] = tuple(key for key, _ in _VALUES)
"""The fields a diff compares, in the order it lists them (the body is compared apart)."""


def card_diff(before: Card, after: Card) -> CardDiff:
    """What changed from one version of a card to another: each field whose value differs,
    and the text's changed lines with `CONTEXT_LINES` around them."""
    fields = []
    for key, values in _VALUES:
        old, new = values(before), values(after)
        if old != new:
            fields.append(
                FieldChange(
                    key,
                    tuple(Item(text, text not in new) for text in old),
                    tuple(Item(text, text not in old) for text in new),
                )
            )
    text, now = before.body.splitlines(), after.body.splitlines()
    if len(text) + len(now) > MAX_LINES:
        return CardDiff(tuple(fields), too_long=text != now)
    return CardDiff(tuple(fields), _hunks(text, now))


def _hunks(old: list[str], new: list[str]) -> tuple[Hunk, ...]:
    # `autojunk` (difflib's default): in a text of 200 lines or more, a line that makes up
    # more than 1% of it (a blank line) anchors no match. Without it, a long text of
    # paragraphs rewritten takes time cubic in its length (21 s for 1,000 lines).
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=True)
    hunks = []
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        lines: list[Line] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line(LineKind.SAME, text) for text in old[i1:i2]]
            else:  # replace, delete, insert: what went, then what came
                lines += [Line(LineKind.REMOVED, text) for text in old[i1:i2]]
                lines += [Line(LineKind.ADDED, text) for text in new[j1:j2]]
        hunks.append(Hunk(group[0][1] + 1, group[0][3] + 1, tuple(lines)))
    return tuple(hunks)


class Moment(str, Enum):
    """Which version of a card a `Version` is."""

    ENTERED = "entered"
    """The version that brought the card into the history, at its first level."""
    REACHED = "reached"
    """The version that changed its level to the one it has now."""
    REVIEWED = "reviewed"
    """The version that added its newest review record, after its last level change."""
    LEFT = "left"
    """The last version at a level, before the card left it."""
    NOW = "now"
    """The card as it is now."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Version:
    """A version of a card that its page of changes compares."""

    card: Card
    moment: Moment
    revision: CardRevision | None = None
    """Where it is in the history; None for the card now."""
    review: Review | None = None
    """For `REVIEWED`, the review record it added."""

    @property
    def label(self) -> str:
        """The version in a few words: `leaving level 4`, `the review of 2024-07-01`, `now`."""
        if self.moment is Moment.REVIEWED and self.review is not None:
            return f"the review of {self.review.date.isoformat()}"
        return {
            Moment.ENTERED: f"entering at level {self.card.level}",
            Moment.REACHED: f"reaching level {self.card.level}",
            Moment.LEFT: f"leaving level {self.card.level}",
        }.get(self.moment, "now")

    @property
    def date(self) -> dt.datetime | None:
        """When it landed; None for the card now."""
        return self.revision.landed.committed if self.revision else None


@dataclass(frozen=True)
class Step:
    """Two consecutive versions of a card, and what changed from one to the other."""

    before: Version
    after: Version
    diff: CardDiff


def last_gate(card: Card, history: CardHistory) -> Version | None:
    """The card's version at its last gate: the one that made its last level change (its
    entry, if it never changed level), or the one that added its newest review record (the
    newest by date, of those `card` holds now) when that came later. None without history.

    Most reviews are recorded in the same commit as the level change, so this usually reads
    no revision but that one; otherwise it reads those after it until one holds the record.
    """
    if not history.transitions:
        return None
    last = history.transitions[-1]
    assert last.revision.card is not None  # a transition's revision is a valid card
    gate = Version(
        last.revision.card,
        Moment.ENTERED if last.from_level is None else Moment.REACHED,
        last.revision,
    )
    if not card.reviews:
        return gate
    newest = max(enumerate(card.reviews), key=lambda pair: (pair[1].date, pair[0]))[1]
    start = next(i for i, r in enumerate(history.revisions) if r is last.revision)
    for revision in history.revisions[start:]:
        held = revision.card if not revision.revision.unavailable else None
        if held is not None and any(_same_review(r, newest) for r in held.reviews):
            if revision is last.revision:
                return gate
            return Version(held, Moment.REVIEWED, revision, newest)
    return gate


def _same_review(one: Review, other: Review) -> bool:
    """The same record, perhaps edited since: the same gate on the same day (as its anchor)."""
    return (one.date, one.from_level, one.to_level) == (
        other.date,
        other.from_level,
        other.to_level,
    )


def card_steps(card: Card, history: CardHistory) -> tuple[Step, ...]:
    """What changed in the card, newest first: from its last gate (`last_gate`) to now, then
    from the version that left its previous level to that gate, and back through the versions
    it had when it left each level, one against the next (in the order it left them: a
    switchback can leave a lower level after a higher one). Empty without history."""
    gate = last_gate(card, history)
    if gate is None:
        return ()
    order = {id(r): i for i, r in enumerate(history.revisions)}
    left = sorted(history.card_at_level.values(), key=lambda r: order[id(r)])
    versions = [Version(r.card, Moment.LEFT, r) for r in left if r.card is not None]
    versions += [gate, Version(card, Moment.NOW)]
    return tuple(
        Step(before, after, card_diff(before.card, after.card))
        for before, after in reversed(list(pairwise(versions)))
    )
