"""The `trl-cards` command, run as a user runs it."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema

from conftest import SiteRepo, card, review, trl_cards
from gitrepo import GitRepo
from trl_cards.cards.trl import MLTRL_SECTIONS, card_text, parse_card
from trl_cards.frontends import cli


def test_validate_a_folder_reports_problems_and_fails(tmp_path: Path) -> None:
    (tmp_path / "org" / "a").mkdir(parents=True)
    (tmp_path / "org" / "a" / "TRL.md").write_text(card("A1", 3))
    (tmp_path / "org" / "b").mkdir()
    (tmp_path / "org" / "b" / "TRL.md").write_text(card("B1", 11))
    for command in ("validate", "check"):  # one command, and its old name
        result = trl_cards(command, "org", cwd=tmp_path)
        assert result.returncode == 1
        assert (
            "b/TRL.md:4: error: `level` 11 is out of range 0..9. The card is left out"
            in result.stdout
        )
        assert "2 card file(s), 1 usable; 1 error(s), 0 warning(s)." in result.stderr
        assert "No mkdocs.yml in org: the cards are the files matching **/TRL.md" in result.stderr


def test_warnings_fail_unless_errors_only(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_text(card("A1", 3, extra="tagz: [x]\n"))
    failed = trl_cards("validate", cwd=tmp_path)
    assert failed.returncode == 1 and "Did you mean `tags`?" in failed.stdout
    assert trl_cards("validate", "--errors-only", cwd=tmp_path).returncode == 0
    assert trl_cards("check", ".", "--strict", cwd=tmp_path).returncode == 1  # as it always was


def test_validate_of_a_missing_path_says_so(tmp_path: Path) -> None:
    result = trl_cards("check", "nowhere", cwd=tmp_path)
    assert result.returncode == 2 and "nowhere is not a folder or a card file" in result.stderr


def test_a_bad_option_in_mkdocs_yml_is_named_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - trl-cards:\n      sources:\n        - {path: ../x}\n"
    )
    result = trl_cards("validate", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "option 'sources'" in result.stderr and "a checkout needs a `name`" in result.stderr
    assert "trl-cards: mkdocs.yml: Aborted with a configuration error" in result.stderr


def test_schema_is_printed(tmp_path: Path) -> None:
    result = trl_cards("schema", cwd=tmp_path)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["required"] == ["id", "name", "level"]


def test_a_generated_organisation_checks_clean(tmp_path: Path) -> None:
    tool = Path(__file__).parents[1] / "tools" / "sample_org.py"
    result = subprocess.run(
        [sys.executable, str(tool), "org", "--cards", "5", "--commits", "60"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "org").rglob("TRL.md"))) == 5
    assert trl_cards("validate", "org", cwd=tmp_path).returncode == 0


def test_new_writes_a_valid_card_from_the_official_template(tmp_path: Path) -> None:
    target = tmp_path / "cards" / "retina-triage" / "TRL.md"
    made = trl_cards("new", str(target), "--level", "4", "--name", "Retina: triage")
    assert made.returncode == 0, made.stderr
    parsed = parse_card(target.read_text(encoding="utf-8"), "cards/retina-triage/TRL.md")
    assert parsed.problems == ()
    assert parsed.card is not None
    assert (parsed.card.id, parsed.card.name, parsed.card.level) == (
        "retina-triage",
        "Retina: triage",
        4,
    )
    assert [s for s, _ in MLTRL_SECTIONS] == re.findall(r"^## (.+)$", parsed.card.body, re.M)
    again = trl_cards("new", str(target))
    assert again.returncode == 2 and "never overwrites" in again.stderr
    bad = trl_cards("new", str(tmp_path / "x" / "TRL.md"), "--id", "../x")
    assert bad.returncode == 2 and not (tmp_path / "x").exists()


def test_the_writer_round_trips_every_example_card() -> None:
    root = Path(__file__).parents[1]
    paths = sorted(root.glob("cards/*/TRL.*"))
    assert len(paths) >= 10
    for path in paths:
        rel = path.relative_to(root).as_posix()
        card = parse_card(path.read_text(encoding="utf-8"), rel).card
        assert card is not None, rel
        written = card_text(card)
        again = parse_card(written, rel.replace(".yml", ".md"))
        assert again.problems == (), (rel, again.problems)
        assert again.card == replace(card, path=rel.replace(".yml", ".md")), rel


def test_diff_says_what_changed_between_two_exports(site_repo: SiteRepo, tmp_path: Path) -> None:
    site_repo.write("cards/p/TRL.md", card("P13.2", 5, name="Retina triage"))
    site_repo.write("cards/old/TRL.md", card("A1", 2, name="Old idea"))
    site_repo.write("cards/r/TRL.md", card("R1", 3, name="Research"))
    site_repo.commit("Three cards")
    before = tmp_path / "main.json"
    assert trl_cards("export", "-o", str(before), cwd=site_repo.path).returncode == 0

    reviews = "reviews:\n" + review(5, 6, "2024-03-01")
    site_repo.write("cards/p/TRL.md", card("P13.2", 6, name="Retina triage", extra=reviews))
    site_repo.rm("cards/old")
    site_repo.write("cards/r/TRL.md", card("R2", 2, name="Research"))  # renumbered, and down
    site_repo.write("cards/n/TRL.md", card("N1", 1, name="New work"))
    site_repo.commit("A branch's changes")
    after = tmp_path / "branch.json"
    assert trl_cards("export", "-o", str(after), cwd=site_repo.path).returncode == 0

    result = trl_cards("diff", str(before), str(after))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "A1 Old idea: retired (was at level 2)",
        "N1 New work: new, at level 1",
        # The review is dated 2024-03-01, after the commit (2024-01-02) that made the change.
        "P13.2 Retina triage: level 5 → 6 (reviewed; gate check: recorded after the change)",
        "R1 is now R2 Research",
        "R2 Research: level 3 → 2 (invalid switchback (discovery), skipped gate)",
    ]
    as_json = json.loads(trl_cards("diff", "--format", "json", str(before), str(after)).stdout)
    assert [c["kind"] for c in as_json] == ["retired", "new", "promotion", "renamed", "switchback"]
    assert trl_cards("diff", str(after), str(after)).stdout == "No change in readiness.\n"

    future = tmp_path / "future.json"
    future.write_text('{"version": 2, "cards": []}', encoding="utf-8")
    refused = trl_cards("diff", str(before), str(future))
    assert refused.returncode == 2
    assert f"{future}: has export format version 2; this trl-cards reads version 1." in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert "is not a card export" in trl_cards("diff", str(broken), str(after)).stderr


def test_new_writes_a_yaml_card_for_a_yaml_path(tmp_path: Path) -> None:
    target = tmp_path / "models" / "ranker" / "TRL.yml"
    made = trl_cards("new", str(target), "--level", "5", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    text = target.read_text("utf-8")
    assert not text.startswith("---") and "body:" in text
    parsed = parse_card(text, "models/ranker/TRL.yml")
    assert parsed.problems == () and parsed.card is not None and parsed.card.level == 5
    assert "## TL;DR" in parsed.card.body
    assert trl_cards("validate", cwd=tmp_path).returncode == 0


def test_new_refuses_an_id_that_is_taken_naming_its_card(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_text(card("P13.2", 3, name="Retina triage"))
    refused = trl_cards("new", "b/TRL.md", "--id", "p13.2", cwd=tmp_path)
    assert refused.returncode == 2 and not (tmp_path / "b").exists()
    assert "the id `p13.2` is taken by a/TRL.md (Retina triage)" in refused.stderr
    assert "Fix: give the new card an id of its own with --id." in refused.stderr


def test_history_without_mkdocs_yml_finds_an_id_in_another_case(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a/TRL.md", card("P13.2", 3))
    repo.commit("Enter", date="2024-01-02T09:00:00+00:00")
    shown = trl_cards("history", "p13.2", cwd=repo.path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("2024-01-02  first recorded at 3")
    unknown = trl_cards("history", "P9", cwd=repo.path)
    assert unknown.returncode == 1 and "no card has the id `P9`" in unknown.stderr


def test_version_and_help_for_every_argument() -> None:
    from importlib import metadata

    version = trl_cards("--version")
    assert version.stdout.strip() == f"trl-cards {metadata.version('mkdocs-trl-cards')}"
    parser = cli._parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subcommands.choices) >= {
        "validate",
        "check",
        "new",
        "export",
        "history",
        "generate",
        "schema",
        "diff",
    }
    for name, command in subcommands.choices.items():
        for action in command._actions:
            if isinstance(action, argparse._HelpAction) or action.dest == "strict":
                continue
            assert action.help, f"{name} {action.dest} has no help"
            # Defaults as a user writes them, never a Python value.
            assert "None" not in action.help and "(" + "'" not in action.help, action.help
        shown = trl_cards(name, "--help")
        assert shown.returncode == 0 and "usage: trl-cards" in shown.stdout
