"""Replies to customers, end to end on SQLite and PostgreSQL: composed in the customer's
language with the right form of address, delivered to a real SMTP server (aiosmtpd) or to a
real HTTP receiver whose signature the test checks itself, recorded, failures kept."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from otklik.config import Settings
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseReply, FeedbackItem, write_items
from otklik.replies import (
    Addressee,
    addressee_of,
    case_replies,
    compose_reply,
    default_body,
    reply_draft,
    reply_language,
    send_reply,
)
from otklik.routing import get_case
from tests.replies.servers import free_port, http_receiver, smtp_server

SECRET = "shared-webhook-secret-0123456789"


def _settings(**values: Any) -> Settings:
    return Settings(database_url="sqlite://", reply_signature="Служба заботы", **values)


def _case(engine: Engine, attributes: dict[str, Any], language: str | None = "ru") -> int:
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[
            {
                "external_id": "x1",
                "kind": "survey",
                "channel": "app",
                "occurred_at": datetime(2025, 5, 1),
                "customer_id": "cust-1",
                "score": 2.0,
                "scale": "nps",
                "text": "Плохо",
                "language": language,
                "owner_team": "cards",
                "attributes": attributes,
            }
        ],
    )
    with engine.begin() as conn:
        item = conn.execute(select(FeedbackItem.id)).scalar_one()
        result = conn.execute(
            insert(Case).values(
                item_id=item,
                team="cards",
                status="open",
                reason="detractor",
                due_at=datetime(2025, 5, 2),
                created_at=datetime(2025, 5, 1),
                updated_at=datetime(2025, 5, 1),
            )
        )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


RUSSIAN = {
    "first_name": "Иван",
    "patronymic": "Петрович",
    "gender": "м",
    "email": "ivan.petrov@example.ru",
}


def test_email_reply_arrives_at_a_real_smtp_server(engine: Engine) -> None:
    case_id = _case(engine, RUSSIAN)
    with smtp_server() as mailbox:
        settings = _settings(
            smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_from="care@bank.example"
        )
        draft = reply_draft(engine, settings, case_id)
        assert draft["language"] == "ru" and draft["channels"] == ["email"]
        assert "Иван" not in draft["preview"] and "Здравствуйте, ••• •••!" in draft["preview"]
        assert draft["recipient"] != RUSSIAN["email"]  # masked on the page
        record = send_reply(
            engine,
            settings,
            case_id,
            channel="email",
            body="Мы вернули Вам комиссию.",
            actor="agent@bank",
        )
        assert mailbox.arrived.wait(10)
    assert record["status"] == "sent" and record["error"] is None
    sender, recipients, message = mailbox.messages[0]
    assert sender == "care@bank.example" and recipients == [RUSSIAN["email"]]
    assert message["Subject"] == f"Ответ на Ваше обращение № {case_id}"
    body = message.get_content().replace("\r\n", "\n")  # SMTP lines end in CRLF
    assert body.startswith("Здравствуйте, Иван Петрович!\n\nМы вернули Вам комиссию.")
    assert body.rstrip().endswith("С уважением,\nСлужба заботы")
    with engine.connect() as conn:  # the record keeps what was sent; pages show it masked
        assert conn.execute(select(CaseReply.body)).scalar_one() == body
    stored = case_replies(engine, case_id)
    assert stored[0]["body"].startswith("Здравствуйте, ••• •••!")
    assert [(r["channel"], r["status"], r["language"]) for r in stored] == [("email", "sent", "ru")]
    events = get_case(engine, case_id)["events"]
    assert events[-1]["action"] == "replied" and events[-1]["actor"] == "agent@bank"


def test_webhook_reply_is_signed_with_hmac_sha256_of_the_body(engine: Engine) -> None:
    case_id = _case(engine, {"first_name": "Budi", "gender": "m"}, language="id")
    with http_receiver() as receiver:
        settings = _settings(reply_webhook_url=receiver.url, reply_webhook_secret=SECRET)
        record = send_reply(
            engine, settings, case_id, channel="webhook", body="Dana Anda sudah kembali.", actor="a"
        )
    assert record["status"] == "sent"
    path, headers, raw = receiver.requests[0]
    assert path == "/hook"
    # The signature, recomputed here from the bytes received and the shared secret.
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Otklik-Signature"], expected)
    payload = json.loads(raw)
    assert payload["case_id"] == case_id and payload["customer_id"] == "cust-1"
    assert payload["channel"] == "app" and payload["language"] == "id"
    assert payload["text"].startswith("Yth. Bapak Budi,\n\nDana Anda sudah kembali.")
    forged = "sha256=" + hmac.new(b"other", raw, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(headers["X-Otklik-Signature"], forged)


def test_failures_are_recorded_and_shown_not_raised(engine: Engine) -> None:
    case_id = _case(engine, {"first_name": "Ann"}, language="en")
    dead = _settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_from="care@x.example")
    no_mail = send_reply(engine, dead, case_id, channel="email", body="Hello", actor="a")
    assert no_mail["status"] == "failed" and "e-mail address" in no_mail["error"]
    with http_receiver() as receiver:
        receiver.status = 500
        settings = _settings(reply_webhook_url=receiver.url, reply_webhook_secret=SECRET)
        refused = send_reply(engine, settings, case_id, channel="webhook", body="Hi", actor="a")
    assert refused["status"] == "failed" and "HTTP 500" in refused["error"]
    unset = send_reply(engine, _settings(), case_id, channel="webhook", body="Hi", actor="a")
    assert unset["status"] == "failed" and "not configured" in unset["error"]
    with engine.connect() as conn:
        assert conn.execute(select(CaseReply.status)).scalars().all() == ["failed"] * 3
    actions = [e["action"] for e in get_case(engine, case_id)["events"]]
    assert actions == ["reply_failed"] * 3
    with pytest.raises(ConfigError):
        send_reply(engine, _settings(), case_id, channel="pigeon", body="x", actor="a")
    with pytest.raises(NotFoundError):
        send_reply(engine, _settings(), case_id, channel="email", body="x", actor="a", zone="pay")


def test_smtp_server_down_is_a_failed_reply(engine: Engine) -> None:
    case_id = _case(engine, {"email": "a@example.org"}, language="en")
    dead = _settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_from="care@x.example")
    record = send_reply(engine, dead, case_id, channel="email", body="Hello", actor="a")
    assert record["status"] == "failed" and "could not be reached" in record["error"]


@pytest.mark.parametrize(
    ("language", "attributes", "greeting"),
    [
        ("ru", {"first_name": "Анна", "patronymic": "Сергеевна"}, "Здравствуйте, Анна Сергеевна!"),
        ("ru", {"first_name": "Анна"}, "Здравствуйте, Анна!"),
        ("ru", {}, "Здравствуйте!"),
        ("en", {"first_name": "Ann", "last_name": "Lee"}, "Dear Ann Lee,"),
        ("en", {}, "Dear customer,"),
        ("id", {"first_name": "Siti", "gender": "perempuan"}, "Yth. Ibu Siti,"),
        ("id", {"first_name": "Siti"}, "Halo Kak Siti,"),
        ("id", {}, "Yth. Bapak/Ibu,"),
        ("ar", {"first_name": "أحمد", "gender": "m"}, "حضرة السيد أحمد المحترم،"),
        ("ar", {"first_name": "فاطمة", "gender": "f"}, "حضرة السيدة فاطمة المحترمة،"),
        ("ar", {}, "عميلنا العزيز،"),
    ],
)
def test_form_of_address(language: str, attributes: dict[str, str], greeting: str) -> None:
    reply = compose_reply(language, addressee_of(attributes), "text", case_id=7, signature="otklik")
    assert reply.text.splitlines()[0] == greeting
    assert reply.language == language


def test_language_choice_and_addressee_merge() -> None:
    assert reply_language("ru-RU") == "ru"
    assert reply_language(None, "id_ID") == "id"
    assert reply_language("de", fallback="en") == "en"
    merged = addressee_of({"first_name": "A", "email": "old@x"}, {"email": "new@x", "name": ""})
    assert merged == Addressee(first_name="A", email="new@x")
    russian = compose_reply("ru", Addressee(), "Текст", case_id=1, signature="Банк")
    assert "Ваше" in russian.subject  # «Вы» with a capital in a letter to a customer
    assert "Вас" in default_body("ru") and "Вам" in default_body("ru")
