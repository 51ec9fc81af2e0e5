"""mkdocs-trl-cards: a readiness site from MLTRL cards and their git history.

The public API, for scripts (a mkdocs-gen-files script, a report) that want the cards:

    import trl_cards
    collection = trl_cards.load_cards(Path("."), ["cards/**/TRL.md"])
    histories = trl_cards.load_histories(Path("."), ["cards/**/TRL.md"])
    for card in collection.cards:
        print(card.id, card.level, len(histories[card.id].transitions))
"""

from .card import Card, Review, parse_card
from .collection import Collection, load_cards
from .levels import LEVELS, Level
from .timeline import CardHistory, Transition, load_histories

__all__ = [
    "LEVELS",
    "Card",
    "CardHistory",
    "Collection",
    "Level",
    "Review",
    "Transition",
    "load_cards",
    "load_histories",
    "parse_card",
]
