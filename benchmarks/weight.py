"""Page weight and time to interactive of the readiness dashboard, at 1,000 and 10,000 cards.

Run by hand, never by the test suite:

    .venv/bin/python benchmarks/weight.py [--sizes large,huge] [--work DIR] [--out FILE]

It builds (or reuses, with `--reuse`) the sites of `run.py`'s generated organisations, then
loads the dashboard in headless Chromium (Debian's `/usr/bin/chromium`) from a local server,
at 1440 x 900 and at 390 x 844 with the CPU slowed four times (Lighthouse's phone), and
reports what a reader waits for: the bytes the page and everything it loads weigh (as sent
with gzip), and the time until the page is interactive (the end of its last long task, or
the DOM being ready when there is none). It also times one use of the components filter.
The numbers are checked against the budget stated in `BUDGET` (and in the docs).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import sys
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import _SIZES, _build, _organisation, _progress, _write_plugin_project

_PROJECT = Path(__file__).resolve().parents[1]

BUDGET = {
    "dashboard_gzip": 1_000_000,
    "loaded_gzip": 2_000_000,
    "interactive_desktop": 2.0,
    "interactive_phone": 6.0,
}
"""At 10,000 cards: the dashboard's HTML as sent (gzip), everything its first load fetches
(gzip), and the seconds until it is interactive on a laptop and on a slowed phone; all
without material's search index, which every page of the site loads, and which the table
shows apart."""


@dataclass(frozen=True)
class Load:
    """One load of the dashboard in the browser."""

    interactive: float
    """Seconds from navigation to the end of the last long task (or DOMContentLoaded)."""
    loaded: float
    """Seconds to the load event."""
    fetched_gzip: int
    """Bytes of every same-site response of the first load, each as gzip would send it."""
    filter_ms: float
    """Milliseconds from typing in the components filter to the page laid out again."""
    rows: int


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="large,huge", help="comma-separated sizes of run.py")
    parser.add_argument("--work", type=Path, default=_PROJECT / "bench-work", help="work folder")
    parser.add_argument("--reuse", action="store_true", help="use a site an earlier run built")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    args = parser.parse_args(argv)
    rows = []
    for name in [n.strip() for n in args.sizes.split(",") if n.strip()]:
        size = _SIZES[name]
        repo = _organisation(size, args.work.resolve())
        site = args.work.resolve() / "sites" / size.key / "plugin"
        if not (args.reuse and (site / "readiness" / "index.html").is_file()):
            _progress(f"{size.label}: building the site")
            _build(_write_plugin_project(repo), site, repo / ".cache")
        rows.append((size.cards, _measure_site(site)))
    table = _table(rows)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


def _measure_site(site: Path) -> dict[str, Any]:
    dashboard = (site / "readiness" / "index.html").read_bytes()
    index = site / "search" / "search_index.json"
    entries = json.loads(index.read_text("utf-8"))["docs"] if index.is_file() else []
    with _Serve(site) as base:
        desktop = _load(base + "readiness/", (1440, 900), slowdown=1)
        phone = _load(base + "readiness/", (390, 844), slowdown=4)
        alone = _load(base + "readiness/", (1440, 900), slowdown=1, search=False)
        phone_alone = _load(base + "readiness/", (390, 844), slowdown=4, search=False)
    return {
        "dashboard": len(dashboard),
        "dashboard_gzip": len(gzip.compress(dashboard, 6)),
        "index_gzip": len(gzip.compress(index.read_bytes(), 6)) if index.is_file() else 0,
        "index_entries": len(entries),
        "desktop": desktop,
        "phone": phone,
        "alone": alone,
        "phone_alone": phone_alone,
    }


class _Serve:
    """The built site on a local port, for as long as the `with` lasts."""

    def __init__(self, site: Path) -> None:
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(site))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()


_LONG_TASKS = """
window.__trlLong = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__trlLong.push(e.startTime + e.duration); });
}).observe({ type: "longtask", buffered: true });
"""


def _load(url: str, viewport: tuple[int, int], slowdown: int, search: bool = True) -> Load:
    """One cold load of `url`; without `search`, material's search index is not fetched (the
    main thread parses it before handing it to the search worker), to tell the dashboard's own
    cost from the index's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.add_init_script(_LONG_TASKS)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
        fetched: list[int] = []

        def count(response: Any) -> None:
            if response.url.startswith(url.split("readiness/")[0]):
                # A redirect or an aborted request has no body.
                with contextlib.suppress(Exception):
                    fetched.append(len(gzip.compress(response.body(), 6)))

        page.on("response", count)
        if not search:
            page.route("**/search_index.json", lambda route: route.abort())
        page.goto(url, wait_until="load", timeout=180_000)
        _quiet(page)
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.domContentLoadedEventEnd, n.loadEventEnd,"
            " Math.max(0, ...window.__trlLong)]; })()"
        )
        rows = page.evaluate("document.querySelectorAll('table.trl-cards tbody tr').length")
        filter_ms = page.evaluate(
            "(() => { const box = document.querySelector('.trl-filter-text');"
            " if (!box) return 0; const t = performance.now(); box.value = 'data';"
            " box.dispatchEvent(new Event('input')); document.body.offsetHeight;"
            " return performance.now() - t; })()"
        )
        browser.close()
    dom, load, last_long = timing
    return Load(max(dom, last_long) / 1000, load / 1000, sum(fetched), filter_ms, rows)


def _quiet(page: Any, window: float = 2.0, limit: float = 30.0) -> None:
    """Wait until no long task has ended for `window` seconds (or `limit` passed)."""
    start = time.monotonic()
    seen, since = -1, time.monotonic()
    while time.monotonic() - start < limit:
        count = page.evaluate("window.__trlLong.length")
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= window:
            return
        page.wait_for_timeout(200)


def _table(rows: list[tuple[int, dict[str, Any]]]) -> str:
    head = (
        "| cards | dashboard | as sent (gzip) | first load (gzip): dashboard / with search "
        "| search index (gzip), entries | interactive, laptop: dashboard / with search "
        "| interactive, phone (4x slower CPU): dashboard / with search "
        "| filter, laptop / phone |"
    )
    lines = [head, "|" + "---|" * 8]
    for cards, m in rows:
        d, p, a, pa = m["desktop"], m["phone"], m["alone"], m["phone_alone"]
        lines.append(
            f"| {cards:,} | {_kb(m['dashboard'])} | {_kb(m['dashboard_gzip'])} "
            f"| {_kb(a.fetched_gzip)} / {_kb(d.fetched_gzip)} "
            f"| {_kb(m['index_gzip'])}, {m['index_entries']:,} "
            f"| {a.interactive:.2f} / {d.interactive:.2f} s "
            f"| {pa.interactive:.2f} / {p.interactive:.2f} s "
            f"| {a.filter_ms:.0f} / {pa.filter_ms:.0f} ms |"
        )
    big = rows[-1][1]
    checks = {
        "dashboard_gzip": big["dashboard_gzip"],
        "loaded_gzip": big["alone"].fetched_gzip,
        "interactive_desktop": big["alone"].interactive,
        "interactive_phone": big["phone_alone"].interactive,
    }
    verdicts = [
        f"- {key}: {value:,.2f} against {BUDGET[key]:,} "
        f"({'within' if value <= BUDGET[key] else 'OVER'})"
        for key, value in checks.items()
    ]
    return (
        "\n".join(lines)
        + f"\n\nBudget of the dashboard, at {rows[-1][0]:,} cards:\n"
        + "\n".join(verdicts)
        + "\n\nThe search index, which every page of the site loads, is outside this budget."
    )


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB"


if __name__ == "__main__":
    raise SystemExit(main())
