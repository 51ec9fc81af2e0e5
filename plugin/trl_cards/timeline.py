"""The life of each card: its revisions joined by id, its level transitions, its reviewed gates.

Pure functions over the raw revisions that `history` reads; nothing here touches git.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .card import Card, ParsedCard, Review, parse_card
from .collection import DEFAULT_INCLUDE, printable_path
from .fields import ID_PATTERN
from .history import Commit, RepoHistory, Revision, read_history
from .yamldoc import split_front_matter

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

    @functools.cached_property
    def parsed(self) -> ParsedCard | None:
        """The full parse and validation of this revision; None for a deletion."""
        text = self.revision.text
        return None if text is None else parse_card(text, self.path)

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
        return self.revision.text is None


@dataclass(frozen=True)
class Transition:
    """A change of level between consecutive valid revisions of a card, as it landed."""

    number: int  # 1-based position in the card's timeline: the stable anchor `transition-N`
    from_level: int | None  # None for the entry
    to_level: int
    kind: str  # entry, advance, skip, switchback, invalid switchback
    revision: CardRevision
    switchback_kind: str | None = None  # discovery, embedded or review
    review: Review | None = None

    @property
    def anchor(self) -> str:
        """The HTML id of this transition's row on the card page."""
        return f"transition-{self.number}"

    @property
    def date(self) -> dt.datetime:
        """When the change landed on the built branch."""
        return self.revision.landed.committed

    @property
    def gated(self) -> bool:
        """Whether a gated review should have decided this change (every change but entry)."""
        return self.kind != ENTRY

    @property
    def reviewed(self) -> bool:
        """Whether the revision that made the change carries the review record of the gate."""
        return self.review is not None


@dataclass(frozen=True)
class CardHistory:
    """Everything history tells about one card."""

    card_id: str
    revisions: tuple[CardRevision, ...] = ()
    transitions: tuple[Transition, ...] = ()
    incomplete: bool = False  # history starts at a shallow clone's boundary: older is unknown
    ignored: tuple[CardRevision, ...] = field(default=())  # level changes in ignored commits

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
        return tuple(r for r in self.revisions if r.checked and not r.deleted and r.card is None)


_TOP_LEVEL = re.compile(r"^(id|level):[ \t]*(.*?)[ \t]*(?:[ \t]#.*)?$", re.M)
# Plain scalars YAML would not read as text: numbers, booleans, null.
_NOT_TEXT = re.compile(
    r"[-+]?(\d[\d_]*)?(\.[\d_]*)?([eE][-+]?\d+)?|yes|no|true|false|on|off|y|n|null|~", re.I
)


def quick_fields(text: str, path: str) -> tuple[str, int] | None:
    """A revision's `id` and `level` read by pattern, or None when only a parse can tell.

    Exact for what it answers: both keys once at the top level, a plain or simply quoted id
    that YAML reads as text, a single-digit level.
    """
    if path.endswith((".yml", ".yaml")):
        source = text
    else:
        split = split_front_matter(text)
        if split is None:
            return None
        source = split[0]
    pairs = _TOP_LEVEL.findall(source)
    found = dict(pairs)
    if len(pairs) != 2 or len(found) != 2:
        return None
    card_id, level = found["id"], found["level"]
    if len(card_id) > 1 and card_id[0] == card_id[-1] and card_id[0] in "\"'":
        card_id = card_id[1:-1]
    elif _NOT_TEXT.fullmatch(card_id):
        return None
    if not re.fullmatch(ID_PATTERN, card_id) or not re.fullmatch(r"[0-9]", level):
        return None
    return card_id, int(level)


def read_ignore_revs(text: str) -> frozenset[str]:
    """Commit ids from a file in git's blame-ignore-revs format (one id a line, `#` comments)."""
    revs = set()
    for line in text.splitlines():
        token = line.split("#", 1)[0].strip().lower()
        if re.fullmatch(r"[0-9a-f]{7,40}", token):
            revs.add(token)
    return frozenset(revs)


def build_histories(
    history: RepoHistory, ignore_revs: Iterable[str] = (), base: str = ""
) -> dict[str, CardHistory]:
    """Join every revision to its card by id and derive each card's transitions.

    A card's identity is its `id`; rename edges identify revisions whose id cannot be read (a
    broken revision). `base` is the path of the MkDocs project inside the repository, so that
    parsing sees the same relative paths as the current cards.
    """
    ignored = tuple(ignore_revs)
    owner_of_path: dict[str, str] = {}
    revisions: dict[str, list[CardRevision]] = {}
    for revision in history.revisions:
        # A path that is not UTF-8 is shown escaped: pages and links must be able to name it.
        path = printable_path(_relative(revision.path, base))
        if revision.text is None:
            card_id = owner_of_path.pop(revision.path, None)
            if card_id is not None:
                revisions[card_id].append(CardRevision(revision, path))
            continue
        entry = CardRevision(revision, path, quick_fields(revision.text, path))
        card_id = entry.quick[0] if entry.quick else entry.parsed.id if entry.parsed else None
        if card_id is None and revision.renamed_from is not None:
            card_id = owner_of_path.get(revision.renamed_from)
        if card_id is None:
            card_id = owner_of_path.get(revision.path)
        if revision.renamed_from is not None:
            owner_of_path.pop(revision.renamed_from, None)
        if card_id is None:
            continue  # never readable, never linked to a card: nothing to join it to
        owner_of_path[revision.path] = card_id
        revisions.setdefault(card_id, []).append(entry)
    boundary = history.incomplete_before
    return {
        card_id: _card_history(card_id, tuple(revs), ignored, boundary)
        for card_id, revs in revisions.items()
    }


def _card_history(
    card_id: str,
    revisions: tuple[CardRevision, ...],
    ignored: tuple[str, ...],
    boundary: dt.datetime | None,
) -> CardHistory:
    transitions: list[Transition] = []
    skipped: list[CardRevision] = []
    entry: int | None = None
    current: int | None = None
    used_reviews: set[Review] = set()
    for revision in revisions:
        quick = revision.quick
        if revision.deleted or (quick is not None and quick[1] == current):
            continue  # the level line did not change: whatever else did, it is no transition
        card = revision.card
        if card is None or card.level == current:
            continue
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
            transitions.append(
                Transition(
                    len(transitions) + 1,
                    current,
                    card.level,
                    _kind(current, card.level, entry if entry is not None else card.level),
                    revision,
                    _switchback_kind(current, card.level, review),
                    review,
                )
            )
        current = card.level
    incomplete = (
        boundary is not None and bool(revisions) and (revisions[0].landed.committed <= boundary)
    )
    return CardHistory(card_id, revisions, tuple(transitions), incomplete, tuple(skipped))


def _kind(start: int, end: int, entry: int) -> str:
    if end > start:
        return ADVANCE if end == start + 1 else SKIP
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
) -> dict[str, CardHistory]:
    """Read git and return every card's history, keyed by card id (the public entry point)."""
    history = read_history(directory, include, allow_incomplete=allow_incomplete)
    return build_histories(history, ignore_revs, project_base(history.root, directory))
