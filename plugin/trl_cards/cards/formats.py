"""Card formats, registered by name: discovery and history ask `format_for(path, formats)`
and never know which format a file has.

A format is its parser (text to a validated card and its problems, never raising), its fast
id/level reader for history (which may only skip work), its writer and its JSON Schema. The
TRL card (Markdown with YAML front matter, or pure YAML) is built in (`FORMATS`); a site
configures others (`formats:` in mkdocs.yml, read by `mapping`), which are passed in, first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .approvals import ApprovalFiles
from .card import Card, ParsedCard
from .fields import json_schema
from .globs import matches
from .problem import Problem
from .trl import card_text, locate_problems, parse_card, quick_fields


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
    locate: Callable[[Sequence[Problem], str, str], list[Problem]] = lambda found, *_: list(found)
    """(problems, text, path) -> the problems found outside the parser (a duplicate id, an
    unknown coupled id) with the lines of their keys in this file (by default, none)."""
    approvals: ApprovalFiles | None = None
    """Other files that name who approved its cards into a stage (`approvals:` of a mapped
    format), read from the history and joined by id."""


TRL = CardFormat(
    name="trl-card-v1",
    files=("**/*.md", "**/*.yml", "**/*.yaml"),
    parse=parse_card,
    quick=quick_fields,
    locate=locate_problems,
    write=card_text,
    schema=json_schema,
)

FORMATS: tuple[CardFormat, ...] = (TRL,)
"""Every format, most specific first: the first whose `files` match a path reads it."""


def format_for(path: str, formats: Sequence[CardFormat] = ()) -> CardFormat:
    """The format that reads the file at `path`: the first of a site's own `formats` whose
    files match it, else of the built-in ones (the TRL card when no other claims it)."""
    return next((f for f in (*formats, *FORMATS) if matches(path, f.files)), TRL)


def card_patterns(include: Sequence[str], formats: Sequence[CardFormat]) -> tuple[str, ...]:
    """The globs of every card file: `include`, and the files of a site's own formats (a file
    that a configured format reads is a card without being listed in `include`)."""
    return tuple(dict.fromkeys((*include, *(g for f in formats for g in f.files))))


def history_patterns(include: Sequence[str], formats: Sequence[CardFormat]) -> tuple[str, ...]:
    """The globs of every file whose history is read: the card files, and the approval files
    of a site's own formats."""
    approvals = (g for f in formats if f.approvals for g in f.approvals.files)
    return tuple(dict.fromkeys((*card_patterns(include, formats), *approvals)))


def approvals_for(path: str, formats: Sequence[CardFormat]) -> ApprovalFiles | None:
    """The approval files of a site's own formats that `path` is one of, if any: such a file
    is never a card."""
    return next(
        (f.approvals for f in formats if f.approvals and matches(path, f.approvals.files)), None
    )
