"""What a site is made of: a `Project` in, files out, at the paths of its URL scheme
(`model.urls`). The templates and their environment, a module per page kind, the card JSON,
feeds, CSV, badges and schema, and the registry that lists them all. No MkDocs."""

from typing import Any


def __getattr__(name: str) -> Any:
    """`trl_cards.outputs.OUTPUTS`, documented before the registry had a module of its own."""
    if name == "OUTPUTS":
        from .registry import OUTPUTS

        return OUTPUTS
    raise AttributeError(name)
