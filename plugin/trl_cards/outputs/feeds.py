"""Atom feeds of what happens to the cards: every transition and every review record, for the
whole organisation (`readiness/feed.xml`, the newest 200) and for each card
(`readiness/cards/<id>/feed.xml`)."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from ..cards.border import clean_line
from ..cards.card import Card
from ..cards.levels import level
from ..model.pipeline import Project
from ..model.targets import SET, TargetPlan
from ..model.transitions import CardHistory
from ..model.urls import review_anchors
from .glossary import KIND_WORDS
from .made import Made, Memo

LATEST = 200
"""Entries in the organisation's feed."""

WAVE = 10
"""First records landed in one commit from which the organisation's feed gives one entry for
them all: a repository that added its files at once did not promote each of them that day."""


@dataclass(frozen=True)
class Entry:
    """One event of a card: a transition or a review record."""

    card: Card
    anchor: str
    title: str
    when: dt.datetime
    author: str
    first_in: str | None = None
    """For a first record, the commit that landed it (`_waves` joins those of one commit)."""
    count: int = 1
    """The first records this entry stands for (more than one: a wave, see `WAVE`)."""


def files(project: Project, memo: Memo) -> Made:
    urls = project.site.urls
    targets = project.analytics.targets
    by_card = {
        card.id: entries(
            card, project.histories.get(card.id, CardHistory(card.id)), targets.get(card.id)
        )
        for card in project.collection.cards
    }
    everything = sorted(
        _waves([e for found in by_card.values() for e in found]),
        key=lambda e: e.when,
        reverse=True,
    )
    made = {
        urls.feed(): _feed(
            project, urls.feed(), "Readiness: every transition and review", everything[:LATEST]
        )
    }
    site_url = project.settings.site_url
    for card in project.collection.cards:
        path = urls.feed(card.id)
        found = by_card[card.id]
        inputs = (card.id, card.name, found, None if found else project.now, site_url, urls)
        last = memo.recall("card feeds", card.id, inputs)  # an edit writes its card's feed only
        if last is None:
            last = _feed(project, path, f"{card.id} {card.name}: readiness", found)
            memo.keep("card feeds", card.id, inputs, last)
        made[path] = last
    if project.goals:
        made[urls.goals_feed()] = goals_feed(project)
    return Made(made)


def goals_feed(project: Project) -> str:
    """The Atom feed of the organisation's goals: an entry each time the number of a goal's
    components at or above its level changed (its burn-up), newest first, each leading to the
    goal's page."""
    urls = project.site.urls
    events = sorted(
        ((when, count, g) for g in project.goals for when, count in g.burnup),
        key=lambda e: e[0],
        reverse=True,
    )[:LATEST]
    items = []
    for when, count, progress in events:
        goal, page = progress.goal, urls.goal(progress.slug)
        title = (
            f"Goal {goal.name}: {count} of {len(progress.cards)} components at level "
            f"{goal.level} or above (due {goal.date.isoformat()})"
        )
        summary = f"{title}. Today: {progress.status}."
        items.append(_Item(title, page, "", f"#{when.isoformat()}", when, "", summary))
    path = urls.goals_feed()
    return _atom(project, path, "Readiness: the organisation's goals", items, "mkdocs-trl-cards")


def _named(number: int, stage: str | None) -> str:
    """A level, with the stage of the format's own scale it comes from (`6 (Experimental)`)."""
    return f"{number} ({stage})" if stage else str(number)


def entries(card: Card, history: CardHistory, target: TargetPlan | None = None) -> list[Entry]:
    """The card's transitions, reviews and changes of its target (`target`, the card's plan:
    each time its target was set, moved or removed is an entry too), newest first."""
    found = []
    for t in history.transitions:
        change = (
            f"first recorded at level {_named(t.to_level, t.to_stage)}"
            if t.from_level is None
            else f"level {_named(t.from_level, t.from_stage)} → {_named(t.to_level, t.to_stage)} "
            f"({KIND_WORDS[t.kind][1]}" + (f", {t.gate}" if t.gate else "") + ")"
        )
        author = t.revision.revision.authored.author
        first_in = t.revision.landed.sha if t.from_level is None else None
        title = f"{card.id} {card.name}: {change}"
        found.append(Entry(card, t.anchor, title, t.date, author, first_in))
    zone = history.transitions[-1].date.tzinfo if history.transitions else dt.timezone.utc
    for review, anchor in zip(card.reviews, review_anchors(card), strict=True):
        when = dt.datetime.combine(review.date, dt.time(), tzinfo=zone)
        title = (
            f"{card.id} {card.name}: gate {review.from_level} → {review.to_level} reviewed, "
            f"{review.decision}"
        )
        found.append(Entry(card, anchor, title, when, ", ".join(review.reviewers)))
    for edit in target.changes if target else ():
        now = edit.target
        what = (
            "target removed"
            if now is None
            else f"target {'set' if edit.kind == SET else 'moved'}: level {now.level} by "
            f"{now.date.isoformat()}"
        )
        title = f"{card.id} {card.name}: {what}"
        found.append(Entry(card, edit.anchor, title, edit.date, edit.author))
    return sorted(found, key=lambda e: e.when, reverse=True)


def _waves(found: list[Entry]) -> list[Entry]:
    """The entries, with the first records of each commit that landed `WAVE` or more of them
    given as one entry: the day a repository added its files, stated once."""
    by_commit: dict[str, list[Entry]] = {}
    for entry in found:
        if entry.first_in is not None:
            by_commit.setdefault(entry.first_in, []).append(entry)
    waves = {sha: group for sha, group in by_commit.items() if len(group) >= WAVE}
    out = [e for e in found if e.first_in not in waves]
    for sha, group in waves.items():
        first = min(group, key=lambda e: e.card.id)
        title = (
            f"{len(group)} components first recorded in one commit ({sha[:12]}): when each "
            "reached its level is not known"
        )
        out.append(Entry(first.card, "", title, first.when, first.author, sha, len(group)))
    return out


def escape(text: str) -> str:
    """Text as XML character data: `&`, `<` and `>` escaped, and any character that XML 1.0
    forbids (controls, which git accepts in a name) replaced, so no feed is ever invalid."""
    return _escape(clean_line(text))


def _feed(project: Project, path: str, title: str, entries: list[Entry]) -> str:
    urls = project.site.urls
    items = []
    for entry in entries:
        if entry.count > 1:  # a wave: it leads to the dashboard, whose table lists them all
            page, anchor, summary = urls.dashboard(), "", f"{entry.title}."
            fragment = f"#first-records-{entry.first_in}"
        else:
            lvl = level(entry.card.level)
            page, anchor = urls.card(entry.card.id), entry.anchor
            fragment = f"#{anchor}" if anchor else ""
            summary = f"{entry.title}. Now at level {entry.card.level}: {lvl.name}."
        items.append(_Item(entry.title, page, anchor, fragment, entry.when, entry.author, summary))
    return _atom(project, path, title, items)


@dataclass(frozen=True)
class _Item:
    """One entry of a feed, as `_atom` writes it."""

    title: str
    page: str
    """The page it leads to (a source URI), and the `anchor` on it."""
    anchor: str
    fragment: str
    """What follows the page's address in the entry's id (`#transition-…`)."""
    when: dt.datetime
    author: str
    summary: str


def _atom(
    project: Project, path: str, title: str, items: list[_Item], default_author: str = "unknown"
) -> str:
    """An Atom feed at `path` (from the site root) of `items`, newest first."""
    urls = project.site.urls
    base = (project.settings.site_url or "").rstrip("/")
    folder = posixpath.dirname(path)

    def absolute(where: str) -> str:
        return f"{base}/{where}" if base else f"urn:x-trl-cards:{where}"

    updated = items[0].when if items else project.now
    body = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(absolute(path))}</id>",
        f"<updated>{updated.isoformat()}</updated>",
        f'<link rel="self" href={quoteattr(posixpath.basename(path))}/>',
        "<generator>mkdocs-trl-cards</generator>",
    ]
    for item in items:
        body += [
            "<entry>",
            f"<title>{escape(item.title)}</title>",
            f"<id>{escape(absolute(urls.url(item.page) + item.fragment))}</id>",
            f"<link href={quoteattr(urls.link_from(folder, item.page, item.anchor))}/>",
            f"<updated>{item.when.isoformat()}</updated>",
            f"<author><name>{escape(item.author or default_author)}</name></author>",
            f"<summary>{escape(item.summary)}</summary>",
            "</entry>",
        ]
    body.append("</feed>")
    return "\n".join(body) + "\n"
