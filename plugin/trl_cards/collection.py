"""The cards of a folder: finding the files, loading them, checking them together."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .card import Card, ParsedCard, locate_problems, parse_card
from .problem import Problem

DEFAULT_INCLUDE = ("**/TRL.md", "**/TRL.yml", "**/TRL.yaml")
DEFAULT_EXCLUDE = ("site/**", "**/node_modules/**", "**/.*/**", "**/venv/**", "**/__pycache__/**")


@dataclass(frozen=True)
class Collection:
    """Every usable card (sorted by id) and every problem found in the card files."""

    cards: tuple[Card, ...]
    problems: tuple[Problem, ...] = ()
    files: tuple[str, ...] = ()

    def get(self, card_id: str) -> Card | None:
        """The card with this id, if there is one."""
        return next((c for c in self.cards if c.id == card_id), None)

    @property
    def failed(self) -> tuple[str, ...]:
        """Card files that could not be used at all."""
        used = {c.path for c in self.cards}
        return tuple(f for f in self.files if f not in used)


@cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob with git's `**` semantics: `**/` spans directories, `*` stays in one."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def literal_folder(pattern: str) -> str:
    """The folder part of a glob before its first wildcard: `cards` for `cards/**/TRL.md`,
    `""` for `**/TRL.md` (the pattern may match anywhere)."""
    fixed = []
    for segment in pattern.lstrip("/").split("/")[:-1]:
        if any(char in segment for char in "*?[\\"):
            break
        fixed.append(segment)
    return "/".join(fixed)


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether a POSIX relative path matches any of the globs."""
    return any(glob_regex(p).match(path) for p in patterns)


def find_card_files(
    directory: Path,
    include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
) -> list[str]:
    """Card files below `directory`, as sorted POSIX paths relative to it.

    Excluded directories are pruned rather than walked, so a `node_modules` costs nothing.
    """
    found = []
    for parent, dirs, files in os.walk(directory):
        rel = Path(parent).relative_to(directory).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs[:] = sorted(d for d in dirs if not matches(f"{prefix}{d}/-", exclude))
        found += [
            prefix + name
            for name in files
            if matches(prefix + name, include) and not matches(prefix + name, exclude)
        ]
    return sorted(found)


def watched_folders(directory: Path, include: Sequence[str], files: Iterable[str]) -> list[Path]:
    """Folders `mkdocs serve` must watch so that editing a card rebuilds the site.

    The literal folder of a pattern (`cards` in `cards/**/TRL.md`) is watched whole, so a new
    card there is seen too; a pattern that starts with a wildcard would mean watching the
    whole project (`.git` and `.cache` included), so then each card's own folder is watched.
    """
    roots: set[Path] = set()
    for pattern in include:
        folder = literal_folder(pattern)
        if folder:
            roots.add(directory / folder)
        else:
            roots.update((directory / f).parent for f in files if matches(f, [pattern]))
    outermost = sorted(r for r in roots if not any(o in r.parents for o in roots))
    return [r for r in outermost if r.is_dir()]


def load_cards(
    directory: Path,
    include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
) -> Collection:
    """Find, parse and check every card below `directory`."""
    texts = {}
    problems = []
    for path in find_card_files(directory, include, exclude):
        try:
            texts[path] = (directory / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(
                Problem(path, f"cannot be read: {error}.", "Save the card as UTF-8 text.")
            )
    collection = check_collection(
        {path: parse_card(text, path) for path, text in texts.items()}, texts
    )
    return Collection(
        collection.cards,
        tuple(problems) + collection.problems,
        tuple(sorted(set(texts) | {p.path for p in problems})),
    )


def check_collection(parsed: dict[str, ParsedCard], texts: dict[str, str]) -> Collection:
    """Check what only the whole collection can tell: unique ids, coupled ids that exist."""
    problems: list[Problem] = [p for result in parsed.values() for p in result.problems]
    owner: dict[str, str] = {}
    cards: list[Card] = []
    for path, result in sorted(parsed.items()):
        card = result.card
        if card is None:
            continue
        if card.id in owner:
            problems += locate_problems(
                [
                    Problem(
                        path,
                        f"`id` `{card.id}` is already the id of {owner[card.id]}, so this card is "
                        "left out.",
                        "Give each card its own id; ids are identities, so keep the older one.",
                        key="id",
                    )
                ],
                texts.get(path, ""),
                path,
            )
            continue
        owner[card.id] = path
        cards.append(card)
    for index, card in enumerate(cards):
        unknown = [(i, ref) for i, ref in enumerate(card.coupled) if ref not in owner]
        if not unknown:
            continue
        problems += locate_problems(
            [
                Problem(
                    card.path,
                    f"`coupled` names `{ref}`, but no card has that id, so the link is left out.",
                    "Correct the id, or add the card it refers to.",
                    key=f"coupled[{i}]",
                )
                for i, ref in unknown
            ],
            texts.get(card.path, ""),
            card.path,
        )
        cards[index] = replace(card, coupled=tuple(r for r in card.coupled if r in owner))
    return Collection(
        tuple(sorted(cards, key=lambda c: c.id)), tuple(problems), tuple(sorted(parsed))
    )
