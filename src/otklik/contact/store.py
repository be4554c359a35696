"""Communications as data: record one message, import a file of them, opt customers out.

A file (CSV with any encoding and delimiter, XLSX, JSON/JSONL — the ingest readers) has one
message a row: ``customer_id``, ``channel``, ``type``, ``sent_at`` and optionally ``outcome``
and ``id`` (the sender's message id). Imports are idempotent: a row's key is its id, else a
hash of customer, channel, type and time, so importing a file twice adds nothing; a known
message whose outcome the file changes (delivered, later answered) gets the new outcome. A row that
cannot be read is reported with file, line, field and reason, and nothing of it is stored. An
``unsubscribed`` outcome also opts the customer out of that type on that channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from otklik.contact.check import ContactError, Request, now_utc
from otklik.contact.policy import OUTCOMES
from otklik.ingest import DateParser, open_table
from otklik.ledger import Communication, ContactOptOut, in_write_transaction

__all__ = [
    "COLUMN_ALIASES",
    "ImportResult",
    "RowError",
    "import_communications",
    "opt_out",
    "record_communication",
]

COLUMN_ALIASES: dict[str, str] = {
    "customer_id": "customer_id",
    "customer": "customer_id",
    "client_id": "customer_id",
    "клиент": "customer_id",
    "channel": "channel",
    "канал": "channel",
    "type": "type",
    "тип": "type",
    "sent_at": "sent_at",
    "sent": "sent_at",
    "time": "sent_at",
    "отправлено": "sent_at",
    "outcome": "outcome",
    "result": "outcome",
    "исход": "outcome",
    "id": "external_id",
    "message_id": "external_id",
    "external_id": "external_id",
}
_REQUIRED = ("customer_id", "channel", "type", "sent_at")
_CHUNK = 1000


@dataclass(frozen=True)
class RowError:
    """A row left out: where it is and why."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class ImportResult:
    """What an import did: rows read, stored, already there, and the rows left out."""

    file: str
    rows: int = 0
    imported: int = 0
    updated: int = 0  # known messages whose outcome the file changed
    duplicates: int = 0
    opt_outs: int = 0
    errors: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "opt_outs": self.opt_outs,
            "errors": [error.to_dict() for error in self.errors],
        }


def _outcome(value: object) -> str | None:
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text not in OUTCOMES:
        raise ContactError(f"unknown outcome {value!r} (use {', '.join(OUTCOMES)})")
    return text


def _key(request: Request, sent_at: datetime) -> str:
    raw = f"{request.customer_id}\x1f{request.channel}\x1f{request.type}\x1f{sent_at.isoformat()}"
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def _values(
    fields: dict[str, Any], parse: DateParser, source: str
) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    for name in _REQUIRED:
        if fields.get(name) in (None, ""):
            return None, (name, "is empty")
    try:
        request = Request.of(fields["customer_id"], fields["type"], fields["channel"])
    except ContactError as exc:
        text = str(exc)
        name = "type" if "type" in text else "channel" if "channel" in text else "customer_id"
        return None, (name, text)
    try:
        sent_at = parse(fields["sent_at"])
    except ValueError as exc:
        return None, ("sent_at", str(exc))
    if sent_at is None:
        return None, ("sent_at", "is empty")
    try:
        outcome = _outcome(fields.get("outcome"))
    except ContactError as exc:
        return None, ("outcome", str(exc))
    external = str(fields.get("external_id") or "").strip()[:200] or _key(request, sent_at)
    return {
        "customer_id": request.customer_id,
        "channel": request.channel,
        "type": request.type,
        "sent_at": sent_at,
        "outcome": outcome,
        "source": source,
        "external_id": external,
    }, None


def _store(engine: Engine, rows: list[dict[str, Any]], result: ImportResult) -> None:
    def work(conn: Any) -> tuple[int, int, int, int]:
        keys = [row["external_id"] for row in rows]
        known = dict(
            conn.execute(
                select(Communication.external_id, Communication.outcome).where(
                    Communication.external_id.in_(keys)
                )
            ).all()
        )
        fresh: dict[str, dict[str, Any]] = {}
        later: dict[str, dict[str, Any]] = {}
        for row in rows:
            key = row["external_id"]
            if key not in known:
                fresh.setdefault(key, row)
            elif row["outcome"] is not None and row["outcome"] != known[key]:
                later[key] = row  # an outcome that came later (delivered → answered)
        if fresh:
            conn.execute(insert(Communication), list(fresh.values()))
        for key, row in later.items():
            conn.execute(
                update(Communication)
                .where(Communication.external_id == key)
                .values(outcome=row["outcome"])
            )
        outs = [
            {
                "customer_id": row["customer_id"],
                "channel": row["channel"],
                "type": row["type"],
                "at": row["sent_at"],
                "source": row["source"],
            }
            for row in (*fresh.values(), *later.values())
            if row["outcome"] == "unsubscribed"
        ]
        if outs:
            conn.execute(insert(ContactOptOut), outs)
        return len(fresh), len(later), len(rows) - len(fresh) - len(later), len(outs)

    imported, updated, duplicates, outs = in_write_transaction(engine, work)
    result.imported += imported
    result.updated += updated
    result.duplicates += duplicates
    result.opt_outs += outs


def import_communications(
    engine: Engine, path: Path, *, sheet: str | None = None, day_first: bool | None = None
) -> ImportResult:
    """Import the messages in ``path``; times without a zone are UTC."""
    table = open_table(path, sheet=sheet)
    names = [COLUMN_ALIASES.get(" ".join(h.strip().lower().split())) for h in table.headers]
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise ContactError(
            f"{path}: no column for {', '.join(missing)} (headers: {', '.join(table.headers)})"
        )
    parse = DateParser(day_first=day_first)
    result = ImportResult(str(path))
    pending: list[dict[str, Any]] = []
    source = f"import:{path.name}"[:200]
    for line, cells in table.rows():
        result.rows += 1
        fields = {name: cell for name, cell in zip(names, cells, strict=False) if name is not None}
        if len(cells) != len(table.headers) and not fields.get("customer_id"):
            result.errors.append(RowError(str(path), line, "row", "cannot be split into columns"))
            continue
        values, problem = _values(fields, parse, source)
        if problem is not None:
            result.errors.append(RowError(str(path), line, problem[0], problem[1]))
            continue
        assert values is not None
        pending.append(values)
        if len(pending) >= _CHUNK:
            _store(engine, pending, result)
            pending = []
    if pending:
        _store(engine, pending, result)
    return result


def record_communication(
    engine: Engine,
    *,
    customer_id: str,
    type_: str,
    channel: str,
    sent_at: datetime | None = None,
    outcome: str | None = None,
    external_id: str | None = None,
) -> int:
    """Store one message (no policy check: that is ``check_contact(record=True)``); its id."""
    request = Request.of(customer_id, type_, channel)
    values = {
        "customer_id": request.customer_id,
        "channel": request.channel,
        "type": request.type,
        "sent_at": sent_at or now_utc(),
        "outcome": _outcome(outcome),
        "source": "record",
        "external_id": (external_id or "").strip()[:200] or None,
    }

    def work(conn: Any) -> int:
        if values["external_id"] is not None:
            found = conn.execute(
                select(Communication.id).where(Communication.external_id == values["external_id"])
            ).scalar()
            if found is not None:
                raise ContactError(f"message {values['external_id']!r} is already recorded")
        inserted = conn.execute(insert(Communication).values(**values))
        if values["outcome"] == "unsubscribed":
            conn.execute(
                insert(ContactOptOut).values(
                    customer_id=request.customer_id,
                    channel=request.channel,
                    type=request.type,
                    at=values["sent_at"],
                    source="record",
                )
            )
        return int(inserted.inserted_primary_key[0])

    return in_write_transaction(engine, work)


def opt_out(
    engine: Engine,
    *,
    customer_id: str,
    channel: str | None = None,
    type_: str | None = None,
    at: datetime | None = None,
    source: str = "record",
) -> None:
    """Opt the customer out of ``channel`` and/or ``type_`` (both None: of every message)."""
    request = Request.of(customer_id, type_ or "service", channel or "sms")
    rows: Iterable[dict[str, Any]] = [
        {
            "customer_id": request.customer_id,
            "channel": request.channel if channel else None,
            "type": request.type if type_ else None,
            "at": at or now_utc(),
            "source": source,
        }
    ]
    in_write_transaction(engine, lambda conn: conn.execute(insert(ContactOptOut), list(rows)))
