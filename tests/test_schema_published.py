"""The card JSON Schema as editors load it: from a built site, at its documented URL."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import Build, SiteRepo, card
from trl_cards.cards.collection import DEFAULT_INCLUDE
from trl_cards.cards.fields import json_schema
from trl_cards.cards.trl import parse_card
from trl_cards.cards.yamldoc import load_yaml, split_front_matter
from trl_cards.model.urls import Urls

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
PUBLISHED = "readiness/schema/card-v1.json"


def _blocks(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def _examples() -> dict[str, str]:
    """Every example card of the docs and of the project's `cards/` folder: name -> file text."""
    found = {}
    for page in sorted(p.name for p in DOCS.glob("*.md")):
        for number, block in enumerate(_blocks(page, "markdown")):
            if block.startswith("---\nid:"):
                found[f"docs/{page} markdown block {number + 1} TRL.md"] = block
        for number, block in enumerate(_blocks(page, "yaml")):
            if block.startswith("# yaml-language-server: $schema="):
                found[f"docs/{page} yaml block {number + 1} TRL.yml"] = block
    for path in sorted((ROOT / "cards").rglob("TRL.*")):
        found[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    return found


EXAMPLES = _examples()


def _data(name: str, text: str) -> Any:
    """What an editor validates: the front matter of a Markdown card, or the whole YAML card,
    with dates as text (as the YAML language server reads YAML 1.2, and as the plugin does)."""
    if name.endswith(".md"):
        parts = split_front_matter(text)
        assert parts, f"{name} has no front matter"
        text = parts[0]
    return load_yaml(text)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, dict[str, Any]]:
    """A site built from the docs' example cards; the schema file it publishes."""
    repo = SiteRepo(tmp_path_factory.mktemp("schema") / "org")
    named: set[str] = set()
    for number, (name, text) in enumerate(EXAMPLES.items()):
        if name.startswith("docs/"):
            repo.write(f"examples/{number}/TRL.{name.rsplit('.', 1)[1]}", text)
            parsed = parse_card(text, name).card
            assert parsed, name
            named |= set(parsed.coupled + parsed.parts) - {parsed.id}
    for other in named - {_data(n, t)["id"] for n, t in EXAMPLES.items() if n.startswith("docs/")}:
        repo.write(f"others/{other}/TRL.md", card(other, 5))  # the cards the examples name
    repo.commit("Add the docs' example cards")
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    schema: dict[str, Any] = json.loads((build.site / PUBLISHED).read_text(encoding="utf-8"))
    return build, schema


def test_the_site_publishes_the_schema_as_draft_07(
    published: tuple[Build, dict[str, Any]],
) -> None:
    build, schema = published
    assert schema["$schema"] == DRAFT_07
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema == json_schema()
    # Byte for byte the file that the package ships and `trl-cards schema` prints.
    shipped = ROOT / "plugin" / "trl_cards" / "cards" / "schema" / "card-v1.json"
    assert (build.site / PUBLISHED).read_bytes() == shipped.read_bytes()
    assert Urls().schema(1) == PUBLISHED


def test_its_id_is_where_the_project_site_publishes_it() -> None:
    site_url = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
    schema_id = json_schema()["$id"]
    assert schema_id == site_url + PUBLISHED
    editors = (DOCS / "editors.md").read_text(encoding="utf-8")
    assert f"$schema={schema_id}\n" in editors and f'"{schema_id}": [' in editors
    assert f"`{PUBLISHED}`" in (DOCS / "urls.md").read_text(encoding="utf-8")


def test_there_are_examples_of_both_kinds() -> None:
    assert any(name.endswith(".md") for name in EXAMPLES if name.startswith("docs/"))
    assert any(name.endswith(".yml") for name in EXAMPLES if name.startswith("docs/"))
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_example_cards_are_valid(name: str, published: tuple[Build, dict[str, Any]]) -> None:
    _, schema = published
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(_data(name, EXAMPLES[name])))
    assert errors == [], [e.message for e in errors]
    problems = parse_card(EXAMPLES[name], name).problems
    assert not problems, [str(p) for p in problems]


def test_the_docs_examples_build_strictly(published: tuple[Build, dict[str, Any]]) -> None:
    """The first-line comment of a YAML card is only a comment to the plugin."""
    build, _ = published
    assert re.search(r"Found (\d+) card file\(s\), \1 usable", build.log)
    assert build.warnings() == []


MINIMAL = "id: A1\nname: Alpha\nlevel: 3\n"

NEGATIVE = {
    "level out of range": ("id: A1\nname: Alpha\nlevel: 12\n", "level"),
    "level as text": ("id: A1\nname: Alpha\nlevel: three\n", "level"),
    "no name": ("id: A1\nlevel: 3\n", ""),
    "an id YAML reads as a number": ("id: 1.10\nname: Alpha\nlevel: 3\n", "id"),
    "an id with a slash": ("id: a/b\nname: Alpha\nlevel: 3\n", "id"),
    "a misspelt key": (MINIMAL + "ownrs: [Dana]\n", ""),
    "an unknown decision": (
        MINIMAL + "reviews:\n  - {date: 2024-03-01, from: 2, to: 3, decision: advanced}\n",
        "reviews/0/decision",
    ),
    "a date without dashes": (
        MINIMAL + "reviews:\n  - {date: 20240301, from: 2, to: 3, decision: advance}\n",
        "reviews/0/date",
    ),
    "an ethics status of its own": (MINIMAL + "ethics: {status: done}\n", "ethics/status"),
    "a risk above 1": (
        MINIMAL + "requirements:\n  - {id: R1, text: x, risk: {p_failure: 2, value: 1}}\n",
        "requirements/0/risk/p_failure",
    ),
}


@pytest.mark.parametrize("case", list(NEGATIVE))
def test_a_wrong_card_is_rejected_where_it_is_wrong(
    case: str, published: tuple[Build, dict[str, Any]]
) -> None:
    _, schema = published
    text, where = NEGATIVE[case]
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(load_yaml(text)))
    assert errors, f"the schema accepts {case}"
    assert where in {"/".join(str(part) for part in e.absolute_path) for e in errors}
    assert parse_card(text, "a/TRL.yml").problems, f"the plugin accepts {case}"


def test_a_card_becomes_valid_when_fixed(published: tuple[Build, dict[str, Any]]) -> None:
    """The negative cases fail for their mistake, not for something else in them."""
    _, schema = published
    assert list(jsonschema.Draft7Validator(schema).iter_errors(load_yaml(MINIMAL))) == []
    assert not parse_card(MINIMAL, "a/TRL.yml").problems


def test_the_vs_code_settings_cover_the_yaml_cards() -> None:
    (settings,) = _blocks("editors.md", "json")
    mapping = json.loads(settings)["yaml.schemas"]
    assert list(mapping) == [json_schema()["$id"]]
    yaml_patterns = [p for p in DEFAULT_INCLUDE if p.endswith((".yml", ".yaml"))]
    assert mapping[json_schema()["$id"]] == yaml_patterns
