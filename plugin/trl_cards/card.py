"""The TRL card: its model, its format (version 1) and its validation, in one place.

The format is declared once, as a tree of `Field`s (`CARD_FIELDS`). The same tree validates a
card (`parse_card`), generates the JSON Schema (`json_schema`) and feeds the reference docs, so
the three cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .levels import HIGHEST, LOWEST
from .problem import Problem, Severity

try:  # the C loader parses a card revision in about a tenth of a millisecond
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """A safe loader that leaves dates as text, so `Date` can report a bad one with its line.

    (PyYAML raises a bare ValueError, without a position, for `date: 2024-13-01`.)
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class-level registry
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


FORMAT_VERSION = 1
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
TAG_PATTERN = r"^[\w][\w ./+-]{0,63}$"
DECISIONS = ("advance", "stay", "switchback")
SWITCHBACK_KINDS = ("discovery", "embedded", "review")
ETHICS_STATUSES = ("not started", "in progress", "complete")
DEBRIEF_QUESTIONS = {
    "accomplished": "What was accomplished, and by whom?",
    "punted": "What was punted or de-scoped?",
    "learned": "What was learned?",
    "tech_debt": "What tech debt was gained, or paid down?",
}


# -- the card model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Risk:
    """Risk of a requirement: probability of failure times the value at stake."""

    p_failure: float
    value: float

    @property
    def score(self) -> float:
        """risk = P(failure) x value, as the paper defines it."""
        return self.p_failure * self.value


@dataclass(frozen=True)
class Requirement:
    """A numbered "shall" statement."""

    id: str
    text: str
    risk: Risk | None = None


@dataclass(frozen=True)
class Debrief:
    """The stage debrief of a gated review: the paper's four questions."""

    accomplished: str | None = None
    punted: str | None = None
    learned: str | None = None
    tech_debt: str | None = None

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer) for every question answered, in the paper's order."""
        return [
            (question, answer)
            for key, question in DEBRIEF_QUESTIONS.items()
            if (answer := getattr(self, key))
        ]


@dataclass(frozen=True)
class Review:
    """The record of one gated review."""

    date: dt.date
    from_level: int
    to_level: int
    decision: str
    reviewers: tuple[str, ...] = ()
    kind: str | None = None
    debrief: Debrief = field(default_factory=Debrief)
    link: str | None = None


@dataclass(frozen=True)
class Ethics:
    """Status of the ethics checklist, a deliverable of every level."""

    status: str
    link: str | None = None


@dataclass(frozen=True)
class Card:
    """One TRL card as it stands in one file at one revision."""

    id: str
    name: str
    level: int
    path: str
    owners: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    ethics: Ethics | None = None
    coupled: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    reviews: tuple[Review, ...] = ()
    body: str = ""


@dataclass(frozen=True)
class ParsedCard:
    """What parsing one file gives: the card when it is usable, and every problem found."""

    card: Card | None
    problems: tuple[Problem, ...] = ()
    id: str | None = None  # the id when it could be read, even from an unusable card


# -- the format, declared once -------------------------------------------------------------------


_Report = Callable[[str, str, str], None]  # (key, message, fix)


@dataclass(frozen=True)
class Kind:
    """A type of value in a card. Subclasses check a value and describe it as JSON Schema."""

    def check(self, value: Any, key: str, report: _Report) -> Any:
        """Return the value normalised, or report what is wrong and return None."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """This kind as a JSON Schema fragment."""
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Kind):
    pattern: str | None = None
    pattern_help: str = ""

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            report(
                key,
                f"must be text, not {_describe(value)}.",
                f'Write it as text: `{_leaf(key)}: "..."`.',
            )
            return None
        if not isinstance(value, str):
            # YAML turns `id: 1.10` into the number 1.1; quoting keeps what the author wrote.
            report(
                key,
                f"must be text, but YAML read it as the number {value!r}.",
                f'Put it in quotes so YAML keeps it as written, e.g. `{_leaf(key)}: "{value}"`.',
            )
            return None
        if not value.strip():
            report(key, "is empty.", "Give it a value or remove the key.")
            return None
        if self.pattern and not re.match(self.pattern, value):
            report(
                key,
                f"{value!r} is not allowed: {self.pattern_help}",
                f"Change the value of `{_leaf(key)}`.",
            )
            return None
        return value.strip() if self.pattern else value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.pattern:
            out["pattern"] = self.pattern
        return out


@dataclass(frozen=True)
class Url(Kind):
    def check(self, value: Any, key: str, report: _Report) -> Any:
        if not isinstance(value, str) or not value.strip():
            report(key, f"must be a URL, not {_describe(value)}.", "Write a full `https://` URL.")
            return None
        if not re.match(_URL_PATTERN, value.strip()):
            report(
                key,
                f"{value!r} is not a link the site can show safely.",
                "Use an `http(s)://` or `mailto:` URL, or a relative path.",
            )
            return None
        return value.strip()

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": _URL_PATTERN}


# http(s), mailto, or a relative reference: never `javascript:` or `data:`.
_URL_PATTERN = r"^(https?://|mailto:|[^:\s]+$|[^:\s]*[/?#])"


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int
    maximum: int | None = None

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            report(
                key,
                f"must be a whole number, not {_describe(value)}.",
                f"Write a number from {self.minimum} to {self.maximum}.",
            )
            return None
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            report(
                key,
                f"{value} is out of range {self.minimum}..{self.maximum}.",
                f"Use a level from {self.minimum} to {self.maximum}.",
            )
            return None
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer", "minimum": self.minimum}
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class Number(Kind):
    minimum: float
    maximum: float | None = None

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            report(key, f"must be a number, not {_describe(value)}.", "Write a plain number.")
            return None
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            upper = "" if self.maximum is None else f" and at most {self.maximum}"
            report(
                key, f"{value} is out of range.", f"Use a number at least {self.minimum}{upper}."
            )
            return None
        return float(value)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number", "minimum": self.minimum}
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class Date(Kind):
    def check(self, value: Any, key: str, report: _Report) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        report(key, f"{value!r} is not a date.", "Write the date as YYYY-MM-DD, e.g. 2024-03-01.")
        return None

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Choice(Kind):
    choices: tuple[str, ...]

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if isinstance(value, str) and value in self.choices:
            return value
        options = ", ".join(f"`{c}`" for c in self.choices)
        near = isinstance(value, str) and value.strip().lower() in self.choices
        fix = f"Write it as `{value.strip().lower()}`." if near else f"Use one of {options}."
        report(key, f"{value!r} is not one of {options}.", fix)
        return None

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind
    single_ok: bool = True  # `owners: Dana` is read as `owners: [Dana]`

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if self.single_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            report(
                key,
                f"must be a list, not {_describe(value)}.",
                f"Write a YAML list: `{_leaf(key)}: [a, b]`.",
            )
            return None
        checked = [self.item.check(v, f"{key}[{i}]", report) for i, v in enumerate(value)]
        return [v for v in checked if v is not None]

    def schema(self) -> dict[str, Any]:
        items = self.item.schema()
        if self.single_ok:
            return {"anyOf": [{"type": "array", "items": items}, items]}
        return {"type": "array", "items": items}


@dataclass(frozen=True)
class MapOf(Kind):
    item: Kind

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if not isinstance(value, dict):
            report(
                key,
                f"must be a mapping of name: value, not {_describe(value)}.",
                f"Write `{_leaf(key)}:` followed by indented `name: value` lines.",
            )
            return None
        out = {}
        for name, v in value.items():
            checked = self.item.check(v, f"{key}.{name}", report)
            if checked is not None:
                out[str(name)] = checked
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


@dataclass(frozen=True)
class Record(Kind):
    fields: tuple[Field, ...]

    def check(self, value: Any, key: str, report: _Report) -> Any:
        if not isinstance(value, dict):
            report(
                key or "(card)",
                f"must be a mapping of keys, not {_describe(value)}.",
                "Write `key: value` lines.",
            )
            return None
        known = {f.name: f for f in self.fields}
        out: dict[str, Any] = {}
        for f in self.fields:
            sub = f"{key}.{f.name}" if key else f.name
            if f.name not in value or value[f.name] is None:
                if f.required:
                    report(sub, "is missing.", f"Add `{f.name}:`, the {_lower_first(f.doc)}")
                continue
            checked = f.kind.check(value[f.name], sub, report)
            if checked is not None:
                out[f.name] = checked
        for name in value:
            if name not in known:
                sub = f"{key}.{name}" if key else str(name)
                near = difflib.get_close_matches(str(name), known, n=1)
                hint = (
                    f"Did you mean `{near[0]}`?"
                    if near
                    else ("Known keys: " + ", ".join(f"`{k}`" for k in known) + ".")
                )
                report(
                    sub, "is not a key of the card format, so it is ignored.", hint + " (warning)"
                )
        return out

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {f.name: {**f.kind.schema(), "description": f.doc} for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
        }


_LEVEL = Integer(LOWEST, HIGHEST)
_PEOPLE = ListOf(Text())

DEBRIEF_FIELDS = tuple(Field(k, Text(), q) for k, q in DEBRIEF_QUESTIONS.items())
REVIEW_FIELDS = (
    Field("date", Date(), "Day of the review, YYYY-MM-DD.", required=True),
    Field("from", _LEVEL, "Level reviewed (the gate being passed).", required=True),
    Field("to", _LEVEL, "Level decided.", required=True),
    Field("decision", Choice(DECISIONS), "Advance, stay, or switch back.", required=True),
    Field("reviewers", _PEOPLE, "Who reviewed."),
    Field("kind", Choice(SWITCHBACK_KINDS), "For a switchback: discovery, embedded or review."),
    Field("debrief", Record(DEBRIEF_FIELDS), "The stage debrief: the four questions answered."),
    Field("link", Url(), "Where the full review record lives."),
)
REQUIREMENT_FIELDS = (
    Field("id", Text(), "Requirement id, unique in the card.", required=True),
    Field("text", Text(), 'The "shall" statement.', required=True),
    Field(
        "risk",
        Record(
            (
                Field(
                    "p_failure", Number(0.0, 1.0), "Probability of failure, 0..1.", required=True
                ),
                Field("value", Number(0.0), "Value at stake.", required=True),
            )
        ),
        "Risk = p_failure x value.",
    ),
)
CARD_FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        Text(
            ID_PATTERN,
            "letters, digits, `.`, `_` and `-`, starting with a letter or "
            "digit, at most 64 characters.",
        ),
        "Unique, stable identity of the card.",
        required=True,
    ),
    Field("name", Text(), "Name of the component.", required=True),
    Field("level", _LEVEL, "Current MLTRL level, 0-9.", required=True),
    Field("owners", _PEOPLE, "People or teams who own the component."),
    Field("reviewers", _PEOPLE, "Who reviews its gates."),
    Field(
        "tags",
        ListOf(Text(TAG_PATTERN, "letters, digits, spaces and `-_./+` only.")),
        "Free labels.",
    ),
    Field("links", MapOf(Url()), "Named links: project page, requirements, V&V, code..."),
    Field(
        "ethics",
        Record(
            (
                Field(
                    "status",
                    Choice(ETHICS_STATUSES),
                    "not started, in progress or complete.",
                    required=True,
                ),
                Field("link", Url(), "Where the checklist lives."),
            )
        ),
        "Status of the ethics checklist.",
    ),
    Field("coupled", ListOf(Text(ID_PATTERN, "a card id.")), "Ids of coupled cards."),
    Field(
        "requirements",
        ListOf(Record(REQUIREMENT_FIELDS), single_ok=False),
        "Top-level requirements.",
    ),
    Field(
        "reviews",
        ListOf(Record(REVIEW_FIELDS), single_ok=False),
        "Gated reviews with their stage debriefs.",
    ),
    Field("body", Text(), "Pure YAML cards only: the Markdown sections."),
)
CARD_RECORD = Record(CARD_FIELDS)


def json_schema() -> dict[str, Any]:
    """The card format as a JSON Schema (draft 2020-12), generated from `CARD_FIELDS`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mkdocs-trl-cards.example/schema/card-v{FORMAT_VERSION}.json",
        "title": f"TRL card, format version {FORMAT_VERSION}",
        "description": "Front matter of a Machine Learning Technology Readiness Level card.",
        **CARD_RECORD.schema(),
    }


# -- parsing -------------------------------------------------------------------------------------

# A top-level key at the start of a line, and an item of a block sequence.
_TOP_KEY = re.compile(r"^(?=[A-Za-z_][\w-]*:(?:[ \t]|$))", re.M)
_ITEM = re.compile(r"^(?=[ \t]*- )", re.M)


def load_yaml(source: str) -> Any:
    """`yaml.load` with the safe loader, memoised by block: the same value, much less work.

    The revisions of a card share most of their front matter: a new revision changes a line or
    appends a review. So each top-level `key:` block, and each item of a top-level list, is
    parsed once per distinct text. Anything unusual (anchors and aliases, a first line that is
    not a key, a block that is not one `key: value`) is parsed whole instead, as is any error,
    so that its message and line are YAML's own.
    """
    blocks = _TOP_KEY.split(source)
    preamble = [line for line in blocks[0].splitlines() if line.strip()]
    if "&" in source or "*" in source or any(not p.lstrip().startswith("#") for p in preamble):
        return _load_whole(source)
    data: dict[Any, Any] = {}
    try:
        for block in blocks[1:]:
            value = _load_block(block)
            if value is None:
                return _load_whole(source)
            data.update(value)
    except yaml.YAMLError:
        return _load_whole(source)  # raises again, with the position in the whole source
    return data or _load_whole(source)


def _load_whole(source: str) -> Any:
    return yaml.load(source, Loader=_Loader)  # noqa: S506 - a safe loader, C or pure


def _load_block(block: str) -> dict[Any, Any] | None:
    """One top-level `key: value` block; a block list item by item. None: not that shape."""
    head, _, rest = block.partition("\n")
    items = _ITEM.split(rest)
    if head.rstrip().endswith(":") and len(items) > 2 and not items[0].strip():
        indent = len(items[1]) - len(items[1].lstrip(" "))
        # Every item at the same indentation, continuation lines deeper: a plain block list.
        if all(len(i) - len(i.lstrip(" ")) == indent for i in items[1:]):
            values = [_load_cached(item) for item in items[1:]]
            if all(isinstance(v, list) and len(v) == 1 for v in values):
                return {head.rstrip()[:-1]: [v[0] for v in values]}
    value = _load_cached(block)
    return value if isinstance(value, dict) and len(value) == 1 else None


@functools.lru_cache(maxsize=1 << 16)
def _load_cached(text: str) -> Any:
    # Cached values are shared: validation builds new containers and never mutates them.
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or pure


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split `---`-fenced YAML front matter from the body: (yaml, body, first yaml line)."""
    text = text.removeprefix("\ufeff")
    match = re.match(r"---[ \t]*\r?\n(.*?)(?:^|\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return None
    return match.group(1), text[match.end() :], 2


def parse_card(text: str, path: str) -> ParsedCard:
    """Parse and validate one card file; never raises for bad content."""
    is_yaml = path.endswith((".yml", ".yaml"))
    if is_yaml:
        source, body, first_line = text, "", 1
    else:
        split = split_front_matter(text)
        if split is None:
            return ParsedCard(
                None,
                (
                    Problem(
                        path,
                        "has no YAML front matter, so it is not a card.",
                        "Start the file with a `---` line, the card's keys (`id`, `name`, "
                        "`level`), and another `---` line.",
                        line=1,
                    ),
                ),
            )
        source, body, first_line = split
    try:
        data = load_yaml(source)
    except yaml.YAMLError as error:
        return ParsedCard(None, (_yaml_problem(error, source, first_line, path),))
    problems: list[Problem] = []

    def report(key: str, message: str, fix: str) -> None:
        warning = fix.endswith(" (warning)")
        problems.append(
            Problem(
                path,
                f"`{key}` {message}",
                fix.removesuffix(" (warning)"),
                key=key,
                severity=Severity.WARNING if warning else Severity.ERROR,
            )
        )

    values = CARD_RECORD.check(data, "", report) if data is not None else None
    if data is None:
        report("(card)", "is empty.", "Add the card's keys: `id`, `name` and `level`.")
    if values is not None:
        _check_consistency(values, report, is_yaml)
    problems = _with_lines(problems, source, first_line)
    card_id = values.get("id") if values else None
    if values is None or any(p.severity is Severity.ERROR for p in problems):
        return ParsedCard(None, tuple(problems), card_id)
    return ParsedCard(
        _build(values, path, values.get("body", "") if is_yaml else body), tuple(problems), card_id
    )


def _yaml_problem(error: yaml.YAMLError, source: str, first_line: int, path: str) -> Problem:
    """A YAML syntax error in words a card's author can act on: the line, and what to type."""
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is None:
        return Problem(path, f"is not valid YAML: {reason}.", _YAML_FIX)
    lines = source.splitlines()
    fix = _YAML_FIX
    context = getattr(error, "context_mark", None)
    if context is not None and context.line < mark.line:
        # An unclosed `[` or `{`: YAML notices on a later line; the slip is where it opened.
        reason = f"{reason} {getattr(error, 'context', None) or ''}".rstrip()
        mark = context
        fix = "Close the `[` or `{` that opens on that line, or quote the value if it is text."
    text = lines[mark.line].strip() if mark.line < len(lines) else ""
    shown = f" (`{text}`)" if text else ""
    plain = re.fullmatch(r"([A-Za-z_][\w-]*):[ \t]+([^\"'{\[].*)", text)
    if "mapping values are not allowed" in reason and plain:
        # The most common slip: a value with ": " in it, which YAML reads as a nested key.
        value = plain.group(2).replace('"', '\\"')
        fix = f'The value contains `: `, so quote it: `{plain.group(1)}: "{value}"`.'
    return Problem(path, f"is not valid YAML: {reason}{shown}.", fix, line=first_line + mark.line)


_YAML_FIX = (
    "Check indentation and quoting on that line; text with `: ` or starting with a special "
    "character needs quotes."
)


def _check_consistency(values: dict[str, Any], report: _Report, is_yaml: bool) -> None:
    """Rules that span several keys."""
    for i, review in enumerate(values.get("reviews", [])):
        key = f"reviews[{i}]"
        start, end, decision = review.get("from"), review.get("to"), review.get("decision")
        if start is None or end is None or decision is None:
            continue
        expected = "advance" if end > start else "switchback" if end < start else "stay"
        if decision != expected:
            report(
                f"{key}.decision",
                f"is `{decision}` but the review goes from {start} to "
                f"{end}, which is `{expected}`.",
                f"Set `decision: {expected}`, or correct `from`/`to`.",
            )
        if review.get("kind") and decision != "switchback":
            report(
                f"{key}.kind",
                "only applies to a switchback.",
                "Remove `kind`, or make the decision `switchback`.",
            )
    seen: set[str] = set()
    for i, requirement in enumerate(values.get("requirements", [])):
        rid = requirement.get("id")
        if rid in seen:
            report(
                f"requirements[{i}].id",
                f"`{rid}` is used twice in this card.",
                "Give each requirement its own id.",
            )
        seen.add(rid)
    if "body" in values and not is_yaml:
        report(
            "body",
            "only applies to pure YAML cards.",
            "Put the sections in the Markdown after the front matter instead.",
        )


def _build(values: dict[str, Any], path: str, body: str) -> Card:
    ethics = values.get("ethics")
    return Card(
        id=values["id"],
        name=values["name"],
        level=values["level"],
        path=path,
        owners=tuple(values.get("owners", ())),
        reviewers=tuple(values.get("reviewers", ())),
        tags=tuple(dict.fromkeys(values.get("tags", ()))),
        links=tuple(values.get("links", {}).items()),
        ethics=Ethics(ethics["status"], ethics.get("link")) if ethics else None,
        coupled=tuple(dict.fromkeys(values.get("coupled", ()))),
        requirements=tuple(
            Requirement(
                r["id"],
                r["text"],
                Risk(r["risk"]["p_failure"], r["risk"]["value"])
                if "p_failure" in r.get("risk", {}) and "value" in r["risk"]
                else None,
            )
            for r in values.get("requirements", ())
            if "id" in r and "text" in r
        ),
        reviews=tuple(
            sorted(
                (
                    Review(
                        r["date"],
                        r["from"],
                        r["to"],
                        r["decision"],
                        tuple(r.get("reviewers", ())),
                        r.get("kind"),
                        Debrief(**r.get("debrief", {})),
                        r.get("link"),
                    )
                    for r in values.get("reviews", ())
                    if {"date", "from", "to", "decision"} <= r.keys()
                ),
                key=lambda r: r.date,
            )
        ),
        body=body.strip("\n"),
    )


# -- line numbers, looked up only when there is a problem to report ------------------------------


def locate_problems(problems: list[Problem], text: str, path: str) -> list[Problem]:
    """Give problems found outside the parser (duplicate ids, unknown coupled ids) their lines."""
    if path.endswith((".yml", ".yaml")):
        return _with_lines(problems, text, 1)
    split = split_front_matter(text)
    return _with_lines(problems, split[0], split[2]) if split else problems


def _with_lines(problems: list[Problem], source: str, first_line: int) -> list[Problem]:
    if not problems:
        return problems
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError:
        return problems
    lines = dict(_node_lines(root, "")) if root is not None else {}
    out = []
    for p in problems:
        key = p.key or ""
        while key and key not in lines:  # a missing key is reported where its parent is
            parent = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", key)
            key = parent if parent != key else ""
        line = lines.get(key, 0) + first_line
        out.append(Problem(p.path, p.message, p.fix, line, p.key, p.severity))
    return sorted(out, key=lambda p: p.line or 0)


def _node_lines(node: yaml.Node, key: str) -> Iterator[tuple[str, int]]:
    yield key, node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            sub = f"{key}.{k.value}" if key else str(k.value)
            yield sub, k.start_mark.line
            yield from _node_lines(v, sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            yield from _node_lines(v, f"{key}[{i}]")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads yes/no/on/off as booleans)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _leaf(key: str) -> str:
    """The key a person types: `reviews[0].decision` -> `decision`, `tags[1]` -> `tags`."""
    return re.sub(r"(\[\d+\])+$", "", key).rsplit(".", 1)[-1]
