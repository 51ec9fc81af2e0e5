"""`readiness/schema/card-v1.json`: the card format's JSON Schema, published on every readiness
site at a stable URL, so that an editor's YAML language server can check a card as it is written
(`# yaml-language-server: $schema=<site_url>readiness/schema/card-v1.json`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..cards.fields import FORMAT_VERSION, json_schema
from .made import Made, Memo

if TYPE_CHECKING:  # `trl-cards schema` prints the text without loading the pipeline
    from ..model.pipeline import Project


def files(project: Project, memo: Memo) -> Made:
    return Made({project.site.urls.schema(FORMAT_VERSION): schema_text()})


def schema_text() -> str:
    """The JSON Schema as a file's text: what `trl-cards schema` prints and the package ships."""
    return json.dumps(json_schema(), indent=2) + "\n"
