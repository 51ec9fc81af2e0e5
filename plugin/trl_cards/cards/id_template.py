"""The id template of a mapped format (`id: "KEP-{kep-number}"`, `"P-{path.number}"`): the keys
of the file and the parts of its path it names, the values it is filled with (a number as the
file writes it, a part of the path), and the values read back from an id it made."""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any

import yaml

from .border import described, excerpt
from .fields import ID_PATTERN
from .keys import leaf, required
from .kinds import Identifier, Report
from .yamldoc import locate_keys

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
"""A key in braces."""

_ID = Identifier(
    pattern=ID_PATTERN,
    pattern_help="letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most "
    "64 characters.",
)

PATH_PARTS = ("path.file", "path.folder")
"""The parts of a file's path an id template can always use; `path_pattern` adds its groups."""


def is_path_part(key: str) -> bool:
    """Whether a placeholder of an id template names a part of the file's path (`path.file`)
    rather than a key of the file."""
    return key.startswith("path.")


def key_placeholders(template: str) -> tuple[str, ...]:
    """The keys of the file the id is made of, in order (not the parts of its path)."""
    return tuple(k for k in dict.fromkeys(PLACEHOLDER.findall(template)) if not is_path_part(k))


def path_parts(template: str) -> tuple[str, ...]:
    """The parts of the file's path the id is made of (`path.file`), in order."""
    return tuple(k for k in dict.fromkeys(PLACEHOLDER.findall(template)) if is_path_part(k))


def path_values(
    template: str, pattern: str | None, where: str, path: str, report: Report
) -> dict[str, str]:
    """The parts of the file's path that the id `template` names (`{path.file}`: the file's
    name without its extension; `{path.folder}`: the folder it is in; `{path.<group>}`: a
    named group of `path_pattern`); each one missing is reported by name."""
    parts_named = path_parts(template)
    if not parts_named:
        return {}
    folder, name = posixpath.split(path)
    parts = {"path.file": name.split(".", 1)[0], "path.folder": posixpath.basename(folder)}
    match = re.search(pattern, path) if pattern else None
    if match is not None:
        parts.update({f"path.{k}": v for k, v in match.groupdict().items() if v is not None})
    values = {}
    for part in parts_named:
        value = parts.get(part, "")
        if value:
            values[part] = value
            continue
        group = part.removeprefix("path.")
        if part not in PATH_PARTS and match is None:
            pattern = excerpt(pattern or "")
            why = f"does not match `{where}.path_pattern` (`{pattern}`)"
        else:
            why = f"has no `{group}` part"
        report(
            "id",
            f"cannot be made: the file's path `{excerpt(path)}` {why}, and "
            f"`id: {template}` takes `{{{part}}}`.",
            f"Rename the file to fit `{where}.path_pattern`, or correct the pattern "
            "or the id template in mkdocs.yml.",
        )
    return values


def fill_id(
    template: str,
    pattern: str | None,
    where: str,
    data: dict[Any, Any],
    source: str,
    path: str,
    report: Report,
) -> str | None:
    """The id `template` makes of the file's keys (`data`, read from `source`) and the parts of
    its `path`; None, with each missing or unusable part reported by its key, when it cannot."""
    values: dict[str, str] = path_values(template, pattern, where, path, report)
    keys = key_placeholders(template)
    for key in keys:
        role = f"the card's id is made of it (`id: {template}` in `{where}` of mkdocs.yml)"
        value = required(data, key, role, "the value", report)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            report(
                key,
                f"must be text or a number to make the card's id (`{template}`), not "
                f"{described(value)}.",
                f'Write it as text: `{leaf(key)}: "..."`.',
            )
        else:
            values[key] = value if isinstance(value, str) else as_written(source, key, value)
    parts = path_parts(template)
    if len(values) < len(keys) + len(parts):
        return None
    made = PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    reasons: list[str] = []

    def reason(key: str, message: str, fix: str, *, kept: bool = False) -> None:
        reasons.append(message)

    _ID.check(made, "id", reason)
    if reasons:
        report(
            (keys or parts)[0],
            f"makes the id `{excerpt(made)}` (`id: {template}`), which {reasons[0]}",
            f"Correct the value, or the `id` template of this format in mkdocs.yml (`{where}.id`).",
        )
        return None
    return made


def id_values(template: str, card_id: str) -> dict[str, Any]:
    """The values of the id's keys, read back from an id made by the template."""
    keys = key_placeholders(template)
    pattern, used = "", set()
    for literal, key in re.findall(r"([^{}]*)(?:\{([^{}]*)\})?", template):
        pattern += re.escape(literal)
        if key:
            group = f"p{keys.index(key)}"
            pattern += f"(?P={group})" if key in used else f"(?P<{group}>.+?)"
            used.add(key)
    match = re.fullmatch(pattern, card_id)
    if match is None:
        raise ValueError(f"the id `{card_id}` does not fit the template `{template}`")
    return {key: match.group(f"p{i}") for i, key in enumerate(keys)}


def as_written(source: str, key: str, value: int | float) -> str:
    """A number as the file writes it (`0042`, `1.10`): YAML reads those as 34 and 1.1."""
    if "." not in key:
        lines = re.findall(
            rf"^{re.escape(key)}:[ \t]+([^\s#'\"][^\s#]*)[ \t]*(?:#[^\n]*)?$", source, re.M
        )
        if len(lines) == 1 and _reads_as(lines[0], value):
            return str(lines[0])
    located = locate_keys(source).get(key)
    return located.raw if located is not None and located.raw else str(value)


@functools.lru_cache(maxsize=1 << 12)
def _reads_as_cached(raw: str) -> object:
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return None


def _reads_as(raw: str, value: int | float) -> bool:
    read = _reads_as_cached(raw)
    return type(read) is type(value) and read == value
