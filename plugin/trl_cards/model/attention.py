"""What a lead asks of the dashboard first: how ready the organisation is (the share of its
components in each phase, and how that moved since the last quarter end), what needs someone
to act (each flag of `analytics.ATTENTION`, as a number of cards), and who must act (the same
per owner, repository and tag); and what a reviewer asks of a card first (`card_status`).
Computed before any page is rendered, from the analytics."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..cards.card import Card, Requirement, Review
from ..cards.levels import PHASES, Phase, level
from .analytics import ATTENTION, Analytics, ReviewDue, System
from .milestones import QUARTER
from .targets import AT_RISK, LATE, TargetPlan
from .transitions import CardHistory, Transition

__all__ = [
    "CardStatus",
    "Headline",
    "PhaseShare",
    "Rollup",
    "card_status",
    "headline",
    "held_down",
    "level_at",
    "rollups",
]


@dataclass(frozen=True)
class PhaseShare:
    """The components of one phase: how many, their share, and how many were in it at the
    last quarter end (None before the first quarter end)."""

    phase: Phase
    count: int
    share: float
    before: int | None = None

    @property
    def change(self) -> int | None:
        """Components gained (or lost) in this phase since the last quarter end."""
        return None if self.before is None else self.count - self.before


@dataclass(frozen=True)
class Headline:
    """The dashboard's first screen: components per phase, and what needs attention."""

    total: int
    phases: tuple[PhaseShare, ...]
    since: str | None
    """The quarter whose end the changes are counted from (`2026-Q3`), if there was one."""
    attention: dict[str, int]
    """Each flag of `ATTENTION` -> how many components have it."""
    left_out: int = 0
    """Card files that could not be used at all: they have no page, only problems."""


def headline(
    cards: Sequence[Card],
    histories: Mapping[str, CardHistory],
    analytics: Analytics,
    left_out: int = 0,
) -> Headline:
    """The headline of the current cards (and `left_out` card files no card came from)."""
    total = len(cards)
    counts = Counter(level(c.level).phase.key for c in cards)
    ends = [p.end for p in analytics.periods if p.end.kind == QUARTER]
    since = ends[-1] if ends else None
    before: Counter[str] = Counter()
    if since is not None:
        for card in cards:
            history = histories.get(card.id)
            was = level_at(history, since.at) if history else None
            if was is not None:
                before[level(was).phase.key] += 1
    flags = analytics.kpis.flags
    return Headline(
        total,
        tuple(
            PhaseShare(
                p,
                counts[p.key],
                counts[p.key] / total if total else 0.0,
                before[p.key] if since is not None else None,
            )
            for p in PHASES
        ),
        since.name if since is not None else None,
        {f: sum(f in flags.get(c.id, ()) for c in cards) for f in ATTENTION},
        left_out,
    )


def level_at(history: CardHistory, moment: dt.datetime) -> int | None:
    """The card's level just before `moment` (None: it had not entered yet)."""
    current = None
    for transition in history.transitions:
        if transition.date >= moment:
            break
        current = transition.to_level
    return current


@dataclass(frozen=True)
class Rollup:
    """One owner's (repository's, tag's) components: per phase, and per flag that needs
    someone to act."""

    name: str
    total: int
    per_phase: dict[str, int] = field(default_factory=dict)
    attention: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    """Its targets late and at risk (`targets.LATE`, `targets.AT_RISK`) -> how many."""

    @property
    def needs(self) -> int:
        """How many of its components need someone to act."""
        return sum(self.attention.values())


def rollups(
    cards: Sequence[Card],
    flags: Mapping[str, Sequence[str]],
    groups: Callable[[Card], Iterable[str]],
    plans: Mapping[str, TargetPlan] | None = None,
) -> tuple[Rollup, ...]:
    """Each group (`groups(card)`: the card's owners, its repository, its tags) with its
    components, most in need of attention first; a card in no group counts under `""`.
    `plans` are the cards' targets (`Analytics.targets`): each group counts its late and
    at-risk ones."""
    plans = plans or {}
    members: dict[str, list[Card]] = {}
    for card in cards:
        for name in dict.fromkeys(groups(card)) or ("",):
            members.setdefault(name, []).append(card)
    out = []
    for name, group in members.items():
        phases = Counter(level(c.level).phase.key for c in group)
        out.append(
            Rollup(
                name,
                len(group),
                {p.key: phases[p.key] for p in PHASES},
                {f: sum(f in flags.get(c.id, ()) for c in group) for f in ATTENTION},
                {
                    s: sum(1 for c in group if (p := plans.get(c.id)) and p.status == s)
                    for s in (LATE, AT_RISK)
                },
            )
        )
    return tuple(sorted(out, key=lambda r: (-r.needs, -r.total, r.name.casefold())))


def held_down(
    systems: Mapping[str, System], by_id: Mapping[str, Card]
) -> tuple[tuple[Card, System, Card], ...]:
    """The systems a part holds below their own card's level, least ready first: (the
    system's card, the system, the part that holds it down)."""
    return tuple(
        sorted(
            (
                (by_id[card_id], system, by_id[system.held_by])
                for card_id, system in systems.items()
                if system.held_by != card_id and card_id in by_id and system.held_by in by_id
            ),
            key=lambda row: (row[1].level, row[0].id),
        )
    )


@dataclass(frozen=True)
class CardStatus:
    """What a reviewer asks of one card first: its level, since when and how that compares,
    every flag the dashboard shows for it with the reason, its last review, and its next
    gate."""

    card: Card
    flags: tuple[str, ...] = ()
    since: dt.datetime | None = None
    """When the card arrived at its level (None without history, or when a gap hides it)."""
    gap_until: dt.datetime | None = None
    """When a gap in the history hides its arrival: the end of the gap."""
    days: int | None = None
    """Days at its level, until now."""
    typical: float | None = None
    """The median of the stays at its level that ended, across the organisation."""
    usual: float | None = None
    """The 90th percentile of those stays (nine in ten were shorter)."""
    due: ReviewDue | None = None
    idle: int | None = None
    """Days since the card last changed, when it is stale."""
    skipped: tuple[Transition, ...] = ()
    """Its level changes without a review record, newest first."""
    switchbacks: tuple[Transition, ...] = ()
    """Its changes of level down, newest first."""
    last_review: Review | None = None
    requirements: tuple[Requirement, ...] = ()
    """Its requirements, the riskiest first (those without a risk last)."""
    first_record: bool = False
    """`since` is the card's first record: it was at that level by then, since when is not
    known (a repository that added its cards in one commit gives them all that day)."""


def card_status(
    card: Card, history: CardHistory | None, analytics: Analytics, now: dt.datetime
) -> CardStatus:
    """The status of `card` on the day `now`."""
    kpis = analytics.kpis
    transitions = history.transitions if history else ()
    arrived = transitions[-1].date if transitions else None
    resumed = max((r.landed.committed for r in (history.resumed if history else ())), default=None)
    gap = resumed if arrived and resumed and resumed > arrived else None
    since = None if gap else arrived
    stale = dict(kpis.stale)
    return CardStatus(
        card,
        kpis.flags.get(card.id, ()),
        since,
        gap,
        (now - since).days if since else None,
        kpis.median_days_at_level.get(card.level),
        kpis.p90_days_at_level.get(card.level),
        next((d for d in kpis.reviews_due if d.card_id == card.id), None),
        stale.get(card.id),
        tuple(t for t in reversed(transitions) if t.gated and not t.reviewed),
        tuple(t for t in reversed(transitions) if t.kind.is_switchback),
        max(card.reviews, key=lambda r: r.date, default=None),
        tuple(sorted(card.requirements, key=lambda r: -(r.risk.score if r.risk else -1.0))),
        first_record=bool(since and transitions and transitions[-1].from_level is None),
    )
