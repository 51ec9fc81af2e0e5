"""Accessibility to WCAG 2.2 AA, checked by axe-core in Chromium, in material's light and dark
schemes.

One real site is built for the module: a git repository whose dozen cards cover every phase
and carry what the pages show (switchbacks of each kind, a skipped gate, reviews with debriefs,
a stale card, a review due, a card with problems and a broken one, tags, owners, a system, a
release tag and several quarters), with material's light/dark toggle in its mkdocs.yml. Each of
the site's kinds of page is checked in both schemes for any serious or critical violation in
our content (see `browser.axe_violations` for why the theme's own chrome is left out).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import (
    axe_violations,
    checked_page,
    chromium,
    serve,
)
from conftest import SiteRepo, card, review

pytestmark = pytest.mark.browser

MKDOCS_YML = """\
site_name: Accessible readiness
theme:
  name: material
  font: false
  palette:
    - scheme: default
      toggle: {icon: material/brightness-7, name: Dark}
    - scheme: slate
      toggle: {icon: material/brightness-4, name: Light}
plugins:
  - search
  - tags
  - trl-cards:
      milestone_tags: "v*"
      goals:
        - {name: Vision to 6, level: 6, date: 2099-12-31, select: {tags: [vision]}}
"""

TODAY = date.today()

PAGES = {
    "dashboard": "readiness/",
    "card": "readiness/cards/P21.1/",  # a switchback, a skipped gate, reviews, requirements
    "card with problems": "readiness/cards/P40.1/",
    "level": "readiness/levels/4/",
    "problems": "readiness/problems/",
    "milestones": "readiness/changes/",
    "milestone": "readiness/changes/tag-v1.0/",
    "goal": "readiness/goals/vision-to-6/",
}
"""The pages checked: one of each kind the site makes, by what it is."""

SCHEMES = ("default", "slate")
"""Material's light and dark schemes, as `data-md-color-scheme` names them."""


def _when(days_ago: int) -> str:
    """A commit date `days_ago` days before today, at nine in the morning UTC."""
    moment = datetime.combine(TODAY - timedelta(days=days_ago), time(9), timezone.utc)
    return moment.isoformat()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


RETINA_BODY = """\
## TL;DR
Flags diabetic retinopathy in fundus photographs for a clinician to confirm.

## Intended use
Triage in screening clinics; see the [clinical protocol](https://example.org/protocol).
Unacceptable uses: diagnosis without a clinician.

## Caveats, known edge cases, recommendations
Images from handheld cameras are out of distribution.
"""

REQUIREMENTS = (
    "requirements:\n"
    "  - {id: REQ-1, text: The model shall flag referable retinopathy.,\n"
    "     risk: {p_failure: 0.2, value: 8}}\n"
    "  - {id: REQ-2, text: The model shall abstain on ungradable images.}\n"
)


RETINA = "owners: [Dana Whitfield]\nreviewers: [Rae Kim]\ntags: [medical, vision]\n"
RETINA += "coupled: [R12.1]\nethics: {status: in progress}\n" + REQUIREMENTS
# Targets in each colour the dashboard gives them: late (the retina model), met (the ranker).
RETINA += "target: {level: 7, date: 2024-06-30, reason: The clinics' pilot.}\n"

CARDS = {
    "R10.1": ("cards/lhc/TRL.md", "LHC anomalies", "owners: [Omar Haddad]\ntags: [physics]\n"),
    "R11.1": ("cards/graph/TRL.md", "Graph priors", "owners: [Li Wei]\ntags: [research]\n"),
    "R12.1": ("cards/retina-research/TRL.md", "Retina research", "tags: [vision, medical]\n"),
    "P20.1": ("cards/speech/TRL.md", "Speech summariser", "owners: [Ines Duarte]\n"),
    "P21.1": ("cards/retina/TRL.md", "Retina triage", RETINA),
    "P22.1": ("cards/churn/TRL.md", "Churn model", "owners: [Li Wei]\ntags: [tabular]\n"),
    "Q30.1": (
        "cards/ranker/TRL.md",
        "Search ranker",
        "owners: [Ines Duarte]\ntarget: {level: 3, date: 2024-01-31}\n",
    ),
    "Q31.1": ("cards/ocr/TRL.md", "Invoice OCR", "owners: [Dana Whitfield]\ntags: [vision]\n"),
    "Q32.1": ("cards/pipeline/TRL.md", "Feature pipeline", "tags: [data]\n"),
    "D50.1": ("cards/fraud/TRL.md", "Fraud scoring", "owners: [Li Wei]\ntags: [finance]\n"),
    "D51.1": (
        "cards/platform/TRL.md",
        "Screening platform",
        "owners: [Dana Whitfield]\nparts: [P21.1, Q31.1]\ntags: [medical]\n",
    ),
}
"""Each card's file, name and fields other than its level and reviews."""

ENTRY = {"R10.1": 0, "R11.1": 1, "R12.1": 2, "P20.1": 3, "P21.1": 3, "P22.1": 4}
ENTRY |= {"Q30.1": 6, "Q31.1": 7, "Q32.1": 8, "D50.1": 9, "D51.1": 8}
"""The level each card enters at, 760 days ago."""

STEPS: tuple[tuple[str, int, int, str], ...] = (
    # card, new level, days ago, the review that gated it ("" for none: a skipped gate)
    ("R10.1", 1, 700, "advance"),
    ("P21.1", 4, 650, "advance"),
    ("R11.1", 2, 600, "advance"),
    ("Q31.1", 8, 560, "advance"),
    ("P21.1", 5, 520, ""),  # a skipped gate
    ("Q31.1", 7, 480, ""),  # the normal 7 <-> 8 loop, no gate going down
    ("P21.1", 4, 450, "review"),  # a review switchback: the valley of death
    ("D51.1", 9, 430, "advance"),
    ("P20.1", 4, 400, "advance"),
    ("R12.1", 3, 380, "advance"),  # the release tag v1.0 is on the commit before this one
    ("R12.1", 2, 340, "discovery"),
    ("P22.1", 5, 300, "advance"),
    ("Q30.1", 7, 260, "advance"),
    ("D50.1", 4, 230, "embedded"),  # a new ML feature after deployment
    ("P21.1", 5, 200, "advance"),
    ("D50.1", 5, 170, "advance"),
    ("Q31.1", 8, 150, "advance"),
    ("P22.1", 6, 120, "advance"),
    ("D50.1", 6, 90, "advance"),
    ("Q30.1", 8, 60, "advance"),
    ("P21.1", 6, 40, "advance"),
    ("R11.1", 3, 20, "advance"),
    ("D50.1", 7, 10, "advance"),
)
"""Two years of level changes, oldest first. R10.1, Q32.1, D51.1 and P20.1 stand still for
over a year after their last one: stale, and (longer at their level than usual) reviews due."""


def _write(repo: SiteRepo, card_id: str, level: int, reviews: list[str]) -> None:
    path, name, extra = CARDS[card_id]
    extra += "reviews:\n" + "".join(reviews) if reviews else ""
    body = {"body": RETINA_BODY} if card_id == "P21.1" else {}
    repo.write(path, card(card_id, level, name=name, extra=extra, **body))


def _build_site(repo: SiteRepo) -> Path:
    """The history of CARDS, then a card with a problem and a broken one; built."""
    (repo.path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    repo.write("docs/index.md", "# Home\n\nThe [readiness dashboard](readiness/index.md).\n")
    reviews: dict[str, list[str]] = {card_id: [] for card_id in CARDS}
    levels = dict(ENTRY)
    for card_id, level in levels.items():
        _write(repo, card_id, level, [])
    repo.commit("Add the organisation's cards", date=_when(760))
    for card_id, level, days_ago, gate in STEPS:
        if card_id == "R12.1" and level == 3:
            repo.git("tag", "-a", "v1.0", "-m", "The first release")
        if gate:
            decision = "advance" if gate == "advance" else "switchback"
            kind = "" if gate == "advance" else gate
            reviews[card_id].append(
                review(levels[card_id], level, _day(days_ago + 1), decision, kind)
            )
        levels[card_id] = level
        _write(repo, card_id, level, reviews[card_id])
        repo.commit(f"{card_id} to level {level}", date=_when(days_ago))
    # A value the build leaves out of its card (a warning), and a card it cannot read (an error).
    repo.write(
        "cards/forecast/TRL.md",
        card("P40.1", 5, name="Demand forecast", extra="owners: 5\nethics: {status: complete}\n"),
    )
    repo.write("cards/broken/TRL.md", "---\nid: B1\nname: Broken\nlevel: 12\n---\n")
    repo.commit("Add the forecast and a broken card", date=_when(5))
    build = repo.build()
    assert build.returncode == 0, build.log
    assert [w for w in build.warnings() if "cards/" not in w] == [], build.log
    return build.site


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site, served on an ephemeral port of 127.0.0.1 for the module."""
    with serve(_build_site(SiteRepo(tmp_path_factory.mktemp("a11y") / "org"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page; the test fails at teardown if it left the machine or reported an error."""
    with checked_page(browser, base_url) as new:
        yield new


def open_in_scheme(page: Page, url: str, scheme: str) -> None:
    """Open `url` and switch material's palette to `scheme` with its own toggle, as a reader
    would (the choice then holds for every page of the context)."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, url
    body = page.locator("body")
    if body.get_attribute("data-md-color-scheme") != scheme:
        page.locator("form[data-md-component=palette] label:visible").click()
    expect(body).to_have_attribute("data-md-color-scheme", scheme)


def test_the_site_has_every_kind_of_page_checked(base_url: str, page: Page) -> None:
    """The pages below exist and hold what makes them worth checking."""
    for url, needle in (
        (PAGES["dashboard"], ".trl-flag-stale"),
        (PAGES["dashboard"], ".trl-flag-due"),
        (PAGES["card"], ".trl-kind-switchback"),
        (PAGES["card"], ".trl-skipped"),
        (PAGES["card with problems"], ".trl-card-problems"),
        (PAGES["problems"], "tr.trl-error"),
        (PAGES["milestone"], "table"),
    ):
        open_in_scheme(page, url, "default")
        expect(page.locator(needle).first).to_be_attached()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_violation(page: Page, name: str, scheme: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        open_in_scheme(page, PAGES[name], scheme)
        found = axe_violations(page)
        assert not found, f"{name} ({scheme}, {width} px):\n" + "\n".join(map(str, found))


def test_axe_finds_a_violation_in_our_content_and_not_in_the_themes(page: Page) -> None:
    """The helper can fail: text at 1.1:1 in the article is reported, its twin in the theme's
    header only when the whole page is asked for."""
    open_in_scheme(page, PAGES["level"], "default")
    assert axe_violations(page) == []
    faint = '<span class="trl-faint" style="color: #eee; background: #fff">faint</span>'
    page.evaluate(
        """html => {
            document.querySelector('.md-content article').insertAdjacentHTML('beforeend', html);
            document.querySelector('.md-header__title').insertAdjacentHTML('beforeend', html);
        }""",
        faint,
    )
    found = axe_violations(page)
    assert [(v.rule, v.impact, len(v.targets)) for v in found] == [
        ("color-contrast", "serious", 1)
    ], found
    assert page.locator(f".md-content {found[0].targets[0]}").count() == 1, found
    # Asked for the whole page, axe finds both, and the theme's own footer (its grey "Made
    # with Material for MkDocs" is 4.47:1 in the light scheme).
    everywhere = axe_violations(page, within=("body",))
    assert [v.rule for v in everywhere] == ["color-contrast"], everywhere
    faints = [t for t in everywhere[0].targets if "trl-faint" in t]
    assert len(faints) == 2 and ".md-copyright" in everywhere[0].targets, everywhere


UNDERLINED = """() => [...document.querySelectorAll('.md-content :is(p, li, td, dd) a')]
    .filter(a => !a.matches('.md-tag, .headerlink'))
    .map(a => [a.textContent.trim(), getComputedStyle(a).textDecorationLine])"""


def test_links_in_our_pages_are_underlined_and_the_sites_other_pages_keep_their_look(
    page: Page,
) -> None:
    """Axe takes any text-decoration property that differs from the text's (an underline
    offset alone) for a visible difference: this asks for the underline itself."""
    for name in ("dashboard", "card"):
        open_in_scheme(page, PAGES[name], "default")
        links = page.evaluate(UNDERLINED)
        assert len(links) > 10, links
        assert [text for text, line in links if "underline" not in line] == [], name
    open_in_scheme(page, "", "default")  # the site's own home page
    assert page.evaluate(UNDERLINED) == [["readiness dashboard", "none"]]


GRAPHICS = """() => {
    const found = [];
    const add = (what, style, fill, opacity, rim) => found.push([what, fill, opacity, rim]);
    const q = selector => document.querySelectorAll('.md-content ' + selector);
    for (const el of q('.trl-bar, .trl-level, .trl-share-bar')) {
        const s = getComputedStyle(el);
        add(el.getAttribute('class'), s, s.backgroundColor, '1', s.boxShadow);
    }
    for (const el of q('.trl-phases li, .trl-shares li, .trl-legend span')) {
        const s = getComputedStyle(el, '::before');
        add(el.getAttribute('class') + '::before', s, s.backgroundColor, '1', s.boxShadow);
    }
    for (const el of q('svg.trl-trend .trl-area')) {
        const s = getComputedStyle(el);
        add('trend band ' + el.getAttribute('class'), s, s.fill, s.fillOpacity, s.stroke);
    }
    return [getComputedStyle(document.body).backgroundColor, found];
}"""
"""Every phase graphic of the page as [what, fill, fill opacity, rim], and the page's colour."""


def _rgb(css: str) -> tuple[float, float, float] | None:
    """The first colour of a computed CSS value (`rgb()`, `rgba()` or `color(srgb ...)`), as
    three numbers 0..1; None for no colour or a transparent one."""
    match = re.search(r"(rgba?|color)\(\s*(?:srgb\s+)?([^)]*)\)", css)
    if match is None:
        return None
    numbers = [float(n) for n in re.findall(r"[\d.]+", match.group(2))]
    if len(numbers) > 3 and numbers[3] == 0:
        return None
    scale = 255 if match.group(1).startswith("rgb") else 1
    return (numbers[0] / scale, numbers[1] / scale, numbers[2] / scale)


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def luminance(colour: tuple[float, ...]) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_phase_graphics_stand_out_from_the_page(page: Page, scheme: str) -> None:
    """WCAG 1.4.11, which axe does not check: a bar, a badge, a swatch or a chart band is 3:1
    against the page, or has a rim that is (the yellow on white)."""
    seen = set()
    for url in (PAGES["dashboard"], PAGES["milestones"]):
        open_in_scheme(page, url, scheme)
        background, graphics = page.evaluate(GRAPHICS)
        page_colour = _rgb(background)
        assert page_colour is not None, background
        for what, fill, opacity, rim in graphics:
            colour = _rgb(fill)
            if colour is None or "trl-legend-re" in what:  # the timeline's legend: dots, below
                continue
            alpha = float(opacity)  # the colour as it shows, over the page
            shown = tuple(
                alpha * c + (1 - alpha) * p for c, p in zip(colour, page_colour, strict=True)
            )
            edge = _rgb(rim)
            ratio = max(_contrast(shown, page_colour), _contrast(edge, page_colour) if edge else 0)
            assert ratio >= 3, f"{what} ({fill}, rim {rim}) is {ratio:.2f}:1 on {background}"
            seen.add(what)
    assert len(seen) > 12, seen  # bars, badges, stripes and swatches of each phase, and bands


LAST_RULE = """() => {
    const sheet = [...document.styleSheets].find(s => (s.href || '').endsWith('trl-cards.css'));
    const rules = [...sheet.cssRules];
    return [rules.length, rules[rules.length - 1].cssText.split(' {')[0]];
}"""
"""How many top-level rules the browser read from our style sheet, and the last one's head."""


def test_the_whole_style_sheet_is_read(page: Page) -> None:
    """One unclosed block swallows every rule after it without an error anywhere (a merge once
    left `@media` open, and the links lost their underline): the browser must read the file's
    last rule at the top level, where the file puts it."""
    open_in_scheme(page, PAGES["dashboard"], "default")
    css = (Path(__file__).parents[1] / "plugin/trl_cards/outputs/assets/trl-cards.css").read_text()
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S).rstrip()
    last = rules.rsplit("}\n", 1)[-1].split("{")[0].strip()
    count, head = page.evaluate(LAST_RULE)
    assert head == last
    assert count > 100
