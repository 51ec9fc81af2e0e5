"""Glob patterns of card files, with git's `**` semantics, as discovery and history read them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

__all__ = ["glob_regex", "literal_folder", "matches"]


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
