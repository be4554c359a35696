"""Signed one-time survey links: ``/s/<token>``.

A token is 52 URL-safe characters: base64url of a version byte, the invitation id, the survey
id, the expiry (Unix seconds), a 6-byte tag of the customer id and a 16-byte HMAC-SHA256 of all
of it under a key derived from ``OTKLIK_SECRET_KEY``. The signature is checked before the store
is touched, so a forged token costs one HMAC; the tag binds the link to its customer without
putting the customer's id in the URL. Single use is the store's job: an invitation is answered
at most once (see :mod:`otklik.surveys.collect`).

    unreadable or wrong length   → ``unknown`` (404)
    signature does not match     → ``forged``  (403)
    past its expiry              → ``expired`` (410)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from otklik.config import PLACEHOLDER_SECRETS, Settings
from otklik.errors import ConfigError, LinkError

__all__ = ["MIN_SECRET_LENGTH", "LinkClaims", "LinkSigner", "link_url", "signer_from_settings"]

MIN_SECRET_LENGTH = 32
_VERSION = 1
_PAYLOAD = struct.Struct(">BQII6s")
_MAC_BYTES = 16
_TOKEN_BYTES = _PAYLOAD.size + _MAC_BYTES
_TOKEN_CHARS = (_TOKEN_BYTES * 4 + 2) // 3


@dataclass(frozen=True, slots=True)
class LinkClaims:
    """What a valid token says: which invitation, of which survey, valid until when."""

    invitation_id: int
    survey_id: int
    expires: int  # Unix seconds
    customer_tag: bytes

    @property
    def expires_at(self) -> datetime:
        """The expiry as naive UTC, like every time in the store."""
        return datetime.fromtimestamp(self.expires, UTC).replace(tzinfo=None)


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


class LinkSigner:
    """Signs and checks tokens with one secret (the CLI and the server must share it)."""

    def __init__(self, secret: str) -> None:
        if secret in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "signed survey links need OTKLIK_SECRET_KEY: a random string of at least "
                f"{MIN_SECRET_LENGTH} characters, the same for `otklik survey invite` and "
                "`otklik serve` (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        root = secret.encode("utf-8")
        self._key = hmac.new(root, b"otklik.survey-links.v1", hashlib.sha256).digest()
        self._tag_key = hmac.new(root, b"otklik.survey-customer.v1", hashlib.sha256).digest()

    def customer_tag(self, customer_id: str) -> bytes:
        return hmac.new(self._tag_key, customer_id.encode("utf-8"), hashlib.sha256).digest()[:6]

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def sign(
        self, *, invitation_id: int, survey_id: int, customer_id: str, expires_at: datetime
    ) -> str:
        """The token of an invitation (``expires_at`` naive UTC, whole seconds)."""
        payload = _PAYLOAD.pack(
            _VERSION, invitation_id, survey_id, _epoch(expires_at), self.customer_tag(customer_id)
        )
        return base64.urlsafe_b64encode(payload + self._mac(payload)).rstrip(b"=").decode("ascii")

    def verify(self, token: str, *, now: datetime | None = None) -> LinkClaims:
        """The claims of a genuine, unexpired token; otherwise a :class:`LinkError`."""
        if len(token) != _TOKEN_CHARS or not token.isascii():
            raise LinkError("unknown survey link", code="unknown", status=404)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise LinkError("unknown survey link", code="unknown", status=404) from None
        payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
        if len(raw) != _TOKEN_BYTES or payload[0] != _VERSION:
            raise LinkError("unknown survey link", code="unknown", status=404)
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkError("the survey link is not genuine", code="forged", status=403)
        _, invitation_id, survey_id, expires, tag = _PAYLOAD.unpack(payload)
        claims = LinkClaims(invitation_id, survey_id, expires, tag)
        moment = now or datetime.now(UTC).replace(tzinfo=None)
        if _epoch(moment) >= expires:
            raise LinkError("the survey link has expired", code="expired", status=410)
        return claims

    def matches(
        self, claims: LinkClaims, *, survey_id: int, customer_id: str, expires_at: datetime
    ) -> bool:
        """Whether the stored invitation is the one the token was signed for."""
        return (
            claims.survey_id == survey_id
            and claims.expires == _epoch(expires_at)
            and hmac.compare_digest(claims.customer_tag, self.customer_tag(customer_id))
        )


def signer_from_settings(settings: Settings) -> LinkSigner:
    return LinkSigner(settings.secret_key)


def link_url(settings: Settings, token: str) -> str:
    """The link a customer opens: ``{OTKLIK_PUBLIC_URL}/s/<token>``."""
    return f"{settings.public_url.rstrip('/')}/s/{token}"
