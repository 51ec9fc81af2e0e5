"""Grading a file's problems, for every card format: each problem that a parser reports, with
the line of its key, the value as written, and what it costs: a value kept (cleaned, cut,
ignored) or left out is a warning; one that costs the card (its identity) is an error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .border import excerpt
from .card import ParsedCard
from .kinds import Report
from .problem import Problem, Severity
from .yamldoc import Located, fill_raw, locate_keys

__all__ = ["THE_CARD", "Found", "locate", "unreadable", "unusable"]

THE_CARD = "the card"
"""What a problem of the card's identity costs."""


class _Item(NamedTuple):
    key: str
    message: str
    fix: str
    kept: bool
    lost: str


class Found:
    """The problems of one file as its parser reports them, each with what it costs."""

    def __init__(self) -> None:
        self._items: list[_Item] = []

    def reporter(self, costs: Callable[[str], str]) -> Report:
        """A `Report` for problems whose cost, when the value is not kept, is `costs(key)`:
        `THE_CARD`, or what is left out (`` `owners` ``, ``review 2 (`reviews[1]`)``)."""

        def report(key: str, message: str, fix: str, *, kept: bool = False) -> None:
            self._items.append(_Item(key, message, fix, kept, "" if kept else costs(key)))

        return report

    @property
    def costs_the_card(self) -> bool:
        return any(item.lost == THE_CARD for item in self._items)

    def problems(self, source: str, first_line: int, path: str) -> tuple[Problem, ...]:
        """Every problem, with its line (`source`, the YAML, starts at line `first_line` of
        the file), the value as written, and what it leaves out; in the order of the lines."""
        located: dict[str, Located] = locate_keys(source) if self._items else {}
        out = []
        for item in self._items:
            message, severity = item.message, Severity.WARNING
            if item.lost == THE_CARD:
                message += " The card is left out until this is fixed."
                severity = Severity.ERROR
            elif item.lost:
                message += f" So {item.lost} is left out."
            spot = _line(item.key, located)
            out.append(
                Problem(
                    path,
                    f"`{item.key}` {fill_raw(message, located.get(item.key))}",
                    fill_raw(item.fix, located.get(item.key)),
                    line=None if spot is None else first_line + spot,
                    key=item.key,
                    severity=severity,
                )
            )
        return tuple(sorted(out, key=lambda p: p.line or 0))


def locate(
    problems: Sequence[Problem],
    source: str,
    first_line: int,
    key_of: Callable[[str], str] = lambda key: key,
) -> list[Problem]:
    """Problems found outside the parser (a duplicate id, an unknown coupled id) with the line
    of their key in `source` (which starts at line `first_line` of the file); `key_of` says
    where a card's key is in the file (a mapped format's `id` is made of its own keys)."""
    located = locate_keys(source)
    out = []
    for p in problems:
        spot = _line(key_of(p.key or ""), located)
        line = None if spot is None else first_line + spot
        out.append(Problem(p.path, p.message, p.fix, line, p.key, p.severity))
    return out


def _line(key: str, located: dict[str, Located]) -> int | None:
    """The 0-based line of a key, or of its nearest parent that is there (a missing key's
    record), or of the whole record."""
    while key not in located:
        parent = key.rsplit(".", 1)[0] if "." in key.rsplit("]", 1)[-1] else key.rsplit("[", 1)[0]
        if parent == key:
            return located[""].line if "" in located else None
        key = parent
    return located[key].line


def unusable(path: str, message: str, fix: str, line: int | None = None) -> ParsedCard:
    """A file that is not a card at all: no card, and the one problem that says why."""
    return ParsedCard(None, (Problem(path, message, fix, line=line),))


def unreadable(path: str, error: Exception) -> ParsedCard:
    """What a parser that failed gives instead of raising: no card, and the problem that
    names the error (a defect: a parser must report every problem of a file itself)."""
    return ParsedCard(
        None,
        (
            Problem(
                path,
                f"could not be read as a card ({type(error).__name__}: "
                f"{excerpt(str(error), 100)}).",
                "Simplify the file; if it looks right, report this message to the "
                "maintainers of mkdocs-trl-cards.",
            ),
        ),
    )
