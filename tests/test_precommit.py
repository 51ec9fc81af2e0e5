"""The `trl-cards-validate` hook of .pre-commit-hooks.yaml, run by pre-commit itself on commits.

The hook's repository is a git clone of this project's working tree at a commit (`repo:` its
path, `rev:` that commit), so pre-commit reads the real `.pre-commit-hooks.yaml` and installs
the project into an environment of its own with `pip install .`, as it does for a user. A
`repo: local` copy of the hook would test neither. To install without a package index:
`PIP_NO_INDEX`, `PIP_NO_DEPS` and no build isolation, with the build backend and the
dependencies taken from the test environment through `PYTHONPATH`
(`offline.dependency_folder`, which leaves this project out, so that the hook runs the copy
pre-commit installed). pre-commit's home and virtualenv's app data are in the test's
temporary folder; no global configuration of git, pip or pre-commit is read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import MKDOCS_YML, card
from gitrepo import GitRepo
from offline import copy_files, dependency_folder, project_files

ROOT = Path(__file__).parents[1]

pytestmark = pytest.mark.skipif(
    not (ROOT / ".git").exists(), reason="pre-commit takes the hook from a git clone"
)


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a commit: pre-commit installs offline, into the temporary folder."""
    home = tmp_path_factory.mktemp("pre-commit")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GIT_"))}
    return {
        **inherited,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(home / "cache"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(home / "virtualenv"),
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this variable inverted: 0 turns it off
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": str(dependency_folder(home / "deps")),
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
    }


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This project's working tree as a commit of a repository of its own: (path, commit)."""
    repo = GitRepo(tmp_path_factory.mktemp("hook-repo"))
    copy_files(ROOT, project_files(ROOT), repo.path)
    repo.commit("The working tree")
    return repo.path, repo.sha()


@dataclass(frozen=True)
class Commit:
    """What `git commit` did, with the hook: its exit code and everything it printed."""

    returncode: int
    output: str


def _commit(repo: GitRepo, env: dict[str, str], message: str) -> Commit:
    repo.git("add", "-A")
    result = subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo.path,
        env={**env, **{k: v for k, v in repo.env().items() if k.startswith("GIT_")}},
        capture_output=True,
        text=True,
        check=False,
    )
    return Commit(result.returncode, result.stdout + result.stderr)


def _hooked_repo(
    path: Path, hook_env: dict[str, str], hook_repo: tuple[Path, str], options: str | None
) -> GitRepo:
    """A repository with the hook installed; with a site's mkdocs.yml of these trl-cards
    `options` unless they are None."""
    hook_path, rev = hook_repo
    repo = GitRepo(path)
    config = {
        "repos": [{"repo": str(hook_path), "rev": rev, "hooks": [{"id": "trl-cards-validate"}]}]
    }
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config))
    if options is not None:
        repo.write("mkdocs.yml", MKDOCS_YML.format(options=options))
        repo.write("docs/index.md", "# Home\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo.path,
        env=hook_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo


def test_the_hook_is_narrow_and_validates_the_files_it_is_given() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "trl-cards-validate"
    assert hook["entry"] == "trl-cards validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is True


@pytest.mark.parametrize("site", [False, True], ids=["component-repository", "site-repository"])
def test_a_broken_card_blocks_the_commit_and_a_good_one_passes(
    tmp_path: Path, hook_env: dict[str, str], hook_repo: tuple[Path, str], site: bool
) -> None:
    # With mkdocs.yml, it decides which files are cards.
    options = ":\n      include: [cards/**/TRL.md]" if site else None
    repo = _hooked_repo(tmp_path / "component", hook_env, hook_repo, options)

    repo.write("cards/a/TRL.md", card("A1", 3))
    first = _commit(repo, hook_env, "A first card")
    assert first.returncode == 0, first.output
    assert "TRL cards" in first.output and "Passed" in first.output

    # Valid on its own, broken among the others: the hook sees the whole collection.
    repo.write("cards/b/TRL.md", card("A1", 4, name="Another"))
    blocked = _commit(repo, hook_env, "A second card with the first one's id")
    assert blocked.returncode == 1, blocked.output
    assert "TRL cards" in blocked.output and "Failed" in blocked.output
    assert "cards/b/TRL.md:2: error: `id` `A1` is already the id of" in blocked.output
    assert "Fix: " in blocked.output and "Traceback" not in blocked.output
    assert repo.git("rev-list", "--count", "HEAD").strip() == "1"

    repo.write("cards/b/TRL.md", card("B1", 4, name="Another"))
    fixed = _commit(repo, hook_env, "A second card")
    assert fixed.returncode == 0, fixed.output

    repo.write("README.md", "# A component\n")
    unrelated = _commit(repo, hook_env, "No card in this commit")
    assert unrelated.returncode == 0, unrelated.output
    assert "(no files to check)" in unrelated.output
    assert repo.git("rev-list", "--count", "HEAD").strip() == "3"


def test_a_required_gate_blocks_the_commit_that_raises_the_level_without_its_record(
    tmp_path: Path, hook_env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    options = ":\n      gates: {required_from: 4}"
    repo = _hooked_repo(tmp_path / "site", hook_env, hook_repo, options)
    repo.write("cards/a/TRL.md", card("A1", 4))
    assert _commit(repo, hook_env, "A card at 4").returncode == 0

    repo.write("cards/a/TRL.md", card("A1", 5))
    blocked = _commit(repo, hook_env, "A1 to 5, no review")
    assert blocked.returncode == 1, blocked.output
    assert "cards/a/TRL.md:4: error: The change 4 → 5 (not committed yet) has no review" in (
        blocked.output
    )
    assert repo.git("rev-list", "--count", "HEAD").strip() == "1"

    review = (
        "reviews:\n  - {date: 2024-01-02, from: 4, to: 5, decision: advance, reviewers: [Rae]}\n"
    )
    repo.write("cards/a/TRL.md", card("A1", 5, extra=review))
    passed = _commit(repo, hook_env, "A1 to 5, reviewed")
    assert passed.returncode == 0, passed.output
