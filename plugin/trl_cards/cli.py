"""The `trl-cards` command: check cards, print the JSON Schema, generate a sample organisation."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .card import json_schema
from .collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, load_cards
from .problem import Severity


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="trl-cards", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate every card below a folder")
    check.add_argument("directory", nargs="?", default=".", type=Path)
    check.add_argument("--include", action="append", help=f"glob (default {DEFAULT_INCLUDE})")
    check.add_argument("--exclude", action="append", help="glob of files that are not cards")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    commands.add_parser("schema", help="print the card format as JSON Schema")
    sample = commands.add_parser("sample", help="generate a sample organisation repository")
    sample.add_argument("target", type=Path)
    sample.add_argument("--cards", type=int, default=100)
    sample.add_argument("--commits", type=int, default=5000)
    sample.add_argument("--years", type=float, default=3.0)
    sample.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    if args.command == "schema":
        print(json.dumps(json_schema(), indent=2))
        return 0
    if args.command == "sample":
        from . import sample as sample_module

        return sample_module.main(
            [
                str(args.target),
                "--cards",
                str(args.cards),
                "--commits",
                str(args.commits),
                "--years",
                str(args.years),
                "--seed",
                str(args.seed),
            ]
        )
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
