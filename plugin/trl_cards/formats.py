"""Card formats, registered by name: discovery and history ask `format_for(path)` and never
know which format a file has.

A format is its parser (text to a validated card and its problems, never raising), its fast
id/level reader for history (which may only skip work), its writer and its JSON Schema. The
TRL card (Markdown with YAML front matter, or pure YAML) is the one format today; another
(a mapped maturity file, issue 12) is one more `CardFormat` in `FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .card import Card, ParsedCard, card_text, json_schema, parse_card, quick_fields
from .globs import matches


@dataclass(frozen=True)
class CardFormat:
    """One way of writing cards."""

    name: str
    files: tuple[str, ...]
    """Globs of the file names it reads (matched against the whole path)."""
    parse: Callable[[str, str], ParsedCard]
    """(text, path) -> the card and every problem; never raises."""
    quick: Callable[[str, str], tuple[str, int] | None]
    """(text, path) -> (id, level) when they can be read without a parse, else None."""
    write: Callable[[Card], str]
    """A card as the text of a file of this format."""
    schema: Callable[[], dict[str, Any]]
    """The format as JSON Schema, for editors."""


TRL = CardFormat(
    name="trl-card-v1",
    files=("**/*.md", "**/*.yml", "**/*.yaml"),
    parse=parse_card,
    quick=quick_fields,
    write=card_text,
    schema=json_schema,
)

FORMATS: tuple[CardFormat, ...] = (TRL,)
"""Every format, most specific first: the first whose `files` match a path reads it."""


def format_for(path: str) -> CardFormat:
    """The format that reads the file at `path` (the TRL card when no other claims it)."""
    return next((f for f in FORMATS if matches(path, f.files)), TRL)
