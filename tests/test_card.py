"""Golden cases for parsing and validating one card: input, expected card, expected messages.

Each file in golden/card/ holds one case. Run with `UPDATE_GOLDEN=1` to rewrite the expected
parts from the code's output, then read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from trl_cards.cards.fields import json_schema
from trl_cards.cards.trl import parse_card
from trl_cards.cards.yamldoc import load_yaml, split_front_matter

GOLDEN = Path(__file__).parent / "golden" / "card"
CASES = sorted(GOLDEN.glob("*.yml"))


def _summary(text: str, path: str) -> dict[str, Any]:
    result = parse_card(text, path)
    card = result.card
    return {
        "card": None
        if card is None
        else {
            "id": card.id,
            "name": card.name,
            "level": card.level,
            "owners": list(card.owners),
            "tags": list(card.tags),
            "coupled": list(card.coupled),
            "reviews": [
                f"{r.date} {r.from_level}->{r.to_level} {r.decision}"
                + (f" ({r.kind})" if r.kind else "")
                for r in card.reviews
            ],
            "risks": [round(r.risk.score, 4) for r in card.requirements if r.risk],
            "body_starts": card.body[:40],
        },
        "messages": [f"{p.severity.value}: {p}" for p in result.problems],
    }


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path) -> None:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    actual = _summary(spec["input"], spec["path"])
    if os.environ.get("UPDATE_GOLDEN"):
        spec.update(actual)
        case.write_text(
            yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
        )
    assert actual == {"card": spec["card"], "messages": spec["messages"]}


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_schema_agrees_with_validation(case: Path) -> None:
    """The JSON Schema accepts exactly the front matter that validation accepts without errors."""
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    text, path = spec["input"], spec["path"]
    source = text if path.endswith((".yml", ".yaml")) else (split_front_matter(text) or [""])[0]
    try:
        # Dates as text, as the parser reads them: JSON has no date type.
        data = yaml.load(source, Loader=_TextDates)
    except yaml.YAMLError:  # not YAML at all: the schema cannot even be asked
        assert parse_card(text, path).problems
        return
    errors = list(jsonschema.Draft7Validator(json_schema()).iter_errors(data))
    parsed = parse_card(text, path)
    assert (not errors) == (not parsed.problems), (errors, parsed.problems)


class _TextDates(yaml.SafeLoader):
    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class-level registry
        k: [(tag, r) for tag, r in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft7Validator.check_schema(json_schema())


def test_shipped_schema_is_current() -> None:
    """The JSON Schema file in the package is the one the model generates."""
    import json

    shipped = (
        Path(__file__).parents[1] / "plugin" / "trl_cards" / "cards" / "schema" / "card-v1.json"
    )
    assert json.loads(shipped.read_text(encoding="utf-8")) == json_schema(), (
        "Regenerate it: trl-cards schema > plugin/trl_cards/cards/schema/card-v1.json"
    )


LOADER_CASES = [
    "id: A\nlevel: 3\n",
    "# a comment first\nid: A\nlevel: 3\n",
    "id: A\nreviews:\n  - {date: 2024-01-01, from: 1, to: 2}\n  - date: 2024-02-01\n    from: 2\n",
    "id: A\nreviews:\n- date: 2024-01-01\n  debrief:\n    learned: |\n      - not an item\n",
    "base: &b {x: 1}\nother: *b\n",  # anchors: whole-document parse
    "{id: A, level: 3}\n",  # flow mapping at the top
    "id: A\nid: B\n",  # duplicate keys: the last wins either way, and both list the key
    "tags:\n  - a\n  - [b, c]\nlevel: 2\n",
    "name: 'two\n  lines'\nlevel: 1\n",
    "",
]


@pytest.mark.parametrize("source", LOADER_CASES)
def test_memoised_loader_equals_yaml(source: str) -> None:
    from trl_cards.cards.kinds import DUPLICATES
    from trl_cards.cards.yamldoc import load_yaml

    loaded = load_yaml(source)
    expected = yaml.load(source, Loader=_TextDates)
    if isinstance(loaded, dict) and DUPLICATES in loaded:
        assert loaded.pop(DUPLICATES) == ["id"]
    assert loaded == expected


def test_memoised_loader_on_every_revision_of_an_organisation(tmp_path: Path) -> None:
    import subprocess

    from sample_org import SampleSpec, generate_organisation

    generate_organisation(tmp_path / "org", SampleSpec(cards=12, commits=400, seed=5))
    shas = subprocess.run(
        ["git", "rev-list", "--all", "--objects"],
        cwd=tmp_path / "org",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    blobs = [line.split()[0] for line in shas if line.endswith("TRL.md")]
    assert len(blobs) > 50  # every version of every card ever committed
    compared = 0
    for blob in blobs:
        text = subprocess.run(
            ["git", "cat-file", "-p", blob],
            cwd=tmp_path / "org",
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        split = split_front_matter(text)
        if split is None:
            continue
        try:
            expected = yaml.load(split[0], Loader=_TextDates)
        except yaml.YAMLError:
            with pytest.raises(yaml.YAMLError):
                load_yaml(split[0])
            continue
        assert load_yaml(split[0]) == expected
        compared += 1
    assert compared > 50
