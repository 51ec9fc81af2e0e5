"""Approval files joined to the cards by id (`approvals:` of a format): a real repository of
Kubernetes-style proposals whose production-readiness approvals are files of their own (a key
per stage), and a process with one file per approval (`stage:` names it). Each change into an
approved stage shows who approved it, when the approval was committed and in which commit,
read back from the built site and compared with plain `git log` of the approval files."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import SiteRepo, trl_cards
from gitrepo import GitRepo
from trl_cards.cards.mapping import APPROVAL_OPTIONS, FormatError, read_formats
from trl_cards.model.pipeline import Project, Settings, build_project

BOB = ("Bob Approver", "bob@example.org")
KEPS = {
    "files": "keps/**/kep.yaml",
    "id": "KEP-{kep-number}",
    "name": "title",
    "level": "stage",
    "scale": {"alpha": 4, "beta": 6, "stable": 8},
    "closed": ["withdrawn"],
    "approvals": {
        "files": "keps/prod-readiness/**/*.yaml",
        "id": "KEP-{kep-number}",
        "approver": "{stage}.approver",
    },
}
RFCS = {
    "files": "rfcs/*/rfc.yaml",
    "id": "RFC-{path.folder}",
    "name": "title",
    "level": "stage",
    "scale": {"Draft": 2, "Beta": 5, "GA": 7},
    "approvals": {
        "files": "approvals/*.yaml",
        "id": "RFC-{rfc}",
        "stage": "stage",
        "approver": "approved-by",
    },
}


def _kep(number: int, stage: str, title: str = "") -> str:
    return f"title: {title or 'Proposal ' + str(number)}\nkep-number: {number}\nstage: {stage}\n"


def _prr(number: int, **approvers: str) -> str:
    lines = [f"kep-number: {number}"]
    lines += [f'{stage}:\n  approver: "{who}"' for stage, who in approvers.items()]
    return "\n".join(lines) + "\n"


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T12:00:00+00:00")


def _history(repo: GitRepo) -> None:
    """Three years of proposals and their approvals, with a rename, a merged branch, a
    correction of an approver, a deleted approval file and an approval file with a mistake."""
    w = repo.write
    w("keps/sig-node/1-sidecars/kep.yaml", _kep(1, "alpha", "Sidecars"))
    w("keps/prod-readiness/sig-node/1.yaml", _prr(1, alpha="@wojtek"))
    w("keps/sig-apps/2-jobs/kep.yaml", _kep(2, "alpha", "Job success policy"))
    repo.commit("KEP-1 and KEP-2 at alpha", date=_at("2022-01-10"))
    # The beta approval is committed before the stage changes, as the process asks.
    w("keps/prod-readiness/sig-node/1.yaml", _prr(1, alpha="@wojtek", beta="@wojtek"))
    repo.commit("PRR: KEP-1 beta", date=_at("2022-05-02"), author=BOB)
    w("keps/sig-node/1-sidecars/kep.yaml", _kep(1, "beta", "Sidecars"))
    repo.commit("KEP-1 to beta", date=_at("2022-05-20"))
    # KEP-2 goes alpha -> stable on a branch, with its stable approval merged with it.
    repo.branch("jobs")
    repo.checkout("jobs")
    w("keps/prod-readiness/sig-apps/2.yaml", _prr(2, stable="@deads"))
    w("keps/sig-apps/2-jobs/kep.yaml", _kep(2, "stable", "Job success policy"))
    repo.commit("KEP-2: straight to stable", date=_at("2023-02-01"), author=BOB)
    repo.checkout("main")
    repo.merge("jobs", date=_at("2023-02-15"))
    # The folder moves: the approval files follow; KEP-1's beta approver is corrected.
    repo.mv("keps/prod-readiness/sig-node/1.yaml", "keps/prod-readiness/node/1.yaml")
    repo.commit("Move the node approvals", date=_at("2023-06-01"))
    w("keps/prod-readiness/node/1.yaml", _prr(1, alpha="@wojtek", beta="@jpbetz"))
    repo.commit("PRR: KEP-1 beta was approved by jpbetz", date=_at("2023-06-05"))
    w("keps/prod-readiness/node/1.yaml", _prr(1, alpha="@wojtek", beta="@jpbetz", stable="@jpbetz"))
    w("keps/sig-node/1-sidecars/kep.yaml", _kep(1, "stable", "Sidecars"))
    repo.commit("KEP-1 to stable", date=_at("2024-03-01"))
    # An approval file deleted later still approved what it approved.
    repo.rm("keps/prod-readiness/sig-apps/2.yaml")
    repo.commit("Drop old PRR files", date=_at("2024-04-01"))
    # KEP-3 goes to beta with no approval at all: a skip of alpha, its gate not approved.
    w("keps/sig-node/3-swap/kep.yaml", _kep(3, "beta", "Swap"))
    w("keps/prod-readiness/node/3.yaml", "kep-number: 3\nalpha:\n  approver: {who: x}\n")
    repo.commit("KEP-3", date=_at("2024-05-01"))
    # The second process: a file per approval, the stage named in it.
    w("rfcs/0007/rfc.yaml", "title: Object store\nstage: Draft\n")
    repo.commit("RFC 7", date=_at("2022-02-01"))
    w("approvals/0007-beta.yaml", "rfc: '0007'\nstage: beta\napproved-by: [ana, raj]\n")
    w("rfcs/0007/rfc.yaml", "title: Object store\nstage: Beta\n")
    repo.commit("RFC 7 to Beta", date=_at("2022-09-01"), author=BOB)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteRepo:
    options = yaml.safe_dump({"include": [], "formats": [KEPS, RFCS]}, sort_keys=False)
    repo = SiteRepo(tmp_path_factory.mktemp("approvals") / "repo")
    repo.configure("\n".join("      " + line for line in options.splitlines()))
    repo.commit("Site", date=_at("2021-12-01"))
    _history(repo)
    return repo


def _project(repo: GitRepo) -> Project:
    settings = Settings(repo.path, include=(), formats=read_formats([KEPS, RFCS]), cache=False)
    return build_project(settings, now=datetime(2025, 1, 31, tzinfo=timezone.utc))


def _first_recorded(repo: GitRepo, path: str, needle: str) -> tuple[str, str]:
    """(commit, date) of the first commit of the built branch whose version of `path` holds
    `needle`, by plain `git log` and `git show`: the independent reading."""
    log = repo.git("log", "--first-parent", "--reverse", "--format=%H %cs", "--", path)
    for line in log.splitlines():
        sha, day = line.split()
        shown = subprocess.run(
            ["git", "show", f"{sha}:{path}"], cwd=repo.path, capture_output=True, text=True
        )
        if shown.returncode == 0 and needle in shown.stdout:
            return sha, day
    raise AssertionError(f"{needle} is never in {path}")


def test_each_approved_change_carries_its_approval(site: SiteRepo) -> None:
    project = _project(site)
    by_card = {
        card_id: [(t.from_stage, t.to_stage, t.kind, t.review) for t in h.transitions]
        for card_id, h in project.histories.items()
    }
    one = by_card["KEP-1"]
    assert [(a, b, kind) for a, b, kind, _ in one] == [
        (None, "alpha", "entry"),
        ("alpha", "beta", "advance"),
        ("beta", "stable", "advance"),
    ]
    beta, stable = one[1][3], one[2][3]
    assert beta is not None and stable is not None
    # The approver was corrected in 2023: the approval is the corrected one, dated then.
    sha, day = _first_recorded(site, "keps/prod-readiness/node/1.yaml", "@jpbetz")
    assert (beta.reviewers, beta.date.isoformat(), beta.commit) == (("@jpbetz",), day, sha)
    assert beta.record == "keps/prod-readiness/node/1.yaml" and beta.decision == "approved"
    sha, day = _first_recorded(site, "keps/prod-readiness/node/1.yaml", "stable:")
    assert (stable.reviewers, stable.date.isoformat(), stable.commit) == (("@jpbetz",), day, sha)
    # A skip approved by a deleted file: approved, authored on the merged branch.
    (_, _, kind, review) = by_card["KEP-2"][1]
    assert kind == "skip" and review is not None and review.reviewers == ("@deads",)
    branch_commit = site.git("log", "jobs", "-1", "--format=%H").strip()
    assert review.commit == branch_commit
    # An entry is never approved; RFC 7's Beta approval, its stage written in lower case.
    assert by_card["KEP-3"] == [(None, "beta", "entry", None)]
    (_, to_stage, kind, review) = by_card["RFC-0007"][1]
    assert (to_stage, kind) == ("Beta", "advance")
    assert review is not None and review.reviewers == ("ana", "raj")
    assert project.analytics.kpis.skipped_gates == ()


def test_an_approval_file_that_cannot_be_read_costs_only_itself(site: SiteRepo) -> None:
    problems = [p for p in _project(site).collection.problems if "prod-readiness" in p.path]
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.path == "keps/prod-readiness/node/3.yaml"
    assert problem.line == 3 and problem.key == "alpha.approver"
    assert "the approval is left out" in problem.message


def test_the_site_shows_who_approved_each_change(site: SiteRepo) -> None:
    build = site.build()
    assert build.returncode == 0, build.log
    page = build.page("readiness/cards/KEP-1/")
    cells = _gate_cells(page)
    sha, day = _first_recorded(site, "keps/prod-readiness/node/1.yaml", "@jpbetz")
    assert cells[1] == f"approved by @jpbetz in {sha[:8]}, {day}", cells
    assert cells[0] == "—"
    card = next(c for c in build.cards_json()["cards"] if c["id"] == "KEP-1")
    approval = card["transitions"][1]["approval"]
    assert approval == {
        "approvers": ["@jpbetz"],
        "date": day,
        "commit": sha,
        "file": "keps/prod-readiness/node/1.yaml",
    }
    assert card["transitions"][0]["approval"] is None
    # The next gate names the format's next stage; the last stage has none.
    status = _text(build.page("readiness/cards/KEP-3/"))
    assert "Next gate beta → stable (level 8, " in status
    assert "None: stable is the last stage of its scale." in _text(page)
    assert "7 → 8" not in _text(page)
    printed = trl_cards("history", "KEP-1", cwd=site.path)
    assert "4 (alpha) -> 6 (beta)" in printed.stdout and "approved" in printed.stdout
    strict = site.build(strict=True)
    assert strict.returncode != 0 and "keps/prod-readiness/node/3.yaml" in strict.log


def _text(page: str) -> str:
    """The page's text, its spaces collapsed."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return " ".join("".join(parser.parts).replace("\xa0", " ").split())


def _gate_cells(page: str) -> list[str]:
    """The text of each Gate cell of the card page's transitions table."""

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.cells: list[str] = []
            self.inside = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "td" and ("data-label", "Gate") in attrs:
                self.inside = True
                self.cells.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "td":
                self.inside = False

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.cells[-1] += data

    parser = Cells()
    parser.feed(page)
    return [" ".join(c.split()) for c in parser.cells]


@pytest.mark.parametrize(
    ("approvals", "message"),
    [
        ({"files": "a/*.yaml", "id": "KEP-{n}", "approver": "who"}, "either `{stage}`"),
        (
            {"files": "a/*.yaml", "id": "KEP-{n}", "approver": "{stage}.who", "stage": "s"},
            "not both",
        ),
        ({"files": "keps/**/kep.yaml", "id": "K-{n}", "approver": "{stage}.a"}, "read as cards"),
        ({"files": "a/*.yaml", "id": "KEP", "approver": "{stage}.a"}, "names no key"),
        ({"files": "a/*.yaml", "id": "K-{n}", "approver": "{stage}.a", "by": 1}, "approvals.by`"),
    ],
)
def test_approvals_that_cannot_be_read_are_refused_with_the_fix(
    approvals: dict[str, object], message: str
) -> None:
    with pytest.raises(FormatError) as raised:
        read_formats([{**KEPS, "approvals": approvals}])
    assert message in raised.value.message + raised.value.fix
    with pytest.raises(FormatError, match=r"needs `formats\[0\]\.scale`"):
        read_formats([{**KEPS, "scale": None, "approvals": KEPS["approvals"]}])


def test_the_approval_docs_show_both_shapes() -> None:
    text = (Path(__file__).parents[1] / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text.split("## Approvals", 1)[1]
    assert '"{stage}.approver"' in section and "stage: stage" in section
    for option in APPROVAL_OPTIONS:
        assert f"| `{option.name}` | {'yes' if option.required else 'no'} |" in section
    assert "approved by @jpbetz in" in section


def test_an_approval_key_written_twice_is_told_as_in_a_card() -> None:
    reader = read_formats([KEPS])[0].approvals
    assert reader is not None
    text = '{"kep-number": 1, "beta": {"approver": "@ana"}, "beta": {"approver": "@raj"}}\n'
    approvals, problems = reader.read(text, "keps/prod-readiness/a/1.json")
    assert [a.approvers for a in approvals] == [("@raj",)]
    (problem,) = problems
    assert (
        problem.key == "beta" and "written twice; JSON keeps only the last one" in problem.message
    )
