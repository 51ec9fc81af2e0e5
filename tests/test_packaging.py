"""The package as a user gets it: the sdist and the wheel, the wheel installed into a fresh
virtual environment, and a site built there; and the release workflow's check of the tag.

Nothing here reaches a package index. The build runs without an isolated build environment
(`python -m build --no-isolation`, with the backend from the test extras), in a copy of the
working tree so that no egg-info is read from or left in it. The fresh environment gets the
wheel with `pip install --no-deps` and `PIP_NO_INDEX`, and the test environment's dependencies
through a `.pth` file that names `offline.dependency_folder`, which leaves this project out:
the only mkdocs-trl-cards the fresh environment can import is the wheel's.
"""

from __future__ import annotations

import email
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import MKDOCS_YML, card
from gitrepo import GitRepo
from offline import copy_files, dependency_folder, project_files

ROOT = Path(__file__).parents[1]
VERSION = re.findall(r'^version = "(.+?)"', (ROOT / "pyproject.toml").read_text("utf-8"), re.M)[0]
WHEEL_NEEDS = ("outputs/templates/", "outputs/assets/", "cards/schema/", "py.typed")
"""What the package reads besides its modules: each must be in the wheel."""
SDIST_NEEDS = ("tests/", "tools/", "docs/", "cards/", "overrides/", ".github/workflows/")
SDIST_FILES = ("pyproject.toml", "mkdocs.yml", ".pre-commit-hooks.yaml", "LICENSE", "README.md")
"""What the test suite reads besides the package: each must be in the sdist."""

pytestmark = pytest.mark.skipif(
    not (ROOT / ".git").exists(), reason="compares the distributions with git's files"
)


@dataclass(frozen=True)
class Dists:
    """The sdist and the wheel built from the working tree, and the build's output."""

    sdist: Path
    wheel: Path
    log: str


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        "DISABLE_MKDOCS_2_WARNING": "true",
        "NO_MKDOCS_2_WARNING": "1",
        "NO_COLOR": "1",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    # A copy of the tree, so that no egg-info or build folder lands in (or is read from) ROOT.
    source = copy_files(ROOT, project_files(ROOT), tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source)
    log = built.stdout + built.stderr
    assert built.returncode == 0, log
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dists(sdist, wheel, log)


def test_the_build_is_of_this_version_and_warns_of_nothing_deprecated(dists: Dists) -> None:
    assert dists.sdist.name == f"mkdocs_trl_cards-{VERSION}.tar.gz"
    assert dists.wheel.name == f"mkdocs_trl_cards-{VERSION}-py3-none-any.whl"
    assert "deprecated" not in dists.log.lower(), dists.log


def test_the_wheel_has_every_file_of_the_package(dists: Dists) -> None:
    package = [
        f.removeprefix("plugin/")
        for f in project_files(ROOT)
        if f.startswith("plugin/trl_cards/") and not f.endswith(".pyc")
    ]
    with zipfile.ZipFile(dists.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = email.message_from_bytes(
            wheel.read(f"mkdocs_trl_cards-{VERSION}.dist-info/METADATA")
        )
    assert sorted(set(package) - names) == []
    for need in WHEEL_NEEDS:
        assert any(n.startswith("trl_cards/" + need) for n in names), need
    assert "trl_cards/outputs/templates/redirect.html" in names  # the one template outside *.md
    assert not [n for n in names if n.startswith(("tests/", "tools/", "cards/"))]
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert f"mkdocs_trl_cards-{VERSION}.dist-info/licenses/LICENSE" in names
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert urls["Documentation"] == "https://mkdocs-trl-cards.github.io/mkdocs-trl-cards/"
    assert urls["Source"] == "https://github.com/mkdocs-trl-cards/mkdocs-trl-cards"
    classifiers = metadata.get_all("Classifier") or []
    assert "Framework :: MkDocs" in classifiers and "Typing :: Typed" in classifiers
    assert {f"Programming Language :: Python :: 3.{m}" for m in (10, 11, 12, 13)} <= set(
        classifiers
    )


def test_the_sdist_has_what_the_tests_read(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    needed = [f for f in project_files(ROOT) if f.startswith(SDIST_NEEDS) or f in SDIST_FILES]
    assert set(SDIST_FILES) <= set(needed), "each of SDIST_FILES is in the project"
    assert sorted(set(needed) - names) == []
    assert not [n for n in names if n.endswith(".pyc") or n.startswith((".venv/", "site/"))]


def _fresh_venv(path: Path, wheel: Path, deps: Path) -> Path:
    """A new virtual environment with the wheel installed and the test environment's
    dependencies importable; returns its python."""
    made = _run(sys.executable, "-m", "venv", "--without-pip", path)
    assert made.returncode == 0, made.stderr
    python = path / "bin" / "python"
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site_packages = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    pth = Path(site_packages.stdout.strip()) / "test-dependencies.pth"
    pth.write_text(f"{dependency_folder(deps)}\n", encoding="utf-8")
    return python


def test_the_wheel_builds_a_site_in_a_fresh_environment(dists: Dists, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv", dists.wheel, tmp_path / "deps")
    where = _run(
        python,
        "-c",
        "import importlib.metadata as m, trl_cards; print(trl_cards.__file__); "
        "print([d.version for d in m.distributions() if d.name == 'mkdocs-trl-cards'])",
    )
    assert where.returncode == 0, where.stderr
    module, versions = where.stdout.splitlines()
    assert Path(module).is_relative_to(tmp_path / "venv"), "the wheel's package, not the tree's"
    assert versions == f"['{VERSION}']"

    repo = GitRepo(tmp_path / "site")
    repo.write("mkdocs.yml", MKDOCS_YML.format(options=""))
    repo.write("docs/index.md", "# Home\n")
    repo.write("cards/retina/TRL.md", card("P1", 4, name="Retina triage", extra="aliases: [R1]\n"))
    repo.commit("A first card")
    validated = _run(tmp_path / "venv" / "bin" / "trl-cards", "validate", cwd=repo.path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    built = _run(python, "-m", "mkdocs", "build", "--strict", cwd=repo.path)
    assert built.returncode == 0, built.stdout + built.stderr

    site = repo.path / "site"
    assert "Retina triage" in (site / "readiness" / "index.html").read_text("utf-8")
    assert "Retina triage" in (site / "readiness" / "cards" / "P1" / "index.html").read_text(
        "utf-8"
    )
    assert 'url=../P1/"' in (site / "readiness" / "cards" / "R1" / "index.html").read_text("utf-8")
    cards = json.loads((site / "api" / "cards.json").read_text("utf-8"))["cards"]
    assert [(c["id"], c["level"]) for c in cards] == [("P1", 4)]
    assets = {p.name for p in site.rglob("trl-cards.*")}
    assert {"trl-cards.css", "trl-cards.js"} <= assets


def _tag_check_script() -> str:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text("utf-8"))
    steps = workflow["jobs"]["release"]["steps"]
    (script,) = [s["run"] for s in steps if s.get("name", "").startswith("Check that the tag")]
    return str(script)


@pytest.mark.parametrize(("tag", "passes"), [(f"v{VERSION}", True), ("v9.9.9", False)])
def test_the_release_workflow_refuses_a_tag_that_is_not_the_version(
    tmp_path: Path, tag: str, passes: bool
) -> None:
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    result = subprocess.run(
        ["bash", "-e", "-c", _tag_check_script()],
        cwd=tmp_path,
        env={
            **os.environ,
            "GITHUB_REF_NAME": tag,
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if passes:
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"Releasing {VERSION}." in result.stdout
    else:
        assert result.returncode == 1
        assert (
            f"The tag v9.9.9 is not the version in pyproject.toml ({VERSION}). "
            'Fix: set version = "9.9.9"' in result.stdout
        )
