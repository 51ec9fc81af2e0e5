"""What an output makes (`Made`: its files, and the problems met making them), and the memo
that lets a rebuild make again only what changed (`Memo`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..cards.problem import Problem
from .templating import RenderedPage

Content = RenderedPage | str | bytes
"""A generated page (Markdown with its finished HTML apart), or a file's text or bytes."""


@dataclass(frozen=True)
class Made:
    """The files of one output, by path from the site root, and the problems met making them
    (a card whose page could not be rendered)."""

    files: Mapping[str, Content]
    problems: tuple[Problem, ...] = ()


class Memo:
    """What the outputs made in the last build, each piece with everything it was made from.

    `mkdocs serve` keeps one across rebuilds, so that an edit to one card renders again only
    what that edit changed: `recall` gives a piece back when its inputs are equal to last
    time's, so the pages are exactly those a fresh render would give. A one-shot build uses a
    memo of its own that it lets go with the build.
    """

    def __init__(self) -> None:
        self._last: dict[tuple[str, str], tuple[object, Any]] = {}
        self._used: dict[tuple[str, str], tuple[object, Any]] = {}

    def recall(self, output: str, key: str, inputs: object) -> Any | None:
        """What `output` made for `key` last time, if it was made from equal `inputs`."""
        last = self._last.get((output, key))
        if last is None or last[0] != inputs:
            return None
        self._used[(output, key)] = last
        return last[1]

    def keep(self, output: str, key: str, inputs: object, made: Any) -> None:
        """What `output` made for `key` from `inputs`, for the next build."""
        self._used[(output, key)] = (inputs, made)

    def close(self) -> None:
        """The build is done: keep what it used or made, let go of the rest."""
        self._last, self._used = self._used, {}
