"""Inviting customers: one signed link each, within the contact policy.

:meth:`Inviter.invite` checks the policy against the customer's earlier invitations, stores
the invitation and returns its link; an invitation the policy forbids raises
:class:`~otklik.errors.PolicyRefused` (and is logged in ``policy_events``) unless ``force``.
:meth:`Inviter.invite_many` does the same for many customers (a CSV) and reports every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert

from otklik.config import Settings
from otklik.contact import (
    ContactPolicy,
    OpenIncidentSegments,
    customer_facts,
    decide,
    default_incident_source,
    lock_customer,
    policy_in_force,
)
from otklik.errors import PolicyRefused, SurveyError
from otklik.ingest import DateParser
from otklik.jobs import serialize_on
from otklik.ledger.models_surveys import Invitation, PolicyEvent
from otklik.surveys.links import LinkSigner, signer_from_settings
from otklik.surveys.policy import Policy, load_policy, sent_before
from otklik.surveys.surveys import SurveyDef, get_survey
from otklik.types import normalize_channel

__all__ = ["CHANNELS", "MECHANICS", "InviteResult", "Inviter", "RowResult", "operation_time"]

MECHANICS: tuple[str, ...] = ("link", "success-screen", "bottom-sheet", "popup", "section")
CHANNELS: tuple[str, ...] = ("sms", "email", "push", "app", "web")
_CHUNK = 500


@dataclass(frozen=True)
class InviteResult:
    """A stored invitation and its link."""

    id: int
    survey_id: int
    survey: str
    customer_id: str
    channel: str | None
    mechanic: str
    transaction_id: str | None
    token: str
    url: str
    sent_at: datetime
    expires_at: datetime
    forced: bool
    broken_rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "token": self.token,
            "survey_id": self.survey_id,
            "survey": self.survey,
            "customer_id": self.customer_id,
            "channel": self.channel,
            "mechanic": self.mechanic,
            "transaction_id": self.transaction_id,
            "sent_at": self.sent_at.isoformat() + "Z",
            "expires_at": self.expires_at.isoformat() + "Z",
            "forced": self.forced,
            "broken_rules": list(self.broken_rules),
        }


@dataclass(frozen=True)
class RowResult:
    """One row of a bulk invitation: ``invited``, ``refused`` (policy) or ``error``."""

    row: int
    customer_id: str | None
    status: str
    reason: str | None = None
    rule: str | None = None
    invitation: InviteResult | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        found = self.invitation.to_dict() if self.invitation else {}
        return {
            "row": self.row,
            "customer_id": self.customer_id,
            "status": self.status,
            "reason": self.reason,
            "rule": self.rule,
            "id": found.get("id"),
            "url": found.get("url"),
            "token": found.get("token"),
            "expires_at": found.get("expires_at"),
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _text(value: object, name: str, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise SurveyError(f"{name} is longer than {limit} characters")
    return text or None


def _channel(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    channel = normalize_channel(value)
    if channel not in CHANNELS:
        raise SurveyError(f"unknown channel {value!r} (use {', '.join(CHANNELS)})")
    return channel


def _days(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise SurveyError(f"expires_days {str(value)[:20]!r} is not a whole number") from None


def operation_time(value: object) -> datetime | None:
    """When the operation that prompted the survey happened (naive UTC), from a CLI or CSV value.

    The time from operation to answer is what compares mechanics fairly: a push that arrives an
    hour after the payment is a different mechanic from a success screen.
    """
    if value is None or value == "" or isinstance(value, datetime):
        return value if isinstance(value, datetime) else None
    try:
        return DateParser()(value)
    except ValueError as exc:
        raise SurveyError(f"operation_at: {exc}") from None


def _mechanic(value: str | None) -> str:
    mechanic = (value or "link").strip().lower()
    if mechanic not in MECHANICS:
        raise SurveyError(f"unknown mechanic {value!r} (use {', '.join(MECHANICS)})")
    return mechanic


class Inviter:
    """Creates invitations for one store, signer and policy."""

    def __init__(
        self,
        engine: Engine,
        *,
        signer: LinkSigner,
        policy: Policy,
        public_url: str,
        default_days: int = 14,
        contact: ContactPolicy | None = None,
        zone: str = "UTC",
        incidents: OpenIncidentSegments | None = None,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.policy = policy
        # The one contact policy of every message type (otklik.contact): caps across types,
        # opt-outs, suppression; the survey rules above stay the per-survey-type caps.
        self.contact = contact
        self.zone = zone
        self.incidents = incidents or default_incident_source()
        self.public_url = public_url.rstrip("/")
        self.default_days = default_days

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> Inviter:
        return cls(
            engine,
            signer=signer_from_settings(settings),
            policy=load_policy(settings.survey_policy),
            public_url=settings.public_url,
            default_days=settings.survey_link_days,
            contact=policy_in_force(settings),
            zone=settings.timezone,
        )

    def invite(
        self,
        *,
        survey_id: int,
        customer_id: str,
        channel: str | None = None,
        mechanic: str | None = None,
        transaction_id: str | None = None,
        expires_days: int | None = None,
        operation_at: datetime | None = None,
        force: bool = False,
        now: datetime | None = None,
    ) -> InviteResult:
        """Invite one customer; :class:`PolicyRefused` when the policy forbids it."""
        survey = self._survey(survey_id)
        now = now or _now()
        segments = self._segments(now)
        with self.engine.begin() as conn:
            outcome = self._one(
                conn,
                survey,
                segments,
                customer_id=customer_id,
                channel=channel,
                mechanic=mechanic,
                transaction_id=transaction_id,
                expires_days=expires_days,
                operation_at=operation_at,
                force=force,
                now=now,
            )
        if isinstance(outcome, PolicyRefused):
            raise outcome
        return outcome

    def invite_many(
        self,
        *,
        survey_id: int,
        rows: Iterable[tuple[int, Mapping[str, Any]]],
        force: bool = False,
        now: datetime | None = None,
    ) -> list[RowResult]:
        """Invite every ``(row number, fields)``; fields: ``customer_id`` and optionally
        ``channel``, ``mechanic``, ``transaction_id``, ``expires_days``, ``operation_at``.
        Rows are checked in order, so a customer listed twice is refused the second time."""
        survey = self._survey(survey_id)
        results: list[RowResult] = []
        pending = list(rows)
        segments = self._segments(now or _now())
        for start in range(0, len(pending), _CHUNK):
            with self.engine.begin() as conn:
                for number, fields in pending[start : start + _CHUNK]:
                    results.append(self._row(conn, survey, segments, number, fields, force, now))
        return results

    def _segments(self, now: datetime) -> list[tuple[str, str]]:
        return self.incidents(self.engine, now) if self.contact is not None else []

    def _row(
        self,
        conn: Connection,
        survey: SurveyDef,
        segments: list[tuple[str, str]],
        number: int,
        fields: Mapping[str, Any],
        force: bool,
        now: datetime | None,
    ) -> RowResult:
        raw = fields.get("customer_id")
        customer = str(raw).strip()[:200] or None if raw is not None else None
        try:
            outcome = self._one(
                conn,
                survey,
                segments,
                customer_id="" if raw is None else str(raw),
                channel=fields.get("channel"),
                mechanic=fields.get("mechanic"),
                transaction_id=fields.get("transaction_id"),
                expires_days=_days(fields.get("expires_days")),
                operation_at=operation_time(fields.get("operation_at")),
                force=force,
                now=now or _now(),
            )
        except SurveyError as exc:
            return RowResult(number, customer, "error", str(exc))
        if isinstance(outcome, PolicyRefused):
            return RowResult(number, customer, "refused", str(outcome), outcome.rule)
        return RowResult(number, customer, "invited", invitation=outcome)

    def _survey(self, survey_id: int) -> SurveyDef:
        survey = get_survey(self.engine, survey_id)
        if not survey.active:
            raise SurveyError(f"survey {survey_id} ({survey.name}) is closed")
        return survey

    def _one(
        self,
        conn: Connection,
        survey: SurveyDef,
        segments: list[tuple[str, str]],
        *,
        customer_id: str,
        channel: str | None,
        mechanic: str | None,
        transaction_id: str | None,
        expires_days: int | None,
        operation_at: datetime | None,
        force: bool,
        now: datetime,
    ) -> InviteResult | PolicyRefused:
        customer = _text(customer_id, "customer_id")
        if customer is None:
            raise SurveyError("a customer id is required")
        transaction = _text(transaction_id, "transaction_id")
        days = self.default_days if expires_days is None else expires_days
        if not 1 <= days <= 366:
            raise SurveyError(f"--expires-days must be 1–366, got {days}")
        values: dict[str, Any] = {
            "survey_id": survey.id,
            "survey": survey.name,
            "survey_type": survey.type,
            "customer_id": customer,
            "channel": _channel(channel),
            "mechanic": _mechanic(mechanic),
            "transaction_id": transaction,
            "operation_at": operation_at,
            "sent_at": now,
            "expires_at": (now + timedelta(days=days)).replace(microsecond=0),
            "forced": False,
        }
        # One customer's invitations are checked and written one at a time, whichever process
        # sends them: two at the same moment cannot both pass the policy.
        serialize_on(conn, f"invite:{customer}")
        if self.contact is not None:
            lock_customer(conn, customer, now)  # the contact policy's own per-customer lock
        sent = sent_before(
            conn,
            customer_id=customer,
            now=now,
            horizon_days=self.policy.horizon_days,
            transaction_id=transaction,
        )
        broken = [
            (v.rule.name, v.reason(customer))
            for v in self.policy.check(
                survey_type=survey.type, transaction_id=transaction, now=now, sent=sent
            )
        ]
        if self.contact is not None and not broken:
            facts = customer_facts(
                conn,
                customer_id=customer,
                now=now,
                policy=self.contact,
                zone=self.zone,
                incident_segments=segments,
            )
            decision = decide(
                self.contact,
                type_="survey_invitation",
                channel=values["channel"] or "web",
                now=now,
                facts=facts,
            )
            if not decision.allowed:
                when = decision.to_dict()["next_allowed_at"]
                after = f"; allowed again from {when}" if when else ""
                broken.append(
                    (
                        decision.rule or "contact",
                        f"contact policy: customer {customer}: {decision.reason}{after}; "
                        "--force sends it anyway",
                    )
                )
        if broken and not force:
            rule, reason = broken[0]
            refusal = PolicyRefused(reason, rule=rule)
            conn.execute(
                insert(PolicyEvent).values(
                    at=now,
                    survey_id=survey.id,
                    customer_id=customer,
                    decision="refused",
                    rule=rule[:100],
                    reason=str(refusal),
                    invitation_id=None,
                )
            )
            return refusal
        values["forced"] = bool(broken)
        result = conn.execute(insert(Invitation).values(**values))
        assert result.inserted_primary_key is not None
        invitation_id = int(result.inserted_primary_key[0])
        if broken:
            conn.execute(
                insert(PolicyEvent),
                [
                    {
                        "at": now,
                        "survey_id": survey.id,
                        "customer_id": customer,
                        "decision": "forced",
                        "rule": rule[:100],
                        "reason": reason,
                        "invitation_id": invitation_id,
                    }
                    for rule, reason in broken
                ],
            )
        token = self.signer.sign(
            invitation_id=invitation_id,
            survey_id=survey.id,
            customer_id=customer,
            expires_at=values["expires_at"],
        )
        return InviteResult(
            id=invitation_id,
            survey_id=survey.id,
            survey=survey.name,
            customer_id=customer,
            channel=values["channel"],
            mechanic=values["mechanic"],
            transaction_id=transaction,
            token=token,
            url=f"{self.public_url}/s/{token}",
            sent_at=now,
            expires_at=values["expires_at"],
            forced=bool(broken),
            broken_rules=tuple(rule for rule, _ in broken),
        )
