"""`mkdocs serve` as a user runs it: editing a card rebuilds the site, without reading git again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import SiteRepo, card


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _wait_for(url: str, text: str, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = _get(url)
        except OSError:
            last = ""
        if text in last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {text!r}")


def test_editing_a_card_rebuilds_without_reading_git_again(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org")
    repo.configure('      include: ["cards/**/TRL.md"]\n')
    repo.write("cards/a/TRL.md", card("A1", 3, name="Before"))
    repo.commit("Add")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=repo.path,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        url = f"http://127.0.0.1:{port}/readiness/cards/A1/"
        _wait_for(url, "Before")
        repo.write("cards/a/TRL.md", card("A1", 3, name="After"))
        _wait_for(url, "After")
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert "reused (previous build)" in text, text
    assert "Traceback" not in text
