"""Approval files of a format (`approvals:` of an entry of `formats:` in mkdocs.yml): other files
of the repository, joined to the cards by id, that name who approved a component into a stage.

A Kubernetes enhancement proposal has its production-readiness approvals in a file of its own,
`keps/prod-readiness/sig-node/753.yaml`, a key per stage:

    kep-number: 753
    alpha: {approver: "@wojtek-t"}
    beta: {approver: "@wojtek-t"}

(`approver: "{stage}.approver"`, the key of each stage of the scale), while a process with one
file per approval names its stage in a key (`stage: stage`, `approver: approved-by`). Either
way a file gives `Approval`s; the history stage dates each by the commit that first recorded
it, and the model joins it to the change into that stage (`model.approvals`). Reading never
raises: what a file does not say is a problem of that file, which costs no card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .border import described, excerpt
from .grading import Found
from .id_template import fill_id, key_placeholders
from .keys import Unloadable, leaf, load_document, lookup, written_twice
from .kinds import ListOf, Report, Text
from .problem import Problem, Severity

__all__ = ["STAGE", "Approval", "ApprovalFiles"]

STAGE = "{stage}"
"""In the `approver` key of a file with a key per stage, where each stage's name goes."""

_PERSON = Text(one_line=True)
_PEOPLE = ListOf(_PERSON)


@dataclass(frozen=True)
class Approval:
    """One file's word that `approvers` let the component `card_id` into `stage`."""

    card_id: str
    stage: str
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class ApprovalFiles:
    """Which files hold a format's approvals, and which keys say what."""

    files: tuple[str, ...]
    id: str
    """The id template of the card each file is about, as a format's (`KEP-{kep-number}`)."""
    approver: str
    """The key of the approvers; with `{stage}` in it, a key per stage of the scale."""
    stages: tuple[str, ...]
    """The stages of the format's scale, lowest first."""
    stage: str | None = None
    """The key that names the stage, for a file per approval."""
    path_pattern: str | None = None
    where: str = "formats[0].approvals"

    def read(self, text: str, path: str) -> tuple[tuple[Approval, ...], tuple[Problem, ...]]:
        """The approvals a file gives, and what it does not say as it should; never raises."""
        try:
            return self._read(text, path)
        except Exception as error:  # one file must never cost the site
            return (), (self._problem(path, f"could not be read ({type(error).__name__})."),)

    def _problem(self, path: str, message: str, line: int | None = None) -> Problem:
        return Problem(
            path,
            f"The approval file {message}",
            f"Correct it, or leave it out of `{self.where}.files` in mkdocs.yml.",
            line=line,
            severity=Severity.WARNING,
        )

    def _read(self, text: str, path: str) -> tuple[tuple[Approval, ...], tuple[Problem, ...]]:
        loaded = load_document(text, path, self.where)
        if isinstance(loaded, Unloadable):
            return (), (self._problem(path, loaded.message, loaded.line),)
        data, source, first_line = loaded.data, loaded.source, loaded.first_line
        found = Found()
        report = found.reporter(lambda key: "the approval")
        read = (*key_placeholders(self.id), *self.keys, *([self.stage] if self.stage else []))
        written_twice(loaded, path, read, report)
        card_id = fill_id(self.id, self.path_pattern, self.where, data, source, path, report)
        approvals: list[Approval] = []
        if card_id is not None:
            for stage, key in self._stage_keys(data, report):
                present, value = lookup(data, key)
                if not present or value is None:
                    continue
                people = _PEOPLE if isinstance(value, list) else _PERSON
                checked = people.check(value, key, report)
                approvers = checked if isinstance(checked, list) else [checked] if checked else []
                if approvers:
                    approvals.append(Approval(card_id, stage, tuple(approvers)))
        return tuple(approvals), found.problems(source, first_line, path)

    def _stage_keys(self, data: dict[Any, Any], report: Report) -> list[tuple[str, str]]:
        """(stage, key of its approvers) for each stage the file can approve."""
        if self.stage is None:
            return [(s, self.approver.replace(STAGE, s)) for s in self.stages]
        present, value = lookup(data, self.stage)
        if not present or value is None:
            report(
                self.stage,
                f"is missing, and it names the stage approved (`stage: {self.stage}` in "
                f"`{self.where}` of mkdocs.yml).",
                f"Write one of {', '.join(self.stages)} after `{leaf(self.stage)}:`.",
            )
            return []
        written = str(value) if isinstance(value, str | int) else None
        stage = next(
            (s for s in self.stages if written is not None and s.casefold() == written.casefold()),
            None,
        )
        if stage is None:
            report(
                self.stage,
                f"is {described(value) if written is None else '`' + excerpt(written) + '`'}, "
                "which is no stage of the format's scale.",
                f"Write one of {', '.join(self.stages)}.",
            )
            return []
        return [(stage, self.approver)]

    @property
    def keys(self) -> Sequence[str]:
        """The approver keys it reads."""
        if self.stage is None:
            return [self.approver.replace(STAGE, s) for s in self.stages]
        return [self.approver]
