"""The shape of one language's phrases for the demo texts."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["EXIT_REASONS", "POLARITIES", "TOPICS", "Phrasebook"]

# neg: complaint (low score); mix: lukewarm (middle score); pos: praise (high score).
POLARITIES: tuple[str, ...] = ("neg", "mix", "pos")
TOPICS: tuple[str, ...] = (
    "login",
    "app",
    "fees",
    "transfers",
    "card",
    "support",
    "loan",
    "insurance",
    "delivery",
    "cashback",
)
EXIT_REASONS: tuple[str, ...] = (
    "high fees",
    "better offer elsewhere",
    "poor service",
    "app problems",
    "moving away",
    "no longer needed",
)


@dataclass(frozen=True)
class Phrasebook:
    """Templates with ``{slot}`` fields; every (topic, polarity) and exit reason is present.

    ``employee`` is keyed by (theme, polarity) and may be empty for languages the demo
    company's staff do not write in.
    """

    topics: dict[tuple[str, str], tuple[str, ...]]
    slots: dict[str, tuple[str, ...]]
    openers: dict[str, tuple[str, ...]]
    closers: dict[str, tuple[str, ...]]
    exit_reasons: dict[str, tuple[str, ...]]
    employee: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
