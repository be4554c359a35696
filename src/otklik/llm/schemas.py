"""The JSON shapes the prompts ask for, validated by pydantic.

An answer that is not JSON, misses a field or names a type, sentiment or topic the taxonomy
does not have is malformed: the client asks again, then records a failure with the reason.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ClassifyAnswer",
    "Offer",
    "OfferAnswer",
    "Problem",
    "ReplyAnswer",
    "SummaryAnswer",
]

_LOOSE = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ClassifyAnswer(BaseModel):
    """Type, topics (taxonomy ids), sentiment and a one-line summary of one comment."""

    model_config = _LOOSE
    type: str = Field(min_length=1, max_length=30)
    topics: list[str] = Field(default_factory=list, max_length=5)
    sentiment: str = Field(min_length=1, max_length=10)
    summary: str = Field("", max_length=400)


class Problem(BaseModel):
    model_config = _LOOSE
    title: str = Field(min_length=1, max_length=200)
    count: int = Field(ge=0)
    quotes: list[str] = Field(default_factory=list, max_length=5)


class SummaryAnswer(BaseModel):
    """The main problems of a topic's comments in a period, with quotes copied from them."""

    model_config = _LOOSE
    problems: list[Problem] = Field(max_length=20)
    overview: str = Field("", max_length=1000)


class ReplyAnswer(BaseModel):
    """A draft reply in the customer's language and the form of address it uses."""

    model_config = _LOOSE
    language: str = Field(min_length=2, max_length=10)
    address_form: str = Field(min_length=1, max_length=40)
    reply: str = Field(min_length=1, max_length=4000)


class Offer(BaseModel):
    model_config = _LOOSE
    offer: str = Field(min_length=1, max_length=400)
    why: str = Field("", max_length=400)
    needs_approval: bool = False


class OfferAnswer(BaseModel):
    """What an operator may offer beyond the script, and the risk of doing nothing."""

    model_config = _LOOSE
    suggestions: list[Offer] = Field(min_length=1, max_length=6)
    risk: str = Field("", max_length=400)
