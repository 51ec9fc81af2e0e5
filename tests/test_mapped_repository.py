"""A repository of maturity files of another format (`formats:`), read as cards: four years of
generated Kubernetes-style `kep.yaml` history (tests/keps.py) give the right transitions, no
false skipped gates, the problems with their lines, and a site that builds with `--strict`."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

import keps
from conftest import SiteRepo, trl_cards
from gitrepo import GitRepo
from test_mapping import KEP, KEP_FORMAT
from trl_cards.cards.mapping import FORMAT_OPTIONS as OPTIONS
from trl_cards.cards.mapping import read_formats
from trl_cards.frontends.config import TrlCardsConfig
from trl_cards.frontends.diff import changes as readiness_changes
from trl_cards.model.pipeline import Project, Settings, build_project
from trl_cards.model.transitions import ADVANCE, ENTRY, SKIP, SWITCHBACK


def test_every_key_of_a_format_is_in_the_reference() -> None:
    reference = (Path(__file__).parents[1] / "docs" / "formats.md").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"| `{option.name}` | {'yes' if option.required else 'no'} |" in reference


def test_the_plugin_option_is_checked_as_mkdocs_reads_it() -> None:
    config = TrlCardsConfig()
    config.load_dict({"formats": [KEP_FORMAT]})
    assert config.validate() == ([], [])
    assert config.formats == (KEP,)
    config = TrlCardsConfig()
    config.load_dict({"formats": [{**KEP_FORMAT, "scale": {"alpha": "four"}}]})
    ((key, error),), _ = config.validate()
    assert key == "formats" and "`formats[0].scale.alpha`" in str(error)
    config = TrlCardsConfig()
    config.load_dict({})
    assert config.validate() == ([], []) and config.formats == ()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> keps.KepRepository:
    """The generated repository, read by the tests that do not change it."""
    return keps.generate(GitRepo(tmp_path_factory.mktemp("keps") / "repo"))


def _project(directory: Path) -> Project:
    settings = Settings(directory, include=(), formats=read_formats([KEP_FORMAT]), cache=False)
    now = datetime(2025, 1, 31, tzinfo=timezone.utc)
    return build_project(settings, now=now)


def test_four_years_of_kep_history_give_the_right_transitions(
    generated: keps.KepRepository,
) -> None:
    project = _project(generated.repo.path)
    histories = project.histories
    assert len(project.collection.cards) == 30  # KEP-1030 says ALPHA: left out
    assert len(generated.expected) == 30
    for number, changes in generated.expected.items():
        transitions = histories[f"KEP-{number}"].transitions
        assert [(t.date, t.from_level, t.to_level) for t in transitions] == [
            (when, before, after) for when, before, after in changes
        ], number
    every = [(card_id, t) for card_id, h in histories.items() for t in h.transitions]
    assert sum(t.kind == ADVANCE for _, t in every) > 30
    for card_id, t in every:
        if t.kind == ENTRY:
            assert (t.from_level, t.gated) == (None, False)
        elif t.kind == ADVANCE:  # alpha -> beta, beta -> stable: the next stage, its own gate
            assert t.to_level == t.from_level + 2 and t.staged and not t.gated, card_id
    skipped = {(card_id, t.from_level, t.to_level, t.kind) for card_id, t in every if t.gated}
    assert skipped == {("KEP-1003", 8, 6, SWITCHBACK), ("KEP-1007", 4, 8, SKIP)}
    assert {(c, t.kind) for c, t in project.analytics.kpis.skipped_gates} == {
        ("KEP-1003", SWITCHBACK),
        ("KEP-1007", SKIP),
    }
    assert not any(t.reviewed for _, t in every)  # a kep.yaml has no review records


def test_a_kep_history_follows_renames_merges_and_unreadable_revisions(
    generated: keps.KepRepository,
) -> None:
    project = _project(generated.repo.path)
    renamed = project.histories["KEP-1011"]
    assert renamed.path == "keps/sig-apps/1011-feature-renamed/kep.yaml"
    assert {r.path for r in renamed.revisions} == {
        "keps/sig-apps/1011-feature-volumes/kep.yaml",
        renamed.path,
    }
    merged = project.histories["KEP-1005"].transitions[1]
    assert merged.revision.landed.subject.startswith("Merge pull request #5")
    assert merged.revision.revision.authored.subject == "KEP-1005: graduate to beta"
    provisional = project.histories["KEP-1017"]
    (unreadable,) = provisional.invalid_revisions  # created without a stage
    assert unreadable.landed.subject == "KEP-1017: Feature preemption"
    # Cards at their scale's last stage are never due for a review: stable has no gate after.
    levels = {card.id: card.level for card in project.collection.cards}
    due = {d.card_id for d in project.analytics.kpis.reviews_due}
    assert due and {levels[card_id] for card_id in due} <= {4, 6}


def test_a_value_on_no_scale_is_reported_with_file_and_line(
    generated: keps.KepRepository,
) -> None:
    project = _project(generated.repo.path)
    (problem,) = project.collection.problems
    path = generated.keps[keps.ALPHA_KEP].path
    assert (problem.path, problem.line) == (path, keps.ALPHA_LINE)
    assert "`stage` `ALPHA` is not a stage" in problem.message
    assert "`alpha` differs from it only in case" in problem.message
    assert project.collection.get(f"KEP-{keps.ALPHA_KEP}") is None


def test_a_mapped_repository_builds_its_site_strictly_once_its_stage_is_fixed(
    tmp_path: Path,
) -> None:
    repo = SiteRepo(tmp_path / "enhancements", options=keps.OPTIONS)
    generated = keps.generate(repo)
    path = generated.keps[keps.ALPHA_KEP].path
    failed = repo.build(strict=True)
    assert failed.returncode != 0
    (warning,) = [w for w in failed.warnings() if "ALPHA" in w]
    assert f"{path}:{keps.ALPHA_LINE}: `stage` `ALPHA`" in warning
    assert "Fix: Write `stage: alpha`" in warning

    generated.fix_alpha()
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    assert build.warnings() == []
    cards = {c["id"]: c for c in build.cards_json()["cards"]}
    assert len(cards) == 31
    sidecars = build.page("readiness/cards/KEP-1000/")
    assert '<div class="trl-timeline"' in sidecars and "<svg" in sidecars
    assert re.findall(r'<tr id="(transition-[^"]+)"', sidecars)[1].startswith("transition-4-6-")
    assert sidecars.count("next stage") == 2 and "skipped gate</span>" not in sidecars
    # The card JSON and `trl-cards diff` tell a next-stage advance from a skipped gate.
    moves = [(t["kind"], t["staged"], t["reviewed"]) for t in cards["KEP-1000"]["transitions"]]
    assert moves == [("entry", False, None), ("advance", True, None), ("advance", True, None)]
    history = trl_cards("history", "KEP-1000", cwd=repo.path)
    assert history.returncode == 0 and history.stdout.count("next stage") == 2, history.stdout
    earlier = {**build.cards_json(), "cards": [{**cards["KEP-1000"], "transitions": []}]}
    text = [c.text for c in readiness_changes(earlier, {"cards": [cards["KEP-1000"]]})]
    assert text and all("next stage" in t and "skipped" not in t for t in text), text
    jumped = build.page("readiness/cards/KEP-1007/")
    assert jumped.count("skipped gate</span>") == 1
    dashboard = build.page("readiness/")
    assert "KEP-1030" in dashboard and 'data-summary-flag="skipped">2</strong>' in dashboard
