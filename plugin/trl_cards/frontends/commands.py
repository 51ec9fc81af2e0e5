"""What each `trl-cards` command does, given its parsed arguments (`cli` parses them): each
returns the exit status, and says what went wrong in one line naming the file and the fix."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from ..cards.border import clean_line, write_atomically
from ..cards.collection import DEFAULT_INCLUDE
from ..cards.problem import FixableError, Problem, Severity
from ..model.pipeline import Project, build_project
from ..model.settings import NAME, Settings
from ..model.transitions import CardHistory
from ..outputs.schema_file import schema_text

Command = Callable[[argparse.Namespace], int]


def terminal(text: str) -> str:
    """Text as it may reach a terminal: no control character from repository data (screen
    clears, window titles, clipboard writes), line by line."""
    return "\n".join(clean_line(line) for line in text.split("\n"))


def _fail(error: object) -> int:
    print(terminal(f"trl-cards: {error}"), file=sys.stderr)
    return 2


def _settings(args: argparse.Namespace, folder: Path | None = None) -> tuple[Settings, str]:
    """The settings of the site (`-f`, else mkdocs.yml here), or, without one, of the cards of
    `folder` (default: here) with the plugin's default options and `--include`/`--exclude`;
    and, for the latter, a sentence that says so.

    Raises:
        SettingsError: mkdocs.yml cannot give the settings.
    """
    from .config import read_settings

    config_file: Path | None = getattr(args, "config_file", None)
    own = (folder or Path()) / "mkdocs.yml"
    if config_file is not None or own.exists():
        return read_settings(config_file or own), ""
    include = tuple(getattr(args, "include", None) or DEFAULT_INCLUDE)
    settings = Settings(folder or Path())
    if getattr(args, "include", None) or getattr(args, "exclude", None):
        settings = Settings(
            folder or Path(),
            include=include,
            exclude=tuple(args.exclude or settings.exclude),
        )
    where = f" in {folder}" if folder else " here"
    return settings, (
        f" No mkdocs.yml{where}: the cards are the files matching {', '.join(include)}."
    )


def _project(args: argparse.Namespace, folder: Path | None = None) -> tuple[Project, str]:
    settings, scope = _settings(args, folder)
    return build_project(settings), scope


def validate(args: argparse.Namespace) -> int:
    """Every problem of the site's cards (or of the cards of PATHS), as the site sees them."""
    folders = [p for p in args.paths if p.is_dir()]
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        return _fail(f"{missing[0]} is not a folder or a card file. Fix: give a path that exists.")
    # One folder outside this site (or with no site here): read it as a site of its own.
    here = Path.cwd().resolve()
    site_here = args.config_file is not None or Path("mkdocs.yml").exists()
    alone = len(args.paths) == 1 and len(folders) == 1 and args.config_file is None
    inside = alone and folders[0].resolve().is_relative_to(here)
    folder = folders[0] if alone and not (site_here and inside) else None
    try:
        project, scope = _project(args, folder)
    except FixableError as error:
        return _fail(error)
    directory = project.settings.directory
    wanted = [_relative(p, directory) for p in args.paths if p != folder]
    problems = [
        p
        for p in project.collection.problems
        if not wanted or any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted)
    ]
    if args.format == "json":
        print(json.dumps([_as_json(p) for p in problems], indent=1, ensure_ascii=False))
    else:
        for problem in problems:
            print(
                terminal(
                    f"{problem.location}: {problem.severity.value}: {problem.message} "
                    f"Fix: {problem.fix}"
                )
            )
        errors = sum(p.severity is Severity.ERROR for p in problems)
        collection = project.collection
        print(
            f"{len(collection.files)} card file(s), {len(collection.cards)} usable; "
            f"{errors} error(s), {len(problems) - errors} warning(s).{scope}",
            file=sys.stderr,
        )
    failing = [p for p in problems if p.severity is Severity.ERROR or not args.errors_only]
    return 1 if failing else 0


check = validate


def new(args: argparse.Namespace) -> int:
    """A card from the official template, valid as written, at an id no card holds."""
    from ..cards.card import Card, Ethics
    from ..cards.trl import TEMPLATE_HINTS, card_text, parse_card, template_body

    path: Path = args.path
    if path.exists():
        return _fail(f"{path} exists already; a new card never overwrites one.")
    folder = path.resolve().parent.name or "component"
    card_id = args.id or re.sub(r"[^A-Za-z0-9._-]+", "-", folder).strip("-.") or "C1"
    name = args.name or folder.replace("-", " ").replace("_", " ").capitalize()
    as_yaml = path.suffix in (".yml", ".yaml")
    card = Card(
        card_id,
        name,
        args.level,
        path.as_posix(),
        ethics=Ethics("not started"),
        body=template_body(),
    )
    text = card_text(card, TEMPLATE_HINTS, yaml=as_yaml)
    parsed = parse_card(text, path.as_posix())
    if parsed.problems:  # e.g. an --id that is not a slug: say so, write nothing
        for problem in parsed.problems:
            print(terminal(f"trl-cards: {problem}"), file=sys.stderr)
        return 2
    try:
        project, _ = _project(args)
    except FixableError as error:
        return _fail(error)
    taken = next(
        (c for c in project.collection.cards if c.id.casefold() == card_id.casefold()), None
    )
    if taken is not None:
        return _fail(
            f"the id `{card_id}` is taken by {taken.path} ({taken.name}). Fix: give the new card "
            "an id of its own with --id."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"))
    print(
        f"Wrote {path}: {card_id} at level {args.level}. Fill in its sections, then run "
        "`trl-cards validate`."
    )
    return 0


def export(args: argparse.Namespace) -> int:
    """The card JSON with this repository's whole history, for a site of many repositories."""
    from ..model.sources import repository_name
    from ..outputs.card_json import source_json

    try:
        project, _ = _project(args)
    except FixableError as error:
        return _fail(error)
    url = args.url or project.settings.repo_url
    name = args.name or repository_name(url, project.settings.directory)
    if not NAME.fullmatch(name):
        return _fail(
            f"`{name}` is not a source name (letters, digits, `.`, `_` and `-`). Fix: pass --name."
        )
    text = source_json(project, name, url)
    if args.output:
        write_atomically(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def history(args: argparse.Namespace) -> int:
    """A card's level transitions and id changes, one a line."""
    try:
        project, _ = _project(args)
    except FixableError as error:
        return _fail(error)
    typed = args.card_id.casefold()  # ids are unique without case: `p13.2` finds `P13.2`
    found = next((i for i in project.histories if i.casefold() == typed), None)
    if found is None:
        print(terminal(f"trl-cards: no card has the id `{args.card_id}`."), file=sys.stderr)
        return 1
    _print_history(project.histories[found])
    return 0


def _level(level: int, stage: str | None) -> str:
    """A level as the command prints it: with its format's stage, `6 (beta)`."""
    return f"{level} ({stage})" if stage else str(level)


def _print_history(history: CardHistory) -> None:
    for t in history.transitions:
        change = (
            f"first recorded at {_level(t.to_level, t.to_stage)}"
            if t.from_level is None
            else f"{_level(t.from_level, t.from_stage)} -> {_level(t.to_level, t.to_stage)}"
        )
        gate = f" {t.gate}" if t.gate else ""
        commit = t.revision.revision.authored
        print(
            terminal(
                f"{t.date:%Y-%m-%d}  {change:<12} {t.kind}{gate}  {commit.author}  "
                f"{commit.sha[:8]} {commit.subject}"
            )
        )
    for renumbered in history.id_changes:
        print(
            terminal(
                f"{renumbered.date:%Y-%m-%d}  id changed from {renumbered.from_id} to "
                f"{renumbered.to_id}"
            )
        )
    if history.damage:
        print(terminal(f"History damaged: {history.damage.message} Fix: {history.damage.fix}"))


def generate(args: argparse.Namespace) -> int:
    """The readiness pages as files, and what to paste into the engine's configuration."""
    from .generate import config_snippet, generate_files, write_files

    try:
        project, _ = _project(args)
        files, failures = generate_files(project)
    except FixableError as error:
        return _fail(error)
    write_files(files, args.target)
    problems = [*project.collection.problems, *failures]
    for problem in problems:
        print(
            terminal(
                f"{problem.location}: {problem.severity.value}: {problem.message} "
                f"Fix: {problem.fix}"
            ),
            file=sys.stderr,
        )
    print(f"Wrote {len(files)} file(s) to {args.target}. To show them, add to mkdocs.yml:\n")
    print(config_snippet(project))
    return 1 if problems else 0


def schema(args: argparse.Namespace) -> int:
    """The card format as JSON Schema."""
    sys.stdout.write(schema_text())
    return 0


def diff(args: argparse.Namespace) -> int:
    """What changed in readiness between two card exports."""
    from .diff import ExportError, changes, read_export

    try:
        found = changes(read_export(args.old), read_export(args.new))
    except ExportError as error:
        return _fail(error)
    if args.format == "json":
        print(json.dumps([c.as_json() for c in found], indent=1, ensure_ascii=False))
    elif found:
        print(terminal("\n".join(c.text for c in found)))
    else:
        print("No change in readiness.")
    return 0


def _relative(path: Path, directory: Path) -> str:
    try:
        return path.resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _as_json(problem: Problem) -> dict[str, object]:
    return {
        "path": problem.path,
        "line": problem.line,
        "key": problem.key,
        "severity": problem.severity.value,
        "message": problem.message,
        "fix": problem.fix,
    }
