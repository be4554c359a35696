"""Enumerations shared by every package: kinds of feedback, score scales, channels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CHANNEL_ALIASES",
    "SCALES",
    "EndedBy",
    "Kind",
    "ScaleSpec",
    "normalize_channel",
]


class Kind(StrEnum):
    SURVEY = "survey"
    CONTACT = "contact"
    REVIEW = "review"
    SOCIAL = "social"
    INTERVIEW = "interview"
    EXIT = "exit"
    EMPLOYEE = "employee"


class EndedBy(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    low: int
    high: int
    label: str


SCALES: dict[str, ScaleSpec] = {
    "nps": ScaleSpec("nps", 0, 10, "NPS 0–10"),
    "csat5": ScaleSpec("csat5", 1, 5, "CSAT 1–5"),
    "csat10": ScaleSpec("csat10", 1, 10, "CSAT 1–10"),
    "ces7": ScaleSpec("ces7", 1, 7, "CES 1–7"),
    "rating5": ScaleSpec("rating5", 1, 5, "rating 1–5 stars"),
}

# Lower-case spellings seen in real exports, Russian and English, mapped to one channel name.
CHANNEL_ALIASES: dict[str, str] = {
    "app": "app",
    "mobile": "app",
    "mobile app": "app",
    "приложение": "app",
    "мобильное приложение": "app",
    "мп": "app",
    "ios": "app",
    "android": "app",
    "web": "web",
    "site": "web",
    "website": "web",
    "сайт": "web",
    "веб": "web",
    "лк": "web",
    "call": "call",
    "phone": "call",
    "voice": "call",
    "звонок": "call",
    "телефон": "call",
    "колл-центр": "call",
    "call center": "call",
    "call-centre": "call",
    "ivr": "call",
    "chat": "chat",
    "чат": "chat",
    "messenger": "chat",
    "мессенджер": "chat",
    "telegram": "chat",
    "whatsapp": "chat",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "почта": "email",
    "эл. почта": "email",
    "электронная почта": "email",
    "sms": "sms",
    "смс": "sms",
    "store": "store",
    "app store": "store",
    "appstore": "store",
    "google play": "store",
    "rustore": "store",
    "appgallery": "store",
    "marketplace": "marketplace",
    "маркетплейс": "marketplace",
    "office": "office",
    "branch": "office",
    "офис": "office",
    "отделение": "office",
    "social": "social",
    "vk": "social",
    "вконтакте": "social",
    "соцсети": "social",
    "push": "push",
    "пуш": "push",
}


def normalize_channel(value: str) -> str:
    """Canonical channel name; unknown channels are kept, lower-cased and trimmed."""
    key = " ".join(value.strip().lower().split())
    return CHANNEL_ALIASES.get(key, key)
