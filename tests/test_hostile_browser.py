"""Nothing a card says becomes live (issue 7, requirement 1), checked in a real browser.

One material site is built from cards that carry attacker payloads in every free-text field of
the card format (`CARD_FIELDS`) and in the Markdown of their bodies, with git history so that the
transition rows and the "card at an earlier level" pages show them too. Every HTML page of the
built site is then loaded in Debian's headless Chromium from 127.0.0.1, and the live DOM is
searched for anything a card could have made live: a dialog, a page or console error, a request
to another host, a script or style element that a plain material page does not have, an `on*`
attribute, a URL whose resolved scheme is not http(s) or mailto, a resource (image, frame,
media, stylesheet, object, form target) on another host, an embedding or redirecting element.
The built HTML files are searched too, without a browser, as a second line of defence.

Each kind of finding is its own test, which lists every finding with its page. The last test
injects live payloads into a scratch copy of a page and checks that every check fires on it.

`X1` (Markdown) and `X2` (pure YAML) are valid cards: their payloads are in fields that take any
text, so they are on the site whatever the plugin does with bad fields. `X3` carries the payloads
that make fields invalid (a `javascript:` link, a tag with markup); the plugin
keeps it without its bad fields, and its problems page shows the values as text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Dialog, Page
from playwright.sync_api import Error as PlaywrightError

from browser import LOCAL_HOSTS, Watch, chromium, serve, watched_context, watched_page
from conftest import SiteRepo, card

pytestmark = pytest.mark.browser

# -- the payloads --------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
JS = "javascript:alert(1)"
BREAKOUT = "</title></textarea></style></script><script>alert(1)</script>"
QUOTES = "' onmouseover='alert(1)"

NAME = (
    f'{SCRIPT} Retina {IMG} {SVG} {BREAKOUT} {{: onclick="alert(1)" }} <!--trl-html-0--> '
    "<!--trl-late-0-->"
)
"""A card name: the page title, its heading, the dashboard and level rows, search."""

BODY = r"""
## <script>alert(1)</script> Overview "><svg onload=alert(1)> {: onclick="alert(1)" }

Inline: <script>alert(1)</script> <img src=x onerror=alert(1)> "><svg onload=alert(1)>
<b onmouseover=alert(1)>bold</b> `<img src=x onerror=alert(1)>` <!--trl-html-0--> <!--trl-late-0-->
</div></article><script>alert(1)</script>

## Links

- [Runbook](javascript&#58;alert(document.domain))
- [colon entity](javascript&colon;alert(1))
- [hex entity](javascript&#x3a;alert(1))
- [upper hex entity](javascript&#X3A;alert(1))
- [padded entity](javascript&#0000058;alert(1))
- [tab entity](java&Tab;script:alert(1))
- [numeric tab](java&#9;script:alert(1))
- [hex tab](java&#x09;script:alert(1))
- [newline entity](java&NewLine;script:alert(1))
- [letter entity](&#106;avascript:alert(1))
- [leading space entity](&#32;javascript:alert(1))
- [leading control](&#1;javascript:alert(1))
- [leading spaces](   javascript:alert(1))
- [upper](JAVASCRIPT:alert(1))
- [plain](javascript:alert(1))
- [vbscript](vbscript:msgbox(1))
- [data](data:text/html,<script>alert(1)</script>)
- [data base64](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
- [angle brackets](<javascript:alert(1)>)
- [reference][r1], [reference angle][r2], [reference tab][r3], [collapsed][]
- <javascript:alert(1)> <JAVASCRIPT:alert(1)> <vbscript:msgbox(1)>
- [title double](https://example.org/ "a\" onmouseover=\"alert(1)")
- [title single](https://example.org/ 'x" onmouseover="alert(1)')
- [title paren](https://example.org/ (x" onfocus="alert(1)" autofocus="))

[r1]: javascript&#58;alert(1)
[r2]: <javascript:alert(1)>
[r3]: java&#9;script:alert(1) "t\" onmouseover=\"alert(1)"
[collapsed]: javascript&colon;alert(1)

## Images

![pixel](https://tracker.example/pixel.png)
![protocol-relative](//tracker.example/p.png)
![backslashes](\\\\tracker.example\\p.png)
![slash backslash](/\\tracker.example/p.png)
![slash backslash 2](/\tracker.example/p.png)
![entity scheme](https&#58;//tracker.example/e.png)
![script](javascript:alert(1))
![svg](data:image/svg+xml,<svg onload=alert(1)>)
![reference image][pixel]

[pixel]: https://tracker.example/ref.png

## Raw HTML

<iframe src="https://tracker.example/frame"></iframe>

<a href="javascript:alert(1)">raw link</a>

<form action="https://tracker.example/steal"><button formaction="javascript:alert(1)">Go</button>
</form>

<style>body{background:url(https://tracker.example/bg.png)}</style>

<div onmouseover="alert(1)" style="background:url(//tracker.example/div.png)">div</div>

<object data="javascript:alert(1)"></object><embed src="https://tracker.example/e.swf">

<svg><a xlink:href="javascript:alert(1)"><text>svg link</text></a>
<animate attributeName="href" to="javascript:alert(1)"/></svg>

<meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<base href="https://tracker.example/">
<link rel="stylesheet" href="https://tracker.example/x.css">
<video poster="https://tracker.example/v.png"><source src="https://tracker.example/v.mp4"></video>

| cell | <img src=x onerror=alert(1)> |
|---|---|
| [cell link](javascript&#58;alert(1)) | ![](https://tracker.example/cell.png) |

```html
<script>alert(1)</script>
```
"""
"""The Markdown after a card's front matter (and a YAML card's `body`)."""

VALID_LINKS = {
    IMG: "javascript&#58;alert(document.domain)",
    SVG: "javascript&#x3a;alert(1)",
    "upper hex entity": "javascript&#X3A;alert(1)",
    "colon entity": "javascript&colon;alert(1)",
    "numeric tab": "java&#9;script:alert(1)",
    "leading space entity": "&#32;javascript:alert(1)",
    "protocol-relative": "//tracker.example/x",
    "backslashes": "\\\\tracker.example\\x",
    SCRIPT: "https://example.org/?q=<script>alert(1)</script>",
    QUOTES: 'https://example.org/" onmouseover="alert(1)',
}
"""Link names with markup, and URLs that the card format accepted when this test was written
(they have no `:` before a `/`, `?` or `#`, so they pass for relative paths)."""

INVALID_LINKS = {
    "plain": JS,
    "upper": "JAVASCRIPT:alert(1)",
    "leading spaces": "  javascript:alert(1)",
    "leading control": "\x01javascript:alert(1)",
    "tab": "java\tscript:alert(1)",
    "newline": "java\nscript:alert(1)",
    "tab entity": "java&Tab;script:alert(1)",
    "vbscript": "vbscript:msgbox(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "data base64": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    IMG: "https://example.org/",
}
"""URLs the card format rejects: a fixed plugin drops these fields and keeps the card."""

DEBRIEF = {
    "accomplished": f"{SCRIPT} {IMG}",
    "punted": "[Runbook](javascript&#58;alert(document.domain))",
    "learned": f"{SVG} {QUOTES}",
    "tech_debt": "![](https://tracker.example/debt.png) <iframe src=//tracker.example/f>",
}


def _review(start: int, end: int, date: str, link: str) -> dict[str, object]:
    return {
        "date": date,
        "from": start,
        "to": end,
        "decision": "advance",
        "reviewers": [IMG, SVG, QUOTES],
        "debrief": DEBRIEF,
        "link": link,
    }


def _front(values: dict[str, object]) -> str:
    return yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=10_000)


def _x1(level: int) -> str:
    """A Markdown card, valid when this test was written: payloads only where any text is
    allowed, so that the card is on the site whatever happens to bad fields."""
    reviews = [_review(2, 3, "2023-01-05", "javascript&#x3a;alert(1)")]
    if level > 3:
        reviews.append(_review(3, 4, "2023-08-31", "javascript&#58;alert(document.domain)"))
    extra = {
        "owners": [IMG, SVG, JS, QUOTES],
        "reviewers": [SCRIPT, "<a href=javascript:alert(1)>Rae</a>"],
        "tags": ["vision", "alert.1"],  # markup in tags was invalid when written: see X3
        "links": VALID_LINKS,
        "ethics": {"status": "in progress", "link": "javascript&#58;alert(1)"},
        "requirements": [
            {
                "id": IMG,
                "text": f"{SCRIPT} [x](javascript:alert(1)) {SVG}",
                "risk": {"p_failure": 0.5, "value": 2},
            },
            {"id": SVG, "text": "![](https://tracker.example/req.png)"},
        ],
        "reviews": reviews,
    }
    return card("X1", level, name=json.dumps(NAME), extra=_front(extra), body=BODY)


def _x2(level: int) -> str:
    """A pure YAML card, valid when written, its `body` the same hostile Markdown."""
    values = {
        "id": "X2",
        "name": f"{SVG} Speech {IMG} </title><script>alert(1)</script>",
        "level": level,
        "owners": [SCRIPT],
        "reviewers": [IMG],
        "links": {SVG: "javascript&colon;alert(1)"},
        "ethics": {"status": "complete", "link": "java&#9;script:alert(1)"},
        "requirements": [{"id": "R1", "text": IMG}],
        "body": BODY,
    }
    return _front(values)


def _x3(level: int) -> str:
    """A Markdown card with payloads that make its fields invalid, in every URL field."""
    extra = {
        "owners": [SCRIPT],
        "tags": [SCRIPT, 'x" onmouseover="alert(1)', IMG],
        "links": INVALID_LINKS,
        "ethics": {"status": "complete", "link": JS},
        "requirements": [{"id": SCRIPT, "text": IMG}],
        "reviews": [_review(1, 2, "2023-01-05", "vbscript:msgbox(1)")],
        IMG: "an unknown key, reported by name",
    }
    return card("X3", level, name=json.dumps(f"Fields {SCRIPT}"), extra=_front(extra), body=BODY)


EXTENSIONS = """\
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
"""
"""Extensions common on material sites; attr_list and md_in_html would make `{: on...}` and
raw HTML live if card text ever reached the site's own Markdown unescaped."""


def _configure(repo: SiteRepo) -> None:
    path = repo.path / "mkdocs.yml"
    path.write_text(path.read_text("utf-8") + EXTENSIONS, encoding="utf-8")


def _build_hostile(repo: SiteRepo) -> Path:
    _configure(repo)
    repo.write("cards/x1/TRL.md", _x1(3))
    repo.write("cards/x2/TRL.yml", _x2(5))
    repo.write("cards/x3/TRL.md", _x3(2))
    repo.commit(f"Add the cards {IMG}", date="2023-01-10T09:00:00+00:00")
    repo.write("cards/x1/TRL.md", _x1(4))
    repo.write("cards/x2/TRL.yml", _x2(6))
    repo.write("cards/x3/TRL.md", _x3(3))
    repo.commit(f"Raise the levels {SCRIPT}", date="2023-09-01T09:00:00+00:00")
    build = repo.build()
    assert build.returncode == 0, build.log
    return build.site


def _build_plain(repo: SiteRepo) -> Path:
    """The same site with one harmless card: what a page of each depth rightly carries."""
    _configure(repo)
    repo.write("cards/p/TRL.md", card("P1", 3))
    repo.commit("Add P1", date="2023-01-10T09:00:00+00:00")
    repo.write("cards/p/TRL.md", card("P1", 4))
    repo.commit("P1 to 4", date="2023-09-01T09:00:00+00:00")
    build = repo.build(strict=True)
    assert build.returncode == 0, build.log
    return build.site


MARKUP = (
    SCRIPT,
    IMG,
    "<svg onload=alert(1)>",
    "<b onmouseover=",
    "<iframe src=",
    '<a href="javascript:',
    "<a href=javascript:",
    "<form action=",
    "<style>body{",
    '<div onmouseover="alert(1)"',
    "<object data=",
    "<embed src=",
    "<meta http-equiv",
    "<base href",
    "<animate ",
    '<link rel="stylesheet" href="https://tracker',
    "<video poster=",
)
"""Payloads from the cards that must never appear in a built page as they were written: shown
as text, their `<` is escaped."""


# -- reading HTML without a browser --------------------------------------------------------------

SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "codebase",
    "manifest",
    "icon",
    "ping",
    "srcset",
    "imagesrcset",
)
"""Attributes whose value is a URL (or, for ping and srcset, a list of URLs)."""

EMBEDDING = (
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "base",
    "animate",
    "set",
    "animatemotion",
    "animatetransform",
    "foreignobject",
    "handler",
    "listener",
)
"""Elements that embed, redirect or animate attributes: no page of the site has any."""


class _Markup(HTMLParser):
    """Every start tag with its attributes (entities decoded), and every script and style."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[str | None, str]] = []  # (src, text)
        self.styles: list[str] = []
        self._open: tuple[str, str | None, list[str]] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs).get("src"), [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self.scripts.append((dict(attrs).get("src"), ""))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            kind, src, text = self._open
            if kind == "script":
                self.scripts.append((src, "".join(text)))
            else:
                self.styles.append("".join(text))
            self._open = None


def _key(rel: str) -> str:
    """Pages of one depth share their inline scripts (material writes the path to the root)."""
    return "404" if rel == "404.html" else str(rel.count("/"))


@dataclass(frozen=True)
class Reference:
    """What the plain site's pages carry: inline scripts and styles by depth, script paths."""

    inline: dict[str, list[str]]
    styles: dict[str, list[str]]
    sources: list[str]


def _reference(site: Path) -> Reference:
    inline: dict[str, set[str]] = {}
    styles: dict[str, set[str]] = {}
    sources: set[str] = set()
    for rel in _pages(site):
        markup = _Markup((site / rel).read_text("utf-8"))
        for src, text in markup.scripts:
            if src is None:
                inline.setdefault(_key(rel), set()).add(text)
            else:
                sources.add(_path(rel, src))
        styles.setdefault(_key(rel), set()).update(markup.styles)
    return Reference(
        {k: sorted(v) for k, v in inline.items()},
        {k: sorted(v) for k, v in styles.items()},
        sorted(sources),
    )


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _url(rel: str) -> str:
    return rel.removesuffix("index.html")


def _path(rel: str, src: str) -> str:
    """The path, from the site root, that a page's relative `src` resolves to."""
    return urlsplit(urljoin(f"http://127.0.0.1/{rel}", src)).path


_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def _normal(value: str) -> str:
    """A URL as the browser's URL parser reads it: outer controls and spaces, and tabs and
    newlines anywhere, are dropped; backslashes are slashes."""
    return re.sub(r"[\t\n\r]", "", value.strip(_C0_OR_SPACE)).replace("\\", "/")


def _loads(tag: str, name: str) -> bool:
    """Whether the browser fetches (or submits to) this attribute's URL without a click."""
    if name in ("href", "xlink:href"):
        return tag not in ("a", "area")
    return name not in ("cite", "longdesc")


def _urls(name: str, value: str) -> list[str]:
    if name in ("srcset", "imagesrcset"):
        return [c.strip().split(" ")[0] for c in value.split(",") if c.strip()]
    if name == "ping":
        return value.split()
    return [value]


def _raw_findings(rel: str, text: str, reference: Reference) -> list[str]:
    """What is live in a built file: payloads as markup, verbatim; then what Python's HTML
    parser reads (entities decoded) as handlers, unsafe schemes, remote loads, foreign scripts."""
    found = [f"payload {marker!r} is markup, verbatim" for marker in MARKUP if marker in text]
    markup = _Markup(text)
    for tag, attrs in markup.tags:
        if tag in EMBEDDING or (tag == "meta" and "http-equiv" in dict(attrs)):
            found.append(f"<{tag}> element {attrs}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                found.append(f"<{tag}> handler {name}={value!r}")
            if name not in URL_ATTRIBUTES:
                continue
            for url in map(_normal, _urls(name, value)):
                scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    found.append(f"<{tag}> {name}={value!r} has scheme {scheme.group(1)}:")
                remote = re.match(r"(?:https?:/*|//)(?:[^/?#@]*@)?([^/?#:]*)", url, re.I)
                if _loads(tag, name) and remote and remote.group(1).lower() not in LOCAL_HOSTS:
                    found.append(f"<{tag}> {name}={value!r} loads from {remote.group(1)}")
    for src, script in markup.scripts:
        if src is not None and _path(rel, src) not in reference.sources:
            found.append(f"<script src={src!r}> is not the site's")
        if src is None and script not in reference.inline.get(_key(rel), []):
            found.append(f"inline <script> {script[:120]!r} is not the site's")
        if "alert(" in script:
            found.append(f"<script> calls alert: {script[:120]!r}")
    for style in markup.styles:
        if style not in reference.styles.get(_key(rel), []):
            found.append(f"<style> {style[:120]!r} is not the site's")
    return found


# -- reading the live DOM ------------------------------------------------------------------------

SCAN = """
({inline, styles, sources, urlAttributes, embedding}) => {
  const found = [];
  const LOCAL = ["127.0.0.1", "localhost"];
  const SAFE = ["http:", "https:", "mailto:"];
  const show = (el) => el.outerHTML.replace(/\\s+/g, " ").slice(0, 160);
  const add = (kind, el, what) => found.push([kind, `${what} in ${show(el)}`]);
  const resolve = (value) => {
    try { return new URL(value, document.baseURI); } catch (e) { return null; }
  };
  const split = (name, value) =>
    name === "srcset" || name === "imagesrcset"
      ? value.split(",").map((c) => c.trim().split(/\\s+/)[0]).filter(Boolean)
      : name === "ping" ? value.split(/\\s+/).filter(Boolean) : [value];
  const loads = (tag, name) =>
    name === "href" || name === "xlink:href"
      ? !["a", "area"].includes(tag)
      : !["cite", "longdesc"].includes(name);
  const check = (el, tag, name, value, fetched) => {
    const url = resolve(value);
    if (url === null) return add("scheme", el, `${name}=${JSON.stringify(value)} does not parse`);
    if (!SAFE.includes(url.protocol)) add("scheme", el, `${name} resolves to ${url.href}`);
    const remote = ["http:", "https:"].includes(url.protocol) && !LOCAL.includes(url.hostname);
    if (fetched && remote) add("resource", el, `${name} loads ${url.href}`);
  };
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName.toLowerCase();
    if (embedding.includes(tag)) add("embed", el, `<${tag}>`);
    if (tag === "meta" && el.hasAttribute("http-equiv")) add("embed", el, "<meta http-equiv>");
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) add("handler", el, `${attr.name}=${JSON.stringify(attr.value)}`);
      if (urlAttributes.includes(name)) {
        for (const value of split(name, attr.value)) check(el, tag, name, value, loads(tag, name));
      }
      if (name === "style") {
        for (const m of attr.value.matchAll(/url\\(\\s*['"]?([^'")]*)/gi)) {
          check(el, tag, "style url()", m[1], true);
        }
      }
    }
  }
  for (const s of document.querySelectorAll("script")) {
    const src = s.getAttribute("src");
    if (src !== null) {
      const url = resolve(src);
      const own = url && url.origin === location.origin && sources.includes(url.pathname);
      if (!own) add("script", s, `script from ${url ? url.href : src}`);
    } else if (!inline.includes(s.textContent)) {
      add("script", s, "inline script");
    }
  }
  for (const s of document.querySelectorAll("style")) {
    if (!styles.includes(s.textContent)) add("script", s, "style element");
  }
  return found;
}
"""
"""Everything live in the page's DOM, as [kind, detail] pairs; URLs are resolved by the
browser's own parser against the page's base."""

KINDS = {
    "dialog": "dialogs opened (alert, confirm, prompt)",
    "error": "page errors, console errors and failed responses",
    "outside": "requests that tried to leave the machine",
    "script": "script or style elements that are not the site's own",
    "handler": "elements with an on* attribute",
    "scheme": "URLs that resolve to a scheme other than http, https or mailto",
    "resource": "resources loaded from (or forms sent to) another host",
    "embed": "embedding, redirecting or animating elements",
}


SETTLE = 100  # ms after the load event, for what a page does just after it


class _Scanner:
    """One watched page that loads URL after URL and reports, for each, what it did."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.watch = Watch()
        self.dialogs: list[str] = []
        self.context = watched_context(browser, base_url, self.watch)
        self.page = watched_page(self.context, self.watch)
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}({dialog.message!r})")
        with suppress(PlaywrightError):  # closed already if the page navigated away
            dialog.dismiss()

    def scan(self, url: str, reference: Reference, key: str) -> list[tuple[str, str]]:
        """Load a page; every finding as (kind, detail)."""
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url} did not load"
        self.page.wait_for_timeout(SETTLE)
        return _dom_findings(self.page, reference, key) + self.events()

    def events(self) -> list[tuple[str, str]]:
        """The dialogs, errors and requests to other hosts since the last call."""
        found = [("dialog", d) for d in self.dialogs]
        found += [("error", e) for e in self.watch.errors]
        found += [("outside", o) for o in self.watch.outside]
        self.dialogs.clear()
        self.watch.errors.clear()
        self.watch.outside.clear()
        return found


@contextmanager
def _scanner(browser: Browser, base_url: str) -> Iterator[_Scanner]:
    scanner = _Scanner(browser, base_url)
    try:
        yield scanner
    finally:
        scanner.context.close()


def _dom_findings(page: Page, reference: Reference, key: str) -> list[tuple[str, str]]:
    args = {
        "inline": reference.inline.get(key, []),
        "styles": reference.styles.get(key, []),
        "sources": reference.sources,
        "urlAttributes": list(URL_ATTRIBUTES),
        "embedding": list(EMBEDDING),
    }
    try:
        return [(kind, detail) for kind, detail in page.evaluate(SCAN, args)]
    except PlaywrightError as error:  # the page navigated away, or a payload broke the scan
        return [("error", f"the page could not be searched: {error}")]


# -- fixtures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sites:
    hostile: Path
    reference: Reference


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    root = tmp_path_factory.mktemp("hostile")
    hostile = _build_hostile(SiteRepo(root / "org"))
    return Sites(hostile, _reference(_build_plain(SiteRepo(root / "plain"))))


@pytest.fixture(scope="module")
def base_url(sites: Sites) -> Iterator[str]:
    with serve(sites.hostile) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def findings(sites: Sites, browser: Browser, base_url: str) -> dict[str, list[str]]:
    """Every page of the hostile site, loaded and searched: findings by kind, with the page."""
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    with _scanner(browser, base_url) as scanner:
        for rel in _pages(sites.hostile):
            url = base_url + _url(rel)
            for kind, detail in scanner.scan(url, sites.reference, _key(rel)):
                found[kind].append(f"{url}: {detail}")
    return found


def _report(items: list[str], what: str) -> str:
    """Every finding, each once, with how often it was seen."""
    seen = Counter(items)
    lines = (f"  {item}" + (f" (x{n})" if n > 1 else "") for item, n in seen.items())
    return f"{len(items)} {what}:\n" + "\n".join(lines)


# -- the tests -----------------------------------------------------------------------------------


def test_the_hostile_cards_are_on_the_site(sites: Sites, browser: Browser, base_url: str) -> None:
    """The scan means something: the valid cards, their earlier levels and the problems page are
    built, and their payloads are shown as text."""
    pages = _pages(sites.hostile)
    for rel in (
        "index.html",
        "404.html",
        "readiness/index.html",
        "readiness/problems/index.html",
        "readiness/cards/X1/index.html",
        "readiness/cards/X1/level-3/index.html",
        "readiness/cards/X2/index.html",
        "readiness/cards/X2/level-5/index.html",
        "readiness/cards/X3/index.html",  # kept: its bad fields are left out, not the card
    ):
        assert rel in pages, f"{rel} was not built; pages: {pages}"
    watch = Watch()
    context = watched_context(browser, base_url, watch)
    try:
        page = watched_page(context, watch)
        page.goto("readiness/cards/X1/")
        text = page.locator("article").inner_text()
        assert NAME in page.locator("h1").inner_text()
        for payload in (IMG, SVG, QUOTES, DEBRIEF["accomplished"], DEBRIEF["tech_debt"]):
            assert payload in text
        assert "Raise the levels" in text  # the transition row, with its commit subject
        page.goto("readiness/problems/")
        problems = page.locator("article").inner_text()
        assert "cards/x3/TRL.md" in problems
        assert "javascript:alert(1)" in problems  # the value, shown as text
    finally:
        context.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_browser_finds_nothing_live(findings: dict[str, list[str]], kind: str) -> None:
    assert not findings[kind], _report(findings[kind], KINDS[kind])


def test_the_built_html_has_nothing_live(sites: Sites) -> None:
    """The second line of defence, without a browser: every built file, parsed."""
    found = [
        f"{rel}: {item}"
        for rel in _pages(sites.hostile)
        for item in _raw_findings(rel, (sites.hostile / rel).read_text("utf-8"), sites.reference)
    ]
    assert not found, _report(found, "live payloads in the built HTML")


def test_search_results_stay_inert(sites: Sites, browser: Browser, base_url: str) -> None:
    """Material's search renders card text from its index into the page: it must stay text."""
    found: list[str] = []
    with _scanner(browser, base_url) as scanner:
        found += [f"home page: {kind}: {d}" for kind, d in scanner.scan("", sites.reference, "0")]
        box = scanner.page.locator("input.md-search__input")
        box.click()
        for query in ("alert", "onerror", "Runbook", "Retina", "Speech"):
            box.fill("")
            box.press_sequentially(query)
            scanner.page.locator(".md-search-result__item").first.wait_for()
            scanner.page.wait_for_timeout(SETTLE)
            for kind, detail in _dom_findings(scanner.page, sites.reference, "0") + (
                scanner.events()
            ):
                found.append(f"search {query!r}: {kind}: {detail}")
    assert not found, _report(found, "live payloads in search results")


CANARY = f"""
{IMG}
<a href="javascript&#58;alert(1)">entity colon</a>
<a href=" java&Tab;script:alert(1)">tab entity</a>
<img src="//tracker.example/canary.png">
<script>console.error("canary")</script>
<script>throw new Error("canary")</script>
<script src="https://tracker.example/canary.js"></script>
<iframe src="data:text/html,canary"></iframe>
<form action="https://tracker.example/steal"><button formaction="vbscript:x">go</button></form>
<svg><a xlink:href="javascript:alert(1)"><text>svg</text></a></svg>
<style>body{{color:red}}</style>
"""
"""Live payloads, injected into a scratch copy of a page: every check must fire on them."""


def test_every_check_fires_on_live_payloads(sites: Sites, browser: Browser, tmp_path: Path) -> None:
    """A test that cannot fail checks nothing: the checks, run on a page made live on purpose."""
    for entry in sites.hostile.iterdir():
        if entry.name != "index.html":
            (tmp_path / entry.name).symlink_to(entry, entry.is_dir())
    page = (sites.hostile / "index.html").read_text("utf-8").replace("</body>", CANARY + "</body>")
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    with serve(tmp_path) as url, _scanner(browser, url) as scanner:
        found = scanner.scan(url, sites.reference, "0")
    kinds = {kind for kind, _ in found}
    assert kinds == set(KINDS), f"checks that did not fire: {set(KINDS) - kinds}; {found}"
    details = "\n".join(detail for _, detail in found)
    for expected in (
        "alert('1')",
        "href resolves to javascript:alert(1)",
        "xlink:href resolves to javascript:alert(1)",
        "formaction resolves to vbscript:x",
        "src resolves to data:text/html,canary",
        "src loads http://tracker.example/canary.png",
        "action loads https://tracker.example/steal",
        "script from https://tracker.example/canary.js",
        "pageerror: canary",
        "console: canary",
        "onerror=",
        "<iframe>",
        "style element",
    ):
        assert expected in details, f"{expected!r} not reported in:\n{details}"
    raw = "\n".join(_raw_findings("index.html", page, sites.reference))
    for expected in (
        "handler onerror=",
        "has scheme javascript:",
        "has scheme vbscript:",
        "has scheme data:",
        "loads from tracker.example",
        "<iframe> element",
        "<script src='https://tracker.example/canary.js'> is not the site's",
        "inline <script> 'console.error(\"canary\")' is not the site's",
        "<style> 'body{color:red}' is not the site's",
    ):
        assert expected in raw, f"{expected!r} not reported in:\n{raw}"
