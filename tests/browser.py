"""Browser plumbing shared by the browser tests: Debian's headless Chromium, a built site served on
127.0.0.1, and contexts whose requests to any other host are aborted and recorded.

    with serve(site) as base_url, chromium() as browser:
        watch = Watch()
        context = watched_context(browser, base_url, watch)
        page = watched_page(context, watch)
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
