"""Spike detection measured on generated data with weekly and daily seasonality.

1. Detection delay: spikes planted at a random hour in a random topic (extra items spread
   over the rest of that day); hours from onset to the first alarm (daily or hourly series).
2. False alarms per topic per month on the same data without spikes, against the rate the
   thresholds promise (alpha_day · 30 + alpha_hour · 720 per series and month).
3. Throughput: ``otklik incidents detect`` over a store of ``--rows`` items (SQLite; 1M by
   default): the default window (the last week, with its 8 weeks of baseline) read from the
   store and tested; and every day of the whole year tested in memory.

    python benchmarks/bench_incidents.py                   # all three, 1M-item store
    python benchmarks/bench_incidents.py --rows 200000     # a quicker store
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert

from otklik.incidents import DetectionRules, detect, detect_events, load_events
from otklik.ledger import FeedbackItem, make_engine, upgrade

START = datetime(2025, 1, 6)
WEEK = np.array([1.0, 1.1, 1.0, 0.95, 1.2, 0.5, 0.4])
HOURS = np.array([0.1] * 6 + [0.6, 1.0] + [1.4] * 10 + [1.0] * 4 + [0.4] * 2)
HOURS = HOURS / HOURS.sum()
CHANNELS = ("app", "web", "call", "chat", "email", "store")
REGIONS = ("Moscow", "Kazan", "Novosibirsk", "Saint Petersburg", "Yekaterinburg")


def _day_events(rng: np.random.Generator, day: int, topic: str, rate: float) -> list[dict]:
    count = rng.poisson(rate * WEEK[day % 7])
    hours = rng.choice(24, size=count, p=HOURS)
    seconds = hours * 3600 + rng.uniform(0, 3600, count)
    return [_row(day, float(s), topic) for s in seconds]


def _row(day: int, second: float, topic: str) -> dict:
    return {
        "occurred_at": START + timedelta(days=day, seconds=second),
        "topic": [topic],
        "type": None,
        "channel": None,
        "product": None,
        "region": None,
        "partner": None,
        "score": None,
        "scale": None,
    }


def _topics(count: int) -> dict[str, float]:
    # Busy, middling and quiet topics: 40, 10 and 2 items on an ordinary weekday.
    rates = (40.0, 10.0, 2.0)
    return {f"topic{i}": rates[i % 3] for i in range(count)}


def false_alarms(topics: int, months: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    days = months * 30 + 60
    rates = _topics(topics)
    rows = [
        r
        for day in range(days)
        for t, rate in rates.items()
        for r in _day_events(rng, day, t, rate)
    ]
    events = pd.DataFrame(rows)
    rules = DetectionRules(low_scores=False)
    found = detect_events(events, since=START + timedelta(days=60), rules=rules)
    per = len(found) / topics / months
    promised = rules.alpha_day * 30 + rules.alpha_hour * 720
    return {"alarms": len(found), "per_topic_month": per, "promised_at_most": promised}


def delays(trials: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    rates = _topics(6)
    found_delays: list[float] = []
    same_day = 0
    for trial in range(trials):
        spike_day = 60 + trial % 14
        topic = f"topic{trial % 6}"
        onset_hour = float(rng.uniform(7, 15))
        extra = max(8.0, 1.5 * rates[topic])  # +150% of a weekday's volume (at least 8)
        rows = [
            r
            for day in range(spike_day + 2)
            for t, rate in rates.items()
            for r in _day_events(rng, day, t, rate)
        ]
        left = 24 - onset_hour
        for second in rng.uniform(onset_hour * 3600, 86_400, rng.poisson(extra * left / 14)):
            rows.append(_row(spike_day, float(second), topic))
        onset = START + timedelta(days=spike_day, hours=onset_hour)
        found = [
            d
            for d in detect_events(
                pd.DataFrame(rows),
                since=onset - timedelta(days=1),
                rules=DetectionRules(low_scores=False),
            )
            if d.value == topic and d.detected_at >= onset
        ]
        if found:
            first = min(d.detected_at for d in found)
            found_delays.append((first - onset).total_seconds() / 3600)
            same_day += first.date() == onset.date()
    ordered = sorted(found_delays)
    return {
        "trials": trials,
        "detected": len(found_delays),
        "same_day": same_day,
        "median_h": statistics.median(ordered) if ordered else float("nan"),
        "p90_h": ordered[int(0.9 * (len(ordered) - 1))] if ordered else float("nan"),
    }


def _store(path: Path, rows: int, seed: int) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    rng = np.random.default_rng(seed)
    days = 364
    day = rng.choice(days, size=rows, p=np.resize(WEEK, days) / np.resize(WEEK, days).sum())
    hour = rng.choice(24, size=rows, p=HOURS)
    seconds = day * 86_400 + hour * 3600 + rng.integers(0, 3600, rows)
    channels = rng.choice(CHANNELS, size=rows)
    regions = rng.choice(REGIONS, size=rows)
    batch = 50_000
    with engine.begin() as conn:
        for start in range(0, rows, batch):
            conn.execute(
                insert(FeedbackItem),
                [
                    {
                        "source": "bench",
                        "external_id": str(i),
                        "kind": "contact",
                        "channel": str(channels[i]),
                        "region": str(regions[i]),
                        "occurred_at": START + timedelta(seconds=int(seconds[i])),
                    }
                    for i in range(start, min(rows, start + batch))
                ],
            )
    engine.dispose()
    return url


def throughput(rows: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = _store(Path(folder) / "bench.db", rows, seed)
        engine = make_engine(url)
        began = time.perf_counter()
        found = detect(engine)
        window = time.perf_counter() - began
        began = time.perf_counter()
        events = load_events(engine, since=START)
        loaded = time.perf_counter() - began
        began = time.perf_counter()
        detect_events(events, since=START + timedelta(days=60))
        year = time.perf_counter() - began
        engine.dispose()
    return {
        "rows": rows,
        "default_window_s": window,
        "default_window_alarms": len(found),
        "load_all_s": loaded,
        "detect_year_s": year,
        "items_per_s_year": rows / (loaded + year),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--topics", type=int, default=30)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-store", action="store_true")
    args = parser.parse_args()
    print("false alarms:", false_alarms(args.topics, args.months, args.seed), flush=True)
    print("delay:", delays(args.trials, args.seed), flush=True)
    if not args.skip_store:
        print("throughput:", throughput(args.rows, args.seed), flush=True)


if __name__ == "__main__":
    main()
