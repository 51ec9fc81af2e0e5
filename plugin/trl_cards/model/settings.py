"""The settings of a readiness site, each option declared once.

`Settings` is what the pipeline reads. Each of its fields that is an option of the plugin is
declared here with its documentation, its default and its check (`cards.options.Option`);
from these declarations come the MkDocs configuration of the plugin (`frontends.config`), the
option table of docs/configuration.md (a test keeps it equal) and every check. The other
fields come from mkdocs.yml's own keys (`repo_url`, `site_url`...), which the front end fills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..cards.border import described, excerpt
from ..cards.collection import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from ..cards.formats import CardFormat
from ..cards.levels import HIGHEST, LOWEST
from ..cards.mapping import read_formats
from ..cards.options import (
    Option,
    OptionError,
    Reader,
    boolean,
    checked,
    day,
    integer,
    level_number,
    listed,
    read_record,
    text,
    texts,
)
from ..history.clock import DEFAULT_ZONE, time_zone
from .gates import GateRules
from .goals import GOAL_OPTIONS, Goal, read_goal
from .repositories import COMMIT_PLACEHOLDERS, template_problem

__all__ = [
    "GATE_OPTIONS",
    "NAME",
    "SITE_OPTIONS",
    "SOURCE_OPTIONS",
    "Settings",
    "SourceSettings",
    "option_table",
]

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A source's name: a folder name, as a card id."""


@dataclass(frozen=True)
class SourceSettings:
    """One source of cards besides the site's own repository, as configured (`sources`)."""

    name: str
    """Shown on every card of it, and put before its paths; unique among the sources."""
    path: Path
    """A checkout (the folder of its cards), or an export file or folder of export files;
    relative to the folder of mkdocs.yml, or absolute."""
    url: str | None = None
    """The repository's web view (`https://github.com/org/vision`), for source and commit
    links."""
    branch: str | None = None
    """The branch the source links point at; by default the checkout's own."""
    commit_url: str | None = None
    """A commit's web view with `{sha}`, when `url` is not a forge that MkDocs knows."""
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    export: bool = False
    """`path` holds exports (`trl-cards export` files), not a checkout."""


def _url_template(allowed: tuple[str, ...]) -> Reader:
    example = "https://git.example/org/repo" + ("/commit/{sha}" if allowed else "")
    return checked(
        text, lambda value: template_problem(value, allowed), f"Write it as `{example}`."
    )


def _zone(value: object, where: str) -> str:
    name = text(value, where)
    try:
        time_zone(name)
    except ValueError as error:
        message, _, fix = str(error).partition(" Use ")
        raise OptionError(f"`{where}`: {message}", "Use " + fix) from None
    return name


def _prefix(value: object, where: str) -> str:
    prefix = text(value, where).strip("/")
    if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", prefix):
        raise OptionError(
            f"`{where}`: `{value}` is not a folder name.",
            "Use letters, digits, `-` and `_`, e.g. `prefix: readiness`.",
        )
    return prefix


def _min_reviewers(value: object, where: str) -> dict[int, int]:
    if not isinstance(value, dict):
        raise OptionError(
            f"`{where}` must be a mapping of levels to numbers of reviewers, not "
            f"{described(value)}.",
            f"Write it as `{where.rsplit('.', 1)[-1]}: {{5: 2, 7: 2}}`.",
        )
    example = f"`{where.rsplit('.', 1)[-1]}: {{5: 2}}` (leaving level 5 needs two reviewers)"
    for key in value:
        if isinstance(key, bool) or not isinstance(key, int) or not LOWEST <= key <= HIGHEST:
            raise OptionError(
                f"`{where}` has the key `{excerpt(key, 40)}`, which is not a level from "
                f"{LOWEST} to {HIGHEST}: each key is the level whose gate needs the reviewers.",
                f"Key it by that level: {example}.",
            )
    return {level: integer(1)(count, f"{where}.{level}") for level, count in value.items()}


GATE_OPTIONS = (
    Option(
        "required_from",
        "Every change up through the gate of this level or a higher one must carry a record of "
        "its gate (a review, a format's approval, or an exemption that has not expired): "
        "`required_from: 4` holds 4 → 5 and up, and a skip 3 → 6 (it passes the gates of 3, 4 "
        "and 5). Without a record, the change is an error at the card's `level` line.",
        level_number,
    ),
    Option(
        "min_reviewers",
        "How many reviewers the record of a level's gate needs, by the level left "
        "(`{5: 2}`: 5 → 6, the hand-off to product, needs two); a change that passes several "
        "gates needs the most any of them asks. Such a gate is required.",
        _min_reviewers,
        {},
    ),
    Option(
        "since",
        "Changes that landed before this day (YYYY-MM-DD) are not held to the two rules above: "
        "the history from before the rule stays as it was, shown, not failed.",
        day,
    ),
    Option(
        "reviewers",
        "The organisation's declared reviewers: a record's reviewer who is neither among the "
        "card's `reviewers` nor here is a review integrity finding.",
        texts,
        (),
    ),
    Option(
        "review_window_days",
        "A record dated more days than this before the change it approves is a review "
        "integrity finding.",
        integer(1),
        90,
        "`90`",
    ),
    Option(
        "integrity_problems",
        "Make the review integrity findings (self-approval, a reviewer not declared, a record "
        "dated after the change or long before it) errors of the card too, so that `validate`, "
        "the pre-commit hook and `--strict` fail on them. By default they are shown only.",
        boolean,
        False,
        "`false`",
    ),
)
"""The keys of `gates`."""


def _gates(value: object, where: str) -> GateRules:
    return GateRules(**read_record(GATE_OPTIONS, value, where, "`gates`"))


def _formats(value: object, where: str) -> tuple[CardFormat, ...]:
    return read_formats(value, where)


def _source(values: dict[str, Any], where: str) -> SourceSettings:
    """A `sources` entry: a checkout (`path`, with its `name`) or a folder of exports."""
    path, exports, name = values["path"], values["exports"], values["name"]
    if (path is None) == (exports is None):
        raise OptionError(
            f"`{where}` must have either `path` (a checkout) or `exports` (a folder of exports).",
            "Give the source one of them.",
        )
    if path is not None and not (name and NAME.fullmatch(name)):
        raise OptionError(
            f"`{where}`: `{name}` is not a source name: letters, digits, `.`, `_` and `-`."
            if name
            else f"`{where}`: a checkout needs a `name`.",
            "Give it the repository's name, such as `name: vision`.",
        )
    return SourceSettings(
        name=name or "exports",
        path=Path(path or exports),
        url=values["url"],
        branch=values["branch"],
        commit_url=values["commit_url"],
        include=values["include"],
        exclude=values["exclude"],
        export=exports is not None,
    )


SOURCE_OPTIONS = (
    Option(
        "name",
        "The repository's name on every page, and before its card paths (`vision`).",
        text,
    ),
    Option("path", "The checkout's folder (its cards' folder), relative to mkdocs.yml.", text),
    Option(
        "exports",
        "An export file, or a folder of them (`*.json`), relative to mkdocs.yml; each names its "
        "own repository.",
        text,
    ),
    Option(
        "url",
        "The repository's web view (`https://github.com/org/vision`), for source and commit links.",
        _url_template(()),
    ),
    Option("branch", "The branch that source links point at (by default, the checkout's).", text),
    Option(
        "commit_url",
        "A commit's web view with `{sha}`, for a forge MkDocs does not know.",
        _url_template(COMMIT_PLACEHOLDERS),
    ),
    Option("include", "Glob patterns of its card files.", texts, DEFAULT_INCLUDE),
    Option("exclude", "Files and folders of it that are never cards.", texts, DEFAULT_EXCLUDE),
)
"""The keys of an entry of `sources`."""


def _option(doc: str, read: Reader, default: Any, shown: str = "none") -> Any:
    """A field of `Settings` that is an option of the plugin."""
    return field(default=default, metadata={"option": (doc, read, shown)})


def _mkdocs(key: str, default: Any) -> Any:
    """A field of `Settings` that the front end takes from mkdocs.yml's own `key`."""
    return field(default=default, metadata={"mkdocs": key})


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline reads: the plugin's options and the parts of mkdocs.yml it
    uses. Paths (sources, the ignore-revs file) are relative to `directory`."""

    directory: Path = field(metadata={"mkdocs": "the folder of mkdocs.yml"})
    """The folder of mkdocs.yml: card patterns and paths are relative to it."""
    enabled: bool = _option(
        "Run the plugin. `false` leaves the site as if the plugin were not listed, e.g. "
        "`enabled: !ENV [TRL_CARDS, true]` to switch it off for a quick preview.",
        boolean,
        True,
        "`true`",
    )
    include: tuple[str, ...] = _option(
        "Glob patterns of card files, relative to the folder of `mkdocs.yml`. `**/` spans "
        "folders, `*` stays within one.",
        texts,
        DEFAULT_INCLUDE,
        '`["**/TRL.md", "**/TRL.yml", "**/TRL.yaml"]`',
    )
    exclude: tuple[str, ...] = _option(
        "Files and folders that are never cards. Excluded folders are not even walked.",
        texts,
        DEFAULT_EXCLUDE,
        '`["site/**", "**/node_modules/**", "**/.*/**", "**/venv/**", "**/__pycache__/**"]`',
    )
    formats: tuple[CardFormat, ...] = _option(
        "Other maturity formats read as cards: a list of mappings, each from the keys of the "
        "YAML files of a glob (`files: keps/**/kep.yaml`) to a card's `id` (a template, "
        "`KEP-{kep-number}`), `name`, `level` (a number, or a stage of an ordered `scale`, "
        "`{alpha: 4, beta: 6, stable: 8}`), `owners`, `reviewers` and `tags`. Their files are "
        "cards besides `include`'s. See [Other maturity formats](formats.md).",
        _formats,
        (),
    )
    prefix: str = _option(
        "Folder of the site where the readiness pages go: `readiness/` is the dashboard, "
        "`readiness/levels/4/` a level, `readiness/cards/<id>/` a card, `readiness/problems/` "
        "the card problems. See [URL scheme](urls.md).",
        _prefix,
        "readiness",
        "`readiness`",
    )
    nav_title: str = _option(
        "Title of the navigation section with the dashboard, the ten level pages and the "
        "problems page (for `trl-cards generate` too). Card pages are never put in the "
        "navigation: with hundreds of cards every page would carry them all. They are reached "
        'from the dashboard, the level pages and search. Set `""` to leave the navigation '
        "alone and place the pages in your own `nav`.",
        text,
        "Readiness",
        "`Readiness`",
    )
    history: bool = _option(
        "Rebuild each card's level history from git. `false` shows the current cards only.",
        boolean,
        True,
        "`true`",
    )
    allow_incomplete_history: bool = _option(
        'In a shallow or partial clone, build anyway, with a banner "History incomplete '
        'before *date*" on every affected page, instead of failing with the fix.',
        boolean,
        False,
        "`false`",
    )
    ignore_revs_file: str | None = _option(
        "A file in git's blame-ignore-revs format (one commit id a line, `#` comments) listing "
        "mechanical commits (mass reformat, schema migration) whose level changes are not "
        "transitions.",
        text,
        None,
        "`.git-blame-ignore-revs` if it exists",
    )
    commit_url: str | None = _option(
        "Link for a commit, with `{sha}` in it: an `http(s)` address whose only placeholder is "
        "`{sha}`, filled by plain substitution (any other placeholder is refused when "
        "mkdocs.yml is read, naming it). Without it and without `repo_url`, commits are shown "
        "but not linked.",
        _url_template(COMMIT_PLACEHOLDERS),
        None,
        "`<repo_url>/commit/{sha}`",
    )
    timezone: str = _option(
        "The time zone of every date on the site and in the card JSON, as an IANA name "
        "(`Europe/Paris`). A transition is dated by the day it landed in this zone, whatever "
        "zone its author committed in, so two builds of one repository agree wherever they "
        "run. Pages that show dates say the zone, and a date shows its full time on hover. An "
        "unknown name fails the build with the fix.",
        _zone,
        DEFAULT_ZONE,
        "`UTC`",
    )
    stale_days: int = _option(
        "A card with no change for more days than this (a review is recorded by changing the "
        "card, so it counts) is listed as stale on the dashboard, with its name, level and "
        "owners.",
        integer(1),
        365,
        "`365`",
    )
    table_rows: int = _option(
        "How many rows a table of cards (the dashboard's components, a level's, a tag's) holds "
        "in its page's HTML, in id order. A longer table carries the rest as a compact list "
        "that the page's script shows as the filter, a sort or *Show more* asks, so that a "
        "page of 10,000 components stays light; without the script, the level pages list every "
        "card.",
        integer(1),
        100,
        "`100`",
    )
    milestone_tags: str | None = _option(
        "A glob of release tags (`v*`; `*` matches `/` too) at which to take the "
        "organisation's readiness, besides every quarter end. Each milestone gets a page of "
        "what changed since the one before (promotions, switchbacks, new and retired cards, "
        "skipped gates, by owner and tag), listed on `readiness/changes/`. Only tags in the "
        "built branch's history count; a tag's moment is its commit's date.",
        text,
        None,
    )
    sources: tuple[SourceSettings, ...] = _option(
        "Other repositories whose cards the site shows beside its own: checkouts (`name`, "
        "`path`, `url`, and optionally `branch`, `commit_url`, `include`, `exclude`) and "
        "folders of exports (`exports`). See [Many repositories](sources.md).",
        listed(SOURCE_OPTIONS, _source, "a source"),
        (),
    )
    goals: tuple[Goal, ...] = _option(
        "The organisation's goals: each a `name`, a `level` and a `date` (YYYY-MM-DD), and "
        "which cards it is for (`select`: any of `tags`, `owners`, `repository`, `phase`, "
        "`min_level`; every key given narrows, any value of a key will do; all open cards "
        "without it). Each gets a page (`readiness/goals/<slug>/`) with its burn-up, the cards "
        "still short of its level and their owners, and its status: met, on track, at risk or "
        "late, by the rule of a card's `target`. See [Goals](reading.md#goals).",
        listed(GOAL_OPTIONS, read_goal, "a goal"),
        (),
    )
    cache: bool = _option(
        "Keep the history read from git in `.cache/plugin/trl-cards/history.json` (next to "
        "`mkdocs.yml`; the folder ignores itself in git). The file is verified against git for "
        "everything it supplies (commits, authors, dates, revisions), in three git processes; "
        "then at the same HEAD nothing more is read, and when HEAD descends from the cached "
        "one along the first-parent line, only the new commits are read. A corrupt, edited, "
        "foreign (another repository, other patterns, another plugin version) or stale "
        "(rewritten history, another branch) cache is rebuilt, never trusted. `mkdocs serve` "
        "keeps the history in memory between rebuilds whatever this option says.",
        boolean,
        True,
        "`true`",
    )
    gates: GateRules = _option(  # noqa: RUF009 (a frozen value, like the tuples above)
        "What the organisation requires of its gates, and how strictly it judges review "
        "records: `required_from` (a level), `min_reviewers` (level: number), `since` (a day), "
        "`reviewers` (the organisation's), `review_window_days` and `integrity_problems`. "
        "See [Gates and review integrity](gates.md).",
        _gates,
        GateRules(),
        "no gate required",
    )
    directory_urls: bool = _mkdocs("use_directory_urls", True)
    repo_url: str | None = _mkdocs("repo_url", None)
    edit_uri: str | None = _mkdocs("edit_uri", None)
    site_url: str | None = _mkdocs("site_url", None)
    """The site's own address, for links that must be absolute."""
    template_dirs: tuple[Path, ...] = _mkdocs("theme.custom_dir", ())
    """Folders whose `trl-cards/` subfolder overrides the page templates."""

    def path(self, relative: Path | str) -> Path:
        """A path of the settings (a source, an ignore-revs file) from the folder of
        mkdocs.yml."""
        return (self.directory / relative).resolve()


def _declared() -> tuple[Option, ...]:
    out = []
    for f in fields(Settings):
        if "option" in f.metadata:
            doc, read, shown_default = f.metadata["option"]
            out.append(Option(f.name, doc, read, f.default, shown_default))
    return tuple(out)


SITE_OPTIONS: tuple[Option, ...] = _declared()
"""The plugin's options, in the order the docs list them."""


def read_options(values: dict[str, Any], directory: Path, **from_mkdocs: Any) -> Settings:
    """The settings of the plugin options `values` (as written), for the mkdocs.yml in
    `directory`; `from_mkdocs` gives the fields taken from mkdocs.yml's own keys.

    Raises:
        OptionError: an option cannot be read; the message names it and the fix.
    """
    read = read_record(SITE_OPTIONS, values, "")
    return Settings(directory=directory, **read, **from_mkdocs)


def option_table(options: tuple[Option, ...] = SITE_OPTIONS) -> str:
    """The reference docs' table of options, made from their declarations."""
    rows = [f"| `{o.name}` | {o.shown} | {o.doc} |" for o in options]
    return "\n".join(["| option | default | meaning |", "|---|---|---|", *rows]) + "\n"
