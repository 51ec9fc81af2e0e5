"""Readiness at milestones (quarter ends, release tags) and what changed between them, from the
same history as everything else: promotions, switchbacks, new and retired cards, skipped gates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from ..cards.card import Card
from .transitions import ADVANCE, ENTRY, SKIP, CardHistory, Transition


class ChangeKind(str, Enum):
    """What a card's change of readiness between two milestones is."""

    NEW = "new"
    PROMOTION = "promotion"
    SWITCHBACK = "switchback"
    RETIRED = "retired"

    def __str__(self) -> str:
        return self.value


NEW, PROMOTION, SWITCHBACK, RETIRED = ChangeKind
CHANGE_KINDS = (PROMOTION, SWITCHBACK, NEW, RETIRED)
"""What a change between two milestones is, in the order the pages count them."""
CHANGE_LABELS = {
    PROMOTION: ("promotion", "promotions", "Promoted"),
    SWITCHBACK: ("switchback", "switchbacks", "Switched back"),
    NEW: ("new card", "new cards", "New"),
    RETIRED: ("retired card", "retired cards", "Retired"),
}
"""Each kind of change: one, many, and as a column heading."""


class MilestoneKind(str, Enum):
    """What a milestone is: a quarter's end, a release tag, or now."""

    QUARTER = "quarter"
    TAG = "tag"
    NOW = "now"

    def __str__(self) -> str:
        return self.value


QUARTER, TAG, NOW = MilestoneKind


@dataclass(frozen=True)
class Milestone:
    """A moment the organisation's readiness is taken at."""

    name: str  # `2025-Q3`, `v1.2.0`, `Today`
    slug: str  # its page's folder: `2025-q3`, `tag-v1-2-0`, `today`
    at: dt.datetime  # the state is the one just before this moment
    kind: MilestoneKind


@dataclass(frozen=True)
class Change:
    """One card's change of readiness between two milestones."""

    card_id: str
    kind: ChangeKind
    date: dt.datetime
    from_level: int | None  # None for a new card
    to_level: int | None  # None for a retired card
    card: Card  # the card as it is now, or as it was last, if retired
    transition: Transition | None = None  # None for a retired card
    skipped_gate: bool = False  # a level change without its review record
    gone: bool = False  # the card has been retired since: it has no page to link to


@dataclass(frozen=True)
class Period:
    """What changed from one milestone (exclusive) to the next (inclusive)."""

    start: Milestone | None  # None: since the first commit
    end: Milestone
    changes: tuple[Change, ...]  # oldest first
    levels: dict[int, int]  # level -> cards at it, at `end`

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)

    @property
    def skipped_gates(self) -> int:
        return sum(c.skipped_gate for c in self.changes)

    def by(self, attribute: str) -> list[tuple[str, Counter[str]]]:
        """Per owner (`attribute="owners"`) or tag (`"tags"`): the kinds of its changes, most
        changes first; a card without any counts under ``""``."""
        out: dict[str, Counter[str]] = {}
        for change in self.changes:
            for name in getattr(change.card, attribute) or ("",):
                counts = out.setdefault(name, Counter())
                counts[change.kind] += 1
                counts["skipped"] += change.skipped_gate
        return sorted(out.items(), key=lambda item: (-item[1].total(), item[0].casefold()))


def quarter_of(day: dt.date) -> str:
    """The quarter a day is in, as milestones and the KPIs name it: `2025-Q3`."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def milestones(
    histories: Iterable[CardHistory],
    now: dt.datetime,
    tags: Sequence[tuple[str, dt.datetime]] = (),
) -> tuple[Milestone, ...]:
    """The quarter ends since the first transition, the release `tags` (name, commit date) in
    that time, and now; oldest first. Quarters are cut in the zone of the history's dates."""
    firsts = [h.transitions[0].date for h in histories if h.transitions]
    if not firsts:
        return ()
    first = min(firsts)
    zone = first.tzinfo or dt.timezone.utc
    out = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while True:
        year_after, quarter_after = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        end = dt.datetime(year_after, 3 * quarter_after - 2, 1, tzinfo=zone)
        if end > now:
            break
        name = quarter_of(end - dt.timedelta(days=1))
        out.append(Milestone(name, name.lower(), end, QUARTER))
        year, quarter = year_after, quarter_after
    slugs = {m.slug for m in out}
    for name, date in tags:
        if first <= date <= now:
            slug = _tag_slug(name)
            if slug not in slugs:
                slugs.add(slug)
                # The tagged commit is in the state: the milestone is just after it.
                out.append(Milestone(name, slug, date + dt.timedelta(seconds=1), TAG))
    out.append(Milestone("Today", "today", now, NOW))
    return tuple(sorted(out, key=lambda m: (m.at, m.kind != QUARTER)))


def _tag_slug(name: str) -> str:
    """A release tag as a folder name: `tag-v1.2.0`; a tag with characters beyond lowercase
    letters, digits, `.`, `_` and `-` gets a digest of itself, so two never share a page."""
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", name):
        return f"tag-{name}"
    words = "-".join(re.findall(r"[a-z0-9]+", name.casefold()))[:48] or "x"
    return f"tag-{words}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:6]}"


def periods(
    cards: Sequence[Card],
    histories: Mapping[str, CardHistory],
    retired: Iterable[CardHistory],
    marks: Sequence[Milestone],
) -> tuple[Period, ...]:
    """For each milestone, what changed since the one before: the current `cards` with their
    `histories`, and the `retired` lineages (cards whose file was deleted, `path` None)."""
    changes: list[Change] = []
    levels_over_time: list[tuple[str, list[tuple[dt.datetime, int | None]]]] = []
    for card in cards:
        history = histories.get(card.id)
        if history is None or not history.transitions:
            continue
        changes += [_change(card, t) for t in history.transitions]
        levels_over_time.append((card.id, [(t.date, t.to_level) for t in history.transitions]))
    live = {c.id for c in cards}
    for lineage in retired:
        last = next((r.card for r in reversed(lineage.revisions) if r.card is not None), None)
        if lineage.card_id in live or last is None or not lineage.transitions:
            continue  # a copy or a move of a card that lives on is no retirement
        deleted_at = lineage.revisions[-1].landed.committed
        changes += [replace(_change(last, t), gone=True) for t in lineage.transitions]
        retirement = Change(lineage.card_id, RETIRED, deleted_at, last.level, None, last, gone=True)
        changes.append(retirement)
        steps = [(t.date, t.to_level) for t in lineage.transitions]
        levels_over_time.append((lineage.card_id, [*steps, (deleted_at, None)]))
    changes.sort(key=lambda c: (c.date, c.card_id))
    out = []
    start: Milestone | None = None
    for mark in marks:
        inside = tuple(
            c for c in changes if (start is None or c.date >= start.at) and c.date < mark.at
        )
        out.append(Period(start, mark, inside, _levels_at(levels_over_time, mark.at)))
        start = mark
    return tuple(out)


def _change(card: Card, transition: Transition) -> Change:
    kind = (
        NEW
        if transition.kind == ENTRY
        else PROMOTION
        if transition.kind in (ADVANCE, SKIP)
        else SWITCHBACK
    )
    return Change(
        card.id,
        kind,
        transition.date,
        transition.from_level,
        transition.to_level,
        card,
        transition,
        transition.gated and not transition.reviewed,
    )


def _levels_at(
    steps: Iterable[tuple[str, Sequence[tuple[dt.datetime, int | None]]]], at: dt.datetime
) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for _, changes in steps:
        current = None
        for date, level in changes:
            if date >= at:
                break
            current = level
        if current is not None:
            counts[current] += 1
    return dict(sorted(counts.items()))
