"""Fatigue measured: response and opt-out rates as functions of how often a customer is contacted.

Each message sent in the period is placed in a frequency bin by the number of messages (of
any type, on any channel) the same customer received in the ``lookback_days`` before it. Per
type, channel and bin: ``n`` messages, the share answered (``outcome = answered``, or a survey
invitation that was answered) and the share that ended in ``unsubscribed`` or ``complained``,
each with its 95% Wilson interval. A response rate that falls across bins while opt-outs rise
is the evidence for a cap; bins with few messages say so through wide intervals.

:func:`trends` tests each type and channel for a trend across the bins (Cochran–Armitage, bin
positions 0…5 as scores): ``z`` < 0 means the rate falls as contacts grow, with its two-sided
p-value. The statistic is N·r², r the correlation of bin position and outcome over messages.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from otklik.ledger import Communication, Invitation
from otklik.metrics import wilson_interval

__all__ = [
    "BINS",
    "FatigueRow",
    "Trend",
    "fatigue",
    "frequency_bin",
    "latest_sent_at",
    "trends",
]

# (label, lowest count, highest count or None)
BINS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3-4", 3, 4),
    ("5-7", 5, 7),
    ("8+", 8, None),
)
ALL = "all"


def frequency_bin(count: int) -> str:
    """The bin label of ``count`` earlier messages."""
    for label, low, high in BINS:
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(f"negative count {count}")


@dataclass(frozen=True)
class FatigueRow:
    """One cell: type, channel ("all": every channel), frequency bin and its rates."""

    type: str
    channel: str
    bin: str
    n: int
    answered: int
    opted_out: int

    def _rate(self, k: int) -> dict[str, float | None]:
        if self.n == 0:
            return {"rate": None, "ci_low": None, "ci_high": None}
        interval = wilson_interval(k, self.n)
        return {"rate": k / self.n, "ci_low": interval.low, "ci_high": interval.high}

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "channel": self.channel,
            "bin": self.bin,
            "n": self.n,
            "answered": self.answered,
            "response": self._rate(self.answered),
            "opted_out": self.opted_out,
            "opt_out": self._rate(self.opted_out),
        }


def _messages(
    engine: Engine, start: datetime, end: datetime
) -> list[tuple[str, str, str, datetime, str | None]]:
    with engine.connect() as conn:
        rows = [
            (r.customer_id, r.type, r.channel, r.sent_at, r.outcome)
            for r in conn.execute(
                select(
                    Communication.customer_id,
                    Communication.type,
                    Communication.channel,
                    Communication.sent_at,
                    Communication.outcome,
                ).where(Communication.sent_at >= start, Communication.sent_at < end)
            )
        ]
        rows += [
            (
                r.customer_id,
                "survey_invitation",
                r.channel or "web",
                r.sent_at,
                "answered" if r.answered_at is not None else None,
            )
            for r in conn.execute(
                select(
                    Invitation.customer_id,
                    Invitation.channel,
                    Invitation.sent_at,
                    Invitation.answered_at,
                ).where(Invitation.sent_at >= start, Invitation.sent_at < end)
            )
        ]
    return rows


def fatigue(
    engine: Engine,
    *,
    since: datetime,
    until: datetime,
    lookback_days: int = 30,
    type_: str | None = None,
    channel: str | None = None,
) -> list[FatigueRow]:
    """The rows for messages sent in ``[since, until)`` (naive UTC), by type, channel (and
    ``all`` channels) and frequency bin; bins without a message are left out."""
    lookback = timedelta(days=lookback_days)
    rows = _messages(engine, since - lookback, until)
    times: dict[str, list[datetime]] = defaultdict(list)
    for customer, _type, _channel, sent_at, _outcome in rows:
        times[customer].append(sent_at)
    for values in times.values():
        values.sort()
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for customer, kind, where, sent_at, outcome in rows:
        if not since <= sent_at < until:
            continue
        if (type_ and kind != type_) or (channel and where != channel):
            continue
        history = times[customer]
        before = bisect_left(history, sent_at) - bisect_left(history, sent_at - lookback)
        label = frequency_bin(before)
        keys = [(kind, where, label)] if channel else [(kind, where, label), (kind, ALL, label)]
        for key in keys:
            cell = cells[key]
            cell[0] += 1
            cell[1] += outcome == "answered"
            cell[2] += outcome in ("unsubscribed", "complained")
    order = {label: position for position, (label, _, _) in enumerate(BINS)}
    return [
        FatigueRow(kind, where, label, n, answered, opted)
        for (kind, where, label), (n, answered, opted) in sorted(
            cells.items(),
            key=lambda item: (item[0][0], item[0][1] != ALL, item[0][1], order[item[0][2]]),
        )
    ]


def latest_sent_at(engine: Engine) -> datetime | None:
    """The time of the newest message (communications or invitations), None when none."""
    with engine.connect() as conn:
        times = [
            conn.execute(select(func.max(Communication.sent_at))).scalar(),
            conn.execute(select(func.max(Invitation.sent_at))).scalar(),
        ]
    found = [t for t in times if t is not None]
    return max(found) if found else None


@dataclass(frozen=True)
class Trend:
    """The Cochran–Armitage trend of one rate across the bins of one type and channel."""

    type: str
    channel: str
    rate: str  # "response" or "opt_out"
    n: int
    z: float | None
    p_value: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "channel": self.channel,
            "rate": self.rate,
            "n": self.n,
            "z": self.z,
            "p_value": self.p_value,
        }


def _trend(cells: list[tuple[int, int, int]]) -> tuple[int, float | None, float | None]:
    """(N, z, p) from (score, n, k) per bin; None when either side does not vary."""
    total = sum(n for _, n, _ in cells)
    if total == 0:
        return 0, None, None
    hits = sum(k for _, _, k in cells)
    mean_x = sum(s * n for s, n, _ in cells) / total
    var_x = sum(s * s * n for s, n, _ in cells) / total - mean_x**2
    share = hits / total
    var_y = share * (1 - share)
    if var_x <= 1e-12 or var_y <= 0:
        return total, None, None
    cov = sum(s * k for s, _, k in cells) / total - mean_x * share
    z = math.copysign(math.sqrt(total * cov * cov / (var_x * var_y)), cov)
    return total, z, math.erfc(abs(z) / math.sqrt(2))


def trends(rows: list[FatigueRow]) -> list[Trend]:
    """The trend of the response and the opt-out rate for each type and channel."""
    position = {label: index for index, (label, _, _) in enumerate(BINS)}
    groups: dict[tuple[str, str], list[FatigueRow]] = defaultdict(list)
    for row in rows:
        groups[(row.type, row.channel)].append(row)
    found = []
    for (kind, where), members in groups.items():
        for rate in ("response", "opt_out"):
            cells = [
                (position[r.bin], r.n, r.answered if rate == "response" else r.opted_out)
                for r in members
            ]
            n, z, p = _trend(cells)
            found.append(Trend(kind, where, rate, n, z, p))
    return found
