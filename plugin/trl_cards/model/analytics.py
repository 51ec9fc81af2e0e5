"""The organisation's readiness analytics, computed before any page is rendered: the KPIs
(time per level, switchbacks, skipped gates, stale cards) and the systems (cards with `parts`),
each only as ready as its least ready part."""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from ..cards.card import Card
from ..cards.levels import LEVELS, PHASES, level
from ..cards.problem import Problem, Severity
from .milestones import Period, milestones, periods, quarter_of
from .targets import TargetPlan, plan_targets
from .transitions import CardHistory, Transition

STALE_DAYS = 365


@dataclass(frozen=True)
class Kpis:
    """What the dashboard tracks about the organisation's readiness."""

    transitions_by_kind: dict[str, int]
    switchbacks_by_kind: dict[str, int]
    skipped_gates: tuple[tuple[str, Transition], ...]  # (card id, transition), newest first
    median_days_at_level: dict[int, float]  # over stays that ended (the card left the level)
    stale: tuple[tuple[str, int], ...]  # (card id, days since its last landed change)
    stale_days: int = STALE_DAYS  # the days after which an unchanged card is stale
    p90_days_at_level: dict[int, float] = field(default_factory=dict)  # as the median's
    per_quarter: tuple[tuple[str, int, int], ...] = ()  # (quarter, transitions, switchbacks)
    reviews_due: tuple[ReviewDue, ...] = ()  # longest overdue first
    switched_back: tuple[str, ...] = ()  # the ids of the cards with a switchback, by id
    switched_this_quarter: tuple[tuple[str, Transition], ...] = ()  # newest first
    with_problems: tuple[str, ...] = ()  # the ids of the cards whose file has a problem
    quarter: str = ""  # the quarter `now` is in (`2026-Q4`)
    exemptions_expired: tuple[str, ...] = ()  # the ids of the cards with an expired exemption

    @functools.cached_property
    def flags(self) -> dict[str, tuple[str, ...]]:
        """card id -> what the filters can pick it by (`FLAGS`), in the order of `FLAGS`. Made
        once: every card table of the site (a page per tag, per level) asks."""
        out: dict[str, set[str]] = defaultdict(set)
        for card_id, _ in self.stale:
            out[card_id].add(STALE)
        for card_id, _ in self.skipped_gates:
            out[card_id].add(SKIPPED)
        for card_id in self.switched_back:
            out[card_id].add(SWITCHED)
        for card_id, _ in self.switched_this_quarter:
            out[card_id].add(RECENT)
        for due in self.reviews_due:
            out[due.card_id].add(DUE)
        for card_id in self.with_problems:
            out[card_id].add(PROBLEM)
        for card_id in self.exemptions_expired:
            out[card_id].add(EXPIRED)
        return {k: tuple(f for f in FLAGS if f in v) for k, v in out.items()}


STALE, SKIPPED, EXPIRED, DUE, SWITCHED, RECENT, PROBLEM = (
    "stale",
    "skipped",
    "expired",
    "due",
    "switchback",
    "recent",
    "problem",
)
FLAGS = {
    DUE: "Review due",
    SKIPPED: "Skipped gate",
    EXPIRED: "Exemption expired",
    STALE: "Stale",
    RECENT: "Switched back this quarter",
    SWITCHED: "Switched back",
    PROBLEM: "Card problems",
}
"""The flags a card table filters by, with their labels, in the order the dashboard shows
them (`glossary.TERMS` explains each)."""
ATTENTION = (DUE, SKIPPED, EXPIRED, STALE, RECENT, PROBLEM)
"""The flags that need someone to act, as the dashboard's first screen counts them."""

MIN_STAYS = 5
"""The finished stays at a level it takes for their 90th percentile to say when a review is
due; with fewer, `stale_days` says it."""


@dataclass(frozen=True)
class ReviewDue:
    """A card that has stayed at its level longer than nine stays in ten at that level (or
    than `stale_days`, while the organisation has too few), with no review since it arrived."""

    card_id: str
    level: int
    since: dt.datetime  # when the card arrived at its level
    days: int  # at the level, until now
    due_after: int  # the days after which a review is due at this level


def compute_kpis(
    cards: Sequence[Card],
    histories: Mapping[str, CardHistory],
    now: dt.datetime,
    stale_days: int = STALE_DAYS,
) -> Kpis:
    """The KPIs of the current cards, from their reconstructed histories; a card unchanged for
    more than `stale_days` is stale."""
    kinds: Counter[str] = Counter()
    switchbacks: Counter[str] = Counter()
    skipped: list[tuple[str, Transition]] = []
    stays: dict[int, list[float]] = {}
    stale: list[tuple[str, int]] = []
    switched: set[str] = set()
    recent: list[tuple[str, Transition]] = []
    quarters: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    for card in cards:
        history = histories.get(card.id)
        if history is None or not history.revisions:
            continue
        for transition in history.transitions:
            kinds[transition.kind] += 1
            quarter = quarter_of(transition.date)
            quarters[quarter][0] += transition.from_level is not None
            quarters[quarter][1] += transition.kind.is_switchback
            if transition.switchback_kind and transition.kind.is_switchback:
                switchbacks[transition.switchback_kind] += 1
            if transition.kind.is_switchback:
                switched.add(card.id)
                if quarter == quarter_of(now.astimezone(transition.date.tzinfo)):
                    recent.append((card.id, transition))
            if transition.gated and not transition.reviewed:
                skipped.append((card.id, transition))
        for stay, following in pairwise(history.transitions):
            days = (following.date - stay.date).total_seconds() / 86400
            stays.setdefault(stay.to_level, []).append(max(days, 0.0))
        idle = (now - history.revisions[-1].landed.committed).days
        if idle > (card.stale_days or stale_days):
            stale.append((card.id, idle))
    skipped.sort(key=lambda item: item[1].date, reverse=True)
    stale.sort(key=lambda item: item[1], reverse=True)
    p90 = {n: _percentile(days, 0.9) for n, days in sorted(stays.items())}
    due_after = {
        n: math.ceil(p90[n]) if len(stays.get(n, ())) >= MIN_STAYS else stale_days
        for n in range(LEVELS[-1].number)
    }
    due = sorted(
        (d for card in cards if (d := _review_due(card, histories.get(card.id), now, due_after))),
        key=lambda d: (d.days - d.due_after, d.card_id),
        reverse=True,
    )
    return Kpis(
        dict(kinds),
        dict(switchbacks),
        tuple(skipped),
        {level: statistics.median(days) for level, days in sorted(stays.items())},
        tuple(stale),
        stale_days,
        p90,
        tuple((q, quarters[q][0], quarters[q][1]) for q in sorted(quarters)),
        tuple(due),
        tuple(sorted(switched)),
        tuple(sorted(recent, key=lambda item: item[1].date, reverse=True)),
        quarter=quarter_of(now),
    )


def _review_due(
    card: Card, history: CardHistory | None, now: dt.datetime, due_after: Mapping[int, int]
) -> ReviewDue | None:
    """Whether `card` is due for the review of its level's gate (none is due at the last
    level, nor at the last stage of the card's own scale: neither has a gate after it)."""
    if history is None or not history.transitions or card.level not in due_after:
        return None
    if not card.reviews_due or (card.stages and card.level >= card.stages[-1]):
        return None
    arrived = history.transitions[-1]
    if arrived.to_level != card.level:
        return None  # the level changed since the last commit: the review comes with it
    days = (now - arrived.date).days
    reviewed = any(
        r.from_level == card.level and r.date >= arrived.date.date() for r in card.reviews
    )
    if days <= due_after[card.level] or reviewed:
        return None
    return ReviewDue(card.id, card.level, arrived.date, days, due_after[card.level])


def _percentile(values: Sequence[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class System:
    """A card with `parts`, as a system: only as ready as the least ready of its parts."""

    level: int
    """The lowest level over the card and its parts, recursively."""
    held_by: str
    """The id of the least ready card of the system (the card itself when none is lower)."""


@dataclass(frozen=True)
class TrendPoint:
    """How many of today's cards stood in each phase at the start of a month."""

    day: dt.date
    per_phase: dict[str, int]


def phase_trend(
    cards: Sequence[Card], histories: Mapping[str, CardHistory], now: dt.datetime
) -> tuple[TrendPoint, ...]:
    """Month by month since the first transition, the number of cards in each phase, from the
    history (a card counts from its entry on). Empty without history."""
    firsts = [h.transitions[0].date for c in cards if (h := histories.get(c.id)) and h.transitions]
    if not firsts:
        return ()
    start = min(firsts)
    months = []
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= now.date():
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    months.append(now.date())
    counts = [dict.fromkeys((p.key for p in PHASES), 0) for _ in months]
    for card in cards:
        history = histories.get(card.id)
        if history is None or not history.transitions:
            continue
        steps = [(t.date.date(), t.to_level) for t in history.transitions]
        at = 0
        for index, day in enumerate(months):
            while at < len(steps) and steps[at][0] <= day:
                at += 1
            if at:
                counts[index][level(steps[at - 1][1]).phase.key] += 1
    return tuple(TrendPoint(day, c) for day, c in zip(months, counts, strict=True))


@dataclass(frozen=True)
class Analytics:
    """Everything the pages and exports show that is computed over many cards."""

    kpis: Kpis
    coupled_from: dict[str, tuple[str, ...]]
    """card id -> the ids of the cards that couple to it (related cards, never counted)."""
    systems: dict[str, System]
    """card id -> the card as a system, for every card with `parts`."""
    part_of: dict[str, tuple[str, ...]]
    """card id -> the ids of the systems that list it in `parts`."""
    problems: tuple[Problem, ...] = ()
    """Cycles in `parts`, each named with its cards."""
    trend: tuple[TrendPoint, ...] = ()
    """Today's cards per phase, month by month (`phase_trend`)."""
    periods: tuple[Period, ...] = ()
    """What changed from each milestone to the next (`milestones.periods`), oldest first."""
    targets: dict[str, TargetPlan] = field(default_factory=dict)
    """card id -> its target on the day of the analytics (`targets.plan_targets`), for every
    open card that names one."""


def analyse(
    cards: Sequence[Card],
    histories: Mapping[str, CardHistory],
    now: dt.datetime,
    stale_days: int = STALE_DAYS,
    retired: Iterable[CardHistory] = (),
    tags: Sequence[tuple[str, dt.datetime]] = (),
    problems: Iterable[Problem] = (),
) -> Analytics:
    """The analytics of the current cards at the moment `now`: `retired` are the lineages of
    deleted cards, `tags` the release tags (name, date) that are milestones, `problems` those
    of the card files (the cards they are in get the `problem` flag)."""
    coupled_from: dict[str, list[str]] = {}
    part_of: dict[str, list[str]] = {}
    for card in cards:
        for other in card.coupled:
            coupled_from.setdefault(other, []).append(card.id)
        for part in card.parts:
            part_of.setdefault(part, []).append(card.id)
    systems, cycles = system_levels(cards)
    gone = tuple(retired)
    kpis = compute_kpis(cards, histories, now, stale_days)
    troubled = {p.path for p in (*problems, *cycles)}
    kpis = replace(kpis, with_problems=tuple(c.id for c in cards if c.path in troubled))
    return Analytics(
        kpis,
        {k: tuple(v) for k, v in coupled_from.items()},
        systems,
        {k: tuple(v) for k, v in part_of.items()},
        cycles,
        phase_trend(cards, histories, now),
        periods(cards, histories, gone, milestones([*histories.values(), *gone], now, tags)),
        plan_targets(cards, histories, kpis.median_days_at_level, now),
    )


def system_levels(cards: Sequence[Card]) -> tuple[dict[str, System], tuple[Problem, ...]]:
    """Every system's level: the minimum over its parts, recursively (ties go to the card
    itself, then to the first id). A cycle in `parts` is a problem naming its cards, and each
    card of it counts only the parts outside the cycle."""
    by_id = {c.id: c for c in cards}
    done: dict[str, System] = {}
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()

    def visit(card: Card, path: list[str]) -> System:
        if card.id in done:
            return done[card.id]
        best = System(card.level, card.id)
        for part_id in card.parts:
            part = by_id.get(part_id)
            if part is None:
                continue
            if part_id in path:  # a cycle: report it once, and do not follow it
                cycle = path[path.index(part_id) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(_cycle(by_id[cycle[0]], cycle))
                continue
            system = visit(part, [*path, part_id])
            if system.level < best.level:
                best = System(system.level, system.held_by)
        done[card.id] = best
        return best

    for card in cards:
        if card.parts:
            visit(card, [card.id])
    return {c.id: done[c.id] for c in cards if c.parts}, tuple(problems)


def _cycle(card: Card, cycle: list[str]) -> Problem:
    loop = " → ".join([*cycle, cycle[0]])
    return Problem(
        card.path,
        f"`parts` makes a cycle: {loop}. A system cannot be a part of itself, so the cycle "
        "is not followed.",
        "Remove one of these ids from the `parts` of the card that lists it.",
        key="parts",
        severity=Severity.WARNING,
    )
