"""Delivering a reply: e-mail over SMTP (:mod:`smtplib`), or a signed webhook for every other
channel (chat, app push, messenger bots: the receiving system delivers it).

The webhook is an HTTP POST of a JSON body with the header ``X-Otklik-Signature:
sha256=<hex>``, the HMAC-SHA256 of the exact body bytes under the shared secret
(``OTKLIK_REPLY_WEBHOOK_SECRET``). A receiver recomputes it over the bytes it received and
compares in constant time (``hmac.compare_digest``); any 2xx answer counts as delivered.

Both raise :class:`DeliveryError` with a readable reason on any failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import httpx

from otklik.config import Settings
from otklik.errors import DeliveryError

__all__ = ["SIGNATURE_HEADER", "DeliveryError", "post_webhook", "send_email", "sign_body"]

SIGNATURE_HEADER = "X-Otklik-Signature"


def sign_body(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_email(settings: Settings, to: str, subject: str, text: str) -> str:
    """Send a plain-text UTF-8 e-mail through ``OTKLIK_SMTP_*``; returns its Message-ID."""
    if not settings.smtp_host or not settings.smtp_from:
        raise DeliveryError("e-mail is not configured: set OTKLIK_SMTP_HOST and OTKLIK_SMTP_FROM")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(text)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"the mail server refused or could not be reached: {exc}") from exc
    return str(message["Message-ID"])


def post_webhook(
    settings: Settings, payload: dict[str, Any], *, client: httpx.Client | None = None
) -> int:
    """POST ``payload`` as JSON to ``OTKLIK_REPLY_WEBHOOK_URL``, signed; returns the status."""
    url, secret = settings.reply_webhook_url, settings.reply_webhook_secret
    if not url or not secret:
        raise DeliveryError(
            "the webhook is not configured: set OTKLIK_REPLY_WEBHOOK_URL and "
            "OTKLIK_REPLY_WEBHOOK_SECRET"
        )
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(secret, body)}
    owned = client is None
    http = client or httpx.Client(timeout=settings.smtp_timeout_s)
    try:
        response = http.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"the webhook could not be reached: {exc}") from exc
    finally:
        if owned:
            http.close()
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"the webhook answered HTTP {response.status_code}")
    return response.status_code
