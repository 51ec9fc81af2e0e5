"""Options of mkdocs.yml, declared once: each with its documentation, its default, and the
check that turns the value as written into the value the code reads.

The plugin's own options (`model.settings`), each entry of `sources` and each entry of
`formats` (`cards.mapping`) are declared so: the MkDocs configuration, the reference docs'
tables and the checks are all made from these declarations, so they cannot drift apart.
A check raises `OptionError`, whose message names the key (`sources[1].url`) and the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .border import described, excerpt
from .levels import HIGHEST, LOWEST
from .problem import FixableError

Reader = Callable[[Any, str], Any]
"""(the value as written, where it is: `sources[1].url`) -> the value the code reads."""


class OptionError(FixableError):
    """An option of mkdocs.yml that cannot be read: what is wrong with it, and what to do."""


@dataclass(frozen=True)
class Option:
    """One option: its key, what it does, how it is read, and its default."""

    name: str
    doc: str
    """What it does, as the reference docs show it (Markdown)."""
    read: Reader
    default: Any = None
    """The value read when the key is absent."""
    shown: str = "none"
    """The default as the reference docs show it."""
    required: bool = False


def read_record(
    options: Sequence[Option], value: object, where: str, noun: str = "the plugin"
) -> dict[str, Any]:
    """The value of each option, read from the mapping `value` (at `where`, an entry of
    `noun`, such as `a format`): every key known, every required one there.

    Raises:
        OptionError: naming the first key that cannot be read.
    """
    if not isinstance(value, dict):
        keys = ", ".join(f"`{o.name}`" for o in options if o.required) or f"`{options[0].name}`"
        raise OptionError(
            f"`{where}` must be a mapping of keys, not {described(value)}.",
            f"Write its keys ({keys}) on indented lines under `- `.",
        )
    known = {o.name: o for o in options}
    for key in value:
        if key not in known:
            near = difflib.get_close_matches(str(key), known, n=1)
            raise OptionError(
                f"`{where}.{excerpt(key, 40)}` in mkdocs.yml is not a key of {noun}."
                if where
                else f"`{excerpt(key, 40)}` is not an option of the plugin.",
                f"Did you mean `{near[0]}`?"
                if near
                else "Known keys: " + ", ".join(f"`{k}`" for k in known) + ".",
            )
    out = {}
    for option in options:
        raw = value.get(option.name)
        if raw is None:
            if option.required:
                raise OptionError(
                    f"`{where}` in mkdocs.yml has no `{option.name}`.",
                    f"Add `{option.name}:`: {option.doc[:1].lower()}{option.doc[1:]}",
                )
            out[option.name] = option.default
        else:
            out[option.name] = option.read(raw, f"{where}.{option.name}" if where else option.name)
    return out


def boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise OptionError(
            f"`{where}` must be true or false, not {described(value)}.", _write(where)
        )
    return value


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise OptionError(
            f"`{where}` must be text, not {described(value)}.", _write(where, '"..."')
        )
    return value


def texts(value: object, where: str) -> tuple[str, ...]:
    """A list of texts (one text alone is a list of one)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise OptionError(
            f"`{where}` must be a list of texts, not {described(value)}.", _write(where, '["..."]')
        )
    return tuple(items)


def integer(minimum: int) -> Reader:
    def read(value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise OptionError(
                f"`{where}` must be a whole number of at least {minimum}, not {described(value)}.",
                _write(where, str(max(minimum, 1))),
            )
        return value

    return read


def level_number(value: object, where: str) -> int:
    """A level of the MLTRL scale, 0 to 9."""
    number: int = integer(LOWEST)(value, where)
    if number > HIGHEST:
        raise OptionError(
            f"`{where}` is {number}, not a level from {LOWEST} to {HIGHEST}.",
            f"Use a level from {LOWEST} to {HIGHEST}, e.g. 4.",
        )
    return number


def day(value: object, where: str) -> dt.date:
    """A day, YYYY-MM-DD (YAML reads an unquoted one as a date already)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(text(value, where).strip())
    except ValueError:
        raise OptionError(
            f"`{where}`: `{excerpt(value)}` is not a date.",
            f"Write it as YYYY-MM-DD: `{where.rsplit('.', 1)[-1].split('[')[0]}: 2027-03-31`.",
        ) from None


def checked(first: Reader, check: Callable[[Any], str | None], fix: str) -> Reader:
    """`first`, then `check` of what it read: a problem (`check` returns why) is an error."""

    def read(value: object, where: str) -> Any:
        read_value = first(value, where)
        problem = check(read_value)
        if problem:
            raise OptionError(f"`{where}`: {problem}.", fix)
        return read_value

    return read


def listed(
    options: Sequence[Option], build: Callable[[dict[str, Any], str], Any], noun: str
) -> Reader:
    """A list of records (each an entry of `noun`), read by `options` and made into a value
    by `build`."""

    def read(value: object, where: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise OptionError(
                f"`{where}` must be a list, each item starting with `- `, not {described(value)}.",
                f"Write each item of `{where}` on its own line under it, as `- {options[0].name}: "
                "...`.",
            )
        return tuple(
            build(read_record(options, item, f"{where}[{i}]", noun), f"{where}[{i}]")
            for i, item in enumerate(value)
        )

    return read


def _write(where: str, example: str = "true") -> str:
    return f"Write it as `{where.rsplit('.', 1)[-1].split('[')[0]}: {example}`."
