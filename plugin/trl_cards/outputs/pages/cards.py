"""A page per card, and a page per earlier level of each card: the card as it was when it left
that level (the paper's link to prior-level cards). Card pages stay out of the navigation."""

from __future__ import annotations

import datetime as dt
import html
import re

from jinja2 import Environment
from markupsafe import Markup

from ...cards.body import render_body
from ...cards.border import excerpt
from ...cards.card import Card
from ...cards.problem import Problem, Severity
from ...model.analytics import System
from ...model.attention import CardStatus, card_status
from ...model.gates import Finding
from ...model.pipeline import Project
from ...model.transitions import CardHistory, Transition
from ...model.urls import review_anchors
from ..chart import timeline_legend, timeline_svg
from ..made import Made, Memo
from ..preview import absolute, card_description
from ..templating import PageTemplateError, RenderedPage, render_page
from . import templates


def files(project: Project, memo: Memo) -> Made:
    """Every card's pages. A card whose page cannot be rendered (a defect, never expected) gets
    a page that says so instead, and a problem: one card never costs the site. A card whose
    pages were made in the last build from equal inputs gets them again from `memo`."""
    env, site, analytics = templates(project), project.site, project.analytics
    problems_of: dict[str, list[Problem]] = {}
    for problem in project.collection.problems:
        problems_of.setdefault(problem.path, []).append(problem)
    by_id = {c.id: c for c in project.collection.cards}
    pages: dict[str, RenderedPage] = {}
    failures: list[Problem] = []
    for card in project.collection.cards:
        history = project.histories.get(card.id, CardHistory(card.id))
        problems = problems_of.get(card.path, [])
        status = card_status(card, history, analytics, project.now)
        inputs = (
            card,
            status,
            analytics.targets.get(card.id),
            history,
            tuple(problems),
            analytics.systems.get(card.id),
            analytics.coupled_from.get(card.id, ()),
            analytics.part_of.get(card.id, ()),
            tuple(by_id.get(i) for i in _shown_cards(card, analytics.systems.get(card.id))),
            project.now,
            project.settings.site_url,
            site,
            env,
            project.findings_of.get(card.id, ()),
        )
        last: dict[str, RenderedPage] | None = memo.recall("card pages", card.id, inputs)
        if last is not None:
            pages.update(last)
            continue
        try:
            card_pages = _card_pages(env, project, card, history, status, problems, by_id)
        except PageTemplateError:  # the template's mistake, not the card's: say it once
            raise
        except Exception as error:  # a defect on one card must not cost the site
            problem = Problem(
                card.path,
                f"could not be rendered ({type(error).__name__}: {excerpt(str(error), 100)}); "
                "its page shows only its id and level.",
                "Report this message to the maintainers of mkdocs-trl-cards.",
                key="(card)",
                severity=Severity.WARNING,
            )
            failures.append(problem)
            here = site.urls.card(card.id)
            pages[here] = render_page(
                env,
                "card_failed.md",
                site=site,
                here=here,
                card=card,
                problem=problem,
                description=card_description(card, history.last_change),
            )
            continue
        pages.update(card_pages)
        memo.keep("card pages", card.id, inputs, card_pages)
    return Made(pages, tuple(failures))


def _card_pages(
    env: Environment,
    project: Project,
    card: Card,
    history: CardHistory,
    status: CardStatus,
    problems: list[Problem],
    by_id: dict[str, Card],
) -> dict[str, RenderedPage]:
    site, analytics = project.site, project.analytics
    findings = project.findings_of.get(card.id, ())
    here = site.urls.card(card.id)
    pages = {
        here: render_page(
            env,
            "card.md",
            site=site,
            here=here,
            card=card,
            history=history,
            status=status,
            target=analytics.targets.get(card.id),
            problems=problems,
            # The chart escapes what it takes from the card (see `chart`).
            chart=Markup(timeline_svg(history, project.now, lambda t: "#" + t.anchor)),  # noqa: S704
            chart_legend=Markup(timeline_legend(history)),  # noqa: S704 (fixed text and shapes)
            gated={t.review: t for t in history.transitions if t.review},
            findings=findings,
            found_at=_found_at(findings),
            review_anchors=review_anchors(card),
            badge=site.urls.file_link(here, site.urls.badge(card.id)),
            badge_url=absolute(project.settings.site_url, site.urls.badge(card.id)),
            system=analytics.systems.get(card.id),
            coupled_from=analytics.coupled_from.get(card.id, ()),
            part_of=analytics.part_of.get(card.id, ()),
            by_id=by_id.get,
            earlier=[(n, _left(history, n)) for n in sorted(history.card_at_level)],
            body=body_sections(card.body),
            description=card_description(card, history.last_change),
            address=absolute(project.settings.site_url, site.urls.url(here)),
            built=project.now,
            **_since(history),
        )
    }
    for number, revision in history.card_at_level.items():
        earlier = revision.card
        assert earlier is not None  # card_at_level only holds valid revisions
        at = site.urls.card_at_level(card.id, number)
        pages[at] = render_page(
            env,
            "card_at_level.md",
            site=site,
            here=at,
            current=card,
            card=earlier,
            number=number,
            revision=revision,
            left=_left(history, number),
            history=None,
            problems=(),
            gated={},
            review_anchors=review_anchors(earlier),
            body=body_sections(earlier.body),
            since=None,
            since_unknown=None,
            description=f"{card.id} {card.name} as it was when it left level {number} "
            f"({_left(history, number).date().isoformat()})",
        )
    return pages


def _found_at(findings: tuple[Finding, ...]) -> dict[str, tuple[Finding, ...]]:
    """The findings of each transition of the card, by its anchor (its Gate cell shows them)."""
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.transition is not None:
            out.setdefault(finding.transition.anchor, []).append(finding)
    return {anchor: tuple(found) for anchor, found in out.items()}


def _shown_cards(card: Card, system: System | None) -> tuple[str, ...]:
    """The other cards whose level, name or owners the card's page shows."""
    return (*card.parts, *((system.held_by,) if system else ()))


def _since(history: CardHistory) -> dict[str, dt.datetime | None]:
    """Since when the card is at its level: the date, or the end of the gap that hides it."""
    if not history.transitions:
        return {"since": None, "since_unknown": None}
    since = history.transitions[-1].date
    resumed = [r.landed.committed for r in history.resumed if r.landed.committed > since]
    return {"since": since, "since_unknown": resumed[-1] if resumed else None}


def _left(history: CardHistory, number: int) -> dt.datetime:
    """When the card last left level `number`."""
    left: list[Transition] = [t for t in history.transitions if t.from_level == number]
    return left[-1].date


_SECTION = re.compile(r'<h3 id="[^"]*">(.*?)</h3>', re.S)


def body_sections(body: str) -> list[tuple[str, Markup]]:
    """The card's text as (heading, finished HTML) sections; the first heading is empty.

    The headings go into the page as Markdown (so they reach the table of contents); our own
    HTML for them is stripped of its inline tags and unescaped, and the template escapes it.
    """
    if not body.strip():
        return []
    chunks = _SECTION.split(render_body(body))
    sections = [("", _text(chunks[0]))] if chunks[0].strip() else []
    for title, content in zip(chunks[1::2], chunks[2::2], strict=True):
        heading = html.unescape(re.sub(r"<[^>]+>", "", title))
        sections.append((heading, _text(content)))
    return sections


def _text(content: str) -> Markup:
    """A section's HTML from `render_body`, which is safe by construction (see `body`)."""
    if not content.strip():
        return Markup("")
    return Markup(f'<div class="trl-body">{content}</div>')  # noqa: S704
