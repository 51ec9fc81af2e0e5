"""The module map of docs/development.md, made from the modules' own docstrings.

    python tools/module_map.py          # print the map
    python tools/module_map.py --write  # put it into docs/development.md

A test (tests/test_docs.py) keeps the map in the docs equal to this one, so a module whose
docstring changes, or a module added or moved, shows in the docs as soon as it lands.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "plugin" / "trl_cards"
DOC = ROOT / "docs" / "development.md"
STAGES = ("cards", "history", "model", "outputs", "frontends")
"""The stages, from the lowest: imports only go down this list."""
BEGIN = "<!-- module map: made by tools/module_map.py, do not edit by hand -->"
END = "<!-- end of module map -->"


def summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = docstring.split("\n\n", 1)[0]
    return " ".join(first.split()).replace("|", "\\|")


def module_map() -> str:
    """The map: each stage with its own docstring, then each of its modules with its own."""
    lines = [BEGIN, ""]
    for stage in STAGES:
        folder = PACKAGE / stage
        lines += [f"### `{stage}/`", "", summary(folder / "__init__.py"), ""]
        lines += ["| module | what it is |", "|---|---|"]
        for path in sorted(folder.rglob("*.py")):
            if path.name == "__init__.py" and path.parent == folder:
                continue
            name = path.relative_to(folder).as_posix()
            lines.append(f"| `{name}` | {summary(path)} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def with_map(text: str) -> str:
    """`text` (docs/development.md) with its map replaced by the current one."""
    start, end = text.index(BEGIN), text.index(END) + len(END) + 1
    return text[:start] + module_map() + text[end:]


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        DOC.write_text(with_map(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(module_map())
