"""Who is who in a repository: the names and addresses its `.mailmap` gives one person, so
that a review record naming `pnatarajan` is known to be by the author `Priya Natarajan`.

Git already applies the mailmap to every commit the history reads (`%aN`, `%aE`); this gives
the other direction, each person's other names, which only the file itself holds. The file is
the repository's own (anyone can commit it), so it is read with a bound and never trusted to
be well formed: a line that is not a mapping is skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

__all__ = ["Aliases", "identity_tokens", "person_token", "read_mailmap"]

Aliases = Mapping[str, frozenset[str]]
"""A person's token (a name or address, as `person_token` gives it) -> every token of theirs."""

MAX_BYTES = 1 << 20
"""A mailmap larger than this is read up to it: a real one is a few kilobytes."""

_PAIR = re.compile(r"\s*([^<>]*?)\s*<([^<>]*)>")


def person_token(text: str) -> str:
    """A name, a handle or an address as compared: without case, spaces at the ends or a
    leading `@` (`@Dana ` and `dana` are one token)."""
    return " ".join(text.split()).lstrip("@").casefold()


def _tokens(name: str, email: str) -> set[str]:
    out = {person_token(name)} if name.strip() else set()
    if email.strip():
        out |= {person_token(email), person_token(email.split("@", 1)[0])}
    return out - {""}


def parse_mailmap(text: str) -> dict[str, frozenset[str]]:
    """The aliases a mailmap's text gives: each line joins its proper name and address with the
    commit name and address it replaces (git's four line shapes); `#` starts a comment."""
    groups: list[set[str]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        pairs = _PAIR.findall(line)
        if not pairs:
            continue
        group: set[str] = set()
        for name, email in pairs[:2]:
            group |= _tokens(name, email)
        if len(group) > 1:
            groups.append(group)
    return _joined(groups)


def _joined(groups: list[set[str]]) -> dict[str, frozenset[str]]:
    """Groups that share a token are one person (two lines for two old addresses)."""
    owner: dict[str, int] = {}
    members: defaultdict[int, set[str]] = defaultdict(set)
    for index, group in enumerate(groups):
        merged = {owner[t] for t in group if t in owner}
        target = min(merged) if merged else index
        for other in merged - {target}:
            for token in members.pop(other):
                owner[token] = target
                members[target].add(token)
        for token in group:
            owner[token] = target
            members[target].add(token)
    return {token: frozenset(members[index]) for token, index in owner.items()}


def read_mailmap(directory: Path) -> dict[str, frozenset[str]]:
    """The aliases of the `.mailmap` at the top of the work tree that holds `directory`; none
    when there is no such file or it cannot be read."""
    for folder in (directory, *directory.parents):
        if (folder / ".git").exists():
            path = folder / ".mailmap"
            try:
                if not path.is_file() or path.is_symlink():
                    return {}
                with path.open("rb") as handle:
                    data = handle.read(MAX_BYTES)
            except OSError:
                return {}
            return parse_mailmap(data.decode("utf-8", errors="replace"))
    return {}


def identity_tokens(name: str, email: str, aliases: Aliases) -> frozenset[str]:
    """Every token of the person who committed as `name <email>`: the name, the address and
    its local part, and the other names and addresses the mailmap gives them."""
    own = _tokens(name, email)
    out = set(own)
    for token in own:
        out |= aliases.get(token, frozenset())
    return frozenset(out)
