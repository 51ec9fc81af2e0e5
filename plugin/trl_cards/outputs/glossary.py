"""The words the readiness site uses, each with one meaning: the glossary page of every site
(`readiness/glossary/`), the explanation a term carries where it appears (`term` in the
templates), and the glossary of docs/reading.md (a test keeps it equal to these)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.transitions import TransitionKind

__all__ = ["KIND_WORDS", "TERMS", "Term", "definition", "glossary_table"]


@dataclass(frozen=True)
class Term:
    """A word of the site: its anchor on the glossary page, the word, and what it means."""

    key: str
    word: str
    meaning: str


TERMS: tuple[Term, ...] = (
    Term(
        "level",
        "Level",
        "A component's readiness on the Machine Learning Technology Readiness Levels (MLTRL, "
        "Lavin et al., Nature Communications 2022): 0 (first principles) to 9 (deployment). "
        "The card says its level; the site reads every change of it from git.",
    ),
    Term(
        "phase",
        "Phase",
        "Levels come in four phases: research (0-2), prototyping (3-5), productization (6-8) "
        "and deployment (9). Each has its colour, and its name is always written beside it.",
    ),
    Term(
        "gate",
        "Gate",
        "The review at the end of a level that decides whether the component moves on, stays, "
        "or goes back. The card records it as a review (a stage debrief: what was "
        "accomplished, punted, learned, and the tech debt).",
    ),
    Term(
        "next-gate",
        "Next gate",
        "The review that ends the component's current level: what it checks (in the MLTRL "
        "paper's words), the card's own requirements, and who reviews it.",
    ),
    Term(
        "advance",
        "Advance",
        "A change of level up to the next one (or to the next stage of the file's own scale, "
        "for a format other than the TRL card).",
    ),
    Term(
        "jump",
        "Jump",
        "A change of level up past one or more levels: the gates of the levels in between were "
        "not held. The card JSON calls it `skip`.",
    ),
    Term(
        "switchback",
        "Switchback",
        "A change of level down. The paper names three kinds: discovery (from a finding), "
        "embedded (planned in the process: 4 to 2, 9 to 4) and review (decided at a gate, "
        "commonly 5 to 4). A switchback below the level the component entered at is flagged "
        "as invalid.",
    ),
    Term(
        "entry",
        "First record",
        "The level a card has in the first commit of its file: it was at that level by then, "
        "but when it got there is not known, so a first record is not a promotion (a "
        "repository that added all its cards in one commit records them all that day). A "
        "component need not start at 0: one brought in from elsewhere has the level it had.",
    ),
    Term(
        "skipped",
        "Skipped gate",
        "A level change with no review record for it in the card: nobody wrote down who let "
        "the component through, or why.",
    ),
    Term(
        "exemption",
        "Passed by exemption",
        "A gate the organisation let a component pass without a review, on purpose: the card "
        "records it (`kind: exemption`) with the reason, who granted it and the day it "
        "expires. It is never a skipped gate; once it expires, the gate is flagged again "
        "(*Exemption expired*) until a review is recorded or the exemption renewed.",
    ),
    Term(
        "expired",
        "Exemption expired",
        "A gate passed by exemption whose expiry day has passed: the gate needs its review "
        "now, or a renewed exemption.",
    ),
    Term(
        "gate-check",
        "Gate check",
        "What the site finds when it checks a gate's record against the history: a required "
        "gate without a record or with too few reviewers (errors, when the site requires "
        "gates), an exemption that expired, and a record that cannot be taken at its word (a "
        "reviewer who made the change, by name, address or the repository's mailmap; a "
        "reviewer the card does not name; a record dated after the change, or long before "
        "it). The *Gates* page lists them all.",
    ),
    Term(
        "due",
        "Review due",
        "The component has been at its level longer than 9 in 10 stays there lasted across the "
        "organisation (where fewer than five stays have ended at that level, longer than "
        "STALE_DAYS days), with no review of that level since it arrived. Level 9 has no gate "
        "after it, so nothing is due there.",
    ),
    Term(
        "stale",
        "Stale",
        "No change to the card for more than STALE_DAYS days. A review is recorded by changing "
        "the card, so it counts as a change.",
    ),
    Term(
        "recent",
        "Switched back this quarter",
        "A switchback (a change of level down) that landed in the current quarter.",
    ),
    Term(
        "problem",
        "Card problems",
        "Something in a card file that the site could not use as written. An error leaves the "
        "card out until it is fixed; a warning keeps the card and leaves out only what it "
        "names. Each problem says the file, the line and the fix.",
    ),
    Term(
        "time-at-level",
        "Time at a level",
        "How long components stayed at a level before they left it: the median (half stayed "
        "less), and the 90th percentile (nine in ten stayed less). Only stays that ended "
        "count.",
    ),
    Term(
        "system",
        "System",
        "A card that lists `parts`: a system is only as ready as its least ready part, whatever "
        "its own card says. The part that sets its level holds it down.",
    ),
    Term(
        "promoted",
        "Promoted",
        "Between two milestones: a component at a higher level at the later one than at the "
        "earlier, however many changes it made in between (switched back likewise, lower).",
    ),
    Term(
        "milestone",
        "Milestone",
        "A moment the organisation's readiness is taken at: each quarter's end, each release "
        "tag the site names, and today. Each has a page of what changed since the one before.",
    ),
    Term(
        "closed",
        "Closed",
        "A component whose own format says it is closed rather than rated (declined, "
        "withdrawn, deferred: the format's `closed` statuses). It keeps its page and its "
        "history, at the last level it was rated at, and counts in no readiness figure.",
    ),
    Term(
        "target",
        "Target",
        "The level a card's team means to reach, and by when. Met: the component is at that "
        "level or above. Late: the day has passed. At risk: at the organisation's median time "
        "at each level on the way (or the card's own pace, where the organisation has none), "
        "it gets there after the day. On track: otherwise.",
    ),
)
"""Every term, in the order the glossary lists them."""


def definition(key: str, stale_days: int) -> str:
    """What the term `key` means on a site whose cards go stale after `stale_days`."""
    meaning = next(t.meaning for t in TERMS if t.key == key)
    return meaning.replace("STALE_DAYS", str(stale_days))


def glossary_table(stale_days: int = 365) -> str:
    """Every term as a Markdown table, for docs/reading.md (a test keeps the two equal)."""
    rows = [f"| **{t.word}** | {definition(t.key, stale_days)} |" for t in TERMS]
    return "\n".join(["| Term | Meaning |", "| --- | --- |", *rows]) + "\n"


KIND_WORDS: dict[TransitionKind, tuple[str, str, str]] = {
    TransitionKind.ENTRY: ("entry", "first record", "first records"),
    TransitionKind.ADVANCE: ("advance", "advance", "advances"),
    TransitionKind.SKIP: ("jump", "jump", "jumps"),
    TransitionKind.SWITCHBACK: ("switchback", "switchback", "switchbacks"),
    TransitionKind.INVALID_SWITCHBACK: ("switchback", "invalid switchback", "invalid switchbacks"),
}
"""Each kind of level change as the site writes it: (glossary key, one, many). The card JSON
keeps the paper's names (`skip`); the site says "jump", so that "skipped" means one thing: a
gate passed without a review record."""
