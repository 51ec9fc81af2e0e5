"""The organisation's readiness analytics, computed before any page is rendered: the KPIs
(time per level, switchbacks, skipped gates, stale cards) and the system roll-up of couplings."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .card import Card
from .timeline import SWITCHBACK, CardHistory, Transition

STALE_DAYS = 365


@dataclass(frozen=True)
class Kpis:
    """What the dashboard tracks about the organisation's readiness."""

    transitions_by_kind: dict[str, int]
    switchbacks_by_kind: dict[str, int]
    skipped_gates: tuple[tuple[str, Transition], ...]  # (card id, transition), newest first
    median_days_at_level: dict[int, float]  # over stays that ended (the card left the level)
    stale: tuple[tuple[str, int], ...]  # (card id, days since its last landed change)


def compute_kpis(
    cards: Sequence[Card], histories: Mapping[str, CardHistory], now: dt.datetime
) -> Kpis:
    """The KPIs of the current cards, from their reconstructed histories."""
    kinds: Counter[str] = Counter()
    switchbacks: Counter[str] = Counter()
    skipped: list[tuple[str, Transition]] = []
    stays: dict[int, list[float]] = {}
    stale: list[tuple[str, int]] = []
    for card in cards:
        history = histories.get(card.id)
        if history is None or not history.revisions:
            continue
        for transition in history.transitions:
            kinds[transition.kind] += 1
            if transition.switchback_kind and transition.kind.endswith(SWITCHBACK):
                switchbacks[transition.switchback_kind] += 1
            if transition.gated and not transition.reviewed:
                skipped.append((card.id, transition))
        for stay, following in pairwise(history.transitions):
            days = (following.date - stay.date).total_seconds() / 86400
            stays.setdefault(stay.to_level, []).append(max(days, 0.0))
        idle = (now - history.revisions[-1].landed.committed).days
        if idle > STALE_DAYS:
            stale.append((card.id, idle))
    skipped.sort(key=lambda item: item[1].date, reverse=True)
    stale.sort(key=lambda item: item[1], reverse=True)
    return Kpis(
        dict(kinds),
        dict(switchbacks),
        tuple(skipped),
        {level: statistics.median(days) for level, days in sorted(stays.items())},
        tuple(stale),
    )


def system_level(
    card: Card, by_id: Mapping[str, Card], coupled_from: Iterable[str] = ()
) -> tuple[int, str]:
    """The level of the card as a system with its coupled components: the lowest of them all.

    Returns (level, id of the least ready part); couplings count in both directions.
    """
    parts = [card, *(by_id[i] for i in (*card.coupled, *coupled_from) if i in by_id)]
    lowest = min(parts, key=lambda c: (c.level, c.id != card.id, c.id))
    return lowest.level, lowest.id


@dataclass(frozen=True)
class Analytics:
    """Everything the pages and exports show that is computed over many cards."""

    kpis: Kpis
    coupled_from: dict[str, tuple[str, ...]]
    """card id -> the ids of the cards that couple to it."""
    systems: dict[str, tuple[int, str]]
    """card id -> (its level as a system, the id of the least ready part), for every card with
    a coupling in either direction."""


def analyse(
    cards: Sequence[Card], histories: Mapping[str, CardHistory], now: dt.datetime
) -> Analytics:
    """The analytics of the current cards at the moment `now`."""
    inbound: dict[str, list[str]] = {}
    for card in cards:
        for other in card.coupled:
            inbound.setdefault(other, []).append(card.id)
    coupled_from = {k: tuple(v) for k, v in inbound.items()}
    by_id = {c.id: c for c in cards}
    systems = {
        card.id: system_level(card, by_id, coupled_from.get(card.id, ()))
        for card in cards
        if card.coupled or card.id in coupled_from
    }
    return Analytics(compute_kpis(cards, histories, now), coupled_from, systems)
