"""Incident work run by the job queue (:mod:`otklik.jobs`), imported by ``otklik worker``.

* arrival step ``link_incidents`` (after ``route``): the new items matching an open incident
  are linked to it once they have their topics, and with ``OTKLIK_INCIDENTS_DETECT_ON_IMPORT``
  spikes are detected and bad ratings alerted (:func:`~otklik.incidents.flow.after_import`;
  linking skips items already linked, so a retried step does no harm);
* periodic ``detect_incidents`` every 15 minutes: detection over the last week and bad-rating
  alerts whatever the import setting — the schedule of docs/incidents.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from otklik.incidents.flow import after_import
from otklik.jobs import StepContext, add_periodic, add_step

__all__ = ["DETECT_CRON"]

DETECT_CRON = "*/15 * * * *"
log = logging.getLogger("otklik.incidents")


def _link_new_items(ctx: StepContext, item_ids: Sequence[int]) -> None:
    found = after_import(ctx.engine, ctx.settings)
    log.info("incidents after %d new items: %s linked", len(item_ids), found["linked"])


def _detect(ctx: StepContext) -> None:
    found = after_import(ctx.engine, ctx.settings, detect_spikes=True)
    log.info(
        "incident detection: %d spike(s), %d alert(s)",
        len(found["detections"]),
        len(found["alerts"]),
    )


add_step("link_incidents", _link_new_items, after="route")
add_periodic("detect_incidents", DETECT_CRON, _detect)
