"""Replies to customers from a case: templates per language with the right form of address,
delivery by e-mail (SMTP) or a signed webhook, and a record of every attempt."""

from otklik.replies.compose import (
    REPLY_LANGUAGES,
    Addressee,
    Reply,
    addressee_of,
    compose_reply,
    default_body,
    reply_language,
)
from otklik.replies.send import REPLY_CHANNELS, case_replies, reply_draft, send_reply
from otklik.replies.transport import (
    SIGNATURE_HEADER,
    DeliveryError,
    post_webhook,
    send_email,
    sign_body,
)

__all__ = [
    "REPLY_CHANNELS",
    "REPLY_LANGUAGES",
    "SIGNATURE_HEADER",
    "Addressee",
    "DeliveryError",
    "Reply",
    "addressee_of",
    "case_replies",
    "compose_reply",
    "default_body",
    "post_webhook",
    "reply_draft",
    "reply_language",
    "send_email",
    "send_reply",
    "sign_body",
]
