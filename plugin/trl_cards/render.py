"""Page content for the readiness site: models in, `{src_uri: markdown}` out.

Everything taken from a card is escaped here. Pages are Markdown for their headings (so they
reach the table of contents and search) and HTML blocks for everything else, so they render
the same whatever Markdown extensions a site enables, and card text can never become markup.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .body import render_body
from .card import SWITCHBACK_KINDS, Card
from .chart import timeline_svg
from .collection import Collection
from .fields import excerpt
from .kpis import STALE_DAYS, Kpis, compute_kpis, system_level
from .levels import LEVELS, PHASES, Level, level
from .problem import Problem, Severity
from .timeline import (
    ADVANCE,
    ENTRY,
    INVALID_SWITCHBACK,
    SKIP,
    SWITCHBACK,
    CardHistory,
    CardRevision,
    Transition,
)
from .urls import RepoLinks, Urls


@dataclass(frozen=True)
class Site:
    """What rendering needs to know of the site: its URL scheme, its links into the repository,
    and what the history says about itself."""

    urls: Urls = field(default_factory=Urls)
    links: RepoLinks = field(default_factory=RepoLinks)
    history_note: str | None = None  # why history is empty, when it is
    incomplete_before: dt.datetime | None = None
    zone: str = "UTC"  # the time zone of every date shown


_PLACEHOLDER = re.compile(r"<!--trl-html-(\d+)-->")


@dataclass(frozen=True)
class RenderedPage:
    """A generated page: Markdown with placeholders, and the HTML blocks that replace them.

    Python-Markdown re-parses every raw HTML block it meets, which made it the largest cost of
    building thousands of card pages. The HTML is finished (and escaped) here, so it goes in
    after Markdown has run, with `insert_html`.
    """

    markdown: str
    html: tuple[str, ...] = ()

    def insert_html(self, content: str) -> str:
        """The page's HTML content with each placeholder replaced by its block."""
        return _PLACEHOLDER.sub(lambda m: self.html[int(m.group(1))], content)

    @property
    def text(self) -> str:
        """The whole page as Markdown with the HTML inline, for reading and for tests."""
        return self.insert_html(self.markdown)


def render_pages(
    collection: Collection,
    histories: dict[str, CardHistory],
    site: Site,
    now: dt.datetime | None = None,
    failures: list[Problem] | None = None,
) -> dict[str, RenderedPage]:
    """Every generated page of the readiness site, by source URI.

    A card whose page cannot be rendered (a defect, never expected) gets a page that says so
    instead, and a problem in `failures` (when given) and on the problems page: one card
    never costs the site.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    inbound = _inbound_couplings(collection.cards)
    by_id = {c.id: c for c in collection.cards}
    problems_of: dict[str, list[Problem]] = {}
    for problem in collection.problems:
        problems_of.setdefault(problem.path, []).append(problem)
    failed: list[Problem] = []
    pages = {}
    for card in collection.cards:
        history = histories.get(card.id, CardHistory(card.id))
        try:
            card_pages = {
                site.urls.card(card.id): render_card(
                    card,
                    history,
                    inbound.get(card.id, ()),
                    site,
                    now,
                    by_id,
                    problems_of.get(card.path, ()),
                )
            }
            for number, revision in history.card_at_level.items():
                card_pages[site.urls.card_at_level(card.id, number)] = render_card_at_level(
                    card, number, revision, history, site
                )
        except Exception as error:  # a defect on one card must not cost the site
            problem = Problem(
                card.path,
                f"could not be rendered ({type(error).__name__}: {excerpt(str(error), 100)}); "
                "its page shows only its id and level.",
                "Report this message to the maintainers of mkdocs-trl-cards.",
                key="(card)",
                severity=Severity.WARNING,
            )
            failed.append(problem)
            card_pages = {site.urls.card(card.id): _render_failed(card, problem, site)}
        pages.update(card_pages)
    pages[site.urls.dashboard()] = render_dashboard(collection, histories, site, now)
    pages[site.urls.problems()] = render_problems((*collection.problems, *failed), site)
    for lvl in LEVELS:
        pages[site.urls.level(lvl.number)] = render_level(lvl, collection.cards, histories, site)
    if failures is not None:
        failures += failed
    return pages


# -- pages ---------------------------------------------------------------------------------------


def render_dashboard(
    collection: Collection, histories: dict[str, CardHistory], site: Site, now: dt.datetime
) -> RenderedPage:
    """The organisation's readiness at a glance: counts per level and phase, KPIs, every card."""
    here = site.urls.dashboard()
    cards = collection.cards
    per_level = Counter(c.level for c in cards)
    per_phase = Counter(level(c.level).phase.key for c in cards)
    most = max(per_level.values(), default=1)
    bars = "".join(
        f'<tr><td><a href="{site.urls.link(here, site.urls.level(lvl.number))}">'
        f'{_badge(lvl.number)} {_h(lvl.name)}</a></td><td class="trl-count">'
        f"{per_level[lvl.number]}</td><td>"
        f'<span class="trl-bar trl-phase-{lvl.phase.key}" style="width:'
        f'{100 * per_level[lvl.number] / most:.0f}%"></span></td></tr>'
        for lvl in LEVELS
    )
    phases = "".join(
        f'<li class="trl-phase-{p.key}"><strong>{per_phase[p.key]}</strong> {_h(p.name)}</li>'
        for p in PHASES
    )
    rows = "".join(_card_row(card, histories.get(card.id), site, here) for card in cards)
    problems = ""
    if collection.problems:
        errors = sum(p.severity is Severity.ERROR for p in collection.problems)
        problems = _block(
            f'<div class="admonition warning"><p class="admonition-title">Card problems</p>'
            f"<p>{len(collection.failed)} card file(s) could not be used, {errors} error(s) and "
            f"{len(collection.problems) - errors} warning(s) in all: see "
            f'<a href="{site.urls.link(here, site.urls.problems())}">card problems</a>.</p></div>'
        )
    return _page(
        [
            _front_matter({"title": "Readiness dashboard"}),
            "# Readiness dashboard",
            _block(
                f'<p class="trl-lede">{len(cards)} components rated on the MLTRL scale. A '
                "system is only as ready as its least ready part.</p>"
            ),
            problems,
            "## By phase",
            _block(f'<ul class="trl-phases">{phases}</ul>'),
            "## By level",
            _block(f'<table class="trl-levels"><tbody>{bars}</tbody></table>'),
            "## Readiness KPIs",
            _block(_kpis(compute_kpis(cards, histories, now), site, here)),
            "## Components",
            _block(
                '<div class="trl-filter"><input type="search" class="trl-filter-text" '
                'placeholder="Filter by id, name, owner or tag" aria-label="Filter components">'
                '<select class="trl-filter-phase" aria-label="Phase"><option value="">All phases'
                "</option>"
                + "".join(f'<option value="{p.key}">{_h(p.name)}</option>' for p in PHASES)
                + "</select>"
                '<span class="trl-filter-count"></span></div>'
                '<table class="trl-cards"><thead><tr><th>Id</th><th>Name</th><th>Level</th>'
                "<th>Owners</th><th>Tags</th><th>Last change</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>" + _zone_note(site)
            ),
        ]
    )


def render_level(
    lvl: Level, cards: Sequence[Card], histories: dict[str, CardHistory], site: Site
) -> RenderedPage:
    """A level: what it means, what its gate checks, and the cards at it now."""
    here = site.urls.level(lvl.number)
    at_level = [c for c in cards if c.level == lvl.number]
    rows = "".join(_card_row(c, histories.get(c.id), site, here) for c in at_level)
    table = (
        '<table class="trl-cards"><thead><tr><th>Id</th><th>Name</th><th>Level</th>'
        f"<th>Owners</th><th>Tags</th><th>Last change</th></tr></thead><tbody>{rows}</tbody>"
        "</table>"
        if at_level
        else "<p>No component is at this level now.</p>"
    )
    neighbours = " &middot; ".join(
        f'<a href="{site.urls.link(here, site.urls.level(n))}">{label}</a>'
        for n, label in (
            (lvl.number - 1, "&larr; Level " + str(lvl.number - 1)),
            (lvl.number + 1, "Level " + str(lvl.number + 1) + " &rarr;"),
        )
        if 0 <= n <= len(LEVELS) - 1
    )
    return _page(
        [
            _front_matter({"title": f"Level {lvl.number}: {lvl.name}"}),
            f"# Level {lvl.number}: {_md(lvl.name)}",
            _block(
                f'<p class="trl-lede">{_badge(lvl.number)} <em>{_h(lvl.tagline)}</em></p>'
                '<table class="trl-summary"><tbody>'
                f"<tr><th>Phase</th><td>{_phase(lvl)}</td></tr>"
                f"<tr><th>Code quality</th><td>{_h(lvl.code_tier)}</td></tr>"
                f"<tr><th>Gated review</th><td>{_h(lvl.gate)}</td></tr>"
                f"</tbody></table><p>{neighbours}</p>"
            ),
            f"## Components at level {lvl.number}",
            _block(table + (_zone_note(site) if at_level else "")),
        ]
    )


def render_card(
    card: Card,
    history: CardHistory,
    coupled_from: Sequence[str],
    site: Site,
    now: dt.datetime,
    by_id: Mapping[str, Card],
    problems: Sequence[Problem] = (),
) -> RenderedPage:
    """A component's page: summary, level timeline, transitions, reviews, then the card text."""
    here = site.urls.card(card.id)
    parts = [
        _front_matter({"title": f"{card.id} {card.name}", "tags": list(card.tags)}),
        f"# {_md(card.name)}",
        _banner(history, site),
        _card_problems(problems, site, here),
        _block(_summary(card, history, site, here)),
    ]
    coupled = _coupled(card, coupled_from, site, here, by_id)
    if coupled:
        parts += ["## Coupled components", _block(coupled)]
    parts += ["## Level history", _block(_history_section(card, history, site, here, now))]
    if card.requirements:
        parts += ["## Requirements", _block(_requirements(card))]
    parts += ["## Reviews", _block(_reviews(card, history, site, here))]
    snapshots = history.card_at_level
    if snapshots:
        links = "".join(
            f'<li><a href="{site.urls.link(here, site.urls.card_at_level(card.id, n))}">'
            f"The card at level {n}</a>, as it was when it left level {n} "
            f"({_date(_left(history, n))})</li>"
            for n in sorted(snapshots)
        )
        parts += ["## Earlier levels", _block(f'<ul class="trl-earlier">{links}</ul>')]
    if card.body.strip():
        parts += ["## Card", *_body_parts(card.body)]
    return _page(parts)


def _render_failed(card: Card, problem: Problem, site: Site) -> RenderedPage:
    return _page(
        [
            _front_matter({"title": f"{card.id} {card.name}"}),
            f"# {_md(card.name)}",
            _block(
                f'<p><code class="trl-id">{_h(card.id)}</code> is at level '
                f"{_badge(card.level)}. {_code(problem.message)}</p>"
            ),
        ]
    )


def render_card_at_level(
    current: Card, number: int, revision: CardRevision, history: CardHistory, site: Site
) -> RenderedPage:
    """The card as it was when it left a level: the paper's link to prior-level cards."""
    card = revision.card
    assert card is not None  # card_at_level only holds valid revisions
    here = site.urls.card_at_level(current.id, number)
    commit = revision.revision.authored
    notice = (
        '<div class="admonition info"><p class="admonition-title">An earlier version</p>'
        f"<p>This is <strong>{_h(current.id)}</strong> as it stood at level {number}, in the "
        f"last revision before it left that level ({_date(_left(history, number))}), from "
        f"commit {_commit(commit.sha, site)} by {_h(commit.author)}. "
        f'<a href="{_to_card(site, here, current.id)}">See the current card</a>.</p>'
        f"{_zone_note(site)}</div>"
    )
    parts = [
        _front_matter({"title": f"{current.id} at level {number}", "search": {"exclude": True}}),
        f"# {_md(card.name)} at level {number}",
        _block(notice),
        _block(_summary(card, None, site, here)),
    ]
    if card.requirements:
        parts += ["## Requirements", _block(_requirements(card))]
    if card.reviews:
        parts += ["## Reviews", _block(_reviews(card, None, site, here))]
    if card.body.strip():
        parts += ["## Card", *_body_parts(card.body)]
    return _page(parts)


def render_problems(problems: Sequence[Problem], site: Site) -> RenderedPage:
    """Every problem found in the card files, with the fix."""
    if problems:
        rows = "".join(
            f'<tr class="trl-{p.severity.value}"><td><code>{_h(p.location)}</code></td>'
            f"<td>{_h(p.severity.value)}</td><td>{_code(p.message)}</td><td>{_code(p.fix)}</td></tr>"
            for p in problems
        )
        body = (
            '<table class="trl-problems"><thead><tr><th>Where</th><th>Severity</th>'
            f"<th>Problem</th><th>Fix</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    else:
        body = "<p>Every card is valid.</p>"
    return _page(
        [
            _front_matter({"title": "Card problems"}),
            "# Card problems",
            _block(
                "<p>An <strong>error</strong> leaves its card out of the site until it is fixed: "
                "the card has no usable id, name or level, or cannot be read. A "
                "<strong>warning</strong> keeps the card and leaves out only what it names (a "
                "value, a review, a requirement, a link). <code>mkdocs build --strict</code> "
                "fails on either.</p>" + body
            ),
        ]
    )


# -- the card's text -----------------------------------------------------------------------------


_SECTION = re.compile(r'<h3 id="[^"]*">(.*?)</h3>', re.S)


def _body_parts(body: str) -> list[str]:
    """The card's sections: each heading as Markdown (so it reaches the table of contents), the
    text under it as finished HTML."""
    chunks = _SECTION.split(render_body(body))
    parts = [_block(f'<div class="trl-body">{chunks[0]}</div>')] if chunks[0].strip() else []
    for title, content in zip(chunks[1::2], chunks[2::2], strict=True):
        # Our own HTML: strip its inline tags, then escape the text for a Markdown heading.
        parts.append("### " + _md(html.unescape(re.sub(r"<[^>]+>", "", title))))
        if content.strip():
            parts.append(_block(f'<div class="trl-body">{content}</div>'))
    return parts


# -- pieces --------------------------------------------------------------------------------------


def _summary(card: Card, history: CardHistory | None, site: Site, here: str) -> str:
    lvl = level(card.level)
    rows = [
        ("Id", f'<code class="trl-id">{_h(card.id)}</code>'),
        (
            "Level",
            f'<a href="{site.urls.link(here, site.urls.level(card.level))}">{_badge(card.level)} '
            f"{_h(lvl.name)}</a>",
        ),
        ("Phase", _phase(lvl)),
        ("Owners", _list(card.owners)),
        ("Reviewers", _list(card.reviewers)),
        ("Ethics", _ethics(card)),
        ("Tags", _list(card.tags)),
        ("Links", ", ".join(f'<a href="{_h(url)}">{_h(name)}</a>' for name, url in card.links)),
        ("Source", _source(card.path, site)),
    ]
    if history is not None and history.transitions:
        since = history.transitions[-1].date
        resumed = [r.landed.committed for r in history.resumed if r.landed.committed > since]
        rows.append(
            (
                "At this level since",
                f"unknown: the history has a gap before {_date(resumed[-1])}"
                if resumed
                else _date(since),
            )
        )
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows if v)
    return f'<table class="trl-summary"><tbody>{body}</tbody></table>'


def _history_section(
    card: Card, history: CardHistory, site: Site, here: str, now: dt.datetime
) -> str:
    if not history.revisions:
        reason = site.history_note or "git has no committed revision of this card yet."
        return f'<p class="trl-no-history">No level history: {_h(reason)}</p>'
    svg = timeline_svg(history, now, lambda t: "#" + t.anchor)
    rows = "".join(_transition_row(t, site) for t in history.transitions)
    table = (
        '<table class="trl-transitions"><thead><tr><th>#</th><th>Landed</th><th>Change</th>'
        "<th>Kind</th><th>Gate</th><th>Author</th><th>Commit</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    broken = history.invalid_revisions
    notes = ""
    if broken:
        items = "".join(
            f"<li>{_date(r.landed.committed)}: <code>{_h(r.path)}</code> in commit "
            f"{_commit(r.revision.authored.sha, site)} ({_h(r.revision.authored.subject)}): "
            f"{_h(r.parsed.problems[0].message if r.parsed and r.parsed.problems else '')}</li>"
            for r in broken
        )
        notes = (
            f'<details class="trl-broken"><summary>{len(broken)} revision(s) could not be '
            f"read as a card and made no transition</summary><ul>{items}</ul></details>"
        )
    ignored = ""
    if history.ignored:
        ignored = (
            f"<p>{len(history.ignored)} level change(s) in ignored (mechanical) commits "
            "are not counted as transitions.</p>"
        )
    renamed = ""
    if history.id_changes:
        items = "".join(
            f"<li>{_date(c.date)}: id changed from <code>{_h(c.from_id)}</code> to "
            f"<code>{_h(c.to_id)}</code> in commit "
            f"{_commit(c.revision.revision.authored.sha, site)} "
            f"({_h(c.revision.revision.authored.subject)})</li>"
            for c in history.id_changes
        )
        renamed = (
            '<p class="trl-id-changes">The same card, renumbered (its file\'s history goes '
            f"on):</p><ul>{items}</ul>"
        )
    return (
        f'<div class="trl-timeline">{svg}</div>{table}{renamed}{notes}{ignored}{_zone_note(site)}'
    )


def _transition_row(t: Transition, site: Site) -> str:
    change = (
        f"enters at {_badge(t.to_level)}"
        if t.from_level is None
        else f"{_badge(t.from_level)} &rarr; {_badge(t.to_level)}"
    )
    kind = t.kind + (f" ({t.switchback_kind})" if t.switchback_kind else "")
    if not t.gated:
        gate = "&mdash;"
    elif t.review is not None:
        gate = f'<span class="trl-reviewed">reviewed {_date(t.review.date)}</span>'
    else:
        gate = '<span class="trl-skipped">skipped gate</span>'
    authored = t.revision.revision.authored
    landed = t.revision.landed
    via = "" if landed.sha == authored.sha else f", landed in {_commit(landed.sha, site)}"
    return (
        f'<tr id="{t.anchor}" class="trl-kind-{t.kind.replace(" ", "-")}">'
        f'<td><a href="#{t.anchor}">{t.number}</a></td><td>{_date(t.date)}</td>'
        f"<td>{change}</td><td>{_h(kind)}</td><td>{gate}</td><td>{_h(authored.author)}</td>"
        f"<td>{_commit(authored.sha, site)} {_h(authored.subject)}{via}</td></tr>"
    )


def _reviews(card: Card, history: CardHistory | None, site: Site, here: str) -> str:
    if not card.reviews:
        return "<p>No review is recorded on this card.</p>"
    transitions = {t.review: t for t in history.transitions if t.review} if history else {}
    out = []
    for number, review in enumerate(card.reviews, 1):
        change = f"{_badge(review.from_level)} &rarr; {_badge(review.to_level)}"
        decision = review.decision + (f" ({review.kind})" if review.kind else "")
        answers = "".join(f"<dt>{_h(q)}</dt><dd>{_h(a)}</dd>" for q, a in review.debrief.answers())
        transition = transitions.get(review)
        landed = (
            f' <a class="trl-to-transition" href="#{transition.anchor}">transition '
            f"{transition.number}</a>"
            if transition
            else ""
        )
        link = f' <a href="{_h(review.link)}">full record</a>' if review.link else ""
        out.append(
            f'<section class="trl-review" id="review-{number}">'
            f'<h3><a href="#review-{number}">{_date(review.date)}</a>: gate {change}, '
            f"{_h(decision)}</h3><p>Reviewers: {_list(review.reviewers) or 'not recorded'}."
            f"{landed}{link}</p>"
            + (
                f'<dl class="trl-debrief">{answers}</dl>'
                if answers
                else "<p>No debrief recorded.</p>"
            )
            + "</section>"
        )
    return "".join(out)


def _requirements(card: Card) -> str:
    rows = "".join(
        f"<tr><td><code>{_h(r.id)}</code></td><td>{_h(r.text)}</td>"
        + (
            f"<td>{r.risk.p_failure:g}</td><td>{r.risk.value:g}</td>"
            f"<td><strong>{r.risk.score:.2f}</strong></td>"
            if r.risk
            else "<td></td><td></td><td></td>"
        )
        + "</tr>"
        for r in card.requirements
    )
    return (
        '<table class="trl-requirements"><thead><tr><th>Id</th><th>Requirement</th>'
        "<th>P(failure)</th><th>Value</th><th>Risk</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _kpis(kpis: Kpis, site: Site, here: str) -> str:
    kinds = ", ".join(
        f"{kpis.transitions_by_kind.get(k, 0)} {k}"
        for k in (ENTRY, ADVANCE, SKIP, SWITCHBACK, INVALID_SWITCHBACK)
    )
    switchbacks = ", ".join(f"{kpis.switchbacks_by_kind.get(k, 0)} {k}" for k in SWITCHBACK_KINDS)
    stays = "".join(
        f"<td>{_badge(n)}<br>{kpis.median_days_at_level[n]:.0f}&nbsp;d</td>"
        for n in sorted(kpis.median_days_at_level)
    )
    skipped = "".join(
        f'<li><a href="{_to_card(site, here, card_id, t.anchor)}"><code>{_h(card_id)}'
        f"</code> {t.from_level}&rarr;{t.to_level}</a> ({_date(t.date)})</li>"
        for card_id, t in kpis.skipped_gates[:10]
    )
    stale = "".join(
        f'<li><a href="{_to_card(site, here, card_id)}"><code>{_h(card_id)}</code></a> '
        f"unchanged for {days} days</li>"
        for card_id, days in kpis.stale[:10]
    )
    return (
        '<table class="trl-summary trl-kpis"><tbody>'
        f"<tr><th>Transitions</th><td>{kinds}</td></tr>"
        f"<tr><th>Switchbacks by kind</th><td>{switchbacks}</td></tr>"
        f"<tr><th>Skipped gates</th><td>{len(kpis.skipped_gates)} level change(s) without a "
        f"review record{'; latest:' if skipped else ''}<ul>{skipped}</ul></td></tr>"
        f"<tr><th>Stale cards</th><td>{len(kpis.stale)} card(s) unchanged for over "
        f"{STALE_DAYS} days<ul>{stale}</ul></td></tr>"
        "</tbody></table>"
        + (
            "<p>Median time spent at a level, over stays that ended:</p>"
            f'<table class="trl-summary trl-stays"><tbody><tr>{stays}</tr></tbody></table>'
            if stays
            else ""
        )
    )


def _coupled(
    card: Card, coupled_from: Sequence[str], site: Site, here: str, by_id: Mapping[str, Card]
) -> str:
    items = []
    if card.coupled or coupled_from:
        lowest, part = system_level(card, by_id, coupled_from)
        weakest = (
            "this component"
            if part == card.id
            else f'<a href="{_to_card(site, here, part)}"><code>{_h(part)}</code></a>'
        )
        items.append(
            f"<tr><th>As a system</th><td>{_badge(lowest)} the lowest level of its parts, "
            f"held by {weakest}</td></tr>"
        )
    for label, ids in (("Couples to", card.coupled), ("Coupled from", coupled_from)):
        if ids:
            links = ", ".join(
                f'<a href="{_to_card(site, here, i)}"><code>{_h(i)}</code></a>' for i in ids
            )
            items.append(f"<tr><th>{label}</th><td>{links}</td></tr>")
    return f'<table class="trl-summary"><tbody>{"".join(items)}</tbody></table>' if items else ""


def _card_row(card: Card, history: CardHistory | None, site: Site, here: str) -> str:
    lvl = level(card.level)
    changed = history.revisions[-1].landed.committed if history and history.revisions else None
    haystack = " ".join((card.id, card.name, *card.owners, *card.tags)).lower()
    return (
        f'<tr data-phase="{lvl.phase.key}" data-search="{_h(haystack)}">'
        f'<td><a href="{_to_card(site, here, card.id)}"><code>{_h(card.id)}</code></a></td>'
        f'<td><a href="{_to_card(site, here, card.id)}">{_h(card.name)}</a></td>'
        f"<td>{_badge(card.level)}</td><td>{_list(card.owners)}</td><td>{_list(card.tags)}</td>"
        f"<td>{_date(changed) if changed else ''}</td></tr>"
    )


def _card_problems(problems: Sequence[Problem], site: Site, here: str) -> str:
    """The problems of this card's file: what was left out of this page, and the fix."""
    if not problems:
        return ""
    items = "".join(
        f'<li class="trl-{p.severity.value}"><strong>{_h(p.severity.value)}</strong> '
        f"<code>{_h(p.location)}</code>: {_code(p.message)} <em>Fix:</em> {_code(p.fix)}</li>"
        for p in problems
    )
    return _block(
        '<details class="warning trl-card-problems"><summary>This card has '
        f"{len(problems)} problem(s); what they concern is left out of this page</summary>"
        f'<ul>{items}</ul><p>All problems of the site: <a href="'
        f'{site.urls.link(here, site.urls.problems())}">card problems</a>.</p></details>'
    )


def _banner(history: CardHistory, site: Site) -> str:
    if history.damage:
        return _block(
            '<div class="admonition warning trl-damaged"><p class="admonition-title">History '
            f"damaged</p><p>{_h(history.damage[:1].upper() + history.damage[1:])} The chart "
            "breaks at the gap; where the level is known again it resumes, marked with a "
            "hollow point.</p></div>"
        )
    if not history.incomplete or site.incomplete_before is None:
        return ""
    return _block(
        '<div class="admonition warning trl-incomplete"><p class="admonition-title">History '
        f"incomplete before {_date(site.incomplete_before)}</p><p>This site was built from a "
        "shallow or partial clone: transitions before that date are unknown, and the first "
        "one shown may not be the card's real entry.</p></div>"
    )


def _left(history: CardHistory, number: int) -> dt.datetime:
    return [t.date for t in history.transitions if t.from_level == number][-1]


def _inbound_couplings(cards: Iterable[Card]) -> dict[str, tuple[str, ...]]:
    inbound: dict[str, list[str]] = {}
    for card in cards:
        for other in card.coupled:
            inbound.setdefault(other, []).append(card.id)
    return {k: tuple(v) for k, v in inbound.items()}


def _ethics(card: Card) -> str:
    if card.ethics is None:
        return '<span class="trl-ethics trl-ethics-none">not recorded</span>'
    status = card.ethics.status
    text = f'<span class="trl-ethics trl-ethics-{status.replace(" ", "-")}">{_h(status)}</span>'
    return text + (f' (<a href="{_h(card.ethics.link)}">checklist</a>)' if card.ethics.link else "")


def _to_card(site: Site, here: str, card_id: str, anchor: str = "") -> str:
    """A relative link from the page `here` to a card page (escaped)."""
    return site.urls.link(here, site.urls.card(card_id), anchor)


def _source(path: str, site: Site) -> str:
    url = site.links.source_url(path)
    return f'<a href="{_h(url)}"><code>{_h(path)}</code></a>' if url else f"<code>{_h(path)}</code>"


def _commit(sha: str, site: Site) -> str:
    short = f"<code>{_h(sha[:8])}</code>"
    url = site.links.commit_url(sha)
    return f'<a href="{_h(url)}">{short}</a>' if url else short


def _badge(number: int) -> str:
    lvl = level(number)
    return (
        f'<span class="trl-level trl-phase-{lvl.phase.key}" title="Level {number}: '
        f'{_h(lvl.name)}">{number}</span>'
    )


def _phase(lvl: Level) -> str:
    return (
        f'<span class="trl-phase trl-phase-{lvl.phase.key}">{_h(lvl.phase.name)}</span> '
        f"({lvl.phase.colour})"
    )


def _list(items: Iterable[str]) -> str:
    return ", ".join(_h(i) for i in items)


def _date(value: dt.date | dt.datetime) -> str:
    """A day; for a moment, the day in the site's zone, with the full time on hover."""
    if isinstance(value, dt.datetime):
        full = f"{value:%Y-%m-%d %H:%M:%S} {value.tzname() or ''}".rstrip()
        return (
            f'<time datetime="{value.isoformat()}" title="{_h(full)}">'
            f"{value.date().isoformat()}</time>"
        )
    return f'<time datetime="{value.isoformat()}">{value.isoformat()}</time>'


def _zone_note(site: Site) -> str:
    """The sentence that says which clock the page's dates are read on."""
    return (
        f'<p class="trl-zone">Dates are days in {_h(site.zone)}, when each change landed on '
        "the built branch; hover a date for its time.</p>"
    )


def _h(text: str) -> str:
    return html.escape(str(text), quote=True)


def _code(text: str) -> str:
    """Escaped text in which `backticked` spans (as in problem messages) show as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _h(text))


def _md(text: str) -> str:
    """Text that is inert in a Markdown heading: HTML-escaped, Markdown punctuation escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!>])", r"\\\1", html.escape(text, quote=False))


class _Html(str):
    """A block of finished HTML within a page's parts."""


def _block(markup: str) -> str:
    """Finished HTML for the page: kept out of Markdown's way (see `RenderedPage`)."""
    return _Html(markup) if markup else ""


def _page(parts: Iterable[str]) -> RenderedPage:
    """Join a page's parts; each HTML block becomes a placeholder that Markdown skips cheaply."""
    html: list[str] = []
    markdown_parts = []
    for part in parts:
        if not part:
            continue
        if isinstance(part, _Html):
            markdown_parts.append(f"<!--trl-html-{len(html)}-->")
            html.append(str(part))
        else:
            markdown_parts.append(part)
    return RenderedPage("\n\n".join(markdown_parts), tuple(html))


def _front_matter(meta: dict[str, object]) -> str:
    # Themes print `title` into <title>, and material its tag names into the page, unescaped
    # (MkDocs' Jinja does not autoescape): both go in escaped, and show as written.
    if isinstance(meta.get("title"), str):
        meta = {**meta, "title": _h(str(meta["title"]))}
    tags = meta.get("tags")
    if isinstance(tags, list):
        meta = {**meta, "tags": [_h(str(tag)) for tag in tags]}
    # JSON is YAML, and json.dumps is many times faster than yaml.safe_dump on every page.
    lines = "".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items()
    )
    return f"---\n{lines}---"
