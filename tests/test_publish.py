"""Publishing: `mkdocs gh-deploy` to a remote, a site served under the sub-path of its
`site_url` as GitHub Pages serves a project page, and the pull-request step of the workflow."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import yaml

from browser import serve
from conftest import SiteRepo, card, review, user_env
from gitrepo import GitRepo
from trl_cards.history.cache import CACHE_FOLDER

ROOT = Path(__file__).parents[1]
SITE_URL = "https://org.github.io/readiness/"
PREFIX = urlsplit(SITE_URL).path  # `/readiness/`, as GitHub Pages serves a project page


def _sub_path_site(path: Path) -> SiteRepo:
    """A repository whose site is published at SITE_URL: two cards, a promotion, a review."""
    repo = SiteRepo(path)
    config = repo.path / "mkdocs.yml"
    config.write_text(f"site_url: {SITE_URL}\n" + config.read_text(), encoding="utf-8")
    repo.write("cards/a/TRL.md", card("A1", 3, extra="owners: [Dana]\ntags: [vision]\n"))
    repo.write("cards/b/TRL.md", card("B2", 2, extra="coupled: [A1]\n"))
    repo.commit("Add A1 and B2", date="2024-01-10T09:00:00+00:00")
    extra = "owners: [Dana]\ntags: [vision]\nreviews:\n" + review(3, 4, "2024-02-09")
    repo.write("cards/a/TRL.md", card("A1", 4, extra=extra))
    repo.commit("A1 passes its level 3 gate", date="2024-02-10T09:00:00+00:00")
    return repo


def _branch_files(bare: Path, branch: str = "gh-pages") -> set[str]:
    listing = subprocess.run(
        ["git", "--git-dir", str(bare), "ls-tree", "-r", "--name-only", branch],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(listing.stdout.splitlines())


def test_gh_deploy_pushes_the_site_to_the_gh_pages_branch_of_a_remote(tmp_path: Path) -> None:
    repo = _sub_path_site(tmp_path / "org")
    bare = tmp_path / "remote.git"
    repo.git("init", "-q", "--bare", str(bare))
    for option in ("--remote-name", "-r"):  # the second deploy updates the branch
        deploy = subprocess.run(
            [sys.executable, "-m", "mkdocs", "gh-deploy", "--strict", option, str(bare)],
            cwd=repo.path,
            capture_output=True,
            text=True,
            env=user_env(repo),
            check=False,
        )
        assert deploy.returncode == 0, deploy.stdout + deploy.stderr
        if option == "--remote-name":
            repo.write("cards/b/TRL.md", card("B2", 3, extra="coupled: [A1]\n"))
            repo.commit("B2 to level 3", date="2024-03-01T09:00:00+00:00")
    published = _branch_files(bare)
    assert {
        ".nojekyll",
        "404.html",
        "sitemap.xml",
        "index.html",
        "readiness/index.html",
        "readiness/cards/A1/index.html",
        "readiness/levels/4/index.html",
        "readiness/schema/card-v1.json",
        "api/cards.json",
    } <= published
    assert not any(name.startswith((".cache/", "cards/", "docs/")) for name in published)
    log = repo.git("--git-dir", str(bare), "log", "--format=%s", "gh-pages").splitlines()
    assert len(log) == 2 and log[0].startswith(f"Deployed {repo.sha()[:7]} with MkDocs")
    page = repo.git("--git-dir", str(bare), "show", "gh-pages:readiness/cards/B2/index.html")
    assert "Level 3" in page or "level 3" in page


class _Links(HTMLParser):
    """Every `href` and `src` of a page, and Material's `__config` (the base of its search)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.canonical: str | None = None
        self._config = False
        self.config: dict[str, Any] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.links += [v for k, v in attrs if k in ("href", "src") and v]
        if tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href")
        self._config = tag == "script" and values.get("id") == "__config"

    def handle_data(self, data: str) -> None:
        if self._config:
            self.config = json.loads(data)
            self._config = False


class _SubPathHandler(SimpleHTTPRequestHandler):
    """A folder served under PREFIX only, with `404.html` for anything missing: GitHub Pages."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "not-under-the-prefix")
        return super().translate_path("/" + path[len(PREFIX) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never a proxy


def _get(url: str) -> tuple[int, str]:
    assert url.startswith("http://127.0.0.1:"), url
    try:
        with _LOCAL.open(url, timeout=10) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8", "replace")


def test_a_site_under_a_sub_path_resolves_every_link_there(tmp_path: Path) -> None:
    build = _sub_path_site(tmp_path / "org").build(strict=True)
    assert build.returncode == 0, build.log
    with serve(build.site, _SubPathHandler) as server:
        local = server.rstrip("/") + PREFIX

        def resolve(page_url: str, link: str) -> str | None:
            """The local URL a link of the page leads to; None for another site's."""
            url = urldefrag(urljoin(page_url, link))[0]
            if url.startswith(SITE_URL):
                return local + url[len(SITE_URL) :]
            return url if url.startswith(server) else None

        pages = {
            # GitHub Pages answers any missing address with 404.html: links resolve from there.
            local + "no/such/page/": 404,
            local + "readiness/": 200,
            local + "readiness/cards/A1/": 200,
        }
        targets: dict[str, set[str]] = {}
        for page_url, status in pages.items():
            code, html = _get(page_url)
            assert code == status, page_url
            parser = _Links()
            parser.feed(html)
            # Material's search loads its index from the `base` of its config.
            search = urljoin(page_url, parser.config["base"].rstrip("/") + "/")
            parser.links.append(search + "search/search_index.json")
            for link in parser.links:
                target = resolve(page_url, link)
                if target is not None:
                    targets.setdefault(target, set()).add(page_url)
        assert len(targets) >= 30, sorted(targets)
        assert local + "readiness/assets/trl-cards.css" in targets
        broken = {url: sorted(on) for url, on in targets.items() if _get(url)[0] != 200}
        assert broken == {}
        _, card_page = _get(local + "readiness/cards/A1/")
        assert f'<link rel="canonical" href="{SITE_URL}readiness/cards/A1/">' in card_page

        code, sitemap = _get(local + "sitemap.xml")
        assert code == 200
        listed = re.findall(r"<loc>(.*?)</loc>", sitemap)
        assert {SITE_URL, SITE_URL + "readiness/", SITE_URL + "readiness/cards/A1/"} <= set(listed)
        assert all(url.startswith(SITE_URL) for url in listed), listed
        assert [url for url in listed if _get(local + url[len(SITE_URL) :])[0] != 200] == []


def _pull_request_step() -> str:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    (step,) = [s for s in workflow["jobs"]["pull-request"]["steps"] if "trl-cards diff" in str(s)]
    assert step["env"] == {"BASE": "${{ github.event.pull_request.base.sha }}"}
    return str(step["run"])


def _run_pull_request_step(repo: GitRepo, base: str, tmp_path: Path) -> tuple[int, str, str]:
    """The step as GitHub runs it (`bash -e`), at the merge commit it checks out."""
    summary = tmp_path / "summary.md"
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    env = {
        **user_env(repo),
        "BASE": base,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _pull_request_step()],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return result.returncode, text, result.stdout + result.stderr


def test_the_pull_request_step_writes_what_changes_in_readiness(tmp_path: Path) -> None:
    repo = SiteRepo(tmp_path / "org")
    repo.write("cards/a/TRL.md", card("A1", 3, name="Alpha"))
    base = repo.commit("Add A1")
    repo.branch("feature")
    repo.write("cards/a/TRL.md", card("A1", 4, name="Alpha"))
    repo.write("cards/n/TRL.md", card("N1", 1, name="New work"))
    repo.commit("Promote A1, add N1")
    repo.checkout("main")
    repo.merge("feature", "Merge pull request 1")  # what actions/checkout gives a pull request
    code, summary, log = _run_pull_request_step(repo, base, tmp_path)
    assert code == 0, log
    assert summary.startswith("## Readiness changes\n\n~~~\n")
    assert "A1 Alpha: level 3 → 4" in summary and "N1 New work: new, at level 1" in summary


@pytest.mark.parametrize(
    ("base_site", "reason"),
    [
        ("", "does not exist"),  # a component repository
        ("site_name: Docs\n", "does not use the trl-cards plugin"),  # docs without the plugin
    ],
)
def test_the_pull_request_step_of_a_first_readiness_site_says_why_it_compares_nothing(
    base_site: str, reason: str, tmp_path: Path
) -> None:
    repo = GitRepo(tmp_path / "org")
    repo.write("README.md", "A component.\n")
    if base_site:
        repo.write("mkdocs.yml", base_site)
        repo.write("docs/index.md", "# Docs\n")
    repo.write("cards/a/TRL.md", card("A1", 3))
    base = repo.commit("A repository without a readiness site")
    site = SiteRepo(repo.path)  # the pull request adds the plugin
    site.commit("Add the readiness site")
    code, summary, log = _run_pull_request_step(site, base, tmp_path)
    assert code == 0, log
    assert "No readiness site on the base branch to compare with:\ntrl-cards: " in summary
    assert reason in summary and "~~~\n" in summary


def test_the_workflow_deploys_from_full_history_and_keeps_the_history_cache() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {"contents": "read"}
    for name in ("build", "pull-request"):
        steps = {s.get("uses", s.get("run", "")).split("@")[0]: s for s in jobs[name]["steps"]}
        assert steps["actions/checkout"]["with"]["fetch-depth"] == 0
        assert steps["actions/setup-python"]["with"]["cache"] == "pip"
        cache = steps["actions/cache"]["with"]
        assert cache["path"] == CACHE_FOLDER.as_posix()  # where the plugin keeps it
        assert cache["key"] == cache["restore-keys"] + "${{ github.sha }}"
        assert "mkdocs build --strict" in steps
    build = [s.get("uses", s.get("run", "")).split("@")[0] for s in jobs["build"]["steps"]]
    assert build[-2:] == ["mkdocs build --strict", "actions/upload-pages-artifact"]
    assert jobs["build"]["steps"][-1]["with"] == {"path": "site"}
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    # PyYAML reads the key `on` as True (YAML 1.1).
    triggers = workflow[True]
    assert set(triggers) == {"push", "pull_request", "workflow_dispatch"}
    assert jobs["build"]["if"] == "github.event_name != 'pull_request'"
    assert jobs["pull-request"]["if"] == "github.event_name == 'pull_request'"
