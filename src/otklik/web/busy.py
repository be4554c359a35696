"""Long exports give way to page requests.

The app counts the requests being handled right now (:class:`Busy`, kept as
``app.state.busy`` and counted by the app's middleware; a streamed body being sent does not
count). A long export (:func:`otklik.web.exports.table_chunks`) calls :meth:`Busy.pause`
between batches of rows: while a page is being handled the export waits a little, so the
page gets the CPU (and Python's interpreter lock) instead of sharing it with the export. The
export goes on at full speed when nothing else is asked, and never waits more than
``most`` seconds per batch, so a steady stream of requests cannot stop it.
"""

from __future__ import annotations

import time

__all__ = ["Busy"]


class Busy:
    """How many requests are being handled now (changed only on the event loop's thread)."""

    def __init__(self, step: float = 0.002, most: float = 0.1) -> None:
        self.count = 0
        self.step = step  # seconds between looks
        self.most = most  # seconds one batch may wait in all

    def pause(self) -> None:
        """Wait while a request is being handled: ``step`` seconds at a time, ``most`` in
        all. Called from a worker thread (sleeping releases the interpreter lock)."""
        waited = 0.0
        while self.count > 0 and waited < self.most:
            time.sleep(self.step)
            waited += self.step
