"""Gates an organisation can steer by (`gates`, model.gates): required gates in the build,
`validate` and the work tree; exemptions that pass a gate and expire; and the review integrity
checks (self-approval through the mailmap, unlisted reviewers, records dated after or long
before the change). Real repositories with fixed dates; every output read by its parser."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import SiteRepo, card, trl_cards
from gitrepo import ADA
from trl_cards.history.mailmap import identity_tokens, parse_mailmap
from trl_cards.model.gates import EARLY, EXPIRED, FEW, LATE, MISSING, SELF, UNLISTED
from trl_cards.model.pipeline import build_project
from trl_cards.model.settings import read_options

COUNTESS = ("Countess", "countess@example.net")
"""Ada's old identity: the repository's .mailmap says it is her."""
MAILMAP = "Ada Lovelace <ada@example.org> Countess <countess@example.net>\n"
REQUIRED = "      gates:\n        required_from: 4\n        since: 2024-01-01\n"


def _reviews(*records: str) -> str:
    return "reviews:\n" + "".join(f"  - {{{r}}}\n" for r in records)


def _advance(start: int, end: int, date: str, reviewers: str = "[Rae]") -> str:
    return f"date: {date}, from: {start}, to: {end}, decision: advance, reviewers: {reviewers}"


def _exemption(start: int, end: int, date: str, expires: str, approver: str = "Dana") -> str:
    return (
        f"date: {date}, from: {start}, to: {end}, decision: advance, kind: exemption, "
        f"reason: pilot in one clinic, approver: {approver}, expires: {expires}"
    )


def _day(day: str, hour: int = 10) -> str:
    return f"{day}T{hour:02}:00:00+00:00"


class _Rows(HTMLParser):
    """The text of each row of the table with `class` `wanted`, cell by cell."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted, self.depth, self.rows = wanted, 0, []
        self.cell: list[str] | None = None
        self.row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and self.wanted in classes:
            self.depth = 1
        elif self.depth and tag == "tr":
            self.row = []
        elif self.depth and tag == "td":
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "td" and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.depth and tag == "tr" and self.row:
            self.rows.append(self.row)
        elif tag == "table":
            self.depth = 0

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _rows(html: str, table: str) -> list[list[str]]:
    parser = _Rows(table)
    parser.feed(html)
    return parser.rows


def _org(tmp_path: Path, options: str = REQUIRED) -> SiteRepo:
    """Four components over 2023-2024, the rule from 2024-01-01:

    - A: 3 -> 4 reviewed (2024-02), then 4 -> 6 with no record (2024-04): an error;
    - E: 4 -> 5 with no record in 2023, before `since`: shown, not failed;
    - L: 2 -> 3 with no record (below the rule): a skipped gate, not an error;
    - R: 4 -> 5 raised without a record (2024-05-01), recorded later in the card, dated
      after the change: the change has its record; the record is found late.
    """
    repo = SiteRepo(tmp_path / "org", options=options)
    repo.write(".mailmap", MAILMAP)
    repo.write("cards/a/TRL.md", card("A", 3, extra="reviewers: [Rae]\n"))
    repo.write("cards/e/TRL.md", card("E", 4))
    repo.write("cards/l/TRL.md", card("L", 2))
    repo.write("cards/r/TRL.md", card("R", 4, extra="reviewers: [Rae]\n"))
    repo.commit("Four components", date=_day("2023-03-01"))
    repo.write("cards/e/TRL.md", card("E", 5))
    repo.commit("E to 5", date=_day("2023-06-01"))
    a4 = "reviewers: [Rae]\n" + _reviews(_advance(3, 4, "2024-02-28"))
    repo.write("cards/a/TRL.md", card("A", 4, extra=a4))
    repo.write("cards/l/TRL.md", card("L", 3))
    repo.commit("A to 4, L to 3", date=_day("2024-03-01"))
    repo.write("cards/a/TRL.md", card("A", 6, extra=a4))
    repo.commit("A to 6", date=_day("2024-04-01"))
    repo.write("cards/r/TRL.md", card("R", 5, extra="reviewers: [Rae]\n"))
    repo.commit("R to 5", date=_day("2024-05-01"))
    r5 = "reviewers: [Rae]\n" + _reviews(_advance(4, 5, "2024-05-10"))
    repo.write("cards/r/TRL.md", card("R", 5, extra=r5))
    repo.commit("R's review, written down", date=_day("2024-05-12"))
    return repo


def test_a_required_gate_without_its_record_fails_validate_and_strict(tmp_path: Path) -> None:
    repo = _org(tmp_path)
    validated = trl_cards("validate", cwd=repo.path)
    assert validated.returncode == 1, validated.stdout + validated.stderr
    lines = validated.stdout.splitlines()
    assert lines == [
        "cards/a/TRL.md:4: error: The change 4 → 6 on 2024-04-01 has no review record, and "
        "the gates of level 4 and up require one (`gates.required_from: 4` in mkdocs.yml). "
        "Fix: Add the review to the card's `reviews`, with `from: 4`, `to: 6`, "
        "`decision: advance`, the "
        "`reviewers` and the day of the review (`date: 2024-04-01`); or, if the organisation "
        "let it pass without a review, an exemption: `kind: exemption` with its `reason`, "
        "`approver` and `expires`."
    ]
    assert "1 error(s), 0 warning(s)" in validated.stderr and "Traceback" not in validated.stderr
    assert trl_cards("validate", "--errors-only", cwd=repo.path).returncode == 1

    strict = repo.build(strict=True)
    assert strict.returncode != 0 and "The change 4 → 6 on 2024-04-01" in strict.log

    plain = repo.build()
    assert plain.returncode == 0, plain.log
    page = plain.page("readiness/cards/A/")  # the card stays, with its error on its page
    # The blocks search does not read go in after it: every placeholder is filled.
    assert "<!--trl-" not in page and 'class="trl-status"' in page and "trl-transitions" in page
    assert not any("Gate checks" in d["text"] for d in plain.search_docs())
    assert "missing record" in page and "An error of the card" in page
    problems = _rows(plain.page("readiness/problems/"), "trl-problems")
    assert [(r[0], r[2]) for r in problems] == [("cards/a/TRL.md:4", "error")]
    found = _rows(plain.page("readiness/gates/"), "trl-findings-table")
    assert [(r[0].split()[0], r[1], r[2]) for r in found] == [
        ("A", "4 → 6, 2024-04-01", "missing record error"),
        ("R", "4 → 5, 2024-05-01", "recorded after the change"),
    ]
    cards = {c["id"]: c for c in plain.cards_json()["cards"]}
    assert [t["gate"] for t in cards["A"]["transitions"]] == [None, "reviewed", "skipped gate"]
    assert [(f["kind"], f["problem"]) for f in cards["A"]["findings"]] == [(MISSING, True)]
    assert cards["A"]["findings"][0]["transition"] == cards["A"]["transitions"][2]["url"]
    # Before `since`, below `required_from`: shown as skipped gates, failing nothing.
    assert cards["E"]["transitions"][1]["gate"] == "skipped gate" and cards["E"]["findings"] == []
    assert cards["L"]["transitions"][1]["gate"] == "skipped gate" and cards["L"]["findings"] == []
    # A review written down after the change is its record; the check says it came late.
    assert cards["R"]["transitions"][1]["gate"] == "reviewed"
    assert [f["kind"] for f in cards["R"]["findings"]] == [LATE]


def test_without_the_option_nothing_fails_and_the_records_are_still_checked(
    tmp_path: Path,
) -> None:
    repo = _org(tmp_path, options="")
    assert trl_cards("validate", cwd=repo.path).returncode == 0
    built = repo.build(strict=True)
    assert built.returncode == 0, built.log
    cards = {c["id"]: c for c in built.cards_json()["cards"]}
    assert cards["A"]["findings"] == []
    assert [f["kind"] for f in cards["R"]["findings"]] == [LATE]
    gates = built.page("readiness/gates/")
    assert "No gate is" in gates and "required" in gates


def test_a_change_in_the_work_tree_needs_its_record_before_it_is_committed(
    tmp_path: Path,
) -> None:
    repo = SiteRepo(tmp_path / "org", options=REQUIRED)
    repo.write("cards/d/TRL.md", card("D", 4))
    repo.commit("D at 4", date=_day("2024-06-02"))
    repo.write("cards/d/TRL.md", card("D", 5))
    blocked = trl_cards("validate", "cards/d/TRL.md", cwd=repo.path)
    assert blocked.returncode == 1
    assert blocked.stdout.startswith(
        "cards/d/TRL.md:4: error: The change 4 → 5 (not committed yet) has no review record"
    )
    repo.write("cards/d/TRL.md", card("D", 5, extra=_reviews(_advance(4, 5, "2024-06-03"))))
    passed = trl_cards("validate", "cards/d/TRL.md", cwd=repo.path)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_reviewers_a_gate_needs(tmp_path: Path) -> None:
    options = "      gates:\n        min_reviewers: {5: 2}\n"
    repo = SiteRepo(tmp_path / "org", options=options)
    repo.write("cards/m/TRL.md", card("M", 5))
    repo.write("cards/n/TRL.md", card("N", 4))
    repo.commit("M at 5, N at 4", date=_day("2024-01-10"))
    repo.write("cards/m/TRL.md", card("M", 6, extra=_reviews(_advance(5, 6, "2024-02-01"))))
    # A jump through the gate of 5 needs its two reviewers too.
    two = _advance(4, 6, "2024-02-01", "[Rae, Sam]")
    repo.write("cards/n/TRL.md", card("N", 6, extra=_reviews(two)))
    repo.commit("M and N to 6", date=_day("2024-02-02"))
    project = build_project(read_options({"gates": {"min_reviewers": {5: 2}}}, repo.path))
    assert [(f.card_id, f.kind) for f in project.findings] == [("M", FEW)]
    assert "reviewed by 1 reviewer(s), and the gate of level 5 requires 2" in (
        project.findings[0].message
    )


def test_an_exemption_passes_a_gate_until_it_expires(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org", options=REQUIRED)
    repo.write("cards/b/TRL.md", card("B", 4))
    repo.write("cards/c/TRL.md", card("C", 4))
    repo.commit("B and C at 4", date=_day("2024-02-01"))
    current = _reviews(_exemption(4, 5, "2024-04-30", "2999-12-31"))
    lapsed = _reviews(_exemption(4, 5, "2024-04-30", "2024-12-31"))
    repo.write("cards/b/TRL.md", card("B", 5, extra=current))
    repo.write("cards/c/TRL.md", card("C", 5, extra=lapsed))
    repo.commit("B and C to 5 by exemption", date=_day("2024-05-01"))

    validated = trl_cards("validate", cwd=repo.path)
    assert validated.returncode == 1
    assert [line.split(": error: ")[0] for line in validated.stdout.splitlines()] == [
        "cards/c/TRL.md:4"
    ]
    assert "passed by an exemption (pilot in one clinic, granted by Dana) that expired on " in (
        validated.stdout
    )
    built = repo.build()
    cards = {c["id"]: c for c in built.cards_json()["cards"]}
    for card_id in "BC":
        (change,) = cards[card_id]["transitions"][1:]
        assert change["gate"] == "exempted" and change["reviewed"] is True
        assert change["exemption"]["approver"] == "Dana"
    assert cards["B"]["findings"] == []
    assert [(f["kind"], f["problem"]) for f in cards["C"]["findings"]] == [(EXPIRED, True)]
    page = built.page("readiness/cards/C/")
    assert "passed by exemption" in page and "skipped gate" not in page
    assert 'trl-flag trl-flag-expired"' in page or "trl-flag-expired" in page
    exemptions = _rows(built.page("readiness/gates/"), "trl-exemptions")
    assert [(r[0].split()[0], r[2], r[3], r[4]) for r in exemptions] == [
        ("B", "pilot in one clinic", "Dana", "2999-12-31"),
        ("C", "pilot in one clinic", "Dana", "2024-12-31 expired"),
    ]
    dashboard = " ".join(built.page("readiness/").split())
    assert 'Exemptions expired</a> <span class="trl-count">1</span>' in dashboard
    history = trl_cards("history", "C", cwd=repo.path)
    assert "exempted" in history.stdout

    # Without the rule, an expired exemption is flagged, and fails nothing.
    repo.configure("")
    assert trl_cards("validate", cwd=repo.path).returncode == 0
    project = build_project(read_options({}, repo.path))
    assert [(f.card_id, f.kind, f.problem) for f in project.findings] == [("C", EXPIRED, False)]
    assert "expired" in project.analytics.kpis.flags["C"]
    assert "expired" not in project.analytics.kpis.flags.get("B", ())


def test_an_exemption_without_its_reason_passes_no_gate(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org", options=REQUIRED)
    repo.write("cards/b/TRL.md", card("B", 4))
    repo.commit("B at 4", date=_day("2024-02-01"))
    record = "date: 2024-04-30, from: 4, to: 5, decision: advance, kind: exemption, approver: D"
    repo.write("cards/b/TRL.md", card("B", 5, extra=_reviews(record)))
    repo.commit("B to 5", date=_day("2024-05-01"))
    out = trl_cards("validate", cwd=repo.path).stdout.splitlines()
    assert out[0].startswith(
        "cards/b/TRL.md:6: warning: `reviews[0]` is an exemption without `reason`, `expires`: "
        "it needs"
    )
    assert "So review 1 (`reviews[0]`) is left out." in out[0]
    assert "The change 4 → 5 on 2024-05-01 has no review record" in out[1]


def test_self_approval_is_found_through_the_mailmap(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org")
    repo.write(".mailmap", MAILMAP)
    for card_id in "STU":
        repo.write(f"cards/{card_id.lower()}/TRL.md", card(card_id, 4))
    repo.commit("Three at 4", date=_day("2024-02-01"))
    # Ada commits as her old identity; the records name her by the mailmap's other name, by
    # her handle, and (U) someone else.
    repo.write(
        "cards/s/TRL.md", card("S", 5, extra=_reviews(_advance(4, 5, "2024-03-01", "[countess]")))
    )
    repo.write(
        "cards/t/TRL.md",
        card("T", 5, extra=_reviews(_advance(4, 5, "2024-03-01", "[Rae, '@ada']"))),
    )
    repo.write(
        "cards/u/TRL.md", card("U", 5, extra=_reviews(_advance(4, 5, "2024-03-01", "[Rae]")))
    )
    repo.commit("Three to 5", date=_day("2024-03-02"), author=COUNTESS)
    project = build_project(read_options({}, repo.path))
    assert [(f.card_id, f.kind) for f in project.findings] == [("S", SELF), ("T", SELF)]
    assert project.findings[0].message == (
        "The change 4 → 5 on 2024-03-02 was made by Ada Lovelace, and its record names "
        "countess as reviewer: the same person (by name, address or the repository's "
        "`.mailmap`)."
    )
    # As an independent reading: git itself maps the commit's author to Ada.
    author = repo.git("log", "-1", "--use-mailmap", "--format=%aN <%aE>").strip()
    assert author == f"{ADA[0]} <{ADA[1]}>"
    # Made errors on request.
    strict = build_project(read_options({"gates": {"integrity_problems": True}}, repo.path))
    assert [p.path for p in strict.collection.problems] == ["cards/s/TRL.md", "cards/t/TRL.md"]
    # The gates page holds `table_rows` of each kind; the card pages hold all of theirs.
    repo.configure("      table_rows: 1\n")
    built = repo.build()
    page = built.page("readiness/gates/")
    assert len(_rows(page, "trl-findings-table")) == 1
    assert " ".join(page.split()).count("(1 of 2)") == 1
    assert "self-approval" in built.page("readiness/cards/S/")
    assert "self-approval" in built.page("readiness/cards/T/")


def test_reviewers_the_card_does_not_name_and_records_long_before(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org")
    repo.write("cards/v/TRL.md", card("V", 4, extra="reviewers: [Rae]\n"))
    repo.write("cards/w/TRL.md", card("W", 4))
    repo.commit("V and W at 4", date=_day("2024-01-05"))
    v5 = "reviewers: [Rae]\n" + _reviews(_advance(4, 5, "2024-01-20", "[Rae, Mallory]"))
    repo.write("cards/v/TRL.md", card("V", 5, extra=v5))
    repo.write(
        "cards/w/TRL.md", card("W", 5, extra=_reviews(_advance(4, 5, "2024-01-10", "[Sam]")))
    )
    repo.commit("V and W to 5", date=_day("2024-06-01"))
    project = build_project(read_options({}, repo.path))
    found = [(f.card_id, f.kind) for f in project.findings]
    # W names no reviewers and the site declares none: nobody is unlisted there.
    assert found == [("V", UNLISTED), ("V", EARLY), ("W", EARLY)]
    declared = build_project(read_options({"gates": {"reviewers": ["QA Guild"]}}, repo.path))
    assert ("W", UNLISTED) in [(f.card_id, f.kind) for f in declared.findings]
    wide = build_project(read_options({"gates": {"review_window_days": 200}}, repo.path))
    assert [(f.card_id, f.kind) for f in wide.findings] == [("V", UNLISTED)]


def test_the_mailmap_gives_each_person_all_their_names() -> None:
    aliases = parse_mailmap(
        "# the four shapes git reads\n"
        "Priya Natarajan <priya@example.org>\n"
        "<priya@example.org> <pn@old.example>\n"
        "Priya Natarajan <priya@example.org> pnatarajan <pnatarajan@laptop>\n"
        "Omar <omar@example.org> <omar@old.example>\n"
        "not a mapping at all\n"
    )
    priya = identity_tokens("Priya Natarajan", "priya@example.org", aliases)
    assert {"pnatarajan", "pn@old.example", "pn", "priya", "priya natarajan"} <= priya
    assert "omar" not in priya
    assert identity_tokens("Omar", "omar@example.org", aliases) >= {"omar@old.example"}
    assert identity_tokens("Nobody", "n@x.org", aliases) == {"nobody", "n@x.org", "n"}


@pytest.mark.parametrize(
    ("gates", "says"),
    [
        ({"required_from": 12}, "`gates.required_from` is 12, not a level from 0 to 9"),
        ({"min_reviewers": {5: 0}}, "`gates.min_reviewers.5` must be a whole number of at least 1"),
        ({"since": "last year"}, "`gates.since`: `last year` is not a date."),
        (
            {"min_reviewers": {"high": 2}},
            "`gates.min_reviewers` has the key `high`, which is not a level from 0 to 9",
        ),
        ({"required": 4}, "`gates.required` in mkdocs.yml is not a key of `gates`."),
    ],
)
def test_a_gates_option_that_cannot_be_read_is_refused(
    tmp_path: Path, gates: dict[str, Any], says: str
) -> None:
    from trl_cards.cards.options import OptionError

    with pytest.raises(OptionError) as error:
        read_options({"gates": gates}, tmp_path)
    assert says in str(error.value) and "Fix:" not in error.value.message


def test_the_schema_asks_an_exemption_for_its_reason_approver_and_expiry() -> None:
    schema = json.loads(trl_cards("schema").stdout)
    validator = jsonschema.Draft7Validator(schema)
    base = {"id": "A", "name": "A", "level": 5}
    record = {"date": "2024-01-01", "from": 4, "to": 5, "decision": "advance"}
    bare = dict(base, reviews=[dict(record, kind="exemption")])
    full = dict(
        base,
        reviews=[dict(record, kind="exemption", reason="r", approver="a", expires="2999-01-01")],
    )
    assert sorted(e.message for e in validator.iter_errors(bare)) == [
        "'approver' is a required property",
        "'expires' is a required property",
        "'reason' is a required property",
    ]
    assert list(validator.iter_errors(full)) == []


def test_the_pull_request_summary_says_which_gates_a_change_passes_and_lacks(
    tmp_path: Path,
) -> None:
    repo = SiteRepo(tmp_path / "org", options=REQUIRED)
    for card_id in "ABC":
        repo.write(f"cards/{card_id.lower()}/TRL.md", card(card_id, 4))
    repo.commit("Three at 4", date=_day("2024-02-01"))
    old = repo.build()
    before = tmp_path / "before.json"
    before.write_bytes((old.site / "api" / "cards.json").read_bytes())
    repo.write("cards/a/TRL.md", card("A", 6))
    exempt = _exemption(4, 5, "2024-03-01", "2999-01-01", approver="Ada Lovelace")
    repo.write("cards/b/TRL.md", card("B", 5, extra=_reviews(exempt)))
    repo.write("cards/c/TRL.md", card("C", 5, extra=_reviews(_advance(4, 5, "2024-03-01"))))
    repo.commit("A, B and C up", date=_day("2024-03-02"))
    new = repo.build()
    diff = trl_cards("diff", str(before), str(new.site / "api" / "cards.json"))
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.splitlines() == [
        "A Component A: level 4 → 6 (skip, skipped gate; lacks what a required gate needs: "
        "missing record)",
        "B Component B: level 4 → 5 (passed by exemption; gate check: self-approval)",
        "C Component C: level 4 → 5 (reviewed)",
    ]
