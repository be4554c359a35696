"""Storing answers: once, as a ledger item of the survey's kind and scale.

An answer is written in one transaction with its invitation: the ledger item (source
``surveys``, external id ``invitation-<id>``; the ledger's unique key on (source, external_id)
makes a second write impossible, whichever process tries) and the invitation's
``answered_at``, mode, time to answer and item id. The item is inserted here rather than
through :func:`otklik.ledger.write_items`, which opens its own transaction and returns no ids:
the item and its invitation must commit together. :func:`store_answers` writes a batch in the
caller's transaction; :class:`otklik.surveys.writer.AnswerWriter` feeds it from the web app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from otklik.errors import LinkError
from otklik.ledger import EMPLOYEE_KINDS, anonymous, index_new_items
from otklik.ledger.models import FeedbackItem
from otklik.ledger.models_surveys import Invitation, Survey
from otklik.surveys.answers import Answer, parse_answer
from otklik.surveys.links import LinkClaims, LinkSigner
from otklik.surveys.surveys import SurveyDef, get_survey

__all__ = [
    "ITEM_SOURCE",
    "OpenLink",
    "Recorded",
    "Submission",
    "SurveyCache",
    "open_link",
    "record_answer",
    "store_answers",
]

ITEM_SOURCE = "surveys"


@dataclass(frozen=True, slots=True)
class Submission:
    claims: LinkClaims
    survey: SurveyDef
    answer: Answer


@dataclass(frozen=True, slots=True)
class Recorded:
    invitation_id: int
    item_id: int
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class OpenLink:
    """A link that can be answered: its invitation's fields and the survey."""

    invitation_id: int
    customer_id: str
    channel: str | None
    mechanic: str
    expires_at: datetime
    survey: SurveyDef


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SurveyCache:
    """Survey definitions by id, re-read after ``ttl_s``. Whether a survey is still open is
    never taken from here: :func:`open_link` and :func:`store_answers` read it with the
    invitation, so a closed survey refuses answers at once."""

    def __init__(self, engine: Engine, ttl_s: float = 30.0) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self._data: dict[int, tuple[float, SurveyDef]] = {}
        self._lock = threading.Lock()

    def peek(self, survey_id: int) -> SurveyDef | None:
        with self._lock:
            found = self._data.get(survey_id)
        if found is None or time.monotonic() - found[0] > self.ttl_s:
            return None
        return found[1]

    def get(self, survey_id: int) -> SurveyDef:
        survey = self.peek(survey_id)
        if survey is None:
            survey = get_survey(self.engine, survey_id)
            with self._lock:
                self._data[survey_id] = (time.monotonic(), survey)
        return survey


# The invitation with its survey's status, read in the transaction that writes the answer:
# closing a survey refuses every answer committed after it, whatever a cache holds.
_ROW = select(
    Invitation.id,
    Invitation.survey_id,
    Invitation.customer_id,
    Invitation.channel,
    Invitation.mechanic,
    Invitation.transaction_id,
    Invitation.operation_at,
    Invitation.sent_at,
    Invitation.expires_at,
    Invitation.answered_at,
    Survey.active.label("survey_active"),
).join(Survey, Survey.id == Invitation.survey_id)
_BATCH = _ROW.where(Invitation.id.in_(bindparam("ids", expanding=True)))
_MARK = (
    update(Invitation)
    .where(Invitation.id == bindparam("b_id"))
    .values(
        answered_at=bindparam("b_answered_at"),
        answer_mode=bindparam("b_mode"),
        seconds_to_answer=bindparam("b_seconds"),
        item_id=bindparam("b_item_id"),
    )
)
_INSERTS: dict[str, Any] = {
    "sqlite": sqlite.insert(FeedbackItem)
    .on_conflict_do_nothing(index_elements=["source", "external_id"])
    .returning(FeedbackItem.id),
    "postgresql": postgresql.insert(FeedbackItem)
    .on_conflict_do_nothing(index_elements=["source", "external_id"])
    .returning(FeedbackItem.id),
}


def _check(signer: LinkSigner, claims: LinkClaims, row: Any, now: datetime) -> Any:
    """``row`` (the invitation) if the link can be answered now, else a :class:`LinkError`."""
    if row is None:
        raise LinkError("unknown survey link", code="unknown", status=404)
    if not signer.matches(
        claims, survey_id=row.survey_id, customer_id=row.customer_id, expires_at=row.expires_at
    ):
        raise LinkError("the survey link is not genuine", code="forged", status=403)
    if row.answered_at is not None:
        raise LinkError("this survey has already been answered", code="answered", status=409)
    if row.expires_at <= now:
        raise LinkError("the survey link has expired", code="expired", status=410)
    if not row.survey_active:
        raise LinkError("this survey is closed", code="expired", status=410)
    return row


def _anonymous_answer(item: dict[str, Any], signer: LinkSigner) -> dict[str, Any]:
    """An employee's answer without the way back to who gave it (docs/ex.md): no customer id,
    no invitation or transaction id, and an external id the invitation cannot be read from
    (a keyed hash, stable so the answer stays idempotent), unless the company keeps ids."""
    from otklik.config import load_settings

    if item["kind"] not in EMPLOYEE_KINDS or load_settings().ex_keep_employee_ids:
        return item
    hidden = anonymous(item)
    attributes = {
        k: v
        for k, v in (hidden.get("attributes") or {}).items()
        if k not in ("invitation_id", "transaction_id")
    }
    tag = signer.customer_tag(str(item["external_id"])).hex()
    return {**hidden, "external_id": f"employee-answer-{tag}", "attributes": attributes or None}


def _item(submission: Submission, row: Any, now: datetime) -> dict[str, Any]:
    survey, answer = submission.survey, submission.answer
    spec = survey.spec
    mode = answer.mode or row.mechanic
    started = row.operation_at or row.sent_at
    attributes: dict[str, Any] = {
        "survey_id": survey.id,
        "survey": survey.name,
        "survey_type": survey.type,
        "invitation_id": row.id,
        "mechanic": row.mechanic,
        "mode": mode,
        "channel": row.channel or answer.channel,
        "seconds_to_answer": round((now - started).total_seconds(), 3),
    }
    optional = {
        "transaction_id": row.transaction_id,
        "dwell_ms": answer.dwell_ms,
        "language": answer.language,
        "reasons": list(answer.reasons) or None,
        "other": answer.other,
    }
    attributes.update({key: value for key, value in optional.items() if value is not None})
    return {
        "source": ITEM_SOURCE,
        "external_id": f"invitation-{row.id}",
        "kind": spec.kind.value,
        "channel": row.channel or answer.channel,
        "occurred_at": now,
        "customer_id": row.customer_id,
        "score": None if answer.score is None else float(answer.score),
        "scale": spec.scale,
        "text": answer.comment or answer.other,
        "touchpoint": survey.name,
        "attributes": attributes,
    }


def store_answers(
    conn: Connection,
    signer: LinkSigner,
    submissions: Sequence[Submission],
    *,
    now: datetime | None = None,
) -> list[Recorded | LinkError]:
    """Write a batch of answers in the caller's transaction; one outcome per submission
    (a :class:`LinkError` for an unknown, forged, expired or already answered link)."""
    moment = now or _now()
    ids = sorted({submission.claims.invitation_id for submission in submissions})
    rows = {row.id: row for row in conn.execute(_BATCH, {"ids": ids})}
    insert_item = _INSERTS[conn.dialect.name]
    outcomes: list[Recorded | LinkError] = []
    marks: list[dict[str, Any]] = []
    answered: set[int] = set()
    for submission in submissions:
        try:
            row = _check(
                signer, submission.claims, rows.get(submission.claims.invitation_id), moment
            )
            if row.id in answered:
                raise LinkError(
                    "this survey has already been answered", code="answered", status=409
                )
        except LinkError as exc:
            outcomes.append(exc)
            continue
        item = _anonymous_answer(_item(submission, row, moment), signer)
        item_id = conn.execute(insert_item, item).scalar()
        if item_id is None:  # answered by another process since the rows were read
            outcomes.append(
                LinkError("this survey has already been answered", code="answered", status=409)
            )
            continue
        answered.add(row.id)
        marks.append(
            {
                "b_id": row.id,
                "b_answered_at": moment,
                "b_mode": item["attributes"]["mode"],
                "b_seconds": item["attributes"]["seconds_to_answer"],
                "b_item_id": item_id,
            }
        )
        outcomes.append(Recorded(row.id, int(item_id), moment))
    if marks:
        conn.execute(_MARK, marks)
        index_new_items(conn)  # the comments' stems, for search (same transaction)
    return outcomes


def open_link(engine: Engine, signer: LinkSigner, cache: SurveyCache, token: str) -> OpenLink:
    """The invitation behind a token that can still be answered, or a :class:`LinkError`."""
    claims = signer.verify(token)
    with engine.connect() as conn:
        found = conn.execute(_ROW.where(Invitation.id == claims.invitation_id)).first()
    row = _check(signer, claims, found, _now())
    survey = cache.get(row.survey_id)
    return OpenLink(row.id, row.customer_id, row.channel, row.mechanic, row.expires_at, survey)


def record_answer(
    engine: Engine,
    signer: LinkSigner,
    token: str,
    fields: Mapping[str, Any],
    *,
    cache: SurveyCache | None = None,
) -> Recorded:
    """Check and store one answer in its own transaction (the library's twin of
    ``POST /s/<token>``)."""
    claims = signer.verify(token)
    survey = (cache or SurveyCache(engine)).get(claims.survey_id)
    submission = Submission(claims, survey, parse_answer(survey, fields))
    with engine.begin() as conn:
        outcome = store_answers(conn, signer, [submission])[0]
    if isinstance(outcome, LinkError):
        raise outcome
    return outcome
