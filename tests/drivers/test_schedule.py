"""The worker's weekly digest: sent to the configured recipients over real SMTP, and nothing
without SMTP settings or recipients."""

from __future__ import annotations

from otklik.config import Settings
from otklik.drivers.schedule import DIGEST_CRON, send_weekly_digests
from otklik.jobs import PERIODIC, StepContext, load_step_modules
from otklik.ledger import make_engine
from tests.drivers.conftest import PLANTED
from tests.replies.servers import smtp_server


def test_the_weekly_digest_is_scheduled_and_goes_to_the_configured_people(
    planted_url: str,
) -> None:
    load_step_modules()
    assert ("send_digest", DIGEST_CRON) in [(job.name, job.cron) for job in PERIODIC]
    engine = make_engine(planted_url)
    try:
        with smtp_server() as mailbox:
            base = {
                "database_url": planted_url,
                "smtp_host": "127.0.0.1",
                "smtp_port": mailbox.port,
                "smtp_from": "otklik@example.org",
            }
            assert send_weekly_digests(StepContext(engine, Settings(**base))) == 0  # nobody
            unsent = Settings(database_url=planted_url, digest_to=("boss@example.org",))
            assert send_weekly_digests(StepContext(engine, unsent)) == 0  # no SMTP
            settings = Settings(
                **base, digest_to=("boss@example.org", "cfo@example.org"), digest_language="en"
            )
            assert send_weekly_digests(StepContext(engine, settings)) == 2
    finally:
        engine.dispose()
    assert [m[1] for m in mailbox.messages] == [["boss@example.org"], ["cfo@example.org"]]
    body = mailbox.messages[0][2].get_content()
    assert "fees" in body
    # By default the week of the latest item (once the week after the last day of its month).
    year, week, _ = max(PLANTED.at).date().isocalendar()
    assert f"Period {year}-W{week:02d}," in body
