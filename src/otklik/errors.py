"""The exceptions otklik raises on purpose.

Every expected failure is an :class:`OtklikError`; the CLI turns it into one line and an exit
code, the web layer into the JSON error shape. Anything else is a bug and keeps its traceback.

    OtklikError
    ├── ConfigError          settings or a config file (mapping, taxonomy) is wrong
    ├── StoreError           the database cannot be opened, migrated or written
    ├── InputFileError       a file cannot be read at all (nothing is imported)
    ├── MetricError          a metric cannot be computed as asked
    │   └── UnsupportedOperation   the engine lacks an operation the metric needs
    ├── NotFoundError        a case, item or model asked for by id or path does not exist
    ├── DeliveryError        a reply to a customer could not be handed to its channel
    └── SurveyError          a survey, an invitation or an answer cannot be accepted
        ├── PolicyRefused    the contact policy forbids this invitation (``--force`` overrides)
        ├── LinkError        a survey link is malformed, forged, unknown, expired or used
        └── AnswerError      an answer is out of scale, incomplete or too long
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "ConfigError",
    "DeliveryError",
    "InputFileError",
    "LinkError",
    "MetricError",
    "NotFoundError",
    "OtklikError",
    "PolicyRefused",
    "StoreError",
    "SurveyError",
    "UnsupportedOperation",
]


class OtklikError(Exception):
    """An expected failure with a message a user can act on."""

    exit_code = 1


class ConfigError(OtklikError):
    exit_code = 2


class StoreError(OtklikError):
    exit_code = 3


class InputFileError(OtklikError):
    exit_code = 4


class MetricError(OtklikError):
    exit_code = 5


class UnsupportedOperation(MetricError):
    """The backend cannot run an operation; raised instead of returning a different number."""


class NotFoundError(OtklikError):
    """A case, item or model named by id or path does not exist."""

    exit_code = 6


class DeliveryError(OtklikError):
    """A reply could not be sent (channel not configured, refused, unreachable); the replies
    module records it as a failed reply instead of raising it to the caller."""

    exit_code = 9


class SurveyError(OtklikError):
    """A survey, an invitation or an answer cannot be accepted as given."""

    exit_code = 7
    status = 400


class PolicyRefused(SurveyError):
    """The contact policy forbids this invitation; ``rule`` names the cap it would break."""

    exit_code = 8
    status = 409

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class LinkError(SurveyError):
    """A survey link that cannot be answered; ``status`` is its HTTP status and ``code`` says
    why: ``unknown`` (404), ``forged`` (403), ``expired`` (410) or ``answered`` (409)."""

    def __init__(self, message: str, *, code: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class AnswerError(SurveyError):
    """An answer the survey cannot take (HTTP 422); ``field`` names the form field."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
