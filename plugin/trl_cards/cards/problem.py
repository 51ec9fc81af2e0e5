"""Problems found in cards: each names the file, the line, the key and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FixableError(Exception):
    """What went wrong and what to do about it, kept apart (`message`, `fix`), so that each
    caller says them in its own way: a problem on the problems page, a line of the command
    line, a MkDocs configuration error. `str()` gives both, as one sentence and its fix."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(f"{message} Fix: {fix}" if fix else message)
        self.message = message
        self.fix = fix


class Severity(str, Enum):
    """An error drops the card, or breaks a rule the organisation requires of it (a required
    gate, `model.gates`), which keeps it; a warning keeps it. Both fail `mkdocs build --strict`
    and `trl-cards validate`; `validate --errors-only` fails on errors only."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one card file."""

    path: str
    message: str
    fix: str
    line: int | None = None
    key: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def location(self) -> str:
        """`path:line` as editors and terminals understand it."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.location}: {self.message} Fix: {self.fix}"
