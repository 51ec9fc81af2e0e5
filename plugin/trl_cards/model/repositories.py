"""Links into a repository's web view: a card file at the built branch, and a commit.

Their templates come from outside (mkdocs.yml, another repository's export) and are filled by
plain substitution of the documented placeholders, never by `str.format`; a template is checked
when it is read (`template_problem`). Links are made in the repository's frame: a card's path is
relative to the folder of mkdocs.yml, which may be a subfolder of the repository (`base`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..cards.border import excerpt

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
"""A placeholder of a URL template: `{sha}`, `{path}`, `{branch}`."""

COMMIT_PLACEHOLDERS = ("sha",)
"""What a commit link template (`commit_url`) may hold."""


def fill(template: str, **values: str) -> str:
    """`template` with each `{name}` of `values` replaced by its value, URL-quoted, in one
    pass: a value is never read as a template itself (a branch named `wip{1}`), and nothing
    but the named placeholders is touched. Never `str.format`, which would read `{sha.x}` as
    an attribute and `{sha:>9999999}` as a width."""
    quoted = {name: quote(value, safe="/") for name, value in values.items()}
    return PLACEHOLDER.sub(lambda m: quoted.get(m[1], m[0]), template)


def template_problem(template: str, allowed: tuple[str, ...]) -> str | None:
    """Why `template` is not a URL template with only the placeholders `allowed`, or None.

    A URL template from outside (mkdocs.yml, an export) is checked when it is read, so that a
    mistyped `{SHA}` is named at once instead of a link that never works."""
    if not template.startswith(("https://", "http://")):
        return f"`{excerpt(template)}` is not an http(s) address"
    unknown = [name for name in PLACEHOLDER.findall(template) if name not in allowed]
    if not unknown:
        return None
    known = ", ".join(f"`{{{name}}}`" for name in allowed) or "none"
    return (
        f"`{excerpt(template)}` holds the placeholder `{{{excerpt(unknown[0])}}}`; "
        f"the placeholders it may hold: {known}"
    )


@dataclass(frozen=True)
class RepoLinks:
    """Links into the repository's web view: a file at the built branch, and a commit."""

    source: str | None = None
    """A URL template with `{path}` (the path from the repository root), and `{branch}`."""
    commit: str | None = None
    """A URL template with `{sha}`."""
    base: str = ""
    """The folder of mkdocs.yml inside the repository (`""`, or ending in `/`)."""
    branch: str = "main"
    """The branch `{branch}` stands for."""

    def source_url(self, path: str) -> str | None:
        """The web view of a card file, given its path relative to mkdocs.yml."""
        if self.source is None:
            return None
        return fill(self.source, path=self.base + path, branch=self.branch)

    def commit_url(self, sha: str) -> str | None:
        """The web view of a commit."""
        return None if self.commit is None else fill(self.commit, sha=sha)


# What the edit URI of each forge looks like, the branch in it, and its file and commit URLs
# (after the repository's URL).
_FORGES = (
    # GitLab: `-/edit/main/docs/`, `-/blob/main/docs/`
    (r"-/(?:edit|blob)/([^/]+)", "/-/blob/{branch}/{path}", "/-/commit/{sha}"),
    # Gitea and Forgejo: `src/branch/main/docs/`, `_edit/main/docs/`
    (r"(?:src/branch|_edit)/([^/]+)", "/src/branch/{branch}/{path}", "/commit/{sha}"),
    # Bitbucket: `src/main/docs/`
    (r"src/([^/]+)", "/src/{branch}/{path}", "/commits/{sha}"),
    # GitHub (MkDocs' default): `edit/main/docs/`, `blob/main/docs/`
    (r"(?:edit|blob|tree)/([^/]+)", "/blob/{branch}/{path}", "/commit/{sha}"),
)


def repo_links(
    repo_url: str | None,
    edit_uri: str | None,
    commit_url: str | None = None,
    base: str = "",
    branch: str | None = None,
) -> RepoLinks:
    """Source and commit links from MkDocs' `repo_url` and `edit_uri` (the branch is read from
    the edit URI, in the forge's own form, unless `branch` is given); an explicit `commit_url`
    wins. The repository's URL is text before the placeholders, never a template itself."""
    if not repo_url:
        return RepoLinks(None, commit_url, base)
    repo = _literal(repo_url.rstrip("/"))
    path = (edit_uri or "").lstrip("/")
    for pattern, source, commit in _FORGES:
        match = re.match(pattern, path)
        if match:
            return RepoLinks(
                repo + source, commit_url or repo + commit, base, branch or unquote(match[1])
            )
    return RepoLinks(
        repo + "/blob/{branch}/{path}", commit_url or repo + "/commit/{sha}", base, branch or "main"
    )


def _literal(url: str) -> str:
    """A URL as text inside a template: its own braces quoted, so none reads as a placeholder."""
    return url.replace("{", "%7B").replace("}", "%7D")
