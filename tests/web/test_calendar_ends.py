"""Days and periods at the ends of the calendar are refused as input (years 1900–2100, the
range an import accepts), never a traceback or a 500: every date-taking route and CLI option."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from otklik.cli import main
from otklik.errors import MetricError
from otklik.ingest.limits import YEARS
from otklik.metrics import Period, check_day, parse_period, query_day
from tests.web.conftest import KPIS_YAML, WebEnv

DAYS = ("9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01")
PERIODS = (*DAYS, "9999-W52", "9999", "0001-Q1", "9999-12", "2025-01-01..9999-12-31")

API = (
    "/api/v1/items?to={day}",
    "/api/v1/items?from={day}",
    "/api/v1/metrics/nps?to={day}",
    "/api/v1/metrics/nps?from={day}",
)
PAGES = ("/?to={day}", "/?from={day}", "/explore?to={day}", "/items?to={day}", "/items?from={day}")


def test_the_range_is_the_import_range() -> None:
    assert YEARS == (1900, 2100)
    assert check_day(date(1900, 1, 1)) == date(1900, 1, 1)
    assert check_day(date(2100, 12, 31)) == date(2100, 12, 31)
    assert query_day("2100-12-31", "--to") == date(2100, 12, 31)
    # The last accepted periods end on the first day after the range, which is still a date.
    assert parse_period("2100-12-31") == (date(2100, 12, 31), date(2101, 1, 1))
    assert parse_period("2100") == (date(2100, 1, 1), date(2101, 1, 1))
    assert Period.parse("1900-01-01").previous().start == date(1899, 12, 31)


@pytest.mark.parametrize("text", PERIODS)
def test_periods_outside_are_refused(text: str) -> None:
    with pytest.raises(MetricError, match="outside the years 1900–2100"):
        parse_period(text)


@pytest.mark.parametrize("text", DAYS)
def test_days_outside_are_refused(text: str) -> None:
    with pytest.raises(MetricError, match="outside the years 1900–2100"):
        query_day(text, "--to")


def _assert_json_refusal(response_status: int, body: dict[str, object]) -> None:
    assert 400 <= response_status < 500, body
    error = body["error"]
    assert isinstance(error, dict) and set(error) >= {"code", "message"}
    assert "1900–2100" in str(error["message"])


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("url", API)
def test_api_refuses_days_outside(web: WebEnv, url: str, day: str) -> None:
    response = web.client.get(url.format(day=day), headers=web.bearer("admin"))
    _assert_json_refusal(response.status_code, response.json())


@pytest.mark.parametrize("period", PERIODS)
def test_kpi_report_refuses_periods_outside(web: WebEnv, period: str) -> None:
    response = web.client.get(
        "/api/v1/kpis/report", params={"period": period}, headers=web.bearer("admin")
    )
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()["error"]) >= {"code", "message"}


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("url", PAGES)
def test_pages_refuse_days_outside(web: WebEnv, url: str, day: str) -> None:
    response = web.login("admin").get(url.format(day=day))
    assert 400 <= response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("period", ("9999-12-31", "0001-01-01", "9999-W52"))
def test_scorecards_refuse_periods_outside(web: WebEnv, period: str) -> None:
    response = web.login("admin").get("/scorecards", params={"period": period})
    assert 400 <= response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("option", ("--to", "--from"))
def test_cli_metrics_refuses_days_outside(
    web: WebEnv, capsys: pytest.CaptureFixture[str], option: str, day: str
) -> None:
    code = main(["metrics", "show", "nps", option, day, "--db", web.url])
    err = capsys.readouterr().err
    assert code == MetricError.exit_code, err  # as for a day that is not a date
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "1900–2100" in err


@pytest.mark.parametrize("period", PERIODS)
def test_cli_kpi_report_refuses_periods_outside(
    web: WebEnv, capsys: pytest.CaptureFixture[str], tmp_path: Path, period: str
) -> None:
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(KPIS_YAML, encoding="utf-8")
    code = main(["kpi", "report", "--period", period, "--kpis", str(kpis), "--db", web.url])
    err = capsys.readouterr().err
    assert code == MetricError.exit_code, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "1900–2100" in err
