"""What changed in readiness between two card exports (`api/cards.json`, or `trl-cards
export`): new and retired cards, id changes, and every level change since, one line each, for
a pull-request comment: `P13.2 Retina triage: level 5 → 6 (reviewed)`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .export import EXPORT_VERSION


class ExportError(Exception):
    """An export that cannot be read: the message names the file and the fix."""


@dataclass(frozen=True)
class Change:
    """One change of readiness between two exports."""

    card: str
    """The card's id in the newer export (its former id when it was retired)."""
    kind: str
    """`new`, `retired`, `renamed` (an id change), `promotion`, `switchback` or `change`."""
    text: str
    """The line to show."""

    def as_json(self) -> dict[str, str]:
        return {"card": self.card, "kind": self.kind, "text": self.text}


def read_export(path: Path) -> dict[str, Any]:
    """An export file, checked for its format version.

    Raises:
        ExportError: the file cannot be read, is not JSON, or has another format version.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ExportError(f"{path}: cannot be read ({error.strerror}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExportError(
            f"{path}: is not a card export ({error}). Fix: give a file written by "
            "`trl-cards export` or a site's `api/cards.json`."
        ) from None
    if not isinstance(data, dict) or data.get("version") != EXPORT_VERSION:
        found = data.get("version") if isinstance(data, dict) else None
        raise ExportError(
            f"{path}: has export format version {found!r}; this trl-cards reads version "
            f"{EXPORT_VERSION}. Fix: export both files with the same trl-cards."
        )
    if not isinstance(data.get("cards"), list):
        raise ExportError(f"{path}: has no `cards` list. Fix: export it again.")
    return data


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes from the export `old` to `new`, card by card in id order."""
    before = {c["id"]: c for c in old["cards"]}
    after = {c["id"]: c for c in new["cards"]}
    renamed = {
        former: card_id
        for card_id, card in after.items()
        for former in card.get("former_ids", [])
        if former in before and former not in after
    }
    found: list[Change] = []
    for card_id in sorted(after.keys() | before.keys()):
        card, was = after.get(card_id), before.get(card_id)
        if card is None:
            if card_id not in renamed:
                assert was is not None
                text = f"{card_id} {was['name']}: retired (was at level {was['level']})"
                found.append(Change(card_id, "retired", text))
            continue
        if was is None:
            former = next((f for f, now in renamed.items() if now == card_id), None)
            if former is None:
                text = f"{card_id} {card['name']}: new, at level {card['level']}"
                found.append(Change(card_id, "new", text))
                continue
            found.append(Change(card_id, "renamed", f"{former} is now {card_id} {card['name']}"))
            was = before[former]
        found += _level_changes(card, was)
    return found


def _level_changes(card: dict[str, Any], was: dict[str, Any]) -> list[Change]:
    seen = {(t["commit"], t["from"], t["to"]) for t in was.get("transitions", [])}
    out = []
    for t in card.get("transitions", []):
        if (t["commit"], t["from"], t["to"]) in seen or t["from"] is None:
            continue
        gate = (
            "next stage"
            if t.get("staged")
            else {True: "reviewed", False: "skipped gate"}.get(t.get("reviewed"), "")
        )
        kind_text = "" if t["kind"] == "advance" else t["kind"]
        if t.get("switchback_kind"):
            kind_text += f" ({t['switchback_kind']})"
        detail = ", ".join(x for x in (kind_text, gate) if x) or "advance"
        kind = "switchback" if t["kind"].endswith("switchback") else "promotion"
        text = f"{card['id']} {card['name']}: level {t['from']} → {t['to']} ({detail})"
        out.append(Change(card["id"], kind, text))
    if not out and card["level"] != was["level"]:  # no history to say how: the levels alone
        text = f"{card['id']} {card['name']}: level {was['level']} → {card['level']}"
        out.append(Change(card["id"], "change", text))
    return out
