"""The weekly digest, sent by the job queue (:mod:`otklik.jobs`, imported by ``otklik worker``)
on Mondays at 07:00 UTC: the management digest to ``OTKLIK_DIGEST_TO`` and, with
``OTKLIK_DIGEST_TEAMS=true``, each team's digest (its zone only) to that team's users, in
``OTKLIK_DIGEST_LANGUAGE``. Nothing is sent without SMTP settings or recipients; ``otklik
digest send`` does the same by hand or from cron where no worker runs.
"""

from __future__ import annotations

import logging

from otklik.drivers.digest import compose_digest, send_digest, send_team_digests
from otklik.drivers.options import context_of
from otklik.jobs import StepContext, add_periodic

__all__ = ["DIGEST_CRON", "send_weekly_digests"]

DIGEST_CRON = "0 7 * * 1"  # Mondays, 07:00 UTC
log = logging.getLogger("otklik.drivers")


def send_weekly_digests(ctx: StepContext) -> int:
    """Send the configured digests; the number of e-mails sent."""
    settings = ctx.settings
    if not settings.smtp_host or not (settings.digest_to or settings.digest_teams):
        return 0
    context = context_of(settings)
    locale = settings.digest_language
    sent = 0
    if settings.digest_to:
        digest = compose_digest(ctx.engine, context, locale=locale)
        sent += len(send_digest(settings, settings.digest_to, digest))
    if settings.digest_teams:
        for team, addresses, _subject in send_team_digests(
            ctx.engine, settings, context, locale=locale
        ):
            log.info("digest sent to team %s (%d addresses)", team, len(addresses))
            sent += len(addresses)
    return sent


add_periodic("send_digest", DIGEST_CRON, send_weekly_digests)
