"""The exceptions otklik raises on purpose.

Every expected failure is an :class:`OtklikError`; the CLI turns it into one line and an exit
code, the web layer into the JSON error shape. Anything else is a bug and keeps its traceback.

    OtklikError
    ├── ConfigError          settings or a config file (mapping, taxonomy) is wrong
    ├── StoreError           the database cannot be opened, migrated or written
    ├── InputFileError       a file cannot be read at all (nothing is imported)
    ├── MetricError          a metric cannot be computed as asked
    │   └── UnsupportedOperation   the engine lacks an operation the metric needs
    └── NotFoundError        a case, item or model asked for by id or path does not exist
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputFileError",
    "MetricError",
    "NotFoundError",
    "OtklikError",
    "StoreError",
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
