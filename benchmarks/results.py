"""The benchmark's record: each run's figures, kept per release and machine in
`benchmarks/results/`, and every row printed beside the previous record of the same machine.

A timed assert would fail on a busy runner and pass a slow change on a fast one; a record per
release, compared on one machine, shows in the closing note of a change what it cost. The
figures are those of `run.py`'s table (seconds, MiB, pages), taken from its `Result`s by
`figures`; nothing here measures or imports the plugin.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
"""Where the records live, one JSON file per release, commit and machine."""

ROWS: tuple[tuple[str, str, str], ...] = (
    ("history", "(a) plugin history", "s"),
    ("floor", "(b) git floor", "s"),
    ("site", "(d) mkdocs build with trl-cards", "s"),
    ("site_rss", "    peak RSS of (d)", "MiB"),
    ("site_size", "    site size of (d)", "MiB"),
    ("search_index", "    its search index, gzip", "KiB"),
    ("plain", "(e) mkdocs build, same pages, no plugin", "s"),
    ("live", "(f) serve --dirty after a card edit", "s"),
    ("live_level", "    after a level edit", "s"),
    ("live_owners", "    after an owners edit", "s"),
    ("live_tags", "    after a tags edit", "s"),
    ("live_review", "    after a review edit", "s"),
    ("live_body", "    after a body edit", "s"),
    ("plain_live", "(g) serve --dirty after a page edit", "s"),
    ("pages", "HTML pages of (d)", "pages"),
)
"""The figures a record keeps: (key, row as the table says it, unit)."""


def machine() -> str:
    """What makes two runs comparable: the CPU model and the number of CPUs, as a slug."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1]
                break
    except OSError:
        pass
    return _slug(f"{model} x{os.cpu_count()}")


def record(
    version: str, commit: str, sizes: dict[str, dict[str, float]], when: dt.datetime
) -> dict[str, Any]:
    """One run's record: the release, the commit, the machine, and each size's figures."""
    return {
        "version": version,
        "commit": commit,
        "machine": machine(),
        "date": when.isoformat(timespec="seconds"),
        "sizes": sizes,
    }


def path_for(entry: dict[str, Any], folder: Path = RESULTS) -> Path:
    """`<version>-<commit>-<machine>.json`: a release measured again at another commit, or on
    another machine, is another record."""
    return folder / f"{_slug(entry['version'])}-{entry['commit'][:12]}-{entry['machine']}.json"


def previous(entry: dict[str, Any], folder: Path = RESULTS) -> dict[str, Any] | None:
    """The newest record of the same machine from another commit, or None. Files that are
    not a record (damaged, another shape) are passed over: the comparison is a report."""
    found: list[dict[str, Any]] = []
    for file in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            other = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (
            isinstance(other, dict)
            and other.get("machine") == entry["machine"]
            and other.get("commit") != entry["commit"]
            and isinstance(other.get("sizes"), dict)
            and isinstance(other.get("date"), str)
        ):
            found.append(other)
    return max(found, key=lambda other: str(other["date"]), default=None)


def compare(entry: dict[str, Any], before: dict[str, Any] | None) -> str:
    """Every row of `entry` beside the same row of `before`, with their ratio, as Markdown."""
    if before is None:
        return f"No earlier record of this machine (`{entry['machine']}`) to compare with."
    head = (
        f"Against {before['version']} at `{str(before['commit'])[:12]}` "
        f"({str(before['date'])[:10]}), same machine:\n\n"
        "| size | row | this run | before | ratio |\n|---|---|---|---|---|"
    )
    lines = [head]
    for size, figures in entry["sizes"].items():
        earlier = before["sizes"].get(size)
        for key, label, unit in ROWS:
            now = figures.get(key)
            then = earlier.get(key) if isinstance(earlier, dict) else None
            if not isinstance(now, int | float):
                continue
            if isinstance(then, int | float) and then:
                was, ratio = _figure(then, unit), f"{now / then:.2f}x"
            else:
                was, ratio = "n/a", "n/a"
            lines.append(f"| {size} | {label.strip()} | {_figure(now, unit)} | {was} | {ratio} |")
    return "\n".join(lines)


def write(entry: dict[str, Any], folder: Path = RESULTS) -> Path:
    """Write the record (sorted keys, one file per release, commit and machine). A record of
    the same commit keeps the sizes this run did not measure: the huge organisation, which
    takes most of an hour, can be recorded by a run of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    target = path_for(entry, folder)
    try:
        kept = json.loads(target.read_text(encoding="utf-8"))["sizes"]
    except (OSError, ValueError, KeyError, TypeError):
        kept = {}
    if isinstance(kept, dict):
        entry = {**entry, "sizes": {**kept, **entry["sizes"]}}
    target.write_text(json.dumps(entry, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _figure(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if unit != "s" else f"{value:.2f} s"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.casefold()).strip("-")[:80] or "unknown"
