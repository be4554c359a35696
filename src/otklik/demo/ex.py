"""The demo company's employee experience: a staff list, exit interviews, and the customers'
CSAT after contacts by team, planted so that EX and CX move together in one team.

The employee eNPS feed (:func:`otklik.demo.feeds.employees`) already makes the front line
unhappier wave after wave; here the contact center is the unhappy team: more leavers (for
workload and management), and its customers' CSAT after a contact is lower and falls each
quarter. Everything is drawn from its own seeded stream, written after the feeds, and
idempotent (the staff list is upserted, the items are deduplicated by id).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from otklik.ex import write_staff
from otklik.ledger import write_items

__all__ = [
    "DEMO_COSTS",
    "DEPARTMENT_OF_TEAM",
    "UNHAPPY_TEAM",
    "answer_attributes",
    "contact_csat",
    "employee_csat",
    "exit_interviews",
    "load_ex",
    "staff_list",
    "write_demo_costs",
]

UNHAPPY_TEAM = "Contact center"
DEPARTMENT_OF_TEAM: dict[str, str] = {
    "Contact center": "Customer service",
    "Chat support": "Customer service",
    "IT": "Technology",
    "Mobile app": "Technology",
    "Cards": "Products",
    "Lending": "Products",
    "Marketplace": "Marketplace",
    "Branches": "Retail network",
}
_ROLE_OF_TEAM = {
    "Contact center": "operator",
    "Chat support": "operator",
    "IT": "developer",
    "Mobile app": "developer",
    "Branches": "branch advisor",
}
_HEADCOUNT = {
    "Contact center": 120,
    "Chat support": 45,
    "IT": 60,
    "Mobile app": 30,
    "Cards": 30,
    "Lending": 30,
    "Marketplace": 40,
    "Branches": 35,
}
# Customer-serving teams and their customers' CSAT top-box chance per quarter (Q1..Q4).
_CSAT_TOP = {
    "Contact center": (0.70, 0.62, 0.55, 0.48),
    "Chat support": (0.78, 0.76, 0.73, 0.71),
    "Marketplace": (0.82, 0.81, 0.83, 0.82),
    "Branches": (0.84, 0.85, 0.83, 0.84),
    "Cards": (0.80, 0.81, 0.80, 0.82),
    "Lending": (0.79, 0.80, 0.81, 0.80),
}
_REASONS_UNHAPPY = ("workload", "workload", "manager", "pay", "career")
_REASONS_OTHER = ("pay", "career", "career", "relocation", "manager")
_EXIT_TEXT: dict[str, dict[str, str]] = {
    "workload": {
        "ru": "Слишком большая нагрузка и переработки, очередь звонков не кончается",
        "en": "The workload was too heavy, endless overtime and queues",
    },
    "manager": {
        "ru": "Руководитель не слышал команду, не было поддержки",
        "en": "My manager did not listen to the team, no support at all",
    },
    "pay": {
        "ru": "Зарплата ниже рынка, предложили больше в другом месте",
        "en": "Pay below the market, I got a better offer elsewhere",
    },
    "career": {
        "ru": "Не было роста и обучения, захотелось развиваться дальше",
        "en": "No growth or training, I wanted to move on in my career",
    },
    "relocation": {
        "ru": "Переезд в другой город, с командой было хорошо",
        "en": "Moving to another city, the team was great",
    },
}
# Replacement cost per role (hiring, training, lost output), in roubles: docs/ex.md.
DEMO_COSTS = """\
currency: RUB
default: 150000
roles:
  operator: 120000
  developer: 600000
  branch advisor: 180000
"""
_YEAR = datetime(2025, 1, 1)


def _at(rng: random.Random, quarter: int) -> datetime:
    return _YEAR + timedelta(days=91 * quarter + rng.random() * 90, hours=9 + 9 * rng.random())


def answer_attributes(team: str, number: int) -> dict[str, Any]:
    """Department and tenure of an eNPS answer, fixed by its team and number (no random draw,
    so the eNPS feed's stream is unchanged)."""
    return {
        "department": DEPARTMENT_OF_TEAM.get(team, "Other"),
        "tenure_years": round(((number * 37) % 97) / 12.0, 1),
    }


def staff_list(seed: int) -> list[dict[str, Any]]:
    """Every employee of 2025: start date, leave date and reason for those who left."""
    rng = random.Random(f"otklik-demo:{seed}:staff")
    staff: list[dict[str, Any]] = []
    for team, headcount in _HEADCOUNT.items():
        unhappy = team == UNHAPPY_TEAM
        for number in range(headcount):
            started = _YEAR - timedelta(days=30 + rng.random() * 365 * 8)
            left = reason = None
            if rng.random() < (0.45 if unhappy else 0.12):
                left = _at(rng, int(rng.random() * 4))
                reason = rng.choice(_REASONS_UNHAPPY if unhappy else _REASONS_OTHER)
            staff.append(
                {
                    "employee_id": f"E{team[:3].upper()}{number:04d}",
                    "started_at": started.replace(microsecond=0),
                    "left_at": left.replace(microsecond=0) if left else None,
                    "role": _ROLE_OF_TEAM.get(team, "manager"),
                    "department": DEPARTMENT_OF_TEAM[team],
                    "team": team,
                    "leave_reason": reason,
                }
            )
    return staff


def _item(external_id: str, kind: str, at: datetime, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "external_id": external_id,
        "kind": kind,
        "channel": "web",
        "occurred_at": at,
        "customer_id": None,
        "score": None,
        "scale": None,
        "text": None,
        "language": None,
        "team": None,
        "attributes": None,
    }
    row.update(values)
    return row


def exit_interviews(staff: list[dict[str, Any]], seed: int) -> Iterator[dict[str, Any]]:
    """An anonymous exit interview from most leavers: an eNPS answer and a comment."""
    rng = random.Random(f"otklik-demo:{seed}:exit-interviews")
    for number, member in enumerate(m for m in staff if m["left_at"] is not None):
        if rng.random() >= 0.75:
            continue
        reason = member["leave_reason"]
        lang = "ru" if rng.random() < 0.85 else "en"
        good = reason in ("relocation", "career")
        score = float(rng.randint(6, 10) if good else rng.randint(0, 6))
        yield _item(
            f"demo-ex-exit-{number:05d}",
            "employee-exit",
            member["left_at"] - timedelta(days=2),
            score=score,
            scale="nps",
            text=_EXIT_TEXT[reason][lang],
            language=lang,
            team=member["team"],
            attributes={"reason": reason, "department": member["department"]},
        )


def contact_csat(seed: int, rows: int = 50_000) -> Iterator[dict[str, Any]]:
    """Customers' CSAT (1–5) after a contact, by the team that served them, per quarter: about
    one answer per 500 demo items in each team and quarter (at least 20)."""
    rng = random.Random(f"otklik-demo:{seed}:contact-csat")
    per_cell = max(20, rows // 500)
    number = 0
    for team, chances in _CSAT_TOP.items():
        for quarter, chance in enumerate(chances):
            for _ in range(per_cell):
                number += 1
                top = rng.random() < chance
                score = float(rng.choice((4, 5)) if top else rng.choice((1, 2, 3)))
                yield _item(
                    f"demo-csat-{number:05d}",
                    "survey",
                    _at(rng, quarter),
                    score=score,
                    scale="csat5",
                    team=team,
                    channel="call" if team in ("Contact center", "Branches") else "chat",
                    touchpoint="after contact",
                )


# Employee satisfaction (eCSI, 1–5) per team: the chance of a 4–5 answer in Q1..Q4.
_ECSI_TOP = {
    "Contact center": (0.62, 0.52, 0.45, 0.38),
    "Chat support": (0.66, 0.62, 0.58, 0.55),
    "IT": (0.74, 0.75, 0.73, 0.76),
    "Marketplace": (0.72, 0.74, 0.73, 0.75),
    "Cards": (0.73, 0.72, 0.74, 0.73),
    "Branches": (0.70, 0.71, 0.70, 0.72),
}


def employee_csat(seed: int, rows: int = 50_000) -> Iterator[dict[str, Any]]:
    """Quarterly employee satisfaction answers (csat5, kind employee): the eCSI pulse."""
    rng = random.Random(f"otklik-demo:{seed}:ecsi")
    per_cell = max(8, rows // 2500)
    number = 0
    for team, chances in _ECSI_TOP.items():
        for quarter, chance in enumerate(chances):
            for _ in range(per_cell):
                number += 1
                top = rng.random() < chance
                yield _item(
                    f"demo-ecsi-{number:05d}",
                    "employee",
                    _at(rng, quarter),
                    score=float(rng.choice((4, 5)) if top else rng.choice((1, 2, 3))),
                    scale="csat5",
                    team=team,
                    attributes=answer_attributes(team, number),
                    touchpoint="eCSI survey",
                )


def load_ex(engine: Engine, seed: int, rows: int = 50_000) -> None:
    """Write the demo's staff list, exit interviews and CSAT by team (idempotent)."""
    staff = staff_list(seed)
    write_staff(engine, staff, source="demo-hr")
    write_items(
        engine, run_id=None, source="demo-ex-exit", items=list(exit_interviews(staff, seed))
    )
    write_items(
        engine, run_id=None, source="demo-contact-csat", items=list(contact_csat(seed, rows))
    )
    write_items(engine, run_id=None, source="demo-ecsi", items=list(employee_csat(seed, rows)))


def write_demo_costs(path: Path) -> Path:
    """The demo's replacement costs as a YAML file (for ``OTKLIK_EX_COSTS``)."""
    path.write_text(DEMO_COSTS, encoding="utf-8")
    return path
