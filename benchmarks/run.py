"""Benchmark of the history engine and of a whole site build against their floors.

Run by hand, never by the test suite:

    .venv/bin/python benchmarks/run.py [--quick] [--sizes small,large,huge] [--work DIR]

For each size it generates (once, cached in `--work`) a sample organisation, then measures on
that same repository, in the same run:

(a) the plugin's history engine: `read_history` + `build_histories`;
(b) the git floor: one first-parent `git log --raw` over the card paths and one
    `git cat-file --batch` for every card version it names;
(c) the per-card approach of the popular git plugins: `git log --follow` then `git show` for
    every revision of every card (small organisation only: minutes on the large one);
(d) `mkdocs build` of a material site with the plugin over the repository;
(e) `mkdocs build` of a material site without it, of as many hand-written pages of the same
    average size as (d) generated;
(f) the live preview: the rebuild that `mkdocs serve --dirty` makes after one card is edited
    (the median of three edits, after a first build), with the plugin;
(g) the same rebuild of the site of (e) after one of its pages is edited.

Every step runs in a child process, reaped with `os.wait4` to read its own peak RSS. Timings are
the best of several runs; the table says how many.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import logging
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import markdown

from trl_cards.cards.collection import DEFAULT_INCLUDE
from trl_cards.history.repository import read_history
from trl_cards.model.lineage import build_histories

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from results import compare, previous, write
from results import record as make_record
from sample_org import SampleSpec, cache_key, generate_organisation

_PROJECT = Path(__file__).resolve().parents[1]
_ENV = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
_MIB = 1 << 20


@dataclass(frozen=True)
class Size:
    """An organisation to benchmark, and how hard."""

    name: str
    cards: int
    commits: int
    runs: int
    """Runs of each measurement; the best one counts."""
    per_card_sample: int | None
    """Cards that (c) reads, its time then scaled to all cards; None: every card. Reading all
    takes minutes beyond the small organisation (a `git log --follow` of 50,000 commits is
    half a second)."""

    @property
    def spec(self) -> SampleSpec:
        return SampleSpec(cards=self.cards, commits=self.commits, years=3.0, seed=1)

    @property
    def key(self) -> str:
        """The folder of this size's repository and sites: every field of its spec and the
        generator's source (`cache_key`), so a change to either makes a new repository."""
        return cache_key(self.spec)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.cards:,} cards, {self.commits:,} commits)"


_SIZES = {
    "small": Size("small", 100, 5_000, runs=3, per_card_sample=None),
    "large": Size("large", 1_000, 50_000, runs=2, per_card_sample=20),
    "huge": Size("huge", 10_000, 50_000, runs=1, per_card_sample=20),
}


@dataclass(frozen=True)
class Measured:
    """The best run of one measured step."""

    seconds: float
    """The child's own timing of the work when it reports one, else the process's wall time."""
    peak_rss: int
    """Bytes: the largest resident set of the child or of any process it waited for (git)."""
    report: dict[str, float] = field(default_factory=dict)
    """What the child printed about its work (as JSON), for the best run."""


@dataclass(frozen=True)
class SiteShape:
    """What a part of a built site holds."""

    pages: int
    """HTML pages."""
    article: int
    """Average size of their article (the page's own content), in bytes."""
    searched: int
    """Pages in the search index."""
    site_bytes: int = 0
    """The whole site folder, every file."""
    index_bytes: int = 0
    """The search index, as written and gzipped (what a first load fetches)."""


@dataclass(frozen=True)
class Result:
    """Every measurement of one size."""

    size: Size
    runs: int
    history: Measured
    floor: Measured
    per_card: Measured
    plugin_site: Measured
    plain_site: Measured
    plugin_live: Measured
    plain_live: Measured
    plugin_shape: SiteShape
    """The readiness pages that (d) generated."""
    plain_shape: SiteShape
    """The hand-written pages of (e)."""
    baseline_site: Measured | None = None
    """(d) built with `--baseline`'s version, when given."""
    baseline: str = ""
    """That version, and where it is installed."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small,large,huge")
    parser.add_argument("--quick", action="store_true", help="one run of each step, not best of N")
    parser.add_argument("--work", type=Path, default=_PROJECT / "bench-work", help="work folder")
    parser.add_argument("--out", type=Path, help="also write the tables as Markdown to this file")
    parser.add_argument(
        "--record",
        action="store_true",
        help="keep this run's figures in benchmarks/results/ (one file per release, commit and "
        "machine), for the next run to compare with",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="the Python of an environment with another version of mkdocs-trl-cards (a release, "
        "or a commit before a change): (d) is also built with it, each of its runs right after "
        "one of this version's, and the table shows both",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # STEP REPO [NUMBER...]
    args = parser.parse_args(argv)
    if args.child:
        step, repo, *more = args.child
        print(json.dumps(_CHILD_STEPS[step](Path(repo), *map(int, more))))
        return 0

    names = [name.strip() for name in args.sizes.split(",") if name.strip()]
    unknown = [name for name in names if name not in _SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(_SIZES)}")
    baseline = _version_of(args.baseline) if args.baseline else ""
    if args.baseline and not baseline:
        parser.error(
            f"--baseline {args.baseline}: that Python cannot import mkdocs-trl-cards. Give the "
            "Python of an environment where it is installed, such as "
            "/tmp/before-venv/bin/python (see benchmarks/README.md)."
        )
    work = args.work.resolve()
    load_before = os.getloadavg()[0]
    results = [
        _benchmark(_SIZES[name], work, 1 if args.quick else None, args.baseline, baseline)
        for name in names
    ]
    # Wall-clock timings on a busy machine mean little: say how busy it was.
    load = f"Load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}"
    tables = _render(results) + f"\n\n{load} on {os.cpu_count()} CPUs."
    entry = make_record(
        version("mkdocs-trl-cards"),
        _git(_PROJECT, "rev-parse", "HEAD").decode().strip(),
        {r.size.name: _figures(r) for r in results},
        dt.datetime.now(dt.timezone.utc),
    )
    tables += "\n\n" + compare(entry, previous(entry))
    if args.record:
        tables += f"\n\nRecorded in {write(entry).relative_to(_PROJECT)}."
    print(tables)
    if args.out:
        args.out.write_text(tables + "\n", encoding="utf-8")
    return 0


def _benchmark(
    size: Size, work: Path, runs: int | None, baseline: Path | None, version_of_baseline: str
) -> Result:
    runs = runs or size.runs
    repo = _organisation(size, work)
    sites = work / "sites" / size.key
    _progress(f"{size.label}: (a) history engine, best of {runs}")
    history = _best(runs, lambda: _measure(_child(["history", str(repo)])))
    _progress(f"{size.label}: (b) git floor")
    floor = _best(runs, lambda: _measure(_child(["git-floor", str(repo)])))
    _progress(f"{size.label}: (c) per-card git log --follow + git show")
    sample = [] if size.per_card_sample is None else [str(size.per_card_sample)]
    per_card = _best(runs, lambda: _measure(_child(["per-card", str(repo), *sample])))

    _progress(f"{size.label}: (d) mkdocs build with trl-cards")
    config = _write_plugin_project(repo)
    plugin_site = sites / "plugin"
    plugin_build, baseline_build = _paired(
        runs,
        lambda: _build(config, plugin_site, repo / ".cache"),
        None
        if baseline is None
        else lambda: _build(config, sites / "baseline", repo / ".cache", baseline),
    )
    plugin_shape = _site_shape(plugin_site, "readiness")

    _progress(f"{size.label}: (e) mkdocs build without the plugin, {plugin_shape.pages:,} pages")
    project = work / "plain" / size.key
    config = _write_plain_project(project, plugin_shape)
    plain_site = sites / "plain"
    plain_build = _best(runs, lambda: _build(config, plain_site, None))
    plain_shape = _site_shape(plain_site, "pages")

    _progress(f"{size.label}: (f) serve --dirty rebuild after a card edit, with trl-cards")
    plugin_live = _measure(_child(["live", str(repo)]))
    _progress(f"{size.label}: (g) serve --dirty rebuild after a page edit, without the plugin")
    plain_live = _measure(_child(["live", str(project), "1"]))
    return Result(
        size,
        runs,
        history,
        floor,
        per_card,
        plugin_build,
        plain_build,
        plugin_live,
        plain_live,
        plugin_shape,
        plain_shape,
        baseline_build,
        version_of_baseline,
    )


def _progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def _organisation(size: Size, work: Path) -> Path:
    """The generated repository of this size, generated now unless an earlier run left it."""
    repo = work / "repos" / size.key
    if repo.is_dir():
        return repo
    _progress(f"generating the {size.label} organisation into {repo}")
    partial = repo.with_name(repo.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    summary = generate_organisation(partial, size.spec)
    partial.rename(repo)  # only a complete repository gets the name that later runs reuse
    _progress(f"generated in {summary.seconds:.1f} s")
    return repo


def _child(arguments: list[str]) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]


def _paired(
    runs: int, measure: Callable[[], Measured], baseline: Callable[[], Measured] | None
) -> tuple[Measured, Measured | None]:
    """`_best` of `runs` of `measure`, and of `baseline`, each of its runs right after one of
    `measure`'s: a slow spell of the machine then falls on both."""
    ours: list[Measured] = []
    theirs: list[Measured] = []
    for _ in range(runs):
        ours.append(measure())
        if baseline is not None:
            theirs.append(baseline())
    return _best_of(ours), (_best_of(theirs) if theirs else None)


def _version_of(python: Path) -> str:
    """The version of mkdocs-trl-cards that `python` has installed, with its path; "" when
    `python` cannot be run or has no mkdocs-trl-cards."""
    code = "import importlib.metadata as m; print(m.version('mkdocs-trl-cards'))"
    try:
        found = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    except OSError:
        return ""
    return f"{found.stdout.strip()} at {python}" if found.returncode == 0 else ""


def _best(runs: int, measure: Callable[[], Measured]) -> Measured:
    return _best_of([measure() for _ in range(runs)])


def _best_of(results: list[Measured]) -> Measured:
    """The fastest run's time and report, with the largest peak memory of all the runs."""
    best = min(results, key=lambda m: m.seconds)
    peak = max(m.peak_rss for m in results)
    return Measured(best.seconds, peak, best.report)


def _measure(argv: list[str], cwd: Path | None = None) -> Measured:
    """Run `argv` to completion; its wall time, its peak RSS and the JSON it printed, if any."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=_ENV, stdout=subprocess.PIPE, stderr=errors)
        assert process.stdout is not None
        with process.stdout:
            output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}:\n{tail}")
    report: dict[str, float] = json.loads(output) if output.strip().startswith(b"{") else {}
    # ru_maxrss is in kilobytes on Linux.
    return Measured(report.get("seconds", wall), usage.ru_maxrss * 1024, report)


def _child_history(repo: Path) -> dict[str, float]:
    """(a) What the plugin does to know every card's levels over time."""
    started = time.perf_counter()
    history = read_history(repo, DEFAULT_INCLUDE)
    read = time.perf_counter()
    histories = build_histories(history)
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "rss_git": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "read": read - started,
        "build": done - read,
        "revisions": len(history.revisions),
        "blobs": len({r.blob for r in history.revisions if r.blob}),
        "cards": len(histories),
    }


_FLOOR_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%cI%x1f%s"
_FLOOR_LOG = (
    "--first-parent",
    "--diff-merges=first-parent",
    "--raw",
    "-M",
    "--no-abbrev",
    "-z",
    f"--format={_FLOOR_FORMAT}",
)
_NO_BLOB = b"0" * 40


def _child_git_floor(repo: Path) -> dict[str, float]:
    """(b) The least git must do: one log pass and one blob reader, hardly any Python.

    The log pass runs twice, with a `:(glob)**/TRL.md` pathspec and with none (keeping the card
    paths in Python), and the faster counts: git matches a glob pathspec against every changed
    path of every commit, which can cost more than printing them all.
    """
    started = time.perf_counter()
    globbed = _git(repo, "log", *_FLOOR_LOG, "HEAD", "--", ":(glob)**/TRL.md")
    logged_glob = time.perf_counter()
    whole = _git(repo, "log", *_FLOOR_LOG, "HEAD")
    blobs = _card_blobs(whole)
    logged_whole = time.perf_counter()
    if blobs != _card_blobs(globbed):
        raise RuntimeError("the two log passes disagree on the card blobs")
    contents = _git(repo, "cat-file", "--batch", stdin=b"".join(b + b"\n" for b in blobs))
    done = time.perf_counter()
    log = min(logged_glob - started, logged_whole - logged_glob)
    return {
        "seconds": log + done - logged_whole,
        "log_glob": logged_glob - started,
        "log_whole": logged_whole - logged_glob,
        "cat_file": done - logged_whole,
        "blobs": len(blobs),
        "bytes": len(contents),
    }


def _card_blobs(log: bytes) -> set[bytes]:
    """The new blob of every change to a `TRL.md` in `git log --raw -z` output."""
    blobs = set()
    tokens = iter(log.split(b"\0"))
    for token in tokens:
        # A change is `:<mode> <mode> <old blob> <new blob> <status>`, then its path (two paths
        # for a rename or copy); a commit header starts with \x1e.
        if token.lstrip(b"\n")[:1] != b":":
            continue
        _, _, _, blob, status = token.split(b" ")
        path = next(tokens)
        if status[:1] in b"RC":
            path = next(tokens)
        if (path == b"TRL.md" or path.endswith(b"/TRL.md")) and blob != _NO_BLOB:
            blobs.add(blob)
    return blobs


def _child_per_card(repo: Path, sample: int | None = None) -> dict[str, float]:
    """(c) A process per card, then one per revision, as per-file git plugins do.

    With `sample`, only that many cards, evenly spread, and the time scaled to all cards.
    """
    started = time.perf_counter()
    cards = [c for c in _git(repo, "ls-files", "-z", "--", ":(glob)**/TRL.md").split(b"\0") if c]
    read = cards if sample is None else cards[:: max(len(cards) // sample, 1)][:sample]
    revisions = 0
    for card in read:
        log = _git(repo, "log", "--follow", "--name-only", "-z", "--format=%x1e%H", "--", card)
        # Each commit is `\x1e<sha>` NUL, then its path (as the card was named then) NUL.
        for record in log.split(b"\x1e")[1:]:
            sha, path = record.split(b"\0")[:2]
            _git(repo, "show", sha + b":" + path.lstrip(b"\n"))
            revisions += 1
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed * len(cards) / len(read),
        "measured": elapsed,
        "cards": len(cards),
        "sampled": len(read),
        "revisions": revisions,
    }


def _git(repo: Path, *arguments: str | bytes, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *arguments], input=stdin, capture_output=True, check=True
    ).stdout


# A step takes the repository, then any further arguments given after it, as integers.
def _child_live(project: Path, plain: int = 0) -> dict[str, float]:
    """(f), (g): rebuilds as `mkdocs serve --dirty` makes them, in this process as its builder
    does (the config read again with serve's `site_url`, plugins that define `on_startup`
    kept), after an edit to one card (or, for the plain site, one page). The edited file is
    restored afterwards."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    edited = next(iter(sorted(project.glob("docs/pages/*.md" if plain else "teams/*/*/TRL.md"))))
    original = edited.read_bytes()
    seconds = []
    with tempfile.TemporaryDirectory() as site:

        def rebuild() -> float:
            started = time.perf_counter()
            config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=site)
            # As serve sets it: every page then gets a canonical URL, 0.2-0.3 s a rebuild of
            # 4,000 pages that a build without `site_url` would not show.
            config.site_url = "http://127.0.0.1:8000/"
            config.plugins.on_startup(command="serve", dirty=True)
            build(config, dirty=True)
            return time.perf_counter() - started

        rebuild()
        text = original.decode("utf-8")
        report: dict[str, float] = {}
        try:
            for n in range(3):
                key = "# " if plain else "name: "
                edited.write_text(text.replace(key, f"{key}Edited {n} ", 1), encoding="utf-8")
                seconds.append(rebuild())
            for kind, change in () if plain else _FIELD_EDITS.items():
                edited.write_bytes(original)
                rebuild()
                times = []
                for n in range(3):
                    changed = change(text, n)
                    if changed == text:
                        break  # the card has no such field
                    edited.write_text(changed, encoding="utf-8")
                    times.append(rebuild())
                if times:
                    report[kind] = sorted(times)[len(times) // 2]
        finally:
            edited.write_bytes(original)
    return {"seconds": sorted(seconds)[1], **report}


_FIELD_EDITS: dict[str, Callable[[str, int], str]] = {
    "level": lambda t, n: re.sub(
        r"^level: (\d)",
        lambda m: f"level: {(int(m.group(1)) + 1 + n % 2) % 10}",
        t,
        count=1,
        flags=re.M,
    ),
    "owners": lambda t, n: t.replace("owners: [", f'owners: ["Owner {n}", ', 1),
    "tags": lambda t, n: t.replace("tags: [", f'tags: ["tag-{n}", ', 1),
    "review": lambda t, n: t.replace('"decision": "', f'"decision": "edited {n} ', 1),
    "body": lambda t, n: t.replace("## TL;DR\n", f"## TL;DR\nEdited {n}. ", 1),
}
"""(f) for each other kind of field: one edit of the first card, as a user makes it."""


_CHILD_STEPS: dict[str, Callable[..., dict[str, float]]] = {
    "live": _child_live,
    "history": _child_history,
    "git-floor": _child_git_floor,
    "per-card": _child_per_card,
}

_THEME = "theme: {name: material, font: false}\n"


def _write_plugin_project(repo: Path) -> Path:
    """A mkdocs.yml at the top of the organisation: the default `include` finds every card."""
    docs = repo / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "index.md").write_text("# Readiness benchmark\n", encoding="utf-8")
    config = repo / "mkdocs.yml"
    config.write_text(
        f"site_name: Readiness benchmark\n{_THEME}plugins: [search, trl-cards]\n", encoding="utf-8"
    )
    return config


def _write_plain_project(project: Path, shape: SiteShape) -> Path:
    """A site of hand-written pages shaped like the plugin's: as many, as big, as searchable.

    Like the plugin's pages, each has Markdown headings and paragraphs and an HTML table, and
    as many of them are left out of search as the plugin leaves out (its card-at-level pages).
    They are linked from the index but kept out of `nav`, as the plugin keeps its card pages out
    of it: material copies the whole navigation into every page.
    """
    shutil.rmtree(project, ignore_errors=True)
    folder = project / "docs" / "pages"
    folder.mkdir(parents=True)
    rows = _rows_for(shape.article)
    links = []
    for number in range(shape.pages):
        name = f"{number:05d}.md"
        page = _plain_page(number, rows, searched=number < shape.searched)
        (folder / name).write_text(page, encoding="utf-8")
        links.append(f"- [Component {number}](pages/{name})\n")
    (project / "docs" / "index.md").write_text(
        "# Components\n\n" + "".join(links), encoding="utf-8"
    )
    config = project / "mkdocs.yml"
    config.write_text(
        f"site_name: Plain benchmark\n{_THEME}plugins: [search]\n"
        "nav: [index.md]\nnot_in_nav: /pages/\n",
        encoding="utf-8",
    )
    return config


_WORDS = (
    "model", "data", "pipeline", "review", "gate", "level", "evaluation", "dataset", "metric",
    "latency", "owner", "team", "release", "drift", "baseline", "ablation", "deployment",
    "monitoring", "requirement", "risk", "fairness",
)  # fmt: skip


def _plain_page(number: int, rows: int, *, searched: bool = True) -> str:
    """A page shaped like a card page: a title, paragraphs, an HTML table, sections."""
    rng = random.Random(number)

    def sentence(words: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."

    def paragraph() -> str:
        return " ".join(sentence(12) for _ in range(4))

    cells = [
        (f"2023-{1 + k % 12:02d}-{1 + k % 28:02d}", str(k % 9), str((k + 1) % 9), "advance",
         f"<code>{rng.getrandbits(28):07x}</code>", sentence(6))
        for k in range(rows)
    ]  # fmt: skip
    table = (
        '<table class="history"><thead><tr><th>Date</th><th>From</th><th>To</th><th>Kind</th>'
        "<th>Commit</th><th>Note</th></tr></thead><tbody>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells)
        + "</tbody></table>"
    )
    sections = [
        "" if searched else "---\nsearch:\n  exclude: true\n---",
        f"# Component {number}",
        paragraph(),
        "## Summary",
        paragraph(),
        "## History",
        table,
        "## Notes",
        paragraph(),
    ]
    return "\n\n".join(sections).lstrip() + "\n"


def _rows_for(article: int) -> int:
    """Table rows that bring a plain page's HTML to about `article` bytes."""
    convert = markdown.Markdown(extensions=["toc", "tables"]).convert
    base = len(convert(_plain_page(0, 0)))
    per_row = (len(convert(_plain_page(0, 40))) - base) / 40
    return max(0, round((article - base) / per_row))


def _build(config: Path, site: Path, cache: Path | None, python: Path | None = None) -> Measured:
    """A cold `mkdocs build`: no site folder, no plugin cache left from the previous run; with
    another environment's `python` when given (`--baseline`)."""
    shutil.rmtree(site, ignore_errors=True)
    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)
    argv = [str(python or sys.executable), "-m", "mkdocs", "build", "--quiet"]
    argv += ["-f", str(config), "-d", str(site)]
    return _measure(argv, cwd=config.parent)


_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)


def _site_shape(site: Path, folder: str) -> SiteShape:
    """The shape of the pages under `folder` (a folder of the site, `readiness` or `pages`)."""
    sizes = []
    for page in (site / folder).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        match = _ARTICLE.search(text)
        sizes.append(len((match[1] if match else text).encode()))
    raw = (site / "search" / "search_index.json").read_bytes()
    index = json.loads(raw)
    searched = {doc["location"].split("#")[0] for doc in index["docs"]}
    return SiteShape(
        pages=len(sizes),
        article=sum(sizes) // max(len(sizes), 1),
        searched=sum(1 for location in searched if location.startswith(folder + "/")),
        site_bytes=sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        index_bytes=len(gzip.compress(raw)),
    )


def _render(results: list[Result]) -> str:
    baselines = sorted({r.baseline for r in results if r.baseline})
    said = "".join(f"\n\nThe baseline of (d): mkdocs-trl-cards {b}." for b in baselines)
    return "\n\n".join([_measurements(results) + said, _targets(results)])


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _measurements(results: list[Result]) -> str:
    def seconds(m: Measured) -> str:
        return f"{m.seconds:.2f} s"

    def rss(m: Measured) -> str:
        return f"{m.peak_rss / _MIB:.0f} MiB"

    rows: list[list[str]] = [
        ["(a) plugin history: read_history + build_histories"],
        ["    of which read_history / build_histories"],
        ["    peak RSS of (a): Python / largest git process"],
        ["(b) git floor: git log --first-parent --raw + cat-file --batch"],
        ["    git log: glob pathspec / none (faster counts); cat-file"],
        ["(c) per card: git log --follow + git show per revision"],
        ["(d) mkdocs build, material + search + trl-cards"],
        ["    (d) with --baseline's version; d / that"],
        ["    peak RSS of (d)"],
        ["    site size of (d); its search index, gzip"],
        ["(e) mkdocs build, material + search, same pages, no plugin"],
        ["(f) serve --dirty rebuild after editing a card, trl-cards"],
        ["    after an edit of: level / owners / tags / review / body"],
        ["(g) serve --dirty rebuild after editing a page, no plugin"],
        ["card revisions / distinct blobs (a) / blobs (b)"],
        ["HTML pages (d) / (e), of which in search"],
        ["average article size (d) / (e)"],
        ["a/b  c/a  d/e  f/g"],
        ["runs per step (best counts)"],
    ]
    for r in results:
        history, floor = r.history.report, r.floor.report
        d, e = r.plugin_shape, r.plain_shape
        cells = [
            seconds(r.history),
            f"{history['read']:.2f} s / {history['build']:.2f} s",
            f"{history['rss_self'] / _MIB:.0f} MiB / {history['rss_git'] / _MIB:.0f} MiB",
            seconds(r.floor),
            f"{floor['log_glob']:.2f} s / {floor['log_whole']:.2f} s; {floor['cat_file']:.2f} s",
            _per_card_seconds(r.per_card),
            seconds(r.plugin_site),
            (
                f"{seconds(r.baseline_site)}; {r.plugin_site.seconds / r.baseline_site.seconds:.2f}"
                if r.baseline_site
                else "-"
            ),
            rss(r.plugin_site),
            f"{d.site_bytes / _MIB:,.0f} MiB; {d.index_bytes / 1024:,.0f} KiB",
            seconds(r.plain_site),
            seconds(r.plugin_live),
            " / ".join(
                f"{r.plugin_live.report[k]:.2f}" if k in r.plugin_live.report else "-"
                for k in _FIELD_EDITS
            )
            + " s",
            seconds(r.plain_live),
            f"{history['revisions']:,.0f} / {history['blobs']:,.0f} / {floor['blobs']:,.0f}",
            f"{d.pages:,} / {e.pages:,}, {d.searched:,} / {e.searched:,}",
            f"{d.article / 1000:.1f} kB / {e.article / 1000:.1f} kB",
            _ratios(r),
            f"best of {r.runs}",
        ]
        for row, cell in zip(rows, cells, strict=True):
            row.append(cell)
    return _table(["measurement", *(r.size.label for r in results)], rows)


def _figures(result: Result) -> dict[str, float]:
    """The figures `results.ROWS` keeps of one size."""
    return {
        "history": result.history.seconds,
        "floor": result.floor.seconds,
        "site": result.plugin_site.seconds,
        "site_rss": result.plugin_site.peak_rss / _MIB,
        "site_size": result.plugin_shape.site_bytes / _MIB,
        "search_index": result.plugin_shape.index_bytes / 1024,
        "plain": result.plain_site.seconds,
        "live": result.plugin_live.seconds,
        **{f"live_{k}": v for k, v in result.plugin_live.report.items() if k in _FIELD_EDITS},
        "plain_live": result.plain_live.seconds,
        "pages": float(result.plugin_shape.pages),
    }


def _per_card_seconds(measured: Measured) -> str:
    report = measured.report
    if report["sampled"] == report["cards"]:
        return f"{measured.seconds:.2f} s"
    sample = f"{report['sampled']:.0f} of {report['cards']:,.0f} cards"
    return f"~{measured.seconds:,.0f} s (est. from {sample})"


def _ratios(result: Result) -> str:
    return "  ".join(
        [
            f"{result.history.seconds / result.floor.seconds:.2f}",
            f"{_per_card_ratio(result):.0f}",
            f"{_site_ratio(result):.2f}",
            f"{result.plugin_live.seconds / result.plain_live.seconds:.2f}",
        ]
    )


def _targets(results: list[Result]) -> str:
    by_name = {r.size.name: r for r in results}
    rows: list[list[str]] = []

    def check(name: str, value: float | None, test: str, limit: float, unit: str = "") -> None:
        passed = {"<=": float.__le__, "<": float.__lt__, ">=": float.__ge__}[test]
        shown = "not measured" if value is None else f"{value:.2f}{unit}"
        verdict = "n/a" if value is None else "PASS" if passed(value, limit) else "FAIL"
        rows.append([name, shown, f"{test} {limit:g}{unit}", verdict])

    for r in results:
        check(f"a/b, {r.size.name}", r.history.seconds / r.floor.seconds, "<=", 1.5)
        # The same, for the git part alone: parsing the revisions that may change a level is
        # what (a) adds to git's own work (see the README).
        engine = r.history.report["read"] / r.floor.seconds
        check(f"a/b, {r.size.name}, read_history alone", engine, "<=", 1.5)
    small, large, huge = (by_name.get(name) for name in ("small", "large", "huge"))
    check("c/a, small", _per_card_ratio(small) if small else None, ">=", 50)
    if large:  # (c) is estimated from a sample of cards there
        check("c/a, large (estimated)", _per_card_ratio(large), ">=", 50)
    check("d/e, large", _site_ratio(large) if large else None, "<=", 1.5)
    live = large.plugin_live.seconds if large else None
    check("(f) live preview after a card edit, large", live, "<=", 2, unit=" s")
    for kind in _FIELD_EDITS:
        edited = large.plugin_live.report.get(kind) if large else None
        article = "an" if kind[0] in "aeiou" else "a"
        check(f"(f) after {article} {kind} edit, large", edited, "<=", 2, unit=" s")
    versus = large.baseline_site if large else None
    ratio = large.plugin_site.seconds / versus.seconds if large and versus else None
    check("(d) / (d) with --baseline's version, large", ratio, "<=", 1)
    rss = large.plugin_site.peak_rss / _MIB if large else None
    check("peak RSS of (d), large", rss, "<", 400, unit=" MiB")
    rss = huge.plugin_site.peak_rss / _MIB if huge else None
    check("peak RSS of (d), huge", rss, "<", 1024, unit=" MiB")
    for r in results:  # docs/reading.md: 500 KB as sent per 1,000 components
        per_thousand = r.plugin_shape.index_bytes / 1000 / (r.size.cards / 1000)
        check(f"search index per 1,000 cards, {r.size.name}", per_thousand, "<=", 500, " kB")
    for step, pick in (("a", _history_seconds), ("d", _plugin_site_seconds)):
        ratio = pick(huge) / pick(large) if huge and large else None
        check(f"time of ({step}), huge/large", ratio, "<=", 12)
    return _table(["target", "value", "limit", "result"], rows)


def _per_card_ratio(result: Result) -> float:
    return result.per_card.seconds / result.history.seconds


def _site_ratio(result: Result) -> float:
    return result.plugin_site.seconds / result.plain_site.seconds


def _history_seconds(result: Result) -> float:
    return result.history.seconds


def _plugin_site_seconds(result: Result) -> float:
    return result.plugin_site.seconds


if __name__ == "__main__":
    sys.exit(main())
