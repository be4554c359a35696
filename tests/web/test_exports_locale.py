"""Exports for a Russian office: CSV dialects, headers and codes in the user's language,
rounded figures with n and interval, PDFs with charts, KPI scorecards as PDF, XLSX and CSV.

Expected figures are computed here from the seed rows (``hand_nps``), never read from otklik.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib

import pytest
from openpyxl import load_workbook

from otklik.web.rendering import LANG_COOKIE
from tests.web.conftest import WebEnv, hand_nps

EXPLORE = "/explore?metric=nps&by=all&segment=channel&format="


def _client(web: WebEnv, locale: str, role: str = "analyst") -> object:
    client = web.login(role)
    client.cookies.set(LANG_COOKIE, locale)
    return client


def _rows(body: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")), delimiter=delimiter))


def test_russian_default_is_excel_ru(web: WebEnv) -> None:
    response = _client(web, "ru").get(EXPLORE + "csv")  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())  # the BOM Excel needs for UTF-8
    rows = _rows(response.content, ";")
    header = rows[0]
    assert header == [
        "Метрика",
        "Период",
        "Канал",
        "Значение",
        "n",
        "95% ДИ, нижняя граница",
        "95% ДИ, верхняя граница",
        "Пометки",
    ]
    by_channel = {row[2]: row for row in rows[1:]}
    assert set(by_channel) == {"Приложение", "Сайт", "Звонок", "Магазин приложений"} & set(
        by_channel
    )
    app = by_channel["Приложение"]
    value, n = hand_nps(web.rows, channel="app")
    assert app[0] == "NPS"
    assert int(app[4]) == n
    # One decimal for points, written with a decimal comma; the interval holds the value.
    assert re.fullmatch(r"-?\d+(,\d)?", app[3]), app[3]
    shown = float(app[3].replace(",", "."))
    assert shown == pytest.approx(round(value, 1), abs=1e-9)
    low, high = (float(app[i].replace(",", ".")) for i in (5, 6))
    assert low < shown < high


def test_english_default_is_excel(web: WebEnv) -> None:
    response = _client(web, "en").get(EXPLORE + "csv")  # type: ignore[attr-defined]
    assert response.content.startswith("\ufeff".encode())
    rows = _rows(response.content, ",")
    assert rows[0][:4] == ["Metric", "Period", "Channel", "Value"]
    app = next(row for row in rows[1:] if row[2] == "App")
    value, n = hand_nps(web.rows, channel="app")
    assert float(app[3]) == pytest.approx(round(value, 1)) and int(app[4]) == n


def test_dialects_on_request(web: WebEnv) -> None:
    client = _client(web, "ru")
    rfc = client.get(EXPLORE + "csv&dialect=rfc")  # type: ignore[attr-defined]
    assert not rfc.content.startswith("\ufeff".encode())
    rows = _rows(rfc.content, ",")
    assert rows[0] == ["metric", "period", "channel", "value", "n", "ci_low", "ci_high", "flags"]
    app = next(row for row in rows[1:] if row[2] == "app")
    value, _ = hand_nps(web.rows, channel="app")
    assert float(app[3]) == pytest.approx(value)  # unrounded for programs
    excel = client.get(EXPLORE + "csv&dialect=excel")  # type: ignore[attr-defined]
    assert _rows(excel.content, ",")[0][0] == "Метрика"  # still the user's language
    bad = client.get(EXPLORE + "csv&dialect=lotus")  # type: ignore[attr-defined]
    assert bad.status_code == 422


def test_xlsx_headers_labels_and_numbers(web: WebEnv) -> None:
    response = _client(web, "ru").get(EXPLORE + "xlsx")  # type: ignore[attr-defined]
    sheet = next(iter(load_workbook(io.BytesIO(response.content))))
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][:4] == ["Метрика", "Период", "Канал", "Значение"]
    app = next(row for row in cells[1:] if row[2] == "Приложение")
    value, n = hand_nps(web.rows, channel="app")
    assert isinstance(app[3], float) and app[3] == pytest.approx(round(value, 1))
    assert app[4] == n


def test_items_export_labels_codes_and_teams(web: WebEnv) -> None:
    client = _client(web, "ru", "admin")
    rows = _rows(client.get("/items?owner_team=cards&format=csv").content, ";")  # type: ignore[attr-defined]
    header = rows[0]
    kinds = {row[header.index("Вид")] for row in rows[1:]}
    channels = {row[header.index("Канал")] for row in rows[1:]}
    assert kinds == {"Опрос", "Отзыв"} and channels == {"Приложение", "Магазин приложений"}
    teams = {row[header.index("Ответственная команда")] for row in rows[1:]}
    assert len(teams) == 1 and "cards" not in teams  # the team's title from the teams file
    scores = [row[header.index("Оценка")] for row in rows[1:] if row[header.index("Оценка")]]
    assert scores and all(re.fullmatch(r"\d+", s) for s in scores)  # 9.0 is written 9


def _streams(pdf: bytes) -> bytes:
    """The PDF's content streams, inflated (reportlab compresses them)."""
    out = []
    for raw in re.findall(rb"(?<!end)stream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        data = raw.strip()
        if data.endswith(b"~>"):  # ASCII85, then Flate
            data = base64.a85decode(data[:-2])
        try:
            out.append(zlib.decompress(data))
        except zlib.error:
            out.append(data)
    return b"\n".join(out)


def _has_text_and_chart(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF")
    content = _streams(pdf)
    assert b" Tj" in content or b"TJ" in content  # text is drawn
    # A chart: the points are circles (Bézier curves, which tables never draw).
    assert len(re.findall(rb" c\n", content)) >= 4


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_overview_pdf_has_charts(web: WebEnv, locale: str) -> None:
    response = _client(web, locale).get("/?from=2025-01-01&to=2025-03-31&format=pdf")  # type: ignore[attr-defined]
    assert response.status_code == 200
    _has_text_and_chart(response.content)


def test_scorecards_download_as_pdf_xlsx_csv(web: WebEnv) -> None:
    client = _client(web, "ru", "admin")
    page = client.get("/scorecards?period=2025-Q1").text  # type: ignore[attr-defined]
    assert 'id="scorecard-downloads"' in page and "format=xlsx" in page and "format=pdf" in page
    pdf = client.get("/scorecards?period=2025-Q1&format=pdf")  # type: ignore[attr-defined]
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    _has_text_and_chart(pdf.content)
    book = client.get("/scorecards?period=2025-Q1&format=xlsx")  # type: ignore[attr-defined]
    sheet = next(iter(load_workbook(io.BytesIO(book.content))))
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = cells[0]
    assert header[:4] == ["KPI", "Метрика", "Область", "Период"]
    pay = next(row for row in cells[1:] if row[0] == "pay_nps")
    value, n = hand_nps(web.rows)  # the KPI's scope is the company: an admin sees all of it
    assert pay[header.index("n")] == n
    assert pay[header.index("Значение")] == pytest.approx(round(value, 1))
    assert pay[header.index("Статус")] in {"выполнен", "не выполнен", "не значимо (может быть шум)"}
    low, high = (
        pay[header.index("95% ДИ, нижняя граница")],
        pay[header.index("95% ДИ, верхняя граница")],
    )
    assert low < pay[header.index("Значение")] < high
    as_csv = client.get("/scorecards?period=2025-Q1&format=csv")  # type: ignore[attr-defined]
    rows = _rows(as_csv.content, ";")
    assert rows[0][0] == "KPI" and any(row[0] == "pay_nps" for row in rows[1:])
    assert client.get("/scorecards?format=doc").status_code == 422  # type: ignore[attr-defined]


def test_team_user_scorecards_export_only_its_kpis(web: WebEnv) -> None:
    client = _client(web, "ru", "payments")
    rows = _rows(client.get("/scorecards?period=2025-Q1&format=csv").content, ";")  # type: ignore[attr-defined]
    assert {row[0] for row in rows[1:]} == {"pay_nps"}
