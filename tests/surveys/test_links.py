"""Signed links: genuine tokens verify, anything else says why it does not."""

from __future__ import annotations

import string
from datetime import datetime, timedelta

import pytest

from otklik.errors import ConfigError, LinkError
from otklik.surveys import LinkSigner
from tests.surveys.conftest import SECRET

EXPIRES = datetime(2030, 1, 1, 12, 0, 0)


def _token(signer: LinkSigner, **changes: object) -> str:
    values: dict[str, object] = {
        "invitation_id": 12345,
        "survey_id": 7,
        "customer_id": "client-42",
        "expires_at": EXPIRES,
    }
    values.update(changes)
    return signer.sign(**values)  # type: ignore[arg-type]


def _code(signer: LinkSigner, token: str, **kwargs: object) -> tuple[str, int]:
    with pytest.raises(LinkError) as caught:
        signer.verify(token, **kwargs)  # type: ignore[arg-type]
    return caught.value.code, caught.value.status


def test_a_genuine_token_carries_its_invitation_and_binds_its_customer() -> None:
    signer = LinkSigner(SECRET)
    token = _token(signer)
    assert len(token) == 52 and set(token) <= set(string.ascii_letters + string.digits + "-_")
    assert "client-42" not in token
    claims = signer.verify(token, now=datetime(2029, 12, 31))
    assert (claims.invitation_id, claims.survey_id, claims.expires_at) == (12345, 7, EXPIRES)
    assert signer.matches(claims, survey_id=7, customer_id="client-42", expires_at=EXPIRES)
    assert not signer.matches(claims, survey_id=7, customer_id="client-43", expires_at=EXPIRES)
    assert not signer.matches(claims, survey_id=8, customer_id="client-42", expires_at=EXPIRES)
    later = EXPIRES + timedelta(days=1)
    assert not signer.matches(claims, survey_id=7, customer_id="client-42", expires_at=later)


def test_every_changed_character_is_a_forgery() -> None:
    signer = LinkSigner(SECRET)
    token = _token(signer)
    now = datetime(2029, 1, 1)
    for position in range(2, len(token)):  # past the version byte: every payload and MAC char
        swapped = "A" if token[position] != "A" else "B"
        forged = token[:position] + swapped + token[position + 1 :]
        assert _code(signer, forged, now=now) == ("forged", 403), position
    other = LinkSigner("another-secret-key-that-is-long-enough-9876543210")
    assert _code(other, token, now=now) == ("forged", 403)


@pytest.mark.parametrize("garbage", ["", "abc", "x" * 52, "é" * 52, "A" * 53, "AQ" + "!" * 50])
def test_garbage_is_unknown(garbage: str) -> None:
    code, status = _code(LinkSigner(SECRET), garbage, now=datetime(2029, 1, 1))
    assert (code, status) in {("unknown", 404), ("forged", 403)}
    if len(garbage) != 52:
        assert (code, status) == ("unknown", 404)


def test_an_expired_token_is_gone() -> None:
    signer = LinkSigner(SECRET)
    token = _token(signer)
    assert _code(signer, token, now=EXPIRES) == ("expired", 410)
    assert signer.verify(token, now=EXPIRES - timedelta(seconds=1)).invitation_id == 12345


@pytest.mark.parametrize("secret", ["changethis", "", "short-but-not-a-placeholder"])
def test_links_refuse_a_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ConfigError, match="OTKLIK_SECRET_KEY"):
        LinkSigner(secret)
