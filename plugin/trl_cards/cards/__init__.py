"""Reading cards: a card file's text in, a validated `Card` and its problems out, in every
format (the TRL card, and the maturity files an organisation maps to it); the files of a folder
found, read within limits and checked together. No git, no pages."""
