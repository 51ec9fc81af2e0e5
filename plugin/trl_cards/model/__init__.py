"""The readiness record: card files and git histories in, a `Project` out. Every source of
cards (the site's own repository, checkouts, exports) read one way; each card's lineage,
transitions and reviewed gates; the analytics and milestones over all of them; and the
pipeline that runs it all for every front end; and the site's URL scheme, where every page
and file of it is. No MkDocs, no pages."""
