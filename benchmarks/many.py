"""Benchmark of sites of many repositories (issue 12), against plain builds of as many pages.

Run by hand, never by the test suite:

    .venv/bin/python benchmarks/many.py [--quick] [--exports 100] [--cards 100] [--work DIR]

It generates (once, cached in `--work`) the organisations, then measures in the same run:

(h) `mkdocs build` of a site that aggregates `--exports` exports of `--cards` cards each
    (made once by `trl-cards export` in each repository: the CI's part, not timed);
(i) `mkdocs build` of a site of three repositories checked out beside it, with
    `--local-cards` cards in all (1,000 by default), each with its own history;
(h0), (i0) `mkdocs build` without the plugin of as many hand-written pages of the same average
    size as (h) and (i) generated (as `run.py`'s (e)).

The ratios (h)/(h0) and (i)/(i0) say what the plugin costs over MkDocs and material writing the
same number of pages; the peak RSS of (h) is the memory of a 10,000-card site by default.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from run import (
    _ENV,
    _MIB,
    _PROJECT,
    _THEME,
    Measured,
    _best,
    _build,
    _progress,
    _site_shape,
    _table,
    _write_plain_project,
)

sys.path.insert(0, str(_PROJECT / "tools"))
from sample_org import SampleSpec, generate_organisation


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--exports", type=int, default=100, help="repositories exported (h)")
    parser.add_argument("--cards", type=int, default=100, help="cards per exported repository")
    parser.add_argument("--local-cards", type=int, default=1000, help="cards of (i), in all")
    parser.add_argument("--quick", action="store_true", help="one run of each step, not best of 2")
    parser.add_argument("--work", type=Path, default=_PROJECT / "bench-work", help="work folder")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    args = parser.parse_args(argv)
    work = args.work.resolve() / "many"
    runs = 1 if args.quick else 2
    load_before = os.getloadavg()[0]
    rows = []

    exports = _exports(work, args.exports, args.cards)
    config = _site(work / "aggregated", "      sources:\n        - {exports: ../exports}\n")
    _progress(f"(h) aggregating {args.exports} exports of {args.cards} cards")
    rows.append(
        ("(h)", f"{args.exports} exports x {args.cards} cards", *_pair(work, "h", config, runs))
    )
    del exports

    per = args.local_cards // 3
    names = [_repository(work / "local", name, per) for name in ("vision", "speech", "risk")]
    sources = "".join(f"        - {{name: {n}, path: ../{n}}}\n" for n in names)
    config = _site(work / "local" / "site", "      sources:\n" + sources)
    _progress(f"(i) three checkouts of {per} cards")
    rows.append(("(i)", f"3 checkouts x {per} cards", *_pair(work, "i", config, runs)))

    table = _table(
        ["row", "site", "with trl-cards", "peak RSS", "pages", "same pages, no plugin", "ratio"],
        [
            [
                row,
                what,
                f"{p.seconds:.2f} s",
                f"{p.peak_rss / _MIB:,.0f} MiB",
                f"{pages:,}",
                f"{q.seconds:.2f} s",
                f"{p.seconds / q.seconds:.2f}",
            ]
            for row, what, p, q, pages in rows
        ],
    )
    load = f"Load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}"
    text = f"{table}\n\nBest of {runs}. {load} on {os.cpu_count()} CPUs."
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def _pair(work: Path, row: str, config: Path, runs: int) -> tuple[Measured, Measured, int]:
    """The plugin's build of `config`, and a plain build of as many pages of the same size."""
    site = work / "sites" / row
    with_plugin = _best(runs, lambda: _build(config, site, config.parent / ".cache"))
    shape = _site_shape(site, "readiness")
    _progress(f"({row}0) plain build of {shape.pages:,} pages")
    plain = _write_plain_project(work / "plain" / row, shape)
    without = _best(runs, lambda: _build(plain, work / "sites" / f"{row}0", None))
    return with_plugin, without, shape.pages


def _repository(root: Path, name: str, cards: int, seed: int = 1) -> str:
    """A generated repository of `cards` cards (ids prefixed with its name), made once."""
    target = root / name
    if not (target / ".git").is_dir():
        spec = SampleSpec(cards=cards, commits=cards * 10, seed=seed, id_prefix=f"{name}-")
        generate_organisation(target, spec)
    return name


def _exports(work: Path, count: int, cards: int) -> Path:
    """`count` repositories, each exported once with `trl-cards export` (cached)."""
    folder = work / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    command = Path(sys.executable).parent / "trl-cards"
    for number in range(count):
        name = f"repo{number:03d}"
        out = folder / f"{name}.json"
        if out.is_file():
            continue
        _progress(f"exporting {name} ({number + 1} of {count})")
        _repository(work / "repos", name, cards, seed=number + 1)
        subprocess.run(
            [str(command), "export", "--name", name, "-o", str(out)],
            cwd=work / "repos" / name,
            env=_ENV,
            check=True,
            capture_output=True,
        )
    return folder


def _site(folder: Path, options: str) -> Path:
    """A mkdocs.yml of a site with no cards of its own, its plugin given `options`."""
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text("# Readiness benchmark\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(
        f"site_name: Readiness benchmark\n{_THEME}plugins:\n  - search\n  - trl-cards:\n{options}",
        encoding="utf-8",
    )
    return config


if __name__ == "__main__":
    sys.exit(main())
