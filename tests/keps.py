"""A generated Kubernetes-style enhancements repository, for the mapped-format tests.

Thirty `keps/<sig>/<number>-<slug>/kep.yaml` files in the shape of the real ones (`title`,
`kep-number`, `authors`, `owning-sig`, `status`, `stage`, `latest-milestone`, comments),
created and promoted alpha -> beta -> stable over four years, one commit a change with fixed
dates. Among them, what a real repository has:

- KEP-1003 is demoted stable -> beta (a switchback);
- KEP-1007 jumps alpha -> stable (a stage skipped);
- KEP-1011's folder is renamed with `git mv` (one history);
- KEP-1017 starts provisional with no `stage` (an unreadable first revision), gets `alpha` later;
- KEP-1005's promotion to beta lands through a merge, ten days after it was written;
- KEP-1030, the newest, says `stage: ALPHA` (reported, never guessed) until `fix_alpha`.

`expected` says, for each KEP, the (date, from, to) of every level change as it landed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from gitrepo import GitRepo

SCALE = {"alpha": 4, "beta": 6, "stable": 8}
START = datetime(2021, 1, 4, 9, 30, tzinfo=timezone.utc)
END = datetime(2024, 12, 20, tzinfo=timezone.utc)
SIGS = ("sig-node", "sig-apps", "sig-network", "sig-storage", "sig-auth")
PEOPLE = ("@ada", "@brian", "@chen", "@dana", "@emeka", "@farah", "@goran")

OPTIONS = """\
      include: []
      formats:
        - files: keps/**/kep.yaml
          id: KEP-{kep-number}
          name: title
          level: stage
          scale: {alpha: 4, beta: 6, stable: 8}
          owners: owning-sig
          reviewers: [reviewers, approvers]
          tags: status
"""
"""The plugin options of a site of this repository (under `- trl-cards:`)."""

ALPHA_KEP = 1030
ALPHA_LINE = 10
"""The line of `stage: ALPHA` in KEP-1030's file."""


@dataclass
class Kep:
    """One enhancement proposal's file, as it stands."""

    number: int
    slug: str
    sig: str
    stage: str | None = "alpha"
    status: str = "implementable"
    milestone: str = "v1.21"

    @property
    def path(self) -> str:
        """Where its kep.yaml is."""
        return f"keps/{self.sig}/{self.number}-{self.slug}/kep.yaml"

    @property
    def title(self) -> str:
        """Its human name."""
        return self.slug.replace("-", " ").capitalize()

    def text(self) -> str:
        """The file, as the real ones are written: some values quoted, comments about."""
        number = f'"{self.number}"' if self.number % 4 == 0 else str(self.number)
        authors = [PEOPLE[self.number % len(PEOPLE)], PEOPLE[(self.number + 3) % len(PEOPLE)]]
        lines = [
            f"title: {self.title}",
            f"kep-number: {number}",
            "authors:",
            *(f'  - "{a}"' for a in authors),
            f"owning-sig: {self.sig}",
            "participating-sigs: []",
            f"status: {self.status}",
            f"creation-date: {2021 + (self.number % 4)}-01-15",
        ]
        if self.stage is not None:
            comment = "  # alpha|beta|stable" if self.number % 3 == 0 else ""
            stage = f'"{self.stage}"' if self.number % 5 == 0 else self.stage
            lines.append(f"stage: {stage}{comment}")
        lines += [
            "reviewers:",
            f'  - "{PEOPLE[(self.number + 1) % len(PEOPLE)]}"',
            "approvers:",
            f'  - "{PEOPLE[(self.number + 2) % len(PEOPLE)]}"',
            f'latest-milestone: "{self.milestone}"',
            "feature-gates:",
            f"  - name: Feature{self.number}",
            "    components: [kube-apiserver]",
        ]
        return "\n".join(lines) + "\n"


@dataclass
class KepRepository:
    """The generated repository, and what its history must give."""

    repo: GitRepo
    keps: dict[int, Kep]
    expected: dict[int, list[tuple[datetime, int | None, int]]] = field(default_factory=dict)
    """KEP number -> (landing date, from level, to level) of each level change, oldest first."""

    def fix_alpha(self, when: datetime = END + timedelta(days=1)) -> str:
        """Correct KEP-1030's `stage: ALPHA` to `alpha`; return the commit."""
        kep = self.keps[ALPHA_KEP]
        kep.stage = "alpha"
        self.repo.write(kep.path, kep.text())
        self.expected[ALPHA_KEP] = [(when, None, 4)]
        return self.repo.commit(f"KEP-{ALPHA_KEP}: stage is alpha, in lower case", date=when)


def generate(repo: GitRepo) -> KepRepository:
    """Write four years of history into `repo` (a new, empty repository)."""
    events: list[tuple[datetime, int, str]] = []  # (date, number, what): stages and chores
    keps: dict[int, Kep] = {}
    for i in range(30):
        number = 1000 + i
        created = START + timedelta(days=30 * i)
        keps[number] = Kep(number, f"feature-{_WORDS[i]}", SIGS[i % len(SIGS)])
        events.append((created, number, "create"))
        if i % 2 == 0:
            events.append((created + timedelta(days=100), number, "milestone"))
        if number == 1007:  # straight to stable: beta is never recorded
            events.append((created + timedelta(days=300), number, "stable"))
            continue
        if number == 1011:
            events.append((created + timedelta(days=150), number, "rename"))
        if i % 4 == 3 and number not in (1003, 1011):
            continue  # still alpha
        beta = created + timedelta(days=200)
        events.append((beta, number, "beta"))
        if i % 3 == 1 and number != 1003:
            continue  # still beta
        stable = beta + timedelta(days=250)
        events.append((stable, number, "stable"))
        if number == 1003:
            events.append((stable + timedelta(days=60), number, "beta"))
    keps[1017].stage = None
    keps[1017].status = "provisional"
    events.append((START + timedelta(days=30 * 17 + 40), 1017, "alpha"))
    keps[ALPHA_KEP] = Kep(ALPHA_KEP, "feature-newest", "sig-node", stage="ALPHA")
    events.append((datetime(2024, 11, 4, 14, tzinfo=timezone.utc), ALPHA_KEP, "create"))
    events.append((datetime(2024, 3, 1, 8, tzinfo=timezone.utc), 0, "readme"))

    out = KepRepository(repo, keps)
    for when, number, what in sorted(e for e in events if e[0] <= END):
        if what == "readme":
            repo.write("keps/README.md", "# Enhancements\n")
            repo.commit("Describe the KEP folders", date=when)
            continue
        kep = keps[number]
        before = None if what == "create" else SCALE.get(kep.stage or "")
        if what == "create":
            repo.write(kep.path, kep.text())
            repo.commit(f"KEP-{number}: {kep.title}", date=when)
        elif what == "milestone":
            kep.milestone = "v1.22"
            repo.write(kep.path, kep.text())
            repo.commit(f"KEP-{number}: target v1.22", date=when)
        elif what == "rename":
            old = kep.path.rsplit("/", 1)[0]
            kep.slug = "feature-renamed"
            repo.mv(old, kep.path.rsplit("/", 1)[0])
            repo.commit(f"KEP-{number}: rename the folder", date=when)
        elif number == 1005 and what == "beta":
            landed = when + timedelta(days=10)
            repo.branch("kep-1005-beta")
            kep.stage = what
            repo.write(kep.path, kep.text())
            repo.commit(f"KEP-{number}: graduate to {what}", date=when)
            repo.checkout("main")
            repo.merge("kep-1005-beta", "Merge pull request #5: KEP-1005 beta", date=landed)
            out.expected.setdefault(number, []).append((landed, before, SCALE[what]))
            continue
        else:
            kep.stage = what
            repo.write(kep.path, kep.text())
            repo.commit(f"KEP-{number}: graduate to {what}", date=when)
        after = SCALE.get(kep.stage or "")
        if after is not None and after != before:
            out.expected.setdefault(number, []).append((when, before, after))
    return out


_WORDS = (
    "sidecars",
    "swap",
    "topology",
    "quotas",
    "gateways",
    "snapshots",
    "tokens",
    "autoscaling",
    "probes",
    "affinity",
    "eviction",
    "volumes",
    "ingress",
    "metrics",
    "logging",
    "tracing",
    "priorities",
    "preemption",
    "leases",
    "webhooks",
    "crds",
    "schedulers",
    "kubelet",
    "proxy",
    "dns",
    "cgroups",
    "runtimes",
    "images",
    "secrets",
    "policies",
)
