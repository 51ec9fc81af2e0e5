"""Browser plumbing shared by the browser tests: Debian's headless Chromium, a built site served on
127.0.0.1, contexts whose requests to any other host are aborted and recorded, and axe-core's
verdict on a page's accessibility.

    with serve(site) as base_url, chromium() as browser:
        watch = Watch()
        context = watched_context(browser, base_url, watch)
        page = watched_page(context, watch)
        page.goto("readiness/")
        assert axe_violations(page) == []
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium. Playwright never downloads a browser for these tests."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # Belt and braces behind the route guard: no host name resolves, so even a request the
    # browser makes on its own (outside any page) cannot reach the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT = 10_000  # ms; search loads its index in a web worker, everything else is immediate


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the browser closing a connection early is not news


@contextmanager
def serve(site: Path, handler: type[SimpleHTTPRequestHandler] = _QuietHandler) -> Iterator[str]:
    """Serve a folder on an ephemeral port of 127.0.0.1 with `handler`; yields its URL,
    ending in `/`."""
    server = _Server(("127.0.0.1", 0), partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def missing_chromium() -> str:
    return (
        f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's package, "
        "`apt-get install chromium` (never `playwright install`)."
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium; its absence fails the test, never skips it."""
    if not CHROMIUM.is_file():
        pytest.fail(missing_chromium())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What a page did that it should not have: left the machine, threw, logged an error."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS


def watched_context(browser: Browser, base_url: str, watch: Watch) -> BrowserContext:
    """A fresh context that aborts every request to another host and records it in `watch`,
    and records every failed response."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 900},
        color_scheme="light",
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT)

    def record(url: str) -> None:
        if url not in watch.outside:
            watch.outside.append(url)

    def guard(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            record(route.request.url)
            route.abort()

    context.route("**/*", guard)
    # Requests the route cannot see (a worker's, say) still show up as events.
    context.on("request", lambda r: is_local(r.url) or record(r.url))
    context.on("response", lambda r: r.ok or watch.errors.append(f"HTTP {r.status}: {r.url}"))
    return context


def watched_page(context: BrowserContext, watch: Watch) -> Page:
    """A new page of the context whose page errors and console errors go to `watch`."""

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(f"console: {message.text} ({message.location.get('url')})")

    page = context.new_page()
    page.on("pageerror", lambda error: watch.errors.append(f"pageerror: {error}"))
    page.on("console", console)
    return page


@contextmanager
def checked_page(browser: Browser, base_url: str, watch: Watch | None = None) -> Iterator[Page]:
    """A fresh watched page for one test; when it is done, the test fails if the page tried to
    leave the machine or reported an error."""
    watch = watch if watch is not None else Watch()
    context = watched_context(browser, base_url, watch)
    yield watched_page(context, watch)
    context.close()
    assert not watch.outside, f"requests tried to leave the machine: {watch.outside}"
    assert not watch.errors, f"the page reported errors: {watch.errors}"


def with_palette(config: Path) -> None:
    """Give a test site's mkdocs.yml a palette, so that material loads the dark scheme
    ("slate") the tests switch to."""
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  font: false\n", "  font: false\n  palette: {scheme: default}\n"),
        encoding="utf-8",
    )


WCAG_22_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
"""The axe-core rule tags of WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the pages promise."""

CONTENT = (".md-content",)
"""The part of a material page that the plugin makes: the article, its title included."""


@dataclass(frozen=True)
class Violation:
    """One axe-core rule broken on a page: its id, impact, the CSS selectors of the elements
    that break it, and axe's one-line help."""

    rule: str
    impact: str
    targets: tuple[str, ...]
    help: str

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:6]) + (" ..." if len(self.targets) > 6 else "")
        return f"{self.rule} ({self.impact}, {len(self.targets)}): {self.help}: {shown}"


def axe_violations(
    page: Page,
    impacts: tuple[str, ...] = ("serious", "critical"),
    within: tuple[str, ...] = CONTENT,
) -> list[Violation]:
    """The WCAG 2.2 A and AA violations that axe-core finds in the page as it is now, of the
    given impacts, among the elements matched by the selectors `within`.

    axe-core comes from the `axe-playwright-python` package, which bundles it: its file is
    evaluated in the page, so nothing is fetched (a page of `watched_context` would record it).

    Only our content is checked by default: material's `.md-content`, where the plugin's pages
    are drawn, their title included (the part of the page's header that is ours). The header
    bar, navigation, search and footer are the theme's, the same on every page of any material
    site, and the plugin could fix them only by restyling the theme (material's footer text,
    4.47:1 in the light scheme, is one): a test that failed on them would fail whatever the
    plugin did. Colours are still measured against the real page, the theme's background
    included, since axe looks at the whole document and only reports on the elements
    `within`. A test that wants the theme's chrome too passes `within=("body",)`.
    """
    # The package writes the context into the script with repr(): plain selectors only.
    context = {"include": [[selector] for selector in within]}
    options = {
        "runOnly": {"type": "tag", "values": list(WCAG_22_AA)},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, context=context, options=options).response
    return [
        Violation(
            v["id"],
            v["impact"],
            tuple(" ".join(map(str, node["target"])) for node in v["nodes"]),
            v["help"],
        )
        for v in results["violations"]
        if v["impact"] in impacts
    ]
