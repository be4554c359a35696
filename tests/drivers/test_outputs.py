"""The shells and the outputs: ``otklik drivers``/``backlog`` (JSON contract, CSV, XLSX, one-line
errors), the management page (Markdown, XLSX, a one-page PDF whose text, read back, carries the
API's numbers in Russian), and the weekly digest delivered to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from otklik.cli import main
from otklik.config import Settings
from otklik.drivers.digest import compose_digest, send_digest
from otklik.drivers.options import context_of
from otklik.drivers.report import find_font, management_report, to_markdown, to_pdf
from tests.drivers.conftest import PLANTED
from tests.drivers.pdftext import pdf_content, pdf_fonts, pdf_pages, pdf_text
from tests.replies.servers import smtp_server

CONTRACT = [
    "topic",
    "label",
    "owner_team",
    "n",
    "share",
    "metric",
    "impact",
    "impact_ci",
    "significant",
    "trend",
    "revenue_at_risk",
    "priority",
]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_drivers_json_is_the_contract_sorted_by_priority(
    capsys: pytest.CaptureFixture[str], planted_url: str
) -> None:
    code, out, _ = _run(
        capsys,
        "drivers",
        "--metric",
        "nps",
        "--period",
        "2025-06",
        "--format",
        "json",
        "--db",
        planted_url,
    )
    assert code == 0
    body = json.loads(out)
    rows = body["drivers"]
    assert rows[0]["topic"] == "fees"
    for row in rows:
        assert set(CONTRACT) <= set(row)
        assert len(row["impact_ci"]) == 2
    assert [r["priority"] for r in rows] == sorted((r["priority"] for r in rows), reverse=True)
    code, out, _ = _run(
        capsys,
        "drivers",
        "--period",
        "2025-06",
        "--segment",
        "channel=web",
        "--method",
        "relative-weights",
        "--format",
        "json",
        "--db",
        planted_url,
    )
    assert code == 0
    weights = json.loads(out)
    assert weights["segment"] == {"channel": "web"}
    assert weights["r2"] == pytest.approx(sum(r["weight"] for r in weights["drivers"]), abs=1e-3)


def test_backlog_csv_and_xlsx(
    capsys: pytest.CaptureFixture[str], planted_url: str, tmp_path: Path
) -> None:
    code, out, _ = _run(
        capsys,
        "backlog",
        "--period",
        "2025-06",
        "--top",
        "2",
        "--format",
        "csv",
        "--db",
        planted_url,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["rank"] for r in rows] == ["1", "2"] and rows[0]["topic"] == "fees"
    code, out, _ = _run(
        capsys, "backlog", "--period", "2025-06", "--format", "json", "--db", planted_url
    )
    first = json.loads(out)["backlog"][0]
    assert float(rows[0]["impact"]) == first["impact"]
    target = tmp_path / "b.xlsx"
    code, _, _ = _run(
        capsys,
        "backlog",
        "--period",
        "2025-06",
        "--format",
        "xlsx",
        "-o",
        str(target),
        "--db",
        planted_url,
    )
    sheet = load_workbook(target)["backlog"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][1] == "fees" and values[1][8] == first["impact"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["drivers", "--segment", "colour=red"], "no field 'colour'"),
        (["drivers", "--metric", "aht"], "drivers work for"),
        (["backlog", "--period", "2025-13"], "period"),
        (["backlog", "--format", "xlsx"], "--output"),
        (["report", "management", "--format", "pdf"], "--output"),
        (["digest", "send"], "say whom to send it to"),
        (["drivers", "--team", "nobody"], "unknown team 'nobody'"),
        (["backlog", "--segment", "owner_team=nobody"], "unknown team 'nobody'"),
        (["drivers", "--pillar", "speed"], "unknown CX pillar 'speed'"),
        (["pillars", "--team", "nobody"], "unknown team 'nobody'"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], planted_url: str, args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *args, "--db", planted_url)
    assert code != 0
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def management(planted_url: str):
    from otklik.ledger import make_engine

    engine = make_engine(planted_url)
    report = management_report(engine, context_of(Settings()), period="2025-06")
    engine.dispose()
    return report


def test_the_management_pdf_is_one_page_in_russian_with_the_api_numbers(management) -> None:
    data = to_pdf(management, "ru", find_font())
    assert data.startswith(b"%PDF") and pdf_pages(data) == 1
    assert any("DejaVuSans" in font for font in pdf_fonts(data))
    text = pdf_text(data)
    assert "Главные проблемы" in text and "Ключевые метрики" in text
    first = management.problems[0]
    assert first["topic"] == "fees"
    impact = f"{first['impact']:.1f}".replace(".", ",")
    assert impact in text  # the table, in Russian number format
    assert f"{first['impact']:.1f}" in text  # the chart's bar label
    nps = management.headlines[0]
    assert f"{nps['value']:.1f}".replace(".", ",") in text
    # charts are drawn, not only tables: a red bar per problem (#c53030) and grey whiskers
    content = pdf_content(data)
    red = re.findall(rb"\.772549 \.188235 \.188235 rg\n(?:[^\n]*\n){4}n [^\n]* re f", content)
    assert len(red) == len([p for p in management.problems if p["impact"] < 0])
    assert content.count(b" l S") >= 3 * len(management.problems)


def _nps(scores: np.ndarray) -> float:
    return float(100 * ((scores >= 9).mean() - (scores <= 6).mean()))


def test_the_report_shows_each_tagged_pillar_with_its_own_figures(management) -> None:
    rows = {row["pillar"]: row for row in management.pillars}
    assert set(rows) == {"integrity", "time_effort"}  # only the pillars with tagged items
    for pillar, column in (("integrity", 0), ("time_effort", 1)):
        june = (PLANTED.month == 6) & PLANTED.member[:, column]
        may = (PLANTED.month == 5) & PLANTED.member[:, column]
        row = rows[pillar]
        assert row["n"] == int(june.sum())
        assert row["nps"]["value"] == pytest.approx(_nps(PLANTED.score[june]), abs=1e-3)
        assert row["nps"]["ci_low"] < row["nps"]["value"] < row["nps"]["ci_high"]
        # every planted label is negative: 100% negative in both months, so no change
        assert row["negative"]["value"] == 100.0 and row["positive"]["value"] == 0.0
        assert int(may.sum()) > 0 and row["change_negative"]["change"] == 0.0
        assert row["change_negative"]["significant"] is False
    text = to_markdown(management, "ru")
    assert "Шесть опор клиентского опыта" in text and "Честность и доверие" in text
    # owners by their names in the teams file, not their ids: "fees" is not in the taxonomy,
    # so the default team owns it (cx: "CX-офис"); the app's errors belong to digital
    assert "| fees | CX-офис |" in text and "| cx |" not in text
    assert "| Цифровые каналы (приложение и сайт) |" in text
    pdf = pdf_text(to_pdf(management, "en", find_font()))
    assert "The six pillars of CX excellence" in pdf and "Integrity" in pdf


def test_a_wide_pdf_table_fits_the_page_and_narrow_columns_keep_their_width() -> None:
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from otklik.drivers.pdf import _FONT, _register, _table, column_widths

    _register(find_font())
    # A4 (210 mm) less 15 mm margins each side, less the frame's 6 pt paddings = 498.24 pt
    room = 180 * mm - 12
    long = "Комиссии и плата за обслуживание пакета услуг"
    headers = ["#", "Проблема", "Ответственный", "Влияние", "Выручка", "Динамика", "Обращения"]
    rows = [
        [
            "1",
            long,
            "payments",
            "-13,8 [-16,5 … -11,1] n = 101",
            "9 376 990 RUB (n = 94)",
            "-1,7 (хуже, в пределах шума)",
            "207 / 0",
        ]
    ] * 3
    table = _table(headers, rows, size=6.5)
    width, _ = table.wrap(room, 10_000)
    assert width <= room + 0.01  # it was 640 pt wide before: cut off at the page's edge
    # "#" is narrow: its natural width is its widest cell + 12 pt padding + 1
    widths = column_widths([headers, *rows], 6.5)
    assert widths[0] == pytest.approx(stringWidth("#", _FONT, 6.5) + 13)
    assert sum(widths) == pytest.approx(room)
    small = column_widths([["a", "bb"]], 7)
    assert small == pytest.approx([stringWidth(c, _FONT, 7) + 13 for c in ("a", "bb")])


def test_the_report_names_owner_teams_as_the_teams_file_does(management) -> None:
    import dataclasses

    import yaml

    from otklik.routing import DEFAULT_TEAMS

    labels = yaml.safe_load(DEFAULT_TEAMS.read_text(encoding="utf-8"))["teams"]["payments"]
    first = {**management.problems[0], "owner_team": "payments"}
    report = dataclasses.replace(management, problems=[first])
    ru, en = to_markdown(report, "ru"), to_markdown(report, "en")
    assert f"| {labels['label']['ru']} |" in ru and "| payments |" not in ru  # not the code
    assert f"| {labels['label']['en']} |" in en


def test_the_management_xlsx_keeps_numbers_as_numbers(management) -> None:
    from otklik.drivers.report import to_xlsx

    book = load_workbook(io.BytesIO(to_xlsx(management, "ru")))
    head = list(book["headline"].iter_rows(values_only=True))
    nps = management.headlines[0]
    assert head[1][:5] == ("NPS", nps["value"], nps["ci"][0], nps["ci"][1], nps["n"])
    rows = list(book["problems"].iter_rows(values_only=True))
    first = management.problems[0]
    assert rows[1][0] == 1 and rows[1][2] == "fees"
    assert rows[1][4:8] == (first["impact"], *first["impact_ci"], first["n"])
    assert rows[1][8] == first["revenue_at_risk"]["amount"]
    # negative figures were text with a visible apostrophe ("'-13,8 [...]"): none left
    cells = [c for s in book for r in s.iter_rows(values_only=True) for c in r]
    assert not any(isinstance(c, str) and c.startswith("'") for c in cells)


def test_the_markdown_in_english(management) -> None:
    text = to_markdown(management, "en")
    assert text.startswith("# Customer experience: what to fix first")
    assert "| 1 | fees |" in text
    assert "Correlation, not causation" in text


def test_the_digest_arrives_per_team_and_for_management(planted_url: str) -> None:
    from otklik.ledger import make_engine

    engine = make_engine(planted_url)
    with smtp_server() as mailbox:
        settings = Settings(
            database_url=planted_url,
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            smtp_from="otklik@example.org",
        )
        context = context_of(settings)
        everyone = compose_digest(engine, context, period="2025-06", locale="ru")
        team = compose_digest(engine, context, team="digital", period="2025-06", locale="en")
        send_digest(settings, ["boss@example.org"], everyone)
        send_digest(settings, ["digital@example.org"], team)
    engine.dispose()
    assert [m[1] for m in mailbox.messages] == [["boss@example.org"], ["digital@example.org"]]
    boss = mailbox.messages[0][2]
    assert "руководство" in str(boss["Subject"])
    body = boss.get_content()
    assert "fees" in body and "Главные проблемы" in body
    digital = mailbox.messages[1][2].get_content()
    assert "team digital" in str(mailbox.messages[1][2]["Subject"])
    assert "fees" not in digital  # the payments team's problem is outside this zone


def test_digest_cli_sends_over_smtp(planted_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as mailbox:
        monkeypatch.setenv("OTKLIK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("OTKLIK_SMTP_PORT", str(mailbox.port))
        monkeypatch.setenv("OTKLIK_SMTP_FROM", "otklik@example.org")
        code = main(
            [
                "digest",
                "send",
                "--to",
                "a@example.org",
                "--to",
                "b@example.org",
                "--period",
                "2025-06",
                "--lang",
                "en",
                "--db",
                planted_url,
            ]
        )
    assert code == 0
    assert len(mailbox.messages) == 2


def test_report_management_cli_writes_md_and_pdf(
    capsys: pytest.CaptureFixture[str], planted_url: str, tmp_path: Path
) -> None:
    code, out, _ = _run(
        capsys,
        "report",
        "management",
        "--period",
        "2025-06",
        "--format",
        "md",
        "--lang",
        "en",
        "--db",
        planted_url,
    )
    assert code == 0 and "| 1 | fees |" in out
    target = tmp_path / "m.pdf"
    code, _, _ = _run(
        capsys,
        "report",
        "management",
        "--period",
        "2025-06",
        "--format",
        "pdf",
        "-o",
        str(target),
        "--db",
        planted_url,
    )
    assert code == 0 and pdf_pages(target.read_bytes()) == 1
    assert "Главные проблемы" in pdf_text(target.read_bytes())


def test_each_team_gets_its_own_zone(planted_url: str) -> None:
    from otklik.auth import add_user
    from otklik.drivers import send_team_digests
    from otklik.ledger import make_engine

    engine = make_engine(planted_url)
    add_user(engine, email="pay@example.org", role="team", password="x" * 12, team="payments")
    add_user(engine, email="dig@example.org", role="team", password="x" * 12, team="digital")
    add_user(engine, email="boss@example.org", role="admin", password="x" * 12)
    with smtp_server() as mailbox:
        settings = Settings(
            database_url=planted_url,
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            smtp_from="otklik@example.org",
        )
        sent = send_team_digests(engine, settings, context_of(settings), period="2025-06")
    engine.dispose()
    assert [(team, addresses) for team, addresses, _ in sent] == [
        ("digital", ["dig@example.org"]),
        ("payments", ["pay@example.org"]),
    ]
    by_address = {m[1][0]: m[2] for m in mailbox.messages}
    assert set(by_address) == {"dig@example.org", "pay@example.org"}
    june = PLANTED.month == 6
    digital_n = int((june & ~PLANTED.member[:, 0]).sum())
    payments_n = int((june & PLANTED.member[:, 0]).sum())
    assert f"n = {digital_n}" in by_address["dig@example.org"].get_content()
    assert f"n = {payments_n}" in by_address["pay@example.org"].get_content()


def test_the_management_pdf_renders_to_a_page_that_fits_with_its_bars(
    management, tmp_path: Path
) -> None:
    """Rendered to pixels (pdfium), as a reader sees it: one page, ink inside the margins (a
    table too wide for the page once ran off its right edge), and one red bar per problem
    that drags the score down."""
    import pypdfium2 as pdfium

    scale = 2.0
    document = pdfium.PdfDocument(to_pdf(management, "ru", find_font()))
    assert len(document) == 1
    image = document[0].render(scale=scale).to_pil().convert("RGB")
    image.save(tmp_path / "management.png")
    pixels = np.asarray(image).astype(int)
    height, width, _ = pixels.shape
    assert (width, height) == (round(595.2756 * scale), round(841.8898 * scale))
    ink = (pixels < 200).any(axis=2)
    assert 0.02 < ink.mean() < 0.4  # text, tables and charts; not blank, not a smear
    margin = round(15 / 25.4 * 72 * scale)  # 15 mm each side
    assert not ink[:, width - margin + 4 :].any(), "something is drawn in the right margin"
    assert not ink[:, : margin - 4].any(), "something is drawn in the left margin"
    red = (
        (np.abs(pixels[:, :, 0] - 0xC5) < 12)
        & (np.abs(pixels[:, :, 1] - 0x30) < 12)
        & (np.abs(pixels[:, :, 2] - 0x30) < 12)
    )
    rows = red.sum(axis=1) > 8  # a pixel row crossed by a bar
    bands = int(rows[0]) + int(np.count_nonzero(rows[1:] & ~rows[:-1]))
    assert bands == len([p for p in management.problems if p["impact"] < 0])
