"""The organisation's goals (the `goals` option): a named goal selects cards (by tag, owner,
repository, phase or lowest level), names a level and a day, and is met, on track, at risk or
late by the rule of a card's target (`targets`); its progress over time is a burn-up, from
the history: how many of its cards stood at or above its level at each change. Pure functions
over the cards and their histories; nothing here reads git.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..cards.card import Card
from ..cards.levels import PHASES, level
from ..cards.options import Option, OptionError, day, level_number, read_record, text, texts
from .targets import AT_RISK, LATE, MET, ON_TRACK, days_to_reach
from .transitions import CardHistory

__all__ = ["GOAL_OPTIONS", "SELECT_OPTIONS", "Goal", "GoalProgress", "goal_progress", "read_goal"]


@dataclass(frozen=True)
class Goal:
    """One goal of the organisation, as configured: which cards, which level, by which day."""

    name: str
    level: int
    date: dt.date
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    repositories: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    min_level: int | None = None

    @property
    def slug(self) -> str:
        """The goal's name as a folder of the site (`Vision to production 2027` ->
        `vision-to-production-2027`)."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.casefold()).strip("-") or "goal"

    def selects(self, card: Card, repository: str) -> bool:
        """Whether the goal counts `card` (of the repository named `repository`): every key
        of `select` given must agree, any one of a key's values will do."""
        return (
            card.closed is None
            and (not self.tags or any(t in self.tags for t in card.tags))
            and (not self.owners or any(o in self.owners for o in card.owners))
            and (not self.repositories or repository in self.repositories)
            and (not self.phases or level(card.level).phase.key in self.phases)
            and (self.min_level is None or card.level >= self.min_level)
        )


def _phases(value: object, where: str) -> tuple[str, ...]:
    keys = tuple(p.key for p in PHASES)
    found = texts(value, where)
    for phase in found:
        if phase not in keys:
            raise OptionError(
                f"`{where}`: `{phase}` is not a phase.", "Use one of " + ", ".join(keys) + "."
            )
    return found


SELECT_OPTIONS = (
    Option("tags", "Cards with any of these tags.", texts, ()),
    Option("owners", "Cards with any of these owners.", texts, ()),
    Option(
        "repository",
        "Cards of these repositories (a source's `name`; the site's own is its repository's "
        "name, as the dashboard shows it).",
        texts,
        (),
    ),
    Option(
        "phase",
        "Cards in these phases today (`research`, `prototyping`, `productization`, "
        "`deployment`): a card that leaves the phase leaves the goal.",
        _phases,
        (),
    ),
    Option(
        "min_level",
        "Cards at this level or above today: a card that advances stays in the goal.",
        level_number,
    ),
)
"""The keys of a goal's `select`: each one given narrows the goal's cards."""


def _select(value: object, where: str) -> dict[str, Any]:
    return read_record(SELECT_OPTIONS, value, where, "a goal's `select`")


GOAL_OPTIONS = (
    Option("name", "The goal's name, on its page and the dashboard.", text, required=True),
    Option("level", "The level its cards are to reach, 0-9.", level_number, required=True),
    Option("date", "The day they are to reach it by, YYYY-MM-DD.", day, required=True),
    Option(
        "select",
        "Which cards: any of `tags`, `owners`, `repository`, `phase`, `min_level` (all open "
        "cards when absent).",
        _select,
        {},
    ),
)
"""The keys of an entry of `goals`."""


def read_goal(values: dict[str, Any], where: str) -> Goal:
    """A `goals` entry, as read by `GOAL_OPTIONS`."""
    select = values["select"] or {o.name: o.default for o in SELECT_OPTIONS}
    return Goal(
        name=values["name"],
        level=values["level"],
        date=values["date"],
        tags=select["tags"],
        owners=select["owners"],
        repositories=select["repository"],
        phases=select["phase"],
        min_level=select["min_level"],
    )


@dataclass(frozen=True)
class GoalProgress:
    """A goal on the day of the analytics: its cards, the ones still short of its level, its
    status, and its burn-up."""

    goal: Goal
    status: str
    """One of `targets.STATUSES`, by the rule of a card's target: met when every card of it
    is at its level or above (and it has cards)."""
    cards: tuple[str, ...]
    """The ids of the cards it selects, by id."""
    short: tuple[tuple[str, dt.date | None], ...] = ()
    """The cards below its level: (id, the day the usual pace takes it there, or None when
    that is not known), lowest level first."""
    burnup: tuple[tuple[dt.datetime, int], ...] = ()
    """At each level change of its cards, oldest first: how many stood at or above its level
    from then on."""
    met_on: dt.datetime | None = None
    """When met: the moment the last of its cards reached its level (from the burn-up)."""
    slug: str = field(default="")
    """The goal's folder on the site (its name's slug, made unique among the goals)."""

    @property
    def reached(self) -> int:
        """How many of its cards are at its level or above."""
        return len(self.cards) - len(self.short)


def goal_progress(
    goals: Sequence[Goal],
    cards: Sequence[Card],
    histories: Mapping[str, CardHistory],
    repository_of: Callable[[str], str],
    median_days_at_level: Mapping[int, float],
    now: dt.datetime,
) -> tuple[GoalProgress, ...]:
    """Every goal on the day `now`, over the open `cards`; `repository_of` names a card's
    repository from its path."""
    out = []
    slugs: set[str] = set()
    for goal in goals:
        slug = goal.slug
        while slug in slugs:
            slug += "-2"
        slugs.add(slug)
        chosen = sorted(
            (c for c in cards if goal.selects(c, repository_of(c.path))), key=lambda c: c.id
        )
        short = []
        for card in sorted((c for c in chosen if c.level < goal.level), key=lambda c: c.level):
            history = histories.get(card.id)
            transitions = history.transitions if history else ()
            days = days_to_reach(card, goal.level, transitions, median_days_at_level, now)
            expected = None if days is None else now.date() + dt.timedelta(days=round(days))
            short.append((card.id, expected))
        burnup = _burnup(goal.level, chosen, histories)
        reached = len(chosen) - len(short)
        if (burnup[-1][1] if burnup else 0) != reached:
            # What the history does not show (a change not committed yet, a card without
            # history, a level change in an ignored commit) is known today: the burn-up ends
            # at today's count, so that the chart, the count and `met_on` agree.
            burnup = (*burnup, (now, reached))
        if chosen and not short:
            status = MET
        elif now.date() > goal.date:
            status = LATE
        elif any(day is not None and day > goal.date for _, day in short):
            status = AT_RISK
        else:
            status = ON_TRACK
        met_on = burnup[-1][0] if status == MET and burnup else None
        out.append(
            GoalProgress(
                goal,
                status,
                tuple(c.id for c in chosen),
                tuple(short),
                burnup,
                met_on,
                slug,
            )
        )
    return tuple(out)


def _burnup(
    goal: int, cards: Sequence[Card], histories: Mapping[str, CardHistory]
) -> tuple[tuple[dt.datetime, int], ...]:
    """How many of `cards` stood at or above `goal` after each of their level changes."""
    events = sorted(
        (t.date, card.id, t.to_level)
        for card in cards
        if (history := histories.get(card.id))
        for t in history.transitions
    )
    at: dict[str, bool] = {}
    count = 0  # kept as it changes: summing `at` at each event was quadratic in the cards
    points: list[tuple[dt.datetime, int]] = []
    for when, card_id, to_level in events:
        now_at = to_level >= goal
        count += now_at - at.get(card_id, False)
        at[card_id] = now_at
        if points and points[-1][0] == when:
            points[-1] = (when, count)
        elif not points or points[-1][1] != count:
            points.append((when, count))
    return tuple(points)
