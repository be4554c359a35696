"""Enumerations shared by every package: kinds of feedback, score scales, channels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CHANNEL_ALIASES",
    "SCALES",
    "Band",
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
    EMPLOYEE_EXIT = "employee-exit"  # exit interviews of employees who leave


class EndedBy(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Band(StrEnum):
    """Where a score falls on its scale: the one definition of "a low score"."""

    LOW = "low"  # detractor / dissatisfied / hard: opens a case, reads as negative
    MIDDLE = "middle"  # passive / neutral
    TOP = "top"  # promoter / satisfied / easy: the top box


@dataclass(frozen=True)
class ScaleSpec:
    """A score scale, with its bands: ``low`` … ``low_max`` is a low score, ``top_min`` …
    ``high`` the top box (promoters on NPS), anything between is the middle."""

    name: str
    low: int
    high: int
    label: str
    low_max: int
    top_min: int

    def band(self, score: float) -> Band:
        """The band of ``score`` (a score outside the scale is still banded by its side)."""
        if score <= self.low_max:
            return Band.LOW
        if score >= self.top_min:
            return Band.TOP
        return Band.MIDDLE

    def is_low(self, score: float) -> bool:
        return score <= self.low_max

    def is_top(self, score: float) -> bool:
        return score >= self.top_min


# The field's standard bands (docs/metrics.md, "Score bands"): NPS's own 0–6 / 9–10; the
# bottom-two and top-two boxes of five-point scales; the lower and upper thirds of the
# seven-point CES (high = easy, 5–7 is "easy"); 1–4 and 9–10 on a ten-point CSAT.
SCALES: dict[str, ScaleSpec] = {
    "nps": ScaleSpec("nps", 0, 10, "NPS 0–10", low_max=6, top_min=9),
    "csat5": ScaleSpec("csat5", 1, 5, "CSAT 1–5", low_max=2, top_min=4),
    "csat10": ScaleSpec("csat10", 1, 10, "CSAT 1–10", low_max=4, top_min=9),
    "ces7": ScaleSpec("ces7", 1, 7, "CES 1–7", low_max=3, top_min=5),
    "rating5": ScaleSpec("rating5", 1, 5, "rating 1–5 stars", low_max=2, top_min=4),
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
