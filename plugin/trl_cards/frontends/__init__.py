"""The ways in: the MkDocs plugin and its configuration, the `trl-cards` command line, the
pages as files for other engines (`generate`), and what `mkdocs serve` watches. Each is a thin
caller of the pipeline and the outputs; the only stage that imports MkDocs."""
