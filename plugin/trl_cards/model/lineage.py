"""Following card files through git: each file's lineage (its paths across renames, moves,
restores and aliases, and the ids it held), joined to the current cards by path or id, and the
histories of the cards of a folder read from git in one call (`load_histories`). Pure
functions over the revisions `history` reads, but for that one entry point."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..cards.card import Card
from ..cards.collection import DEFAULT_INCLUDE, Claim, printable_path
from ..cards.formats import CardFormat, approvals_for, format_for, history_patterns
from ..cards.problem import Problem, Severity
from ..history.clock import DEFAULT_ZONE, history_in_zone, time_zone
from ..history.repository import read_history
from ..history.revisions import Damage, RepoHistory, Revision
from .approvals import join_approvals
from .transitions import CardHistory, CardRevision, IdChange, card_history


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
    lineages, _ = join_approvals(
        trace_lineages(history, ignore_revs, base, formats=formats), history, formats, base
    )
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
        relative = printable_path(relative_path(revision.path, base))
        path = label + relative
        if revision.deleted:
            lineage = alive.pop(revision.path, None)
            if lineage is not None:
                lineage.revisions.append(CardRevision(revision, path))
                lineage.last_path, lineage.ended_at = revision.path, revision.landed.sha
                ended.append(lineage)
            continue
        if approvals_for(relative, formats) is not None:
            continue  # an approval file is never a card (`approvals.join_approvals` reads it)
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
        _lineage_history(lineage, ignored, boundary)
        for path, lineage in sorted(alive.items())
        if lineage.card_id is not None
    )
    if not retired:
        return live
    return live + tuple(
        replace(_lineage_history(lineage, ignored, boundary), path=None)
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


def _lineage_history(
    lineage: _Lineage, ignored: tuple[str, ...], boundary: dt.datetime | None
) -> CardHistory:
    assert lineage.card_id is not None  # only lineages that held an id are traced
    return card_history(
        lineage.card_id,
        tuple(lineage.revisions),
        ignored,
        boundary,
        tuple(lineage.id_changes),
        lineage.claimed,
    )


def relative_path(path: str, base: str) -> str:
    """A repository path relative to the MkDocs project at `base` (a path prefix)."""
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
    patterns = history_patterns(include, formats)
    history = read_history(directory, patterns, allow_incomplete=allow_incomplete)
    history = history_in_zone(history, time_zone(timezone))
    return build_histories(history, ignore_revs, project_base(history.root, directory), formats)
