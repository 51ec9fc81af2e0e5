"""The files of another format (`formats:` in mkdocs.yml) and their keys: which kind a file is
(YAML, JSON, Markdown with front matter) and its keys as loaded (`load_document`), a key
through nested mappings (`maturity.stage`), a value the card needs, and the last part of a key,
for a fix."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from .kinds import DUPLICATES, Report, Unreadable
from .trl import MAX_FILE_CHARS
from .yamldoc import load_yaml, split_front_matter, yaml_error

__all__ = [
    "Document",
    "Unloadable",
    "file_kind",
    "leaf",
    "load_document",
    "load_json",
    "lookup",
    "required",
    "written_twice",
]


@dataclass(frozen=True)
class Document:
    """A file's keys as loaded, with the text they came from."""

    data: dict[Any, Any]
    source: str
    """The YAML or JSON the keys were read from (a Markdown file's front matter)."""
    body: str
    """A Markdown file's text after its front matter; empty for YAML and JSON."""
    first_line: int
    """The line of the file where `source` starts."""


@dataclass(frozen=True)
class Unloadable:
    """Why a file has no keys to read: what is wrong, the fix and the line."""

    message: str
    fix: str
    line: int | None = None


def written_twice(document: Document, path: str, keys: Iterable[str], report: Report) -> None:
    """Report each of `keys` (key paths the format reads) whose first part the file writes
    twice: YAML and JSON keep the last one, so a reader of the file may see another value."""
    language = "JSON" if file_kind(path) == "json" else "YAML"
    twice = set(document.data.get(DUPLICATES, ())) & {key.split(".")[0] for key in keys}
    for key in sorted(twice):
        report(
            key,
            f"is written twice; {language} keeps only the last one.",
            "Remove the line you do not mean, so that a reader sees what the site shows.",
            kept=True,
        )


def load_document(text: str, path: str, where: str) -> Document | Unloadable:
    """The keys of a file of the format `where` (an entry of mkdocs.yml) read as its name
    says (`file_kind`), or why it has none."""
    if len(text) > MAX_FILE_CHARS:
        return Unloadable(
            f"is {len(text):,} characters long; a card may have {MAX_FILE_CHARS:,}.",
            "Move long material to linked documents.",
        )
    source, body, first_line = text.removeprefix("\ufeff"), "", 1
    kind = file_kind(path)
    if kind == "markdown":
        split = split_front_matter(text)
        if split is None:
            return Unloadable(
                f"has no YAML front matter, so the format `{where}` of mkdocs.yml cannot read "
                "its keys.",
                "Start the file with a `---` line, its keys, and another `---` line; the "
                "Markdown after it is the card's text.",
                1,
            )
        source, body, first_line = split
    try:
        data = load_json(source) if kind == "json" else load_yaml(source)
    except json.JSONDecodeError as error:
        return Unloadable(
            f"is not JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
            f"Correct the JSON, or leave the file out of `{where}.files` in mkdocs.yml.",
            error.lineno,
        )
    except yaml.YAMLError as error:
        message, fix, line = yaml_error(error, source)
        return Unloadable(message, fix, None if line is None else first_line + line)
    if not isinstance(data, dict):
        shape = 'a JSON object (`{"key": value}`)' if kind == "json" else "`key: value` lines"
        return Unloadable(
            f"is not a mapping of keys, so it is not a file that the format `{where}` of "
            "mkdocs.yml can read.",
            f"Write {shape}, or leave the file out of `{where}.files`.",
            first_line,
        )
    return Document(data, source, body, first_line)


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
