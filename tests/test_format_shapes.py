"""Maturity records in other shapes than a `kep.yaml`: Markdown proposals with YAML front
matter whose number is only in the file's name, and a service catalogue of JSON files whose
ids are their folders' names and which retires services. The file's name says how it is
read; an id can be made of parts of its path; the body of a Markdown proposal is the card's
text. The proposals' transitions, read by the site from years of history with renames,
renumbering and merged branches, are compared with an independent reading of the same git
history written here (plain `git` commands and a YAML parser).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SiteRepo
from gitrepo import GitRepo
from trl_cards.cards.mapping import FormatError, read_formats

PROPOSALS: dict[str, Any] = {
    "files": "proposals/*.md",
    "id": "P-{path.number}",
    "path_pattern": r"/(?P<number>[0-9]{4})-[^/]*[.]md$",
    "name": "title",
    "level": "status",
    "scale": {"proposed": 2, "implementable": 5, "implemented": 8},
    "owners": "authors",
}
(MARKDOWN,) = read_formats([PROPOSALS])

STATUS = re.compile(r"^status:.*$", re.M)


def _proposal(title: str, status: str, body: str = "## Summary\n\nWhy and how.\n") -> str:
    return f"---\ntitle: {title}\nstatus: {status}\nauthors: [Ada]\n---\n{body}"


def test_a_markdown_proposal_is_a_card_with_its_text_and_an_id_from_its_name() -> None:
    parsed = MARKDOWN.parse(_proposal("Faster builds", "implementable"), "proposals/0042-fast.md")
    assert parsed.problems == ()
    card = parsed.card
    assert card is not None
    assert (card.id, card.name, card.level, card.owners) == ("P-0042", "Faster builds", 5, ("Ada",))
    assert card.body.endswith("## Summary\n\nWhy and how.")  # the proposal's own text
    assert "stage `implementable`" in card.body


def test_a_problem_in_front_matter_has_the_line_of_the_file() -> None:
    text = "---\ntitle: Faster builds\nstatus: Implementable.\nauthors: [Ada]\n---\nText.\n"
    (problem,) = MARKDOWN.parse(text, "proposals/0042-fast.md").problems
    assert problem.line == 3 and problem.key == "status"
    assert "`implementable` differs from it only in case, spaces or punctuation" in problem.message


def test_markdown_without_front_matter_says_how_to_start_it() -> None:
    (problem,) = MARKDOWN.parse("# Faster builds\n", "proposals/0042-fast.md").problems
    assert "has no YAML front matter" in problem.message
    assert "more than one YAML document" not in problem.message  # the advice that broke Markdown


def test_a_file_whose_path_does_not_give_the_id_says_which_part_is_missing() -> None:
    parsed = MARKDOWN.parse(_proposal("Untitled", "proposed"), "proposals/draft.md")
    assert parsed.card is None
    (problem,) = parsed.problems
    assert problem.message.startswith("`id` cannot be made: the file's path `proposals/draft.md`")
    assert "does not match `formats[0].path_pattern`" in problem.message
    assert "takes `{path.number}`" in problem.message
    assert "Rename the file" in problem.fix


def test_the_file_and_folder_names_are_parts_of_the_path() -> None:
    (by_folder,) = read_formats(
        [
            {
                "files": "services/*/lifecycle.json",
                "id": "svc-{path.folder}",
                "name": "name",
                "level": "lifecycle",
                "scale": {"experimental": 3, "production": 8},
            }
        ]
    )
    text = json.dumps({"name": "Billing", "lifecycle": "production", "owner": "team-a"})
    card = by_folder.parse(text, "services/billing/lifecycle.json").card
    assert card is not None and (card.id, card.level) == ("svc-billing", 8)
    (broken,) = by_folder.parse('{"name": "Billing",', "services/b/lifecycle.json").problems
    assert broken.message.startswith("is not JSON") and broken.line == 1
    (by_file,) = read_formats(
        [{"files": "rfcs/*.yaml", "id": "RFC-{path.file}", "name": "name", "level": "level"}]
    )
    card = by_file.parse("name: Streams\nlevel: 3\n", "rfcs/streams.yaml").card
    assert card is not None and card.id == "RFC-streams"


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"id": "P-{path.num}"}, "takes `{path.num}`, which is neither"),
        ({"path_pattern": "([0-9]+"}, "is not a regular expression"),
        ({"path_pattern": "[0-9]+"}, "has no named group"),
    ],
)
def test_a_path_part_that_cannot_exist_is_refused_when_read(
    entry: dict[str, Any], says: str
) -> None:
    with pytest.raises(FormatError, match=re.escape(says)):
        read_formats([{**PROPOSALS, **entry}])


# --- Years of history, and an independent reading of it ---------------------------------------

CONFIG = """\
      include: []
      formats:
        - files: proposals/*.md
          id: "P-{path.number}"
          path_pattern: '/(?P<number>[0-9]{4})-[^/]*[.]md$'
          name: title
          level: status
          scale: {proposed: 2, implementable: 5, implemented: 8}
          owners: authors
"""


def _history(repo: GitRepo) -> None:
    """Four years of proposals: created, promoted, one demoted, one renamed (its title in the
    file name changes), one renumbered (a new id from then on), a branch merged with its own
    promotions."""
    steps: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = [
        ("2021-02-01", {"0001-streams.md": "proposed", "0002-cache.md": "proposed"}, []),
        ("2021-06-01", {"0001-streams.md": "implementable"}, []),
        ("2021-09-01", {"0003-auth.md": "proposed"}, []),
        ("2022-01-10", {"0002-cache.md": "implementable"}, []),
        ("2022-03-01", {}, [("0001-streams.md", "0001-event-streams.md")]),
        ("2022-05-01", {"0001-event-streams.md": "implemented"}, []),
        ("2022-08-01", {"0002-cache.md": "proposed"}, []),  # demoted: a switchback
        ("2023-01-15", {}, [("0003-auth.md", "0013-auth.md")]),  # renumbered
        ("2023-04-01", {"0013-auth.md": "implementable"}, []),
    ]
    for date, statuses, moves in steps:
        for old, new in moves:
            repo.mv(f"proposals/{old}", f"proposals/{new}")
        for name, status in statuses.items():
            path = repo.path / "proposals" / name
            text = path.read_text("utf-8") if path.exists() else _proposal(name[5:-3], status)
            repo.write(f"proposals/{name}", STATUS.sub(f"status: {status}", text))
        repo.commit(f"Proposals on {date}", date=f"{date}T10:00:00+00:00")
    # A branch that promotes a proposal, merged later; the main line changes meanwhile.
    repo.branch("cache-work")
    text = (repo.path / "proposals/0002-cache.md").read_text("utf-8")
    repo.write("proposals/0002-cache.md", STATUS.sub("status: implementable", text))
    repo.commit("Cache is implementable again", date="2023-06-01T10:00:00+00:00")
    repo.checkout("main")
    repo.write("proposals/0004-search.md", _proposal("Search", "proposed"))
    repo.commit("A search proposal", date="2023-06-15T10:00:00+00:00")
    repo.merge("cache-work", date="2023-07-01T10:00:00+00:00")
    text = (repo.path / "proposals/0004-search.md").read_text("utf-8")
    repo.write("proposals/0004-search.md", STATUS.sub("status: implemented", text))
    repo.commit("Search jumps to implemented", date="2024-02-01T10:00:00+00:00")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def _independent_reading(repo: Path) -> dict[str, list[tuple[int | None, int, str]]]:
    """Every proposal's level changes, read commit by commit along the first parents with plain
    git and PyYAML: (from, to, the commit's date) for each change of a proposal's status. A
    file that git sees renamed (`diff -M`) keeps its proposal's history under its new id."""
    scale = {"proposed": 2, "implementable": 5, "implemented": 8}
    commits = _git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    last: dict[str, int] = {}
    out: dict[str, list[tuple[int | None, int, str]]] = {}

    def number(name: str) -> str | None:
        match = re.fullmatch(r"(?:proposals/)?([0-9]{4})-.*[.]md", name)
        return f"P-{match[1]}" if match else None

    previous = None
    for sha in commits:
        if previous is not None:
            diff = _git(repo, "diff", "-M", "--name-status", previous, sha, "--", "proposals")
            for line in diff.splitlines():
                status, *paths = line.split("\t")
                old, new = (number(p) for p in paths) if status.startswith("R") else (None, None)
                if old and new and old != new and old in last:
                    last[new], out[new] = last.pop(old), out.pop(old)
        previous = sha
        date = _git(repo, "show", "-s", "--format=%aI", sha).strip()
        for name in _git(repo, "ls-tree", "--name-only", f"{sha}:proposals").split():
            card_id = number(name)
            if card_id is None:
                continue
            text = _git(repo, "show", f"{sha}:proposals/{name}")
            level = scale[yaml.safe_load(text.split("---\n")[1])["status"]]
            if last.get(card_id) != level:
                out.setdefault(card_id, []).append((last.get(card_id), level, date))
                last[card_id] = level
    return out


def test_the_site_reads_the_history_as_git_does(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org", options=CONFIG)
    repo.git("checkout", "-q", "-b", "main")
    _history(repo)
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    cards = json.loads((build.site / "readiness/api/cards.json").read_text("utf-8"))["cards"]
    read = {
        card["id"]: [(t["from"], t["to"], t["date"][:10]) for t in card["transitions"]]
        for card in cards
    }
    expected = {
        card_id: [(a, b, date[:10]) for a, b, date in changes]
        for card_id, changes in _independent_reading(repo.path).items()
    }
    assert read == expected
    assert sum(len(changes) for changes in read.values()) == 11
    renumbered = next(card for card in cards if card["id"] == "P-0013")
    assert renumbered["former_ids"] == ["P-0003"]  # its history from before the renumbering
    page = (build.site / "readiness/cards/P-0001/index.html").read_text("utf-8")
    assert "Why and how." in page  # the proposal's own text is the card's


# --- A service catalogue in JSON: ids from folder names, closings ----------------------------

CATALOGUE = """\
      include: []
      formats:
        - files: services/*/lifecycle.json
          id: "svc-{path.folder}"
          name: name
          level: lifecycle
          scale: {experimental: 3, beta: 6, production: 8}
          closed: [retired]
          owners: owner
"""
SERVICE_SCALE = {"experimental": 3, "beta": 6, "production": 8}


def _service(name: str, lifecycle: str) -> str:
    return json.dumps({"name": name, "lifecycle": lifecycle, "owner": "team-a"}, indent=2) + "\n"


def _catalogue_reading(repo: Path) -> dict[str, list[tuple[int | None, int, str]]]:
    """The services' level changes along the first parents, read with plain git and `json`; a
    folder that git sees renamed keeps its history under the new id; a status on no scale (a
    closing) changes no level."""
    commits = _git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    last: dict[str, int] = {}
    out: dict[str, list[tuple[int | None, int, str]]] = {}
    previous = None
    for sha in commits:
        if previous is not None:
            diff = _git(repo, "diff", "-M", "--name-status", previous, sha, "--", "services")
            for line in diff.splitlines():
                status, *paths = line.split("\t")
                if status.startswith("R"):
                    old, new = (f"svc-{p.split('/')[1]}" for p in paths)
                    if old != new and old in last:
                        last[new], out[new] = last.pop(old), out.pop(old)
        previous = sha
        date = _git(repo, "show", "-s", "--format=%aI", sha).strip()
        for folder in _git(repo, "ls-tree", "--name-only", f"{sha}:services").split():
            data = json.loads(_git(repo, "show", f"{sha}:services/{folder}/lifecycle.json"))
            level = SERVICE_SCALE.get(data["lifecycle"])
            card_id = f"svc-{folder}"
            if level is not None and last.get(card_id) != level:
                out.setdefault(card_id, []).append((last.get(card_id), level, date))
                last[card_id] = level
    return out


def test_a_json_catalogue_reads_as_git_does(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org", options=CATALOGUE)
    repo.git("checkout", "-q", "-b", "main")
    steps: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = [
        ("2022-01-05", {"billing": "experimental", "search": "experimental"}, []),
        ("2022-06-01", {"billing": "beta"}, []),
        ("2022-11-01", {"ledger": "experimental"}, []),
        ("2023-02-01", {}, [("search", "find")]),  # renamed: svc-search becomes svc-find
        ("2023-05-01", {"find": "beta", "billing": "production", "ledger": "beta"}, []),
        ("2023-09-01", {"ledger": "retired"}, []),  # closed at 6
        ("2024-01-10", {"billing": "beta"}, []),  # a switchback
    ]
    for date, changes, moves in steps:
        for old, new in moves:
            repo.mv(f"services/{old}", f"services/{new}")
        for name, lifecycle in changes.items():
            repo.write(f"services/{name}/lifecycle.json", _service(name.title(), lifecycle))
        repo.commit(f"Catalogue on {date}", date=f"{date}T10:00:00+00:00")
    repo.branch("find-ga")
    repo.write("services/find/lifecycle.json", _service("Find", "production"))
    repo.commit("Find goes to production", date="2024-03-01T10:00:00+00:00")
    repo.checkout("main")
    repo.write("services/ledger/lifecycle.json", _service("Ledger", "retired") + " ")
    repo.commit("Ledger note", date="2024-03-10T10:00:00+00:00")
    repo.merge("find-ga", date="2024-04-01T10:00:00+00:00")
    build = repo.build(strict=True)  # a retired service is no problem
    assert build.returncode == 0, build.log
    cards = json.loads((build.site / "readiness/api/cards.json").read_text("utf-8"))["cards"]
    read = {
        c["id"]: [(t["from"], t["to"], t["date"][:10]) for t in c["transitions"]] for c in cards
    }
    expected = {
        card_id: [(a, b, date[:10]) for a, b, date in changes]
        for card_id, changes in _catalogue_reading(repo.path).items()
    }
    assert read == expected
    assert sum(len(changes) for changes in read.values()) == 9
    by_id = {c["id"]: c for c in cards}
    assert by_id["svc-find"]["former_ids"] == ["svc-search"]
    assert by_id["svc-ledger"]["closed"] == "retired" and by_id["svc-ledger"]["level"] == 6
    assert by_id["svc-billing"]["stage"] == "beta"


def test_json_and_front_matter_that_are_not_records_say_so_in_their_own_terms() -> None:
    (by_folder,) = read_formats(
        [
            {
                "files": "services/*/lifecycle.json",
                "id": "svc-{path.folder}",
                "name": "name",
                "level": "lifecycle",
                "scale": {"beta": 6, "production": 8},
            }
        ]
    )
    (array,) = by_folder.parse("[1, 2]", "services/a/lifecycle.json").problems
    assert 'Write a JSON object (`{"key": value}`)' in array.fix
    # JSON keeps the last of a key written twice without a word; the site says it.
    twice = by_folder.parse(
        '{"name": "Billing", "lifecycle": "beta", "name": "Ledger"}', "services/a/lifecycle.json"
    )
    assert twice.card is not None and twice.card.name == "Ledger"
    (warning,) = twice.problems
    assert warning.message == "`name` is written twice; JSON keeps only the last one."
    (listed,) = MARKDOWN.parse("---\n- a\n- b\n---\nText.\n", "proposals/0042-x.md").problems
    assert listed.line == 2 and "`key: value` lines" in listed.fix  # where the front matter starts
