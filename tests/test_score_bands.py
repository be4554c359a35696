"""One definition of "a low score" per scale: routing, sentiment signals, the demo's comment
tone and the metrics (detractors, top box) agree on every value of every scale.

The expected bands are written out here by hand (docs/metrics.md, "Score bands"), so a change
to ``otklik.types.SCALES`` has to be a deliberate change to this table too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from otklik.classify import score_sentiment
from otklik.demo.texts import polarity
from otklik.ledger import make_engine, upgrade, write_items
from otklik.metrics import CATALOGUE, compute
from otklik.routing import actionable_reason
from otklik.types import SCALES, Band

# scale: (low scores, top scores); the rest of the scale is the middle.
BANDS: dict[str, tuple[range, range]] = {
    "nps": (range(0, 7), range(9, 11)),
    "csat5": (range(1, 3), range(4, 6)),
    "csat10": (range(1, 5), range(9, 11)),
    "ces7": (range(1, 4), range(5, 8)),
    "rating5": (range(1, 3), range(4, 6)),
}
VALUES = [
    (scale, score) for scale, spec in SCALES.items() for score in range(spec.low, spec.high + 1)
]


def _band(scale: str, score: int) -> Band:
    low, top = BANDS[scale]
    return Band.LOW if score in low else Band.TOP if score in top else Band.MIDDLE


def test_every_scale_has_its_bands_written_here() -> None:
    assert set(BANDS) == set(SCALES)


@pytest.mark.parametrize(("scale", "score"), VALUES)
def test_consumers_agree(scale: str, score: int) -> None:
    band = _band(scale, score)
    assert SCALES[scale].band(score) is band
    opens_case = actionable_reason(kind="survey", type=None, score=score, scale=scale)
    assert (opens_case is not None) == (band is Band.LOW)
    sentiment = {Band.LOW: "negative", Band.MIDDLE: "neutral", Band.TOP: "positive"}[band]
    assert score_sentiment(score, scale) == sentiment
    assert polarity(scale, score) == {Band.LOW: "neg", Band.MIDDLE: "mix", Band.TOP: "pos"}[band]


def test_metrics_count_the_same_bands(tmp_path: Path) -> None:
    """One answer per day: NPS of a day is −100 for a low score, +100 for a top one; CSAT and
    CES-easy are 100% exactly on the top band."""
    start = datetime(2025, 1, 1, 12)
    items = [
        {
            "external_id": f"{scale}-{score}",
            "kind": "survey",
            "scale": scale,
            "score": float(score),
            "occurred_at": start + timedelta(days=i),
        }
        for i, (scale, score) in enumerate(VALUES)
    ]
    url = f"sqlite:///{tmp_path / 'bands.db'}"
    engine = make_engine(url)
    upgrade(engine)
    write_items(engine, run_id=None, source="bands", items=items)
    engine.dispose()
    day_of = {(s, v): (start + timedelta(days=i)).date() for i, (s, v) in enumerate(VALUES)}
    checks = [("nps", "nps"), ("csat", "csat5"), ("csat", "csat10"), ("ces_easy", "ces7")]
    for metric, scale in checks:
        rows = {
            r.period: r.value
            for r in compute(
                metric, url, by="day", scale=scale if metric != "nps" else None, timezone="UTC"
            )
        }
        for (s, score), day in day_of.items():
            if s != scale:
                continue
            band = _band(scale, score)
            if metric == "nps":
                expected = {Band.LOW: -100.0, Band.MIDDLE: 0.0, Band.TOP: 100.0}[band]
            else:
                expected = 100.0 if band is Band.TOP else 0.0
            assert rows[day] == expected, (metric, scale, score)
    for name in ("csat", "ces_easy"):
        for scale, top in CATALOGUE[name].top_box.items():
            assert top == BANDS[scale][1].start
