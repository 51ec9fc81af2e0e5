"""The sample organisation on the project's own site: mkdocs-gen-files runs this script at every
build of the site (`mkdocs.yml`, `gen-files`), and it puts a generated organisation's whole
readiness site under `sample/`.

The organisation (48 components, four years to the start of this quarter, a release tag a year)
is generated once per quarter into `.cache/sample-org/` by `sample_org.py`, with the same seed,
so every build of a quarter shows the same history. Its pages are made by the core alone,
`build_project` and `generate_files`, exactly as `trl-cards generate` makes them for Zensical:
the plugin that builds this site's own `readiness/` pages never sees them.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_org import SampleSpec, cache_key, generate_organisation
from trl_cards.frontends.generate import generate_files
from trl_cards.model.pipeline import Settings, build_project

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "sample"
YEARS = 4


def sample_repository(today: dt.date) -> Path:
    """The sample organisation's repository for the quarter of `today`, generated if missing."""
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = quarter.replace(year=quarter.year - YEARS)
    spec = SampleSpec(cards=48, commits=2400, years=float(YEARS), seed=7, start=start)
    target = ROOT / ".cache" / "sample-org" / cache_key(spec)
    if not (target / ".git").is_dir():
        generate_organisation(target, spec)
        _tag_releases(target)
    return target


def _tag_releases(repository: Path) -> None:
    """A release tag at the end of each year of history (`v1.0`, `v2.0`, ...)."""
    log = subprocess.run(
        ["git", "-C", str(repository), "log", "--first-parent", "--format=%H %cs", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    commits = list(zip(log[::2], log[1::2], strict=True))[::-1]  # oldest first
    first = dt.date.fromisoformat(commits[0][1])
    for year in range(1, YEARS):
        due = first.replace(year=first.year + year)
        sha = next((sha for sha, day in commits if dt.date.fromisoformat(day) >= due), None)
        if sha:
            subprocess.run(
                ["git", "-C", str(repository), "tag", f"v{year}.0", sha],
                check=True,
            )


NOTE = """
# Readiness dashboard

!!! info "A generated organisation"
    These components, people and four years of history are made up by `tools/sample_org.py`,
    so that this site can show what a readiness site looks like with history: the trends, the
    [milestones](changes/index.md), each card's timeline and reviews. The readiness of this
    project's own example cards is in the [Readiness](../readiness/index.md) section.
"""


def main() -> None:
    config = mkdocs_gen_files.config
    repository = sample_repository(dt.date.today())
    settings = Settings(
        repository,
        prefix=PREFIX,
        milestone_tags="v*",
        directory_urls=config.use_directory_urls,
        site_url=config.site_url,
    )
    files, failures = generate_files(build_project(settings))
    dashboard = str(files["index.md"])
    files["index.md"] = dashboard.replace("\n# Readiness dashboard\n", NOTE, 1)
    for problem in failures:
        print(f"sample organisation: {problem}", file=sys.stderr)
    for relative, content in files.items():
        with mkdocs_gen_files.open(f"{PREFIX}/{relative}", "wb") as out:
            out.write(content if isinstance(content, bytes) else content.encode("utf-8"))


main()
