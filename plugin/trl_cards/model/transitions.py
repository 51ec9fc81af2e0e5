"""A card's life as values, and how its revisions become them: each level transition (entry,
advance, skip, switchback) with its gate and review record, each change of id, and the gaps a
damaged repository leaves. Pure functions; nothing here touches git or follows files (that is
`lineage`'s)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from ..cards.card import Card, ParsedCard, Review
from ..cards.formats import TRL, CardFormat
from ..history.revisions import Commit, Damage, Revision

__all__ = [
    "ADVANCE",
    "ENTRY",
    "INVALID_SWITCHBACK",
    "SKIP",
    "SWITCHBACK",
    "CardHistory",
    "CardRevision",
    "IdChange",
    "Transition",
    "TransitionKind",
    "card_history",
]


class TransitionKind(str, Enum):
    """What a level change is, in the paper's words (and the card JSON's)."""

    ENTRY = "entry"
    """The first level a card ever has."""
    ADVANCE = "advance"
    """Up to the next level (or the next stage of the card's own scale)."""
    SKIP = "skip"
    """Up past a level: its gate was skipped."""
    SWITCHBACK = "switchback"
    """Down, to a level the card went through."""
    INVALID_SWITCHBACK = "invalid switchback"
    """Down, below the level the card entered at: the paper flags it."""

    def __str__(self) -> str:
        return self.value

    @property
    def is_switchback(self) -> bool:
        """Whether the change goes down a level (valid or not)."""
        return self in (TransitionKind.SWITCHBACK, TransitionKind.INVALID_SWITCHBACK)


ENTRY = TransitionKind.ENTRY
ADVANCE = TransitionKind.ADVANCE
SKIP = TransitionKind.SKIP
SWITCHBACK = TransitionKind.SWITCHBACK
INVALID_SWITCHBACK = TransitionKind.INVALID_SWITCHBACK

# The paper's predefined ("embedded") switchbacks; a 5 -> 4 is most often decided at a review.
_DEFAULT_SWITCHBACK_KIND = {(9, 4): "embedded", (4, 2): "embedded", (5, 4): "review"}


@dataclass(frozen=True)
class CardRevision:
    """One revision of one card file.

    Parsing a realistic card costs most of a millisecond, and a large organisation has tens
    of thousands of revisions, most of which leave the level alone. So a revision is parsed
    (with the same parser as the current card) only when asked: `quick` reads its `id` and
    `level` lines by pattern, which is all it takes to see that the level did not change.
    """

    revision: Revision
    path: str  # relative to the MkDocs project, as the current cards' paths are
    quick: tuple[str, int] | None = None  # (id, level) when the pattern read both plainly
    format: CardFormat = TRL  # the format that reads it (`formats.format_for`)

    @functools.cached_property
    def parsed(self) -> ParsedCard | None:
        """The full parse and validation of this revision; None for a deletion."""
        text = self.revision.text
        return None if text is None else self.format.parse(text, self.path)

    @property
    def checked(self) -> bool:
        """Whether this revision was parsed in full (it may have changed the level)."""
        return "parsed" in self.__dict__

    @property
    def card(self) -> Card | None:
        """The card at this revision, when it was valid."""
        parsed = self.parsed
        return parsed.card if parsed else None

    @property
    def landed(self) -> Commit:
        """The commit of the built branch where this revision landed."""
        return self.revision.landed

    @property
    def deleted(self) -> bool:
        """Whether this revision removed the file."""
        return self.revision.deleted


@dataclass(frozen=True)
class Transition:
    """A change of level between consecutive valid revisions of a card, as it landed."""

    number: int  # 1-based position in the card's timeline (shown; the anchor is `anchor`)
    from_level: int | None  # None for the entry
    to_level: int
    kind: TransitionKind
    revision: CardRevision
    switchback_kind: str | None = None  # discovery, embedded or review
    review: Review | None = None
    staged: bool = False
    """An advance to the next stage of the card's own scale (`Card.stages`, a mapped format):
    that format's own process is its gate, so it needs no review record."""
    from_stage: str | None = None
    to_stage: str | None = None
    """The stages of the card's own scale the change is between (`Provisional`, `Experimental`),
    for a mapped format with a `scale`; None for a TRL card."""

    @property
    def anchor(self) -> str:
        """The HTML id of this transition's row on the card page, from what the transition is:
        its levels and the commit that made it (`transition-3-4-1a2b3c4d`, for an entry
        `transition-entry-3-1a2b3c4d`). A commit added to the ignore-revs file, or an earlier
        transition found later, leaves every other anchor as it was."""
        start = "entry" if self.from_level is None else str(self.from_level)
        return f"transition-{start}-{self.to_level}-{self.revision.revision.authored.sha[:8]}"

    @property
    def date(self) -> dt.datetime:
        """When the change landed on the built branch."""
        return self.revision.landed.committed

    @property
    def gated(self) -> bool:
        """Whether a gated review recorded in the card should have decided this change: every
        change but the entry and a `staged` advance."""
        return self.kind != ENTRY and not self.staged

    @property
    def gate(self) -> str:
        """What the change's gate says, in words: `next stage` (a `staged` advance),
        `reviewed`, `approved` (by a format's approval file), `exempted` (passed by an
        exemption the organisation granted), `skipped gate`, or nothing for an entry."""
        if self.review is not None and self.review.commit is not None:
            return "approved"
        if self.review is not None and self.review.exemption:
            return "exempted"
        if self.staged:
            return "next stage"
        if not self.gated:
            return ""
        return "reviewed" if self.reviewed else "skipped gate"

    @property
    def reviewed(self) -> bool:
        """Whether the card carries a record of the gate: a review, an approval or an
        exemption (`gate` tells which). The record is the one in the revision that made the
        change, or, when that had none, one the card recorded later and still holds."""
        return self.review is not None


@dataclass(frozen=True)
class IdChange:
    """A change of the card's id inside one file lineage: the same card, renumbered."""

    from_id: str
    to_id: str
    revision: CardRevision

    @property
    def date(self) -> dt.datetime:
        """When the change landed."""
        return self.revision.landed.committed


@dataclass(frozen=True)
class Closure:
    """A revision at which a component closed (its format's closing `status`, `withdrawn`),
    changed how it is closed, or reopened (`status` None)."""

    revision: CardRevision
    status: str | None

    @property
    def date(self) -> dt.datetime:
        """When it landed on the built branch."""
        return self.revision.landed.committed


@dataclass(frozen=True)
class CardHistory:
    """Everything history tells about one card."""

    card_id: str
    revisions: tuple[CardRevision, ...] = ()
    transitions: tuple[Transition, ...] = ()
    incomplete: bool = False  # history starts at a shallow clone's boundary: older is unknown
    ignored: tuple[CardRevision, ...] = field(default=())  # level changes in ignored commits
    id_changes: tuple[IdChange, ...] = ()
    """Each change of the card's id within its lineage, oldest first."""
    gaps: tuple[CardRevision, ...] = ()
    """Versions git lists but the repository cannot produce: no transition spans them."""
    resumed: tuple[CardRevision, ...] = ()
    """After each gap, the first valid revision: its level is known again from there on, but
    not since when, and no transition leads to it."""
    claimed: CardRevision | None = None
    """The revision from which the card has held its current id (for duplicates: the older
    holder keeps the id)."""
    path: str | None = None
    """The card's path now (relative to the MkDocs project); None once it was deleted."""
    damage: Damage | None = None
    """Why this card's history cannot be trusted, when git could not give all of it."""
    closures: tuple[Closure, ...] = ()
    """Each time the component closed, changed its closing status, or reopened, oldest first;
    a closed revision changes no level, so its transitions go on from where they were."""

    @property
    def closed(self) -> Closure | None:
        """The closure the component is in now; None when it is open."""
        last = self.closures[-1] if self.closures else None
        return last if last is not None and last.status is not None else None

    @property
    def last_change(self) -> dt.datetime | None:
        """When the card's file last changed on the built branch; None without history."""
        return self.revisions[-1].landed.committed if self.revisions else None

    @functools.cached_property
    def card_at_level(self) -> dict[int, CardRevision]:
        """For every level the card has left: the last valid revision before it left.

        Cached: finding it may parse revisions, and the card page and each earlier-level page
        both ask."""
        out: dict[int, CardRevision] = {}
        for transition in self.transitions:
            if transition.from_level is None:
                continue
            before = self._valid_before(transition.revision)
            if before is not None:
                out[transition.from_level] = before
        return out

    def _valid_before(self, revision: CardRevision) -> CardRevision | None:
        index = next(i for i, r in enumerate(self.revisions) if r is revision)
        return next((r for r in reversed(self.revisions[:index]) if r.card is not None), None)

    @property
    def invalid_revisions(self) -> tuple[CardRevision, ...]:
        """Revisions read in full that were not a valid card (none of them made a transition).

        A revision whose `id` and `level` lines read plainly and keep the level is not read in
        full, so a break elsewhere in it is not listed: it could not have changed the level.
        """
        return tuple(
            r
            for r in self.revisions
            if r.checked and not r.deleted and not r.revision.unavailable and r.card is None
        )


def card_history(
    card_id: str,
    revisions: tuple[CardRevision, ...],
    ignored: tuple[str, ...],
    boundary: dt.datetime | None,
    id_changes: tuple[IdChange, ...] = (),
    claimed: CardRevision | None = None,
) -> CardHistory:
    """The history of one card file's lineage (`card_id`, the id it holds now): its level
    transitions, with the revisions in ignored commits, the gaps and where the level was
    known again after one; `boundary` is where a shallow clone's history starts."""
    transitions: list[Transition] = []
    skipped: list[CardRevision] = []
    gaps: list[CardRevision] = []
    resumed: list[CardRevision] = []
    entry: int | None = None
    current: int | None = None
    after_gap = False
    used_reviews: set[Review] = set()
    closures: list[Closure] = []
    closed: str | None = None
    stage: str | None = None
    for revision in revisions:
        if revision.revision.unavailable:
            gaps.append(revision)
            after_gap = True  # the level before the gap says nothing about the one after
            continue
        quick = revision.quick
        if revision.deleted or (quick is not None and quick[1] == current and not after_gap):
            continue  # the level line did not change: whatever else did, it is no transition
        card = revision.card
        stage_before = stage
        if card is not None and card.closed is None:
            stage = card.stage  # a new name for the same level is no transition, but is its name
        if card is not None and (card.closed is not None or closed is not None):
            if card.closed != closed:
                closures.append(Closure(revision, card.closed))
                closed = card.closed
            if closed is not None:
                continue  # a closed revision rates nothing: the level stays where it was
        if card is None or (card.level == current and not after_gap):
            continue
        if after_gap and current is not None:
            current, after_gap = card.level, False  # known again, but not a transition
            resumed.append(revision)
            continue
        after_gap = False
        if current is not None and _is_ignored(revision, ignored):
            skipped.append(revision)
            current = card.level
            continue
        if current is None:
            entry = card.level
            transitions.append(
                Transition(
                    len(transitions) + 1, None, card.level, ENTRY, revision, to_stage=card.stage
                )
            )
        else:
            review = _review_for(card, current, card.level, used_reviews)
            if review is not None:
                used_reviews.add(review)
            kind = _kind(
                current, card.level, entry if entry is not None else card.level, card.stages
            )
            transitions.append(
                Transition(
                    len(transitions) + 1,
                    current,
                    card.level,
                    kind,
                    revision,
                    _switchback_kind(current, card.level, review),
                    review,
                    staged=kind == ADVANCE and bool(card.stages),
                    from_stage=stage_before,
                    to_stage=card.stage,
                )
            )
        current = card.level
    transitions = _recorded_later(transitions, revisions, used_reviews)
    incomplete = (
        boundary is not None and bool(revisions) and (revisions[0].landed.committed <= boundary)
    )
    damage = None
    if gaps:
        versions = "1 version is" if len(gaps) == 1 else f"{len(gaps)} versions are"
        damage = Damage(
            f"{versions} missing from the repository (the first in commit "
            f"{gaps[0].landed.sha[:12]}), so no transition is shown across the gap.",
            "Repair the repository (`git fsck` says what is missing), or clone it anew.",
        )
    return CardHistory(
        card_id,
        revisions,
        tuple(transitions),
        incomplete,
        tuple(skipped),
        id_changes,
        tuple(gaps),
        tuple(resumed),
        claimed,
        revisions[-1].path if revisions else None,
        damage,
        tuple(closures),
    )


def _kind(start: int, end: int, entry: int, stages: Sequence[int] = ()) -> TransitionKind:
    """Up to the next level (of the card's own `stages`, when its format has a scale) is an
    advance; further up, a skip."""
    if end > start:
        following = min((s for s in stages if s > start), default=start + 1)
        return ADVANCE if end == following else SKIP
    return INVALID_SWITCHBACK if end < entry else SWITCHBACK


def _switchback_kind(start: int, end: int, review: Review | None) -> str | None:
    if end >= start:
        return None
    if review is not None and review.kind:
        return review.kind
    return _DEFAULT_SWITCHBACK_KIND.get((start, end), "discovery")


def _review_for(card: Card, start: int, end: int, used: set[Review]) -> Review | None:
    """The newest review record of this gate that no earlier transition has claimed."""
    matching = [r for r in card.reviews if (r.from_level, r.to_level) == (start, end)]
    return next((r for r in reversed(matching) if r not in used), None)


def _recorded_later(
    transitions: list[Transition], revisions: tuple[CardRevision, ...], used: set[Review]
) -> list[Transition]:
    """The transitions, each gated one that had no record when it landed given the record
    the card holds now of that gate, if it recorded one later and no other change claims it
    (a team that raises the level first and writes the review down after)."""
    if all(t.reviewed or not t.gated for t in transitions):
        return transitions
    latest = next((r.card for r in reversed(revisions) if not r.deleted and r.card), None)
    if latest is None:
        return transitions
    out = []
    for t in transitions:
        if t.gated and not t.reviewed and t.from_level is not None:
            review = _review_for(latest, t.from_level, t.to_level, used)
            if review is not None:
                used.add(review)
                t = replace(t, review=review)
        out.append(t)
    return out


def _is_ignored(revision: CardRevision, ignored: tuple[str, ...]) -> bool:
    shas = (revision.revision.authored.sha, revision.landed.sha)
    return any(sha.startswith(prefix) for sha in shas for prefix in ignored)
