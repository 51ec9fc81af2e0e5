"""What changed in readiness between two card exports (`api/cards.json`, or `trl-cards
export`): new and retired cards, id changes, and every level change since, one line each, for
a pull-request comment: `P13.2 Retina triage: level 5 → 6 (reviewed)`, with which gates a
change passes (reviewed, approved, passed by exemption) and which it lacks (a skipped gate, a
required gate's missing record, and what the gate checks found)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cards.border import RefusedError, excerpt, load_json, read_regular_file, unicode_problem
from ..cards.problem import FixableError
from ..outputs.card_json import EXPORT_VERSION


class ExportError(FixableError):
    """An export that cannot be read: what is wrong with it (naming the file), and the fix."""


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


MAX_EXPORT_BYTES = 128 << 20
"""The largest export read (as a site reads one: `sources.MAX_EXPORT_BYTES`)."""


def read_export(path: Path) -> dict[str, Any]:
    """An export file, checked for its format version and for the shape of every card and
    transition `changes` reads, at the border: a regular file within limits, valid UTF-8
    JSON, each value of the type the format gives it.

    Raises:
        ExportError: the file cannot be read, is not JSON, has another format version, or
            a card in it is not as `trl-cards export` writes one; the message names the file,
            the card and the fix.
    """
    try:
        data = load_json(
            read_regular_file(path, MAX_EXPORT_BYTES), max_values=4_000_000, max_depth=32
        )
    except RefusedError as refused:
        raise ExportError(
            f"{path}: is not a card export: it {refused.message}",
            "Give a file written by `trl-cards export`, or a site's `readiness/api/cards.json`.",
        ) from None
    if not isinstance(data, dict) or data.get("version") != EXPORT_VERSION:
        found = data.get("version") if isinstance(data, dict) else None
        raise ExportError(
            f"{path}: has export format version {excerpt(found)}; this trl-cards reads version "
            f"{EXPORT_VERSION}.",
            "Export both files with the same trl-cards.",
        )
    cards = data.get("cards")
    if not isinstance(cards, list):
        raise ExportError(f"{path}: has no `cards` list.", "Export it again.")
    for index, card in enumerate(cards):
        problem = _card_problem(card)
        if problem:
            raise ExportError(
                f"{path}: `cards[{index}]` {problem}.",
                "Export it again with `trl-cards export`; a file edited by hand is the usual "
                "cause.",
            )
    return data


def _card_problem(card: object) -> str | None:
    """Why `card` is not a card of the export format, as far as `changes` reads it."""
    if not isinstance(card, dict):
        return f"is {excerpt(card)}, not a card"
    for key, kinds in _CARD_KEYS:
        value = card.get(key)
        if type(value) not in kinds:
            return f"has `{key}` {excerpt(value)}, not {kinds[0].__name__}"
        if isinstance(value, str) and (problem := unicode_problem(value)):
            return f"has a `{key}` that {problem}"
    former = card.get("former_ids", [])
    if not isinstance(former, list) or not all(type(f) is str for f in former):
        return "has `former_ids` that are not a list of ids"
    transitions = card.get("transitions", [])
    if not isinstance(transitions, list):
        return "has `transitions` that are not a list"
    problem = _records_problem(transitions, "transitions", "a transition", _TRANSITION_KEYS)
    findings = card.get("findings", [])
    if not isinstance(findings, list):
        return "has `findings` that are not a list"
    return problem or _records_problem(findings, "findings", "a finding", _FINDING_KEYS)


def _records_problem(
    records: list[Any], name: str, noun: str, keys: tuple[tuple[str, tuple[type, ...]], ...]
) -> str | None:
    """Why an item of the list `name` is not `noun` as `changes` reads it, if one is not."""
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            return f"has `{name}[{number}]` {excerpt(record)}, not {noun}"
        for key, kinds in keys:
            if type(record.get(key)) not in kinds:
                return f"has `{name}[{number}].{key}` {excerpt(record.get(key))}"
    return None


_NONE = type(None)
_CARD_KEYS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("id", (str,)),
    ("name", (str,)),
    ("level", (int,)),
)
_TRANSITION_KEYS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("commit", (str,)),
    ("from", (int, _NONE)),
    ("to", (int,)),
    ("kind", (str,)),
    ("switchback_kind", (str, _NONE)),
    ("reviewed", (bool, _NONE)),
    ("staged", (bool, _NONE)),
    ("gate", (str, _NONE)),
    ("url", (str, _NONE)),
)
"""What `changes` reads of a transition, with the JSON types it may have (absent is None)."""
_FINDING_KEYS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("kind", (str,)),
    ("problem", (bool, _NONE)),
    ("transition", (str, _NONE)),
)
"""What `changes` reads of a gate check finding (an export from before them has none)."""
_GATE_WORDS = {"exempted": "passed by exemption"}


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
    seen = {(t["commit"], t.get("from"), t["to"]) for t in was.get("transitions", [])}
    found: dict[str, list[dict[str, Any]]] = {}
    for f in card.get("findings", []):
        if f.get("transition"):
            found.setdefault(f["transition"], []).append(f)
    out = []
    for t in card.get("transitions", []):
        if (t["commit"], t.get("from"), t["to"]) in seen or t.get("from") is None:
            continue
        gate = t.get("gate")
        if gate is None:  # an export from before `gate`
            gate = (
                "next stage"
                if t.get("staged")
                else {True: "reviewed", False: "skipped gate"}.get(t.get("reviewed"), "")
            )
        gate = _GATE_WORDS.get(gate, gate)
        checks = found.get(t.get("url") or "", [])
        lacks = [f["kind"] for f in checks if f.get("problem")]
        noted = [f["kind"] for f in checks if not f.get("problem")]
        if lacks:
            gate += f"; lacks what a required gate needs: {', '.join(lacks)}"
        if noted:
            gate += f"; gate check: {', '.join(noted)}"
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
