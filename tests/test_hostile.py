"""A corpus of hostile and malformed cards and repository states, tried as an attacker and as a
careless author would.

Each case is one card file (or a file that only looks like one) with the problem it must
produce and whether its card must still be on the site. Every case is checked alone, through
`load_cards`, and all of them together in one real `mkdocs build`: a plain build exits 0 and
renders every card that has a usable identity, `--strict` fails (with `-q` too, and under
properdocs), no traceback reaches the log, and the build's time and memory stay within a small
factor of a build of the same number of benign cards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SiteRepo, card, trl_cards
from gitrepo import GitRepo
from trl_cards.cards.collection import load_cards

INCLUDE = ("cards/**/TRL.md", "cards/**/TRL.yml")


@dataclass(frozen=True)
class Case:
    """One hostile input: where it goes, what it holds, what it must produce."""

    name: str
    text: str | bytes
    expect: str  # a piece of the problem's message or fix; "" when there must be no problem
    kept: str | None = None  # the card id that must still be on the site, if any
    file: str = "TRL.md"

    @property
    def path(self) -> str:
        return f"cards/{self.name}/{self.file}"


def _fm(card_id: str, extra: str = "", *, level: str = "3", name: str = "Hostile") -> str:
    return f"---\nid: {card_id}\nname: {name}\nlevel: {level}\n{extra}---\n## TL;DR\nText.\n"


def _bomb(depth: int, width: int = 9) -> str:
    """A billion-laughs document: each anchor lists the previous one `width` times."""
    lines = ["a0: &a0 [" + ",".join(["lol"] * width) + "]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return "---\nid: BOMB\nname: Bomb\nlevel: 3\n" + "\n".join(lines) + "\n---\n"


def _review(body: str) -> str:
    return f"reviews:\n  - {{{body}}}\n"


CASES = [
    # Nothing a card says becomes live: the card stays, the link does not.
    Case("entity-colon", _fm("L1") + "[Runbook](javascript&#58;alert(1))\n", "", "L1"),
    Case("entity-named", _fm("L2") + "[Runbook](javascript&colon;alert(1))\n", "", "L2"),
    Case("entity-hex", _fm("L3") + "[Runbook](javascript&#x3a;alert(1))\n", "", "L3"),
    Case("entity-tab", _fm("L4") + "[x](java&Tab;script:alert(1))\n", "", "L4"),
    Case("entity-tab-num", _fm("L5") + "[x](java&#9;script:alert(1))\n", "", "L5"),
    Case("reference-link", _fm("L6") + "[x][r]\n\n[r]: javascript&#58;alert(1)\n", "", "L6"),
    Case("remote-image", _fm("L7") + "![pixel](https://tracker.example/p.png)\n", "", "L7"),
    Case("scheme-relative-image", _fm("L8") + "![p](//tracker.example/p.png)\n", "", "L8"),
    Case("raw-html-script", _fm("L9") + "<script>alert(1)</script>\n<img src=x onerror=a()>\n", ""),
    Case("script-name", _fm("L10", name='"<script>alert(1)</script>"'), "", "L10"),
    Case(
        "field-link-js",
        _fm("L11", "links: {home: 'javascript:alert(1)'}\n"),
        "`links.home` `javascript:alert(1)` is not a link the site can show safely",
        "L11",
    ),
    Case(
        "field-link-tab",
        _fm("L12", 'links: {home: "java\\tscript:alert(1)"}\n'),
        "is not a link the site can show safely. So `links.home` is left out",
        "L12",
    ),
    Case(
        "ethics-data-link",
        _fm("L13", "ethics: {status: complete, link: 'data:text/html,x'}\n"),
        "`ethics.link`",
        "L13",
    ),
    Case(
        "review-vbscript",
        _fm(
            "L14",
            _review("date: 2024-01-01, from: 2, to: 3, decision: advance, link: 'vbscript:x'"),
        ),
        "So `reviews[0].link` is left out",
        "L14",
    ),
    Case("tags-any-text", _fm("L15", 'tags: ["R&D", "C#", "<b>x</b>"]\n'), "", "L15"),
    # The YAML constructor cannot build the value: a problem at its key, never a traceback.
    Case(
        "int-tag",
        _fm("Y1", level="!!int abc"),
        "`level` cannot be read: YAML's `!!int` cannot build `abc`",
    ),
    Case(
        "bad-timestamp",
        _fm("Y2", _review("date: !!timestamp 2024-02-30, from: 2, to: 3, decision: advance")),
        "`reviews[0].date` `2024-02-30` is not a day of the calendar. So review 1",
        "Y2",
    ),
    Case("huge-level", _fm("Y3", level="9" * 5000), "is a number of 5,000 digits"),
    Case("float-tag", _fm("Y4", level="!!float abc"), "`level` cannot be read"),
    Case(
        "binary-tag",
        _fm("Y5", "owners: !!binary '@@@'\n"),
        "`owners` must be a list, not the bytes",
        "Y5",
    ),
    Case("python-tag", _fm("Y6", "owners: !!python/object:os.system x\n"), "is not valid YAML"),
    Case("unknown-tag", _fm("Y7", "owners: !shout x\n"), "is not valid YAML"),
    Case("deep-flow", _fm("Y8", "x: " + "[" * 5000 + "]" * 5000 + "\n"), "nesting depth"),
    Case("deep-nesting", _fm("Y9", "x: " + "[" * 40 + "]" * 40 + "\n"), "more than 32 deep"),
    Case("alias-bomb-359", _bomb(6), "expands to"),
    Case("alias-bomb-405", _bomb(7), "expands to"),
    Case("many-aliases", _fm("Y12", "a: &a x\nb: [" + ",".join(["*a"] * 150) + "]\n"), "aliases"),
    Case(
        "multi-document",
        "id: Y13\nname: n\nlevel: 3\n---\nid: Y13b\n",
        "more than one",
        None,
        "TRL.yml",
    ),
    # Bodies that are slow or recursive in Markdown: shown as plain text, with the limit named.
    Case("brackets", _fm("B1") + "[" * 8000 + "\n", "more than 200 `[` in one paragraph", "B1"),
    Case("nested-list", _fm("B2") + "".join("  " * i + "- x\n" for i in range(250)), "deep", "B2"),
    Case("nested-quotes", _fm("B3") + "".join(">" * i + " x\n" for i in range(400)), "deep", "B3"),
    Case("long-body", _fm("B4") + "word " * 50_000, "characters long; the site renders", "B4"),
    Case("long-name", _fm("B5", name="n" * 5000), "is 5,000 characters long", "B5"),
    Case("long-line-error", _fm("B6", "x: [" + "a" * 1_000_000 + "\n"), "is not valid YAML"),
    Case("huge-file", _fm("B7") + "x" * (5 << 20), "MiB, far more than a card"),
    # One blemish costs one value or record, never the component.
    Case(
        "advance-3-to-3",
        _fm("G1", _review("date: 2024-01-01, from: 3, to: 3, decision: advance")),
        "is `advance` but the review goes from 3 to 3, which is `stay`. So review 1",
        "G1",
    ),
    Case(
        "kind-on-advance",
        _fm("G2", _review("date: 2024-01-01, from: 2, to: 3, decision: advance, kind: review")),
        "`reviews[0].kind` only applies to a switchback",
        "G2",
    ),
    Case(
        "nan-risk",
        _fm("G3", "requirements:\n  - {id: R1, text: t, risk: {p_failure: .nan, value: 1}}\n"),
        "is nan, which is not a measurable number. So `requirements[0].risk` is left out",
        "G3",
    ),
    Case(
        "duplicate-requirement",
        _fm("G4", "requirements:\n  - {id: R1, text: a}\n  - {id: R1, text: b}\n"),
        "`R1` is used twice in this card. So requirement 2",
        "G4",
    ),
    Case("unknown-key", _fm("G5", "ownres: [Ana]\n"), "Did you mean `owners`?", "G5"),
    Case("null-level", _fm("G6", level="null"), "`level` has no value"),
    Case("id-read-as-number", _fm("1.10"), 'keeps it as written: `id: "1.10"`'),
    Case("duplicate-key", _fm("G8", "level: 4\n"), "`level` is written twice", "G8"),
    Case(
        "date-without-dashes",
        _fm("G9", _review("date: 20240101, from: 2, to: 3, decision: advance")),
        "is the number `20240101`, not a date",
        "G9",
    ),
    Case(
        "date-in-future",
        _fm("G10", _review("date: 2099-01-01, from: 2, to: 3, decision: advance")),
        "2099-01-01 is in the future",
        "G10",
    ),
    Case("coupled-to-itself", _fm("G11", "coupled: [G11]\n"), "the card itself", "G11"),
    Case("case-twin-a", _fm("CASE1"), "", "CASE1"),
    Case("case-twin-b", _fm("case1"), "differs only in case from `CASE1`"),
    Case("reserved-id", _fm("CON"), "reserve device names"),
    Case("trailing-dot-id", _fm("G14."), "names ending in `.`"),
    Case("del-in-name", _fm("G15", name='"Bad\\x7fname"'), "control character", "G15"),
    Case("newline-in-name", _fm("G16", name='"two\\nlines"'), "line break", "G16"),
    Case("empty-file", "", "has no YAML front matter"),
    Case("unclosed-front-matter", "---\nid: G18\nname: n\nlevel: 3\n", "has no YAML front matter"),
    Case("top-level-list", "---\n- id: G19\n---\n", "must be a mapping of keys"),
    Case(
        "tab-indent", "---\nid: G20\nname: n\nlevel: 3\nowners:\n\t- Ana\n---\n", "not valid YAML"
    ),
    Case("owners-mapping", _fm("G21", "owners: {a: b}\n"), "`owners` must be a list", "G21"),
    Case("coupled-unknown", _fm("G22", "coupled: [NOPE]\n"), "no card has that id", "G22"),
    Case("body-in-markdown", _fm("G23", "body: x\n"), "only applies to pure YAML cards", "G23"),
    Case("duplicate-id-a", _fm("DUP"), "", "DUP"),
    Case("duplicate-id-b", _fm("DUP"), "is already the id of cards/duplicate-id-a/TRL.md"),
    Case("not-utf8", b"---\nid: G25\nname: Caf\xe9\nlevel: 3\n---\n", "not all UTF-8", "G25"),
    Case("crlf-and-bom", "\ufeff---\r\nid: G26\r\nname: n\r\nlevel: 3\r\n---\r\nx\r\n", "", "G26"),
    Case("level-out-of-range", _fm("G27", level="12"), "12 is out of range 0..9"),
    Case("yes-as-name", _fm("G28", name="yes"), "the boolean true"),
    Case(
        "records-in-other-shapes",
        _fm("G29", "ethics: complete\nowners: [Ana, {name: Bo}]\nreviews: {date: 2024-05-01}\n"),
        "Write it with its key: `ethics: {status: complete}`",
        "G29",
    ),
]

# Repository states rather than file contents; built by `_add_states`.
STATES = {
    "cards/leak/TRL.yml": "is a symbolic link to another file",
    "cards/zero/TRL.md": "is a symbolic link to another file",
    "cards/dangling/TRL.md": "the link is dangling",
    "cards/fifo/TRL.md": "is not a regular file",
    "cards/caf\\xe9/TRL.md": "has a name that is not UTF-8",
}


def _write(root: Path, case: Case) -> None:
    target = root / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case.text if isinstance(case.text, bytes) else case.text.encode("utf-8"))


def _add_cases(root: Path) -> None:
    for case in CASES:
        _write(root, case)


def _add_states(root: Path) -> None:
    """Symlinks out of the repository, a FIFO, a folder whose name is not UTF-8."""
    for name, target in (("leak", "/etc/passwd"), ("zero", "/dev/zero"), ("dangling", "gone")):
        folder = root / "cards" / name
        folder.mkdir(parents=True)
        file = "TRL.yml" if name == "leak" else "TRL.md"
        (folder / file).symlink_to(target)
    (root / "cards" / "fifo").mkdir()
    os.mkfifo(root / "cards" / "fifo" / "TRL.md")
    folder = Path(os.fsdecode(bytes(root / "cards") + b"/caf\xe9"))
    folder.mkdir()
    (folder / "TRL.md").write_text(_fm("STATE1"), encoding="utf-8")


def test_the_corpus_is_large() -> None:
    assert len(CASES) + len(STATES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_alone(case: Case, tmp_path: Path) -> None:
    _add_cases_only(tmp_path, case)
    collection = load_cards(tmp_path, INCLUDE)
    problems = [str(p) for p in collection.problems if p.path == case.path]
    if case.expect:
        assert any(case.expect in p for p in problems), problems
        assert all(len(p) < 1000 for p in problems), "a message echoes at most an excerpt"
    elif case.name not in {"case-twin-a", "duplicate-id-a"}:
        assert problems == []
    ids = {c.id for c in collection.cards}
    if case.kept:
        assert case.kept in ids


def _add_cases_only(root: Path, case: Case) -> None:
    """The case, with its twin where it needs one (a duplicate id needs the first holder)."""
    twins = {"case-twin-b": "case-twin-a", "duplicate-id-b": "duplicate-id-a"}
    for each in CASES:
        if each is case or each.name == twins.get(case.name):
            _write(root, each)


@pytest.mark.parametrize("path", sorted(STATES))
def test_each_repository_state(path: str, tmp_path: Path) -> None:
    _add_states(tmp_path)
    collection = load_cards(tmp_path, INCLUDE)
    problems = {p.path: str(p) for p in collection.problems}
    assert STATES[path] in problems[path]
    assert "root:" not in "".join(problems.values())  # nothing of /etc/passwd is echoed
    assert collection.cards == ()  # none of them is read as a card


def _measured_build(repo: SiteRepo, *args: str) -> tuple[int, str, float, int]:
    """`mkdocs build` in a fresh process: exit code, log, seconds, peak memory in KiB."""
    code = (
        "import resource, sys\n"
        "from mkdocs.__main__ import cli\n"
        "try:\n"
        "    cli(sys.argv[1:], standalone_mode=False)\n"
        "    status = 0\n"
        "except SystemExit as exit:\n"
        "    status = exit.code or 0\n"
        "except BaseException as error:\n"
        "    print(type(error).__name__, error, file=sys.stderr)\n"
        "    status = 1\n"
        "print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, "build", "-d", str(repo.path / "site"), *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    log = result.stdout + result.stderr
    peak = int(re.findall(r"maxrss (\d+)", log)[-1])
    return result.returncode, log, seconds, peak


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> SiteRepo:
    """All cases and states in one repository, with history: a revision YAML cannot build,
    fixed in the next commit, and an ignore-revs file with a Latin-1 comment."""
    repo = SiteRepo(
        tmp_path_factory.mktemp("corpus") / "org",
        options="      include: [cards/**/TRL.md, cards/**/TRL.yml]\n",
    )
    repo.write("cards/history/TRL.md", _fm("H1", level="!!int abc"))
    repo.commit("A revision that YAML cannot build")
    repo.write("cards/history/TRL.md", _fm("H1", level="2"))
    repo.commit("Fixed")
    for number in range(5):
        repo.write(f"cards/good-{number}/TRL.md", card(f"OK{number}", number + 1))
    _add_cases(repo.path)
    repo.commit("The corpus")
    _add_states(repo.path)  # the FIFO stays untracked: git cannot hold one
    (repo.path / ".git-blame-ignore-revs").write_bytes(b"# r\xe9vision m\xe9canique\n")
    return repo


@pytest.fixture(scope="module")
def benign_site(tmp_path_factory: pytest.TempPathFactory) -> SiteRepo:
    """The same number of card files, every one of them fine: the baseline of cost."""
    repo = SiteRepo(
        tmp_path_factory.mktemp("benign") / "org",
        options="      include: [cards/**/TRL.md, cards/**/TRL.yml]\n",
    )
    for number in range(len(CASES) + len(STATES) + 6):
        repo.write(f"cards/c{number}/TRL.md", card(f"C{number}", number % 10))
    repo.commit("Benign cards")
    return repo


def test_plain_build_keeps_every_card_with_an_identity(corpus_site: SiteRepo) -> None:
    status, log, _, _ = _measured_build(corpus_site)
    assert status == 0, log
    assert "Traceback" not in log
    assert "root:" not in log  # nothing of /etc/passwd reaches the log
    site = corpus_site.path / "site" / "readiness" / "cards"
    expected = {c.kept for c in CASES if c.kept} | {f"OK{n}" for n in range(5)} | {"H1"}
    built = {p.name for p in site.iterdir()}
    assert expected <= built, expected - built
    warnings = [line for line in log.splitlines() if line.startswith("WARNING")]
    for case in CASES:
        if case.expect:
            assert any(case.path in w and case.expect in w for w in warnings), case.name
    for path, expect in STATES.items():
        assert any(path in w and expect in w for w in warnings), path
    # The fixed card keeps its history, and the revision YAML could not build is listed.
    page = (site / "H1" / "index.html").read_text(encoding="utf-8")
    assert "could not be read as a card" in page or "cannot be read" in page


@pytest.mark.parametrize(
    "args", [("--strict",), ("--strict", "-q")], ids=["strict", "strict-quiet"]
)
def test_strict_fails(corpus_site: SiteRepo, args: tuple[str, ...]) -> None:
    status, log, _, _ = _measured_build(corpus_site, *args)
    assert status != 0
    assert "card problem(s), and --strict fails on any" in log
    assert "Traceback" not in log


def test_strict_quiet_fails_under_properdocs(corpus_site: SiteRepo) -> None:
    build = corpus_site.build("-q", tool="properdocs", strict=True)
    assert build.returncode != 0
    assert "--strict fails on any" in build.log


def test_the_command_line_reports_the_corpus(corpus_site: SiteRepo) -> None:
    result = trl_cards(
        "check",
        str(corpus_site.path),
        "--include",
        "cards/**/TRL.md",
        "--include",
        "cards/**/TRL.yml",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "is a symbolic link" in result.stdout


def test_cost_stays_within_a_small_factor_of_benign_cards(
    corpus_site: SiteRepo, benign_site: SiteRepo
) -> None:
    """Ratios against a benign build in the same run, never absolute times."""
    _measured_build(benign_site)  # warm the file cache and Python's bytecode for both
    _, _, benign_seconds, benign_peak = _measured_build(benign_site)
    _, _, hostile_seconds, hostile_peak = _measured_build(corpus_site)
    print(  # shown with `pytest -s`: the numbers behind the ratios
        f"corpus build {hostile_seconds:.2f} s, {hostile_peak >> 10} MiB; benign build of as "
        f"many cards {benign_seconds:.2f} s, {benign_peak >> 10} MiB"
    )
    assert hostile_seconds < 4 * benign_seconds, (hostile_seconds, benign_seconds)
    assert hostile_peak < 2 * benign_peak, (hostile_peak, benign_peak)


def test_a_revision_yaml_cannot_build_does_not_break_later_builds(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.write("cards/a/TRL.md", _fm("A1", level="!!int abc"))
    repo.commit("Broken")
    repo.write("cards/a/TRL.md", _fm("A1", level="2"))
    repo.commit("Fixed")
    from trl_cards.model.lineage import load_histories

    history = load_histories(repo.path, ["cards/**/TRL.md"])["A1"]
    assert [(t.from_level, t.to_level) for t in history.transitions] == [(None, 2)]
    assert len(history.invalid_revisions) == 1
