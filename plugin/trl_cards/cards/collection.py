"""The cards of a folder: finding the files, loading them, checking them together."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from .border import RefusedError, read_regular_file
from .card import Card, ParsedCard
from .formats import TRL, CardFormat, card_patterns, format_for
from .globs import matches
from .problem import Problem, Severity
from .trl import MAX_FILE_CHARS

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


def find_card_files(
    directory: Path,
    include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
) -> list[str]:
    """Card files below `directory`, as sorted POSIX paths relative to it.

    Excluded directories are pruned rather than walked, so a `node_modules` costs nothing.
    Folders that are symbolic links are not followed (os.walk's default): every card found is
    inside `directory`. Files that match but are not regular files are listed too; reading
    them (`read_card_file`) says why they are not cards.
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


def printable_path(path: str) -> str:
    """A path as it can be shown and written: bytes that are not UTF-8 as `\\xNN` escapes."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_card_file(directory: Path, path: str) -> tuple[str | None, list[Problem]]:
    """The text of a card file (None when it cannot be one), and the problems in reading it.

    Only a regular file inside the repository is read: a symbolic link (even to a card) is
    not followed, so a committed `TRL.yml -> /etc/passwd` leaks nothing, and a FIFO or a
    device is never opened for reading (a FIFO would hang the build, `/dev/zero` fill memory).
    At most 4 MiB are read. Bytes that are not UTF-8 are replaced, with a warning: one bad
    byte must not cost the whole card.
    """
    shown = printable_path(path)
    if shown != path:
        return None, [
            Problem(
                shown,
                "has a name that is not UTF-8, so no page or link can name it.",
                "Rename the file or its folder with UTF-8 characters (`git mv`).",
            )
        ]
    try:
        data = read_regular_file(directory / path, _MAX_FILE_BYTES)
    except RefusedError as refused:
        return None, [_refused(path, refused)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return data.decode("utf-8", "replace"), [
            Problem(
                path,
                f"is not all UTF-8 text: byte {data[error.start]:#04x} and any others like it "
                "are shown as `\ufffd`.",
                "Save the card as UTF-8 text.",
                line=line,
                severity=Severity.WARNING,
            )
        ]


_MAX_FILE_BYTES = 4 * MAX_FILE_CHARS


def _refused(path: str, refused: RefusedError) -> Problem:
    """A card file the border would not read, in a card's words."""
    if refused.kind == "link":
        return Problem(
            path,
            refused.message,
            "Commit the card itself at this path instead of a link to it.",
            severity=Severity.WARNING,
        )
    if refused.kind == "special":
        return Problem(
            path,
            "is not a regular file (a FIFO, a socket or a device), so it is not read.",
            "Remove it, or exclude it with the plugin's `exclude` option.",
            severity=Severity.WARNING,
        )
    if refused.kind == "large":
        return Problem(
            path,
            f"is over {_MAX_FILE_BYTES >> 20} MiB, far more than a card.",
            "Keep the card short and link to long material.",
        )
    return Problem(path, refused.message, refused.fix)


def _unknown_reference(card: Card, key: str, index: int, ref: str, near: str | None) -> Problem:
    """`near` is the id that `ref` matches when case is ignored, if one does."""
    itself = near == card.id
    what = "is not coupled to itself" if key == "coupled" else "is not a part of itself"
    if itself:
        found = "the card itself" + ("" if ref == card.id else f" (`{card.id}`) in another case")
        fix = f"Remove it: a card {what}."
    elif near is not None:
        found = f"but no card has that id; `{near}` differs from it only in case"
        fix = f"Write it as `{near}`."
    else:
        found = "but no card has that id"
        fix = "Correct the id, or add the card it refers to."
    return Problem(
        card.path,
        f"`{key}` names `{ref}`, {found}, so the link is left out.",
        fix,
        key=f"{key}[{index}]",
        severity=Severity.WARNING,
    )


def _duplicate(card: Card, first: Card, claims: Mapping[str, Claim]) -> Problem:
    same = "is already" if first.id == card.id else f"differs only in case from `{first.id}`,"
    held, took = claims.get(first.path), claims.get(card.path)
    if held is None:
        since = " (without history to tell which is older, the first by path keeps it)"
    else:
        since = f", which has held it since {held.since:%Y-%m-%d} (commit {held.commit[:8]})"
    if took is not None:
        since += f"; this file took it on {took.since:%Y-%m-%d} (commit {took.commit[:8]})"
    elif held is not None:
        since += "; this file is not committed yet"
    return Problem(
        card.path,
        f"`id` `{card.id}` {same} the id of {first.path}{since}, so this card is left out.",
        "Give this card an id of its own; ids are identities, so the older card keeps its id."
        + (
            ""
            if first.id == card.id
            else " Pages of ids that differ only in case would overwrite each other on "
            "case-insensitive disks."
        ),
        key="id",
    )


@dataclass(frozen=True)
class CardFiles:
    """The card files of one folder, read and parsed but not yet checked together."""

    parsed: dict[str, ParsedCard]
    texts: dict[str, str]
    problems: tuple[Problem, ...] = ()  # files that could not be read
    formats: dict[str, CardFormat] = field(default_factory=dict)
    """The format of each file (by default, the TRL card)."""


def read_cards(
    directory: Path,
    include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    label: str = "",
    formats: Sequence[CardFormat] = (),
) -> CardFiles:
    """Find, read and parse every card below `directory`. `label` is put before each path
    (`vision/`), so the cards of several repositories keep apart in one collection.
    `formats` are the site's own card formats: their files are cards too."""
    texts = {}
    problems: list[Problem] = []
    for path in find_card_files(directory, card_patterns(include, formats), exclude):
        text, found = read_card_file(directory, path)
        problems += [replace(p, path=label + p.path) for p in found] if label else found
        if text is not None:
            texts[label + path] = text
    return parse_cards(texts, tuple(problems), formats, label)


def parse_cards(
    texts: dict[str, str],
    problems: tuple[Problem, ...] = (),
    formats: Sequence[CardFormat] = (),
    label: str = "",
) -> CardFiles:
    """Card files given as their texts (by path), parsed, each by the format its path has
    under `label` (`formats.format_for`)."""
    today = dt.date.today()
    readers = {path: format_for(path.removeprefix(label), formats) for path in texts}
    return CardFiles(
        {path: _parse(text, path, today, readers[path]) for path, text in texts.items()},
        texts,
        problems,
        readers,
    )


def load_cards(
    directory: Path,
    include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    claims: Mapping[str, Claim] | None = None,
    formats: Sequence[CardFormat] = (),
) -> Collection:
    """Find, parse and check every card below `directory` (`claims`: see `check_collection`;
    `formats`: the site's own card formats)."""
    return check_files([read_cards(directory, include, exclude, formats=formats)], claims)


def check_files(
    sources: Sequence[CardFiles], claims: Mapping[str, Claim] | None = None
) -> Collection:
    """The cards of one or more folders checked together (`check_collection`), with the
    problems of the files that could not be read."""
    parsed = {path: card for files in sources for path, card in files.parsed.items()}
    texts = {path: text for files in sources for path, text in files.texts.items()}
    unread = tuple(p for files in sources for p in files.problems)
    readers = {path: reader for files in sources for path, reader in files.formats.items()}
    collection = check_collection(parsed, texts, claims, readers)
    return Collection(
        collection.cards,
        unread + collection.problems,
        tuple(sorted(set(texts) | {p.path for p in unread})),
    )


@functools.lru_cache(maxsize=1 << 14)
def _parse(text: str, path: str, today: dt.date, reader: CardFormat) -> ParsedCard:
    """A card file parsed, kept for the next build (`mkdocs serve` re-reads every card after an
    edit to one). `today` is in the key: a review dated in the future becomes valid."""
    return reader.parse(text, path)


class Claim(NamedTuple):
    """Since when a card file has held its id, from history: the older holder keeps an id."""

    since: dt.datetime
    commit: str


def check_collection(
    parsed: dict[str, ParsedCard],
    texts: dict[str, str],
    claims: Mapping[str, Claim] | None = None,
    formats: Mapping[str, CardFormat] | None = None,
) -> Collection:
    """Check what only the whole collection can tell: unique ids, coupled and part ids that
    exist. `formats` give each file's format (by default, the TRL card), which says where in
    the file each problem is.

    When two files hold one id, the one that has held it longer (`claims`, by path, from the
    history) keeps it; without history, the first by path. Ids are compared without case:
    `P1` and `p1` would be one folder on a case-insensitive disk or host.
    """
    problems: list[Problem] = [p for result in parsed.values() for p in result.problems]
    claims = claims or {}
    readers = formats or {}

    def located(found: list[Problem], path: str) -> list[Problem]:
        return readers.get(path, TRL).locate(found, texts.get(path, ""), path)

    never = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    owner: dict[str, Card] = {}
    cards: list[Card] = []
    order = sorted(parsed, key=lambda path: (claims[path].since if path in claims else never, path))
    for path in order:
        card = parsed[path].card
        if card is None:
            continue
        first = owner.get(card.id.casefold())
        if first is not None:
            problems += located([_duplicate(card, first, claims)], path)
            continue
        owner[card.id.casefold()] = card
        cards.append(card)
    ids = {card.id for card in cards}
    folded = {card.id.casefold(): card.id for card in cards}
    # A card left out for an error is told once, in its own problem; the cards that name it
    # lose the link without a warning each.
    left_out = {r.id: p for p, r in parsed.items() if r.card is None and r.id and r.id not in ids}
    named_by: dict[str, list[str]] = {}
    for index, card in enumerate(cards):
        for key in ("coupled", "parts"):
            refs: tuple[str, ...] = getattr(card, key)
            unknown = [(i, ref) for i, ref in enumerate(refs) if ref not in ids or ref == card.id]
            if not unknown:
                continue
            for _, ref in unknown:
                if ref in left_out and card.id not in named_by.setdefault(ref, []):
                    named_by[ref].append(card.id)
            problems += located(
                [
                    _unknown_reference(card, key, i, ref, folded.get(ref.casefold()))
                    for i, ref in unknown
                    if ref not in left_out
                ],
                card.path,
            )
            kept = tuple(r for r in refs if r in ids and r != card.id)
            card = replace(card, coupled=kept) if key == "coupled" else replace(card, parts=kept)
        cards[index] = card
    if named_by:
        problems = _tell_who_names(problems, named_by, left_out)
    return Collection(
        tuple(sorted(cards, key=lambda c: c.id)), tuple(problems), tuple(sorted(parsed))
    )


def _tell_who_names(
    problems: list[Problem], named_by: Mapping[str, list[str]], left_out: Mapping[str, str]
) -> list[Problem]:
    """The first error of each left-out card that others name, saying which cards lose their
    link to it until it is fixed."""
    told: set[str] = set()
    paths = {path: card_id for card_id, path in left_out.items() if card_id in named_by}
    result = []
    for problem in problems:
        card_id = paths.get(problem.path)
        if card_id is not None and card_id not in told and problem.severity is Severity.ERROR:
            told.add(card_id)
            names = named_by[card_id]
            shown = ", ".join(f"`{n}`" for n in names[:5]) + (
                f" and {len(names) - 5} more" if len(names) > 5 else ""
            )
            problem = replace(
                problem,
                message=f"{problem.message} Until it is fixed, {shown} "
                f"{'name' if len(names) > 1 else 'names'} `{card_id}` without a link.",
            )
        result.append(problem)
    return result
