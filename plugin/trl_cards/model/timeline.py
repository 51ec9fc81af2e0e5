"""The life of each card: its revisions joined by id, its level transitions, its reviewed gates.

Pure functions over the raw revisions that `history` reads; nothing here touches git.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..cards.card import Card, ParsedCard, Review
from ..cards.collection import DEFAULT_INCLUDE, Claim, printable_path
from ..cards.formats import TRL, CardFormat, card_patterns, format_for
from ..cards.problem import Problem, Severity
from ..history.clock import DEFAULT_ZONE, history_in_zone, time_zone
from ..history.repository import read_history
from ..history.revisions import Commit, Damage, RepoHistory, Revision

ENTRY = "entry"
ADVANCE = "advance"
SKIP = "skip"
SWITCHBACK = "switchback"
INVALID_SWITCHBACK = "invalid switchback"

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
    kind: str  # entry, advance, skip, switchback, invalid switchback
    revision: CardRevision
    switchback_kind: str | None = None  # discovery, embedded or review
    review: Review | None = None
    staged: bool = False
    """An advance to the next stage of the card's own scale (`Card.stages`, a mapped format):
    that format's own process is its gate, so it needs no review record."""

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
        `reviewed`, `skipped gate`, or nothing for an entry."""
        if self.staged:
            return "next stage"
        if not self.gated:
            return ""
        return "reviewed" if self.reviewed else "skipped gate"

    @property
    def reviewed(self) -> bool:
        """Whether the revision that made the change carries the review record of the gate."""
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


def read_ignore_revs(text: str) -> frozenset[str]:
    """Commit ids from a file in git's blame-ignore-revs format (one id a line, `#` comments)."""
    revs = set()
    for line in text.splitlines():
        token = line.split("#", 1)[0].strip().lower()
        if re.fullmatch(r"[0-9a-f]{7,40}", token):
            revs.add(token)
    return frozenset(revs)


def build_histories(
    history: RepoHistory,
    ignore_revs: Iterable[str] = (),
    base: str = "",
    formats: Sequence[CardFormat] = (),
) -> dict[str, CardHistory]:
    """Every card's history, keyed by its id: the lineages alive at HEAD (`trace_lineages`).

    When two live files hold one id, the one that has held it longer keeps the key.
    """
    out: dict[str, CardHistory] = {}
    lineages = trace_lineages(history, ignore_revs, base, formats=formats)
    for traced in sorted(lineages, key=_claim_order):
        out.setdefault(traced.card_id, traced)
    return out


def _claim_order(history: CardHistory) -> tuple[dt.datetime, str]:
    claimed = history.claimed
    since = claimed.landed.committed if claimed else dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return since, history.path or ""


@dataclass(eq=False)
class _Lineage:
    """One card file followed through its paths: revisions, and the ids it has held."""

    revisions: list[CardRevision] = field(default_factory=list)
    card_id: str | None = None
    claimed: CardRevision | None = None
    id_changes: list[IdChange] = field(default_factory=list)
    last_path: str = ""
    ended_at: str | None = None  # the commit that deleted the file, while it is deleted

    def add(self, revision: CardRevision, card_id: str | None) -> None:
        self.revisions.append(revision)
        if card_id is None or card_id == self.card_id:
            return
        if self.card_id is not None:
            self.id_changes.append(IdChange(self.card_id, card_id, revision))
        self.card_id, self.claimed = card_id, revision


def trace_lineages(
    history: RepoHistory,
    ignore_revs: Iterable[str] = (),
    base: str = "",
    *,
    retired: bool = False,
    label: str = "",
    formats: Sequence[CardFormat] = (),
) -> tuple[CardHistory, ...]:
    """The history of every card file alive at HEAD, followed through its lineage; with
    `retired`, after them the lineages of the cards deleted since (their `path` is None).
    `label` is put before every path, as `collection.read_cards` puts it before the cards'.
    `formats` are the site's own card formats (`formats.format_for`).

    A lineage is one file: the same path, or the path git reports it renamed to. It goes on
    across a deletion and an addition of the same id in one commit (a move git saw as two
    changes), across a deletion and a later restore at the same path with the same id, and
    into a new file whose card lists the lineage's id in `aliases`. An id that changes inside
    a lineage is the same card renumbered (`id_changes`). Two files that held the same id at
    different times, or at once (a copy), stay two cards: their revisions never mix.
    `base` is the path of the MkDocs project inside the repository, so that parsing sees the
    same relative paths as the current cards.
    """
    ignored = tuple(ignore_revs)
    alive: dict[str, _Lineage] = {}
    ended: list[_Lineage] = []
    for revision in _deletions_first(history.revisions):
        # A path that is not UTF-8 is shown escaped: pages and links must be able to name it.
        relative = printable_path(_relative(revision.path, base))
        path = label + relative
        if revision.deleted:
            lineage = alive.pop(revision.path, None)
            if lineage is not None:
                lineage.revisions.append(CardRevision(revision, path))
                lineage.last_path, lineage.ended_at = revision.path, revision.landed.sha
                ended.append(lineage)
            continue
        reader = format_for(relative, formats)
        quick = reader.quick(revision.text, path) if revision.text is not None else None
        entry = CardRevision(revision, path, quick, reader)
        lineage = alive.pop(revision.renamed_from, None) if revision.renamed_from else None
        lineage = lineage or alive.get(revision.path)
        # The fast reader only spares work: an id it reads that differs from the lineage's
        # (or no id read at all) is decided by the full parse.
        if quick is not None and lineage is not None and quick[0] == lineage.card_id:
            card_id: str | None = quick[0]
        else:
            card_id = entry.parsed.id if entry.parsed else None
        if lineage is None:
            lineage = _continued(ended, revision, entry, card_id) or _Lineage()
        alive[revision.path] = lineage
        lineage.last_path = revision.path
        lineage.add(entry, card_id)
    boundary = history.incomplete_before
    live = tuple(
        _card_history(lineage, ignored, boundary)
        for path, lineage in sorted(alive.items())
        if lineage.card_id is not None
    )
    if not retired:
        return live
    return live + tuple(
        replace(_card_history(lineage, ignored, boundary), path=None)
        for lineage in ended
        if lineage.card_id is not None
    )


def id_claims(traced: Iterable[CardHistory]) -> dict[str, Claim]:
    """Since when each live card file (by path) has held its id: the older holder keeps it."""
    return {
        h.path: Claim(h.claimed.landed.committed, h.claimed.landed.sha)
        for h in traced
        if h.path is not None and h.claimed is not None
    }


def join_histories(
    cards: Iterable[Card], traced: Iterable[CardHistory], submodules: Sequence[str] = ()
) -> dict[str, CardHistory]:
    """Each current card's history, keyed by its id: the lineage at its path, else the one
    that holds its id (a card edited but not committed yet). `submodules` are project-relative
    folders whose cards have another repository's history."""
    by_path = {h.path: h for h in traced if h.path is not None}
    by_id = {h.card_id: h for h in sorted(by_path.values(), key=_claim_order, reverse=True)}
    out = {}
    for card in cards:
        history = by_path.get(card.path) or by_id.get(card.id) or CardHistory(card.id)
        folder = next((s for s in submodules if card.path.startswith(s.rstrip("/") + "/")), None)
        if folder is not None and not history.revisions:
            history = replace(history, damage=_submodule_damage(folder))
        out[card.id] = history if history.card_id == card.id else replace(history, card_id=card.id)
    return out


def history_problems(
    cards: Iterable[Card], histories: Mapping[str, CardHistory]
) -> tuple[Problem, ...]:
    """Damage to the history of each card, as warnings (a repository's own damage is its
    source's problem)."""
    out = []
    for card in cards:
        damage = histories[card.id].damage if card.id in histories else None
        if damage:
            out.append(
                Problem(
                    card.path,
                    f"has a damaged level history: {damage.message}",
                    damage.fix,
                    severity=Severity.WARNING,
                )
            )
    return tuple(out)


def project_folders(paths: Iterable[str], base: str, label: str = "") -> list[str]:
    """Repository-relative folders as the MkDocs project sees them (inside it only), with
    `label` before each."""
    return [label + p[len(base) :] for p in paths if p.startswith(base)]


def _submodule_damage(folder: str) -> Damage:
    return Damage(
        f"this card is inside the git submodule `{folder}`, whose history is another "
        "repository's and is not read here.",
        "Build the site in that repository, or keep the card in this one.",
    )


def _deletions_first(revisions: Sequence[Revision]) -> list[Revision]:
    """The revisions in landing order, each commit's deletions before its additions, so that a
    move git reports as a deletion and an addition finds the deleted lineage."""
    out: list[Revision] = []
    group: list[Revision] = []
    for revision in revisions:
        if group and group[0].landed.sha != revision.landed.sha:
            out += sorted(group, key=lambda r: not r.deleted)
            group = []
        group.append(revision)
    return out + sorted(group, key=lambda r: not r.deleted)


def _continued(
    ended: list[_Lineage], revision: Revision, entry: CardRevision, card_id: str | None
) -> _Lineage | None:
    """The deleted lineage a new file continues, if any (it is then alive again)."""
    if card_id is None:
        return None
    aliases = entry.card.aliases if entry.card is not None else ()
    for lineage in reversed(ended):
        same_id = lineage.card_id == card_id
        moved = same_id and lineage.ended_at == revision.landed.sha
        restored = same_id and lineage.last_path == revision.path
        if moved or restored or lineage.card_id in aliases:
            ended.remove(lineage)
            lineage.ended_at = None
            return lineage
    return None


def _card_history(
    lineage: _Lineage, ignored: tuple[str, ...], boundary: dt.datetime | None
) -> CardHistory:
    revisions = tuple(lineage.revisions)
    transitions: list[Transition] = []
    skipped: list[CardRevision] = []
    gaps: list[CardRevision] = []
    resumed: list[CardRevision] = []
    entry: int | None = None
    current: int | None = None
    after_gap = False
    used_reviews: set[Review] = set()
    for revision in revisions:
        if revision.revision.unavailable:
            gaps.append(revision)
            after_gap = True  # the level before the gap says nothing about the one after
            continue
        quick = revision.quick
        if revision.deleted or (quick is not None and quick[1] == current and not after_gap):
            continue  # the level line did not change: whatever else did, it is no transition
        card = revision.card
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
            transitions.append(Transition(len(transitions) + 1, None, card.level, ENTRY, revision))
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
                )
            )
        current = card.level
    incomplete = (
        boundary is not None and bool(revisions) and (revisions[0].landed.committed <= boundary)
    )
    assert lineage.card_id is not None  # only lineages that held an id are traced
    damage = None
    if gaps:
        versions = "1 version is" if len(gaps) == 1 else f"{len(gaps)} versions are"
        damage = Damage(
            f"{versions} missing from the repository (the first in commit "
            f"{gaps[0].landed.sha[:12]}), so no transition is shown across the gap.",
            "Repair the repository (`git fsck` says what is missing), or clone it anew.",
        )
    return CardHistory(
        lineage.card_id,
        revisions,
        tuple(transitions),
        incomplete,
        tuple(skipped),
        tuple(lineage.id_changes),
        tuple(gaps),
        tuple(resumed),
        lineage.claimed,
        revisions[-1].path if revisions else None,
        damage,
    )


def _kind(start: int, end: int, entry: int, stages: Sequence[int] = ()) -> str:
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


def _is_ignored(revision: CardRevision, ignored: tuple[str, ...]) -> bool:
    shas = (revision.revision.authored.sha, revision.landed.sha)
    return any(sha.startswith(prefix) for sha in shas for prefix in ignored)


def _relative(path: str, base: str) -> str:
    return path[len(base) :] if base and path.startswith(base) else path


def project_base(repo_root: Path | None, directory: Path) -> str:
    """The MkDocs project's folder inside the repository, as a path prefix ('' at the top)."""
    if repo_root is None:
        return ""
    try:
        rel = directory.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


def load_histories(
    directory: Path,
    include: Sequence[str] = DEFAULT_INCLUDE,
    *,
    allow_incomplete: bool = False,
    ignore_revs: Iterable[str] = (),
    timezone: str = DEFAULT_ZONE,
    formats: Sequence[CardFormat] = (),
) -> dict[str, CardHistory]:
    """Read git and return every card's history, keyed by card id (the public entry point).

    Dates are in `timezone` (an IANA name), as on the site. `formats` are card formats of the
    site's own (`mapping.read_formats`): their files are read too.
    """
    patterns = card_patterns(include, formats)
    history = read_history(directory, patterns, allow_incomplete=allow_incomplete)
    history = history_in_zone(history, time_zone(timezone))
    return build_histories(history, ignore_revs, project_base(history.root, directory), formats)
