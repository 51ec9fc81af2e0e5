"""GitPython, imported once for the history stage, the only one that imports it."""

from __future__ import annotations

try:
    import git
except ImportError as _error:  # pragma: no cover (needs a machine without git)
    # GitPython refuses to import at all when no `git` executable is on PATH; the site must
    # still build (without history), so remember why and say it in `RepoHistory.note`.
    UNAVAILABLE: str | None = (
        "GitPython is not installed"
        if isinstance(_error, ModuleNotFoundError) and _error.name == "git"
        else "git is not installed"
    )
    git = None  # type: ignore[assignment]
else:
    UNAVAILABLE = None

__all__ = ["UNAVAILABLE", "git"]
