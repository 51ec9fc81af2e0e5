"""The gates page: what the organisation requires of its gates, every gate passed by
exemption, and everything checking the records against the history found (`model.gates`)."""

from __future__ import annotations

from collections import Counter

from ...model.gates import EXPIRED, FINDING_KINDS, exempted
from ...model.pipeline import Project
from ...model.urls import Urls
from ..made import Made, Memo
from ..templating import render_page
from . import templates


def files(project: Project, memo: Memo) -> Made:
    env, site = templates(project), project.site
    here = site.urls.gates()
    by_id = {c.id: c for c in project.collection.cards}
    findings = tuple(f for f in project.findings if f.card_id in by_id)
    exemptions = exempted(project.open_cards, project.histories)
    shown = tuple(by_id[f.card_id] for f in findings)  # their names and ids are on the page
    inputs = (findings, shown, exemptions, project.settings.gates, site, env)
    last = memo.recall("gates page", "", inputs)
    if last is not None:
        return Made({here: last})
    counts = Counter(f.kind for f in findings)
    # At most `table_rows` of each kind, the newest first: at 1,000 cards a generated
    # organisation had 1,348 findings of one kind, a megabyte of page; each card's page and
    # the card JSON have them all.
    shown_rows = [
        f
        for kind in FINDING_KINDS
        for f in sorted(
            (f for f in findings if f.kind == kind),
            key=lambda f: f.transition.date.isoformat() if f.transition else "9",
            reverse=True,
        )[: site.table_rows]
    ]
    expired = {
        (f.card_id, f.transition.anchor) for f in findings if f.kind == EXPIRED and f.transition
    }
    page = render_page(
        env,
        "gates.md",
        site=site,
        here=here,
        rules=project.settings.gates,
        findings=findings,
        shown_rows=shown_rows,
        counts=[(kind, counts[kind]) for kind in FINDING_KINDS if counts[kind]],
        errors=sum(f.problem for f in findings),
        exemptions=exemptions,
        expired=expired,
        by_id=by_id,
        description=f"{len(findings)} gate check finding(s), {len(exemptions)} exemption(s)",
    )
    memo.keep("gates page", "", inputs, page)
    return Made({here: page})


def nav(urls: Urls) -> list[str]:
    return [urls.gates()]
