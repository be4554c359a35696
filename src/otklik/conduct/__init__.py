"""Zero tolerance, both ways: abuse detection, the conduct policy, audit, appeal, risk flags,
and the figures that keep the policy honest (docs/conduct.md)."""

from otklik.conduct.detect import CATEGORIES, Flag, Lexicon, detect, is_abusive, load_lexicon, mask

__all__ = ["CATEGORIES", "Flag", "Lexicon", "detect", "is_abusive", "load_lexicon", "mask"]
