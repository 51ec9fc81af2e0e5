"""mkdocs-trl-cards: a readiness site from MLTRL cards and their git history.

The public API, for scripts (a mkdocs-gen-files script, a report) that want the cards:

    import trl_cards
    project = trl_cards.load_project(Path("mkdocs.yml"))  # exactly what the site shows
    for card in project.collection.cards:
        print(card.id, card.level, len(project.histories[card.id].transitions))

or, for a folder without mkdocs.yml:

    collection = trl_cards.load_cards(Path("."), ["cards/**/TRL.md"])
    histories = trl_cards.load_histories(Path("."), ["cards/**/TRL.md"])
    for card in collection.cards:
        print(card.id, card.level, len(histories[card.id].transitions))
"""

from pathlib import Path

from .cards.card import Card, Review
from .cards.collection import Collection, load_cards
from .cards.levels import LEVELS, Level
from .cards.trl import parse_card
from .model.lineage import load_histories
from .model.pipeline import Project, Settings, build_project
from .model.transitions import CardHistory, Transition


def load_project(config_file: Path | str = "mkdocs.yml") -> Project:
    """The cards, problems and histories of the site whose mkdocs.yml this is, as it shows them.

    Raises:
        trl_cards.config.SettingsError: mkdocs.yml cannot give the plugin's settings.
        trl_cards.pipeline.PipelineError: the project cannot be read as configured.
    """
    from .frontends.config import read_settings

    return build_project(read_settings(Path(config_file)))


__all__ = [
    "LEVELS",
    "Card",
    "CardHistory",
    "Collection",
    "Level",
    "Project",
    "Review",
    "Settings",
    "Transition",
    "build_project",
    "load_cards",
    "load_histories",
    "load_project",
    "parse_card",
]
