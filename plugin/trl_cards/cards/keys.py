"""The files of another format (`formats:` in mkdocs.yml) and their keys: which kind a file is
(YAML, JSON, Markdown with front matter), a key through nested mappings (`maturity.stage`), a
value the card needs, and the last part of a key, for a fix."""

from __future__ import annotations

import json
import re
from typing import Any

from .kinds import DUPLICATES, Report, Unreadable

__all__ = ["file_kind", "leaf", "load_json", "lookup", "required"]


def lookup(data: dict[Any, Any], key: str) -> tuple[bool, Any]:
    """(present, value) of a key path through nested mappings."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def leaf(key: str) -> str:
    """The last part of a key path, as it is written in the file (`stage` of `maturity.stage`)."""
    return re.sub(r"(\[\d+\])+$", "", key).rsplit(".", 1)[-1]


def required(data: dict[Any, Any], key: str, role: str, what: str, report: Report) -> Any:
    """The value at `key`, of which `role` is made; None, reported, when it is missing, empty
    or unreadable (`what` is what to write there)."""
    present, value = lookup(data, key)
    if not present or value is None:
        report(
            key,
            f"{'is missing' if not present else 'has no value'}, and {role}.",
            f"Write {what} after `{leaf(key)}:`.",
        )
        return None
    if isinstance(value, Unreadable):
        report(key, *value.describe())
        return None
    return value


def file_kind(path: str) -> str:
    """How a file of a format is read, from its name: `markdown` (YAML front matter, then the
    card's text), `json`, or `yaml`."""
    lower = path.lower()
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    return "json" if lower.endswith(".json") else "yaml"


def load_json(source: str) -> Any:
    """A JSON document, each object with the keys written twice in it listed under
    `DUPLICATES`, as the YAML loader lists them: `json` itself keeps the last one silently."""

    def pairs(items: list[tuple[str, Any]]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, value in items:
            if key in out:
                out.setdefault(DUPLICATES, []).append(key)
            out[key] = value
        return out

    return json.loads(source, object_pairs_hook=pairs)
