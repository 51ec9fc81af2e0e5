"""Maturity files of another format, read as cards: a mapping (`formats:` in mkdocs.yml, read by
`mapping`) says which keys of a file give a card's id, name, owners, reviewers, tags and level.
A file is YAML, JSON or Markdown with YAML front matter (whose text is the card's body), as
its name says; its id is a template of its keys and the parts of its path (`id_template`).

An organisation that already records maturity in files of its own (a Kubernetes `kep.yaml`
with `kep-number`, `title` and `stage: beta`) gets its readiness site without rewriting a
file. A mapped file is parsed into the same `Card` as a TRL card, so discovery, history (with
its identity rules), the pages and the export treat it as one (`formats.format_for`).

The level is a number 0..9, or a stage of an ordered scale (`alpha: 4, beta: 6, stable: 8`);
statuses the format lists under `closed` close the component instead (`Card.closed`). Such a
file holds no review records (a format's `approvals` files may: `approvals`): its own process
is the gate between two of its stages, so a move to the next stage is an advance that needs
no record, while a move over a stage is a
skip and a switchback a change no gate decided, as for a card (`Card.stages`). A value on no
scale is reported with the values that are (and the one it is but for case, spaces or
punctuation), never guessed; without a level the file cannot be shown, and is left out with
the problem.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .approvals import ApprovalFiles
from .body import body_limit
from .border import described, excerpt
from .card import Card, ParsedCard
from .formats import CardFormat
from .grading import THE_CARD, Found, locate, unreadable, unusable
from .id_template import fill_id, id_values, key_placeholders, path_parts
from .keys import Unloadable, leaf, load_document, lookup, required, written_twice
from .kinds import Integer, ListOf, Report, Text, Unreadable
from .levels import HIGHEST, LOWEST
from .problem import Problem, Severity

__all__ = ["MappedFormat"]


_PEOPLE = ListOf(Text(one_line=True))


@dataclass(frozen=True)
class MappedFormat:
    """How the files of one glob give cards: which key holds what (keys may be paths through
    nested mappings, `maturity.stage`)."""

    files: tuple[str, ...]
    id: str
    """The id template: `KEP-{kep-number}`."""
    name: str
    level: str
    scale: tuple[tuple[str, int], ...] = ()
    """(stage, level), from the least mature stage; empty: the value is the level."""
    owners: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    """Statuses of the level key that close a component rather than rate it (`withdrawn`)."""
    reviews_due: bool = True
    """Whether its cards can be due for a review."""
    stale_days: int | None = None
    """The days after which its cards are stale; None: the site's `stale_days`."""
    path_pattern: str | None = None
    """A regular expression with named groups, searched in the file's path: each group is a
    part of the path that the id template can use as `{path.<group>}`."""
    approvals: ApprovalFiles | None = None
    """Other files that name who approved a component into a stage, joined by id."""
    where: str = "formats[0]"
    """The entry of mkdocs.yml that declares it, for messages."""

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The keys of the file the id is made of, in order (not the parts of its path)."""
        return key_placeholders(self.id)

    @property
    def path_parts(self) -> tuple[str, ...]:
        """The parts of the file's path the id is made of (`path.file`), in order."""
        return path_parts(self.id)

    @property
    def stages(self) -> tuple[int, ...]:
        """The levels of the stages, lowest first; every level when the value is a number."""
        if not self.scale:
            return tuple(range(LOWEST, HIGHEST + 1))
        return tuple(sorted({level for _, level in self.scale}))

    def parse(self, text: str, path: str) -> ParsedCard:
        """The card a file of this format gives, and every problem; never raises."""
        try:
            return self._parse(text, path)
        except Exception as error:  # one file must never cost the site
            return unreadable(path, error)

    def quick(self, text: str, path: str) -> tuple[str, int] | None:
        """No fast reader: every revision of a mapped file is parsed. A `kep.yaml` takes
        0.45 ms, so the 2,551 revisions of the real kubernetes/enhancements history cost about
        a second; a reader by lines would have to prove each key of the id template plain."""
        return None

    def _parse(self, text: str, path: str) -> ParsedCard:
        loaded = load_document(text, path, self.where)
        if isinstance(loaded, Unloadable):
            return unusable(path, loaded.message, loaded.fix, loaded.line)
        data, source, body, first_line = loaded.data, loaded.source, loaded.body, loaded.first_line
        found = Found()
        identity = found.reporter(lambda key: THE_CARD)
        card_id = self._card_id(data, source, path, identity)
        name = self._name(data, identity)
        closed = self._closed(data)
        level = self.stages[0] if closed is not None else self._level(data, identity)
        extra = found.reporter(lambda key: f"`{key}`")
        people = {key: self._people(data, getattr(self, key), extra) for key in _LISTS}
        written_twice(loaded, path, self._keys(), extra)
        problems = found.problems(source, first_line, path)
        limit = body_limit(body)
        if limit is not None:
            problems += (
                Problem(
                    path,
                    f"The card's text {limit.message} It is shown as plain text.",
                    limit.fix,
                    line=first_line + source.count("\n") + 1 + limit.line,
                    key="body",
                    severity=Severity.WARNING,
                ),
            )
        if card_id is None or name is None or level is None:
            return ParsedCard(None, problems, card_id)
        card = Card(
            id=card_id,
            name=name,
            level=level,
            path=path,
            owners=people["owners"],
            reviewers=people["reviewers"],
            tags=people["tags"],
            body=_joined(
                "" if closed is not None else self._body(lookup(data, self.level)[1], level), body
            ),
            stages=self.stages,
            scale=self.scale,
            stage=self._stage(data) if closed is None else None,
            reviews_due=self.reviews_due,
            stale_days=self.stale_days,
            closed=closed,
        )
        return ParsedCard(card, problems, card_id)

    def _keys(self) -> tuple[str, ...]:
        return (
            *self.placeholders,
            self.name,
            self.level,
            *self.owners,
            *self.reviewers,
            *self.tags,
        )

    def _card_id(self, data: dict[Any, Any], source: str, path: str, report: Report) -> str | None:
        return fill_id(self.id, self.path_pattern, self.where, data, source, path, report)

    def _required(
        self, data: dict[Any, Any], key: str, role: str, what: str, report: Report
    ) -> Any:
        return required(data, key, f"{role} in `{self.where}` of mkdocs.yml)", what, report)

    def _stage(self, data: dict[Any, Any]) -> str | None:
        """The stage of the scale the file's level key says (None without a scale)."""
        value = lookup(data, self.level)[1]
        return (
            value if self.scale and isinstance(value, str) and value in dict(self.scale) else None
        )

    def _closed(self, data: dict[Any, Any]) -> str | None:
        """The closing status the file's level key says, if it says one (as the format writes
        it, whatever the case, spaces or punctuation of the file)."""
        if not self.closed:
            return None
        present, value = lookup(data, self.level)
        if not present or not isinstance(value, str):
            return None
        return value if value in self.closed else near_miss(value, self.closed)

    def _name(self, data: dict[Any, Any], report: Report) -> str | None:
        role = f"it is the card's name (`name: {self.name}`"
        value = self._required(data, self.name, role, "the component's name", report)
        if value is None:
            return None
        name: str | None = Text(one_line=True).check(value, self.name, report)
        return name

    def _level(self, data: dict[Any, Any], report: Report) -> int | None:
        known = ", ".join(f"`{stage}`" for stage, _ in self.scale[:20])
        known += ", ..." if len(self.scale) > 20 else ""
        if self.closed:
            known += "; or, closing it, " + ", ".join(f"`{c}`" for c in self.closed[:10])
        role = f"it is the card's level (`level: {self.level}`"
        what = f"one of {known}" if self.scale else f"a level from {LOWEST} to {HIGHEST}"
        value = self._required(data, self.level, role, what, report)
        if value is None:
            return None
        if not self.scale:
            level: int | None = Integer(LOWEST, HIGHEST).check(value, self.level, report)
            return level
        stages = dict(self.scale)
        if isinstance(value, str) and value in stages:
            return stages[value]
        shown = f"`{excerpt(value)}`" if isinstance(value, str) else described(value)
        message = f"{shown} is not a stage of the scale of `{self.where}` in mkdocs.yml ({known})"
        near = near_miss(value, stages) if isinstance(value, str) else None
        scale_key = f"`{self.where}.scale`"
        if near is not None:
            message += f"; `{near}` differs from it only in case, spaces or punctuation"
            fix = f"Write `{leaf(self.level)}: {near}`, or add `{excerpt(value)}` to {scale_key}."
        else:
            # Only a near miss is suggested: the closest spelling of another word (`disabled`
            # and `stable`) would mark a component with a stage it does not have.
            fix = f"Write one of the stages, or add this one to {scale_key} with its level."
        report(self.level, message + ".", fix)
        return None

    def _people(
        self, data: dict[Any, Any], keys: tuple[str, ...], report: Report
    ) -> tuple[str, ...]:
        out: list[str] = []
        for key in keys:
            present, value = lookup(data, key)
            if not present or value is None:
                continue
            if isinstance(value, Unreadable):
                report(key, *value.describe())
                continue
            out += _PEOPLE.check(value, key, report) or []
        return tuple(dict.fromkeys(out))

    def _body(self, value: Any, level: int) -> str:
        """One line that says where the level comes from: the stage, and the scale."""
        if not self.scale:
            return ""
        scale = ", ".join(f"`{stage}` {n}" for stage, n in self.scale)
        return (
            f"Level {level} is stage `{value}` of this file's `{self.level}`, on this site's "
            f"scale: {scale}."
        )

    def write(self, card: Card) -> str:
        """The keys this format reads, as YAML that reads back as this card (values quoted as
        JSON, which YAML reads as written).

        Raises:
            ValueError: the card's id does not fit the id template, or its level is on no
                stage of the scale.
        """
        if self.path_parts:
            raise ValueError(
                f"the id template `{self.id}` takes parts of the file's path; name the file instead"
            )
        values = id_values(self.id, card.id)
        values[self.name] = card.name
        if self.scale:
            stage = next((s for s, n in self.scale if n == card.level), None)
            if stage is None:
                raise ValueError(f"level {card.level} is on no stage of {self.where}.scale")
            values[self.level] = stage
        else:
            values[self.level] = card.level
        for key in _LISTS:
            keys, people = getattr(self, key), getattr(card, key)
            if keys and people:
                values[keys[0]] = list(people)
        tree: dict[str, Any] = {}
        for key, value in values.items():
            *parents, leaf = key.split(".")
            node = tree
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = value
        return "".join(_yaml_lines(tree, 0))

    def schema(self) -> dict[str, Any]:
        """The keys this format reads, as JSON Schema (draft-07); its other keys are free."""
        text = {"type": "string", "minLength": 1}
        people = {"anyOf": [text, {"type": "array", "items": text}]}
        level = (
            {"type": "string", "enum": [stage for stage, _ in self.scale]}
            if self.scale
            else {"type": "integer", "minimum": LOWEST, "maximum": HIGHEST}
        )
        properties: dict[str, dict[str, Any]] = {
            **{key: {"type": ["string", "number"]} for key in self.placeholders},
            self.name: text,
            self.level: level,
            **{key: people for name in _LISTS for key in getattr(self, name)},
        }
        required = {*self.placeholders, self.name, self.level}
        root: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for key, schema in properties.items():
            *parents, leaf = key.split(".")
            node = root
            for parent in parents:
                child = node["properties"].setdefault(
                    parent, {"type": "object", "properties": {}, "required": []}
                )
                if key in required and parent not in node["required"]:
                    node["required"].append(parent)
                node = child
            node["properties"][leaf] = schema
            if key in required and leaf not in node["required"]:
                node["required"].append(leaf)
        return {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": f"Files read as TRL cards by `{self.where}` ({', '.join(self.files)})",
            **root,
        }

    def locate(self, problems: Sequence[Problem], text: str, path: str) -> list[Problem]:
        """Problems found outside the parser (a duplicate id) with the line of the key they
        are about in this file: the card's `id` is where its template's first key is."""
        keys = {"id": (*self.placeholders, self.name)[0], "name": self.name, "level": self.level}
        return locate(problems, text, 1, lambda key: keys.get(key, key))

    def card_format(self) -> CardFormat:
        """This mapping as a card format. Equal mappings give the same object, so that a
        mkdocs.yml read again (`mkdocs serve`) keeps the parses and lineages of the last build.
        """
        return _card_format(self)


@functools.cache
def _card_format(mapped: MappedFormat) -> CardFormat:
    return CardFormat(
        name=f"mapped:{','.join(mapped.files)}",
        files=mapped.files,
        parse=mapped.parse,
        quick=mapped.quick,
        locate=mapped.locate,
        write=mapped.write,
        schema=mapped.schema,
        approvals=mapped.approvals,
    )


_LISTS = ("owners", "reviewers", "tags")


def _yaml_lines(tree: dict[str, Any], depth: int) -> list[str]:
    out = []
    for key, value in tree.items():
        indent = "  " * depth
        if isinstance(value, dict):
            out += [f"{indent}{key}:\n", *_yaml_lines(value, depth + 1)]
        else:
            out.append(f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}\n")
    return out


_LOOSE = re.compile(r"[\W_]+")


def near_miss(value: str, stages: dict[str, int] | Sequence[str]) -> str | None:
    """The stage that `value` is but for case, spaces or punctuation (`Beta `, `GA.`), or
    None: any other difference is not a near miss, whatever the spelling distance."""
    loose = _LOOSE.sub("", value.casefold())
    if not loose:
        return None
    return next((s for s in stages if _LOOSE.sub("", s.casefold()) == loose), None)


def _joined(line: str, body: str) -> str:
    """The card's text: the line that says where its level comes from, then the file's own."""
    return "\n\n".join(part for part in (line, body.strip("\n")) if part)
