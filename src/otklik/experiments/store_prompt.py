"""App-store rating prompts by trigger, as an experiment variant, and the imported rating trend.

The widget asks for a store rating when the customer's variant has a ``store_prompt`` trigger
and the trigger holds: at least N successful payments, no open complaint, not asked in the
last D days (any experiment). Nothing here reads the customer's earlier scores, on purpose:
asking only satisfied customers ("review gating") is forbidden by the App Store Review
Guidelines (5.6.1: use the provided API, no custom review prompts that filter) and by Google
Play's policy on ratings and reviews, and it would bias the very rating being measured.

Store ratings are imported per day, variant and star value (``date,variant,stars,count``;
where the store cannot tell variants apart, export per app build or country that carried the
variant) and compared between variants as the ``store_rating`` metric.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from otklik.errors import ConfigError, InputFileError
from otklik.experiments.assign import variant_for
from otklik.experiments.registry import get_experiment, now_utc
from otklik.ledger.models import FeedbackItem
from otklik.ledger.models_classify import Case
from otklik.ledger.models_experiments import ExperimentObservation, Exposure

__all__ = ["StorePrompt", "import_store_ratings", "rating_trend", "store_prompt"]


@dataclass(frozen=True)
class StorePrompt:
    experiment: str
    customer: str
    variant: str
    ask: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "customer": self.customer,
            "variant": self.variant,
            "ask": self.ask,
            "reason": self.reason,
        }


def _open_complaint(engine: Engine, customer: str) -> bool:
    query = (
        select(func.count())
        .select_from(Case)
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .where(FeedbackItem.customer_id == customer, Case.status != "closed")
    )
    with engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


def _last_asked(engine: Engine, customer: str) -> datetime | None:
    query = select(func.max(Exposure.at)).where(
        Exposure.customer_id == customer, Exposure.source == "store-prompt"
    )
    with engine.connect() as conn:
        value: datetime | None = conn.execute(query).scalar_one()
    return value


def store_prompt(
    engine: Engine,
    key: str,
    customer: str,
    *,
    successful_payments: int,
    now: datetime | None = None,
) -> StorePrompt:
    """Whether the widget should ask this customer for a store rating now; a ``yes`` is
    logged as a ``store-prompt`` exposure (which the 90-day rule then counts)."""
    stored = get_experiment(engine, key)
    if stored.status == "draft":
        raise ConfigError(f"experiment {key!r} is a draft; start it first")
    at = now or now_utc()
    variant_name = variant_for(engine, stored, customer, at)
    trigger = stored.definition.variant(variant_name).store_prompt

    def answer(ask: bool, reason: str) -> StorePrompt:
        return StorePrompt(key, customer, variant_name, ask, reason)

    if trigger is None:
        return answer(False, "this variant does not ask for store ratings")
    if successful_payments < trigger.successful_payments:
        return answer(
            False, f"{successful_payments} of {trigger.successful_payments} successful payments"
        )
    if trigger.no_open_complaint and _open_complaint(engine, customer):
        return answer(False, "the customer has an open complaint")
    last = _last_asked(engine, customer)
    if last is not None and at - last < timedelta(days=trigger.not_asked_days):
        return answer(
            False, f"asked on {last:%Y-%m-%d}, less than {trigger.not_asked_days} days ago"
        )
    with engine.begin() as conn:
        conn.execute(
            insert(Exposure).values(
                experiment=key,
                customer_id=customer,
                variant=variant_name,
                source="store-prompt",
                invitation_id=None,
                at=at,
            )
        )
    return answer(True, "trigger met")


def import_store_ratings(engine: Engine, key: str, path: Path) -> int:
    """Read ``date,variant,stars,count`` rows into the experiment's ``store_rating``
    observations (a day and variant already imported is replaced); returns the rows stored."""
    stored = get_experiment(engine, key)
    names = {v.name for v in stored.definition.variants}
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    rows: list[dict[str, Any]] = []
    with handle:
        reader = csv.DictReader(handle)
        missing = {"date", "variant", "stars", "count"} - set(reader.fieldnames or [])
        if missing:
            raise InputFileError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for line, raw in enumerate(reader, start=2):
            try:
                day = datetime.strptime(raw["date"].strip(), "%Y-%m-%d")
                stars = float(raw["stars"])
                count = int(raw["count"])
            except (ValueError, AttributeError):
                raise InputFileError(
                    f"{path}:{line}: date YYYY-MM-DD, stars and count numbers"
                ) from None
            variant = (raw["variant"] or "").strip()
            if variant not in names:
                raise InputFileError(f"{path}:{line}: unknown variant {variant!r}")
            if not 1 <= stars <= 5 or count < 0:
                raise InputFileError(f"{path}:{line}: stars must be 1–5 and count ≥ 0")
            rows.append(
                {
                    "experiment": key,
                    "metric": "store_rating",
                    "variant": variant,
                    "day": day,
                    "value": stars,
                    "count": count,
                }
            )
    with engine.begin() as conn:
        for day, variant in {(r["day"], r["variant"]) for r in rows}:
            conn.execute(
                delete(ExperimentObservation).where(
                    ExperimentObservation.experiment == key,
                    ExperimentObservation.metric == "store_rating",
                    ExperimentObservation.day == day,
                    ExperimentObservation.variant == variant,
                )
            )
        if rows:
            conn.execute(insert(ExperimentObservation), rows)
    return len(rows)


def rating_trend(engine: Engine, key: str) -> list[dict[str, Any]]:
    """Mean store rating and count per day and variant."""
    query = (
        select(
            ExperimentObservation.day,
            ExperimentObservation.variant,
            func.sum(ExperimentObservation.value * ExperimentObservation.count),
            func.sum(ExperimentObservation.count),
        )
        .where(
            ExperimentObservation.experiment == key, ExperimentObservation.metric == "store_rating"
        )
        .group_by(ExperimentObservation.day, ExperimentObservation.variant)
        .order_by(ExperimentObservation.day, ExperimentObservation.variant)
    )
    with engine.connect() as conn:
        return [
            {
                "day": day.date().isoformat(),
                "variant": variant,
                "mean": float(total) / n if n else None,
                "n": int(n or 0),
            }
            for day, variant, total, n in conn.execute(query)
        ]
