"""What `mkdocs serve` watches, so that editing any card, in any repository of the site,
rebuilds it: as few folders as can be, since MkDocs polls each in a thread of its own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..cards.formats import history_patterns
from ..cards.globs import literal_folder, matches
from ..model.settings import Settings

DIRTY_HINT = (
    "Each rebuild renders every page again; `mkdocs serve --dirty` rebuilds only the pages an "
    "edit changes (about a second for a thousand cards)."
)
"""Said once when `mkdocs serve` (without `--dirty`) builds a large site."""


def watched(settings: Settings, files: Sequence[str]) -> list[tuple[Path, bool]]:
    """What `mkdocs serve` watches so that editing any card rebuilds the site, given the card
    `files` of the last build: `watched_folders` of the site's own folder and of
    each checkout (for its own files), and each export folder or file."""
    own = [f for f in files if not any(f.startswith(s.name + "/") for s in settings.sources)]
    folders = [(settings.directory, settings.include, own)]
    out: list[tuple[Path, bool]] = []
    for source in settings.sources:
        if source.export:
            out.append((settings.path(source.path), False))
        else:
            label = source.name + "/"
            mine = [f.removeprefix(label) for f in files if f.startswith(label)]
            folders.append((settings.path(source.path), source.include, mine))
    for folder, include, cards in folders:
        out += watched_folders(folder, history_patterns(include, settings.formats), cards)
    return out


def watched_folders(
    directory: Path, include: Sequence[str], files: Iterable[str]
) -> list[tuple[Path, bool]]:
    """The folders `mkdocs serve` must watch so that editing a card rebuilds the site, each
    with whether to watch it recursively.

    MkDocs polls every watched folder in a thread of its own, so there are as few as can be.
    The literal folder of a pattern (`cards` in `cards/**/TRL.md`) is watched whole, so a new
    card there is seen too. A pattern that starts with a wildcard would mean watching the whole
    project (`.git` and `.cache` included): then each top-level folder that holds cards is
    watched whole (`teams/` for `teams/*/*/TRL.md`), and the project's folder alone, not
    recursively, when a card sits in it.
    """
    roots: set[Path] = set()
    shallow = False
    for pattern in include:
        folder = literal_folder(pattern)
        if folder:
            roots.add(directory / folder)
            continue
        for f in files:
            if matches(f, [pattern]):
                top, _, rest = f.partition("/")
                if rest:
                    roots.add(directory / top)
                else:
                    shallow = True
    outermost = sorted(r for r in roots if not any(o in r.parents for o in roots))
    watched = [(r, True) for r in outermost if r.is_dir()]
    return [(directory, False), *watched] if shallow else watched
