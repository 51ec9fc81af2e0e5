"""Every repository's export is untrusted input: a corpus of hostile and careless exports
(and a few hostile files of the site's own repository), all built in one real organisation
site with cards of its own and two good exports.

Each refused export must be named with its message, cost no card of any other source, fail
`--strict`, and never give a traceback or a hang; the build of the corpus is measured against
a build of the good sources alone in the same run. A few hostile exports are not refused but
neutralised (control characters in names, a branch that looks like a template): their text
must reach no output as it was.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import MKDOCS_YML, card, review, trl_cards
from gitrepo import GitRepo

Doc = dict[str, Any]

GOOD = {  # repository: {id: (path, levels over the years)}
    "vision": {"V1": ("cards/retina/TRL.md", (3, 4, 5)), "V2": ("cards/ocr/TRL.md", (2, 3))},
    "speech": {"S1": ("models/asr/TRL.md", (4, 6, 7))},
}
OWN = {"O1": "good/TRL.md", "O2": "platform/feature/TRL.md"}
EVERY_GOOD_CARD = {*OWN, *(i for cards in GOOD.values() for i in cards)}


def _component(root: Path, name: str) -> GitRepo:
    repo = GitRepo(root / name)
    cards = GOOD[name]
    for step in range(3):
        for card_id, (path, levels) in cards.items():
            if step < len(levels):
                reviews = "".join(
                    review(levels[i], levels[i + 1], f"202{3 + i}-02-28") for i in range(step)
                )
                extra = "owners: [Team]\n" + (f"reviews:\n{reviews}" if reviews else "")
                repo.write(path, card(card_id, levels[step], name=f"{name} {card_id}", extra=extra))
        repo.commit(f"{name} step {step}", date=f"202{3 + step}-03-01T09:00:00+00:00")
    return repo


def _export(repo: GitRepo, out: Path, *args: str) -> None:
    done = trl_cards("export", "-o", str(out), *args, cwd=repo.path)
    assert done.returncode == 0, done.stderr


@dataclass(frozen=True)
class World:
    """The organisation: the site (its own cards committed), and the good exports' JSON."""

    site: Path
    good: dict[str, Doc]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("organisation")
    good = {}
    for name in GOOD:
        out = root / f"{name}.json"
        _export(_component(root, name), out, "--url", f"https://git.example/org/{name}")
        good[name] = json.loads(out.read_text("utf-8"))
    site = GitRepo(root / "site")
    for card_id, path in OWN.items():
        site.write(path, card(card_id, 4, extra="owners: [Platform]\n"))
    site.write(
        "mkdocs.yml",
        MKDOCS_YML.format(options=":\n      sources:\n        - {exports: exports/}\n"),
    )
    site.write("docs/index.md", "# Organisation\n")
    site.commit("The organisation's site", date="2024-05-01T09:00:00+00:00")
    return World(site.path, good)


# --- the corpus -----------------------------------------------------------------------------


def _json(write: Callable[[Doc], None]) -> Callable[[Path, World], None]:
    """A case that writes a mutation of the vision export, renamed so that it claims no good
    repository's name (unless the mutation names one)."""

    def make(path: Path, world: World) -> None:
        doc = copy.deepcopy(world.good["vision"])
        doc["source"]["name"] = path.stem.replace("_", "-")
        write(doc)
        path.write_text(json.dumps(doc), encoding="utf-8")

    return make


def _bytes(data: bytes) -> Callable[[Path, World], None]:
    def make(path: Path, world: World) -> None:
        path.write_bytes(data)

    return make


def _commit(doc: Doc) -> list[str]:
    """The first commit record of an export's history (author, email, date, committed,
    subject)."""
    record: list[str] = next(iter(doc["source"]["history"]["commits"].values()))
    return record


def _revision(doc: Doc) -> list[Any]:
    row: list[Any] = doc["source"]["history"]["revisions"][0]
    return row


def _set(doc: Doc, **values: Any) -> None:
    doc["source"].update(values)


def _symlink(target: str) -> Callable[[Path, World], None]:
    def make(path: Path, world: World) -> None:
        path.symlink_to(target)

    return make


def _fifo(path: Path, world: World) -> None:
    os.mkfifo(path)


def _folder(path: Path, world: World) -> None:
    path.mkdir()


def _sparse(path: Path, world: World) -> None:
    with path.open("wb") as file:
        file.truncate(200 << 20)  # 200 MiB of nothing, over the limit: never read


def _surrogate_author(doc: Doc) -> None:
    _commit(doc)[0] = "Eve\ud800"


def _surrogate_text(doc: Doc) -> None:
    texts = doc["source"]["history"]["texts"]
    blob = next(iter(texts))
    texts[blob] = texts[blob] + "\udfff"


def _files(doc: Doc, path: str) -> None:
    files = doc["source"]["files"]
    files[path] = files.pop(next(iter(files)))


def _date(value: str, field: int = 3) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        for record in doc["source"]["history"]["commits"].values():
            record[field] = value

    return mutate


@dataclass(frozen=True)
class Case:
    """A hostile export file `name` made by `make`, refused with a message that holds
    `message` (a regular expression)."""

    name: str
    make: Callable[[Path, World], None]
    message: str


CORPUS = (
    # Files that are not an export's to read.
    Case("link-to-zero.json", _symlink("/dev/zero"), r"is a symbolic link to another file"),
    Case("link-to-good.json", _symlink("vision.json"), r"symbolic link.*not followed"),
    Case("dangling.json", _symlink("nowhere.json"), r"symbolic link to nothing"),
    Case("fifo.json", _fifo, r"is not a regular file"),
    Case("folder.json", _folder, r"is not a regular file"),
    Case("huge.json", _sparse, r"is over the limit of 128 MiB.*sources: - path:"),
    Case("values.json", _bytes(b"[" + b"[]," * 2_100_000 + b"[]]"), r"over the limit of 2,000"),
    Case("deep.json", _bytes(b"[" * 50_000 + b"]" * 50_000), r"more than 16 deep"),
    Case("cut-short.json", _bytes(b'{"version": 1, "source": {"form'), r"is not JSON"),
    Case("latin-1.json", _bytes('{"name": "Caf\xe9"}'.encode("latin-1")), r"is not JSON"),
    Case("empty.json", _bytes(b""), r"is not JSON"),
    Case("big-number.json", _bytes(b"[" + b"9" * 10_000 + b"]"), r"is not JSON"),
    Case("a-list.json", _bytes(b"[1, 2, 3]"), r"is not a source export"),
    Case("site-json.json", _json(lambda d: d.pop("source")), r"is not a source export"),
    Case("other-format.json", _json(lambda d: _set(d, format="x")), r"is not a source export"),
    Case("version-99.json", _json(lambda d: _set(d, version=99)), r"of version 99"),
    Case("version-text.json", _json(lambda d: _set(d, version="1")), r"of version '1'"),
    # Names.
    Case("name-own.json", _json(lambda d: _set(d, name="good")), r"own cards \(good/TRL\.md\)"),
    Case("twin-a.json", _json(lambda d: _set(d, name="twin")), r"already the name of .*twin-b"),
    Case("twin-b.json", _json(lambda d: _set(d, name="twin")), r"already the name of .*twin-a"),
    Case("name-path.json", _json(lambda d: _set(d, name="../x")), r"is not a source name"),
    Case("name-number.json", _json(lambda d: _set(d, name=7)), r"`name` is not a string"),
    Case("name-escape.json", _json(lambda d: _set(d, name="a\x1b[2J")), r"not a source name"),
    # Text that is not valid Unicode.
    Case("author-surrogate.json", _json(_surrogate_author), r"half of a surrogate pair"),
    Case("text-surrogate.json", _json(_surrogate_text), r"half of a surrogate pair"),
    Case(
        "path-surrogate.json",
        _json(lambda d: _files(d, "a\udc80/TRL.md")),
        r"holds a path that holds U\+DC80",
    ),
    # Paths outside a repository.
    Case("up.json", _json(lambda d: _files(d, "../../x/TRL.md")), r"not a path inside"),
    Case("absolute.json", _json(lambda d: _files(d, "/etc/TRL.md")), r"not a path inside"),
    Case("empty-part.json", _json(lambda d: _files(d, "a//TRL.md")), r"not a path inside"),
    Case(
        "history-up.json",
        _json(lambda d: _revision(d).__setitem__(0, "../TRL.md")),
        r"`history` holds '\.\./TRL\.md'",
    ),
    Case(
        "renamed-up.json",
        _json(lambda d: _revision(d).__setitem__(4, "../../TRL.md")),
        r"`history` holds",
    ),
    Case("base-up.json", _json(lambda d: _set(d, base="../")), r"`base` holds"),
    Case("submodule.json", _json(lambda d: _set(d, submodules=["/x"])), r"`submodules` holds"),
    # URL templates: data, never code.
    Case("javascript.json", _json(lambda d: _set(d, url="javascript:alert(1)")), r"http\(s\)"),
    Case(
        "width.json",
        _json(lambda d: _set(d, commit_url="https://x.example/{sha:>3000000}")),
        r"placeholder `\{sha:>3000000\}`",
    ),
    Case(
        "attribute.json",
        _json(lambda d: _set(d, commit_url="https://x.example/{sha.__class__}")),
        r"placeholder `\{sha\.__class__\}`",
    ),
    Case(
        "url-placeholder.json",
        _json(lambda d: _set(d, url="https://x.example/{evil}")),
        r"`url`: .*placeholder `\{evil\}`; the placeholders it may hold: none",
    ),
    # Dates out of range.
    Case("year-9999.json", _json(_date("9999-12-31T23:00:00-05:00")), r"dated 9999-12-31"),
    Case("year-1.json", _json(_date("0001-01-01T00:00:00+05:00")), r"before git existed"),
    Case("year-1601.json", _json(_date("1601-01-01T00:00:00+00:00", 2)), r"dated 1601-01-01"),
    Case("year-2099.json", _json(_date("2099-06-01T00:00:00+00:00")), r"more than a day after"),
    Case("not-a-date.json", _json(_date("yesterday")), r"is not a date"),
    Case("no-zone.json", _json(_date("2024-01-01T00:00:00")), r"has no time zone"),
    # Damage.
    Case(
        "dangling-commit.json",
        _json(lambda d: _revision(d).__setitem__(2, "f" * 40)),
        r"names commit f{40}, which the file does not hold",
    ),
    Case("files-list.json", _json(lambda d: _set(d, files=[])), r"not a map of paths"),
    Case(
        "file-number.json",
        _json(lambda d: d["source"]["files"].update(x=1)),
        r"not a map of paths to texts",
    ),
    Case("history-text.json", _json(lambda d: _set(d, history="x")), r"is str, not dict"),
    Case(
        "short-row.json",
        _json(lambda d: _revision(d).pop()),
        r"revision 0 has 4 fields, not 5",
    ),
    Case(
        "sha-not-hex.json",
        _json(lambda d: _revision(d).__setitem__(1, "not-a-blob")),
        r"is not a commit or blob id",
    ),
    Case("revs-text.json", _json(lambda d: _set(d, ignore_revs="x")), r"not a list of strings"),
)


def _neutral_author(doc: Doc) -> None:
    for record in doc["source"]["history"]["commits"].values():
        record[0] = "Eve\x1b]0;pwned\x07\x1b[2J"
        record[4] = "Subject\x00 with\x08 controls\x1b[31m"


NEUTRALISED = {
    # Accepted, with the hostile text cleaned: its cards are on the site.
    "controls.json": ("controls", _neutral_author),
    "branch.json": ("branchy", lambda d: _set(d, branch="wip{1}")),
}


def _write_corpus(world: World, exports: Path) -> None:
    exports.mkdir()
    for name, doc in world.good.items():
        (exports / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    for case in CORPUS:
        case.make(exports / case.name, world)
    for name, (repository, mutate) in NEUTRALISED.items():
        doc = copy.deepcopy(world.good["vision"])
        _set(doc, name=repository)
        doc["source"]["files"] = {
            path: re.sub(r"\bid: V", f"id: {repository[0].upper()}", text)
            for path, text in doc["source"]["files"].items()
        }
        mutate(doc)
        (exports / name).write_text(json.dumps(doc), encoding="utf-8")


def _hostile_site_files(site: Path) -> None:
    """Hostile files of the site's own repository, beside the hostile exports."""
    cache = site / ".cache" / "plugin" / "trl-cards"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "history.json").unlink(missing_ok=True)
    (cache / "history.json").symlink_to("/dev/zero")
    ignore = site / ".git-blame-ignore-revs"
    ignore.unlink(missing_ok=True)
    ignore.symlink_to("/dev/zero")
    mailmap = site / ".mailmap"
    mailmap.unlink(missing_ok=True)
    mailmap.symlink_to("/dev/zero")


@dataclass(frozen=True)
class Measured:
    returncode: int
    log: str
    seconds: float
    peak_mib: float


def _measured_build(folder: Path, *args: str) -> Measured:
    """`mkdocs build` in a fresh process, with its wall time and peak resident memory (that of
    the process and of any child it waited for, as Linux counts it); a hang fails the test."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "-d", str(folder / "site"), *args],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"},
        )
        while True:  # reaped here, with os.wait4, for its resource usage
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > 300:
                process.kill()
                os.wait4(process.pid, 0)
                pytest.fail(f"mkdocs build in {folder} hangs")
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        log = output.read().decode("utf-8", "replace")
    return Measured(process.returncode, log, time.perf_counter() - started, usage.ru_maxrss / 1024)


@pytest.fixture(scope="module")
def built(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The good sources alone, then the corpus beside them, then the corpus with --strict."""
    site = world.site
    exports = site / "exports"
    exports.mkdir()
    for name, doc in world.good.items():
        (exports / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    baseline = _measured_build(site)
    good_site = tmp_path_factory.mktemp("good-site")
    (site / "site").rename(good_site / "site")
    for path in exports.iterdir():
        path.unlink()
    exports.rmdir()
    _write_corpus(world, exports)
    _hostile_site_files(site)
    corpus = _measured_build(site)
    strict = _measured_build(site, "--strict")
    return {
        "baseline": baseline,
        "corpus": corpus,
        "strict": strict,
        "site": site / "site",
        "good": good_site / "site",
    }


def _warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("WARNING")]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_each_hostile_export_is_refused_with_its_message(case: Case, built: dict[str, Any]) -> None:
    corpus: Measured = built["corpus"]
    named = [line for line in _warnings(corpus.log) if f"/exports/{case.name}:" in line]
    assert len(named) == 1, f"{case.name}: {named or corpus.log[-3000:]}"
    assert re.search(case.message, named[0]), named[0]
    assert "Fix:" in named[0]


def test_no_hostile_export_costs_another_source_or_the_site(built: dict[str, Any]) -> None:
    corpus, strict, baseline = built["corpus"], built["strict"], built["baseline"]
    assert baseline.returncode == 0, baseline.log
    assert corpus.returncode == 0, corpus.log  # without --strict, what can be built is
    assert strict.returncode == 1 and "--strict fails on any" in strict.log
    for log in (corpus.log, strict.log):
        assert "Traceback" not in log
    site: Path = built["site"]
    cards = json.loads((site / "api" / "cards.json").read_text("utf-8"))["cards"]
    ids = {c["id"] for c in cards}
    # Every good card of every source, the site's own included, and the neutralised ones.
    assert ids == EVERY_GOOD_CARD | {"C1", "C2", "B1", "B2"}
    good = json.loads((built["good"] / "api" / "cards.json").read_text("utf-8"))["cards"]
    by_id = {c["id"]: c for c in cards}
    for card_json in good:  # unchanged by the corpus beside it
        assert by_id[card_json["id"]] == card_json
        assert (site / "readiness" / "cards" / card_json["id"] / "index.html").is_file()
    # Nothing of a refused export: no page, no repository, no link (its values are only
    # quoted, escaped, in the messages of the problems page).
    pages = "\n".join(p.read_text("utf-8") for p in site.rglob("*.html"))
    links = re.findall(r'(?:href|src)="([^"]*)"', pages)
    assert not [u for u in links if u.startswith("javascript:") or "{" in u or "%7Bsha" in u]
    assert "x.example" not in "".join(links)
    # Milestones stay within the real span of the history (2023 to today).
    milestones = [p.name for p in (site / "readiness" / "changes").iterdir() if p.is_dir()]
    assert all(re.fullmatch(r"20(2[3-9]|[3-9]\d)-q[1-4]|today", m) for m in milestones)


def test_hostile_site_files_are_named_and_cost_nothing(built: dict[str, Any]) -> None:
    log = built["corpus"].log
    assert re.search(r"History cache discarded.*symbolic link", log), log[-2000:]
    ignore = [w for w in _warnings(log) if ".git-blame-ignore-revs" in w]
    assert ignore and "symbolic link" in ignore[0] and "no commit is ignored" in ignore[0]


def test_neutralised_text_reaches_no_output(built: dict[str, Any]) -> None:
    site: Path = built["site"]
    outputs = [p for p in site.rglob("*") if p.suffix in {".html", ".xml", ".json", ".csv"}]
    for path in outputs:
        text = path.read_text("utf-8")
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text), path
        if path.suffix == ".xml":
            ET.fromstring(text.encode("utf-8"))  # every feed stays valid XML
        elif path.suffix == ".json" and path.name != "search_index.json":
            json.loads(text)
        elif path.suffix == ".csv":
            list(csv.reader(text.splitlines()))
    page = (site / "readiness" / "cards" / "C1" / "index.html").read_text("utf-8")
    assert "Eve\ufffd]0;pwned\ufffd\ufffd[2J" in page
    # The branch is plain text in the link, quoted: never read as a template.
    branchy = (site / "readiness" / "cards" / "B1" / "index.html").read_text("utf-8")
    assert "https://git.example/org/vision/blob/wip%7B1%7D/cards/retina/TRL.md" in branchy


def test_the_corpus_costs_little_beside_the_good_sources(built: dict[str, Any]) -> None:
    """Not a timing test: the ratios of the corpus build to the good-only build in the same
    run, with bounds far above what is normal (about 1.1x), far below what a hostile file
    cost before the border (a 2.4 GB peak, a 149 s build)."""
    baseline, corpus = built["baseline"], built["corpus"]
    time_ratio = corpus.seconds / baseline.seconds
    print(
        f"\ngood sources: {baseline.seconds:.1f} s, {baseline.peak_mib:.0f} MiB; "
        f"with {len(CORPUS)} hostile exports: {corpus.seconds:.1f} s "
        f"({time_ratio:.2f}x), {corpus.peak_mib:.0f} MiB"
    )
    assert corpus.peak_mib < 600, corpus.peak_mib
    assert time_ratio < 5, time_ratio


# --- the site's own repository, mkdocs.yml and the command line -----------------------------


def test_impossible_commit_dates_of_the_sites_own_repository_are_moved_with_a_warning(
    tmp_path: Path,
) -> None:
    site = GitRepo(tmp_path / "site")
    site.write("mkdocs.yml", MKDOCS_YML.format(options=""))
    site.write("docs/index.md", "# Home\n")
    site.write("a/TRL.md", card("A1", 3))
    site.commit("A card", date="2023-01-02T09:00:00+00:00")
    site.write("a/TRL.md", card("A1", 4, extra="reviews:\n" + review(3, 4, "2023-06-01")))
    future = site.commit("From a wrong clock", date="@253402315200 -0500")  # 9999-12-31
    site.write("b/TRL.md", card("B1", 2))
    past = site.commit("From another one", date="@100000000 +0500")  # 1973
    build = _measured_build(site.path)
    assert build.returncode == 0 and "Traceback" not in build.log, build.log
    warning = next(w for w in _warnings(build.log) if "no commit can have" in w)
    assert f"commit {future[:12]} is dated 9999-12-31, more than a day after" in warning
    assert f"commit {past[:12]} is dated 1973-03-03, before git existed" in warning
    assert "Fix:" in warning
    cards = json.loads((site.path / "site" / "api" / "cards.json").read_text("utf-8"))
    dates = {c["id"]: [t["date"][:10] for t in c["transitions"]] for c in cards["cards"]}
    assert dates["B1"] == ["2005-04-07"]  # the earliest a commit can be
    assert dates["A1"][0] == "2023-01-02"
    # Quarters from 2005 to today, not from the year 1973 or to 9999.
    quarters = list((site.path / "site" / "readiness" / "changes").glob("20*-q*"))
    assert 0 < len(quarters) <= 4 * (dt_now_year() - 2005 + 1)
    assert _measured_build(site.path, "--strict").returncode == 1


def dt_now_year() -> int:
    return time.gmtime().tm_year


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ("commit_url: https://x.example/{sha:>3000000}", "{sha:>3000000}"),
        ("commit_url: https://x.example/{sha.__class__}", "{sha.__class__}"),
        ("commit_url: https://x.example/{SHA}", "{SHA}"),
        ("commit_url: javascript:alert(1)//{sha}", "http(s)"),
        ("sources: [{name: v, path: ., url: 'https://x.example/{evil}'}]", "{evil}"),
    ],
)
def test_a_url_template_in_mkdocs_yml_is_checked_when_it_is_read(
    tmp_path: Path, option: str, named: str
) -> None:
    site = GitRepo(tmp_path / "site")
    site.write("mkdocs.yml", MKDOCS_YML.format(options=f":\n      {option}\n"))
    site.write("docs/index.md", "# Home\n")
    site.commit("A site")
    build = _measured_build(site.path)
    assert build.returncode == 1 and "Traceback" not in build.log
    assert named in build.log and "Fix: Write it as `https://git.example/org/repo" in build.log


def test_a_checkout_on_a_branch_that_looks_like_a_template_links_as_plain_text(
    tmp_path: Path,
) -> None:
    component = GitRepo(tmp_path / "component")
    component.git("checkout", "-q", "-b", "wip{1}")
    component.write("m/TRL.md", card("M1", 3))
    component.commit("A card", date="2024-01-02T09:00:00+00:00")
    site = GitRepo(tmp_path / "site")
    sources = (
        "      sources:\n        - {name: comp, path: ../component, url: 'https://g.example/o/c'}\n"
    )
    site.write("mkdocs.yml", MKDOCS_YML.format(options=":\n" + sources))
    site.write("docs/index.md", "# Home\n")
    site.commit("A site")
    build = _measured_build(site.path, "--strict")
    assert build.returncode == 0, build.log
    page = (site.path / "site" / "readiness" / "cards" / "M1" / "index.html").read_text("utf-8")
    assert 'href="https://g.example/o/c/blob/wip%7B1%7D/m/TRL.md"' in page
    assert re.search(r'href="https://g\.example/o/c/commit/[0-9a-f]{40}"', page)


def test_export_of_a_history_with_a_path_that_is_not_utf8(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "latin")
    repo.write("a/TRL.md", card("A1", 3))
    odd = repo.path / os.fsdecode(b"caf\xe9")  # a folder name in Latin-1
    odd.mkdir()
    (odd / "TRL.md").write_bytes(card("B1", 2).encode())
    repo.commit("Two cards, one at a path that is not UTF-8", date="2024-01-02T09:00:00+00:00")
    repo.git("rm", "-rq", odd.name)
    repo.commit("Drop it", date="2024-02-02T09:00:00+00:00")
    out = tmp_path / "latin.json"
    done = trl_cards("export", "-o", str(out), cwd=repo.path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    exported = json.loads(out.read_text("utf-8"))  # UTF-8 JSON, whatever the paths
    paths = {row[0] for row in exported["source"]["history"]["revisions"]}
    assert "caf\\xe9/TRL.md" in paths and "a/TRL.md" in paths


def test_export_to_a_folder_that_does_not_exist_leaves_nothing(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit("A card")
    out = tmp_path / "nowhere" / "x.json"
    done = trl_cards("export", "-o", str(out), cwd=repo.path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "No such file or directory" in done.stderr and str(out.parent) in done.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize(
    ("cards", "message"),
    [
        ("[7]", r"`cards\[0\]` is 7, not a card"),
        ('[{"id": "A", "level": 3}]', r"`cards\[0\]` has `name` None, not str"),
        ('[{"id": ["A"], "name": "a", "level": 3}]', r"has `id` a list of 1 item\(s\), not str"),
        (
            '[{"id": "A", "name": "a", "level": 3, "transitions": [{"kind": null}]}]',
            r"has `transitions\[0\]\.commit` None",
        ),
        (
            '[{"id": "A", "name": "a", "level": 3, "transitions": [{"commit": "x", "to": 4}]}]',
            r"has `transitions\[0\]\.kind` None",
        ),
        ('[{"id": "A\\ud800", "name": "a", "level": 3}]', r"half of a surrogate pair"),
        ("[" * 5000 + "]" * 5000, r"nests JSON values more than 32 deep"),
    ],
)
def test_diff_refuses_a_malformed_export_naming_the_card(
    tmp_path: Path, cards: str, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"version": 1, "cards": []}', encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(f'{{"version": 1, "cards": {cards}}}', encoding="utf-8")
    done = trl_cards("diff", str(good), str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"trl-cards: {bad}: ") and re.search(message, done.stderr)


def test_the_command_line_prints_no_control_character_from_repository_data(
    tmp_path: Path,
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a/TRL.md", card("A1", 3))
    repo.commit(
        "Clear\x1b[2J the screen\x1b]0;title\x07", author=("Eve\x1b]52;c;cGF3bg==\x07", "e@x")
    )
    history = trl_cards("history", "A1", cwd=repo.path)
    assert history.returncode == 0, history.stderr
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", history.stdout), repr(history.stdout)
    assert "Eve\ufffd]52;c;cGF3bg==" in history.stdout  # git itself drops the last BEL
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text('{"version": 1, "cards": []}', encoding="utf-8")
    new.write_text(
        '{"version": 1, "cards": [{"id": "A", "name": "x\\u001b[2Jy", "level": 3}]}', "utf-8"
    )
    diff = trl_cards("diff", str(old), str(new))
    assert diff.returncode == 0 and "x\ufffd[2Jy" in diff.stdout, diff.stdout
    assert "\x1b" not in diff.stdout
