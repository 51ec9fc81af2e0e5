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

The code is in five stages, each a folder whose docstring says what it takes and gives:
`cards` (reading card files), `history` (reading git), `model` (the `Project`), `outputs`
(the site's files) and `frontends` (the plugin, the command line, `generate`). Imports only go
down that list.
"""

import importlib
import importlib.abc
import importlib.machinery
import sys
from pathlib import Path
from types import ModuleType

from .cards.card import Card, Review
from .cards.collection import Collection, load_cards
from .cards.levels import LEVELS, Level
from .cards.trl import parse_card
from .model.lineage import load_histories
from .model.pipeline import Project, Settings, build_project
from .model.transitions import CardHistory, Transition


def project_json(project: Project) -> str:
    """The card JSON of a project, as the site writes it (`readiness/api/cards.json`)."""
    from .outputs.card_json import project_json as card_json

    return card_json(project)


def load_project(config_file: Path | str = "mkdocs.yml") -> Project:
    """The cards, problems and histories of the site whose mkdocs.yml this is, as it shows them.

    Raises:
        trl_cards.frontends.config.SettingsError: mkdocs.yml cannot give the plugin's
            settings.
        trl_cards.model.pipeline.PipelineError: the project cannot be read as configured.
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
    "project_json",
]

_MOVED = {
    "trl_cards.cli": "trl_cards.frontends.cli",
    "trl_cards.config": "trl_cards.frontends.config",
    "trl_cards.export": "trl_cards.outputs.card_json",
    "trl_cards.pipeline": "trl_cards.model.pipeline",
    "trl_cards.plugin": "trl_cards.frontends.plugin",
    "trl_cards.urls": "trl_cards.model.urls",
}
"""Modules that earlier releases documented at the top of the package, and where they are now:
scripts that import them by the old name get the module itself, on first use."""


class _Moved(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a module of `_MOVED` by its old name, as the very module of its new one."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(_MOVED[spec.name])
        self._specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system has just given the module the old name's spec: it keeps its own.
        module.__spec__ = self._specs.pop(module.__name__)

    _specs: dict[str, importlib.machinery.ModuleSpec | None] = {}  # noqa: RUF012


sys.meta_path.append(_Moved())
