"""``fit_shipped`` with per-text weights: a few up-weighted texts outvote many public ones."""

from __future__ import annotations

import pytest

from otklik.classify.pretrained import fit_shipped

TEXTS = [
    "отлично спасибо",
    "отлично супер",
    "ужасно плохо",
    "ужасно кошмар",
    "обычный день",
    "обычный вечер",
    "сойдёт вполне",
    "сойдёт вполне",
]
LABELS = ["positive", "positive", "negative", "negative", "neutral", "neutral"]


@pytest.mark.parametrize("heavy", ["positive", "negative"])
def test_the_heavier_of_two_conflicting_labels_wins(heavy: str) -> None:
    labels = [*LABELS, "positive", "negative"]
    weights = [1.0] * 6 + [10.0 if label == heavy else 1.0 for label in ("positive", "negative")]
    model = fit_shipped(TEXTS, labels, language="ru", target="sentiment", weights=weights)
    assert model.predict(["сойдёт вполне"])[0] == heavy
    # the rest of what it learned is unchanged
    assert list(model.predict(["отлично", "ужасно"])) == ["positive", "negative"]


def test_no_weights_is_every_text_once() -> None:
    labels = [*LABELS, "positive", "negative"]
    plain = fit_shipped(TEXTS, labels, language="ru", target="sentiment")
    ones = fit_shipped(TEXTS, labels, language="ru", target="sentiment", weights=[1.0] * 8)
    assert (plain.coef == ones.coef).all()
