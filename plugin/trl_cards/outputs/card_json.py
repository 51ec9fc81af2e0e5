"""The card JSON (`readiness/api/cards.json`): every card and its transitions, a public
machine-readable interface; and the export a repository's CI makes (`trl-cards export`), the
same document with the repository's source and whole history."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..cards.card import Card
from ..cards.collection import Collection, printable_path, read_card_file
from ..cards.levels import level
from ..history.revisions import RepoHistory
from ..model.analytics import System
from ..model.exports import Export, export_document
from ..model.gates import Finding
from ..model.goals import GoalProgress
from ..model.lineage import project_folders
from ..model.pipeline import Project
from ..model.site import Site
from ..model.targets import TargetPlan
from ..model.transitions import CardHistory
from .made import Memo

EXPORT_VERSION = 1


def project_json(project: Project, memo: Memo | None = None) -> str:
    """The export of a project (`build_project`, `trl_cards.load_project`), as the site
    writes it to `api/cards.json`."""
    return cards_json(
        project.collection,
        project.histories,
        project.site,
        project.now,
        project.analytics.systems,
        memo,
        project.findings_of,
        project.analytics.targets,
        project.goals,
    )


def source_json(project: Project, name: str, url: str | None) -> str:
    """`trl-cards export`: the card JSON, and the source a readiness site of many repositories
    is built from (`sources: - exports:`): this repository's card files and their whole
    history, named `name`, with `url` its web view."""
    document = json.loads(project_json(project))
    directory = project.settings.directory
    files = {}
    for path in project.collection.files:
        # Read as the cards were (bytes that are not UTF-8 replaced; a file too big or not a
        # regular file left out, its problem already in the collection).
        text = read_card_file(directory, path)[0] if project.site.source_of(path) is None else None
        if text is not None:
            files[path] = text
    base = project.lineages.base
    document["source"] = export_document(
        Export(
            name=name,
            url=url,
            commit_url=project.settings.commit_url,
            branch=project.history.branch,
            base=base,
            ignore_revs=tuple(project.lineages.ignore_revs),
            submodules=tuple(project_folders(project.history.submodules, base)),
            files=files,
            history=_shown_paths(project.history),
        )
    )
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _shown_paths(history: RepoHistory) -> RepoHistory:
    """The history with its paths as the site shows them: a path that is not UTF-8 (git
    allows any bytes) has its bytes as `\\xNN` escapes, so that the export is UTF-8 JSON
    that a site can read; the card's pages already name it so."""
    return replace(
        history,
        revisions=tuple(
            replace(
                r,
                path=printable_path(r.path),
                renamed_from=None if r.renamed_from is None else printable_path(r.renamed_from),
            )
            for r in history.revisions
        ),
    )


def cards_json(
    collection: Collection,
    histories: Mapping[str, CardHistory],
    site: Site,
    generated: dt.datetime,
    systems: Mapping[str, System] | None = None,
    memo: Memo | None = None,
    findings: Mapping[str, Sequence[Finding]] | None = None,
    targets: Mapping[str, TargetPlan] | None = None,
    goals: Sequence[GoalProgress] = (),
) -> str:
    """The export, as stable, sorted JSON text (documented in docs/export.md). `systems` are
    the analytics' systems (`Project.analytics.systems`); `memo` keeps each card's text for
    the next build (`mkdocs serve`), which encodes again only the cards that changed.
    `targets` are the cards' targets as judged on the day (`Project.analytics.targets`),
    `goals` the organisation's goals on that day (`Project.goals`)."""
    systems = systems or {}
    targets = targets or {}
    texts = []
    for card in collection.cards:
        system = systems.get(card.id)
        history = histories.get(card.id, CardHistory(card.id))
        found = tuple(findings.get(card.id, ())) if findings else ()
        plan = targets.get(card.id)
        inputs = (card, history, system, site, found, plan)
        text: str | None = memo.recall("card json", card.id, inputs) if memo else None
        if text is None:
            document = _card(card, history, system, site, found) | {"target": _target(plan)}
            encoded = json.dumps(document, indent=1, ensure_ascii=False)
            text = "  " + encoded.replace("\n", "\n  ")  # in `cards`, two deeper
            if memo is not None:
                memo.keep("card json", card.id, inputs, text)
        texts.append(text)
    cards = "[\n" + ",\n".join(texts) + "\n ]" if texts else "[]"
    listed = json.dumps([_goal(g, site) for g in goals], indent=1, ensure_ascii=False)
    # As `json.dumps(document, indent=1)` writes it; a card's text is made once per edit.
    return (
        f'{{\n "version": {EXPORT_VERSION},\n "generated": '
        f"{json.dumps(generated.isoformat(timespec='seconds'))},\n"
        f' "cards": {cards},\n "goals": {listed.replace(chr(10), chr(10) + " ")}\n}}\n'
    )


def _goal(progress: GoalProgress, site: Site) -> dict[str, Any]:
    """One goal of the organisation, on the day of the build (documented in docs/export.md)."""
    goal = progress.goal
    return {
        "name": goal.name,
        "url": site.urls.url(site.urls.goal(progress.slug)),
        "level": goal.level,
        "date": goal.date.isoformat(),
        "select": {
            "tags": list(goal.tags),
            "owners": list(goal.owners),
            "repository": list(goal.repositories),
            "phase": list(goal.phases),
            "min_level": goal.min_level,
        },
        "status": progress.status,
        "met_on": progress.met_on.isoformat() if progress.met_on else None,
        "cards": list(progress.cards),
        "short": [
            {"id": card_id, "expected": day.isoformat() if day else None}
            for card_id, day in progress.short
        ],
        "burnup": [{"date": when.isoformat(), "count": count} for when, count in progress.burnup],
    }


def _target(plan: TargetPlan | None) -> dict[str, Any] | None:
    """A card's target, its status on the day of the build, and each time it was set, moved
    or removed (documented in docs/export.md)."""
    if plan is None:
        return None
    return {
        "level": plan.target.level,
        "date": plan.target.date.isoformat(),
        "reason": plan.target.reason,
        "status": plan.status,
        "reached": plan.reached.isoformat() if plan.reached else None,
        "expected": plan.expected.isoformat() if plan.expected else None,
        "changes": [
            {
                "kind": c.kind,
                "level": c.target.level if c.target else None,
                "date": c.target.date.isoformat() if c.target else None,
                "landed": c.date.isoformat(),
                "author": c.author,
                "commit": c.sha,
            }
            for c in plan.changes
        ],
    }


def _card(
    card: Card,
    history: CardHistory,
    system: System | None,
    site: Site,
    findings: Sequence[Finding] = (),
) -> dict[str, Any]:
    """One card of the export."""
    url = site.urls.url(site.urls.card(card.id))
    return {
        "id": card.id,
        "name": card.name,
        "path": card.path,
        "repository": site.repository_of(card.path),
        "url": url,
        "level": card.level,
        "phase": level(card.level).phase.key,
        "owners": list(card.owners),
        "tags": list(card.tags),
        "coupled": list(card.coupled),
        "parts": list(card.parts),
        "system_level": system.level if system else None,
        "system_held_by": system.held_by if system else None,
        "history_incomplete": history.incomplete,
        "history_damage": history.damage.message if history.damage else None,
        "former_ids": [c.from_id for c in history.id_changes],
        "stage": card.stage,
        "closed": card.closed,
        "closures": [
            {
                "status": c.status,
                "date": c.date.isoformat(),
                "commit": c.revision.revision.authored.sha,
            }
            for c in history.closures
        ],
        "transitions": [
            {
                "number": t.number,
                "from": t.from_level,
                "to": t.to_level,
                "from_stage": t.from_stage,
                "to_stage": t.to_stage,
                "date": t.date.isoformat(),
                "kind": t.kind,
                "switchback_kind": t.switchback_kind,
                "reviewed": t.reviewed if t.gated else None,
                "staged": t.staged,
                "approval": None
                if t.review is None or t.review.commit is None
                else {
                    "approvers": list(t.review.reviewers),
                    "date": t.review.date.isoformat(),
                    "commit": t.review.commit,
                    "file": t.review.record,
                },
                "gate": t.gate or None,
                "exemption": None
                if t.review is None or not t.review.exemption
                else {
                    "reason": t.review.reason,
                    "approver": t.review.approver,
                    "expires": t.review.expires.isoformat() if t.review.expires else None,
                    "date": t.review.date.isoformat(),
                },
                "commit": t.revision.revision.authored.sha,
                "landed_commit": t.revision.landed.sha,
                "author": t.revision.revision.authored.author,
                "url": f"{url}#{t.anchor}",
            }
            for t in history.transitions
        ],
        "findings": [
            {
                "kind": f.kind,
                "message": f.message,
                "fix": f.fix,
                "problem": f.problem,
                "transition": f"{url}#{f.transition.anchor}" if f.transition else None,
            }
            for f in findings
        ],
    }
