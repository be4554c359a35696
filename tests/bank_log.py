"""The real 1999 call-centre log in ../shared/data, read for tests (metrics, KPIs)."""

from __future__ import annotations

import csv
import gzip
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import SHARED_DATA

BANK_FILE = SHARED_DATA / "callcenter_anonymous_bank_1999" / "data_anonymous_bank_february.txt.gz"


def bank_calls() -> list[dict[str, str]]:
    with gzip.open(BANK_FILE, "rt", encoding="ascii") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def call_time(call: dict[str, str]) -> datetime:
    day = datetime.strptime(call["date"], "%y%m%d")
    h, m, s = (int(part) for part in call["vru_entry"].split(":"))
    return day + timedelta(hours=h, minutes=m, seconds=s)


def bank_rows() -> list[dict[str, Any]]:
    """The log as ledger contacts. Mapping: ``server`` → agent (NO_SERVER → none),
    ``ser_time`` → handle time of answered calls (outcome AGENT), ``customer_id`` (0 = unknown)
    → customer, ``type`` → touchpoint, abandoned calls (HANG) → ended by the customer.
    The log has no team and does not say who ended an answered call: agent-ended share
    cannot be measured there, only handle time and repeat calls."""
    rows = []
    for i, call in enumerate(bank_calls()):
        if call["outcome"] == "PHANTOM":  # virtual calls, to be ignored (README)
            continue
        answered = call["outcome"] == "AGENT"
        rows.append(
            {
                "external_id": str(i),
                "kind": "contact",
                "channel": "call",
                "occurred_at": call_time(call),
                "customer_id": None if call["customer_id"] == "0" else call["customer_id"],
                "handle_time_s": float(call["ser_time"]) if answered else None,
                "wait_time_s": float(call["q_time"]),
                "ended_by": None if answered else "customer",
                "agent": None if call["server"] == "NO_SERVER" else call["server"],
                "touchpoint": call["type"],
            }
        )
    return rows
