"""A small language for declaring the keys of a YAML record, once: kinds of values (text,
identifiers, URLs, numbers, dates, choices, lists, maps, records), each checking a value as it
is read, reporting what is wrong with its key and the fix, and giving its own JSON Schema.
The TRL card (`fields`) is declared with it."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .border import described, excerpt
from .links import safe_href

MAX_LINE_CHARS = 300
"""The longest one-line text (a name, an owner, a tag)."""
MAX_TEXT_CHARS = 20_000
"""The longest text of any other field (a requirement, a debrief answer)."""

RAW = "\x00raw\x00"
"""Stands in a message for the value as written in the file, filled in where it is known
(YAML reads `1.10` as the number 1.1; the fix must quote what the author typed)."""

# Devices that Windows reserves in every folder, and so every host that serves from Windows.
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?", re.I)


class DuplicateKeys(list[str]):
    """Keys written twice in one mapping (YAML keeps the last), as the loader found them."""


DUPLICATES = "\x00duplicates"
"""The key under which the loader lists a mapping's `DuplicateKeys`: no YAML key can be it."""


@dataclass(frozen=True)
class Unreadable:
    """A scalar that YAML's constructor for its tag could not build."""

    tag: str
    raw: str
    reason: str

    def describe(self) -> tuple[str, str]:
        """(message, fix) for the key that holds it."""
        tag = self.tag.rsplit(":", 1)[-1]
        if tag == "int" and "digits" in self.reason:
            return (
                f"is a number of {len(self.raw):,} digits, longer than YAML can read.",
                "Write a plain small number, e.g. `level: 3`.",
            )
        if tag == "timestamp":
            return (
                f"`{excerpt(self.raw)}` is not a day of the calendar.",
                "Write a real date as YYYY-MM-DD, e.g. `2024-02-29`.",
            )
        return (
            f"cannot be read: YAML's `!!{tag}` cannot build `{excerpt(self.raw)}` "
            f"({excerpt(self.reason, 80)}).",
            "Remove the `!!` tag and write a plain value, or quote it to keep it as text.",
        )


class Report(Protocol):
    """How a kind reports a problem: the key, the message, the fix.

    `kept` says the value was kept (cleaned or cut); otherwise it is left out.
    """

    def __call__(self, key: str, message: str, fix: str, *, kept: bool = False) -> None: ...


def _leaf(key: str) -> str:
    """The key a person types: `reviews[0].decision` -> `decision`, `tags[1]` -> `tags`."""
    return re.sub(r"(\[\d+\])+$", "", key).rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Kind:
    """A type of value in a card. Subclasses check a value and describe it as JSON Schema."""

    def check(self, value: Any, key: str, report: Report) -> Any:
        """Return the value normalised, or report what is wrong and return None."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """This kind as a JSON Schema fragment."""
        raise NotImplementedError


def check_value(kind: Kind, value: Any, key: str, report: Report) -> Any:
    """`kind.check`, except for a value that YAML could not build, which is reported as such."""
    if isinstance(value, Unreadable):
        report(key, *value.describe())
        return None
    return kind.check(value, key, report)


@dataclass(frozen=True)
class Text(Kind):
    """Text; `one_line` text (names, people, tags) has its line breaks and controls cleaned."""

    one_line: bool = False
    pattern: str | None = None
    pattern_help: str = ""

    @property
    def limit(self) -> int:
        """The longest text kept whole."""
        return MAX_LINE_CHARS if self.one_line else MAX_TEXT_CHARS

    def check(self, value: Any, key: str, report: Report) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            report(
                key,
                f"must be text, not {described(value)}.",
                _as_text(key),
            )
            return None
        if not isinstance(value, str):
            # YAML turns `id: 1.10` into the number 1.1; quoting keeps what the author wrote.
            report(
                key,
                f"must be text, but YAML reads `{RAW}` as the number {excerpt(value)}.",
                f'Put it in quotes so YAML keeps it as written: `{_leaf(key)}: "{RAW}"`.',
            )
            return None
        if not value.strip():
            report(key, "is empty.", "Give it a value or remove the key.")
            return None
        if self.pattern:
            return self._check_pattern(value, key, report)
        if self.one_line and not value.isprintable():
            cleaned = _one_line(value)
            report(
                key,
                "has a line break or a control character, which a name or a title cannot show.",
                f"Write it on one line without control characters: `{excerpt(cleaned)}`.",
                kept=True,
            )
            value = cleaned
        if len(value) > self.limit:
            report(
                key,
                f"is {len(value):,} characters long, over the limit of {self.limit:,}.",
                "Shorten it; it is shown cut to the limit.",
                kept=True,
            )
            value = value[: self.limit]
        return value

    def _check_pattern(self, value: str, key: str, report: Report) -> str | None:
        assert self.pattern is not None
        if not re.match(self.pattern, value.strip()):
            report(
                key,
                f"`{excerpt(value)}` is not allowed: {self.pattern_help}",
                f"Correct or remove this item of `{_leaf(key)}`."
                if key.endswith("]")
                else f"Change the value of `{_leaf(key)}`.",
            )
            return None
        return value.strip()

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.pattern:
            out["pattern"] = self.pattern
        else:
            out["maxLength"] = self.limit
        return out


def _one_line(text: str) -> str:
    """Line breaks and tabs become spaces; other control and format characters go."""
    spaced = re.sub(r"\s+", " ", text)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    return kept.strip()


def _as_text(key: str) -> str:
    """How to write a text value: the key's own, or an item of its list."""
    if key.endswith("]"):
        return f'Write each item of `{_leaf(key)}` as text: `{_leaf(key)}: ["...", "..."]`.'
    return f'Write it as text: `{_leaf(key)}: "..."`.'


@dataclass(frozen=True)
class Identifier(Text):
    """A card id: a slug that is also a safe folder name on every disk and host."""

    def check(self, value: Any, key: str, report: Report) -> Any:
        checked = super().check(value, key, report)
        if checked is None:
            return None
        if _RESERVED.fullmatch(checked) or checked.endswith("."):
            report(
                key,
                f"`{excerpt(checked)}` cannot be a page's folder: Windows and the hosts that "
                "run on it reserve device names (CON, NUL, COM1, ...) and names ending in `.`.",
                f"Choose another id, e.g. `{checked.rstrip('.')}-1`.",
            )
            return None
        return checked


@dataclass(frozen=True)
class Url(Kind):
    """A link the site shows: http(s), mailto, or a relative path."""

    def check(self, value: Any, key: str, report: Report) -> Any:
        if not isinstance(value, str) or not value.strip():
            report(key, f"must be a URL, not {described(value)}.", "Write a full `https://` URL.")
            return None
        if not safe_href(value):
            report(
                key,
                f"`{excerpt(value)}` is not a link the site can show safely.",
                "Use an `http(s)://` or `mailto:` URL, or a relative path.",
            )
            return None
        return value.strip()

    def schema(self) -> dict[str, Any]:
        # As `links.link_kind` reads it: no scheme (controls and spaces skipped), or a safe one.
        return {
            "type": "string",
            "pattern": r"^(?![\x00-\x20]*[A-Za-z][A-Za-z0-9+.\t\n\r-]*:)"
            r"|^[\x00-\x20]*([Hh][Tt][Tt][Pp][Ss]?|[Mm][Aa][Ii][Ll][Tt][Oo]):",
        }


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int
    maximum: int

    def check(self, value: Any, key: str, report: Report) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            report(
                key,
                f"must be a whole number, not {described(value)}.",
                f"Write a number from {self.minimum} to {self.maximum}.",
            )
            return None
        if value < self.minimum or value > self.maximum:
            report(
                key,
                f"{excerpt(value)} is out of range {self.minimum}..{self.maximum}.",
                f"Use a level from {self.minimum} to {self.maximum}.",
            )
            return None
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Number(Kind):
    minimum: float
    maximum: float | None = None

    def check(self, value: Any, key: str, report: Report) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            report(key, f"must be a number, not {described(value)}.", "Write a plain number.")
            return None
        upper = "" if self.maximum is None else f" and at most {self.maximum}"
        if isinstance(value, float) and not math.isfinite(value):
            report(
                key,
                f"is {excerpt(value)}, which is not a measurable number.",
                f"Write a number at least {self.minimum}{upper}.",
            )
            return None
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            report(
                key,
                f"{excerpt(value)} is out of range.",
                f"Use a number at least {self.minimum}{upper}.",
            )
            return None
        if isinstance(value, int) and value.bit_length() > 1000:  # beyond any float
            report(
                key,
                f"is {excerpt(value)}, too large to be measured.",
                f"Write a number at least {self.minimum}{upper}, in a unit that keeps it short.",
            )
            return None
        return float(value)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number", "minimum": self.minimum}
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Date(Kind):
    """A day, written YYYY-MM-DD, no later than tomorrow (a review cannot be in the future),
    unless it is a day to come by nature (`future`: a target's date, an exemption's expiry)."""

    future: bool = False

    def check(self, value: Any, key: str, report: Report) -> Any:
        fix = "Write the date as YYYY-MM-DD, e.g. 2024-03-01."
        if isinstance(value, int) and not isinstance(value, bool):
            report(key, f"is the number `{RAW}`, not a date.", fix)
            return None
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
            report(key, f"`{excerpt(value)}` is not a date.", fix)
            return None
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            report(key, f"`{excerpt(value)}` is not a day of the calendar.", fix)
            return None
        if not self.future and day > dt.date.today() + dt.timedelta(days=1):
            report(
                key,
                f"{day.isoformat()} is in the future.",
                "Record a review on the day it took place.",
            )
            return None
        return day

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


@dataclass(frozen=True)
class Choice(Kind):
    choices: tuple[str, ...]

    def check(self, value: Any, key: str, report: Report) -> Any:
        if isinstance(value, str) and value in self.choices:
            return value
        options = ", ".join(f"`{c}`" for c in self.choices)
        near = isinstance(value, str) and value.strip().lower() in self.choices
        fix = f"Write it as `{value.strip().lower()}`." if near else f"Use one of {options}."
        shown = described(value) if isinstance(value, bool) else f"`{excerpt(value)}`"
        report(key, f"{shown} is not one of {options}.", fix)
        return None

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind
    single_ok: bool = True  # `owners: Dana` is read as `owners: [Dana]`
    unique: str | None = None  # a key of the items that must differ between items

    def check(self, value: Any, key: str, report: Report) -> Any:
        if self.single_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            report(
                key,
                f"must be a list, not {described(value)}.",
                _as_list(key, self.item),
            )
            return None
        out, seen = [], set()
        for i, item in enumerate(value):
            checked = check_value(self.item, item, f"{key}[{i}]", report)
            if checked is None:
                continue
            if self.unique is not None:
                mark = checked.get(self.unique)
                if mark in seen:
                    report(
                        f"{key}[{i}].{self.unique}",
                        f"`{excerpt(mark)}` is used twice in this card.",
                        f"Give each of the card's {_leaf(key)} its own `{self.unique}`.",
                    )
                    continue
                seen.add(mark)
            out.append(checked)
        return out

    def schema(self) -> dict[str, Any]:
        items = self.item.schema()
        if self.single_ok:
            return {"anyOf": [{"type": "array", "items": items}, items]}
        return {"type": "array", "items": items}


@dataclass(frozen=True)
class MapOf(Kind):
    item: Kind

    def check(self, value: Any, key: str, report: Report) -> Any:
        if not isinstance(value, dict):
            report(
                key,
                f"must be a mapping of name: value, not {described(value)}.",
                f"Write `{_leaf(key)}:` followed by indented `name: value` lines.",
            )
            return None
        out = {}
        for name, v in value.items():
            if name == DUPLICATES:
                _report_duplicates(v, key, report)
                continue
            label = _one_line(str(name))[:MAX_LINE_CHARS] or "link"
            checked = check_value(self.item, v, f"{key}.{label}", report)
            if checked is not None:
                out[label] = checked
        return out

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.item.schema()}


@dataclass(frozen=True)
class Field:
    """One key of a record, with its kind and the sentence the reference docs show."""

    name: str
    kind: Kind
    doc: str
    required: bool = False


Rule = Callable[[dict[str, Any], str, Report], bool]
"""A check across a record's keys: reports and returns False to leave the record out."""


@dataclass(frozen=True)
class Record(Kind):
    fields: tuple[Field, ...]
    rule: Rule | None = field(default=None, compare=False)
    conditions: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    """What `rule` checks that JSON Schema can say too (`if`/`then`), for editors."""

    def check(self, value: Any, key: str, report: Report) -> Any:
        out = self.check_keys(value, key, report)
        if out is None:
            return None
        if self.rule is not None and not self.rule(out, key, report):
            return None
        if any(f.required and f.name not in out for f in self.fields):
            return None
        return out

    def check_keys(self, value: Any, key: str, report: Report) -> dict[str, Any] | None:
        """Every key that checks out, even when a required one does not."""
        if not isinstance(value, dict):
            report(
                key or "(card)",
                f"must be a mapping of keys, not {described(value)}.",
                self._as_mapping(key, value),
            )
            return None
        known = {f.name: f for f in self.fields}
        out: dict[str, Any] = {}
        for f in self.fields:
            sub = f"{key}.{f.name}" if key else f.name
            if f.name not in value:
                if f.required:
                    report(sub, "is missing.", f"Add `{f.name}:`, the {_lower_first(f.doc)}")
                continue
            if value[f.name] is None:
                if f.required:
                    report(
                        sub,
                        "has no value (YAML reads an empty value, `null` or `~` as nothing).",
                        f"Write the {_lower_first(f.doc).rstrip('.')} after `{f.name}:`.",
                    )
                continue
            checked = check_value(f.kind, value[f.name], sub, report)
            if checked is not None:
                out[f.name] = checked
        for name in value:
            if name == DUPLICATES:
                _report_duplicates(value[name], key, report)
            elif name not in known:
                sub = f"{key}.{excerpt(name, 40)}" if key else excerpt(name, 40)
                near = difflib.get_close_matches(str(name), known, n=1)
                hint = (
                    f"Did you mean `{near[0]}`?"
                    if near
                    else ("Known keys: " + ", ".join(f"`{k}`" for k in known) + ".")
                )
                report(sub, "is not a key of the card format, so it is ignored.", hint, kept=True)
        return out

    def _as_mapping(self, key: str, value: Any) -> str:
        """How to write this record, from its own keys (`ethics: {status: complete}`)."""
        if not key:
            return "Write the card's keys as `key: value` lines."
        required = [f.name for f in self.fields if f.required] or [self.fields[0].name]
        if isinstance(value, str) and len(required) == 1:
            return f"Write it with its key: `{_leaf(key)}: {{{required[0]}: {excerpt(value)}}}`."
        keys = ", ".join(f"`{f.name}`" for f in self.fields)
        return f"Write `{_leaf(key)}:` with its keys ({keys}) on indented lines below it."

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {f.name: {**f.kind.schema(), "description": f.doc} for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
            **({"allOf": list(self.conditions)} if self.conditions else {}),
        }


def _report_duplicates(keys: Any, key: str, report: Report) -> None:
    for name in keys:
        sub = f"{key}.{name}" if key else str(name)
        report(
            sub,
            "is written twice in the same mapping; YAML keeps only the last one.",
            "Remove the line you do not mean, so that a reader sees what the site shows.",
            kept=True,
        )


def _as_list(key: str, item: Kind) -> str:
    """How to write a list: of values on one line, or of records one item a line."""
    leaf = _leaf(key)
    if isinstance(item, Record):
        first = ", ".join(f"{f.name}: ..." for f in item.fields if f.required) or "..."
        return f"Write one item a line under `{leaf}:`, each starting with `- `: `- {{{first}}}`."
    return f"Write a YAML list: `{leaf}: [a, b]`."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
