"""`api/cards.json`: every card and its transitions, a public machine-readable interface."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from .analytics import System
from .collection import Collection
from .levels import level
from .pipeline import Project
from .site import Site
from .timeline import CardHistory

EXPORT_VERSION = 1


def project_json(project: Project) -> str:
    """The export of a project (`build_project`, `trl_cards.load_project`), as the site
    writes it to `api/cards.json`."""
    return cards_json(
        project.collection,
        project.histories,
        project.site,
        project.now,
        project.analytics.systems,
    )


def cards_json(
    collection: Collection,
    histories: Mapping[str, CardHistory],
    site: Site,
    generated: dt.datetime,
    systems: Mapping[str, System] | None = None,
) -> str:
    """The export, as stable, sorted JSON text (documented in docs/export.md). `systems` are
    the analytics' systems (`Project.analytics.systems`)."""
    systems = systems or {}
    cards = []
    for card in collection.cards:
        system = systems.get(card.id)
        history = histories.get(card.id, CardHistory(card.id))
        url = site.urls.url(site.urls.card(card.id))
        cards.append(
            {
                "id": card.id,
                "name": card.name,
                "path": card.path,
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
                "history_damage": history.damage,
                "former_ids": [c.from_id for c in history.id_changes],
                "transitions": [
                    {
                        "number": t.number,
                        "from": t.from_level,
                        "to": t.to_level,
                        "date": t.date.isoformat(),
                        "kind": t.kind,
                        "switchback_kind": t.switchback_kind,
                        "reviewed": t.reviewed if t.gated else None,
                        "commit": t.revision.revision.authored.sha,
                        "landed_commit": t.revision.landed.sha,
                        "author": t.revision.revision.authored.author,
                        "url": f"{url}#{t.anchor}",
                    }
                    for t in history.transitions
                ],
            }
        )
    document: dict[str, Any] = {
        "version": EXPORT_VERSION,
        "generated": generated.isoformat(timespec="seconds"),
        "cards": cards,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
