"""One clock: every date the site shows is in one time zone, set in the config (default UTC).

Git records each commit in its author's local time, so the same repository read as it is would
give a day that depends on where each person was (on a real repository, 158 of 1,058 dates
differed by one day from UTC), and two builds in two places could disagree. So the history is
moved into one zone once, right after it is read, and everything after works in that zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace

from .history import Commit, RepoHistory

DEFAULT_ZONE = "UTC"


def time_zone(name: str) -> dt.tzinfo:
    """The zone of an IANA name (`UTC`, `Europe/Paris`).

    Raises:
        ValueError: the name is not a zone this machine knows, with the fix.
    """
    if name.upper() in {"UTC", "Z"}:
        return dt.timezone.utc  # known even where the system has no zone database
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"`{name}` is not a time zone this machine knows. Use an IANA name such as `UTC` "
            "or `Europe/Paris` (on Windows, `pip install tzdata` provides them)."
        ) from None


def zone_name(zone: dt.tzinfo) -> str:
    """How pages name the zone: its key (`Europe/Paris`), or `UTC`."""
    return str(getattr(zone, "key", None) or zone.tzname(None) or "UTC")


def history_in_zone(history: RepoHistory, zone: dt.tzinfo) -> RepoHistory:
    """The same history with every commit date (and the shallow boundary) in `zone`."""
    moved: dict[str, Commit] = {}

    def move(commit: Commit) -> Commit:
        if commit.sha not in moved:
            moved[commit.sha] = replace(
                commit,
                date=commit.date.astimezone(zone),
                committed=commit.committed.astimezone(zone),
            )
        return moved[commit.sha]

    revisions = tuple(
        replace(r, landed=move(r.landed), authored=move(r.authored)) for r in history.revisions
    )
    boundary = history.incomplete_before
    return replace(
        history,
        revisions=revisions,
        incomplete_before=None if boundary is None else boundary.astimezone(zone),
    )
