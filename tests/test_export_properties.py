"""Property-based tests (hypothesis) of the export border: arbitrary JSON and arbitrary
mutations of a real export, fed to the site's export reader and to `trl-cards diff`.

Each test names in its docstring the defect it catches; each was checked once by making that
defect in the code and seeing the test fail.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import card
from gitrepo import GitRepo
from test_hostile_exports import GOOD, _component, _export
from trl_cards.frontends.diff import ExportError, changes, read_export
from trl_cards.model.exports import SOURCE_FORMAT
from trl_cards.model.pipeline import Settings, build_project
from trl_cards.model.settings import SourceSettings
from trl_cards.model.sources import Reading, read_exported
from trl_cards.outputs.card_json import cards_json

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 1, 1, tzinfo=UTC)

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("\ud800\x1b{}/.")
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
"""Any JSON value, with lone surrogates, escapes and braces among its texts."""


_KEYS = ("url", "commit_url", "branch", "base", "ignore_revs", "submodules", "history")
SOURCE = st.fixed_dictionaries(
    {"format": st.just(SOURCE_FORMAT), "version": st.just(1)},
    optional={
        "name": st.just("acme") | JSON,
        "files": st.dictionaries(_TEXT, _TEXT | JSON, max_size=3) | JSON,
        **dict.fromkeys(_KEYS, JSON),
    },
)
"""The source part of an export, each of its keys present or not, any JSON in each."""


def _paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value, as the keys and indexes that lead to it."""
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*where, index))


def _mutated(doc: Any, where: tuple[Any, ...], value: Any, delete: bool) -> Any:
    """`doc` with the value at `where` replaced by `value` (or deleted)."""
    out = copy.deepcopy(doc)
    if not where:
        return value
    parent = out
    for key in where[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    return out


@dataclass(frozen=True)
class Organisation:
    site: Path
    exports: Path
    good: dict[str, Any]  # name -> the export's JSON
    baseline: dict[str, list[dict[str, Any]]]  # repository -> its cards' JSON, sorted


def _cards_by_repository(site: Path, exports: Path) -> dict[str, list[dict[str, Any]]]:
    settings = Settings(
        site, cache=False, sources=(SourceSettings("exports", exports, export=True),)
    )
    project = build_project(settings, now=NOW)
    document = json.loads(
        cards_json(project.collection, project.histories, project.site, project.now)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for item in document["cards"]:
        out.setdefault(item["repository"], []).append(item)
    return out


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Organisation:
    root = tmp_path_factory.mktemp("properties")
    exports = root / "exports"
    exports.mkdir()
    good = {}
    for name in GOOD:
        out = exports / f"{name}.json"
        _export(_component(root, name), out, "--url", f"https://git.example/org/{name}")
        good[name] = json.loads(out.read_text("utf-8"))
    site = GitRepo(root / "site")
    site.write("own/TRL.md", card("O1", 4))
    site.commit("The site's own card", date="2024-05-01T09:00:00+00:00")
    return Organisation(site.path, exports, good, _cards_by_repository(site.path, exports))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON | SOURCE.map(lambda source: {"source": source}))
def test_the_export_reader_refuses_any_json_without_raising(
    tmp_path_factory: pytest.TempPathFactory, value: Any
) -> None:
    """Catches: an error of the export's shape that the reader forgot to turn into a refusal
    (dropping `TypeError` from what `read_export` catches fails here on `files: []`), and a
    refusal that keeps cards (`refused_export` given files)."""
    folder = tmp_path_factory.mktemp("json")
    path = folder / "any.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    record = read_exported(path, Reading(UTC))
    if record.label:  # a valid export, if an empty one
        assert record.label == record.name + "/" and not record.problems
        assert all(p.startswith(record.label) for p in record.files.texts)
        return
    assert not record.files.texts and len(record.problems) == 1
    problem = record.problems[0]
    assert problem.path == str(path) and problem.message and problem.fix


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=JSON, new=JSON, wrapped=st.booleans())
def test_diff_refuses_or_reads_any_json_without_raising(
    tmp_path_factory: pytest.TempPathFactory, old: Any, new: Any, wrapped: bool
) -> None:
    """Catches: a card of the export read without checking its shape (removing the
    `_card_problem` check in `changes.read_export` raises TypeError or KeyError here on a
    card that is a number or a transition without `to`)."""
    folder = tmp_path_factory.mktemp("diff")
    documents = []
    for name, value in (("old", old), ("new", new)):
        if wrapped:
            value = {"version": 1, "cards": [value, {"id": "A", "name": "a", "level": 3}]}
        path = folder / f"{name}.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        try:
            documents.append(read_export(path))
        except ExportError as error:
            assert str(error).startswith(f"{path}: ") and "Fix:" in str(error)
            return
    for change in changes(*documents):
        assert isinstance(change.text, str) and change.kind


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    value=JSON,
    delete=st.booleans(),
    name=st.sampled_from(("mutant", "speech", "site", "own")),
)
def test_a_mutated_export_never_changes_another_sources_cards(
    organisation: Organisation, data: st.DataObject, value: Any, delete: bool, name: str
) -> None:
    """Any one change to a real export (of any value anywhere in it), beside two good
    exports and the site's own cards, under its own name or one already taken (another
    export's, the site's own repository's, a folder of the site's own cards): the mutant is
    read or refused, never raises, and every other source's cards are exactly as they were.
    An export whose name the mutant claims is refused with it, never replaced; the site's own
    repository is never refused.

    Catches: two exports of one name both kept (making `refuse_taken_names` find no twins
    fails here with the mutant named `speech`), and a name that is a folder of the site's
    own cards accepted (dropping `own_folders` from what `_read_sources` counts as taken
    fails here with the mutant named `own`, which would claim the site's card `own/TRL.md`)."""
    doc = copy.deepcopy(organisation.good["vision"])
    doc["source"]["name"] = name
    places = list(_paths(doc))
    where = data.draw(st.sampled_from(places), label="where")
    mutant = _mutated(doc, where, value, delete)
    folder = organisation.exports.parent / "mutation"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / "speech.json").write_text(json.dumps(organisation.good["speech"]), "utf-8")
    (folder / "mutant.json").write_text(json.dumps(mutant), encoding="utf-8")
    found = _cards_by_repository(organisation.site, folder)
    source = mutant.get("source") if isinstance(mutant, dict) else None
    claimed = source.get("name") if isinstance(source, dict) else None
    # The site's own cards never change; an export whose name the mutant claims is refused
    # with it, never replaced.
    assert found["site"] == organisation.baseline["site"]
    if claimed == "speech" and "speech" not in found:
        return  # both exports of the name refused
    assert found["speech"] == organisation.baseline["speech"]
    assert set(found) <= {"site", "speech", "mutant"}
