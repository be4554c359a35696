"""The import's dry run: ``preview_table`` counts what ``import_table`` then does, writes
nothing, and follows the mapping (dates, time zone, columns) exactly as the import would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from otklik.ingest import MappingFile, import_table, open_table, preview_table
from otklik.ledger import FeedbackItem, ImportRun, QuarantineRow, make_engine, upgrade

# Line 3 has no valid score, line 6 no date, line 9 repeats id 3; ids 1 and 7 are stored first.
FILE = (
    "id;date;nps;comment;other\n"
    "1;03/04/2025 10:00;9;fine;alt-1\n"
    "2;13/04/2025 10:00;x;broken score;alt-2\n"
    "2;13/04/2025 10:00;3;repeat of 2;alt-3\n"
    "3;05/04/2025 09:30;10;great;alt-4\n"
    "4;;8;no date;alt-5\n"
    "5;06/04/2025 23:15;0;awful;alt-6\n"
    "7;07/04/2025 08:00;6;meh;alt-7\n"
    "3;05/04/2025 09:30;10;great again;alt-8\n"
)
EARLIER = "id;date;nps;comment\n1;03/04/2025 10:00;9;fine\n7;07/04/2025 08:00;6;meh\n"


def _counts(engine: object) -> tuple[int, int, int]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (FeedbackItem, ImportRun, QuarantineRow)
        )


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_preview_counts_are_the_import_counts(store_url: str, tmp_path: Path) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    mapping = MappingFile(scale="nps", timezone="Europe/Moscow", date_format="%d/%m/%Y %H:%M")
    import_table(
        engine,
        open_table(_write(tmp_path, "earlier.csv", EARLIER)),
        kind="survey",
        source="feed",
        mapping=mapping,
        label="earlier.csv",
    )
    before = _counts(engine)
    path = _write(tmp_path, "file.csv", FILE)
    preview = preview_table(
        engine, open_table(path), kind="survey", source="feed", mapping=mapping, label="file.csv"
    )
    assert _counts(engine) == before  # nothing written, not even a run
    # by hand: 8 rows; lines 3 (score) and 6 (date) quarantined; of the valid ids 1, 2, 3,
    # 5, 7, 3: id 3 repeats in the file and 1 and 7 are stored already; new: 2, 3, 5
    assert (preview.read, preview.to_import, preview.duplicates, preview.quarantined) == (
        8,
        3,
        3,
        2,
    )
    assert [(row["line"], row["field"]) for row in preview.quarantine] == [
        (3, "score"),
        (6, "occurred_at"),
    ]
    assert "'x'" in preview.quarantine[0]["reason"]
    report = import_table(
        engine, open_table(path), kind="survey", source="feed", mapping=mapping, label="file.csv"
    )
    assert (report.read, report.imported, report.duplicates, report.quarantined) == (
        preview.read,
        preview.to_import,
        preview.duplicates,
        preview.quarantined,
    )
    assert report.read == report.imported + report.duplicates + report.quarantined
    engine.dispose()


def test_day_first_and_time_zone_change_the_preview(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    path = _write(tmp_path, "file.csv", FILE)

    def first_date(mapping: MappingFile) -> list[datetime | None]:
        preview = preview_table(
            engine, open_table(path), kind="survey", source="f", mapping=mapping, label="f.csv"
        )
        return [row["occurred_at"] for row in preview.rows]

    day_first = first_date(
        MappingFile(scale="nps", date_format="%d/%m/%Y %H:%M", timezone="Europe/Moscow")
    )
    # 03/04/2025 10:00 Moscow (UTC+3) is 3 April 07:00 UTC
    assert day_first[0] == datetime(2025, 4, 3, 7, 0)
    month_first = first_date(
        MappingFile(scale="nps", date_format="%m/%d/%Y %H:%M", timezone="Europe/Moscow")
    )
    # read month first it is 4 March; and 13/04 has no 13th month: that row is quarantined
    assert month_first[0] == datetime(2025, 3, 4, 7, 0)
    preview = preview_table(
        engine,
        open_table(path),
        kind="survey",
        source="f",
        mapping=MappingFile(scale="nps", date_format="%m/%d/%Y %H:%M", timezone="UTC"),
        label="f.csv",
    )
    assert preview.rows[0]["occurred_at"] == datetime(2025, 3, 4, 10, 0)
    bad_lines = {row["line"] for row in preview.quarantine if row["field"] == "occurred_at"}
    assert bad_lines == {3, 4, 6}  # 13/04 twice (13 is no month) and the empty date
    # a column choice: the comment taken from "other" instead of "comment"
    chosen = preview_table(
        engine,
        open_table(path),
        kind="survey",
        source="f",
        mapping=MappingFile(scale="nps", columns={"text": "other"}),
        label="f.csv",
    )
    assert chosen.rows[0]["text"] == "alt-1"
    assert chosen.detected["columns"]["text"] == "other"
    engine.dispose()
