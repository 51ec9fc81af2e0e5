"""The TRL card as values: the card, its reviews with their debriefs, its requirements with
their risks, and what parsing one file gives (`ParsedCard`). Every card format gives these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .fields import DEBRIEF_QUESTIONS, EXEMPTION
from .problem import Problem

__all__ = [
    "Card",
    "Debrief",
    "Ethics",
    "ParsedCard",
    "Requirement",
    "Review",
    "Risk",
    "Target",
]


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
    commit: str | None = None
    """For an approval read from another file of the repository (a format's `approvals`), the
    commit that first recorded it; `record` is that file. None for a card's own record."""
    record: str | None = None
    reason: str | None = None
    """For an exemption (`kind: exemption`): why the gate is passed without a review."""
    approver: str | None = None
    """For an exemption: who granted it."""
    expires: dt.date | None = None
    """For an exemption: the day it ends."""

    @property
    def exemption(self) -> bool:
        """Whether the record passes its gate by exemption rather than by a review."""
        return self.kind == EXEMPTION


@dataclass(frozen=True)
class Ethics:
    """Status of the ethics checklist, a deliverable of every level."""

    status: str
    link: str | None = None


@dataclass(frozen=True)
class Target:
    """The level the team means the component to reach, and the day it is to be reached by."""

    level: int
    date: dt.date
    reason: str | None = None


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
    target: Target | None = None
    """The level the team means to reach by a day (`target:`); None when it names none."""
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
    reviews_due: bool = True
    """Whether the card can be due for a review (a format of its own may have no reviews to be
    due: `reviews_due: false` of its mapping)."""
    stale_days: int | None = None
    """The days after which the card is stale, when its format sets them (`stale_days` of its
    mapping); None: the site's."""
    stage: str | None = None
    """The stage of the file's own scale its level comes from, as the format writes it
    (`beta`), for a mapped format with a `scale`: the site shows it beside the level."""
    scale: tuple[tuple[str, int], ...] = ()
    """The stages of the file's own scale with their levels, lowest first (`stages` are
    their levels), for a mapped format with a `scale`: the next gate names the next stage."""
    closed: str | None = None
    """The status that closes the component rather than rates it (`withdrawn`, `declined`), when
    its format declares such statuses and the file says one. A closed card keeps its page and
    its history but counts in no readiness figure; its `level` is the last it was rated at
    (`pipeline` sets it from the history; the parser gives the scale's lowest stage)."""

    @property
    def next_stage(self) -> tuple[str, int] | None:
        """The next stage of the file's own scale above its level, with its level; None for
        a TRL card and at the last stage."""
        return next(((s, level) for s, level in self.scale if level > self.level), None)


@dataclass(frozen=True)
class ParsedCard:
    """What parsing one file gives: the card when it is usable, and every problem found."""

    card: Card | None
    problems: tuple[Problem, ...] = ()
    id: str | None = None  # the id when it could be read, even from an unusable card
