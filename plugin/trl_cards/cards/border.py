"""The border: what every file and value from outside passes through on its way in.

Card files, exports of other repositories, history caches, ignore-revs files and commit
metadata are all untrusted: any of them can be a symbolic link to `/dev/zero`, a FIFO that
never answers, a gigabyte of nested brackets, a date in the year 9999 or a name holding
terminal escapes. Each is read here within a limit and checked once, so that what comes out
is bounded in size and time, valid Unicode without control characters, and dated within the
span git can have written; everything after the border can take that for granted.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from .problem import FixableError

__all__ = [
    "EARLIEST",
    "RefusedError",
    "clean_line",
    "date_problem",
    "described",
    "excerpt",
    "load_json",
    "read_regular_file",
    "unicode_problem",
    "write_atomically",
]

EARLIEST = dt.datetime(2005, 4, 7, tzinfo=dt.timezone.utc)
"""The day of git's first commit: no commit of any repository is older."""

FUTURE = dt.timedelta(days=1)
"""How far after the build a date may be (clocks and time zones disagree by hours, not more)."""


class RefusedError(FixableError):
    """A file or value refused at the border: what is wrong with it, and what to do."""

    def __init__(self, message: str, fix: str, kind: str = "") -> None:
        super().__init__(message, fix)
        self.kind = kind
        """What was refused, for callers that say it in their own words: `link`, `special`
        (not a regular file), `large`, `unreadable`; empty for a value."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    A symbolic link is not followed (a committed `x.json -> /dev/zero` would fill memory), a
    FIFO, socket or device is never opened for reading (a FIFO would hang the build), and no
    more than `limit + 1` bytes are ever read.

    Raises:
        RefusedError: the file is a link, not a regular file, over `limit`, or cannot be read.
    """
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            target = "another file" if path.exists() else "nothing (the link is dangling)"
            raise RefusedError(
                f"is a symbolic link to {target}; links are not followed, so it is not read.",
                "Put the file itself at this path instead of a link to it.",
                "link",
            )
        if not stat.S_ISREG(info.st_mode):
            raise RefusedError(
                "is not a regular file (a folder, a FIFO, a socket or a device), so it is not "
                "read.",
                "Remove it, or put a regular file there.",
                "special",
            )
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as file:
            opened = os.fstat(file.fileno())
            if not stat.S_ISREG(opened.st_mode):  # replaced since lstat
                raise RefusedError("is not a regular file.", "Remove it.", "special")
            if opened.st_size > limit:  # so a file far over it (a sparse one) costs no read
                raise _over(limit)
            data = file.read(limit + 1)  # it may have grown since
    except OSError as error:
        raise RefusedError(
            f"cannot be read: {error.strerror or error}.",
            "Check the file's permissions.",
            "unreadable",
        ) from None
    if len(data) > limit:
        raise _over(limit)
    return data


def _over(limit: int) -> RefusedError:
    return RefusedError(f"is over the limit of {_size(limit)}.", "Make it smaller.", "large")


def excerpt(value: Any, limit: int = 60) -> str:
    """A short, printable rendering of a value for a message: never the whole of a long one."""
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**limit:
        # From its bits: Python will not write an int of more than 4,300 digits as text.
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    text = value if isinstance(value, str) else repr(value)
    cut = len(text) > limit
    text = text[:limit]
    shown = "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )
    return shown.replace("`", "'") + ("…" if cut else "")


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a file beside it renamed over it, so that a reader (or
    a user after a crash) sees the old file or the new one, never half of one. A link at
    `path` is replaced, never followed.

    Raises:
        OSError: the file cannot be written (read-only folder, full disk).
    """
    staged: Path | None = None
    try:
        # No fsync: after a crash a torn file is as good as none, and is written again.
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as temporary:
            staged = Path(temporary.name)
            temporary.write(data)
        staged.replace(path)
    except BaseException:
        if staged is not None:
            staged.unlink(missing_ok=True)
        raise


def described(value: Any) -> str:
    """A value read from YAML (a card, mkdocs.yml), as a message names it: its type and an
    excerpt (`the int `7``), or what YAML made of it (`nothing`, `the boolean true`)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads yes/no/on/off as booleans)"
    if isinstance(value, dict | list):
        return excerpt(value)
    return f"the {type(value).__name__} `{excerpt(value)}`"


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count >= 1 << 20 else f"{count >> 10} KiB"


# A JSON string, quotes and escapes included: the unrolled form is linear and runs in C.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def load_json(data: bytes, *, max_values: int, max_depth: int) -> Any:
    """JSON text parsed, after checking in C-speed passes over the bytes that it holds at most
    `max_values` values and nests at most `max_depth` deep: memory stays proportional to the
    file's size, whatever the file holds (33 million empty objects in 95 MB would otherwise
    take 2.4 GB).

    Raises:
        RefusedError: the text is not UTF-8 JSON, or it is over a limit.
    """
    skeleton = _STRING.sub(b'""', data)
    # Every value but the first of a container follows a comma, so this bounds the values.
    values = skeleton.count(b",") + skeleton.count(b"[") + skeleton.count(b"{") + 1
    if values > max_values:
        raise RefusedError(
            f"holds about {values:,} JSON values, over the limit of {max_values:,}.",
            "Make it smaller.",
        )
    brackets = _NOT_BRACKET.sub(b"", skeleton)
    for _ in range(max_depth):
        if not brackets:
            break
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            break  # unbalanced: the parser below says where
    else:
        if brackets:
            raise RefusedError(f"nests JSON values more than {max_depth} deep.", "Make it flatter.")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise RefusedError(f"is not JSON ({_first_line(str(error))}).", "Write it again.") from None


def _first_line(text: str) -> str:
    return text.splitlines()[0][:200] if text else "no detail"


# C0 and C1 controls (terminal escapes, NUL), lone surrogates, and the two non-characters
# that XML 1.0 forbids. Tabs and line breaks are kept in text, made spaces in a line.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\t\n\r]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_line(text: str) -> str:
    """One line of text from outside (an author's name, a commit subject) as it can be shown
    anywhere: a terminal, XML, HTML. Line breaks and tabs become spaces, every other control
    character and anything that is not valid Unicode becomes `\ufffd`."""
    if text.isprintable():
        return text
    return _CONTROL.sub("\ufffd", _BREAKS.sub(" ", text))


def unicode_problem(text: str) -> str | None:
    """Why `text` is not valid Unicode (a lone surrogate, which JSON can carry as `\\ud800`
    and no file or page can hold), or None when it is."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return f"holds U+{ord(found[0]):04X}, half of a surrogate pair, which is not a character"


def date_problem(date: dt.datetime, now: dt.datetime) -> str | None:
    """Why `date` cannot be a commit's (before git existed, or more than a day after `now`),
    or None when it can."""
    if date < EARLIEST:
        return f"is dated {_day(date)}, before git existed ({EARLIEST:%Y-%m-%d})"
    if date > now + FUTURE:
        return f"is dated {_day(date)}, more than a day after this build ({now:%Y-%m-%d})"
    return None


def clamp_date(date: dt.datetime, now: dt.datetime) -> dt.datetime:
    """`date` moved into the span `date_problem` accepts (the nearest end of it, in UTC)."""
    if date < EARLIEST:
        return EARLIEST
    latest = now + FUTURE
    return latest.astimezone(dt.timezone.utc) if date > latest else date


def _day(date: dt.datetime) -> str:
    # Its own calendar day, without moving it into another zone (which could overflow).
    return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"
