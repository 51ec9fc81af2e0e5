"""The `trl-cards` command, run as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema

from conftest import SiteRepo, card, review, trl_cards
from trl_cards.cards.trl import MLTRL_SECTIONS, card_text, parse_card


def test_check_reports_problems_and_fails(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_text(card("A1", 3))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "TRL.md").write_text(card("B1", 11))
    result = trl_cards("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "error: b/TRL.md:4: `level` 11 is out of range 0..9. The card is left out" in result.stdout
    )
    assert "2 card file(s): 1 usable, 1 error(s), 0 warning(s)." in result.stdout


def test_check_passes_and_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "TRL.md").write_text(card("A1", 3, extra="tagz: [x]\n"))
    assert trl_cards("check", ".", cwd=tmp_path).returncode == 0
    strict = trl_cards("check", ".", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "Did you mean `tags`?" in strict.stdout


def test_check_of_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = trl_cards("check", "nowhere", cwd=tmp_path)
    assert result.returncode == 2 and "nowhere is not a folder" in result.stderr


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
    assert trl_cards("check", "org", cwd=tmp_path).returncode == 0


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
        "P13.2 Retina triage: level 5 → 6 (reviewed)",
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
