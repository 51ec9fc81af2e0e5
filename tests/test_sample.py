"""Tests of the sample organisation generator, on real repositories in tmp_path."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from sample_org import (
    TRUTH_COLUMNS,
    SampleSpec,
    SampleSummary,
    cache_key,
    generate_organisation,
    main,
    truth_path,
)
from trl_cards.model.pipeline import Settings, build_project

SMALL = SampleSpec(cards=20, commits=400, years=2.0, seed=1)
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DECISIONS = {
    "advance": lambda a, b: b > a,
    "stay": lambda a, b: a == b,
    "switchback": lambda a, b: b < a,
}

TOOL = Path(__file__).parents[1] / "tools" / "sample_org.py"


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True
    ).stdout


def git_text(repo: Path, *args: str) -> str:
    return git(repo, *args).decode()


def front_matter(text: str):
    assert text.startswith("---\n")
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4:end])


def read_blobs(repo: Path, shas: list[str]) -> dict[str, str]:
    """Read many blobs with one `git cat-file --batch`."""
    out = git(repo, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in shas).encode())
    blobs: dict[str, str] = {}
    pos = 0
    for sha in shas:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        blobs[sha] = out[header_end + 1 : header_end + 1 + size].decode()
        pos = header_end + 1 + size + 1
    return blobs


def check_card(meta, known_ids: set[str]) -> None:
    """The rules of docs/card-format.md that a generated card must satisfy."""
    assert isinstance(meta, dict)
    assert {"id", "name", "level"} <= meta.keys()
    assert isinstance(meta["id"], str) and ID.fullmatch(meta["id"])
    assert isinstance(meta["name"], str) and meta["name"]
    assert type(meta["level"]) is int and 0 <= meta["level"] <= 9
    for key in ("owners", "reviewers", "tags"):
        assert all(isinstance(v, str) for v in meta.get(key, []))
    assert all(isinstance(v, str) and v.startswith("https://") for v in meta["links"].values())
    if "ethics" in meta:
        assert meta["ethics"]["status"] in {"not started", "in progress", "complete"}
    assert all(c in known_ids and c != meta["id"] for c in meta.get("coupled", []))
    req_ids = [r["id"] for r in meta.get("requirements", [])]
    assert len(req_ids) == len(set(req_ids))
    for req in meta.get("requirements", []):
        assert "shall" in req["text"]
        if "risk" in req:
            assert 0 <= req["risk"]["p_failure"] <= 1 and req["risk"]["value"] >= 0
    for review in meta.get("reviews", []):
        # The format's writer quotes the date; YAML reads a plain one as a date.
        assert isinstance(review["date"], date) or date.fromisoformat(review["date"])
        assert 0 <= review["from"] <= 9 and 0 <= review["to"] <= 9
        assert DECISIONS[review["decision"]](review["from"], review["to"])
        if review["decision"] == "switchback":
            assert review["kind"] in {"discovery", "embedded", "review"}
        else:
            assert "kind" not in review
        assert set(review["debrief"]) == {"accomplished", "punted", "learned", "tech_debt"}
        assert all(isinstance(s, str) for s in review["reviewers"])


def read_truth(repo: Path) -> dict[str, dict[str, str]]:
    with truth_path(repo).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert rows and tuple(rows[0]) == TRUTH_COLUMNS
    return {row["id"]: row for row in rows}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> SampleSummary:
    return generate_organisation(tmp_path_factory.mktemp("org") / "repo", SMALL)


def test_same_spec_gives_same_shas(small, tmp_path):
    again = generate_organisation(tmp_path / "again", SMALL)
    assert git_text(again.path, "rev-parse", "HEAD") == git_text(small.path, "rev-parse", "HEAD")
    assert truth_path(again.path).read_bytes() == truth_path(small.path).read_bytes()
    other = generate_organisation(tmp_path / "other", SampleSpec(cards=20, commits=400, seed=2))
    assert git_text(other.path, "rev-parse", "HEAD") != git_text(small.path, "rev-parse", "HEAD")


def test_commit_count_and_summary(small):
    assert small.commits == SMALL.commits
    assert int(git_text(small.path, "rev-list", "--count", "main")) == SMALL.commits
    assert small.cards == SMALL.cards
    merges = git_text(small.path, "rev-list", "--merges", "main").split()
    assert len(merges) == small.merges > 0
    # Merged feature branches are deleted; HEAD is main.
    assert git_text(small.path, "for-each-ref", "--format=%(refname)") == "refs/heads/main\n"
    assert git_text(small.path, "symbolic-ref", "HEAD").strip() == "refs/heads/main"


def test_head_cards_are_valid_and_match_truth(small):
    cards = sorted(small.path.glob("teams/*/*/TRL.md"))
    assert len(cards) == SMALL.cards
    metas = {p: front_matter(p.read_text(encoding="utf-8")) for p in cards}
    ids = {m["id"] for m in metas.values()}
    assert len(ids) == SMALL.cards
    truth = read_truth(small.path)
    assert set(truth) == ids
    for path, meta in metas.items():
        check_card(meta, ids)
        row = truth[meta["id"]]
        assert row["path"] == path.relative_to(small.path).as_posix()
        assert int(row["level"]) == meta["level"]
        assert int(row["reviews"]) == len(meta.get("reviews", []))
        # R cards are research cards and stay below 5.
        assert meta["id"][0] == "P" or meta["level"] < 5
        assert (path.parent / "TRL.md").exists() and len(list(path.parent.glob("*.py"))) == 1
    assert sum(int(r["transitions"]) for r in truth.values()) == small.transitions
    assert sum(int(r["renames"]) for r in truth.values()) == small.renames


def test_work_tree_matches_head(small):
    assert git_text(small.path, "status", "--porcelain") == ""
    listed = git_text(small.path, "ls-files", "-s").splitlines()
    assert len(listed) == 2 * SMALL.cards + 1  # a card and a code file each, and the README
    shas = [line.split()[1] for line in listed]
    blobs = read_blobs(small.path, shas)
    for line, sha in zip(listed, shas, strict=True):
        path = line.split("\t", 1)[1]
        assert (small.path / path).read_text(encoding="utf-8") == blobs[sha]


def test_renames_move_a_component_and_edit_its_card(small):
    log = git_text(
        small.path, "log", "main", "-M", "--diff-filter=R", "--name-status", "--format=commit %H"
    )
    card_renames = [line for line in log.splitlines() if line.endswith("/TRL.md")]
    assert len(card_renames) == small.renames > 0
    for line in card_renames:
        status, old, new = line.split("\t")
        assert int(status[1:]) < 100  # the card was edited in the same commit
        assert old.split("/")[1] != new.split("/")[1]  # into another team
        assert old.split("/")[2] == new.split("/")[2]


def test_branches_change_cards_before_their_merge(small):
    merges = git_text(small.path, "rev-list", "--merges", "main").split()
    for merge in merges:
        parents = git_text(small.path, "rev-parse", f"{merge}^1", f"{merge}^2").split()
        base = git_text(small.path, "merge-base", *parents).strip()
        assert base != parents[1]  # the branch has its own commits
        branch_only = git_text(small.path, "rev-list", f"{parents[0]}..{parents[1]}").split()
        assert 1 <= len(branch_only) <= 3
    first_parent = set(git_text(small.path, "rev-list", "--first-parent", "main").split())
    assert len(first_parent) < SMALL.commits


def test_time_zones_include_odd_offsets(small):
    offsets = set(git_text(small.path, "log", "main", "--format=%ai").split()[2::3])
    assert {"+0530", "-0800"} <= offsets
    dates = git_text(small.path, "log", "main", "--format=%at").split()
    span_days = (int(dates[0]) - int(dates[-1])) / 86400
    assert 1.9 * 365 < span_days <= 2 * 366


def test_history_of_every_card_matches_truth(small):
    """Replay all card revisions: valid except the broken ones, transitions as in the truth."""
    log = git_text(
        small.path,
        "log",
        "main",
        "--reverse",
        "--topo-order",
        "--no-renames",
        "--raw",
        "--no-abbrev",
        "--format=commit %H",
        "--",
        "*TRL.md",
    )
    revisions = [
        line.split()[3]
        for line in log.splitlines()
        if line.startswith(":") and line.split()[4] in ("A", "M")
    ]
    assert len(revisions) == small.card_revisions
    blobs = read_blobs(small.path, sorted(set(revisions)))
    ids = set(read_truth(small.path))
    levels: dict[str, int] = {}
    reviews: dict[str, int] = {}
    counted = {card_id: {"transitions": 0, "skipped_gates": 0} for card_id in ids}
    broken = 0
    for sha in revisions:
        try:
            meta = front_matter(blobs[sha])
        except yaml.YAMLError:
            broken += 1
            continue
        check_card(meta, ids)
        card_id, level, count = meta["id"], meta["level"], len(meta.get("reviews", []))
        if card_id in levels and levels[card_id] != level:
            counted[card_id]["transitions"] += 1
            counted[card_id]["skipped_gates"] += count == reviews[card_id]
        levels[card_id], reviews[card_id] = level, count
    truth = read_truth(small.path)
    assert broken == sum(int(r["broken"]) for r in truth.values()) > 0
    for card_id, row in truth.items():
        assert counted[card_id]["transitions"] == int(row["transitions"]), card_id
        assert counted[card_id]["skipped_gates"] == int(row["skipped_gates"]), card_id


@pytest.mark.parametrize(("cards", "commits"), [(3, 1), (30, 10), (1, 60)])
def test_extreme_shapes_keep_exact_counts(tmp_path, cards, commits):
    """More cards than commits are batched; a lone card still gets its history."""
    summary = generate_organisation(tmp_path / "org", SampleSpec(cards=cards, commits=commits))
    assert int(git_text(summary.path, "rev-list", "--count", "main")) == commits
    paths = sorted(summary.path.glob("teams/*/*/TRL.md"))
    assert len(paths) == cards
    ids = {front_matter(p.read_text(encoding="utf-8"))["id"] for p in paths}
    for path in paths:
        check_card(front_matter(path.read_text(encoding="utf-8")), ids)


def test_rejects_a_non_empty_target_and_impossible_specs(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        generate_organisation(tmp_path / "taken", SMALL)
    with pytest.raises(ValueError, match="cards"):
        generate_organisation(tmp_path / "none", SampleSpec(cards=0))
    with pytest.raises(ValueError, match="commits"):
        generate_organisation(tmp_path / "none", SampleSpec(commits=0))


def test_command_line(tmp_path, capsys):
    target = tmp_path / "cli"
    argv = [str(target), "--cards", "5", "--commits", "80", "--years", "1", "--seed", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"{target}: 5 cards, 80 commits" in out
    assert int(git_text(target, "rev-list", "--count", "main")) == 80
    assert main(argv) == 1
    assert "not empty" in capsys.readouterr().err


def _span(repo: Path) -> tuple[datetime, datetime]:
    """The first and the last commit's moments (UTC)."""
    stamps = [int(s) for s in git_text(repo, "log", "main", "--format=%at").split()]
    first, last = min(stamps), max(stamps)
    return (datetime.fromtimestamp(first, timezone.utc), datetime.fromtimestamp(last, timezone.utc))


def test_a_history_ends_on_its_end_day_and_the_same_end_gives_the_same_shas(tmp_path):
    end = date(2025, 6, 30)
    spec = SampleSpec(cards=6, commits=200, years=1.0, seed=4, end=end)
    one = generate_organisation(tmp_path / "one", spec)
    first, last = _span(one.path)
    nine = datetime(2025, 6, 30, 9, tzinfo=timezone.utc)
    assert nine - timedelta(days=2) < last < nine  # a commit every 44 hours or so
    assert nine - timedelta(days=366) < first < nine - timedelta(days=363)
    again = generate_organisation(tmp_path / "again", spec)
    assert git_text(again.path, "rev-parse", "HEAD") == git_text(one.path, "rev-parse", "HEAD")
    later = SampleSpec(cards=6, commits=200, years=1.0, seed=4, end=date(2025, 7, 1))
    other = generate_organisation(tmp_path / "other", later)
    assert git_text(other.path, "rev-parse", "HEAD") != git_text(one.path, "rev-parse", "HEAD")
    assert len({cache_key(spec), cache_key(later), cache_key(SMALL)}) == 3


def test_the_command_line_ends_the_history_today_unless_told(tmp_path, capsys):
    today = datetime.now(timezone.utc).date()
    small = ["--cards", "3", "--commits", "60"]  # three years: a commit every 18 days or so
    assert main([str(tmp_path / "today"), *small]) == 0
    assert today - timedelta(days=40) <= _span(tmp_path / "today")[1].date() <= today
    assert main([str(tmp_path / "end"), *small, "--end", "2024-02-29"]) == 0
    last = _span(tmp_path / "end")[1].date()
    assert date(2024, 1, 20) <= last <= date(2024, 2, 29)
    assert main([str(tmp_path / "start"), *small, "--start", "2024-02-29"]) == 0
    assert date(2024, 2, 29) <= _span(tmp_path / "start")[0].date() <= date(2024, 3, 19)
    with pytest.raises(SystemExit):
        main([str(tmp_path / "both"), "--start", "2024-01-01", "--end", "2025-01-01"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_demo_that_ends_today_has_the_mix_of_a_living_organisation(tmp_path):
    """`./dev demo`'s organisation seen on its end day: most cards changed within the year;
    some are stale (no change for a year); a few of the others have a review due (longer at
    their level than nine stays in ten, with no review since). Measured: 12 stale, 16 due of
    which 8 not stale; with no card left quiet, 4 stale; with one draw per gated review, 14
    living cards due (20 with neither, as the generator was)."""
    end = date(2026, 6, 30)
    spec = SampleSpec(cards=120, commits=6000, seed=1, end=end)
    project = build_project(
        Settings(generate_organisation(tmp_path / "org", spec).path),
        now=datetime(2026, 6, 30, 12, tzinfo=timezone.utc),
    )
    kpis = project.analytics.kpis
    stale = {card_id for card_id, _ in kpis.stale}
    due = {d.card_id for d in kpis.reviews_due}
    assert 8 <= len(stale) <= 20, sorted(stale)  # 7% to 17%
    assert 2 <= len(due - stale) <= 12, sorted(due - stale)  # a few of the living ones
    assert len(due) <= 24, sorted(due)


def test_runs_as_a_module(tmp_path):
    target = tmp_path / "module"
    result = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parents[1] / "tools" / "sample_org.py"),
            str(target),
            "--cards",
            "4",
            "--commits",
            "50",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "4 cards, 50 commits" in result.stdout
    assert git_text(target, "symbolic-ref", "--short", "HEAD") == "main\n"
