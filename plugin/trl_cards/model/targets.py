"""A card's target (`target: {level, date, reason}`) as a plan: whether it is met, on track, at
risk or late on a given day, and each time it was set, moved or removed, from the card's
history. Pure functions over the histories; nothing here reads git.

The rule, as docs/card-format.md states it:

- **met**: the card is at the target level or above; `reached` is the first day it got there
  at or after the target was set (the day it was set, when it was there already);
- **late**: the date has passed and it is not met;
- **at risk**: the projection misses the date: the days still needed are, for each level from
  the current one to the one below the target, the organisation's median days at that level
  (`Kpis.median_days_at_level`; where the organisation has no figure, the card's own average
  days per level so far), less the days already spent at the current level (never below 0 for
  that level). With no figure for some level, the projection says nothing and the target is
  not called at risk;
- **on track**: otherwise.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..cards.card import Card, Target
from .transitions import CardHistory, CardRevision, Transition

__all__ = [
    "AT_RISK",
    "LATE",
    "MET",
    "ON_TRACK",
    "STATUSES",
    "TargetChange",
    "TargetPlan",
    "days_to_reach",
    "plan_targets",
    "target_changes",
    "target_plan",
]

LATE, AT_RISK, ON_TRACK, MET = "late", "at risk", "on track", "met"
STATUSES = (LATE, AT_RISK, ON_TRACK, MET)
"""The statuses of a target (and of a goal), those that need someone to act first."""

SET, MOVED, REMOVED = "set", "moved", "removed"


@dataclass(frozen=True)
class TargetChange:
    """A revision of the card that set, moved (level or date) or removed its target."""

    kind: str
    """`set`, `moved` or `removed`."""
    target: Target | None
    """The target from this revision on; None once removed."""
    before: Target | None
    """The target before it; None when it was set."""
    revision: CardRevision

    @property
    def date(self) -> dt.datetime:
        """When the change landed on the built branch."""
        return self.revision.landed.committed

    @property
    def author(self) -> str:
        """Who made the change (the author of the commit that made this content)."""
        return self.revision.revision.authored.author

    @property
    def sha(self) -> str:
        """The commit that made the change."""
        return self.revision.revision.authored.sha

    @property
    def anchor(self) -> str:
        """The HTML id of this change on the card page (`target-1a2b3c4d`)."""
        return f"target-{self.sha[:8]}"


@dataclass(frozen=True)
class TargetPlan:
    """A card's target on one day: its status, and what the status was judged from."""

    target: Target
    status: str
    """One of `STATUSES`."""
    reached: dt.datetime | None = None
    """When met: the first day the card stood at the target level or above since it was set."""
    expected: dt.date | None = None
    """When not met: the day the projection reaches the target level; None when the pace of
    some level is not known (or the target is late)."""
    set_on: dt.datetime | None = None
    """When the target was first set (moves keep it); None without history."""
    changes: tuple[TargetChange, ...] = ()
    """Each time the target was set, moved or removed, oldest first."""

    @property
    def days_left(self) -> int | None:
        """Days from `expected` to the target's date (negative: the projection is late)."""
        return None if self.expected is None else (self.target.date - self.expected).days


def target_changes(history: CardHistory) -> tuple[TargetChange, ...]:
    """Each revision that set, moved or removed the target, oldest first.

    Only a revision whose text holds the word `target` is parsed: one without it has no
    target, so it tells a removal without a parse. Measured on the large sample organisation
    (1,000 cards, 50,000 commits, 7,632 card revisions; `build_project` 6.5 s): the scan of
    every revision takes 31 ms, and a parse 0.27 ms, so if every revision named a target they
    would cost 2.1 s more, once (`mkdocs serve` keeps the parses). A revision whose `target`
    had a problem (or that was not a valid card) leaves the target as it was.
    """
    changes: list[TargetChange] = []
    current: Target | None = None
    for revision in history.revisions:
        text = revision.revision.text
        if text is None:
            continue  # a deletion (or a version git cannot produce) says nothing of it
        if "target" in text:
            card = revision.card
            parsed = revision.parsed
            if card is None or (
                parsed and any((p.key or "").split(".")[0] == "target" for p in parsed.problems)
            ):
                continue
            found = card.target
        else:
            found = None
        if found is None and current is not None:
            changes.append(TargetChange(REMOVED, None, current, revision))
        elif found is not None and current is None:
            changes.append(TargetChange(SET, found, None, revision))
        elif (
            found is not None
            and current is not None
            and (found.level, found.date) != (current.level, current.date)
        ):
            changes.append(TargetChange(MOVED, found, current, revision))
        current = found
    return tuple(changes)


def target_plan(
    card: Card,
    history: CardHistory | None,
    median_days_at_level: Mapping[int, float],
    now: dt.datetime,
) -> TargetPlan | None:
    """The card's target on the day `now`, or None when it names none."""
    target = card.target
    if target is None:
        return None
    transitions = history.transitions if history else ()
    changes = target_changes(history) if history else ()
    runs = [c for c in changes if c.kind == SET]
    set_on = runs[-1].date if runs and changes[-1].kind != REMOVED else None
    if card.level >= target.level:
        reached = next(
            (
                t.date
                for t in transitions
                if t.to_level >= target.level and (set_on is None or t.date >= set_on)
            ),
            set_on,
        )
        return TargetPlan(target, MET, reached, None, set_on, changes)
    today = now.date()
    if today > target.date:
        return TargetPlan(target, LATE, None, None, set_on, changes)
    needed = days_to_reach(card, target.level, transitions, median_days_at_level, now)
    if needed is None:
        return TargetPlan(target, ON_TRACK, None, None, set_on, changes)
    expected = today + dt.timedelta(days=round(needed))
    status = AT_RISK if expected > target.date else ON_TRACK
    return TargetPlan(target, status, None, expected, set_on, changes)


def days_to_reach(
    card: Card,
    goal: int,
    transitions: Sequence[Transition],
    median_days_at_level: Mapping[int, float],
    now: dt.datetime,
) -> float | None:
    """Days the card still needs to reach level `goal` at the usual pace (the rule of this
    module's docstring); None when some level's pace is not known."""
    stays = [(b.date - a.date).total_seconds() / 86400 for a, b in pairwise(transitions)]
    own = statistics.mean(stays) if stays else None
    last = transitions[-1] if transitions else None
    spent = (
        (now - last.date).total_seconds() / 86400
        if last is not None and last.to_level == card.level
        else 0.0
    )
    needed = 0.0
    for number in range(card.level, goal):
        typical = median_days_at_level.get(number, own)
        if typical is None:
            return None
        needed += max(typical - spent, 0.0) if number == card.level else typical
    return needed


def plan_targets(
    cards: Sequence[Card],
    histories: Mapping[str, CardHistory],
    median_days_at_level: Mapping[int, float],
    now: dt.datetime,
) -> dict[str, TargetPlan]:
    """card id -> its target's plan, for every card that names a target."""
    return {
        card.id: plan
        for card in cards
        if (plan := target_plan(card, histories.get(card.id), median_days_at_level, now))
    }
