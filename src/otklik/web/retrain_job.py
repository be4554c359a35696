"""The web's retraining runs in one background thread, so the page answers at once and shows
progress; one run at a time per app (a second press while one runs is refused politely)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from otklik.classify import RetrainReport, RuleSet, retrain_with_comparison
from otklik.errors import OtklikError

__all__ = ["RetrainJob", "RetrainStatus"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetrainStatus:
    """``state``: idle, running, done or failed; ``step``: the target being trained."""

    state: str
    step: str | None = None
    started_by: str | None = None
    seconds: float | None = None
    error: str | None = None


class RetrainJob:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._status = RetrainStatus("idle")
        self._started = 0.0
        self.report: RetrainReport | None = None

    @property
    def status(self) -> RetrainStatus:
        with self._lock:
            status = self._status
        if status.state == "running":
            return RetrainStatus(
                "running", status.step, status.started_by, time.monotonic() - self._started
            )
        return status

    def start(
        self, engine: Engine, model_dir: Path, rules: RuleSet, *, method: str, by: str
    ) -> bool:
        """Start a run; False when one is running already."""
        with self._lock:
            if self._status.state == "running":
                return False
            self._status = RetrainStatus("running", None, by)
            self._started = time.monotonic()
            self.report = None
            self._thread = threading.Thread(
                target=self._run,
                args=(engine, model_dir, rules, method, by),
                name="otklik-retrain",
                daemon=True,
            )
            self._thread.start()
        return True

    def _step(self, target: str) -> None:
        with self._lock:
            self._status = RetrainStatus("running", target, self._status.started_by)

    def _run(self, engine: Engine, model_dir: Path, rules: RuleSet, method: str, by: str) -> None:
        try:
            report = retrain_with_comparison(
                engine, model_dir, rules, method=method, progress=self._step
            )
        except OtklikError as exc:
            self._finish(RetrainStatus("failed", None, by, error=str(exc)))
        except Exception:  # a bug: logged with its traceback, the page says so in one line
            log.exception("retraining failed")
            self._finish(RetrainStatus("failed", None, by, error="internal error (see the log)"))
        else:
            self.report = report
            self._finish(RetrainStatus("done", None, by, seconds=report.seconds))

    def _finish(self, status: RetrainStatus) -> None:
        with self._lock:
            self._status = status

    def wait(self, timeout: float | None = None) -> RetrainStatus:
        """Block until the running job ends (tests; a shutting-down app)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status
