"""The `trl-cards` command: validate cards, start one, export them, show a card's history,
write the pages for other engines, print the schema, compare two exports.

Every command that reads cards reads the `trl-cards` block of mkdocs.yml (in this folder, or
the one given with `-f`) and runs the same pipeline as the site, so it never disagrees with it.
In a repository without mkdocs.yml (a component's, where pre-commit runs `validate`), the
cards of the folder are read with the plugin's default options.

Exit status: 0 done, 1 problems found, 2 the input or the configuration cannot be used (the
message names the file and the fix). No traceback and no control character from repository
data ever reaches the terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from ..cards.collection import DEFAULT_INCLUDE
from . import commands
from .commands import terminal

__all__ = ["main"]

_EXAMPLES = {
    "validate": "example: trl-cards validate cards/retina/TRL.md   (only that card's problems; "
    "without a path, every card of the site; a folder: the cards below it)",
    "check": "example: trl-cards check cards   (the same as `trl-cards validate cards`)",
    "new": "example: trl-cards new cards/retina/TRL.md --id P13.2 --name 'Retina triage' --level 4",
    "export": "example: trl-cards export -o cards.json",
    "history": "example: trl-cards history P13.2",
    "generate": "example: trl-cards generate docs/readiness   (then build with any engine)",
    "schema": "example: trl-cards schema > card-v1.schema.json",
    "diff": "example: trl-cards diff main.json branch.json   (for a pull-request comment)",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        return _run(_parser().parse_args(argv))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `trl-cards export | head`: the reader has what it wanted
        return 0
    except OSError as error:  # an output that cannot be written
        print(f"trl-cards: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2
    except Exception as error:  # a defect: one line, never a traceback
        print(
            f"trl-cards: unexpected {type(error).__name__}: {terminal(str(error))[:300]}. "
            "Please report this message to the maintainers of mkdocs-trl-cards.",
            file=sys.stderr,
        )
        return 2


def _run(args: argparse.Namespace) -> int:
    run: commands.Command = getattr(commands, args.command.replace("-", "_"))
    return run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trl-cards",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {metadata.version('mkdocs-trl-cards')}"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    globs = ", ".join(DEFAULT_INCLUDE)
    for name in ("validate", "check"):
        validate = command(
            name,
            "check cards as the site does, and list every problem with its file, line and fix; "
            "exit 1 on any"
            if name == "validate"
            else "the same as `validate` (kept for scripts that call it by this name)",
        )
        validate.add_argument(
            "paths",
            nargs="*",
            type=Path,
            metavar="PATH",
            help="card files to report on, or folders: the cards below them (default: every "
            "card of the site)",
        )
        _config_file(validate)
        validate.add_argument(
            "--include",
            action="append",
            metavar="GLOB",
            help=f"a glob of card files, for a folder without mkdocs.yml; repeat it for more "
            f"(default: {globs})",
        )
        validate.add_argument(
            "--exclude",
            action="append",
            metavar="GLOB",
            help="a glob of files and folders that are never cards; repeat it for more",
        )
        validate.add_argument(
            "--errors-only",
            action="store_true",
            help="exit 1 only for errors (a card left out), not for warnings",
        )
        # `check --strict` made warnings fail; they always do now, unless --errors-only.
        validate.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)
        validate.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="text lines (file:line: severity: message Fix: fix), or a JSON list (default: "
            "text)",
        )
    new = command("new", "start a card from the official MLTRL template, valid as written")
    new.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="the card file to write: TRL.md (front matter and sections) or TRL.yml (YAML)",
    )
    new.add_argument("--id", help="the card's id (default: its folder's name)")
    new.add_argument("--name", help="the component's name (default: its folder's name)")
    new.add_argument(
        "--level",
        type=int,
        default=3,
        choices=range(10),
        metavar="0-9",
        help="its level now (default: 3; most components enter at 3 or 4)",
    )
    _config_file(new)
    export = command(
        "export", "the cards with their whole history, for a site of many repositories"
    )
    export.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write here (default: standard output)"
    )
    export.add_argument(
        "--name",
        help="the repository's name on the site (default: the last part of --url or repo_url, "
        "else the folder's name)",
    )
    export.add_argument(
        "--url", help="the repository's web view, for links (default: mkdocs.yml's repo_url)"
    )
    _config_file(export)
    history = command("history", "a card's level transitions, as its page shows them")
    history.add_argument("card_id", metavar="ID", help="the card's id (in any case: p13.2)")
    _config_file(history)
    generate = command(
        "generate", "write the readiness pages as files, for engines without the plugin"
    )
    generate.add_argument(
        "target", type=Path, metavar="FOLDER", help="the folder of the pages: docs/readiness"
    )
    _config_file(generate)
    command("schema", "print the card format as JSON Schema, for editors")
    diff = command("diff", "what changed in readiness between two card exports")
    diff.add_argument(
        "old",
        type=Path,
        metavar="OLD",
        help="the earlier export (trl-cards export, or a site's readiness/api/cards.json)",
    )
    diff.add_argument("new", type=Path, metavar="NEW", help="the later export")
    diff.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="one line per change, or a JSON list (default: text)",
    )
    return parser


def _config_file(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-f",
        "--config-file",
        type=Path,
        metavar="FILE",
        help="the site's mkdocs.yml (default: mkdocs.yml here; without one, the cards of this "
        "folder with the plugin's default options)",
    )
