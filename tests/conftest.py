"""Fixtures: real git repositories holding real MkDocs material sites, built by the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gitrepo import GitRepo

MKDOCS_YML = """\
site_name: Readiness test
theme:
  name: material
  font: false
plugins:
  - search
  - tags
  - trl-cards{options}
"""


@dataclass
class Build:
    """The outcome of one `mkdocs build`: exit code, log, and the site folder."""

    returncode: int
    log: str
    site: Path

    def page(self, url: str) -> str:
        """The HTML of a built page, by its URL (`readiness/cards/P1/`)."""
        path = self.site / url
        return (path / "index.html" if url.endswith("/") or not url else path).read_text(
            encoding="utf-8"
        )

    def cards_json(self) -> dict[str, Any]:
        """The parsed `api/cards.json`."""
        data: dict[str, Any] = json.loads((self.site / "api" / "cards.json").read_text("utf-8"))
        return data

    def warnings(self) -> list[str]:
        """The WARNING lines of the log, without the notices of third-party packages."""
        return [line for line in self.log.splitlines() if line.startswith("WARNING")]

    def search_docs(self) -> list[dict[str, Any]]:
        """The entries of material's search index (`search/search_index.json`)."""
        index = json.loads((self.site / "search" / "search_index.json").read_text("utf-8"))
        docs: list[dict[str, Any]] = index["docs"]
        return docs


def mkdocs_build(
    folder: Path,
    *args: str,
    tool: str = "mkdocs",
    strict: bool = False,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> Build:
    """Run `mkdocs build` (or `properdocs build`) in `folder` as a user would, in a fresh
    process, into `folder/site`; `env` adds to the environment. A build that takes longer
    than `timeout` seconds (a hang) fails the test."""
    site = folder / "site"
    command = [sys.executable, "-m", tool, "build", "-d", str(site)]
    command += ["--strict"] if strict else []
    result = subprocess.run(
        [*command, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DISABLE_MKDOCS_2_WARNING": "true",
            "NO_MKDOCS_2_WARNING": "1",
            "NO_COLOR": "1",
            **(env or {}),
        },
        check=False,
        timeout=timeout,
    )
    return Build(result.returncode, result.stdout + result.stderr, site)


class SiteRepo(GitRepo):
    """A git repository with a material site in it (mkdocs.yml at `site_dir`)."""

    def __init__(self, path: Path, site_dir: str = "", options: str = "") -> None:
        super().__init__(path)
        self.site_dir = site_dir
        root = self.path / site_dir
        root.mkdir(parents=True, exist_ok=True)
        self.configure(options)
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")

    def configure(self, options: str = "") -> None:
        """(Re)write mkdocs.yml with these plugin options (YAML, indented under trl-cards)."""
        text = MKDOCS_YML.format(options=(":\n" + options) if options else "")
        (self.path / self.site_dir / "mkdocs.yml").write_text(text, encoding="utf-8")

    def build(self, *args: str, tool: str = "mkdocs", strict: bool = False) -> Build:
        """Run `mkdocs build` (or `properdocs build`) as a user would, in a fresh process."""
        return mkdocs_build(self.path / self.site_dir, *args, tool=tool, strict=strict)


def card(
    card_id: str,
    level: int,
    *,
    name: str | None = None,
    extra: str = "",
    body: str = "## TL;DR\nA component.\n",
) -> str:
    """The text of a small valid card."""
    return (
        f"---\nid: {card_id}\nname: {name or 'Component ' + card_id}\nlevel: {level}\n"
        f"{extra}---\n{body}"
    )


def review(start: int, end: int, date: str, decision: str = "advance", kind: str = "") -> str:
    """One review record, as YAML lines under `reviews:`."""
    return (
        f"  - {{date: {date}, from: {start}, to: {end}, decision: {decision}"
        + (f", kind: {kind}" if kind else "")
        + ", reviewers: [Rae]}\n"
    )


def trl_cards(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `trl-cards` command (the entry point), as a user would."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "trl-cards"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def user_env(repo: GitRepo) -> dict[str, str]:
    """The environment of commands a user types in the repository: this environment's tools
    first on PATH (`mkdocs`, `trl-cards`), git without the caller's configuration and with a
    fixed identity, but no fixed dates (ghp-import, under `gh-deploy`, wants RFC 2822 ones)."""
    env = {k: v for k, v in repo.env().items() if not k.endswith("_DATE")}
    return {
        **env,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + env["PATH"],
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
        "NO_COLOR": "1",
    }


@pytest.fixture
def site_repo(tmp_path: Path) -> SiteRepo:
    """A fresh repository with a material site at its top."""
    return SiteRepo(tmp_path / "org")
