"""Installing this project in tests without a package index.

    files = project_files(ROOT)           # what a commit of the working tree would hold
    copy_files(ROOT, files, tmp_path / "project")
    deps = dependency_folder(tmp_path / "deps")   # the test environment's packages, less ours

A fresh environment that gets the project's wheel (or a checkout, with `pip install --no-deps`)
finds its dependencies in `dependency_folder(...)` through a `.pth` file or `PYTHONPATH`:
links to each entry of the test environment's site-packages except this project's own
(the editable install's dist-info and finder) and pip's, so that the only mkdocs-trl-cards it
can import is the one it installed, and its pip is its own.
"""

from __future__ import annotations

import subprocess
import sysconfig
from collections.abc import Iterable
from pathlib import Path

_LEFT_OUT = {"trl_cards", "pip"}
_LEFT_OUT_PREFIXES = (
    "mkdocs_trl_cards-",  # the editable install's dist-info
    "__editable__.mkdocs_trl_cards",  # and its finder, in either of setuptools' spellings
    "__editable___mkdocs_trl_cards",
    "pip-",
)


def project_files(root: Path) -> list[str]:
    """The files a commit of the working tree would hold: tracked, and untracked not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted({f for f in listed.stdout.split("\0") if f and (root / f).is_file()})


def copy_files(root: Path, files: Iterable[str], target: Path) -> Path:
    """Copy `files` (relative to `root`) into `target`, keeping the executable bit."""
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes((root / name).read_bytes())
        (target / name).chmod((root / name).stat().st_mode)
    return target


def dependency_folder(target: Path) -> Path:
    """A folder of links to the test environment's installed packages, less this project."""
    target.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name not in _LEFT_OUT and not entry.name.startswith(_LEFT_OUT_PREFIXES):
            (target / entry.name).symlink_to(entry)
    return target
