"""The docs can be followed: a newcomer's walk through the getting-started page, in a new
repository, runs every command it prints, and every command of `docs/` is run here or listed
below with the reason it cannot be; the workflow the page prints is the project's own."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import user_env
from gitrepo import GitRepo

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
GETTING_STARTED = (DOCS / "getting-started.md").read_text(encoding="utf-8")
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"

SHELL = ("sh", "bash", "shell", "console")

NOT_RUN = {
    # Installs from a package index (or, in the docs' other install lines, from the forge): the
    # tests run the package installed in this environment. The packaging tests build the wheel
    # and install it into a fresh environment.
    r"pip install .+": "needs a package index",
    # The project's own development commands (docs/development.md): `./dev test` runs this
    # very suite; `./dev serve` and `./dev demo` set up .venv and serve until stopped;
    # `./dev bench` takes minutes. tests/test_serve.py serves a site as `./dev serve` does.
    r"\./dev (serve|test|demo|bench)": "the project's development tool",
    # docs/pre-commit.md: installs a hook whose `repo:` pre-commit fetches from the forge.
    # tests/test_precommit.py runs the hook with pre-commit itself on a local repository.
    r"pre-commit install": "fetches the hook's repository from the forge",
}
"""Commands of `docs/` that no test here runs, by pattern, each with why. A new command in the
docs fails `test_every_command_in_the_docs_is_run_or_listed` until it is run or listed."""


def _blocks(text: str) -> list[tuple[str, str]]:
    """(language, text) of each fenced code block."""
    return re.findall(r"^```(\w*)[^\n]*\n(.*?)^```$", text, re.M | re.S)


def _commands(text: str) -> list[str]:
    """The commands of the shell blocks, without their comments."""
    found = []
    for language, block in _blocks(text):
        if language in SHELL:
            for line in block.replace("\\\n", " ").splitlines():
                command = re.sub(r"\s+#\s.*$", "", line).strip()
                if command:
                    found.append(command)
    return found


def _docs_commands() -> dict[str, str]:
    """Every command of `docs/`: command -> the page it is on."""
    return {
        command: page.name
        for page in sorted(DOCS.glob("*.md"))
        for command in _commands(page.read_text(encoding="utf-8"))
    }


def _block_with(text: str, language: str, marker: str) -> str:
    (block,) = [b for lang, b in _blocks(text) if lang == language and marker in b]
    return block


@dataclass
class Newcomer:
    """Someone following the docs in a repository of their own, who records what they ran."""

    repo: GitRepo
    ran: set[str] = field(default_factory=set)
    outputs: dict[str, str] = field(default_factory=dict)

    def run(self, command: str, *extra: str) -> str:
        """Run a command exactly as the docs print it (plus `extra` arguments); return its
        output. Fails unless the command is in the docs and succeeds."""
        assert command in _docs_commands(), f"`{command}` is not a command of the docs"
        result = subprocess.run(
            ["bash", "-c", " ".join([command, *extra])],
            cwd=self.repo.path,
            capture_output=True,
            text=True,
            env=user_env(self.repo),
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"`{command}` failed:\n{output}"
        self.ran.add(command)
        self.outputs[command] = output
        return output

    def serve(self, command: str, port: int) -> str:
        """Start `mkdocs serve` as printed, on a free port; return the dashboard it serves."""
        assert command in _docs_commands()
        log = self.repo.path.parent / "serve.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                ["bash", "-c", f"exec {command} -a 127.0.0.1:{port}"],
                cwd=self.repo.path,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=user_env(self.repo),
            )
        try:
            address = _wait_for_address(log, port)
            self.ran.add(command)
            return _get(address + "readiness/")
        finally:
            server.terminate()
            server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    assert url.startswith("http://127.0.0.1:"), url
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def _wait_for_address(log: Path, port: int, seconds: float = 60.0) -> str:
    """The address `mkdocs serve` says it serves on, once it answers there."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(rf"Serving on (http://127\.0\.0\.1:{port}/\S*)", log.read_text())
        if match:
            try:
                _get(match[1])
                return match[1]
            except OSError:
                pass
        time.sleep(0.3)
    raise AssertionError(f"mkdocs serve never served:\n{log.read_text()}")


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory: pytest.TempPathFactory) -> Newcomer:
    """The getting-started page followed from a component repository with no site, to a site
    built, previewed and published with gh-deploy to a remote (a local bare repository)."""
    tmp = tmp_path_factory.mktemp("newcomer")
    repo = GitRepo(tmp / "churn-model")
    repo.write("README.md", "# Churn model\n")
    repo.write("models/churn/train.py", "print('training')\n")
    repo.commit("A component, no site yet")
    repo.git("init", "-q", "--bare", str(tmp / "github.git"))
    repo.git("remote", "add", "origin", str(tmp / "github.git"))
    user = Newcomer(repo)

    user.run("mkdocs new .")
    repo.write("mkdocs.yml", _block_with(GETTING_STARTED, "yaml", "site_url:"))
    user.run('echo "site/" >> .gitignore')
    user.run("trl-cards new models/churn/TRL.md --level 3")
    user.run("trl-cards validate")  # the template, valid as written
    repo.write("models/churn/TRL.md", _block_with(GETTING_STARTED, "markdown", "\nid:"))
    user.run("trl-cards validate")  # filled in as the page shows
    user.run("git add .")
    user.run('git commit -m "A readiness site, and the card of the churn model"')
    user.outputs["serve"] = user.serve("mkdocs serve --dirty", _free_port())
    user.run("mkdocs build --strict")
    user.outputs["status"] = repo.git("status", "--porcelain")
    user.run("mkdocs gh-deploy --strict")
    user.run("properdocs build")
    # docs/engines.md: the pages as files, for engines without the plugin.
    user.run("trl-cards generate docs/readiness")
    return user


def test_the_newcomer_publishes_a_site(newcomer: Newcomer) -> None:
    site = newcomer.repo.path / "site"
    assert (site / "readiness" / "cards" / "R01.1" / "index.html").is_file()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://org.github.io/readiness/readiness/cards/R01.1/</loc>" in sitemap
    published = newcomer.repo.git(
        "--git-dir", str(newcomer.repo.path.parent / "github.git"), "ls-tree", "-r", "gh-pages"
    )
    assert "readiness/cards/R01.1/index.html" in published
    assert (newcomer.repo.path / "docs" / "readiness" / "cards" / "R01.1" / "index.md").is_file()


def test_the_preview_serves_the_dashboard_under_the_site_url_path(newcomer: Newcomer) -> None:
    assert "Customer churn model" in newcomer.outputs["serve"]


def test_the_build_leaves_git_nothing_to_commit(newcomer: Newcomer) -> None:
    """`site/` is ignored as the page says; the history cache ignores itself."""
    assert (newcomer.repo.path / ".cache" / "plugin" / "trl-cards" / "history.json").is_file()
    assert newcomer.outputs["status"] == ""


def test_every_command_in_the_docs_is_run_or_listed(newcomer: Newcomer) -> None:
    unaccounted = {
        command: page
        for command, page in _docs_commands().items()
        if command not in newcomer.ran and not any(re.fullmatch(p, command) for p in NOT_RUN)
    }
    assert unaccounted == {}, "run each in the newcomer's walk, or list it in NOT_RUN with why"
    for pattern in NOT_RUN:  # no stale entries
        assert any(re.fullmatch(pattern, c) for c in _docs_commands()), pattern


def test_no_command_hides_in_a_block_without_a_language() -> None:
    """A block of commands says `sh`, so that the tests above see it."""
    words = ("mkdocs", "properdocs", "trl-cards", "pip", "git", "python", "./dev", "pre-commit")
    for page in sorted(DOCS.glob("*.md")):
        for language, block in _blocks(page.read_text(encoding="utf-8")):
            for line in block.splitlines() if not language else ():
                assert not line.startswith(words), f"{page.name}: label the block `sh`: {line}"


def _install(line: str) -> str:
    match = re.fullmatch(r"\s*- run: (pip install .+)", line)
    assert match, line
    return match[1]


def test_the_printed_workflow_is_the_projects_but_for_its_install_line() -> None:
    """What may differ: the install line of each job. The project builds the plugin from its
    checkout, with what its own site needs (`pip install ".[site]"`); the page installs it as
    its Install section does."""
    printed = _block_with(GETTING_STARTED, "yaml", "\njobs:\n").splitlines()
    project = WORKFLOW.read_text(encoding="utf-8").splitlines()
    assert len(printed) == len(project)
    differ = [(p, q) for p, q in zip(printed, project, strict=True) if p != q]
    assert len(differ) == 2, differ  # one a job: build and pull-request
    page_commands = _commands(GETTING_STARTED)
    for printed_line, project_line in differ:
        assert _install(project_line) == 'pip install ".[site]"'
        assert _install(printed_line) in page_commands
    assert '`pip install ".[site]"`' in GETTING_STARTED
    assert not (WORKFLOW.parent / "docs.yml").exists(), "pages.yml replaced it"
