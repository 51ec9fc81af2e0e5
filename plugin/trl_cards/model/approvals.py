"""Approvals joined to the cards' histories: each approval a format's approval files give
(`cards.approvals`), dated by the commit that first recorded it, becomes the review record of
the change into the stage it approves, so that the timeline says who let the component through
instead of only "next stage".

An approval is dated when its approvers first appear in the file's history, as they landed on
the built branch; a later edit that names the same people keeps that date, one that names other
people dates the approval anew. An approval file deleted later still approved what it
approved. Only the newest version of each approval file alive at HEAD is checked for problems:
an old mistake that was corrected is history, not a problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..cards.approvals import ApprovalFiles
from ..cards.card import Review
from ..cards.collection import printable_path
from ..cards.formats import CardFormat, approvals_for
from ..cards.globs import matches
from ..cards.problem import Problem
from ..history.revisions import RepoHistory, Revision
from .transitions import CardHistory

__all__ = ["ApprovalRecord", "approval_records", "join_approvals", "with_approvals"]


@dataclass(frozen=True)
class ApprovalRecord:
    """Who approved a component into a stage, in which file, and the commit that recorded it."""

    stage: str
    approvers: tuple[str, ...]
    path: str
    revision: Revision

    @property
    def date(self) -> dt.datetime:
        """When the approval landed on the built branch."""
        return self.revision.landed.committed


Records = dict[str, dict[str, ApprovalRecord]]
"""Card id -> stage -> the approval of that stage."""


def join_approvals(
    traced: Iterable[CardHistory],
    history: RepoHistory,
    formats: Sequence[CardFormat],
    base: str = "",
    label: str = "",
    exclude: Sequence[str] = (),
) -> tuple[tuple[CardHistory, ...], tuple[Problem, ...]]:
    """The card histories `traced` from `history`, with the approvals of the approval files
    in it joined (`with_approvals`), and the problems of those files; a file that `exclude`
    matches is not read, as it would not be a card."""
    if not any(f.approvals for f in formats):
        return tuple(traced), ()
    records, problems = approval_records(history.revisions, formats, base, label, exclude)
    return with_approvals(traced, records), problems


def approval_records(
    revisions: Iterable[Revision],
    formats: Sequence[CardFormat],
    base: str = "",
    label: str = "",
    exclude: Sequence[str] = (),
) -> tuple[Records, tuple[Problem, ...]]:
    """Every approval of the approval files among `revisions` (in the order they landed), by
    card id and stage, and the problems of each file's newest version alive at HEAD. Paths
    are relative to `base` (the MkDocs project in the repository) and shown after `label`."""
    records: Records = {}
    newest: dict[str, tuple[Problem, ...]] = {}
    readers: dict[str, ApprovalFiles | None] = {}
    for revision in revisions:
        relative = revision.path.removeprefix(base)  # as `lineage` shows it
        if revision.path not in readers:
            excluded = matches(relative, exclude)
            readers[revision.path] = None if excluded else approvals_for(relative, formats)
        reader = readers[revision.path]
        if reader is None:
            continue
        if revision.deleted or revision.text is None:
            newest.pop(revision.path, None)
            continue
        shown = label + printable_path(relative)
        approvals, problems = reader.read(revision.text, shown)
        newest[revision.path] = problems
        for approval in approvals:
            stages = records.setdefault(approval.card_id, {})
            known = stages.get(approval.stage)
            if known is None or known.approvers != approval.approvers:
                stages[approval.stage] = ApprovalRecord(
                    approval.stage, approval.approvers, shown, revision
                )
    return records, tuple(p for problems in newest.values() for p in problems)


def with_approvals(histories: Iterable[CardHistory], records: Records) -> tuple[CardHistory, ...]:
    """The histories, each change up into a stage that an approval names carrying that
    approval as its review record (a change that carries one already keeps it)."""
    out = []
    for history in histories:
        stages = records.get(history.card_id)
        if not stages:
            out.append(history)
            continue
        transitions = tuple(
            replace(t, review=_review(record, t.from_level, t.to_level))
            if (
                t.review is None
                and t.from_level is not None
                and t.to_level > t.from_level
                and t.to_stage is not None
                and (record := stages.get(t.to_stage)) is not None
            )
            else t
            for t in history.transitions
        )
        out.append(replace(history, transitions=transitions))
    return tuple(out)


def _review(record: ApprovalRecord, start: int, end: int) -> Review:
    authored = record.revision.authored
    return Review(
        record.date.date(),
        start,
        end,
        "approved",
        record.approvers,
        commit=authored.sha,
        record=record.path,
    )
