"""The MLTRL levels 0-9 (Lavin et al., Nature Communications 13, 6039, 2022)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    """A phase groups consecutive levels and gives them their colour."""

    key: str
    name: str
    hex: str
    """Its colour, as in the paper's figures (red, orange, yellow, green)."""


RESEARCH = Phase("research", "Research", "#ad1457")
PROTOTYPING = Phase("prototyping", "Prototyping", "#ef6c00")
PRODUCTIZATION = Phase("productization", "Productization", "#f9a825")
DEPLOYMENT = Phase("deployment", "Deployment", "#2e7d32")
PHASES: tuple[Phase, ...] = (RESEARCH, PROTOTYPING, PRODUCTIZATION, DEPLOYMENT)


@dataclass(frozen=True)
class Level:
    """One rung of the MLTRL scale, with what its gated review checks."""

    number: int
    name: str
    tagline: str
    phase: Phase
    gate: str
    code_tier: str


LEVELS: tuple[Level, ...] = (
    Level(
        0,
        "First principles",
        "A stage for greenfield research",
        RESEARCH,
        "Research peers check that the idea rests on sound theory and that the open questions "
        "and the next experiments are written down.",
        "research code",
    ),
    Level(
        1,
        "Goal-oriented research",
        "Moving from basic principles to practical use",
        RESEARCH,
        "Research peers check that experiments on toy or benchmark data support the idea and "
        "that the results are reproducible.",
        "research code",
    ),
    Level(
        2,
        "Proof of principle (PoP) development",
        "Active R&D is initiated",
        RESEARCH,
        "Research peers check the proof of principle in simulation or on realistic data, and "
        "that research requirements with risk estimates exist.",
        "research code",
    ),
    Level(
        3,
        "System development",
        "Sound software engineering",
        PROTOTYPING,
        "Engineers check that the prototype is tested, versioned and documented well enough "
        "for others to build on.",
        "prototype code",
    ),
    Level(
        4,
        "Proof of concept (PoC) development",
        "Demonstration in a real scenario",
        PROTOTYPING,
        "Research and product reviewers check that the concept shows value in a real scenario "
        "with real data against the research requirements.",
        "prototype code",
    ),
    Level(
        5,
        'Machine learning "capability"',
        "The R&D to product transition",
        PROTOTYPING,
        "Product managers check product requirements and the hand-off from R&D; leaving this "
        'level is meant to be hard (the "valley of death").',
        "prototype code",
    ),
    Level(
        6,
        "Application development",
        "Robustification of ML modules towards use-cases",
        PRODUCTIZATION,
        "Product and engineering reviewers check that the ML module is robust for its "
        "use-cases: tests, failure modes and monitoring hooks.",
        "product code",
    ),
    Level(
        7,
        "Integrations",
        "ML infrastructure, product platform, data pipes, security",
        PRODUCTIZATION,
        "QA engineers and product managers check the integration with infrastructure, data "
        "pipelines and security.",
        "product code",
    ),
    Level(
        8,
        "Flight-ready",
        "The end of system development",
        PRODUCTIZATION,
        "QA and product check that the complete system is tested in its target environment "
        "and that the ethics checklist is complete.",
        "product code",
    ),
    Level(
        9,
        "Deployment",
        "Monitoring the current version, improving the next",
        DEPLOYMENT,
        "Product owners check monitoring of the deployed version and plan the next one; new "
        "ML features go back to level 4 (an embedded switchback).",
        "product code",
    ),
)

LOWEST = 0
HIGHEST = 9


def level(number: int) -> Level:
    """Return the level with this number (0-9)."""
    return LEVELS[number]
