"""A site of many repositories: checkouts beside the site, and exports their CI made. Every
repository keeps its own history, cache and links; ids are unique across all of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SiteRepo, card, review, trl_cards
from gitrepo import GitRepo
from trl_cards.frontends.serve import watched
from trl_cards.model.settings import Settings, SourceSettings

REPOSITORIES = {
    # name: (branch, cards: id -> (path, levels over time))
    "vision": (
        "main",
        {"V1": ("cards/retina/TRL.md", (3, 4, 5)), "V2": ("cards/ocr/TRL.md", (2,))},
    ),
    "speech": ("trunk", {"S1": ("models/asr/TRL.md", (4, 6))}),
    "risk": ("main", {"K1": ("fraud/TRL.md", (6, 7)), "K2": ("credit/TRL.md", (1, 2))}),
}


def _repository(root: Path, name: str) -> GitRepo:
    """A repository whose cards change level a few times over 2023-2024, a year apart per
    step, each change with its review."""
    branch, cards = REPOSITORIES[name]
    repo = GitRepo(root / name)
    repo.git("checkout", "-q", "-b", branch)
    for step in range(3):
        for card_id, (path, levels) in cards.items():
            if step < len(levels):
                reviews = "".join(
                    review(levels[i], levels[i + 1], f"202{3 + i}-02-28") for i in range(step)
                )
                extra = f"owners: [{name.title()} team]\n" + (
                    f"reviews:\n{reviews}" if reviews else ""
                )
                repo.write(path, card(card_id, levels[step], name=f"{name} {card_id}", extra=extra))
        if any(step < len(levels) for _, levels in cards.values()):
            repo.commit(f"{name} step {step}", date=f"202{3 + step}-03-01T09:00:00+00:00")
    return repo


SOURCES = "".join(
    f"        - {{name: {name}, path: ../{name}, url: 'https://git.example/org/{name}'}}\n"
    for name in REPOSITORIES
)


@pytest.fixture
def organisation(tmp_path: Path) -> dict[str, GitRepo]:
    return {name: _repository(tmp_path, name) for name in REPOSITORIES}


def _site(tmp_path: Path, options: str) -> SiteRepo:
    site = SiteRepo(tmp_path / "site", options=options)
    site.commit("The organisation's site")
    return site


def test_three_checkouts_build_one_site(tmp_path: Path, organisation: dict[str, GitRepo]) -> None:
    site = _site(tmp_path, "      sources:\n" + SOURCES)
    build = site.build(strict=True)
    assert build.returncode == 0, build.log
    exported = {c["id"]: c for c in build.cards_json()["cards"]}
    assert set(exported) == {"V1", "V2", "S1", "K1", "K2"}
    # Each card keeps its own repository's history, with its path labelled by the repository.
    assert exported["V1"]["path"] == "vision/cards/retina/TRL.md"
    assert {c["repository"] for c in exported.values()} == {"vision", "speech", "risk"}
    csv_text = (build.site / "readiness" / "cards.csv").read_text("utf-8")
    assert ",repository," in csv_text.splitlines()[0]
    assert "readiness/cards/S1/,speech," in csv_text
    assert [(t["from"], t["to"], t["date"][:10]) for t in exported["V1"]["transitions"]] == [
        (None, 3, "2023-03-01"),
        (3, 4, "2024-03-01"),
        (4, 5, "2025-03-01"),
    ]
    assert [t["reviewed"] for t in exported["S1"]["transitions"]] == [None, True]
    # Source and commit links go to each repository's own web view, on its own branch.
    page = build.page("readiness/cards/S1/")
    assert 'href="https://git.example/org/speech/blob/trunk/models/asr/TRL.md"' in page
    commits = set(re.findall(r'href="https://git\.example/org/(\w+)/commit/[0-9a-f]{40}"', page))
    assert commits == {"speech"}
    assert re.search(r"<th>Repository</th> ?<td><a href=\"https://git.example/org/speech\">", page)
    # The dashboard labels every card with its repository, and filters by it.
    dashboard = build.page("readiness/")
    assert '<th data-sort-key="repository">Repository</th>' in dashboard
    assert re.search(r'data-key="repo".*<option value="risk">risk</option>', dashboard)
    assert dashboard.count('data-repository="vision"') == 2
    # Each repository has its own history cache beside the site's.
    cache = site.path / ".cache" / "plugin" / "trl-cards"
    assert {p.name for p in cache.glob("history-*.json")} == {
        "history-vision.json",
        "history-speech.json",
        "history-risk.json",
    }
    again = site.build(strict=True)
    assert again.returncode == 0 and "vision: Read 0 new commit" not in again.log
    assert re.search(r"vision: .*cache", again.log), again.log


def test_an_id_in_two_repositories_names_both(
    tmp_path: Path, organisation: dict[str, GitRepo]
) -> None:
    risk = organisation["risk"]
    risk.write("copy/TRL.md", card("V1", 2, name="Not the retina model"))
    risk.commit("Reuse an id by mistake", date="2025-06-01T09:00:00+00:00")
    site = _site(tmp_path, "      sources:\n" + SOURCES)
    build = site.build(strict=True)
    assert build.returncode == 1
    problem = next(line for line in build.log.splitlines() if "risk/copy/TRL.md" in line)
    # The older card keeps the id; the message names both files, so both repositories.
    assert "vision/cards/retina/TRL.md" in problem and "Fix:" in problem
    assert {c["id"]: c["path"] for c in build.cards_json()["cards"]}["V1"].startswith("vision/")


def test_a_missing_or_shallow_checkout_names_its_source(
    tmp_path: Path, organisation: dict[str, GitRepo]
) -> None:
    site = _site(tmp_path, "      sources:\n        - {name: lost, path: ../nowhere}\n")
    build = site.build()
    assert build.returncode == 1
    assert "source `lost`" in build.log and "does not exist" in build.log
    assert "fetch-depth: 0" in build.log and "Traceback" not in build.log
    organisation["vision"].clone(tmp_path / "shallow", "--depth", "1")
    site.configure("      sources:\n        - {name: vision, path: ../shallow}\n")
    build = site.build()
    assert build.returncode == 1
    assert "source `vision`" in build.log and "shallow" in build.log, build.log
    assert "Traceback" not in build.log


def _export(repo: GitRepo, name: str, out: Path) -> None:
    done = trl_cards(
        "export", "--url", f"https://git.example/org/{name}", "-o", str(out), cwd=repo.path
    )
    assert done.returncode == 0, done.stderr


def test_three_exports_build_the_same_site_as_three_checkouts(
    tmp_path: Path, organisation: dict[str, GitRepo]
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    for name, repo in organisation.items():
        _export(repo, name, exports / f"{name}.json")
    aggregated = _site(tmp_path, "      sources:\n        - {exports: ../exports}\n")
    from_exports = aggregated.build(strict=True)
    assert from_exports.returncode == 0, from_exports.log
    checkouts = SiteRepo(tmp_path / "local", options="      sources:\n" + SOURCES)
    checkouts.commit("Same organisation, from checkouts")
    from_checkouts = checkouts.build(strict=True)
    assert from_checkouts.returncode == 0, from_checkouts.log
    left, right = from_exports.cards_json(), from_checkouts.cards_json()
    del left["generated"], right["generated"]
    assert left == right
    card_page = from_exports.page("readiness/cards/V1/")
    assert card_page == from_checkouts.page("readiness/cards/V1/")
    assert 'href="https://git.example/org/vision/blob/main/cards/retina/TRL.md"' in card_page
    # The earlier level's card comes from the export's history, as from git.
    assert 'href="level-4/"' in card_page
    assert (from_exports.site / "readiness" / "cards" / "V1" / "level-4" / "index.html").is_file()


def test_a_corrupt_or_foreign_export_is_refused_and_the_others_build(
    tmp_path: Path, organisation: dict[str, GitRepo]
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    _export(organisation["vision"], "vision", exports / "vision.json")
    _export(organisation["speech"], "speech", exports / "speech.json")
    text = (exports / "speech.json").read_text("utf-8")
    (exports / "speech.json").write_text(text[: len(text) // 2], encoding="utf-8")  # cut short
    future = json.loads((exports / "vision.json").read_text("utf-8"))
    future["source"]["version"] = 99
    (exports / "future.json").write_text(json.dumps(future), encoding="utf-8")
    hostile = json.loads((exports / "vision.json").read_text("utf-8"))
    hostile["source"].update(name="evil", url="javascript:alert(1)")
    (exports / "evil.json").write_text(json.dumps(hostile), encoding="utf-8")
    escaping = json.loads((exports / "vision.json").read_text("utf-8"))
    files = escaping["source"]["files"]
    files["../../outside/TRL.md"] = files.pop("cards/retina/TRL.md")
    escaping["source"]["name"] = "escaping"
    (exports / "escaping.json").write_text(json.dumps(escaping), encoding="utf-8")
    site = _site(tmp_path, "      sources:\n        - {exports: ../exports}\n")
    build = site.build()
    assert build.returncode == 0, build.log  # without --strict, what can be built is
    assert {c["id"] for c in build.cards_json()["cards"]} == {"V1", "V2"}
    warnings = "\n".join(build.warnings())
    assert "speech.json" in warnings and "is not JSON" in warnings
    assert "future.json" in warnings and "version 99" in warnings
    assert "evil.json" in warnings and "not an http(s) address" in warnings
    assert "escaping.json" in warnings and "not a path inside a repository" in warnings
    assert "javascript:" not in build.page("readiness/cards/V1/")
    assert site.build(strict=True).returncode == 1


def test_an_export_reads_a_card_file_as_the_site_does(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "latin")
    repo.write("a/TRL.md", card("A1", 3))
    (repo.path / "b").mkdir()
    (repo.path / "b" / "TRL.md").write_bytes(card("B1", 3, name="Caf\u00e9").encode("latin-1"))
    repo.commit("One card in UTF-8, one in Latin-1")
    out = tmp_path / "latin.json"
    done = trl_cards("export", "-o", str(out), cwd=repo.path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    exported = json.loads(out.read_text("utf-8"))
    # Bytes that are not UTF-8 are replaced, with a warning, as for the site.
    assert exported["source"]["files"]["b/TRL.md"].count("Caf\ufffd") == 1
    assert {c["id"] for c in exported["cards"]} == {"A1", "B1"}


def test_serve_watches_every_source(tmp_path: Path) -> None:
    for folder in ("site/cards/a", "vision/models/b", "exports"):
        (tmp_path / folder).mkdir(parents=True)
    settings = Settings(
        tmp_path / "site",
        sources=(
            SourceSettings("vision", tmp_path / "vision"),
            SourceSettings("exports", tmp_path / "exports", export=True),
        ),
    )
    files = ["cards/a/TRL.md", "vision/models/b/TRL.md"]
    assert sorted(watched(settings, files)) == [
        (tmp_path / "exports", False),
        (tmp_path / "site" / "cards", True),
        (tmp_path / "vision" / "models", True),
    ]
