"""Other maturity formats read as cards (`formats:`): a Kubernetes-style `kep.yaml` mapped to
cards, parsed and validated, and the mapping itself validated as mkdocs.yml gives it.
tests/test_mapped_repository.py traces such files through years of history and builds them."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
import yaml

from trl_cards.cards.formats import TRL, format_for
from trl_cards.cards.mapping import FormatError, read_formats
from trl_cards.cards.problem import Severity

KEP_FORMAT: dict[str, Any] = {
    "files": "keps/**/kep.yaml",
    "id": "KEP-{kep-number}",
    "name": "title",
    "level": "stage",
    "scale": {"alpha": 4, "beta": 6, "stable": 8},
    "owners": "owning-sig",
    "reviewers": ["reviewers", "approvers"],
    "tags": "status",
}
(KEP,) = read_formats([KEP_FORMAT])
PATH = "keps/sig-node/753-sidecar-containers/kep.yaml"
SIDECARS = """\
title: Sidecar Containers
kep-number: 753
authors:
  - "@joseph-irving"
owning-sig: sig-node
status: implemented
stage: beta  # alpha|beta|stable
reviewers: ["@mrunalp", "@thockin"]
approvers:
  - "@thockin"
latest-milestone: "v1.29"
"""


def _kep(**changes: str | None) -> str:
    """SIDECARS with some top-level lines replaced (a value) or removed (None)."""
    text = SIDECARS
    for key, value in changes.items():
        line = re.compile(rf"^{re.escape(key)}:.*\n", re.M)
        text = line.sub("" if value is None else f"{key}: {value}\n", text)
    return text


def test_a_kep_file_is_a_card_of_its_stage_level() -> None:
    parsed = KEP.parse(SIDECARS, PATH)
    assert parsed.problems == ()
    card = parsed.card
    assert card is not None
    assert (card.id, card.name, card.level, card.path) == (
        "KEP-753",
        "Sidecar Containers",
        6,
        PATH,
    )
    assert card.owners == ("sig-node",)
    assert card.reviewers == ("@mrunalp", "@thockin")  # @thockin approves too: listed once
    assert card.tags == ("implemented",)
    assert card.stages == (4, 6, 8)
    assert "stage `beta`" in card.body


@pytest.mark.parametrize(
    ("written", "card_id"),
    [("0042", "KEP-0042"), ("1.10", "KEP-1.10"), ('"0042"', "KEP-0042"), ("753", "KEP-753")],
)
def test_a_number_in_the_id_is_put_in_as_written(written: str, card_id: str) -> None:
    # YAML reads 0042 as the octal 34 and 1.10 as 1.1; the author typed neither.
    card = KEP.parse(_kep(**{"kep-number": written}), PATH).card
    assert card is not None and card.id == card_id


def test_a_stage_in_another_case_is_reported_with_the_nearest_never_guessed() -> None:
    parsed = KEP.parse(_kep(stage="ALPHA"), PATH)
    assert parsed.card is None  # without a level, nothing to show
    assert parsed.id == "KEP-753"  # history still knows whose revision it is
    (problem,) = parsed.problems
    assert (problem.path, problem.line, problem.key, problem.severity) == (
        PATH,
        7,
        "stage",
        Severity.ERROR,
    )
    assert str(problem) == (
        f"{PATH}:7: `stage` `ALPHA` is not a stage of the scale of `formats[0]` in mkdocs.yml "
        "(`alpha`, `beta`, `stable`); `alpha` differs from it only in case, spaces or "
        "punctuation. The card is left "
        "out until this is fixed. Fix: Write `stage: alpha`, or add `ALPHA` to "
        "`formats[0].scale`."
    )


def test_a_stage_on_no_scale_lists_the_known_stages() -> None:
    (problem,) = KEP.parse(_kep(stage="deprecated"), PATH).problems
    assert "`deprecated` is not a stage" in problem.message
    assert "(`alpha`, `beta`, `stable`)" in problem.message
    assert "only in case" not in problem.message
    assert "add this one to `formats[0].scale` with its level" in problem.fix
    (spaced,) = KEP.parse(_kep(stage='" Beta."'), PATH).problems
    assert "`beta` differs from it only in case, spaces or punctuation" in spaced.message
    assert spaced.fix.startswith("Write `stage: beta`")


@pytest.mark.parametrize("written", ["disabled", "stabel", "alpha2", "beta-2", "unstable"])
def test_only_a_near_miss_gets_a_suggestion(written: str) -> None:
    """A value that is a stage but for case, spaces or punctuation gets that stage; any other
    gets the list of stages and nothing else: `disabled` is not `stable`, however close the
    spelling, and following such advice would mark a disabled feature stable."""
    (problem,) = KEP.parse(_kep(stage=written), PATH).problems
    assert "(`alpha`, `beta`, `stable`)" in problem.message
    assert "differs from it only" not in problem.message
    assert "Did you mean" not in problem.fix and "`stable`" not in problem.fix
    assert problem.fix.startswith("Write one of the stages")


@pytest.mark.parametrize(
    ("changes", "key", "says"),
    [
        ({"stage": None}, "stage", "`stage` is missing"),
        ({"stage": ""}, "stage", "`stage` has no value"),
        ({"stage": "4"}, "stage", "the int `4` is not a stage"),
        ({"kep-number": None}, "kep-number", "the card's id is made of it"),
        ({"kep-number": "[1, 2]"}, "kep-number", "not a list of 2 item(s)"),
        ({"kep-number": "12 34"}, "kep-number", "makes the id `KEP-12 34`"),
        ({"title": None}, "title", "it is the card's name"),
    ],
)
def test_a_file_without_its_identity_is_left_out_with_the_error(
    changes: dict[str, str | None], key: str, says: str
) -> None:
    parsed = KEP.parse(_kep(**changes), PATH)
    assert parsed.card is None
    (problem,) = parsed.problems
    assert (problem.key, problem.severity) == (key, Severity.ERROR)
    assert says in problem.message and problem.message.endswith("until this is fixed.")
    assert problem.line is not None


def test_a_bad_owner_costs_the_owner_not_the_card() -> None:
    parsed = KEP.parse(_kep(**{"owning-sig": "{name: node}", "status": "[ok, 3.5]"}), PATH)
    assert parsed.card is not None and parsed.card.owners == ()
    assert parsed.card.tags == ("ok",)
    assert [(p.key, p.severity, p.line) for p in parsed.problems] == [
        ("owning-sig", Severity.WARNING, 5),
        ("status[1]", Severity.WARNING, 6),
    ]
    assert parsed.problems[0].message.endswith("So `owning-sig` is left out.")


def test_a_numeric_level_and_nested_keys() -> None:
    (mapped,) = read_formats(
        [
            {
                "files": ["components/*/maturity.yml"],
                "id": "{team}.{meta.slug}",
                "name": "meta.title",
                "level": "maturity.trl",
            }
        ]
    )
    text = "team: vision\nmeta:\n  slug: retina\n  title: Retina\nmaturity:\n  trl: 3\n"
    card = mapped.parse(text, "components/retina/maturity.yml").card
    assert card is not None
    assert (card.id, card.name, card.level, card.body) == ("vision.retina", "Retina", 3, "")
    assert card.stages == tuple(range(10))  # the format's own steps: each level is a stage
    (problem,) = mapped.parse(text.replace("trl: 3", "trl: 12"), "m.yml").problems
    assert (problem.key, problem.line) == ("maturity.trl", 6)
    assert "12 is out of range 0..9" in problem.message


def test_yaml_that_cannot_be_read_is_a_problem_with_its_line() -> None:
    (problem,) = KEP.parse(_kep(title="[Sidecar"), PATH).problems
    assert problem.line == 1 and "not valid YAML" in problem.message
    (listed,) = KEP.parse("- a\n- b\n", PATH).problems
    assert "is not a mapping of keys" in listed.message


def test_the_writer_reads_back_as_the_card() -> None:
    card = KEP.parse(SIDECARS, PATH).card
    assert card is not None
    assert KEP.parse(KEP.write(card), PATH).card == card


def test_the_schema_accepts_what_the_parser_accepts() -> None:
    schema = KEP.schema()
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(SIDECARS), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(_kep(stage="ALPHA")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(_kep(title=None)), schema)


def test_a_site_format_is_asked_before_the_trl_card() -> None:
    assert format_for(PATH, (KEP,)) is KEP
    assert format_for("cards/a/TRL.yml", (KEP,)) is TRL
    assert format_for(PATH) is TRL  # without the site's formats, a YAML file is a TRL card


def test_equal_mappings_give_one_format() -> None:
    # mkdocs serve reads mkdocs.yml again at each rebuild: parses and lineages are kept by it.
    (again,) = read_formats([dict(KEP_FORMAT)])
    assert again is KEP
    (other,) = read_formats([{**KEP_FORMAT, "name": "kep-title"}])
    assert other is not KEP


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"stage": "stage"}, "`formats[0].stage` in mkdocs.yml is not a key of a format."),
        ({"files": None}, "`formats[0]` in mkdocs.yml has no `files`."),
        ({"id": "KEP"}, "names no key in braces"),
        ({"id": "KEP-{kep-number"}, "with a `{` or `}` that does not enclose a key"),
        ({"scale": {"alpha": 4, "beta": 2}}, "`formats[0].scale.beta` in mkdocs.yml is level 2"),
        ({"scale": {"alpha": 4, "beta": 10}}, "not a level from 0 to 9"),
        ({"scale": {True: 4}}, "the boolean true"),
        ({"scale": []}, "must be a mapping of stage: level"),
        ({"owners": [1]}, "`formats[0].owners` in mkdocs.yml must be a key or a list"),
        ({"level": "a..b"}, "is not a key"),
    ],
)
def test_a_format_that_cannot_be_read_names_its_key_and_the_fix(
    entry: dict[str, Any], says: str
) -> None:
    with pytest.raises(FormatError) as raised:
        read_formats([{**KEP_FORMAT, **entry}])
    assert says in str(raised.value) and " Fix: " in str(raised.value)


def test_an_unknown_key_says_which_was_meant_and_globs_are_read_once() -> None:
    with pytest.raises(FormatError, match=r"Did you mean `owners`\?"):
        read_formats([{**KEP_FORMAT, "owner": "owning-sig"}])
    with pytest.raises(FormatError, match=r"`keps/\*\*/kep.yaml` is read by `formats\[0\]`"):
        read_formats([KEP_FORMAT, KEP_FORMAT])
    with pytest.raises(FormatError, match="must be a list of formats"):
        read_formats(KEP_FORMAT)
