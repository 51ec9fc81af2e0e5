"""`formats:` in mkdocs.yml: the maturity formats a site reads as cards, each entry a mapping
of keys declared once (`FORMAT_OPTIONS`, read by `options.read_record`) into a `MappedFormat`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .approvals import STAGE, ApprovalFiles
from .border import described, excerpt
from .formats import CardFormat
from .id_template import PATH_PARTS, PLACEHOLDER
from .levels import HIGHEST, LOWEST
from .mapped import MappedFormat
from .options import Option, OptionError, read_record

__all__ = ["APPROVAL_OPTIONS", "FORMAT_OPTIONS", "FormatError", "read_formats"]


class FormatError(OptionError):
    """`formats` in mkdocs.yml cannot be read; the message names the key and the fix."""


def _key(value: object, where: str) -> str:
    if not isinstance(value, str) or not all(part.strip() for part in value.split(".")):
        raise FormatError(
            f"`{where}` in mkdocs.yml: {described(value)} is not a key: a key of the file, or keys "
            "through nested mappings joined by `.` (`maturity.stage`).",
            "Write the key as it is in the file, e.g. `title`.",
        )
    return value


def _keys(value: object, where: str) -> tuple[str, ...]:
    return tuple(_key(item, where) for item in _list(value, where, "a key"))


def _globs(value: object, where: str) -> tuple[str, ...]:
    globs = []
    for pattern in _list(value, where, "a glob"):
        if not pattern.strip("/ "):
            raise FormatError(
                f"`{where}` in mkdocs.yml has an empty glob.", "Write `keps/**/kep.yaml`."
            )
        globs.append(pattern.lstrip("/"))
    return tuple(globs)


def _list(value: object, where: str, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise FormatError(
            f"`{where}` in mkdocs.yml must be {what} or a list of them, not {described(value)}.",
            f"Write `{where.rsplit('.', 1)[-1]}: [...]` with each item as text.",
        )
    return items


def _id_template(value: object, where: str) -> str:
    fix = 'Write the id as a template of the file\'s keys: `id: "KEP-{kep-number}"`.'
    if not isinstance(value, str):
        raise FormatError(f"`{where}` in mkdocs.yml is {described(value)}, not text.", fix)
    outside = PLACEHOLDER.sub("", value)
    if "{" in outside or "}" in outside:
        raise FormatError(
            f"`{where}` in mkdocs.yml is `{excerpt(value)}`, with a `{{` or `}}` that does not "
            "enclose a key.",
            'Write each key in one pair of braces: `id: "KEP-{kep-number}"`.',
        )
    if not PLACEHOLDER.search(value):
        raise FormatError(
            f"`{where}` in mkdocs.yml is `{excerpt(value)}`, which names no key in braces: "
            "every file would have that id.",
            fix,
        )
    for key in PLACEHOLDER.findall(value):
        _key(key, where)
    return value


def _scale(value: object, where: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, dict) or not value:
        raise FormatError(
            f"`{where}` in mkdocs.yml must be a mapping of stage: level, not {described(value)}.",
            "Write the stages from the least mature: `scale: {alpha: 4, beta: 6, stable: 8}`.",
        )
    out: list[tuple[str, int]] = []
    for stage, level in value.items():
        if not isinstance(stage, str) or not stage.strip():
            raise FormatError(
                f"`{where}` in mkdocs.yml has the stage {described(stage)}, which is not text.",
                f'Quote it: `"{stage}": {level}`.',
            )
        if isinstance(level, bool) or not isinstance(level, int) or not LOWEST <= level <= HIGHEST:
            raise FormatError(
                f"`{where}.{stage}` in mkdocs.yml is {described(level)}, not a level from {LOWEST} "
                f"to {HIGHEST}.",
                f"Give the stage the MLTRL level it stands for, e.g. `{stage}: 4`.",
            )
        if out and level < out[-1][1]:
            raise FormatError(
                f"`{where}.{stage}` in mkdocs.yml is level {level}, below `{out[-1][0]}: "
                f"{out[-1][1]}` before it.",
                "List the stages from the least mature to the most, with levels that never go "
                "down.",
            )
        out.append((stage, level))
    return tuple(out)


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise FormatError(
            f"`{where}` in mkdocs.yml is {described(value)}, not true or false.",
            f"Write `{where.rsplit('.', 1)[-1]}: false` or `true`.",
        )
    return value


def _days(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FormatError(
            f"`{where}` in mkdocs.yml is {described(value)}, not a number of days from 1.",
            f"Write `{where.rsplit('.', 1)[-1]}: 730`.",
        )
    return value


def _path_pattern(value: object, where: str) -> str:
    fix = (
        "Write a regular expression with a named group for each part the id takes: "
        "`path_pattern: '/(?P<number>[0-9]+)-[^/]*[.]md$'`."
    )
    if not isinstance(value, str) or not value:
        raise FormatError(f"`{where}` in mkdocs.yml is {described(value)}, not text.", fix)
    try:
        compiled = re.compile(value)
    except re.error as error:
        raise FormatError(
            f"`{where}` in mkdocs.yml is not a regular expression: {error}.", fix
        ) from None
    if not compiled.groupindex:
        raise FormatError(f"`{where}` in mkdocs.yml has no named group (`(?P<name>...)`).", fix)
    return value


def _approver_key(value: object, where: str) -> str:
    _key(value.replace(STAGE, "stage") if isinstance(value, str) else value, where)
    return str(value)


APPROVAL_OPTIONS = (
    Option(
        "files",
        "Glob(s) of the approval files, relative to mkdocs.yml "
        "(`keps/prod-readiness/**/*.yaml`). They are never cards.",
        _globs,
        required=True,
    ),
    Option(
        "id",
        "The id of the card a file approves, as a template of its keys and path, as a "
        "format's `id`: `KEP-{kep-number}`.",
        _id_template,
        required=True,
    ),
    Option(
        "approver",
        "The key of the approvers (text or a list of text). With `{stage}` in it, a key per "
        "stage of the scale (`{stage}.approver` reads `beta.approver`); without it, `stage` "
        "names the key of the stage approved.",
        lambda value, where: _approver_key(value, where),
        required=True,
    ),
    Option(
        "stage", "The key that names the stage a file approves (a file per approval).", _key, None
    ),
    Option(
        "path_pattern",
        "A regular expression with named groups for the id, as a format's `path_pattern`.",
        lambda value, where: _path_pattern(value, where),
        None,
    ),
)
"""The keys of `approvals` of a format, declared once: validation and the docs' table."""


def _approvals(value: object, where: str) -> ApprovalFiles:
    read: dict[str, Any] = read_record(APPROVAL_OPTIONS, value, where, "approvals")
    approver = read["approver"]
    if (STAGE in approver) == (read["stage"] is not None):
        raise FormatError(
            f"`{where}` in mkdocs.yml must have either `{{stage}}` in `approver` (a key per "
            "stage) or a `stage` key (a file per approval), not "
            + ("both." if read["stage"] is not None else "neither."),
            'Write `approver: "{stage}.approver"`, or `stage: stage` with `approver: approver`.',
        )
    return ApprovalFiles(stages=(), where=where, **read)


FORMAT_OPTIONS = (
    Option(
        "files",
        "Glob(s) of the files read in this format, relative to mkdocs.yml "
        "(`keps/**/kep.yaml`). They are cards without being listed in `include`; `exclude` "
        "still applies.",
        _globs,
        required=True,
    ),
    Option(
        "id",
        "The card's id, as a template of the file's keys in braces: `KEP-{kep-number}`. A "
        "number is put in as it is written (`0042` stays `0042`). Parts of the file's path "
        "can be used too: `{path.file}` (its name without the extension), `{path.folder}` (the "
        "folder it is in), and `{path.<group>}` for each named group of `path_pattern`.",
        _id_template,
        required=True,
    ),
    Option("name", "The key of the component's name: `title`.", _key, required=True),
    Option(
        "level",
        "The key of the level: a number 0..9, or one of the stages of `scale`.",
        _key,
        required=True,
    ),
    Option(
        "scale",
        "The stages the level key takes, from the least mature to the most, each with its "
        "MLTRL level: `{alpha: 4, beta: 6, stable: 8}`. Several stages may share a level. "
        "Without it, the value is the level itself.",
        _scale,
        (),
    ),
    Option(
        "owners",
        "The key, or list of keys, of the owners: each text or a list of text.",
        _keys,
        (),
    ),
    Option("reviewers", "The key, or list of keys, of the people who review its gates.", _keys, ()),
    Option("tags", "The key, or list of keys, of the card's tags.", _keys, ()),
    Option(
        "closed",
        "Statuses of the `level` key that close a component rather than rate it: `[declined, "
        "withdrawn, deferred]`. A closed component keeps its page and its whole history, whose "
        "level history says when and how it closed (and reopened); it counts in no readiness "
        "figure and no attention list, and it is no problem.",
        lambda value, where: tuple(_list(value, where, "a status")),
        (),
    ),
    Option(
        "reviews_due",
        "Whether this format's components can be listed as due for a review (`false` for a "
        "process whose stages are not reviewed on a clock). The last stage of a scale is "
        "never due: no gate follows it.",
        lambda value, where: _flag(value, where),
        True,
    ),
    Option(
        "stale_days",
        "The days after which a component of this format that has not changed is stale, in "
        "place of the site's `stale_days` (a proposal finished years ago is not stale).",
        lambda value, where: _days(value, where),
        None,
    ),
    Option(
        "path_pattern",
        "A regular expression searched in each file's path (relative to mkdocs.yml), whose "
        "named groups the id can use: with `'/(?P<number>[0-9]+)-[^/]*[.]md$'`, the file "
        "`peps/0042-title.md` has `{path.number}` 0042. A file whose path does not match it "
        "is left out, with the reason.",
        _path_pattern,
        None,
    ),
    Option(
        "approvals",
        "Other files of the repository that name who approved a component into a stage, "
        "joined to its card by id (see [Approvals](#approvals)): `files`, `id`, `approver`, "
        "and `stage` for a file per approval. A change into a stage they approve shows who "
        "approved it, and when the approval was committed.",
        _approvals,
        None,
    ),
)
"""The keys of an entry of `formats`, declared once: validation and the docs' table."""


def read_formats(value: object, where: str = "formats") -> tuple[CardFormat, ...]:
    """The card formats that `formats` in mkdocs.yml declares, in order (the first whose
    `files` match a path reads it).

    Raises:
        FormatError: an entry cannot be read; the message names its key and the fix.
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FormatError(
            f"`{where}` in mkdocs.yml must be a list of formats, not {described(value)}.",
            "Write each format as an item `- files: ...` with its `id`, `name` and `level`.",
        )
    out: list[MappedFormat] = []
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        try:
            read: dict[str, Any] = read_record(FORMAT_OPTIONS, entry, at, "a format")
        except FormatError:
            raise
        except OptionError as error:  # the shape of the entry itself
            raise FormatError(error.message, error.fix) from None
        mapped = MappedFormat(**read, where=at)
        if mapped.approvals is not None:
            if not mapped.scale:
                raise FormatError(
                    f"`{at}.approvals` in mkdocs.yml needs `{at}.scale`: an approval names a "
                    "stage.",
                    "Give the format its stages: `scale: {alpha: 4, beta: 6, stable: 8}`.",
                )
            shared = set(mapped.files) & set(mapped.approvals.files)
            if shared:
                raise FormatError(
                    f"`{at}.approvals.files` in mkdocs.yml: `{sorted(shared)[0]}` is read as "
                    "cards by `files` already.",
                    "Give the approval files globs of their own.",
                )
            stages = tuple(stage for stage, _ in mapped.scale)
            mapped = replace(mapped, approvals=replace(mapped.approvals, stages=stages))
        both = sorted(set(mapped.closed) & {stage for stage, _ in mapped.scale})
        if both:
            raise FormatError(
                f"`{at}.closed` in mkdocs.yml names `{both[0]}`, a stage of `{at}.scale`: a "
                "status either rates a component or closes it.",
                f"Remove `{both[0]}` from one of them.",
            )
        groups = re.compile(mapped.path_pattern).groupindex if mapped.path_pattern else {}
        for part in mapped.path_parts:
            if part not in PATH_PARTS and part.removeprefix("path.") not in groups:
                raise FormatError(
                    f"`{at}.id` in mkdocs.yml takes `{{{part}}}`, which is neither "
                    "`{path.file}`, `{path.folder}` nor a named group of "
                    f"`{at}.path_pattern`.",
                    f"Add `(?P<{part.removeprefix('path.')}>...)` to `{at}.path_pattern`, or "
                    "take another part.",
                )
        for earlier in out:
            shared = set(mapped.files) & set(earlier.files)
            if shared:
                raise FormatError(
                    f"`{at}.files` in mkdocs.yml: `{sorted(shared)[0]}` is read by "
                    f"`{earlier.where}` already, so this format would never read it.",
                    "Give each format globs of its own.",
                )
        out.append(mapped)
    return tuple(m.card_format() for m in out)
