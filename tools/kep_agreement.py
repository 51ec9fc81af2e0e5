"""How far the site's reading of a mapped repository agrees with an independent one.

    python tools/kep_agreement.py REPO SITE [--files GLOB] [--id-key KEY] [--level-key KEY]
        [--scale alpha=4,beta=6,stable=8] [--id-template KEP-{}]

REPO is a git checkout, SITE the site built from it (its `readiness/api/cards.json`). The
independent reading uses plain `git log --first-parent` and `git cat-file`, and PyYAML: along
the first parents, every changed file that matches the glob is read; its id (the id template
filled with the id key) and its level (the level key on the scale) are taken; a change of a
component's level is a transition, dated by the day (UTC) of the commit that landed it. It
knows nothing of the plugin's identity rules, ignored commits or gaps: the figures count what
the two readings share, and list the rest.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

Transition = tuple[str, "int | None", int, str]
"""(id, from, to, day)."""


def independent(
    repo: Path,
    files: str,
    id_key: str,
    level_key: str,
    scale: dict[str, int],
    template: str,
    date: str = "%cd",
) -> list[Transition]:
    log = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "log",
            "--first-parent",
            "--reverse",
            "--no-renames",
            "--date=format-local:%Y-%m-%d",
            f"--format=%x01%H {date}",
            "--raw",
            "--no-abbrev",
            "-z",
            "HEAD",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "TZ": "UTC"},
    ).stdout.decode("utf-8", "replace")
    changes: list[tuple[str, str]] = []  # (day, blob)
    for chunk in log.split("\x01")[1:]:
        head, _, raw = chunk.partition("\n")
        day = head.split()[1][:10]
        fields = raw.strip("\x00\n").split("\x00")
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.split()
            if len(parts) >= 5 and parts[4] != "D" and fnmatch.fnmatch(path, files):
                changes.append((day, parts[3]))
    blobs = _read_blobs(repo, sorted({blob for _, blob in changes}))
    last: dict[str, int] = {}
    out: list[Transition] = []
    for day, blob in changes:
        try:
            data = yaml.safe_load(blobs[blob])
        except (yaml.YAMLError, ValueError):  # a date YAML cannot make (`2019-00-00`)
            continue
        if not isinstance(data, dict) or data.get(id_key) is None:
            continue
        level = scale.get(str(data.get(level_key)))
        if level is None:
            continue
        card_id = template.replace("{}", str(data[id_key]))
        if last.get(card_id) != level:
            out.append((card_id, last.get(card_id), level, day))
            last[card_id] = level
    return out


def _read_blobs(repo: Path, blobs: list[str]) -> dict[str, str]:
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(b + "\n" for b in blobs).encode(),
        check=True,
        capture_output=True,
    ).stdout
    out, at = {}, 0
    for blob in blobs:
        end = done.index(b"\n", at)
        size = int(done[at:end].split()[2])
        out[blob] = done[end + 1 : end + 1 + size].decode("utf-8", "replace")
        at = end + 1 + size + 1
    return out


def site_transitions(site: Path) -> list[Transition]:
    cards: list[dict[str, Any]] = json.loads(
        (site / "readiness" / "api" / "cards.json").read_text("utf-8")
    )["cards"]
    return [(c["id"], t["from"], t["to"], t["date"][:10]) for c in cards for t in c["transitions"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--files", default="keps/*/*/kep.yaml")
    parser.add_argument("--id-key", default="kep-number")
    parser.add_argument("--level-key", default="stage")
    parser.add_argument("--scale", default="alpha=4,beta=6,stable=8")
    parser.add_argument("--id-template", default="KEP-{}")
    args = parser.parse_args(argv)
    scale = {k: int(v) for k, v in (item.split("=") for item in args.scale.split(","))}
    theirs = independent(
        args.repo, args.files, args.id_key, args.level_key, scale, args.id_template
    )
    ours = site_transitions(args.site)
    shared = Counter(theirs) & Counter(ours)
    print(f"independent reading: {len(theirs):,} transitions")
    print(f"site:                {len(ours):,} transitions")
    print(f"agree:               {sum(shared.values()):,}")
    same_change = Counter((i, a, b) for i, a, b, _ in theirs) & Counter(
        (i, a, b) for i, a, b, _ in ours
    )
    print(f"same change, any day: {sum(same_change.values()):,}")
    only_theirs = Counter(theirs) - Counter(ours)
    only_ours = Counter(ours) - Counter(theirs)
    for name, rest in (
        ("only in the independent reading", only_theirs),
        ("only on the site", only_ours),
    ):
        print(f"{name}: {sum(rest.values())}")
        for item in sorted(rest, key=str)[:15]:
            print("   ", item)
    return 0


if __name__ == "__main__":
    sys.exit(main())
