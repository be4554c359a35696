"""Errors of the LLM layer (all :class:`otklik.errors.OtklikError`).

    OtklikError
    └── LlmError             an LLM call failed for good (after its retries)
        └── LlmRefused       a setting forbids the call, or no endpoint is configured

A single answer that stays malformed after its retries is not raised: it becomes an
:class:`otklik.llm.client.Failure` with a reason, recorded, and the item keeps its other label.
"""

from __future__ import annotations

from otklik.errors import OtklikError

__all__ = ["LlmError", "LlmRefused"]


class LlmError(OtklikError):
    """An LLM request failed after its retries (network, status, or answer)."""

    exit_code = 9


class LlmRefused(LlmError):
    """The settings forbid sending (local-only company) or name no endpoint."""

    exit_code = 2
