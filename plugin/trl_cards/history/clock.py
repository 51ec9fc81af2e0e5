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

from ..cards.border import clamp_date, date_problem
from .revisions import Commit, Damage, RepoHistory

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


def history_in_zone(
    history: RepoHistory, zone: dt.tzinfo, now: dt.datetime | None = None
) -> RepoHistory:
    """The same history with every commit date (and the shallow boundary) in `zone`.

    Git takes any date a commit claims, from the year 1 to far beyond 9999. A date before git
    existed, or more than a day after `now` (by default, now), is moved to the nearest end of
    that span, with a warning in `damage` that names the commit: one wrong clock must not
    cost the site (a date that cannot be moved into a zone) nor give it a thousand quarters
    of milestones."""
    moved: dict[str, Commit] = {}
    now = now or dt.datetime.now(dt.timezone.utc)
    wrong: dict[str, str] = {}

    def sane(commit: Commit, date: dt.datetime) -> dt.datetime:
        problem = date_problem(date, now)
        if problem is None:
            return date
        wrong.setdefault(commit.sha, problem)
        return clamp_date(date, now)

    def move(commit: Commit) -> Commit:
        if commit.sha not in moved:
            moved[commit.sha] = replace(
                commit,
                date=sane(commit, commit.date).astimezone(zone),
                committed=sane(commit, commit.committed).astimezone(zone),
            )
        return moved[commit.sha]

    revisions = tuple(
        replace(r, landed=move(r.landed), authored=move(r.authored)) for r in history.revisions
    )
    boundary = history.incomplete_before
    if boundary is not None:
        boundary = clamp_date(boundary, now).astimezone(zone)
    return replace(
        history,
        revisions=revisions,
        incomplete_before=boundary,
        damage=history.damage + _wrong_dates(wrong),
    )


def _wrong_dates(wrong: dict[str, str]) -> tuple[Damage, ...]:
    """The warning for the commits whose dates were moved, naming the first few."""
    if not wrong:
        return ()
    named = "; ".join(f"commit {sha[:12]} {problem}" for sha, problem in list(wrong.items())[:3])
    more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
    return (
        Damage(
            f"{len(wrong)} commit(s) have a date git accepted but no commit can have: "
            f"{named}{more}; each is shown at the nearest possible date instead.",
            "Nothing, if the history is published; to leave such a commit's level changes out, "
            "list it in `.git-blame-ignore-revs`.",
        ),
    )
