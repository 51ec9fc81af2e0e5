"""mkdocs-trl-cards: a readiness site from MLTRL cards and their git history."""
