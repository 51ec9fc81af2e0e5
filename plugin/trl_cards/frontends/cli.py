"""The `trl-cards` command: validate cards, export them, show a card's history, and more.

Every command that reads cards reads the `trl-cards` block of mkdocs.yml (in this folder, or
the one given with `-f`) and runs the same pipeline as the site, so it never disagrees with it.
In a repository without mkdocs.yml (a component's, where pre-commit runs `validate`), `validate`
checks the cards of this folder with the plugin's default options.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..cards.border import clean_line, write_atomically
from ..cards.collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, load_cards
from ..cards.problem import Problem, Severity
from ..outputs.schema_file import schema_text

if TYPE_CHECKING:
    from ..model.pipeline import Project
    from ..model.transitions import CardHistory

_EXAMPLES = {
    "validate": "example: trl-cards validate cards/retina/TRL.md   (exit 1 on any problem)",
    "export": "example: trl-cards export -o cards.json",
    "history": "example: trl-cards history P13.2",
    "generate": "example: trl-cards generate docs/readiness   (then build with any engine)",
    "new": "example: trl-cards new cards/retina/TRL.md --id P13.2 --name 'Retina triage' --level 4",
    "check": "example: trl-cards check cards   (a folder, without mkdocs.yml)",
    "schema": "example: trl-cards schema > card-v1.schema.json",
    "diff": "example: trl-cards diff main.json branch.json   (for a pull-request comment)",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status: 0 done, 1 problems found, 2 the input
    or the configuration cannot be used (the message names the file and the fix)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `trl-cards export | head`: the reader has what it wanted
        return 0
    except OSError as error:  # an output that cannot be written
        print(f"trl-cards: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2
    except Exception as error:  # a defect: one line, never a traceback
        print(
            f"trl-cards: unexpected {type(error).__name__}: {_terminal(str(error))[:300]}. "
            "Please report this message to the maintainers of mkdocs-trl-cards.",
            file=sys.stderr,
        )
        return 2


def _terminal(text: str) -> str:
    """Text as it may reach a terminal: no control character from repository data (screen
    clears, window titles, clipboard writes), line by line."""
    return "\n".join(clean_line(line) for line in text.split("\n"))


def _main(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="trl-cards", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    validate = command("validate", "check cards as the site does; exit 1 on any problem")
    validate.add_argument("paths", nargs="*", type=Path, help="only these card files' problems")
    history = command("history", "a card's level transitions, as its page shows them")
    history.add_argument("card_id", metavar="ID")
    export = command(
        "export", "the cards with their whole history, for a site of many repositories"
    )
    export.add_argument("-o", "--output", type=Path, help="write here instead of to stdout")
    export.add_argument(
        "--name", help="the repository's name on the site (default: from repo_url, or the folder)"
    )
    export.add_argument(
        "--url", help="the repository's web view, for links (default: mkdocs.yml's repo_url)"
    )
    new = command("new", "start a card from the official MLTRL template, valid as written")
    new.add_argument("path", type=Path, help="the card file to write, e.g. cards/x/TRL.md")
    new.add_argument("--id", help="the card's id (default: its folder's name)")
    new.add_argument("--name", help="the component's name (default: its folder's name)")
    new.add_argument(
        "--level",
        type=int,
        default=3,
        choices=range(10),
        metavar="0-9",
        help="its level now (default 3: most components enter at 3 or 4)",
    )
    generate = command(
        "generate", "write the readiness pages as files, for engines without the plugin"
    )
    generate.add_argument("target", type=Path, help="the folder of the pages, e.g. docs/readiness")
    for sub in (validate, history, export, generate):
        sub.add_argument("-f", "--config-file", type=Path, help="the site's (default mkdocs.yml)")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    check = command("check", "validate every card below a folder, without mkdocs.yml")
    check.add_argument("directory", nargs="?", default=".", type=Path)
    check.add_argument("--include", action="append", help=f"glob (default {DEFAULT_INCLUDE})")
    check.add_argument("--exclude", action="append", help="glob of files that are not cards")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    command("schema", "print the card format as JSON Schema")
    diff = command("diff", "what changed in readiness between two card exports")
    diff.add_argument(
        "old", type=Path, help="the earlier export (trl-cards export, api/cards.json)"
    )
    diff.add_argument("new", type=Path, help="the later export")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)

    if args.command == "schema":
        sys.stdout.write(schema_text())
        return 0
    if args.command == "check":
        return _check(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "new":
        return _new(args)
    return _with_project(args)


def _with_project(args: argparse.Namespace) -> int:
    from ..model.pipeline import PipelineError, Settings, build_project
    from ..model.settings import NAME
    from ..model.sources import repository_name
    from ..outputs.card_json import source_json
    from .config import SettingsError, read_settings

    config_file: Path = args.config_file or Path("mkdocs.yml")
    # A component's repository has cards and no site: its cards are checked among themselves.
    without_site = (
        args.command in ("validate", "export", "history")
        and not args.config_file
        and not config_file.exists()
    )
    try:
        settings = Settings(Path()) if without_site else read_settings(config_file)
        project = build_project(settings)
    except (SettingsError, PipelineError) as error:
        print(f"trl-cards: {error}", file=sys.stderr)
        return 2
    if args.command == "export":
        url = args.url or project.settings.repo_url
        name = args.name or repository_name(url, project.settings.directory)
        if not NAME.fullmatch(name):
            print(f"trl-cards: `{name}` is not a source name. Fix: pass --name.", file=sys.stderr)
            return 2
        text = source_json(project, name, url)
        if args.output:
            write_atomically(args.output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "history":
        typed = args.card_id.casefold()  # ids are unique without case: `p13.2` finds `P13.2`
        found = next((i for i in project.histories if i.casefold() == typed), args.card_id)
        return _history(project.histories.get(found), args.card_id)
    if args.command == "generate":
        return _generate(project, args.target)
    wanted = {_relative(p, project.settings.directory) for p in args.paths}
    problems = [p for p in project.collection.problems if not wanted or p.path in wanted]
    if args.format == "json":
        print(json.dumps([_as_json(p) for p in problems], indent=1, ensure_ascii=False))
    else:
        for problem in problems:
            print(
                _terminal(
                    f"{problem.location}: {problem.severity.value}: {problem.message} "
                    f"Fix: {problem.fix}"
                )
            )
        scope = (
            f" No {config_file} here: the cards are the files matching "
            f"{', '.join(DEFAULT_INCLUDE)}."
            if without_site
            else ""
        )
        print(
            f"{len(project.collection.cards)} card(s), {len(problems)} problem(s).{scope}",
            file=sys.stderr,
        )
    return 1 if problems else 0


def _diff(args: argparse.Namespace) -> int:
    from .diff import ExportError, changes, read_export

    try:
        found = changes(read_export(args.old), read_export(args.new))
    except ExportError as error:
        print(f"trl-cards: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps([c.as_json() for c in found], indent=1, ensure_ascii=False))
    elif found:
        print(_terminal("\n".join(c.text for c in found)))
    else:
        print("No change in readiness.")
    return 0


def _generate(project: Project, target: Path) -> int:
    from ..outputs.templating import PageTemplateError
    from .generate import config_snippet, generate_files, write_files

    try:
        files, failures = generate_files(project)
    except PageTemplateError as error:
        print(f"trl-cards: {error}", file=sys.stderr)
        return 2
    write_files(files, target)
    problems = [*project.collection.problems, *failures]
    for problem in problems:
        print(
            f"{problem.location}: {problem.severity.value}: {problem.message} Fix: {problem.fix}",
            file=sys.stderr,
        )
    print(f"Wrote {len(files)} file(s) to {target}. To show them, add to mkdocs.yml:\n")
    print(config_snippet(project))
    return 1 if problems else 0


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


def _history(history: CardHistory | None, card_id: str) -> int:
    if history is None:
        print(f"trl-cards: no card has the id `{card_id}`.", file=sys.stderr)
        return 1
    for t in history.transitions:
        change = (
            f"enters at {t.to_level}"
            if t.from_level is None
            else (f"{t.from_level} -> {t.to_level}")
        )
        gate = f" {t.gate}" if t.gate else ""
        commit = t.revision.revision.authored
        print(
            _terminal(
                f"{t.date:%Y-%m-%d}  {change:<12} {t.kind}{gate}  {commit.author}  "
                f"{commit.sha[:8]} {commit.subject}"
            )
        )
    for renumbered in history.id_changes:
        print(
            f"{renumbered.date:%Y-%m-%d}  id changed from {renumbered.from_id} to "
            f"{renumbered.to_id}"
        )
    if history.damage:
        print(_terminal(f"History damaged: {history.damage.message} Fix: {history.damage.fix}"))
    return 0


def _new(args: argparse.Namespace) -> int:
    from ..cards.card import Card, Ethics
    from ..cards.trl import TEMPLATE_HINTS, card_text, parse_card, template_body

    path: Path = args.path
    if path.exists():
        print(
            f"trl-cards: {path} exists already; a new card never overwrites one.", file=sys.stderr
        )
        return 2
    folder = path.resolve().parent.name or "component"
    card_id = args.id or re.sub(r"[^A-Za-z0-9._-]+", "-", folder).strip("-.") or "C1"
    name = args.name or folder.replace("-", " ").replace("_", " ").capitalize()
    new = Card(
        card_id,
        name,
        args.level,
        path.as_posix(),
        ethics=Ethics("not started"),
        body=template_body(),
    )
    text = card_text(new, TEMPLATE_HINTS)
    parsed = parse_card(text, path.as_posix())
    if parsed.problems:  # e.g. an --id that is not a slug: say so, write nothing
        for problem in parsed.problems:
            print(f"trl-cards: {problem}", file=sys.stderr)
        return 2
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(
        f"Wrote {path}: {card_id} at level {args.level}. Fill in its sections, then run "
        "`trl-cards validate`."
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        print(f"trl-cards: {args.directory} is not a folder.", file=sys.stderr)
        return 2
    collection = load_cards(
        args.directory, args.include or DEFAULT_INCLUDE, args.exclude or DEFAULT_EXCLUDE
    )
    for problem in collection.problems:
        print(f"{problem.severity.value}: {problem}")
    errors = sum(p.severity is Severity.ERROR for p in collection.problems)
    warnings = len(collection.problems) - errors
    print(
        f"{len(collection.files)} card file(s): {len(collection.cards)} usable, "
        f"{errors} error(s), {warnings} warning(s)."
    )
    return 1 if errors or (args.strict and warnings) else 0
