"""Generate sample organisations: git repositories of components that carry TRL cards.

The generator is the fixture behind the demo site, the history tests and the benchmark. It
simulates an organisation's monorepo, in which teams keep a `TRL.md` card next to each
component's code and move the components through the MLTRL levels over a few years: gated
reviews with debriefs, skipped gates, jumps, switchbacks of every kind, 7<->8 version loops,
renames into other teams, feature branches merged with merge commits, and the odd commit that
breaks a card's YAML until someone fixes it. Gated reviews come to the components that have
waited longest, and a few cards are left alone for good, so that a history which ends today
(`end`, as the demo has it) shows a living organisation: most cards changed this year, some
stale, a few reviews due.

The whole history is streamed into ONE `git fast-import` process, so 50,000 commits take seconds,
not the hours that a process per commit would. Everything is drawn from `random.Random(seed)`
with fixed people, dates and time zones, so one spec always yields the same commit shas.

While it writes, the generator keeps the truth about every card (its entry level, how many level
transitions it went through, and so on) and writes it as a tab-separated file inside the
repository's `.git` directory, where it does not disturb the work tree or the shas; tests of the
history reconstruction compare against it.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO

from trl_cards.cards.card import Card, Debrief, Ethics, Requirement, Review, Risk
from trl_cards.cards.formats import TRL

__all__ = [
    "TRUTH_COLUMNS",
    "SampleSpec",
    "SampleSummary",
    "cache_key",
    "generate_organisation",
    "main",
    "truth_path",
]


@dataclass(frozen=True)
class SampleSpec:
    """What organisation to generate."""

    cards: int = 100
    """Number of components, each with one card (`TRL.md`) and one code file."""
    commits: int = 5000
    """Exact number of commits reachable from `main`, merges and branch commits included."""
    years: float = 3.0
    """Time span of the history, from `start` (or up to `end`)."""
    seed: int = 1
    """Seed of the only random generator; the same spec gives the same commit shas."""
    start: date = date(2022, 1, 3)
    """Day of the first commit (at 09:00 UTC), unless `end` is given."""
    end: date | None = None
    """Day the history ends on: its last commit is before 09:00 UTC that day, its first `years`
    earlier (`start` is then not used). A demo passes today, so that its cards' last changes,
    stale cards and reviews due read as they would in a living organisation."""
    branch_rate: float | None = None
    """Chance per commit on `main` of opening a feature branch; by default a few per component.
    Real repositories merge much more: 0.15 with `branch_commits=8` puts about two thirds of
    the commits on side branches."""
    branch_commits: int = 3
    """The most commits on one feature branch before its merge."""
    branch_card_share: float = 1.0
    """The share of feature branches that edit their component's card (in one of their
    commits); the others change only code, as most pull requests of a real repository do."""
    id_prefix: str = ""
    """Put before every card id (`V-P001.1`), so that the organisations of several
    repositories have ids of their own."""


@dataclass(frozen=True)
class SampleSummary:
    """What `generate_organisation` built, with totals taken while generating."""

    path: Path
    """The repository (work tree) with `main` checked out."""
    cards: int
    """Number of cards at HEAD."""
    commits: int
    """Number of commits reachable from `main`."""
    card_revisions: int
    """Card contents written by non-merge commits: creations, edits, renames, broken and fixed."""
    transitions: int
    """Level changes after the entry level, summed over all cards (see the truth file)."""
    renames: int
    """Commits that move a component directory to another team and edit its card."""
    merges: int
    """Merge commits of feature branches into `main`."""
    seconds: float
    """Wall-clock time of the generation, checkout included."""
    truth: Path
    """The per-card truth file (tab-separated, one line per card, `TRUTH_COLUMNS` as header)."""


TRUTH_COLUMNS = (
    "id",
    "path",
    "entry",
    "level",
    "revisions",
    "transitions",
    "advances",
    "switchbacks",
    "skipped_gates",
    "jumps",
    "stays",
    "reviews",
    "invalid_switchbacks",
    "renames",
    "broken",
)
"""Header of the truth file, one line per card sorted by id.

`revisions` counts every card content written by a non-merge commit (as
`SampleSummary.card_revisions`). The other counts are over the card's parseable revisions in
commit order: `transitions` = level changes after the entry (`advances` + `switchbacks`);
`skipped_gates` = level changes committed without a new review record; `jumps` = advances of
more than one level; `stays` = `stay` reviews; `reviews` = review records at HEAD;
`invalid_switchbacks` = switchbacks below the lowest level the card had had; `renames` = moves
of its directory; `broken` = revisions whose front matter is deliberately invalid YAML (each
fixed by a later commit).
"""


def truth_path(repository: Path) -> Path:
    """Where `generate_organisation` writes the truth file of a generated repository."""
    return repository / ".git" / "trl-sample-truth.tsv"


@dataclass(frozen=True)
class _Person:
    name: str
    email: str
    tz_minutes: int
    role: str  # "engineer", "researcher" or "pm": decides who reviews and owns what


_PEOPLE = (
    _Person("Dana Whitfield", "dana.whitfield@example.org", -300, "engineer"),
    _Person("Omar Haddad", "omar.haddad@example.org", 60, "researcher"),
    _Person("Priya Natarajan", "priya.natarajan@example.org", 330, "pm"),
    _Person("Kenji Mori", "kenji.mori@example.org", 540, "engineer"),
    _Person("Léa Moreau", "lea.moreau@example.org", 60, "researcher"),
    _Person("Mateus Oliveira", "mateus.oliveira@example.org", -180, "engineer"),
    _Person("Ingrid Halvorsen", "ingrid.halvorsen@example.org", 60, "pm"),
    _Person("Samuel Okafor", "samuel.okafor@example.org", 0, "engineer"),
    _Person("Rosa Delgado", "rosa.delgado@example.org", -480, "researcher"),
    _Person("Tomasz Wójcik", "tomasz.wojcik@example.org", 60, "engineer"),
    _Person("Aisha Rahman", "aisha.rahman@example.org", 0, "researcher"),
    _Person("Felix Brandt", "felix.brandt@example.org", 60, "pm"),
)
_MAINTAINER = _PEOPLE[0]
_RESEARCHERS = tuple(p for p in _PEOPLE if p.role == "researcher")
_PMS = tuple(p for p in _PEOPLE if p.role == "pm")
# People travel: a few commits carry a time zone that is nobody's home, half-hour ones included,
# because history code that assumes whole-hour offsets or one zone per author is wrong.
_TRAVEL_TZ = (330, -480, 345, -210, 600)

_TEAMS: dict[str, tuple[int, ...]] = {
    "vision": (0, 1, 7),
    "language": (4, 9, 10),
    "speech": (3, 5, 8),
    "forecasting": (5, 10, 0),
    "ranking": (7, 9, 1),
    "risk": (8, 3, 4),
    "health": (1, 7, 10),
    "platform": (0, 9, 5),
}
_TEAM_TAGS = {
    "vision": "computer-vision",
    "language": "nlp",
    "speech": "speech",
    "forecasting": "forecasting",
    "ranking": "ranking",
    "risk": "finance",
    "health": "medical",
    "platform": "infrastructure",
}
_REGIONS = (
    "emea", "americas", "apac", "nordics", "iberia", "benelux", "dach", "anz", "india", "japan",
    "brazil", "canada",
)  # fmt: skip
# Components per team before the organisation splits teams by region. Git rewrites a team's
# tree in every commit that touches one of its components, so a 1,250-entry team directory
# would make a 10,000-card history several times slower to import (and no real team is that big).
_COMPONENTS_PER_TEAM = 80


def _team_names(cards: int) -> tuple[str, ...]:
    """The organisation's teams: the base teams, then regional ones as it grows."""
    count = max(len(_TEAMS), -(-cards // _COMPONENTS_PER_TEAM))
    names = list(_TEAMS)
    for region in _REGIONS:
        names += [f"{team}-{region}" for team in _TEAMS]
    k = 2
    while len(names) < count:
        names += [f"{team}-{k}" for team in _TEAMS]
        k += 1
    return tuple(names[:count])


def _members(team: str) -> tuple[int, ...]:
    # Regional teams share the people of their base team: the pool of people is small on purpose.
    return _TEAMS[team.split("-")[0]]


def _team_tag(team: str) -> str:
    return _TEAM_TAGS[team.split("-")[0]]


# (name stem, what it is for, dataset stem)
_DOMAINS = (
    ("Retinal scan triage", "flagging retinal scans for specialist review", "clinic-scans"),
    ("Demand forecast", "daily demand per store and product", "orders"),
    ("Fraud signal", "scoring card payments for fraud", "payments"),
    ("Keyword spotting", "wake-word detection on device", "voice-clips"),
    ("Search ranking", "ordering search results by relevance", "query-logs"),
    ("Churn risk", "predicting which customers will leave", "accounts"),
    ("Invoice OCR", "reading totals and dates from scanned invoices", "invoices"),
    ("Route planning", "planning delivery routes", "gps-traces"),
    ("Anomaly alert", "alerting on unusual metric behaviour", "metrics"),
    ("Review sentiment", "classifying the sentiment of product reviews", "reviews"),
    ("Product embedding", "embedding products for similarity search", "catalogue"),
    ("Crop yield", "estimating crop yield from satellite images", "satellite-tiles"),
    ("Energy load", "forecasting grid load", "meter-readings"),
    ("Lidar segmentation", "segmenting lidar point clouds", "lidar-sweeps"),
    ("Credit limit", "proposing credit limits", "loan-book"),
    ("Claims triage", "routing insurance claims", "claims"),
    ("Translation memory", "reusing past translations", "parallel-corpus"),
    ("Price elasticity", "estimating price elasticity", "price-tests"),
    ("Shelf recognition", "recognising products on shop shelves", "shelf-photos"),
    ("Call intent", "classifying the intent of support calls", "call-transcripts"),
    ("Document layout", "finding tables and figures in documents", "pdf-pages"),
    ("Supplier risk", "scoring supplier risk", "supplier-events"),
    ("Traffic flow", "forecasting traffic flow", "loop-detectors"),
    ("Sensor drift", "detecting drifting sensors", "sensor-logs"),
    ("Query rewriting", "rewriting ambiguous search queries", "query-logs"),
    ("Image deduplication", "finding near-duplicate images", "image-store"),
    ("Voice activity", "detecting speech in audio streams", "voice-clips"),
    ("Weather nowcast", "nowcasting rain for the next two hours", "radar-frames"),
    ("Readmission risk", "predicting hospital readmissions", "discharges"),
    ("Defect detection", "spotting defects on the production line", "line-camera"),
    ("Language identification", "identifying the language of short texts", "web-snippets"),
    ("Recommendation recall", "retrieving candidate recommendations", "click-logs"),
    ("Toxicity filter", "filtering toxic comments", "comments"),
    ("Address geocoding", "turning addresses into coordinates", "addresses"),
    ("Battery degradation", "predicting battery health", "cycle-logs"),
    ("Radiology report", "drafting radiology report summaries", "radiology-notes"),
    ("Turbine health", "predicting wind turbine failures", "turbine-scada"),
    ("Named entity", "tagging people, places and products in text", "news-articles"),
    ("Speaker diarisation", "separating speakers in recordings", "meeting-audio"),
    ("Ad relevance", "scoring ad relevance", "ad-impressions"),
)
# (kind word in the name, code file next to the card)
_KINDS = (
    ("model", "model.py"),
    ("model", "model.py"),
    ("classifier", "model.py"),
    ("ranker", "model.py"),
    ("estimator", "model.py"),
    ("data pipeline", "pipeline.py"),
    ("feature pipeline", "features.py"),
    ("labelling pipeline", "pipeline.py"),
    ("service", "service.py"),
    ("library", "module.py"),
    ("system", "system.py"),
)
_QUALIFIERS = (
    "",
    "",
    "",
    "",
    "Realtime",
    "Batch",
    "Edge",
    "Multilingual",
    "Streaming",
    "Federated",
    "Lightweight",
    "Causal",
    "Explainable",
    "Bayesian",
    "Regional",
    "Second-generation",
    "Privacy-preserving",
    "Low-latency",
    "Semi-supervised",
    "Hierarchical",
)
_TAGS = (
    "tabular",
    "realtime",
    "batch",
    "edge",
    "gpu",
    "pii",
    "safety-critical",
    "experimental",
    "retail",
    "energy",
    "privacy",
    "open-source",
    "customer-facing",
    "internal",
)
_ALGORITHMS = (
    "Gradient-boosted trees",
    "A fine-tuned transformer encoder",
    "A convolutional network",
    "Bayesian optimisation over a Gaussian-process surrogate",
    "A logistic regression baseline",
    "A temporal fusion transformer",
    "Rule-based heuristics with a learned re-ranker",
    "A two-tower retrieval model",
    "A conditional random field",
    "An isolation forest",
)
_METRICS = ("Recall", "Precision", "F1", "AUROC", "Top-5 accuracy", "NDCG@10", "Calibration")
_PUNTED = (
    "the legacy camera model",
    "streaming input",
    "multi-region failover",
    "non-English inputs",
    "GPU-free inference",
    "the 2019 backfill",
    "explanations in the UI",
    "per-tenant thresholds",
    "batch re-scoring",
    "the mobile client",
)
_LEARNED = (
    "Data quality matters more than architecture.",
    "Label noise caps the achievable recall.",
    "The offline metric tracks the online one only loosely.",
    "Latency is dominated by feature lookups, not the model.",
    "Users need confidence scores, not just labels.",
    "A simple baseline was within 2% of the complex model.",
    "Seasonality breaks the random train/test split.",
    "Reviewers want failure cases, not averages.",
    "The hand-off needs a named product owner early.",
)
_TECH_DEBT = (
    "Preprocessing duplicated between training and serving.",
    "Paid down: the notebook code now lives in the package.",
    "Hard-coded thresholds in two places.",
    "No retraining schedule yet.",
    "Paid down: flaky integration test fixed.",
    "Feature definitions copied from another team.",
    "Model artefacts stored by hand, not by the pipeline.",
    "Paid down: configuration moved out of the code.",
)
_CAVEATS = (
    "Accuracy drops on inputs from before 2020.",
    "Not evaluated on minority dialects.",
    "Scores are not calibrated across regions.",
    "Cold-start items get default scores.",
    "Night-time images are under-represented.",
    "Assumes at most one event per minute.",
    "Performance degrades when more than 30% of features are missing.",
    "Thresholds were tuned for precision, not recall.",
)
_CODE_CHANGES = (
    "tune the decision threshold",
    "refactor preprocessing",
    "fix off-by-one in windowing",
    "add unit tests",
    "speed up batch inference",
    "bump pinned dependencies",
    "log the model version with each prediction",
    "handle empty inputs",
    "cache feature lookups",
    "remove dead code",
    "add type hints",
    "retrain on the latest data",
)
_REVIEW_BOARD = "Research Review Board"
_QA = "QA Guild"
_ETHICS_STATUSES = ("not started", "in progress", "complete")

_DORMANT = 0.08
"""The share of components whose card is left alone from some day on, more than `_QUIET_DAYS`
before the end of the history (their code may still change): a history that ends today has
stale cards, as a real organisation does, beside the many that changed this year."""
_QUIET_DAYS = 420

_GATE_DRAWS = 4
"""Components drawn for each gated review on main, the one that waited longest taken, as teams
review what has sat at its level a while: a few cards overstay (reviews due), not the third of
them that one uniform draw left (measured on 120 cards and 6,000 commits over three years)."""


@dataclass
class _Requirement:
    id: str
    text: str
    p_failure: float | None
    value: int | None


@dataclass
class _Review:
    date: str
    from_level: int
    to_level: int
    decision: str
    reviewers: list[str]
    kind: str | None
    debrief: tuple[str, str, str, str]  # accomplished, punted, learned, tech_debt
    link: str


@dataclass
class _Truth:
    """What the history of one card must reconstruct to."""

    revisions: int = 0
    transitions: int = 0
    advances: int = 0
    switchbacks: int = 0
    skipped_gates: int = 0
    jumps: int = 0
    stays: int = 0
    invalid_switchbacks: int = 0
    renames: int = 0
    broken: int = 0


@dataclass(eq=False)
class _Component:
    """A component's state: its card, its code and the truth about its history."""

    card_id: str
    name: str
    slug: str
    team: str
    kind: str
    code_file: str
    research: bool
    purpose: str
    level: int
    entry: int
    dataset: str
    algorithm: str
    owners: list[str]
    reviewers: list[str]
    tags: list[str]
    links: dict[str, str]
    ethics_link: bool
    coupled: list[str]
    requirements: list[_Requirement]
    caveats: list[str]
    tldr: str
    coverage: int
    dataset_version: int = 1
    min_level: int = 0
    reviews: list[_Review] = field(default_factory=list)
    threshold: float = 0.5
    functions: list[tuple[int, str]] = field(default_factory=list)
    next_function: int = 1
    locked: bool = False
    quiet_from: int | None = None
    """The slot from which nobody edits the card any more (see `_DORMANT`); None: never."""
    gated_at: int = 0
    """The slot of the card's last level change or gated review."""
    truth: _Truth = field(default_factory=_Truth)

    @property
    def directory(self) -> str:
        return f"teams/{self.team}/{self.slug}"

    @property
    def card_path(self) -> str:
        return f"{self.directory}/TRL.md"

    @property
    def code_path(self) -> str:
        return f"{self.directory}/{self.code_file}"

    @property
    def cap(self) -> int:
        # Research components stay research: their R ids would lie above level 4.
        return 4 if self.research else 9


def _ethics_status(level: int) -> str:
    # The paper's example cards show the checklist in progress at 4 and complete at 8.
    if level < 3:
        return _ETHICS_STATUSES[0]
    return _ETHICS_STATUSES[1] if level < 8 else _ETHICS_STATUSES[2]


def _render_card(c: _Component) -> str:
    """The card file, written by the TRL format's own writer: the front matter, then the
    official sections."""
    ethics = None
    if c.level >= 2:
        link = f"https://wiki.example.org/{c.slug}/ethics" if c.ethics_link else None
        ethics = Ethics(_ethics_status(c.level), link)
    card = Card(
        id=c.card_id,
        name=c.name,
        level=c.level,
        path=c.card_path,
        owners=tuple(c.owners),
        reviewers=tuple(c.reviewers),
        tags=tuple(c.tags),
        links=tuple(c.links.items()),
        ethics=ethics,
        coupled=tuple(c.coupled),
        requirements=tuple(
            Requirement(
                req.id,
                req.text,
                None
                if req.p_failure is None or req.value is None
                else Risk(round(req.p_failure, 2), req.value),
            )
            for req in c.requirements
        ),
        reviews=tuple(
            Review(
                date.fromisoformat(rv.date),
                rv.from_level,
                rv.to_level,
                rv.decision,
                tuple(rv.reviewers),
                rv.kind,
                Debrief(*rv.debrief),
                rv.link,
            )
            for rv in c.reviews
        ),
        body="\n".join(_render_body(c)) + "\n",
    )
    return TRL.write(card)


def _render_body(c: _Component) -> list[str]:
    tier = "research" if c.level <= 2 else "prototype" if c.level <= 5 else "product"
    testing = {
        "research": "notebooks reproduce the headline result",
        "prototype": "integration tests run on every merge",
        "product": "canary and shadow tests gate each release",
    }[tier]
    out = ["## TL;DR", c.tldr, "", "## Top-level requirements"]
    out += [f"{i}. {req.id}: {req.text}" for i, req in enumerate(c.requirements, 1)]
    out += [
        "",
        "## Model/algorithm info",
        f"{c.algorithm} trained on `{c.dataset}` v{c.dataset_version}; {tier} code.",
        "",
        "## Intended use",
        f"Intended: decision support for {c.purpose}.",
        "Unacceptable: fully automated decisions without a human in the loop.",
        "",
        "## Testing status",
        f"Unit tests cover {c.coverage}% of the code; {testing}.",
        "",
        "## Data considerations",
        f"Trained and evaluated on `{c.dataset}` v{c.dataset_version} (internal).",
        "",
        "## Caveats, known edge cases, recommendations",
        *(f"- {caveat}" for caveat in c.caveats),
        "",
        "## Stage debrief",
    ]
    if not c.reviews:
        return [*out, "No gated review yet."]
    last = c.reviews[-1]
    accomplished, punted, learned, debt = last.debrief
    return [
        *out,
        f"Gate review of {last.date}: {last.from_level} → {last.to_level}, {last.decision}.",
        "",
        f"- Accomplished: {accomplished}",
        f"- Punted: {punted}",
        f"- Learned: {learned}",
        f"- Tech debt: {debt}",
    ]


def _render_code(c: _Component) -> str:
    head = f'"""{c.name}: {c.kind} code of the {c.team} team."""\n\nTHRESHOLD = {c.threshold:.2f}\n'
    body = "".join(
        f"\n\ndef step_{k}(x: float) -> float:\n    return x * {factor}\n"
        for k, factor in c.functions
    )
    return head + body


def _render_readme(spec: SampleSpec, news: list[str]) -> str:
    lines = [
        "# Example organisation",
        "",
        "A fictional monorepo generated by `tools/sample_org.py`: every component under",
        "`teams/<team>/<component>/` carries an MLTRL card in `TRL.md` next to its code.",
        "",
        f"Seed {spec.seed}, {spec.cards} components, {spec.commits} commits.",
    ]
    if news:
        lines += ["", "## News", "", *(f"- {item}" for item in news)]
    return "\n".join(lines) + "\n"


@dataclass(eq=False)
class _Task:
    """Work that spans several commits: a feature branch, a broken card and its fix, a creation.

    `steps` are done in order, one commit each, at or after their `dues` slots.
    """

    steps: list[str]
    dues: list[int]
    component: _Component | None = None
    cards: int = 0
    branch: str = ""
    position: int = 0
    tip: int = 0  # mark of the branch's last commit


@dataclass(frozen=True)
class _Change:
    path: str
    content: str | None  # None deletes the path (recursively for a directory)


class _Organisation:
    """The simulation: one instance writes one repository's fast-import stream."""

    def __init__(self, spec: SampleSpec, stream: IO[bytes]) -> None:
        self.spec = spec
        # A simulation, not cryptography: reproducibility from the seed is the point.
        self.rng = random.Random(spec.seed)  # noqa: S311
        self.stream = stream
        self.components: list[_Component] = []
        self.research_ids: list[str] = []
        self.product_ids: list[str] = []
        self.slugs: set[str] = set()
        self.news: list[str] = []
        self.pending: list[tuple[int, int, _Task]] = []
        self.pending_steps = 0
        self.task_seq = 0
        self.mark = 0
        self.main_mark = 0
        self.branches: list[str] = []
        self.renames = 0
        self.merges = 0
        self.id_width = max(3, len(str(spec.cards)))
        self.teams = _team_names(spec.cards)
        span = spec.years * 365.25 * 86400
        self.start_epoch = _first_epoch(spec, span)
        self.seconds_per_slot = span / spec.commits
        self.slots_per_day = spec.commits / (spec.years * 365.25)
        # Rates scale with cards per commit so that a 20-card and a 10,000-card organisation
        # both get a handful of renames, merges and broken cards per component.
        density = spec.cards / spec.commits
        rates = (
            min(0.02, 0.15 * density),  # rename
            min(0.03, 0.6 * density) if spec.branch_rate is None else spec.branch_rate,  # branch
            min(0.002, 0.03 * density),  # break a card's YAML
            0.054,  # level change or review on main
            0.066,  # card text edit on main
            0.004,  # README edit; everything else is ordinary code work
        )
        self.thresholds = tuple(itertools.accumulate(rates))

    def run(self) -> None:
        """Write every commit, then the `done` that tells fast-import the stream is complete."""
        spec = self.spec
        total = spec.commits
        # About a tenth of the components predate the repository and arrive in its root commit.
        initial = spec.cards if total == 1 else max(1, spec.cards // 10)
        self._schedule_creations(spec.cards - initial)
        self._schedule_guaranteed()
        self._root_commit(initial)
        for slot in range(1, total):
            if self.pending and (self.pending[0][0] <= slot or self.pending_steps >= total - slot):
                _, _, task = heapq.heappop(self.pending)
                self._run_step(task, slot)
            else:
                self._random_commit(slot)
        if self.pending or self.mark != total:
            raise RuntimeError(f"scheduling bug: {self.mark} of {total} commits, tasks left over")
        self.stream.write(b"done\n")

    def _push(self, task: _Task) -> None:
        self.task_seq += 1
        heapq.heappush(self.pending, (task.dues[task.position], self.task_seq, task))

    def _room(self, slot: int, steps: int) -> bool:
        """Whether `steps` more commits after this one still fit before the history ends."""
        return self.pending_steps + steps <= self.spec.commits - slot - 1

    def _schedule_creations(self, remaining: int) -> None:
        if remaining <= 0:
            return
        # New components arrive during the first 60% of the history, so most cards live long
        # enough to move; more cards than slots are batched several per commit.
        window = max(1, int((self.spec.commits - 1) * 0.6))
        count = min(remaining, window)
        dues = sorted(self.rng.sample(range(1, window + 1), count))
        per, extra = divmod(remaining, count)
        for i, due in enumerate(dues):
            self._push(_Task(["create"], [due], cards=per + (1 if i < extra else 0)))
            self.pending_steps += 1

    def _schedule_guaranteed(self) -> None:
        # Small specs would otherwise draw no rename, merge or broken card with some seeds;
        # tests and demos rely on each appearing at least once.
        total = self.spec.commits
        if total < 40:
            return
        for step, fraction in (("open-broken", 0.4), ("open-branch", 0.5), ("rename", 0.75)):
            if self.pending_steps + 4 < total - int(total * fraction):
                self._push(_Task([step], [int(total * fraction)]))
                self.pending_steps += 1

    def _when(self, slot: int, person: _Person) -> tuple[int, str, str]:
        """The commit time of `slot`: epoch seconds, git offset and local ISO date."""
        jitter = 0.1 + 0.8 * self.rng.random()
        epoch = self.start_epoch + int((slot + jitter) * self.seconds_per_slot)
        minutes = person.tz_minutes
        if self.rng.random() < 0.03:
            minutes = self.rng.choice(_TRAVEL_TZ)
        sign = "+" if minutes >= 0 else "-"
        offset = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        local = datetime.fromtimestamp(epoch, timezone(timedelta(minutes=minutes)))
        return epoch, offset, local.date().isoformat()

    def _commit(
        self,
        *,
        ref: str,
        person: _Person,
        when: tuple[int, str, str],
        message: str,
        changes: list[_Change],
        parent: int | None = None,
        merge: int | None = None,
    ) -> int:
        """Append one commit to the stream and return its mark."""
        self.mark += 1
        epoch, offset, _ = when
        ident = f"{person.name} <{person.email}> {epoch} {offset}"
        msg = message.encode()
        parts = [
            f"commit {ref}\nmark :{self.mark}\nauthor {ident}\ncommitter {ident}\n".encode(),
            b"data %d\n" % len(msg),
            msg,
            b"\n",
        ]
        # Without `from`, fast-import continues the ref's own tip, which is what every commit
        # but a branch's first wants; naming the parent anyway would reload its tree each time.
        if parent is not None:
            parts.append(b"from :%d\n" % parent)
        if merge is not None:
            parts.append(b"merge :%d\n" % merge)
        for change in changes:
            if change.content is None:
                parts.append(f"D {change.path}\n".encode())
            else:
                data = change.content.encode()
                parts += [f"M 100644 inline {change.path}\n".encode(), b"data %d\n" % len(data)]
                parts += [data, b"\n"]
        parts.append(b"\n")
        self.stream.write(b"".join(parts))
        if ref == "refs/heads/main":
            self.main_mark = self.mark
        return self.mark

    def _commit_main(
        self, slot: int, person: _Person, message: str, changes: list[_Change]
    ) -> None:
        when = self._when(slot, person)
        self._commit(
            ref="refs/heads/main", person=person, when=when, message=message, changes=changes
        )

    def _root_commit(self, cards: int) -> None:
        changes = [_Change("README.md", _render_readme(self.spec, self.news))]
        when = self._when(0, _MAINTAINER)
        for _ in range(cards):
            comp = self._new_component(0)
            changes += self._component_files(comp)
        self._commit(
            ref="refs/heads/main",
            person=_MAINTAINER,
            when=when,
            message="Import existing components and their TRL cards",
            changes=changes,
        )

    def _new_component(self, slot: int) -> _Component:
        rng = self.rng
        for attempt in range(50):
            stem, purpose, data_stem = rng.choice(_DOMAINS)
            kind, code_file = rng.choice(_KINDS)
            qualifier = rng.choice(_QUALIFIERS)
            name = f"{qualifier} {stem.lower()} {kind}" if qualifier else f"{stem} {kind}"
            if attempt >= 20:
                # The vocabulary runs out near 10,000 cards: number the later generations.
                name = f"{name} {attempt - 18}"
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            if slug not in self.slugs:
                break
        else:  # pragma: no cover - 30 numbered attempts always find a free slug
            slug = f"component-{len(self.components) + 1}"
            name = f"Component {len(self.components) + 1}"
        self.slugs.add(slug)
        research = rng.random() < 0.3
        if research:
            entry = rng.choices((0, 1, 2, 3), weights=(2, 3, 3, 2))[0]
            ids = self.research_ids
        else:
            entry = rng.choices((2, 3, 4), weights=(1, 4.5, 4.5))[0]
            ids = self.product_ids
        version = rng.choices((1, 2, 3), weights=(8, 3, 1))[0]
        number = f"{len(ids) + 1:0{self.id_width}d}.{version}"
        card_id = f"{self.spec.id_prefix}{'R' if research else 'P'}{number}"
        team = rng.choice(self.teams)
        owners = self._team_people(team, rng.choice((1, 2)))
        dataset = f"{data_stem}-{rng.choice(('curated', 'gold', 'labelled', 'events'))}"
        links = {"project": f"https://wiki.example.org/{slug}"}
        if rng.random() < 0.7:
            links["requirements"] = f"https://wiki.example.org/{slug}/requirements"
        links["code"] = ""  # set below, once the path is known
        if rng.random() < 0.2:
            links["model card"] = f"https://wiki.example.org/{slug}/model-card"
        comp = _Component(
            card_id=card_id,
            name=name,
            slug=slug,
            team=team,
            kind=kind,
            code_file=code_file,
            research=research,
            purpose=purpose,
            level=entry,
            entry=entry,
            min_level=entry,
            dataset=dataset,
            algorithm=rng.choice(_ALGORITHMS),
            owners=owners,
            reviewers=[],
            tags=[_team_tag(team), *rng.sample(_TAGS, rng.choice((0, 1, 2)))],
            links=links,
            ethics_link=rng.random() < 0.6,
            coupled=self._pick_coupled(research),
            requirements=[],
            caveats=[rng.choice(_CAVEATS)],
            tldr=f"{'Research prototype' if research else 'Component'} for {purpose}.",
            coverage=rng.randint(5, 40) if entry < 3 else rng.randint(30, 70),
            threshold=round(rng.uniform(0.2, 0.8), 2),
        )
        comp.links["code"] = self._code_link(comp)
        comp.reviewers = self._gate_reviewers(comp, entry)
        comp.gated_at = slot
        # Some cards are left behind: their components keep changing, their cards do not.
        last = self.spec.commits - 1 - round(_QUIET_DAYS * self.slots_per_day)
        if rng.random() < _DORMANT and last > slot:
            comp.quiet_from = rng.randint(slot + 1, last)
        for _ in range(rng.choice((1, 2, 3))):
            self._add_requirement(comp)
        for _ in range(rng.randint(1, 3)):
            self._edit_code(comp)
        ids.append(card_id)
        self.components.append(comp)
        comp.truth.revisions += 1
        return comp

    def _pick_coupled(self, research: bool) -> list[str]:
        # Research and product cards of one project point at each other (the paper's graph).
        opposite, same = (
            (self.product_ids, self.research_ids)
            if research
            else (self.research_ids, self.product_ids)
        )
        chosen: list[str] = []
        for _ in range(self.rng.choices((0, 1, 2), weights=(4, 4, 2))[0]):
            pool = opposite if opposite and self.rng.random() < 0.7 else same
            if pool:
                candidate = self.rng.choice(pool)
                if candidate not in chosen:
                    chosen.append(candidate)
        return chosen

    def _team_people(self, team: str, count: int) -> list[str]:
        members = [_PEOPLE[i].name for i in _members(team)]
        return self.rng.sample(members, count)

    def _code_link(self, comp: _Component) -> str:
        return f"https://git.example.org/example/monorepo/tree/main/{comp.directory}"

    def _gate_reviewers(self, comp: _Component, level: int) -> list[str]:
        # Reviewers change with maturity: research peers early, product managers from 5, QA by 7.
        rng = self.rng
        if level < 5:
            peers = [p.name for p in _RESEARCHERS if p.name not in comp.owners]
            peers = peers or [p.name for p in _RESEARCHERS]
            return [_REVIEW_BOARD, rng.choice(peers)]
        pm = rng.choice(_PMS).name
        if level < 7:
            return [pm, _REVIEW_BOARD]
        return [_QA, pm]

    def _add_requirement(self, comp: _Component) -> None:
        rng = self.rng
        number = len(comp.requirements) + 1
        if comp.level < 5:
            metric = rng.choice(_METRICS)
            text = (
                f"The {comp.kind} shall reach {metric.lower()} >= 0.{rng.randint(70, 97)} "
                f"on the {comp.dataset} holdout set."
            )
        else:
            text = rng.choice(
                (
                    f"The service shall answer within {rng.choice((50, 100, 300))} ms at p95.",
                    f"The {comp.kind} shall process a daily batch in under {rng.randint(1, 4)} h.",
                    f"The {comp.kind} shall log every prediction with its model version.",
                    f"The {comp.kind} shall degrade gracefully when inputs are missing.",
                )
            )
        risky = rng.random() < 0.6
        comp.requirements.append(
            _Requirement(
                id=f"REQ-{number}",
                text=text,
                p_failure=round(rng.uniform(0.05, 0.5), 2) if risky else None,
                value=rng.randint(1, 10) if risky else None,
            )
        )

    def _edit_code(self, comp: _Component) -> str:
        rng = self.rng
        # Every edit must change the file: an unchanged blob would make an empty commit and
        # throw the revision counts off.
        if comp.functions and rng.random() < 0.35:
            delta = rng.randint(1, 10) / 100
            if comp.threshold + delta > 0.95:
                delta = -delta
            comp.threshold = round(comp.threshold + delta, 2)
        else:
            comp.functions.append((comp.next_function, f"{1 + rng.random():.3f}"))
            comp.next_function += 1
            # A rolling window keeps code blobs small, however long the history.
            del comp.functions[:-12]
        return rng.choice(_CODE_CHANGES)

    def _component_files(self, comp: _Component) -> list[_Change]:
        return [
            _Change(comp.card_path, _render_card(comp)),
            _Change(comp.code_path, _render_code(comp)),
        ]

    def _pick_unlocked(self, slot: int | None = None) -> _Component | None:
        """A component no task holds; with `slot`, one whose card people still edit then."""
        for _ in range(8):
            comp = self.rng.choice(self.components)
            quiet = slot is not None and comp.quiet_from is not None and comp.quiet_from <= slot
            if not comp.locked and not quiet:
                return comp
        return None

    def _pick_for_gate(self, slot: int) -> _Component | None:
        """The component a gated review comes to: of `_GATE_DRAWS` drawn, the one that has
        waited longest since its last gate."""
        drawn = [c for c in (self._pick_unlocked(slot) for _ in range(_GATE_DRAWS)) if c]
        return min(drawn, key=lambda c: c.gated_at, default=None)

    def _author_for(self, comp: _Component, card: bool = False) -> _Person:
        # Product managers edit cards of mature components; code comes from the team.
        if card and comp.level >= 5 and self.rng.random() < 0.3:
            return self.rng.choice(_PMS)
        return _PEOPLE[self.rng.choice(_members(comp.team))]

    def _level_event(self, comp: _Component, today: str, *, reviewed: bool = False) -> str:
        """Move `comp` along MLTRL (or hold a `stay` review) and return the commit message.

        `reviewed` forces a gated review, as on feature branches opened for a gate.
        """
        rng = self.rng
        level = comp.level
        if level >= comp.cap:
            action = rng.choices(("stay", "switchback"), weights=(6, 4) if level < 9 else (75, 25))
        elif level == 0:
            action = rng.choices(("advance", "skip", "stay"), weights=(85, 10, 5))
        elif level == 5:
            # Leaving 5 is the "valley of death": more stays and switchbacks than elsewhere.
            action = rng.choices(
                ("advance", "skip", "jump", "switchback", "stay"), weights=(45, 5, 5, 20, 25)
            )
        else:
            switchback = 30 if level == 8 else 14
            jump = 5 if level + 2 <= comp.cap else 0
            action = rng.choices(
                ("advance", "skip", "jump", "switchback", "stay"),
                weights=(60, 7, jump, switchback, 14),
            )
        kind = action[0]
        if reviewed and kind == "skip":
            kind = "advance"
        if kind == "switchback":
            target, sb_kind = self._switchback_target(level)
            if target < comp.min_level and rng.random() < 0.9:
                # The paper calls a switchback below the entry level invalid; keep a few of
                # them, as a readiness site must flag them, and turn the rest into stays.
                kind = "stay"
            else:
                comp.truth.invalid_switchbacks += int(target < comp.min_level)
                return self._change_level(comp, target, today, review_kind=sb_kind)
        if kind == "stay":
            self._add_review(comp, level, level, "stay", None, today)
            comp.truth.stays += 1
            return f"{comp.team}/{comp.slug}: TRL {level} gate review, staying at {level}"
        step = 2 if kind == "jump" else 1
        with_review = kind == "advance" or (kind == "jump" and rng.random() < 0.5)
        return self._change_level(comp, level + step, today, review=with_review)

    def _switchback_target(self, level: int) -> tuple[int, str]:
        rng = self.rng
        if level == 9:
            # Embedded: new ML features after deployment go back to 4; else a review finding.
            return (4, "embedded") if rng.random() < 0.6 else (8, "review")
        if level >= 5:
            return level - 1, "review"  # 5->4 is the common one; 8->7 is the version loop
        if level == 4 and rng.random() < 0.15:
            return 2, "embedded"
        return level - 1, "discovery" if rng.random() < 0.7 else "review"

    def _change_level(
        self,
        comp: _Component,
        target: int,
        today: str,
        *,
        review: bool = True,
        review_kind: str | None = None,
    ) -> str:
        rng = self.rng
        before = comp.level
        truth = comp.truth
        truth.transitions += 1
        if target > before:
            truth.advances += 1
            truth.jumps += int(target - before > 1)
            decision = "advance"
        else:
            truth.switchbacks += 1
            decision = "switchback"
            review = True  # switchbacks are decided at a review, so they always have a record
        if review:
            self._add_review(comp, before, target, decision, review_kind, today)
        else:
            truth.skipped_gates += 1
        comp.level = target
        comp.min_level = min(comp.min_level, target)
        comp.reviewers = self._gate_reviewers(comp, target)
        if target >= 5 > before:
            # Product requirements take over at 5, and a product manager joins the owners.
            self._add_requirement(comp)
            pm = rng.choice(_PMS).name
            if pm not in comp.owners:
                comp.owners.append(pm)
        comp.coverage = min(95, comp.coverage + rng.randint(0, 8))
        where = f"{comp.team}/{comp.slug}"
        if decision == "switchback":
            return f"{where}: switch back to TRL {target} ({review_kind} switchback)"
        if not review:
            return f"{where}: set TRL {target}"
        return f"{where}: promote to TRL {target} after gate review"

    def _add_review(
        self,
        comp: _Component,
        before: int,
        after: int,
        decision: str,
        kind: str | None,
        today: str,
    ) -> None:
        rng = self.rng
        who = " and ".join(comp.owners[:2])
        metric = rng.choice(_METRICS)
        accomplished = rng.choice(
            (
                f"{metric} of 0.{rng.randint(70, 98)} on the {comp.dataset} holdout ({who}).",
                f"End-to-end demo in the {comp.team} sandbox ({who}).",
                f"Integration tests green against staging ({who}).",
                f"Shipped version {comp.dataset_version}.{rng.randint(0, 9)} ({who}).",
            )
        )
        comp.reviews.append(
            _Review(
                date=today,
                from_level=before,
                to_level=after,
                decision=decision,
                reviewers=self._gate_reviewers(comp, max(before, after)),
                kind=kind,
                debrief=(
                    accomplished,
                    f"Support for {rng.choice(_PUNTED)}.",
                    rng.choice(_LEARNED),
                    rng.choice(_TECH_DEBT),
                ),
                link=f"https://wiki.example.org/{comp.slug}/reviews/{today}-{before}-{after}",
            )
        )

    def _edit_card_text(self, comp: _Component) -> str:
        """An ordinary card edit that leaves the level alone; returns the commit message."""
        rng = self.rng
        where = f"{comp.team}/{comp.slug}"
        choice = rng.randrange(8)
        if choice == 0:
            members = [_PEOPLE[i].name for i in _members(comp.team)]
            newcomer = rng.choice(members)
            if newcomer not in comp.owners:
                comp.owners.append(newcomer)
                return f"{where}: add {newcomer} as owner"
            if len(comp.owners) > 1:
                comp.owners.remove(newcomer)
                return f"{where}: hand over ownership"
        if choice == 1 and len(comp.requirements) < 7:
            self._add_requirement(comp)
            return f"{where}: add requirement REQ-{len(comp.requirements)}"
        if choice == 2:
            comp.dataset_version += 1
            return f"{where}: document {comp.dataset} v{comp.dataset_version}"
        if choice == 3 and len(comp.caveats) < 5:
            caveat = rng.choice(_CAVEATS)
            if caveat not in comp.caveats:
                comp.caveats.append(caveat)
                return f"{where}: note a known edge case"
        if choice == 4 and len(comp.tags) < 5:
            tag = rng.choice(_TAGS)
            if tag not in comp.tags:
                comp.tags.append(tag)
                return f"{where}: tag {tag}"
        if choice == 5 and len(comp.coupled) < 3:
            for candidate in self._pick_coupled(comp.research):
                if candidate != comp.card_id and candidate not in comp.coupled:
                    comp.coupled.append(candidate)
                    return f"{where}: couple with {candidate}"
        if choice == 6 and not comp.ethics_link and comp.level >= 2:
            comp.ethics_link = True
            return f"{where}: link the ethics checklist"
        if comp.coverage < 95:
            comp.coverage = min(95, comp.coverage + rng.randint(1, 5))
            return f"{where}: update testing status"
        comp.dataset_version += 1
        return f"{where}: document {comp.dataset} v{comp.dataset_version}"

    def _random_commit(self, slot: int) -> None:
        r = self.rng.random()
        rename, branch, broken, level, text, readme = self.thresholds
        done = False
        if r < rename:
            done = self._rename(slot)
        elif r < branch:
            done = self._open_branch(slot)
        elif r < broken:
            done = self._open_broken(slot)
        elif r < text:
            done = self._card_commit(slot, level=r < level)
        elif r < readme:
            self._readme_commit(slot)
            done = True
        if not done:
            self._code_commit(slot)

    def _code_commit(self, slot: int) -> None:
        touched: list[_Component] = []
        for _ in range(self.rng.choices((1, 2, 3), weights=(7, 2, 1))[0]):
            comp = self._pick_unlocked()
            if comp is not None and comp not in touched:
                touched.append(comp)
        if not touched:
            self._readme_commit(slot)
            return
        what = ""
        for comp in touched:
            what = self._edit_code(comp)
        first = touched[0]
        message = f"{first.team}/{first.slug}: {what}"
        if len(touched) > 1:
            message += f" (and {len(touched) - 1} more)"
        changes = [_Change(c.code_path, _render_code(c)) for c in touched]
        self._commit_main(slot, self._author_for(first), message, changes)

    def _readme_commit(self, slot: int) -> None:
        when = self._when(slot, _MAINTAINER)
        # Dated news items keep every README commit a real change.
        self.news.append(f"{when[2]}: {len(self.components)} components carry a TRL card.")
        del self.news[:-10]
        readme = _render_readme(self.spec, self.news)
        self._commit(
            ref="refs/heads/main",
            person=_MAINTAINER,
            when=when,
            message="Update the README",
            changes=[_Change("README.md", readme)],
        )

    def _card_commit(self, slot: int, *, level: bool) -> bool:
        comp = self._pick_for_gate(slot) if level else self._pick_unlocked(slot)
        if comp is None:
            return False
        person = self._author_for(comp, card=True)
        when = self._when(slot, person)
        if level:
            comp.gated_at = slot
            message = self._level_event(comp, when[2])
        else:
            message = self._edit_card_text(comp)
        comp.truth.revisions += 1
        changes = [_Change(comp.card_path, _render_card(comp))]
        self._commit(
            ref="refs/heads/main", person=person, when=when, message=message, changes=changes
        )
        return True

    def _rename(self, slot: int) -> bool:
        comp = self._pick_unlocked(slot)
        if comp is None:
            return False
        old = comp.directory
        comp.team = self.rng.choice([t for t in self.teams if t != comp.team])
        # The new team takes the component over: owners, code link and team tag follow it.
        comp.owners = self._team_people(comp.team, self.rng.choice((1, 2)))
        comp.links["code"] = self._code_link(comp)
        comp.tags[0] = _team_tag(comp.team)
        comp.truth.revisions += 1
        comp.truth.renames += 1
        self.renames += 1
        changes = [_Change(old, None), *self._component_files(comp)]
        message = f"Move {comp.slug} from {old.split('/')[1]} to the {comp.team} team"
        self._commit_main(slot, _PEOPLE[self.rng.choice(_members(comp.team))], message, changes)
        return True

    def _open_branch(self, slot: int) -> bool:
        work = self.rng.randint(1, self.spec.branch_commits)
        comp = self._pick_unlocked(slot)
        if comp is None or not self._room(slot, work):
            return False
        share = self.spec.branch_card_share
        if share >= 1 or self.rng.random() < share:  # no draw by default: same repositories
            steps = ["code"] * (work - 1)
            steps.insert(self.rng.randint(0, len(steps)), "card")
        else:
            steps = ["code"] * work
        steps.append("merge")
        # The merge lands days after the branch starts, as a pull request would.
        span = max(len(steps), round(self.rng.randint(1, 10) * self.slots_per_day))
        dues = [slot]
        for i in range(1, len(steps)):
            dues.append(max(dues[-1] + 1, slot + round(i * span / (len(steps) - 1))))
        self.task_seq += 1
        task = _Task(steps, dues, component=comp, branch=f"feature/{comp.slug}-{self.task_seq}")
        comp.locked = True
        self.pending_steps += len(steps)
        self._run_step(task, slot)
        return True

    def _open_broken(self, slot: int) -> bool:
        comp = self._pick_unlocked(slot)
        if comp is None or not self._room(slot, 1):
            return False
        fix = slot + self.rng.randint(1, max(2, round(3 * self.slots_per_day)))
        task = _Task(["break", "fix"], [slot, fix], component=comp)
        comp.locked = True
        self.pending_steps += 2
        self._run_step(task, slot)
        return True

    def _run_step(self, task: _Task, slot: int) -> None:
        step = task.steps[task.position]
        task.position += 1
        self.pending_steps -= 1
        comp = task.component
        if step == "create":
            self._create_commit(slot, task.cards)
        elif step == "open-branch":
            if not self._open_branch(slot):
                self._code_commit(slot)
        elif step == "open-broken":
            if not self._open_broken(slot):
                self._code_commit(slot)
        elif step == "rename":
            if not self._rename(slot):
                self._code_commit(slot)
        elif comp is not None and step in ("code", "card"):
            self._branch_commit(task, comp, slot, card=step == "card")
        elif comp is not None and step == "merge":
            self._merge_commit(task, comp, slot)
        elif comp is not None:
            self._broken_commit(comp, slot, fix=step == "fix")
        if task.position < len(task.steps):
            task.dues[task.position] = max(task.dues[task.position], slot + 1)
            self._push(task)
        elif comp is not None:
            comp.locked = False

    def _create_commit(self, slot: int, cards: int) -> None:
        team = self.rng.choice(self.teams)
        person = _PEOPLE[self.rng.choice(_members(team))]
        when = self._when(slot, person)
        changes: list[_Change] = []
        created = [self._new_component(slot) for _ in range(cards)]
        for comp in created:
            changes += self._component_files(comp)
        first = created[0]
        message = f"Add {first.name} with its TRL card"
        if cards > 1:
            message = f"Add {cards} components with their TRL cards"
        self._commit(
            ref="refs/heads/main", person=person, when=when, message=message, changes=changes
        )

    def _branch_commit(self, task: _Task, comp: _Component, slot: int, *, card: bool) -> None:
        person = self._author_for(comp, card=card)
        when = self._when(slot, person)
        ref = f"refs/heads/{task.branch}"
        if card:
            if self.rng.random() < 0.75:
                comp.gated_at = slot
                message = self._level_event(comp, when[2], reviewed=True)
            else:
                message = self._edit_card_text(comp)
            comp.truth.revisions += 1
            changes = [_Change(comp.card_path, _render_card(comp))]
        else:
            message = f"{comp.team}/{comp.slug}: {self._edit_code(comp)}"
            changes = [_Change(comp.code_path, _render_code(comp))]
        first = task.position == 1
        if first:
            self.branches.append(ref)
        # A branch's first commit forks from main's tip; later ones continue the branch.
        task.tip = self._commit(
            ref=ref,
            person=person,
            when=when,
            message=message,
            changes=changes,
            parent=self.main_mark if first else None,
        )

    def _merge_commit(self, task: _Task, comp: _Component, slot: int) -> None:
        person = _PEOPLE[self.rng.choice(_members(comp.team))]
        when = self._when(slot, person)
        # fast-import builds a merge's tree from its first parent only; main never touched the
        # locked component meanwhile, so the branch's versions of its files are the merge result.
        self._commit(
            ref="refs/heads/main",
            person=person,
            when=when,
            message=f"Merge branch '{task.branch}'",
            changes=self._component_files(comp),
            merge=task.tip,
        )
        self.merges += 1

    def _broken_commit(self, comp: _Component, slot: int, *, fix: bool) -> None:
        person = self._author_for(comp, card=True)
        where = f"{comp.team}/{comp.slug}"
        if fix:
            message = f"{where}: fix the TRL card front matter"
            text = _render_card(comp)
        else:
            message = self._edit_card_text(comp)
            text = self._corrupt(comp, _render_card(comp))
            comp.truth.broken += 1
        comp.truth.revisions += 1
        self._commit_main(slot, person, message, [_Change(comp.card_path, text)])

    def _corrupt(self, comp: _Component, text: str) -> str:
        """Break the front matter the way people do: an unclosed list, a stray colon."""
        lines = text.split("\n")
        tags = next((i for i, line in enumerate(lines) if line.startswith("tags: [")), None)
        if tags is not None and self.rng.random() < 0.5:
            lines[tags] = lines[tags].removesuffix("]")
        else:
            name = lines.index(next(line for line in lines if line.startswith("name: ")))
            lines[name] += ": draft"
        return "\n".join(lines)


# Variables that point git at another repository; a caller running inside a git hook or a
# worktree has them set, and they must not redirect the repository being generated.
_GIT_LOCATION_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
    }
)


def cache_key(spec: SampleSpec) -> str:
    """A folder name for the repository that `spec` generates, for callers that keep one
    (the benchmark, this project's site): the spec's size and seed, then a hash of every field
    of the spec and of this generator's source, so that a repository an earlier spec or an
    earlier generator made is never taken for this one."""
    digest = hashlib.sha256(repr(spec).encode())
    digest.update(Path(__file__).read_bytes())
    return f"cards{spec.cards}-commits{spec.commits}-seed{spec.seed}-{digest.hexdigest()[:12]}"


def _first_epoch(spec: SampleSpec, span: float) -> int:
    """The moment the history begins: `start` at 09:00 UTC, or `span` seconds before `end` at
    09:00 UTC."""
    day = spec.start if spec.end is None else spec.end
    nine = int(datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc).timestamp())
    return nine if spec.end is None else nine - int(span)


def _git_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARIABLES}


def _git(repository: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        ["git", "-C", str(repository), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed in {repository}: {result.stderr.strip()}")


def _check(spec: SampleSpec) -> None:
    if spec.cards < 1:
        raise ValueError(f"cards must be at least 1, not {spec.cards}")
    if spec.commits < 1:
        raise ValueError(f"commits must be at least 1, not {spec.commits}")
    if not 0 < spec.years < 1000:
        raise ValueError(f"years must be a positive number of years, not {spec.years}")
    if spec.branch_rate is not None and not 0 <= spec.branch_rate <= 0.5:
        raise ValueError(f"branch_rate must be between 0 and 0.5, not {spec.branch_rate}")
    if spec.branch_commits < 1:
        raise ValueError(f"branch_commits must be at least 1, not {spec.branch_commits}")
    if not 0 <= spec.branch_card_share <= 1:
        raise ValueError(f"branch_card_share must be between 0 and 1, not {spec.branch_card_share}")


def _fast_import(repository: Path, spec: SampleSpec, env: dict[str, str]) -> _Organisation:
    """Stream the simulated history into one `git fast-import` and return the simulation."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["git", "-C", str(repository), "fast-import", "--quiet", "--done"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
            bufsize=1 << 20,
        )
        assert process.stdin is not None  # stdin=PIPE always gives one
        organisation = _Organisation(spec, process.stdin)
        try:
            organisation.run()
            process.stdin.close()
        except BrokenPipeError:
            pass  # fast-import stopped reading; its exit status and message say why
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise RuntimeError(f"git fast-import failed in {repository}: {message}")
    return organisation


def _write_truth(path: Path, components: list[_Component]) -> None:
    rows = ["\t".join(TRUTH_COLUMNS)]
    for comp in sorted(components, key=lambda c: c.card_id):
        t = comp.truth
        values = (
            comp.card_id,
            comp.card_path,
            comp.entry,
            comp.level,
            t.revisions,
            t.transitions,
            t.advances,
            t.switchbacks,
            t.skipped_gates,
            t.jumps,
            t.stays,
            len(comp.reviews),
            t.invalid_switchbacks,
            t.renames,
            t.broken,
        )
        rows.append("\t".join(str(v) for v in values))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def generate_organisation(target: Path, spec: SampleSpec) -> SampleSummary:
    """Create a git repository at `target` holding a simulated organisation described by `spec`.

    `target` must not exist or be an empty directory. The repository ends with `main` checked
    out, every card at HEAD valid, and exactly `spec.commits` commits reachable from `main`; the
    per-card truth is written to `truth_path(target)`.

    Raises `ValueError` for an impossible spec, `FileExistsError` for a non-empty `target` and
    `RuntimeError` when git fails.
    """
    _check(spec)
    began = time.perf_counter()
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty; generate into a new or empty directory")
    target.mkdir(parents=True, exist_ok=True)
    env = _git_environment()
    _git(target, env, "init", "--quiet", "--initial-branch=main")
    organisation = _fast_import(target, spec, env)
    if organisation.branches:
        # Merged feature branches are deleted, as after a pull request.
        deletions = "".join(f"delete {ref}\n" for ref in organisation.branches)
        _git(target, env, "update-ref", "--stdin", stdin=deletions)
    # The user's autocrlf must not rewrite the cards on disk: they should equal HEAD's blobs.
    _git(target, env, "-c", "core.autocrlf=false", "checkout", "--force", "--quiet", "main")
    truth = truth_path(target)
    _write_truth(truth, organisation.components)
    components = organisation.components
    return SampleSummary(
        path=target,
        cards=len(components),
        commits=organisation.mark,
        card_revisions=sum(c.truth.revisions for c in components),
        transitions=sum(c.truth.transitions for c in components),
        renames=organisation.renames,
        merges=organisation.merges,
        seconds=time.perf_counter() - began,
        truth=truth,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: `python tools/sample_org.py TARGET [--cards N] [--commits M] ...`."""
    defaults = SampleSpec()
    parser = argparse.ArgumentParser(
        prog="python tools/sample_org.py",
        description="Generate a git repository of an organisation's components and TRL cards.",
    )
    parser.add_argument("target", type=Path, help="new (or empty) directory for the repository")
    parser.add_argument("--cards", type=int, default=defaults.cards, help="number of components")
    parser.add_argument("--commits", type=int, default=defaults.commits, help="number of commits")
    parser.add_argument("--years", type=float, default=defaults.years, help="span of the history")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed")
    when = parser.add_mutually_exclusive_group()
    when.add_argument(
        "--end",
        type=date.fromisoformat,
        help="day the history ends on, YYYY-MM-DD (default: today)",
    )
    when.add_argument(
        "--start",
        type=date.fromisoformat,
        help="day of the first commit, YYYY-MM-DD, instead of an end",
    )
    parser.add_argument(
        "--branch-rate", type=float, help="chance per commit of opening a feature branch"
    )
    parser.add_argument(
        "--branch-commits",
        type=int,
        default=defaults.branch_commits,
        help="the most commits on one feature branch",
    )
    parser.add_argument(
        "--branch-card-share",
        type=float,
        default=defaults.branch_card_share,
        help="the share of feature branches that edit their card",
    )
    parser.add_argument("--id-prefix", default="", help="put before every card id, e.g. V-")
    args = parser.parse_args(argv)
    spec = SampleSpec(
        cards=args.cards,
        commits=args.commits,
        years=args.years,
        seed=args.seed,
        start=args.start or defaults.start,
        end=None if args.start else args.end or date.today(),
        branch_rate=args.branch_rate,
        branch_commits=args.branch_commits,
        branch_card_share=args.branch_card_share,
        id_prefix=args.id_prefix,
    )
    try:
        summary = generate_organisation(args.target, spec)
    except (ValueError, FileExistsError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{summary.path}: {summary.cards} cards, {summary.commits} commits")
    print(
        f"  {summary.card_revisions} card revisions, {summary.transitions} level transitions, "
        f"{summary.renames} renames, {summary.merges} merges"
    )
    print(f"  truth per card: {summary.truth}")
    print(f"  {summary.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
