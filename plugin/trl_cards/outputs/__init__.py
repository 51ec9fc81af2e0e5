"""What a site is made of: a `Project` in, files out. The whole URL scheme, the templates and
their environment, a module per page kind, the card JSON, feeds, CSV, badges and schema, and
the registry that lists them all. No MkDocs."""
