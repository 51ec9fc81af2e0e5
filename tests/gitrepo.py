"""Real git repositories for tests, with fixed names, emails and dates.

Every commit gets a known date (by default one minute after the previous one, from
2024-01-02 10:00 UTC), so tests can assert on dates and order without depending on the clock.
Git runs without the user's global or system configuration, so a developer's `~/.gitconfig`
cannot change what a test sees.

    repo = GitRepo(tmp_path / "repo")
    repo.write("cards/a/TRL.md", "---\\nid: A1\\n---\\n")
    first = repo.commit("Add card A1")
    repo.branch("feature")
    ...
    merge = repo.merge("feature")
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

START = datetime.fromisoformat("2024-01-02T10:00:00+00:00")
"""Date of the first commit made with the default date."""

ADA = ("Ada Lovelace", "ada@example.org")
"""The default author and committer."""

_CONFIG = (
    "init.defaultBranch=main",
    "commit.gpgsign=false",
    "tag.gpgsign=false",
    "core.autocrlf=false",
    "advice.detachedHead=false",
    "merge.ff=true",
)


class GitRepo:
    """A git repository on disk, driven by the real `git` with deterministic identities."""

    def __init__(self, path: Path, *, init: bool = True) -> None:
        self.path = Path(path)
        self._ticks = 0
        if init:
            self.path.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q")

    def env(
        self,
        date: datetime | str | None = None,
        committer_date: datetime | str | None = None,
        author: tuple[str, str] = ADA,
        committer: tuple[str, str] = ADA,
    ) -> dict[str, str]:
        """Environment for one git command: isolated configuration, fixed identity and dates."""
        if date is None:
            date = START + timedelta(minutes=self._ticks)
            self._ticks += 1
        date = date.isoformat() if isinstance(date, datetime) else date
        if isinstance(committer_date, datetime):
            committer_date = committer_date.isoformat()
        # Without the caller's GIT_* variables: a GIT_DIR from a hook would redirect every command.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        return {
            **inherited,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_COMMITTER_DATE": committer_date or date,
        }

    def git(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        check: bool = True,
    ) -> str:
        """Run git in the repository; fail the test with git's message if it fails (`check`)."""
        config = [item for pair in _CONFIG for item in ("-c", pair)]
        result = subprocess.run(
            ["git", *config, *args],
            cwd=cwd or self.path,
            env=env or self.env(date=START),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode:
            raise AssertionError(f"git {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def write(self, path: str, text: str) -> Path:
        """Write a file (creating its directories), byte for byte as given."""
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        return target

    def commit(
        self,
        message: str,
        *,
        date: datetime | str | None = None,
        committer_date: datetime | str | None = None,
        author: tuple[str, str] = ADA,
        add: bool = True,
        allow_empty: bool = False,
    ) -> str:
        """Stage everything (unless `add` is false) and commit; return the new commit id."""
        if add:
            self.git("add", "-A")
        extra = ["--allow-empty"] if allow_empty else []
        self.git(
            "commit",
            "-q",
            "--no-verify",
            "-m",
            message,
            *extra,
            env=self.env(date, committer_date, author),
        )
        return self.sha()

    def mv(self, source: str, destination: str) -> None:
        """`git mv`, creating the destination's directory first."""
        (self.path / destination).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", source, destination)

    def rm(self, path: str) -> None:
        """`git rm` a file or (recursively) a directory."""
        self.git("rm", "-q", "-r", path)

    def branch(self, name: str, start: str = "HEAD") -> None:
        """Create a branch and switch to it."""
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, ref: str, *, detach: bool = False) -> None:
        """Switch to a branch or commit (`detach` to detach HEAD at a branch's commit)."""
        self.git("checkout", "-q", *(["--detach"] if detach else []), ref)

    def merge(
        self,
        ref: str,
        message: str | None = None,
        *,
        no_ff: bool = True,
        squash: bool = False,
        commit: bool = True,
        date: datetime | str | None = None,
        author: tuple[str, str] = ADA,
    ) -> str:
        """Merge `ref` into the current branch; return HEAD afterwards.

        `squash=True` stages the squashed changes and commits them as one ordinary commit;
        `commit=False` stops before committing, conflicts included, so the test can change
        files (resolve, or make an "evil" merge) and finish the merge with `commit()`.
        """
        message = message or f"Merge {ref}"
        env = self.env(date, None, author)
        if squash:
            self.git("merge", "-q", "--squash", ref, env=env)
            return self.commit(message, date=env["GIT_AUTHOR_DATE"], author=author)
        options = ["--no-ff"] if no_ff else []
        if not commit:
            options.append("--no-commit")
        self.git("merge", "-q", *options, "-m", message, ref, env=env, check=commit)
        return self.sha()

    def rebase(self, onto: str, *, date: datetime | str | None = None) -> str:
        """Rebase the current branch onto `onto` (committer date fixed); return the new HEAD."""
        self.git("rebase", "-q", onto, env=self.env(date))
        return self.sha()

    def sha(self, rev: str = "HEAD") -> str:
        """The full commit id of a revision."""
        return self.git("rev-parse", "--verify", f"{rev}^{{commit}}").strip()

    def blob(self, rev: str, path: str) -> str:
        """The blob id of `path` at `rev`."""
        return self.git("rev-parse", f"{rev}:{path}").strip()

    def clone(self, destination: Path, *options: str) -> GitRepo:
        """Clone this repository through `file://` (so `--depth` and `--filter` take effect)."""
        self.git(
            "clone", "-q", *options, self.path.as_uri(), str(destination), cwd=self.path.parent
        )
        return GitRepo(destination, init=False)


def git_shim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a `git` first on PATH that logs its arguments, then runs the real git."""
    real = shutil.which("git")
    assert real
    shim = tmp_path / "shim"
    shim.mkdir()
    log = tmp_path / "git-calls.log"
    script = shim / "git"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    return log


def git_calls(log: Path) -> list[list[str]]:
    """The arguments of each logged git call, without the `-c name=value` options."""
    if not log.exists():
        return []
    calls = []
    for line in log.read_text().splitlines():
        words = line.split()
        while words and words[0] == "-c":
            words = words[2:]
        calls.append(words)
    return calls
